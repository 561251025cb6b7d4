#pragma once
// A reproduction suite is data: a file `experiments/paper/<name>.suite.toml` that lists the specs
// to train, how many seeds, which metric is the score, and the published numbers to set beside
// ours. `sdebench reproduce <name>` runs it through the ordinary sweep and writes the report
// (harness/suite/reproduce.h). No torch here.
#include <cstdint>
#include <string>
#include <vector>

namespace sdebench {

struct PublishedRow {
  std::string method;  // registry name it compares with; empty: shown for reference only
  std::string label;
  double value = 0.0;
  double interval = 0.0;  // published +/- (its exact meaning is often not stated)
};

struct Suite {
  std::string file;                // the suite file
  std::string report;              // report folder name under reports/
  std::string title;
  std::vector<std::string> specs;  // paths of the spec files (resolved against the suite file)
  std::int64_t seeds = 1;          // seeds 0 .. seeds-1
  std::string metric;              // the score (lower is better), a final metric of every run
  std::string metric_interval;     // optional: a per-run interval of the score (e.g. over samples)
  std::string mean_metric;         // optional: a second score shown beside it
  std::vector<std::int64_t> plot_dims;  // data dimensions drawn in the forecast plots
  std::vector<PublishedRow> published;
};

// experiments/paper/<name>.suite.toml under `experiments_root`.
std::string suite_path(const std::string& experiments_root, const std::string& name);
// Reads and checks a suite file; errors name the file, line and key.
Suite load_suite(const std::string& path);

}  // namespace sdebench
