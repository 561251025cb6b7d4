#pragma once
// Runs one experiment: builds the dataset and method from their registries, trains with the
// shared loop (Adam, exponential LR decay, KL annealing, gradient clipping, budgets), evaluates,
// checkpoints and writes the run directory. No torch here.
#include <cstdint>
#include <map>
#include <string>

#include "harness/config/spec.h"

namespace sdebench {

struct RunOptions {
  std::string resume_dir;   // continue the run in this directory from its checkpoint
  std::string output_root;  // overrides output.dir when not empty
  bool progress = true;     // progress bar / log lines on stderr
  // Testing aid: behave as if the process were killed after this many iterations of this
  // session (nothing more is written). 0 = never.
  std::int64_t stop_after = 0;
  // When set, the run directory's path is written to this file as soon as it exists (sweeps
  // started as child processes learn where their runs went, even failed ones).
  std::string run_dir_file;
  // When set, the run writes into this directory, decided and created (empty) beforehand by a
  // launcher (see claim_planned_run_dir), instead of a fresh one under the output root.
  std::string run_dir;
};

struct RunResult {
  std::string run_dir;
  // "completed", "diverged", "time_budget", "memory_budget", "interrupted" (stop_after), "failed" (sweeps),
  // "terminated" (SIGTERM: checkpoint written, resumable; see stop_signal.h)
  std::string status;
  std::int64_t iterations = 0;
  std::map<std::string, double> final_metrics;  // last evaluation
  std::string error;                            // for "failed"
};

RunResult run_experiment(const ResolvedSpec& spec, const RunOptions& options = {});

// Rebuilds the spec stored in a run directory (spec.toml, sweep label from summary.json).
ResolvedSpec load_run_spec(const std::string& run_dir);

}  // namespace sdebench
