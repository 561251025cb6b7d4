#pragma once
// Where a sweep's runs execute, chosen with `sdebench sweep --launcher NAME`:
//   local  in this process, or --jobs N child processes on this machine (runner/sweep.h)
//   slurm  one Slurm job array plus a report job (launch/slurm.h); sweep_slurm.cpp
#include <string>
#include <vector>

#include "harness/commands/commands.h"
#include "harness/config/spec.h"

namespace sdebench {

// Flags that only the Slurm launcher takes.
const std::vector<std::string>& slurm_sweep_flags();
int sweep_on_slurm(const std::vector<ResolvedSpec>& specs, const ParsedArgs& p);
// `sdebench sweep --resume SWEEP_DIR`.
int resume_sweep(const ParsedArgs& p);

}  // namespace sdebench
