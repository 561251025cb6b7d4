// Stochastic Lorenz: the documented shapes, zero mean / unit std after normalisation (before
// noise), and observation noise of the documented size.
#include <catch2/catch.hpp>

#include "datasets/generator.h"
#include "datasets/generators.h"
#include "test_support.h"

using namespace sdebench;

namespace {
torch::Tensor all_values(const TimeSeriesDataset& d) {
  return torch::cat({d.train.values, d.val.values, d.test.values}, 0);
}
}  // namespace

TEST_CASE("inner step count is the fewest equal steps no longer than dt", "[datasets]") {
  CHECK(inner_steps(0.0, 0.025, 0.025 / 100) == 100);  // the paper's 100 per interval
  CHECK(inner_steps(0.0, 1.0, 0.3) == 4);
  CHECK(inner_steps(0.0, 2.0 / 99, 1e-3) == 21);
  CHECK(inner_steps(0.0, 1.0, 1.0) == 1);
}

TEST_CASE("Lorenz variants have the documented shapes with default options", "[datasets][lorenz]") {
  for (std::string variant : {"paper", "torchsde"}) {
    SECTION(variant) {
      Options o;
      o.set("variant", variant);
      auto d = make_lorenz(o, test::no_cache(3));
      const std::int64_t T = variant == "paper" ? 41 : 100;
      const double t_end = variant == "paper" ? 1.0 : 2.0;
      auto all = all_values(d);
      CHECK(all.sizes() == torch::IntArrayRef({1024, T, 3}));
      CHECK(d.train.size() + d.val.size() + d.test.size() == 1024);
      CHECK(d.train.size() == 819);  // 0.8 / 0.1 / 0.1 of 1024, rounded
      CHECK(d.times.size(0) == T);
      CHECK(d.times[0].item<double>() == 0.0);
      CHECK(d.times[-1].item<double>() == Approx(t_end));
      CHECK(all.isfinite().all().item<bool>());
      CHECK(torch::all(d.train.mask == 1).item<bool>());
      CHECK(d.norm_mean.sizes() == torch::IntArrayRef({3}));
      CHECK(d.meta.at("option.variant") == "\"" + variant + "\"");
    }
  }
}

TEST_CASE("Lorenz is zero-mean / unit-std after normalisation, then gets 0.01 noise",
          "[datasets][lorenz]") {
  for (std::string variant : {"paper", "torchsde"}) {
    SECTION(variant) {
      Options o;
      o.set("variant", variant);
      o.set("num_sequences", std::int64_t(256));
      Options clean = o;
      clean.set("obs_noise", 0.0);
      auto noiseless = make_lorenz(clean, test::no_cache(5));
      auto noisy = make_lorenz(o, test::no_cache(5));
      auto x = all_values(noiseless).reshape({-1, 3});
      CHECK(torch::allclose(x.mean(0), torch::zeros({3}, torch::kFloat64), 0, 1e-12));
      CHECK(torch::allclose(x.std(0), torch::ones({3}, torch::kFloat64), 0, 1e-12));
      // The normalisation is recorded: it maps back to paths with the Lorenz scale (x3 > 0
      // on average, around 20 on the attractor; the paper variant starts from N(0, I)).
      CHECK(torch::all(noiseless.norm_std > 1).item<bool>());
      CHECK(noiseless.norm_mean[2].item<double>() > 1.0);
      // Same seed: the same paths, so the difference is the observation noise alone.
      auto diff = (all_values(noisy) - all_values(noiseless)).flatten();
      auto m = test::sample_moments(diff);
      CHECK(std::abs(m.mean) <= 4 * m.mean_se);
      CHECK(std::abs(m.variance - 1e-4) <= 4 * m.variance_se);
    }
  }
}
