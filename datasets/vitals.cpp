// vitals: a small stand-in for bedside monitoring, where channels arrive at their own rates and
// some go silent for long stretches (issue 19: per-sequence observation times).
//   Latent state: two independent Ornstein-Uhlenbeck processes started stationary,
//     dz_fast = -theta_fast z_fast dt + sigma_fast dW,  dz_slow = -theta_slow z_slow dt + sigma_slow dW,
//   simulated exactly between observation times (Gaussian transition), float64.
//   Channels (kVitalsChannels): heart rate, blood pressure and temperature, each
//     baseline + a_fast z_fast + a_slow z_slow + N(0, (obs_noise (|a_fast| + |a_slow|))^2).
//   Sampling: every channel at t = 0 (admission), then each channel at the events of its own
//   Poisson process (rates hr_rate, bp_rate, temp_rate) on (0, t_end]; with probability
//   gap_probability a channel is silent over one interval of length gap_fraction * t_end
//   placed uniformly in [0, t_end] (admission is always observed). A sequence's times are the
//   union of its channels' events (simultaneous events share one time); the mask says which
//   channels each time observed. So channel c has, on average, 1 + rate_c t_end (1 -
//   gap_probability gap_fraction) observations per stay. The latent path at those times is
//   kept as `truth` (z_fast, z_slow). Cached like the generators (cache.h).
#include "datasets/vitals.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <tuple>
#include <vector>

#include "datasets/cache.h"
#include "datasets/generator.h"
#include "datasets/normalisation.h"
#include "datasets/seeding.h"

namespace sdebench {

Schema vitals_schema() {
  Schema s;
  s.add_int("num_sequences", 500, "number of simulated stays (all splits)", 1)
      .add_float("t_end", 10.0, "length of each stay (time units)", 1e-9)
      .add_float("hr_rate", 4.0, "heart-rate observations per time unit (Poisson rate)", 0.0)
      .add_float("bp_rate", 1.0, "blood-pressure observations per time unit", 0.0)
      .add_float("temp_rate", 0.3, "temperature observations per time unit", 0.0)
      .add_float("gap_probability", 0.3,
                 "probability that a channel goes silent for one stretch in a stay", 0.0, 1.0)
      .add_float("gap_fraction", 0.3, "length of that stretch as a fraction of t_end", 0.0, 1.0)
      .add_float("theta_fast", 1.0, "mean-reversion rate of the fast latent process", 1e-9)
      .add_float("sigma_fast", 1.0, "diffusion of the fast latent process", 0.0)
      .add_float("theta_slow", 0.1, "mean-reversion rate of the slow latent process", 1e-9)
      .add_float("sigma_slow", 0.3, "diffusion of the slow latent process", 0.0)
      .add_float("obs_noise", 0.05,
                 "observation noise std per channel, relative to its total loading", 0.0)
      .add_bool("normalise", true,
                "per-channel mean/std of the training split's observed values (norm_mean / "
                "norm_std)")
      .add_float("train_fraction", 0.8, "fraction of sequences in the training split", 0.0, 1.0)
      .add_float("val_fraction", 0.1, "fraction of sequences in the validation split", 0.0, 1.0)
      .add_float("test_fraction", 0.1, "fraction of sequences in the test split", 0.0, 1.0);
  return s;
}

namespace {

constexpr const char* kVitalsVersion = "sdebench-vitals/1";

struct VitalsStay {
  std::vector<double> times;              // strictly increasing
  std::vector<std::array<double, 3>> x;   // channel values (NaN: not observed)
  std::vector<std::array<double, 2>> z;   // latent (fast, slow)
};

VitalsStay simulate_stay(const Options& o, std::uint64_t seed, std::uint64_t index) {
  auto rng = make_rng(seed, RandomStream::Path, index);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  const double t_end = o.get_float("t_end");
  const double rates[3] = {o.get_float("hr_rate"), o.get_float("bp_rate"), o.get_float("temp_rate")};
  // Events per channel: (time, channel); channel -1 marks admission (all channels).
  std::vector<std::pair<double, int>> events{{0.0, -1}};
  for (int c = 0; c < 3; ++c) {
    double gap_start = 2 * t_end, gap_end = 2 * t_end;  // none
    if (unit(rng) < o.get_float("gap_probability")) {
      const double length = o.get_float("gap_fraction") * t_end;
      gap_start = unit(rng) * (t_end - length);
      gap_end = gap_start + length;
    }
    if (rates[c] <= 0) continue;
    std::exponential_distribution<double> wait(rates[c]);
    for (double t = wait(rng); t <= t_end; t += wait(rng))
      if (t < gap_start || t >= gap_end) events.emplace_back(t, c);
  }
  std::sort(events.begin(), events.end());
  const double tf = o.get_float("theta_fast"), sf = o.get_float("sigma_fast");
  const double ts = o.get_float("theta_slow"), ss = o.get_float("sigma_slow");
  const double noise = o.get_float("obs_noise");
  VitalsStay stay;
  double z_fast = sf / std::sqrt(2 * tf) * normal(rng), z_slow = ss / std::sqrt(2 * ts) * normal(rng);
  double last = 0.0;
  for (const auto& [t, channel] : events) {
    if (!stay.times.empty() && t == last) {  // another channel at the same time: same row
      const auto& ch = kVitalsChannels[channel];
      const double scale = std::abs(ch.fast) + std::abs(ch.slow);
      stay.x.back()[channel] =
          ch.baseline + ch.fast * z_fast + ch.slow * z_slow + noise * scale * normal(rng);
      continue;
    }
    const double dt = t - last;
    if (dt > 0) {  // the exact Gaussian transition of each OU component
      const double ef = std::exp(-tf * dt), es = std::exp(-ts * dt);
      z_fast = z_fast * ef + sf * std::sqrt((1 - ef * ef) / (2 * tf)) * normal(rng);
      z_slow = z_slow * es + ss * std::sqrt((1 - es * es) / (2 * ts)) * normal(rng);
    }
    last = t;
    std::array<double, 3> x;
    for (int c = 0; c < 3; ++c) {
      const auto& ch = kVitalsChannels[c];
      const double scale = std::abs(ch.fast) + std::abs(ch.slow);
      x[c] = (channel < 0 || channel == c)
                 ? ch.baseline + ch.fast * z_fast + ch.slow * z_slow + noise * scale * normal(rng)
                 : std::nan("");
    }
    stay.times.push_back(t);
    stay.x.push_back(x);
    stay.z.push_back({z_fast, z_slow});
  }
  return stay;
}

TimeSeriesDataset build_vitals(const Options& o, const SplitSizes& sizes,
                               const DatasetContext& context) {
  const auto n = o.get_int("num_sequences");
  std::vector<VitalsStay> stays(static_cast<std::size_t>(n));
  at::parallel_for(0, n, 16, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i)
      stays[static_cast<std::size_t>(i)] = simulate_stay(o, context.seed, static_cast<std::uint64_t>(i));
  });

  TimeSeriesDataset d;
  d.name = "vitals";
  double last_time = 0.0;  // dataset.times: the span [0 (admission), last observation]
  std::int64_t start = 0;
  for (auto [split, size, name] : {std::make_tuple(&d.train, sizes.train, "train"),
                                   std::make_tuple(&d.val, sizes.val, "val"),
                                   std::make_tuple(&d.test, sizes.test, "test")}) {
    std::int64_t T = 0;  // this split's longest stay
    for (std::int64_t i = start; i < start + size; ++i)
      T = std::max<std::int64_t>(T, static_cast<std::int64_t>(stays[static_cast<std::size_t>(i)].times.size()));
    split->values = torch::zeros({size, T, 3}, torch::kFloat64);
    split->mask = torch::zeros({size, T, 3}, torch::kFloat64);
    split->times = torch::zeros({size, T}, torch::kFloat64);
    split->lengths = torch::zeros({size}, torch::kLong);
    auto z_fast = torch::zeros({size, T}, torch::kFloat64), z_slow = torch::zeros({size, T}, torch::kFloat64);
    auto v = split->values.accessor<double, 3>();
    auto m = split->mask.accessor<double, 3>();
    auto tt = split->times.accessor<double, 2>();
    auto lengths = split->lengths.accessor<std::int64_t, 1>();
    auto zf = z_fast.accessor<double, 2>(), zs = z_slow.accessor<double, 2>();
    for (std::int64_t i = 0; i < size; ++i) {
      const VitalsStay& stay = stays[static_cast<std::size_t>(start + i)];
      const auto count = static_cast<std::int64_t>(stay.times.size());
      lengths[i] = count;
      last_time = std::max(last_time, stay.times.back());
      for (std::int64_t k = 0; k < T; ++k) {
        const auto j = static_cast<std::size_t>(std::min(k, count - 1));  // padding repeats the last
        tt[i][k] = stay.times[j];
        zf[i][k] = stay.z[j][0];
        zs[i][k] = stay.z[j][1];
        if (k >= count) continue;
        for (int c = 0; c < 3; ++c)
          if (!std::isnan(stay.x[j][c])) {
            v[i][k][c] = stay.x[j][c];
            m[i][k][c] = 1.0;
          }
      }
    }
    d.truth[name]["z_fast"] = z_fast;
    d.truth[name]["z_slow"] = z_slow;
    start += size;
  }
  d.times = torch::tensor(std::vector<double>{0.0, last_time}, torch::kFloat64);
  normalise_from_training(d, o.get_bool("normalise"));
  d.meta["dataset"] = "vitals";
  d.meta["version"] = kVitalsVersion;
  d.meta["seed"] = std::to_string(context.seed);
  d.meta["channels"] = "heart_rate,blood_pressure,temperature";
  d.meta["time_grid"] = "per-sequence times (padded to the longest sequence of each split)";
  d.meta["simulator"] = "exact Ornstein-Uhlenbeck transitions between observation times, float64";
  d.meta["normalisation"] = o.get_bool("normalise") ? "train mean/std per channel" : "none";
  for (const auto& [key, value] : o.values()) d.meta["option." + key] = format_value(value);
  return d;
}

}  // namespace

TimeSeriesDataset make_vitals(const Options& given, const DatasetContext& context) {
  const Options o = vitals_schema().resolve(given, "dataset 'vitals'");
  const SplitSizes sizes = split_sizes(o.get_int("num_sequences"), o);  // checked before the cache
  return cached_dataset("vitals", kVitalsVersion, o, context,
                        [&] { return build_vitals(o, sizes, context); });
}

SDEBENCH_REGISTER_DATASET("vitals",
                          "synthetic bedside vitals: three channels at their own Poisson rates "
                          "with silent stretches, each stay on its own times; latent truth kept",
                          vitals_schema(), make_vitals);

}  // namespace sdebench
