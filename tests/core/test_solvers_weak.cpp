#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>

#include "core/sdeint.h"
#include "test_sdes.h"

using namespace sdebench;
using namespace sdebench::testing;

// OU at T: mean and variance against the closed forms, within Monte-Carlo error (4 standard
// errors) plus the O(dt) weak bias of the scheme.
TEST_CASE("OU mean and variance at T match the closed form", "[solvers][weak]") {
  torch::NoGradGuard no_grad;
  OrnsteinUhlenbeck sde(1.5, 0.5, 0.8);
  const std::int64_t n = 20000;
  const double x0 = 2.0;
  const std::vector<double> ts{0.0, 0.5, 1.0};
  for (const char* method : {"euler", "srk", "heun", "milstein", "reversible_heun"}) {
    SdeintOptions opts;
    opts.method = method;
    opts.dt = 1.0 / 512;
    opts.seed = 21;
    auto states = sdeint(sde, torch::full({n, 1}, x0, torch::kFloat64), ts, opts).states;
    for (std::size_t i = 1; i < ts.size(); ++i) {
      const double var = sde.variance(ts[i]);
      const double mean = states[i].mean().item<double>();
      const double sample_var = states[i].var().item<double>();
      const double bias = 2.0 * opts.dt;  // generous bound on the weak error
      INFO(method << " at t=" << ts[i]);
      REQUIRE(std::abs(mean - sde.mean(x0, ts[i])) < 4 * std::sqrt(var / n) + bias);
      REQUIRE(std::abs(sample_var - var) < 4 * var * std::sqrt(2.0 / n) + bias);
    }
  }
}

// A quantity integrated alongside the state: for dy = -y dt (zero noise) and rate y, the
// integral is y0 (1 - e^{-T}).
struct DecayWithIntegral : Sde {
  DecayWithIntegral() : Sde(NoiseType::Diagonal, SdeType::Stratonovich, true) {}
  std::int64_t extra_size() const override { return 1; }
  torch::Tensor drift(double, const torch::Tensor& y) override { return -y; }
  torch::Tensor diffusion(double, const torch::Tensor& y) override { return torch::zeros_like(y); }
  torch::Tensor extra_rate(double, const torch::Tensor& y) override { return y.sum(1, true); }
};

TEST_CASE("extra quantities are integrated with the solver's quadrature", "[solvers][extras]") {
  DecayWithIntegral sde;
  auto y0 = torch::full({3, 1}, 2.0, torch::kFloat64);
  for (const std::string& method : std::vector<std::string>{"euler", "milstein", "srk", "heun", "midpoint", "reversible_heun"}) {
    SdeintOptions opts;
    opts.method = method;
    opts.dt = 1e-3;
    auto result = sdeint(sde, y0, {0.0, 0.5, 1.0}, opts);
    REQUIRE(result.extras.sizes() == torch::IntArrayRef({3, 3, 1}));
    INFO(method);
    REQUIRE(result.extras[2][0][0].item<double>() == Approx(2.0 * (1 - std::exp(-1.0))).epsilon(2e-3));
    REQUIRE(result.extras[0].abs().max().item<double>() == 0.0);
  }
}

TEST_CASE("float32 and float64 both integrate", "[solvers]") {
  GeometricBrownianMotion sde(0.5, 0.3, SdeType::Ito);
  for (auto dtype : {torch::kFloat32, torch::kFloat64}) {
    SdeintOptions opts;
    opts.dt = 0.01;
    auto out = sdeint(sde, torch::ones({4, 2}, dtype), {0.0, 0.3, 1.0}, opts).states;
    REQUIRE(out.scalar_type() == dtype);
    REQUIRE(out.sizes() == torch::IntArrayRef({3, 4, 2}));
    REQUIRE(torch::isfinite(out).all().item<bool>());
  }
}

// Weak order with multiplicative noise: for Ito GBM dX = mu X dt + sigma X dW the Euler and
// Milstein means are exactly x0 (1 + mu dt)^N against x0 e^{mu T}, a weak error of first order.
// Every step size uses the same Brownian sample, and the error is measured against the exact
// solution on that sample, so the Monte Carlo noise of the difference shrinks with the strong
// error and the fitted slope is that of the bias.
TEST_CASE("Euler and Milstein reach weak order 1 on GBM (multiplicative noise)", "[solvers][weak]") {
  torch::NoGradGuard no_grad;
  const std::vector<double> steps{1.0 / 8, 1.0 / 16, 1.0 / 32, 1.0 / 64, 1.0 / 128};
  const std::int64_t n = 20000;
  GeometricBrownianMotion sde(1.0, 0.5, SdeType::Ito);
  BrownianInterval bm(0.0, 1.0, {n, 1, torch::kFloat64}, 31);
  const auto y0 = torch::ones({n, 1}, torch::kFloat64);
  const auto exact = sde.exact(y0, 1.0, bm.increment(0.0, 1.0).W);
  for (const char* method : {"euler", "milstein"}) {
    std::vector<double> errors;
    for (double dt : steps) {
      SdeintOptions opts;
      opts.method = method;
      opts.dt = dt;
      opts.brownian = &bm;
      const auto yT = sdeint(sde, y0, {0.0, 1.0}, opts).states[1];
      errors.push_back(std::abs((yT - exact).mean().item<double>()));
    }
    const double slope = loglog_slope(steps, errors);
    INFO(method << " weak errors " << errors[0] << " .. " << errors.back() << ", slope " << slope);
    CHECK(slope > 0.8);
    CHECK(slope < 1.2);
  }
}
