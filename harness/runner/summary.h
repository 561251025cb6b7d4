#pragma once
// summary.json of a run: what ran, how it ended, final metrics, time, memory, provenance.
// The report reads only this file, eval.csv, metrics.csv and samples.csv. No torch here.
#include <cstdint>
#include <string>
#include <vector>

#include "harness/config/spec.h"
#include "harness/results/json.h"
#include "harness/results/provenance.h"
#include "harness/runner/train_state.h"

namespace sdebench {

struct RunInfo {
  std::string run_dir;
  std::string status = "running";  // running, completed, time_budget, memory_budget, diverged, failed, terminated
  std::string error;               // for failed runs
  std::int64_t diverged_at = -1;   // iteration whose loss or gradient was not finite
  std::string sweep_label;
  Provenance provenance;
  std::int64_t parameters = 0;
  std::int64_t num_times = 0, dims = 0, train_size = 0, eval_size = 0;
  std::vector<std::string> warnings;
};

// "method.name=x seed=2 training.lr=0.01" -> "method.name=x training.lr=0.01"
std::string label_without_seed(const std::string& label);
// What groups runs in a report besides method and dataset: the label without the seed and
// without method.name / dataset.name (already their own columns).
std::string group_label(const std::string& label);

Json build_summary(const ResolvedSpec& spec, const RunInfo& info, const TrainState& state);

}  // namespace sdebench
