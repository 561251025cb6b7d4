#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <variant>

#include "core/solvers/stepper.h"
#include "datasets/dataset.h"
#include "harness/commands/commands.h"
#include "harness/config/spec.h"
#include "methods/method.h"

namespace sdebench {

namespace {

// Floats as %g: "0.1", not the exact-round-trip "0.10000000000000001".
std::string display_value(const OptionValue& v) {
  if (std::holds_alternative<double>(v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", std::get<double>(v));
    return buf;
  }
  return format_value(v);
}

void print_schema(const Schema& schema, const char* indent) {
  for (const auto& s : schema.specs()) {
    std::string extra;
    if (!s.choices.empty()) {
      extra = " one of:";
      for (const auto& c : s.choices) extra += " " + c;
    }
    if (s.min) extra += " min " + display_value(OptionValue(*s.min));
    if (s.max) extra += " max " + display_value(OptionValue(*s.max));
    std::printf("%s%-24s %-6s = %-12s %s%s\n", indent, s.key.c_str(), to_string(s.type()),
                display_value(s.default_value).c_str(), s.help.c_str(), extra.c_str());
  }
}

template <class RegistryT>
void print_registry(const RegistryT& registry, const char* title, const char* section) {
  std::printf("%s ([%s] name = ...):\n", title, section);
  for (const auto& name : registry.names()) {
    const auto& e = registry.get(name);
    std::printf("  %s: %s\n", name.c_str(), e.description.c_str());
    print_schema(e.schema, "      ");
  }
  std::printf("\n");
}

int list_command(const std::string& what) {
  const bool all = what == "all";
  if (all || what == "methods") print_registry(MethodRegistry::instance(), "Methods", "method");
  if (all || what == "datasets") print_registry(DatasetRegistry::instance(), "Datasets", "dataset");
  if (all || what == "solvers") {
    std::printf("Solvers (method options that name a solver):\n");
    for (const auto& line : solver_descriptions()) std::printf("  %s\n", line.c_str());
    std::printf("\n");
  }
  if (all || what == "sections") {
    std::printf("[training]\n");
    print_schema(training_schema(), "  ");
    std::printf("[evaluation]\n");
    print_schema(evaluation_schema(), "  ");
    std::printf("[output]\n");
    print_schema(output_schema(), "  ");
  }
  return 0;
}

}  // namespace

void add_list_command(CLI::App& app, int& exit_code) {
  auto what = std::make_shared<std::string>("all");
  CLI::App* cmd = app.add_subcommand("list", "the registered methods, datasets and solvers, with their options");
  cmd->add_option("what", *what, "what to list")
      ->check(CLI::IsMember({"all", "methods", "datasets", "solvers", "sections"}))
      ->capture_default_str();
  cmd->callback([what, &exit_code] { exit_code = list_command(*what); });
}

}  // namespace sdebench
