// vitals: three channels at their own Poisson rates with silent stretches, each stay on its own
// times, over two latent OU processes. Registration, determinism, the padding layout of
// dataset.h, per-channel observation counts and silent stretches against the model, the latent
// transitions against the exact OU transition, the channels against their loadings, the cache.
#include <catch2/catch.hpp>

#include <cmath>

#include "datasets/vitals.h"
#include "test_support.h"

using namespace sdebench;
using sdebench::test::sample_moments;

namespace {

Options vitals_options(std::int64_t n) {
  Options o;
  o.set("num_sequences", n);
  return o;
}

// Largest time between consecutive observations of `channel` in stay i, counting the stay's
// end t_end as the last point (a silent stretch may run to the end of the stay).
double longest_silence(const TimeSeriesSplit& s, std::int64_t i, std::int64_t channel, double t_end) {
  double previous = 0.0, longest = 0.0;
  const auto length = s.lengths[i].item<std::int64_t>();
  auto t = s.times.accessor<double, 2>();
  auto m = s.mask.accessor<double, 3>();
  for (std::int64_t k = 0; k < length; ++k)
    if (m[i][k][channel] > 0) {
      longest = std::max(longest, t[i][k] - previous);
      previous = t[i][k];
    }
  return std::max(longest, t_end - previous);
}

}  // namespace

TEST_CASE("vitals is registered and builds small instances with per-sequence times and truth",
          "[datasets][vitals]") {
  const auto& entry = DatasetRegistry::instance().get("vitals", "dataset");
  Options o = entry.schema.defaults();
  o.set("num_sequences", std::int64_t(30));
  auto d = entry.factory(o, test::no_cache(1));
  CHECK(d.name == "vitals");
  REQUIRE(d.per_sequence_times());
  CHECK(d.dims() == 3);
  CHECK(d.meta.at("channels") == "heart_rate,blood_pressure,temperature");
  for (auto [name, split] : {std::make_pair("train", &d.train), std::make_pair("val", &d.val),
                             std::make_pair("test", &d.test)}) {
    INFO(name);
    REQUIRE(split->size() > 0);
    CHECK(d.truth.at(name).at("z_fast").sizes() == split->times.sizes());
    CHECK(d.truth.at(name).at("z_slow").sizes() == split->times.sizes());
  }
}

TEST_CASE("vitals: same seed identical, different seed different", "[datasets][vitals][seed]") {
  auto a = make_vitals(vitals_options(100), test::no_cache(7));
  auto b = make_vitals(vitals_options(100), test::no_cache(7));
  auto c = make_vitals(vitals_options(100), test::no_cache(8));
  CHECK(test::same_dataset_bytes(a, b));
  CHECK(test::same_bytes(a.truth.at("test").at("z_slow"), b.truth.at("test").at("z_slow")));
  CHECK_FALSE(test::same_bytes(a.train.times, c.train.times));
  CHECK_FALSE(test::same_bytes(a.train.values, c.train.values));
  CHECK_FALSE(test::same_bytes(a.truth.at("train").at("z_fast"), c.truth.at("train").at("z_fast")));
}

TEST_CASE("vitals: padding repeats the last time with mask and values 0; admission observes all",
          "[datasets][vitals]") {
  auto d = make_vitals(vitals_options(200), test::no_cache(3));
  for (const auto* split : {&d.train, &d.val, &d.test}) {
    const auto problem = test::padding_problem(*split);
    INFO(problem);
    CHECK(problem.empty());
    CHECK(torch::all(split->times.select(1, 0) == 0).item<bool>());
    CHECK(torch::all(split->mask.select(1, 0) == 1).item<bool>());
    CHECK(split->times.max().item<double>() <= 10.0);
  }
  CHECK(d.times[0].item<double>() == 0.0);
  CHECK(d.times[1].item<double>() ==
        torch::cat({d.train.times.max().view({1}), d.val.times.max().view({1}),
                    d.test.times.max().view({1})}).max().item<double>());
}

TEST_CASE("vitals: per-channel observation counts and silent stretches follow the model",
          "[datasets][vitals]") {
  const double t_end = 10.0, gap_probability = 0.4, gap_fraction = 0.3;
  const double rates[3] = {4.0, 1.0, 0.3};
  Options o = test::whole_sample({}, 3000);
  o.set("t_end", t_end);
  o.set("hr_rate", rates[0]);
  o.set("bp_rate", rates[1]);
  o.set("temp_rate", rates[2]);
  o.set("gap_probability", gap_probability);
  o.set("gap_fraction", gap_fraction);
  auto d = make_vitals(o, test::no_cache(5));
  const double n = double(d.train.size());
  for (int c = 0; c < 3; ++c) {
    INFO(kVitalsChannels[c].name);
    // Per stay: 1 (admission) + Poisson(rate t_end) thinned by the silent stretch, which is
    // there with probability g and then covers a fraction f of the stay:
    // mean rate t_end (1 - g f), variance rate t_end (1 - g f) + (rate t_end f)^2 g (1 - g).
    const double mass = rates[c] * t_end;
    const double mean = 1 + mass * (1 - gap_probability * gap_fraction);
    const double var = mass * (1 - gap_probability * gap_fraction) +
                       std::pow(mass * gap_fraction, 2) * gap_probability * (1 - gap_probability);
    const double observed = d.train.mask.select(2, c).sum().item<double>() / n;
    INFO("mean count " << observed << " vs " << mean);
    CHECK(std::abs(observed - mean) <= 4 * std::sqrt(var / n));
  }

  // Every channel silent over a stretch of half the stay: the longest silence is at least that.
  Options silent = test::whole_sample({}, 300);
  silent.set("gap_probability", 1.0);
  silent.set("gap_fraction", 0.5);
  auto s = make_vitals(silent, test::no_cache(5));
  double shortest = 1e9;
  for (std::int64_t i = 0; i < s.train.size(); ++i)
    for (int c = 0; c < 3; ++c) shortest = std::min(shortest, longest_silence(s.train, i, c, 10.0));
  CHECK(shortest >= 0.5 * 10.0 - 1e-12);
}

TEST_CASE("vitals: the latent processes move by the exact OU transition at irregular gaps",
          "[datasets][vitals]") {
  const double theta[2] = {1.0, 0.1}, sigma[2] = {1.0, 0.3};
  Options o = test::whole_sample({}, 1500);
  o.set("normalise", false);
  o.set("obs_noise", 0.0);
  auto d = make_vitals(o, test::no_cache(9));
  const auto& s = d.train;
  auto t = s.times.accessor<double, 2>();
  auto l = s.lengths.accessor<std::int64_t, 1>();
  for (int p = 0; p < 2; ++p) {
    const char* name = p == 0 ? "z_fast" : "z_slow";
    INFO(name);
    auto z = d.truth.at("train").at(name).accessor<double, 2>();
    std::vector<double> residuals, previous, start;
    for (std::int64_t i = 0; i < s.size(); ++i) {
      start.push_back(z[i][0]);
      for (std::int64_t k = 0; k + 1 < l[i]; ++k) {
        const double decay = std::exp(-theta[p] * (t[i][k + 1] - t[i][k]));
        const double sd = sigma[p] * std::sqrt((1 - decay * decay) / (2 * theta[p]));
        residuals.push_back((z[i][k + 1] - z[i][k] * decay) / sd);
        previous.push_back(z[i][k]);
      }
    }
    auto r = torch::tensor(residuals, torch::kFloat64), x = torch::tensor(previous, torch::kFloat64);
    const auto m = test::standard_normal_check(residuals);  // exact transitions: no bias allowance
    INFO(m.n << " transitions: mean " << m.mean << ", variance " << m.variance);
    CHECK(std::abs(m.mean) <= 4 * m.mean_se);
    CHECK(std::abs(m.variance - 1.0) <= 4 * m.variance_se);
    const double correlation = ((r - r.mean()) * (x - x.mean())).mean().item<double>() /
                               (r.std(false).item<double>() * x.std(false).item<double>());
    CHECK(std::abs(correlation) <= 4 / std::sqrt(double(residuals.size())));
    // Started stationary: variance sigma^2 / (2 theta) at admission.
    auto s0 = sample_moments(torch::tensor(start, torch::kFloat64));
    CHECK(std::abs(s0.variance - sigma[p] * sigma[p] / (2 * theta[p])) <= 4 * s0.variance_se);
  }
  // Without noise each observed channel is baseline + loadings . (z_fast, z_slow).
  auto zf = d.truth.at("train").at("z_fast"), zs = d.truth.at("train").at("z_slow");
  for (int c = 0; c < 3; ++c) {
    const auto& ch = kVitalsChannels[c];
    auto expected = ch.baseline + ch.fast * zf + ch.slow * zs;
    auto on = s.mask.select(2, c) > 0;
    CHECK(torch::allclose(s.values.select(2, c).masked_select(on), expected.masked_select(on),
                          1e-12, 1e-9));
  }
}

TEST_CASE("vitals round-trips through the cache exactly, truth included", "[datasets][vitals][cache]") {
  test::ScratchDir dir("cache-vitals");
  DatasetContext context;
  context.seed = 4;
  context.cache_dir = dir.str();
  const auto fresh = make_vitals(vitals_options(80), test::no_cache(4));
  CHECK(make_vitals(vitals_options(80), context).meta.at("cache") == "generated");
  auto hit = make_vitals(vitals_options(80), context);
  REQUIRE(hit.meta.at("cache") == "hit");
  CHECK(test::same_dataset_bytes(hit, fresh));
  for (const auto& [split, tensors] : fresh.truth)
    for (const auto& [key, tensor] : tensors) {
      INFO(split << "/" << key);
      CHECK(test::same_bytes(hit.truth.at(split).at(key), tensor));
    }
}
