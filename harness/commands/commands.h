#pragma once
// The sdebench subcommands. Each takes the arguments after its name and returns the exit code.
#include <string>
#include <vector>

namespace sdebench {

using Args = std::vector<std::string>;

int command_run(const Args& args);
int command_sweep(const Args& args);
int command_status(const Args& args);
int command_list(const Args& args);
int command_report(const Args& args);
int command_compare(const Args& args);
int command_bench(const Args& args);
int command_bench_check(const Args& args);
int command_reproduce(const Args& args);

// Entry point of apps/sdebench: dispatches to the subcommands, turns errors into messages.
int sdebench_main(int argc, char** argv);

// Shared argument handling: flags are "--name" or "--name VALUE"; everything else is positional.
struct ParsedArgs {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> flags;  // name without "--", value ("" if none)
  bool has(const std::string& name) const;
  std::string value(const std::string& name, const std::string& fallback = "") const;
};
// `with_value` lists the flags that take a value; any other flag is a switch. Unknown flags
// (not in `with_value` or `switches`) are an error naming the closest known flag.
ParsedArgs parse_args(const Args& args, const std::vector<std::string>& with_value,
                      const std::vector<std::string>& switches, const std::string& command);

}  // namespace sdebench
