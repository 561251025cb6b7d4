#pragma once
// Continuous irregular sampling for the SDE generators (irregular = true, irregular_times =
// "continuous", issue 19): each sequence gets its own random observation times in the span of
// the generator's grid and the SDE is simulated exactly at those times, instead of keeping a
// random subset of the shared grid ("grid_subset", apply_observation_masks).
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "datasets/generator.h"

namespace sdebench {

// irregular = true and irregular_times = "continuous".
bool continuous_irregular(const Options& options);

// One sequence's times: grid.front(), then max(2, Binomial(grid.size(), keep_probability)) - 1
// more drawn uniformly in (grid.front(), grid.back()], sorted; strictly increasing (a tie, of
// probability ~0, is redrawn). The Binomial count makes the expected number of observations
// the same as grid_subset's.
std::vector<double> draw_observation_times(const std::vector<double>& grid, double keep_probability,
                                           std::mt19937_64& rng);

// The continuous counterpart of simulate_paths + finish_generated: num_sequences paths, path i
// at the times drawn from (seed, ObservationTimes, i) and simulated from (seed, Path, i) with
// inner steps no longer than dt (simulate_path). Then optional normalisation over the observed
// (non-padding) entries, observation noise on them, contiguous splits of `sizes`, each padded
// to its longest sequence (times repeat the last one, mask and values 0), and the `missing`
// mask. dataset.times is [first, last] observation time over the splits. `truth` stays empty.
TimeSeriesDataset generate_at_own_times(const std::string& name, const GeneratorSde& sde,
                                        const std::vector<double>& grid, StepperKind stepper,
                                        double dt, const SplitSizes& sizes, const Options& options,
                                        const DatasetContext& context);

// A split on the shared grid `grid` [T] as each sequence's own times: sequence i keeps the grid
// times where keep[i][t] is true (at least one), in order, padded to the split's longest
// (times repeat the last kept one, values and mask 0). The compact form of a subset of a grid:
// a batch then carries only the kept observations.
TimeSeriesSplit kept_frames_as_own_times(const TimeSeriesSplit& split, const torch::Tensor& grid,
                                         const std::vector<std::vector<bool>>& keep);

// Throws, naming `owner` ("dataset 'name'") and the option, when a generator that cannot
// sample on its own times (it renders the grid's states) is asked to.
void require_grid_sampling(const Options& options, const std::string& owner);

}  // namespace sdebench
