// Generators with irregular_times = "continuous": each sequence on its own random times, the SDE
// simulated exactly there. Determinism, the padding layout of dataset.h, the number and spread
// of the times, OU transitions at the irregular gaps against the exact Gaussian transition,
// normalisation over observed entries only, and the cache round trip.
#include <catch2/catch.hpp>

#include <ATen/Parallel.h>

#include <cmath>
#include <fstream>

#include "datasets/cache.h"
#include "datasets/generator.h"
#include "datasets/generators.h"
#include "datasets/irregular_times.h"
#include "test_support.h"

using namespace sdebench;
using sdebench::test::sample_moments;

namespace {

// OU on [0, 2] with 41 grid times, sampled on continuous irregular times.
Options continuous_ou(double keep = 0.3) {
  Options o;
  o.set("theta", 1.5);
  o.set("mu", 0.3);
  o.set("sigma", 0.6);
  o.set("x0_mean", 1.0);
  o.set("x0_std", 0.2);
  o.set("t_end", 2.0);
  o.set("num_times", std::int64_t(41));
  o.set("irregular", true);
  o.set("irregular_times", std::string("continuous"));
  o.set("keep_probability", keep);
  return o;
}

Options with_sequences(Options o, std::int64_t n) {
  o.set("num_sequences", n);
  return o;
}

}  // namespace

TEST_CASE("continuous irregular times: same seed identical, different seed different, any threads",
          "[datasets][irregular_times][seed]") {
  const auto o = with_sequences(continuous_ou(), 200);
  auto a = make_ou(o, test::no_cache(7));
  auto b = make_ou(o, test::no_cache(7));
  auto c = make_ou(o, test::no_cache(8));
  REQUIRE(a.per_sequence_times());
  CHECK(test::same_dataset_bytes(a, b));
  CHECK_FALSE(test::same_bytes(a.train.times, c.train.times));
  CHECK_FALSE(test::same_bytes(a.train.lengths, c.train.lengths));
  CHECK_FALSE(test::same_bytes(a.train.values, c.train.values));

  const int before = at::get_num_threads();
  at::set_num_threads(1);
  auto one = make_ou(o, test::no_cache(9));
  at::set_num_threads(2);
  auto two = make_ou(o, test::no_cache(9));
  at::set_num_threads(before);
  CHECK(test::same_dataset_bytes(one, two));
}

TEST_CASE("continuous irregular times work for every grid generator, padded as dataset.h says",
          "[datasets][irregular_times]") {
  for (std::string name : {"ou", "gbm", "lorenz", "double_well", "time_dependent_ou",
                           "lotka_volterra", "heat_grid"}) {
    INFO(name);
    const auto& entry = DatasetRegistry::instance().get(name, "dataset");
    Options o = entry.schema.defaults();
    o.set("num_sequences", std::int64_t(name == "lotka_volterra" ? 3 : 40));
    if (name == "heat_grid") o.set("grid_size", std::int64_t(8));
    o.set("irregular", true);
    o.set("missing", 0.1);
    const auto grid = entry.factory(o, test::no_cache(3)).times;  // grid_subset: the grid
    o.set("irregular_times", std::string("continuous"));
    auto d = entry.factory(o, test::no_cache(3));
    REQUIRE(d.per_sequence_times());
    const double first = grid[0].item<double>(), last = grid[-1].item<double>();
    double latest = first;
    for (const auto* split : {&d.train, &d.val, &d.test}) {
      INFO(test::padding_problem(*split));
      CHECK(test::padding_problem(*split).empty());
      if (split->size() == 0) continue;
      CHECK(split->lengths.min().item<std::int64_t>() >= 2);
      CHECK(torch::all(split->times.select(1, 0) == first).item<bool>());  // always the first time
      CHECK(split->times.max().item<double>() <= last);
      CHECK(split->values.isfinite().all().item<bool>());
      latest = std::max(latest, split->times.max().item<double>());
    }
    // dataset.times is the span: first and last observation time over the dataset.
    REQUIRE(d.times.sizes() == torch::IntArrayRef({2}));
    CHECK(d.times[0].item<double>() == first);
    CHECK(d.times[1].item<double>() == latest);
    CHECK(d.truth.empty());
  }
  // A generator that renders its grid says so, naming the option.
  Options video;
  video.set("irregular", true);
  video.set("irregular_times", std::string("continuous"));
  CHECK_THROWS_WITH(
      DatasetRegistry::instance().get("pendulum_video", "dataset").factory(video, test::no_cache(0)),
      Catch::Contains("pendulum_video") && Catch::Contains("irregular_times"));
}

TEST_CASE("continuous irregular times: Binomial(T, p) of them (at least 2), uniform on the span",
          "[datasets][irregular_times]") {
  const double p = 0.1, T = 41;
  auto d = make_ou(test::whole_sample(continuous_ou(p), 4000), test::no_cache(5));
  // E[max(2, K)] for K ~ Binomial(T, p): E[K] + 2 P(K = 0) + P(K = 1).
  const double expected = T * p + 2 * std::pow(1 - p, T) + T * p * std::pow(1 - p, T - 1);
  auto counts = sample_moments(d.train.lengths.to(torch::kFloat64));
  INFO("mean count " << counts.mean << " vs " << expected);
  CHECK(std::abs(counts.mean - expected) <= 4 * counts.mean_se);
  // The times after the first are uniform on (0, 2]: mean 1, variance 4 / 12.
  auto slots = torch::arange(d.train.times.size(1)).unsqueeze(0);
  auto drawn = (slots >= 1) & (slots < d.train.lengths.unsqueeze(1));
  auto spread = sample_moments(d.train.times.masked_select(drawn));
  INFO("times: mean " << spread.mean << ", variance " << spread.variance);
  CHECK(std::abs(spread.mean - 1.0) <= 4 * spread.mean_se);
  CHECK(std::abs(spread.variance - 4.0 / 12.0) <= 4 * spread.variance_se);
}

TEST_CASE("continuous irregular OU: transitions over the irregular gaps are the exact Gaussian ones",
          "[datasets][irregular_times][ou]") {
  const double theta = 1.5, mu = 0.3, sigma = 0.6;
  auto d = make_ou(test::whole_sample(continuous_ou(0.3), 3000), test::no_cache(11));
  // r = (x_{k+1} - mu - (x_k - mu) e^{-theta D}) / sqrt(sigma^2 (1 - e^{-2 theta D}) / (2 theta))
  // is N(0, 1) and independent of x_k for every gap D (Euler inner steps of 1e-3: bias ~1e-3),
  // so it is checked separately for short, middle and long gaps.
  const double bounds[4] = {0.0, 0.05, 0.2, 1e9};
  std::vector<double> residuals[3], previous[3];
  auto t = d.train.times.accessor<double, 2>();
  auto x = d.train.values.accessor<double, 3>();
  auto l = d.train.lengths.accessor<std::int64_t, 1>();
  for (std::int64_t i = 0; i < d.train.size(); ++i)
    for (std::int64_t k = 0; k + 1 < l[i]; ++k) {
      const double gap = t[i][k + 1] - t[i][k];
      const double decay = std::exp(-theta * gap);
      const double sd = sigma * std::sqrt((1 - decay * decay) / (2 * theta));
      const int bin = gap < bounds[1] ? 0 : gap < bounds[2] ? 1 : 2;
      residuals[bin].push_back((x[i][k + 1][0] - mu - (x[i][k][0] - mu) * decay) / sd);
      previous[bin].push_back(x[i][k][0] - mu);
    }
  for (int bin = 0; bin < 3; ++bin) {
    INFO("gaps in [" << bounds[bin] << ", " << bounds[bin + 1] << ")");
    REQUIRE(residuals[bin].size() > 5000);
    const auto c = test::standard_normal_check(residuals[bin]);
    INFO(c.n << " transitions: mean " << c.mean << ", variance " << c.variance);
    CHECK(std::abs(c.mean) <= 4 * c.mean_se);
    CHECK(std::abs(c.variance - 1.0) <= 4 * c.variance_se + 3e-3);
    // A wrong decay leaves part of x_k in r: their correlation is 0 within 4 / sqrt(n).
    auto r = torch::tensor(residuals[bin], torch::kFloat64);
    auto z = torch::tensor(previous[bin], torch::kFloat64);
    const double correlation =
        ((r - r.mean()) * (z - z.mean())).mean().item<double>() /
        (r.std(/*unbiased=*/false).item<double>() * z.std(false).item<double>());
    INFO("correlation with x_k - mu: " << correlation);
    CHECK(std::abs(correlation) <= 4 / std::sqrt(c.n));
  }
}

TEST_CASE("continuous irregular times: normalisation over observed entries, missing within lengths",
          "[datasets][irregular_times][normalisation]") {
  Options o = test::whole_sample(continuous_ou(0.3), 500);
  o.set("normalise", true);
  auto d = make_ou(o, test::no_cache(13));
  const auto& s = d.train;
  auto observed = s.values.masked_select(s.mask > 0);
  CHECK(observed.numel() == s.lengths.sum().item<std::int64_t>());
  // Statistics of exactly the observed entries: mean 0, unbiased std 1 (padding left out).
  CHECK(observed.mean().item<double>() == Approx(0.0).margin(1e-12));
  CHECK(observed.std().item<double>() == Approx(1.0).epsilon(1e-12));
  CHECK(test::padding_problem(s).empty());

  // `missing` drops single values at observed times only.
  Options sparse = test::whole_sample(continuous_ou(0.3), 2000);
  sparse.set("missing", 0.25);
  auto m = make_ou(sparse, test::no_cache(13));
  const double slots = m.train.lengths.sum().item<double>();
  const double kept = m.train.mask.sum().item<double>();
  CHECK(std::abs(kept / slots - 0.75) <= 4 * std::sqrt(0.75 * 0.25 / slots));
  CHECK(test::padding_problem(m.train).empty());
}

TEST_CASE("continuous irregular datasets round-trip through the cache exactly",
          "[datasets][irregular_times][cache]") {
  test::ScratchDir dir("cache-irregular");
  DatasetContext context;
  context.seed = 17;
  context.cache_dir = dir.str();
  Options o = with_sequences(continuous_ou(), 60);
  o.set("missing", 0.1);
  const auto fresh = make_ou(o, test::no_cache(17));
  auto first = make_ou(o, context);
  CHECK(first.meta.at("cache") == "generated");
  auto second = make_ou(o, context);
  REQUIRE(second.meta.at("cache") == "hit");
  REQUIRE(second.per_sequence_times());
  CHECK(second.train.lengths.scalar_type() == torch::kLong);
  CHECK(test::same_dataset_bytes(second, fresh));
  CHECK(test::same_dataset_bytes(first, fresh));

  // A file of the previous format (no per-sequence times) is rejected, never read.
  const std::string file = first.meta.at("cache_file");
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(23);  // "SDEBENCH-DATASET-CACHE " is 23 bytes, then the format number
    f.put('1');
  }
  const auto config = cache_config_text("ou", kGeneratorVersion,
                                        ou_schema().resolve(o, "dataset 'ou'"), 17);
  auto stale = read_cached_dataset(file, config);
  CHECK(stale.present);
  CHECK_FALSE(stale.dataset.has_value());
  CHECK(stale.problem.find("another cache format") != std::string::npos);
}

TEST_CASE("a subset of a grid becomes each sequence's own times, padded after its last",
          "[datasets][irregular]") {
  const std::int64_t n = 2, T = 5, D = 2;
  TimeSeriesSplit split;
  split.values = torch::arange(n * T * D, torch::kFloat64).view({n, T, D});
  split.mask = torch::ones({n, T, D}, torch::kFloat64);
  split.mask[1][3][0] = 0;  // a missing value that the compact form keeps as missing
  auto grid = torch::tensor({0.0, 0.5, 1.5, 2.0, 3.5}, torch::kFloat64);
  std::vector<std::vector<bool>> keep{{true, false, true, false, false},
                                      {true, true, false, true, true}};
  auto own = kept_frames_as_own_times(split, grid, keep);
  REQUIRE(own.lengths.sizes() == torch::IntArrayRef({2}));
  CHECK(own.lengths[0].item<std::int64_t>() == 2);
  CHECK(own.lengths[1].item<std::int64_t>() == 4);
  REQUIRE(own.times.sizes() == torch::IntArrayRef({2, 4}));
  CHECK(torch::equal(own.times[0], torch::tensor({0.0, 1.5, 1.5, 1.5}, torch::kFloat64)));
  CHECK(torch::equal(own.times[1], torch::tensor({0.0, 0.5, 2.0, 3.5}, torch::kFloat64)));
  CHECK(torch::equal(own.values[0][1], split.values[0][2]));
  CHECK(torch::equal(own.values[1][2], split.values[1][3]));
  CHECK(own.mask[1][2][0].item<double>() == 0.0);
  CHECK(own.mask[1][2][1].item<double>() == 1.0);
  // Padding: values and mask 0.
  CHECK(torch::all(own.values[0].narrow(0, 2, 2) == 0).item<bool>());
  CHECK(torch::all(own.mask[0].narrow(0, 2, 2) == 0).item<bool>());
  keep[0].assign(5, false);
  CHECK_THROWS_WITH(kept_frames_as_own_times(split, grid, keep), Catch::Contains("no frame"));
}
