#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "harness/commands/commands.h"
#include "harness/suite/reproduce.h"

namespace sdebench {

namespace {

struct ReproduceCommandArgs {
  std::vector<std::string> suite_and_overrides;
  std::string scale;
  std::string experiments = "experiments";
  ReproduceOptions options;
};

int reproduce_command(ReproduceCommandArgs& a, const std::string& invocation) {
  const Suite suite = load_suite(suite_path(a.experiments, a.suite_and_overrides.front()), a.scale);
  ReproduceOptions& options = a.options;
  options.overrides.assign(a.suite_and_overrides.begin() + 1, a.suite_and_overrides.end());
  options.command_line = invocation;
  ReproduceResult r = reproduce(suite, options);
  if (options.report_only) {
    std::printf("report: %s/README.md\n", r.report.dir.c_str());
    for (const auto& w : r.report.warnings) std::fprintf(stderr, "[reproduce] warning: %s\n", w.c_str());
    return 0;
  }
  std::printf("reproduce: %d completed, %d diverged, %d failed in %.1f min\nreport: %s/README.md\n",
              r.sweep.completed, r.sweep.diverged, r.sweep.failed, r.wall_seconds / 60.0,
              r.report.dir.c_str());
  for (const auto& w : r.report.warnings) std::fprintf(stderr, "[reproduce] warning: %s\n", w.c_str());
  return r.sweep.failed > 0 ? 1 : 0;
}

}  // namespace

void add_reproduce_command(CLI::App& app, int& exit_code, const std::string& invocation) {
  auto a = std::make_shared<ReproduceCommandArgs>();
  CLI::App* cmd = app.add_subcommand(
      "reproduce", "train a paper suite (experiments/paper/SUITE.suite.toml) over its seeds and "
                   "write reports/<its report>/");
  cmd->add_option("suite", a->suite_and_overrides, "SUITE, then key=value overrides for every run")
      ->required();
  cmd->add_option("--scale", a->scale, "one of the suite's scales (e.g. a short CI form)");
  cmd->add_option("--seeds", a->options.seeds, "seeds per row (default: the suite's)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--jobs", a->options.jobs, "runs at a time, as child processes")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--output-root", a->options.output_root, "where the runs go")->capture_default_str();
  cmd->add_option("--reports-root", a->options.reports_root, "where the report goes")->capture_default_str();
  cmd->add_option("--experiments", a->experiments, "the folder holding paper/")->capture_default_str();
  cmd->add_flag("--no-progress", [a](std::int64_t) { a->options.progress = false; },
                "no progress lines on stderr");
  cmd->add_flag("--report-only", a->options.report_only,
                "re-make the report from the runs of an earlier reproduce, training nothing");
  cmd->callback([a, &invocation, &exit_code] { exit_code = reproduce_command(*a, invocation); });
}

}  // namespace sdebench
