#pragma once
// Shared machinery of the synthetic generators: simulate float64 paths with the odeint
// steppers (sde_steppers.h), then normalise, add observation noise, split, and apply the
// irregular-sampling / missing-value masks. Each generator file only states its SDE and options.
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/sde_steppers.h"

namespace sdebench {

// Bumped whenever any generator's output for the same options and seed changes; part of the
// cache key, so stale cache files are never reused.
constexpr const char* kGeneratorVersion = "sdebench-datasets/1";

// An Ito SDE with diagonal noise, dx_i = f_i(x, t) dt + g_i(x, t) dW_i, in float64.
struct GeneratorSde {
  std::size_t dim = 1;
  std::function<void(const OdeState& x, OdeState& f, double t)> drift;
  std::function<void(const OdeState& x, OdeState& g, double t)> diffusion;
  std::function<void(std::mt19937_64& rng, OdeState& x0)> initial_state;
};

enum class StepperKind { Euler, Milstein };
StepperKind parse_stepper(const std::string& name);  // "euler" | "milstein"
// The option `solver`, where "auto" means the dataset's reference stepper.
StepperKind resolve_stepper(const Options& options, StepperKind reference);

// The fewest equal steps no longer than max_dt covering [a, b] (the rule core's sdeint uses).
std::int64_t inner_steps(double a, double b, double max_dt);

std::vector<double> linspace(double first, double last, std::int64_t count);

// Simulates `n` paths observed at `times`; returns row-major [n, times.size(), dim]. Path i
// uses its own generator seeded from (seed, i), so the result does not depend on threads.
std::vector<double> simulate_paths(const GeneratorSde& sde, const std::vector<double>& times,
                                   std::int64_t n, double max_dt, StepperKind stepper,
                                   std::uint64_t seed);

// One path: the initial state at times[0], then each interval in the fewest equal steps no
// longer than max_dt, drawing from `rng`; writes times.size() * dim values to `out`. The
// building block of simulate_paths, also used for paths on their own times.
void simulate_path(const GeneratorSde& sde, const std::vector<double>& times, double max_dt,
                   StepperKind stepper, std::mt19937_64& rng, double* out);


// Defaults of the options every generator shares (add_generator_options declares them).
struct GeneratorDefaults {
  std::int64_t num_sequences = 1024;
  double obs_noise = 0.0;
  bool normalise = false;
  double dt = 1e-3;  // 0 = the dataset's reference step (documented in its help)
};
void add_generator_options(Schema& schema, const GeneratorDefaults& defaults);

struct SplitSizes {
  std::int64_t train = 0, val = 0, test = 0;
};
// Sizes from the train/val/test fractions (rounded; throws when they sum above 1).
SplitSizes split_sizes(std::int64_t n, const Options& options);

// Raw paths in, finished dataset out: optional per-dimension normalisation over (sequence,
// time), observation noise N(0, obs_noise^2) after it, contiguous splits of the given sizes
// (paths are i.i.d., so contiguous is as good as shuffled), then the masks. `paths` is taken
// by value and worked on in place (callers move their buffer in): video frames are large, and
// each split is then the only other copy.
TimeSeriesDataset finish_generated(const std::string& name, const std::vector<double>& times,
                                   std::vector<double> paths, std::int64_t dim,
                                   const SplitSizes& sizes, const Options& options,
                                   const DatasetContext& context);

// Simulates the paths of `sizes` (train, val, test in that order) and finishes them: on the grid
// `times` (simulate_paths, then finish_generated), or, with irregular = true and
// irregular_times = "continuous", each sequence at its own random times in the grid's span
// (irregular_times.h). For generators that post-process their splits themselves.
TimeSeriesDataset simulate_and_finish(const std::string& name, const GeneratorSde& sde,
                                      const std::vector<double>& times, StepperKind stepper,
                                      double dt, const SplitSizes& sizes, const Options& options,
                                      const DatasetContext& context);

// Records the options, seed and version in meta ("option.<key>" = TOML literal).
void record_generator_meta(TimeSeriesDataset& dataset, const Options& options,
                           const DatasetContext& context, const std::string& sde_description,
                           StepperKind stepper, double max_dt);

// The pipeline shared by the SDE generators: check the split fractions, simulate
// num_sequences paths of `sde` at `times` (inner step `dt`), finish them (finish_generated) and
// record the metadata with the SDE's description.
TimeSeriesDataset generate_from_sde(const std::string& name, const GeneratorSde& sde,
                                    const std::vector<double>& times, StepperKind stepper,
                                    double dt, const Options& options,
                                    const DatasetContext& context,
                                    const std::string& sde_description);

// Zeroes mask and values where `keep` is false, per (sequence, time) row or per value.
void apply_observation_masks(TimeSeriesSplit& split, const Options& options, std::uint64_t seed,
                             std::int64_t first_index);

}  // namespace sdebench
