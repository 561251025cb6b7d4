#include <CLI/CLI.hpp>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "harness/commands/commands.h"
#include "harness/report/report.h"

namespace sdebench {

namespace {

struct ReportCommandArgs {
  std::vector<std::string> runs;
  std::string name;
  std::string reports_dir = "reports";
  bool plots = true;
};

int report_command(const ReportCommandArgs& a) {
  ReportOutput out = write_report(a.runs, a.name, a.reports_dir, a.plots);
  std::printf("%s\n", out.console_table.c_str());
  std::printf("report (%d runs): %s/README.md\n", out.runs, out.dir.c_str());
  for (const auto& f : out.files) std::printf("  %s/%s\n", out.dir.c_str(), f.c_str());
  for (const auto& w : out.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  return 0;
}

}  // namespace

void add_report_commands(CLI::App& app, int& exit_code) {
  const char* runs_help = "run directories, or folders holding them (e.g. results/runs/quickstart)";
  auto a = std::make_shared<ReportCommandArgs>();
  CLI::App* report = app.add_subcommand("report", "tables and plots of runs into REPORTS_DIR/NAME/");
  report->add_option("runs", a->runs, runs_help)->required();
  report->add_option("--name", a->name, "the report's folder name")->required();
  report->add_option("--reports-dir", a->reports_dir, "where reports go")->capture_default_str();
  report->add_flag("--no-plots", [a](std::int64_t) { a->plots = false; }, "tables only");
  report->callback([a, &exit_code] { exit_code = report_command(*a); });

  auto runs = std::make_shared<std::vector<std::string>>();
  CLI::App* compare = app.add_subcommand("compare", "print the comparison table of runs");
  compare->add_option("runs", *runs, runs_help)->required();
  compare->callback([runs, &exit_code] {
    std::printf("%s", compare_runs(*runs).c_str());
    exit_code = 0;
  });
}

}  // namespace sdebench
