#include "datasets/irregular_times.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <stdexcept>

#include "datasets/normalisation.h"
#include "datasets/seeding.h"

namespace sdebench {

bool continuous_irregular(const Options& options) {
  return options.get_bool("irregular") && options.get_string("irregular_times") == "continuous";
}

void require_grid_sampling(const Options& options, const std::string& owner) {
  if (continuous_irregular(options))
    throw std::invalid_argument(owner +
                                ": irregular_times = \"continuous\" is not supported (it is "
                                "observed on its grid); use irregular_times = \"grid_subset\"");
}

std::vector<double> draw_observation_times(const std::vector<double>& grid, double keep_probability,
                                           std::mt19937_64& rng) {
  if (grid.size() < 2 || !(grid.back() > grid.front()))
    throw std::invalid_argument(
        "datasets: irregular_times = \"continuous\" needs a time grid of at least 2 increasing "
        "times (its span)");
  const double first = grid.front(), last = grid.back();
  const auto grid_size = static_cast<std::int64_t>(grid.size());
  // At least two times, so every sequence has one transition to learn from.
  const auto count = std::max<std::int64_t>(
      2, std::binomial_distribution<std::int64_t>(grid_size, keep_probability)(rng));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> times(static_cast<std::size_t>(count));
  for (;;) {
    times[0] = first;  // the initial state is observed: the SDE starts at the grid's first time
    for (std::size_t k = 1; k < times.size(); ++k) times[k] = last - (last - first) * unit(rng);
    std::sort(times.begin() + 1, times.end());
    const auto tie = std::adjacent_find(times.begin(), times.end(),
                                        [](double a, double b) { return !(a < b); });
    if (tie == times.end()) return times;
  }
}

TimeSeriesDataset generate_at_own_times(const std::string& name, const GeneratorSde& sde,
                                        const std::vector<double>& grid, StepperKind stepper,
                                        double dt, const SplitSizes& sizes, const Options& options,
                                        const DatasetContext& context) {
  const std::int64_t n = options.get_int("num_sequences");
  const auto D = static_cast<std::int64_t>(sde.dim);
  const double keep = options.get_float("keep_probability");
  std::vector<std::vector<double>> own_times(static_cast<std::size_t>(n)), paths(own_times.size());
  at::parallel_for(0, n, 8, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const auto index = static_cast<std::uint64_t>(i);
      auto time_rng = make_rng(context.seed, RandomStream::ObservationTimes, index);
      auto& times = own_times[static_cast<std::size_t>(i)];
      times = draw_observation_times(grid, keep, time_rng);
      auto rng = make_rng(context.seed, RandomStream::Path, index);
      auto& path = paths[static_cast<std::size_t>(i)];
      path.resize(times.size() * sde.dim);
      simulate_path(sde, times, dt, stepper, rng, path.data());
    }
  });

  std::int64_t width = 0;
  for (const auto& t : own_times) width = std::max<std::int64_t>(width, t.size());
  auto values = torch::zeros({n, width, D}, torch::kFloat64);
  auto observed = torch::zeros({n, width, D}, torch::kFloat64);
  auto times = torch::zeros({n, width}, torch::kFloat64);
  auto lengths = torch::zeros({n}, torch::kLong);
  {
    auto v = values.accessor<double, 3>();
    auto m = observed.accessor<double, 3>();
    auto t = times.accessor<double, 2>();
    auto l = lengths.accessor<std::int64_t, 1>();
    for (std::int64_t i = 0; i < n; ++i) {
      const auto& own = own_times[static_cast<std::size_t>(i)];
      const auto& path = paths[static_cast<std::size_t>(i)];
      const auto count = static_cast<std::int64_t>(own.size());
      l[i] = count;
      for (std::int64_t k = 0; k < width; ++k) {
        t[i][k] = own[static_cast<std::size_t>(std::min(k, count - 1))];  // padding repeats the last
        if (k >= count) continue;
        for (std::int64_t j = 0; j < D; ++j) {
          v[i][k][j] = path[static_cast<std::size_t>(k * D + j)];
          m[i][k][j] = 1.0;
        }
      }
    }
  }

  // As on the grid: statistics of the noiseless paths, here over the entries that exist.
  Normalisation normalisation = identity_normalisation(D);
  if (options.get_bool("normalise")) {
    normalisation = fit_normalisation(values, observed);
    values = normalise(values, observed, normalisation).contiguous();
  }
  const double noise = options.get_float("obs_noise");
  if (noise > 0) {
    double* data = values.data_ptr<double>();
    auto l = lengths.accessor<std::int64_t, 1>();
    at::parallel_for(0, n, 16, [&](std::int64_t begin, std::int64_t end) {
      std::normal_distribution<double> normal(0.0, noise);
      for (std::int64_t i = begin; i < end; ++i) {
        auto rng = make_rng(context.seed, RandomStream::ObservationNoise, std::uint64_t(i));
        for (std::int64_t k = 0; k < l[i] * D; ++k) data[i * width * D + k] += normal(rng);
      }
    });
  }

  TimeSeriesDataset out;
  out.name = name;
  out.norm_mean = normalisation.mean;
  out.norm_std = normalisation.std;
  // `missing` only: the times already are the irregular sampling.
  Options missing_only = options;
  missing_only.set("irregular", false);
  double span_first = grid.front(), span_last = grid.front();
  std::int64_t start = 0;
  for (auto [split, size] : {std::make_pair(&out.train, sizes.train),
                             std::make_pair(&out.val, sizes.val),
                             std::make_pair(&out.test, sizes.test)}) {
    split->lengths = lengths.narrow(0, start, size).clone();
    // Each split padded to its own longest sequence (as the CSV loader does).
    const auto slots = size > 0 ? split->lengths.max().item<std::int64_t>() : 0;
    split->times = times.narrow(0, start, size).narrow(1, 0, slots).clone();
    split->values = values.narrow(0, start, size).narrow(1, 0, slots).clone();
    split->mask = observed.narrow(0, start, size).narrow(1, 0, slots).clone();
    apply_observation_masks(*split, missing_only, context.seed, start);
    if (size > 0)
      span_last = std::max(span_last, split->times.select(1, slots - 1).max().item<double>());
    start += size;
  }
  out.times = torch::tensor(std::vector<double>{span_first, span_last}, torch::kFloat64);
  out.meta["normalisation"] =
      options.get_bool("normalise")
          ? "per-dimension mean/std over the observed entries of the noiseless paths, then noise"
          : "none";
  out.meta["time_grid"] =
      "per-sequence times (irregular_times = continuous; padded to each split's longest sequence)";
  return out;
}

TimeSeriesSplit kept_frames_as_own_times(const TimeSeriesSplit& split, const torch::Tensor& grid,
                                         const std::vector<std::vector<bool>>& keep) {
  const std::int64_t n = split.size(), T = grid.size(0), D = split.values.size(2);
  if (static_cast<std::int64_t>(keep.size()) != n)
    throw std::invalid_argument("kept_frames_as_own_times: one keep row per sequence");
  std::vector<std::vector<std::int64_t>> kept(static_cast<std::size_t>(n));
  std::int64_t longest = 1;
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t t = 0; t < T; ++t)
      if (keep[static_cast<std::size_t>(i)][static_cast<std::size_t>(t)]) kept[i].push_back(t);
    if (kept[i].empty()) throw std::invalid_argument("kept_frames_as_own_times: a sequence keeps no frame");
    longest = std::max<std::int64_t>(longest, static_cast<std::int64_t>(kept[i].size()));
  }
  TimeSeriesSplit out;
  out.times = torch::zeros({n, longest}, torch::kFloat64);
  out.values = torch::zeros({n, longest, D}, torch::kFloat64);
  out.mask = torch::zeros({n, longest, D}, torch::kFloat64);
  out.lengths = torch::zeros({n}, torch::kLong);
  auto g = grid.to(torch::kFloat64).contiguous();
  for (std::int64_t i = 0; i < n; ++i) {
    const auto len = static_cast<std::int64_t>(kept[i].size());
    auto index = torch::tensor(kept[i], torch::kLong);
    out.lengths[i] = len;
    out.times[i].narrow(0, 0, len).copy_(g.index_select(0, index));
    out.times[i].narrow(0, len, longest - len).fill_(g[kept[i].back()].item<double>());
    out.values[i].narrow(0, 0, len).copy_(split.values[i].index_select(0, index));
    out.mask[i].narrow(0, 0, len).copy_(split.mask[i].index_select(0, index));
  }
  return out;
}

}  // namespace sdebench
