#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "core/options.h"
#include "harness/commands/commands.h"
#include "harness/config/spec.h"
#include "harness/launch/process.h"

namespace sdebench {

namespace {

// CLI11 says which argument it did not expect; name the closest option of that command too.
void suggest_options(const CLI::App& app) {
  for (const CLI::App* command : app.get_subcommands()) {
    std::vector<std::string> names;
    for (const CLI::Option* option : command->get_options())
      for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
    for (const std::string& word : command->remaining()) {
      if (word.rfind("--", 0) != 0) continue;
      const std::string guess = closest_match(word.substr(0, word.find('=')), names);
      if (!guess.empty()) std::fprintf(stderr, "%s: did you mean %s?\n", word.c_str(), guess.c_str());
    }
  }
}

}  // namespace

int sdebench_main(int argc, char** argv) {
  CLI::App app{"sdebench: train and compare latent SDE methods", "sdebench"};
  app.require_subcommand(1);
  app.footer("Run `sdebench COMMAND --help` for a command's options.");
  int exit_code = 0;
  std::vector<std::string> words{"sdebench"};
  words.insert(words.end(), argv + 1, argv + argc);
  const std::string invocation = command_line(words);
  add_run_command(app, exit_code);
  add_sweep_command(app, exit_code);
  add_status_command(app, exit_code);
  add_reproduce_command(app, exit_code, invocation);
  add_list_command(app, exit_code);
  add_report_commands(app, exit_code);
  add_bench_commands(app, exit_code);
  if (argc < 2) {
    std::fprintf(stderr, "%s", app.help().c_str());
    return 2;
  }
  try {
    app.parse(argc, argv);  // runs the chosen subcommand's callback
    return exit_code;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    suggest_options(app);
    app.exit(e);
    return 2;  // a usage error
  } catch (const SpecError& e) {
    std::fprintf(stderr, "sdebench: spec error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sdebench: error: %s\n", e.what());
    return 1;
  }
}

}  // namespace sdebench
