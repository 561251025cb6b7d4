#pragma once
// Where a sweep's runs execute, chosen with `sdebench sweep --launcher NAME`:
//   local  in this process, or --jobs N child processes on this machine (runner/sweep.h)
//   slurm  one Slurm job array plus a report job (launch/slurm.h); sweep_slurm.cpp
#include <string>
#include <vector>

#include "harness/config/spec.h"
#include "harness/launch/slurm.h"

namespace CLI {
class App;
class Option;
}

namespace sdebench {

// What `sdebench sweep` was given.
struct SweepCommandArgs {
  std::vector<std::string> spec_and_overrides;
  std::string launcher = "local";
  std::string resume;       // a Slurm sweep directory to resubmit
  std::string output_root;  // runs go under this instead of output.dir
  bool dry_run = false;
  // local
  int jobs = 1;
  std::string runs_file;
  bool progress = true;
  bool table = true;
  // slurm (runs_root and dry_run are copied from the shared options above)
  SlurmSweepRequest slurm;
  std::vector<const CLI::Option*> slurm_only;  // given with --launcher local: an error
};

// Adds the options only the Slurm launcher takes to `sweep`, bound to `args`.
void add_slurm_sweep_options(CLI::App& sweep, SweepCommandArgs& args);
int sweep_on_slurm(const std::vector<ResolvedSpec>& specs, const SweepCommandArgs& args);
// `sdebench sweep --resume SWEEP_DIR`.
int resume_sweep(const SweepCommandArgs& args);

}  // namespace sdebench
