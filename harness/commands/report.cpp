#include <CLI/CLI.hpp>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "harness/commands/commands.h"
#include "harness/report/aggregate.h"
#include "harness/report/paired_comparison.h"
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

struct CompareCommandArgs {
  std::vector<std::string> runs;
  PairedComparisonOptions paired;  // used when --by is given
};

int compare_command(const CompareCommandArgs& a) {
  if (a.paired.by.empty()) {
    std::printf("%s", compare_runs(a.runs).c_str());
    return 0;
  }
  const std::vector<RunRecord> runs = load_run_records(a.runs);
  std::printf("%s", format_paired_comparison(compare_paired(runs, a.paired), a.paired).c_str());
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

  auto c = std::make_shared<CompareCommandArgs>();
  CLI::App* compare = app.add_subcommand("compare", "print the comparison table of runs");
  compare->add_option("runs", c->runs, runs_help)->required();
  auto* by = compare->add_option("--by", c->paired.by,
                                 "group by these spec keys' values (comma-separated, e.g. "
                                 "method.noise_std), pooling seeds and anything else; needs --metric")
                 ->delimiter(',')
                 ->allow_extra_args(false);
  compare->add_option("--metric", c->paired.metrics,
                      "with --by: a final metric (e.g. best_val_forecast_mse_samples), last:COLUMN "
                      "or late_median:COLUMN of eval.csv (the median over the second half of the "
                      "evaluations); repeatable")
      ->allow_extra_args(false)
      ->needs(by);
  auto* against = compare->add_option("--against", c->paired.against,
                      "with --by: the reference group's values of the --by keys (comma-separated, in "
                      "order); adds each group's differences from it, run by run")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->needs(by);
  compare->add_option("--match", c->paired.match,
                      "with --against: spec keys that pair two runs besides the seed (e.g. "
                      "dataset.validation_fold)")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->needs(against);
  compare->callback([c, &exit_code] { exit_code = compare_command(*c); });
}

}  // namespace sdebench
