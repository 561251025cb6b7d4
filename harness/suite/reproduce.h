#pragma once
// `sdebench reproduce <suite>`: trains every spec of a suite over its seeds through the ordinary
// sweep (harness/runner/sweep.h), records what it ran in <output_root>/<report>/reproduce.json,
// then writes reports/<suite.report>/: the score table with the
// published rows beside it (mean and 95% t-interval over seeds, the mean per-run interval, a
// second score), timings and memory per method, forecast plots, and the generic report of
// `sdebench report` below it. The report reads only the run directories. No torch here.
#include <cstdint>
#include <string>
#include <vector>

#include "harness/report/report.h"
#include "harness/runner/sweep.h"
#include "harness/suite/suite.h"

namespace sdebench {

struct ReproduceOptions {
  int jobs = 1;                        // runs at a time (child processes when > 1)
  std::int64_t seeds = 0;              // 0: the suite's number of seeds
  std::string output_root = "results/paper";
  std::string reports_root = "reports";
  std::vector<std::string> overrides;  // applied to every spec (e.g. a short CI form)
  bool progress = true;
  std::string command_line;            // recorded in the report
  // Re-make the report from the run directories of an earlier `reproduce` (its record,
  // <output_root>/<report>/reproduce.json, names them and their command) without training.
  bool report_only = false;
};

struct ReproduceResult {
  SweepResult sweep;
  ReportOutput report;
  double wall_seconds = 0.0;
};

ReproduceResult reproduce(const Suite& suite, const ReproduceOptions& options);

// The suite's score table and notes (Markdown), from run directories alone.
std::string suite_section(const Suite& suite, const std::vector<std::string>& run_dirs);

}  // namespace sdebench
