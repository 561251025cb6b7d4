#pragma once
// Sweeps: many resolved specs, run one after another in this process, or `jobs` at a time as
// child processes (this program re-executed as `run <resolved spec file>`). A run that diverges
// or fails is recorded and the sweep goes on. No torch here.
#include <string>
#include <vector>

#include "harness/config/spec.h"
#include "harness/runner/runner.h"

namespace sdebench {

struct SweepOptions {
  int jobs = 1;
  std::string executable;  // for jobs > 1; empty: /proc/self/exe
  RunOptions run;          // resume_dir and stop_after are ignored
};

struct SweepResult {
  std::vector<RunResult> runs;  // in spec order
  int completed = 0, diverged = 0, failed = 0;
};

SweepResult run_sweep(const std::vector<ResolvedSpec>& specs, const SweepOptions& options);

}  // namespace sdebench
