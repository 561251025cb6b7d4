#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>
#include <random>

#include "core/brownian.h"

using namespace sdebench;

namespace {
const BrownianShape kShape{4000, 2, torch::kFloat64};

double sample_variance(const torch::Tensor& x) { return x.var().item<double>(); }

// Every property of the interval holds with the tree spanning [t0, t1] and with it aligned to a
// solver step (span h 2^L > t1 - t0).
BrownianIntervalOptions aligned_to(double step, bool levy_area = false) {
  BrownianIntervalOptions options;
  options.aligned_step = step;
  options.levy_area = levy_area;
  return options;
}

}  // namespace

TEST_CASE("An interval aligned with the solver step draws about one node per step",
          "[brownian]") {
  // The speed property behind BrownianIntervalOptions::aligned_step, counted in node draws
  // (cache misses) rather than timed: a forward sweep of 200 steps of 0.01 on [0, 2], then the
  // adjoint's reverse sweep.
  auto sweep = [](BrownianInterval& bm) {
    for (int i = 0; i < 200; ++i) bm.increment(i * 0.01, (i + 1) * 0.01);
    for (int i = 200; i-- > 0;) bm.increment(i * 0.01, (i + 1) * 0.01);
  };
  BrownianInterval aligned(0.0, 2.0, {4, 2, torch::kFloat32}, 3, aligned_to(0.01));
  BrownianInterval plain(0.0, 2.0, {4, 2, torch::kFloat32}, 3);
  sweep(aligned);
  sweep(plain);
  REQUIRE(aligned.span() == Approx(2.56));
  REQUIRE(aligned.cache_misses() <= 2 * 200 + 2 * 32);
  REQUIRE(plain.cache_misses() > 8 * 200);
}

TEST_CASE("Brownian interval increments add up to float tolerance", "[brownian]") {
  const double step = GENERATE(0.0, 0.03);
  BrownianInterval bm(0.0, 2.0, {64, 3, torch::kFloat64}, 7, aligned_to(step));
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> U(0.0, 2.0);
  for (int trial = 0; trial < 50; ++trial) {
    double a = U(rng), b = U(rng), c = U(rng);
    if (a > b) std::swap(a, b);
    if (b > c) std::swap(b, c);
    if (a > b) std::swap(a, b);
    if (b - a < 1e-3 || c - b < 1e-3) continue;
    auto whole = bm.increment(a, c).W;
    auto parts = bm.increment(a, b).W + bm.increment(b, c).W;
    REQUIRE(torch::allclose(whole, parts, 0.0, 1e-12));
  }
}

TEST_CASE("Brownian interval values do not depend on query order or cache evictions",
          "[brownian]") {
  std::vector<double> grid;
  for (int i = 0; i <= 100; ++i) grid.push_back(i * 0.013);
  BrownianIntervalOptions small_cache = aligned_to(GENERATE(0.0, 0.013));
  small_cache.cache_size = 8;  // force evictions and recomputation
  small_cache.levy_area = true;
  BrownianInterval forward(0.0, 1.3, {16, 2, torch::kFloat64}, 42, small_cache);
  BrownianInterval backward(0.0, 1.3, {16, 2, torch::kFloat64}, 42, small_cache);
  std::vector<BrownianIncrement> fwd(grid.size() - 1), bwd(grid.size() - 1);
  for (std::size_t i = 0; i + 1 < grid.size(); ++i) fwd[i] = forward.increment(grid[i], grid[i + 1]);
  for (std::size_t i = grid.size() - 1; i-- > 0;) bwd[i] = backward.increment(grid[i], grid[i + 1]);
  for (std::size_t i = 0; i + 1 < grid.size(); ++i) {
    REQUIRE(torch::equal(fwd[i].W, bwd[i].W));
    REQUIRE(torch::equal(fwd[i].H, bwd[i].H));
    // Repeated query on the same object, after many others: identical.
    REQUIRE(torch::equal(forward.increment(grid[i], grid[i + 1]).W, fwd[i].W));
  }
  REQUIRE(forward.cache_misses() > 0);
  BrownianInterval other_seed(0.0, 1.3, {16, 2, torch::kFloat64}, 43, small_cache);
  REQUIRE_FALSE(torch::allclose(other_seed.increment(0.0, 0.5).W, forward.increment(0.0, 0.5).W));
}

TEST_CASE("Brownian increments have variance t - s and disjoint ones are independent",
          "[brownian]") {
  BrownianInterval bm(0.0, 1.0, kShape, 3, aligned_to(GENERATE(0.0, 0.1)));
  const double n = static_cast<double>(kShape.batch * kShape.dim);
  for (auto [s, t] : std::vector<std::pair<double, double>>{{0.0, 1.0}, {0.1, 0.35}, {0.5, 0.5078125}}) {
    const double var = sample_variance(bm.increment(s, t).W);
    // Sample variance of n normals: relative standard error sqrt(2 / n).
    REQUIRE(std::abs(var / (t - s) - 1.0) < 4.0 * std::sqrt(2.0 / n));
  }
  auto a = bm.increment(0.2, 0.4).W.flatten(), b = bm.increment(0.4, 0.7).W.flatten();
  const double corr = ((a - a.mean()) * (b - b.mean())).mean().item<double>() /
                      std::sqrt(sample_variance(a) * sample_variance(b));
  REQUIRE(std::abs(corr) < 4.0 / std::sqrt(n));
}

TEST_CASE("Levy area has variance h/12, is uncorrelated with W and matches the path integral",
          "[brownian]") {
  BrownianInterval bm(0.0, 1.0, kShape, 5, aligned_to(GENERATE(0.0, 0.1), /*levy_area=*/true));
  const double n = static_cast<double>(kShape.batch * kShape.dim);
  const double s = 0.25, t = 0.625, h = t - s;
  auto inc = bm.increment(s, t);
  REQUIRE(std::abs(sample_variance(inc.H) / (h / 12.0) - 1.0) < 4.0 * std::sqrt(2.0 / n));
  const double corr = (inc.W * inc.H).mean().item<double>() /
                      std::sqrt(sample_variance(inc.W) * sample_variance(inc.H));
  REQUIRE(std::abs(corr) < 4.0 / std::sqrt(n));

  // H = (1/h) int_s^t (W_u - W_s - (u - s)/h W_{s,t}) du, by the trapezoid rule on a fine
  // grid of the same path: checks the bridge formulas for (W, H) jointly.
  const int m = 1024;
  auto integral = torch::zeros_like(inc.W);
  auto W_u = torch::zeros_like(inc.W);
  auto prev = torch::zeros_like(inc.W);  // the integrand at u = s is 0
  for (int k = 1; k <= m; ++k) {
    const double u0 = s + h * (k - 1) / m, u1 = s + h * k / m;
    W_u = W_u + bm.increment(u0, u1).W;
    auto cur = W_u - (u1 - s) / h * inc.W;
    integral = integral + 0.5 * (prev + cur) * (h / m);
    prev = cur;
  }
  auto numeric = integral / h;
  REQUIRE((numeric - inc.H).abs().max().item<double>() < 0.02 * std::sqrt(h / 12.0) * 6);
  REQUIRE((numeric - inc.H).pow(2).mean().item<double>() < 1e-3 * h / 12.0);

  // Joining two halves with the combination formula reproduces the direct query.
  auto left = bm.increment(s, 0.5), right = bm.increment(0.5, t);
  const double l1 = 0.5 - s, l2 = t - 0.5;
  auto joined = (left.H * l1 + right.H * l2 + 0.5 * (left.W * l2 - right.W * l1)) / h;
  REQUIRE(torch::allclose(joined, inc.H, 0.0, 1e-12));
}

TEST_CASE("Brownian path is forward-only and reproducible", "[brownian]") {
  BrownianPath a({8, 2, torch::kFloat32}, 9), b({8, 2, torch::kFloat32}, 9);
  REQUIRE(torch::equal(a.increment(0.0, 0.1).W, b.increment(0.0, 0.1).W));
  REQUIRE_NOTHROW(a.increment(0.1, 0.2));
  REQUIRE_THROWS_WITH(a.increment(0.0, 0.1), Catch::Contains("forward-only"));
  REQUIRE_THROWS_WITH(a.increment(0.3, 0.2), Catch::Contains("need s < t"));
}

TEST_CASE("Brownian interval rejects times outside its range", "[brownian]") {
  BrownianInterval bm(0.0, 1.0, {2, 1, torch::kFloat32}, 1);
  REQUIRE_THROWS_WITH(bm.increment(0.5, 1.5), Catch::Contains("outside [0"));
  REQUIRE(bm.increment(0.5, 0.75).W.scalar_type() == torch::kFloat32);
}
