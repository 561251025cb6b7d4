#pragma once
// Reads run directories back and aggregates them over seeds: runs are grouped by (method,
// dataset, sweep label without the seed) and every metric gets its mean and 95% t-interval.
// Everything is recomputed from the run files, so a report can be re-made at any time.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harness/results/csv.h"
#include "harness/results/json.h"
#include "harness/stats.h"

namespace sdebench {

struct RunRecord {
  std::string dir;
  Json summary;
  CsvTable metrics, evals, samples;  // samples may be empty
  std::string method, dataset, label, status;
  std::int64_t seed = 0;
  // Metric name -> value for this run (final evaluation, time, memory).
  std::vector<std::pair<std::string, double>> values;
};

// Run directories (those holding summary.json) found in `paths`, each either a run directory
// or a folder searched recursively. Sorted; throws naming a path that does not exist.
std::vector<std::string> find_run_dirs(const std::vector<std::string>& paths);
RunRecord load_run_record(const std::string& dir);
// Every run directory in `paths`, loaded; throws when there is none.
std::vector<RunRecord> load_run_records(const std::vector<std::string>& paths);

struct RunGroup {
  std::string method, dataset, label;
  std::vector<const RunRecord*> runs;  // every run of the group, whatever its status
  int diverged = 0, skipped = 0;       // skipped: running, failed or interrupted runs
  std::map<std::string, MeanInterval> stats;
  std::string key() const;  // "method / dataset [label]"
};

struct Aggregate {
  std::vector<std::string> metric_names;  // accuracy first, then time and memory
  std::vector<RunGroup> groups;
};

// Statuses whose numbers count: completed, time_budget, diverged (last good metrics).
bool status_counts(const std::string& status);
Aggregate aggregate_runs(const std::vector<RunRecord>& runs);

}  // namespace sdebench
