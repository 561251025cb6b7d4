#pragma once
// The files a finished run writes from the parameters it reports (the last or the best), for
// its report: sample paths and forecasts on the evaluation split.
#include <cstdint>
#include <string>
#include <vector>

#include "core/options.h"
#include "harness/runner/run_setup.h"

namespace sdebench {

// Returns a warning for each file that could not be made; the run is complete without them.
// Each file draws its noise from its own seed derived from `evaluation_seed`.
std::vector<std::string> write_end_files(RunSetup& setup, const Options& evaluation,
                                         const std::string& run_dir, std::uint64_t evaluation_seed);

}  // namespace sdebench
