#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "core/sdeint.h"
#include "core/solvers/stepper.h"
#include "test_sdes.h"

using namespace sdebench;
using namespace sdebench::testing;

namespace {
// General (matrix) noise with 3 Brownian dimensions.
struct GeneralNoise : Sde {
  GeneralNoise() : Sde(NoiseType::General, SdeType::Ito) {}
  std::int64_t state_size() const override { return 2; }
  std::int64_t brownian_size() const override { return 3; }
  torch::Tensor drift(double, const torch::Tensor& y) override { return -y; }
  torch::Tensor diffusion(double, const torch::Tensor& y) override {
    return 0.1 * torch::ones({y.size(0), 2, 3}, y.options()) * y.unsqueeze(-1);
  }
};
}  // namespace

TEST_CASE("sdeint rejects bad times, dt and shapes with clear messages", "[sdeint][errors]") {
  GeometricBrownianMotion gbm(0.1, 0.2, SdeType::Ito);
  auto y0 = torch::ones({4, 1});
  REQUIRE_THROWS_WITH(sdeint(gbm, y0, {0.0, 0.5, 0.5}), Catch::Contains("strictly increasing"));
  REQUIRE_THROWS_WITH(sdeint(gbm, y0, {0.0, 1.0, 0.5}), Catch::Contains("ts[2]"));
  SdeintOptions zero_dt;
  zero_dt.dt = 0.0;
  REQUIRE_THROWS_WITH(sdeint(gbm, y0, {0.0, 1.0}, zero_dt), Catch::Contains("dt must be positive"));
  REQUIRE_THROWS_WITH(sdeint(gbm, torch::ones({4}), {0.0, 1.0}), Catch::Contains("[batch, d]"));
  GeneralNoise general;
  REQUIRE_THROWS_WITH(sdeint(general, torch::ones({4, 3}), {0.0, 1.0}),
                      Catch::Contains("3 state dimensions but the SDE has 2"));
}

TEST_CASE("solvers name the noise type or calculus they do not support", "[sdeint][errors]") {
  GeneralNoise general;
  SdeintOptions milstein;
  milstein.method = "milstein";
  REQUIRE_THROWS_WITH(sdeint(general, torch::ones({4, 2}), {0.0, 1.0}, milstein),
                      Catch::Contains("solver 'milstein' does not support general noise"));
  GeometricBrownianMotion gbm(0.1, 0.2, SdeType::Ito);
  SdeintOptions srk;
  srk.method = "srk";
  REQUIRE_THROWS_WITH(sdeint(gbm, torch::ones({4, 1}), {0.0, 1.0}, srk),
                      Catch::Contains("solver 'srk' does not support diagonal non-additive noise"));
  SdeintOptions heun;
  heun.method = "heun";
  REQUIRE_THROWS_WITH(sdeint(gbm, torch::ones({4, 1}), {0.0, 1.0}, heun),
                      Catch::Contains("solver 'heun' does not support Ito SDEs"));
  GeometricBrownianMotion strat(0.1, 0.2, SdeType::Stratonovich);
  REQUIRE_THROWS_WITH(sdeint(strat, torch::ones({4, 1}), {0.0, 1.0}),
                      Catch::Contains("solver 'euler' does not support Stratonovich"));
  SdeintOptions unknown;
  unknown.method = "rk4";
  REQUIRE_THROWS_WITH(sdeint(gbm, torch::ones({4, 1}), {0.0, 1.0}, unknown),
                      Catch::Contains("unknown solver 'rk4'"));
}

TEST_CASE("general noise integrates with euler", "[sdeint]") {
  GeneralNoise general;
  auto out = sdeint(general, torch::ones({5, 2}, torch::kFloat64), {0.0, 1.0}).states;
  REQUIRE(out.sizes() == torch::IntArrayRef({2, 5, 2}));
}

TEST_CASE("steps split each output interval evenly", "[sdeint]") {
  REQUIRE(steps_between(0.0, 1.0, 0.1) == 10);
  REQUIRE(steps_between(0.0, 1.0, 0.3) == 4);
  REQUIRE(steps_between(0.0, 0.05, 0.1) == 1);
}

namespace {
// Scalar noise: one Brownian motion drives both components through g = (1, 1).
struct ScalarNoise : Sde {
  ScalarNoise() : Sde(NoiseType::Scalar, SdeType::Ito, true) {}
  torch::Tensor drift(double, const torch::Tensor& y) override { return torch::zeros_like(y); }
  torch::Tensor diffusion(double, const torch::Tensor& y) override { return torch::ones_like(y); }
};
}  // namespace

TEST_CASE("scalar noise drives every component with the same increment", "[sdeint]") {
  ScalarNoise sde;
  auto y0 = torch::tensor({{0.0, 1.0}, {2.0, -1.0}}, torch::kFloat64);
  for (const std::string& method : {std::string("euler"), std::string("heun"), std::string("srk")}) {
    SdeintOptions opts;
    opts.method = method;
    opts.dt = 0.05;
    opts.seed = 4;
    auto out = sdeint(sde, y0, {0.0, 0.5, 1.0}, opts).states;
    INFO(method);
    // The difference between the components never changes; the components themselves do.
    REQUIRE(torch::allclose(out.select(2, 1) - out.select(2, 0),
                            (y0.select(1, 1) - y0.select(1, 0)).expand({3, 2}), 0.0, 1e-12));
    REQUIRE((out[2] - y0).abs().max().item<double>() > 1e-3);
  }
}
