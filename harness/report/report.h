#pragma once
// `sdebench report`: aggregates run directories into reports/NAME/ with README.md (tables and
// plots), summary.csv, summary.tex and PNG plots. `sdebench compare` prints the same table.
#include <string>
#include <vector>

namespace sdebench {

struct ReportOutput {
  std::string dir;                  // reports/NAME
  std::vector<std::string> files;   // written, relative to dir
  std::vector<std::string> warnings;
  std::string console_table;        // for printing
  int runs = 0;
};

ReportOutput write_report(const std::vector<std::string>& run_paths, const std::string& name,
                          const std::string& reports_root = "reports", bool plots = true);
std::string compare_runs(const std::vector<std::string>& run_paths);

}  // namespace sdebench
