// Strong convergence orders: the fitted log-log slope of E|X_T^h - X_T| against h over five
// step sizes, each solver on the same Brownian sample at every h (the canonical Brownian
// tree makes the path independent of the grid that queries it).
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "core/sdeint.h"
#include "test_sdes.h"

using namespace sdebench;
using namespace sdebench::testing;

namespace {

const std::vector<double> kSteps{1.0 / 16, 1.0 / 32, 1.0 / 64, 1.0 / 128, 1.0 / 256};
constexpr std::int64_t kPaths = 1000;

double terminal_error(Sde& sde, const std::string& method, double dt, const torch::Tensor& y0,
                      BrownianSource& bm, const torch::Tensor& reference) {
  SdeintOptions opts;
  opts.method = method;
  opts.dt = dt;
  opts.brownian = &bm;
  auto yT = sdeint(sde, y0, {0.0, 1.0}, opts).states[1];
  return (yT - reference).abs().mean().item<double>();
}

double gbm_order(const std::string& method, SdeType type) {
  torch::NoGradGuard no_grad;
  GeometricBrownianMotion sde(0.1, 1.0, type);
  BrownianInterval bm(0.0, 1.0, {kPaths, 1, torch::kFloat64}, 11);
  auto y0 = torch::ones({kPaths, 1}, torch::kFloat64);
  auto exact = sde.exact(y0, 1.0, bm.increment(0.0, 1.0).W);
  std::vector<double> errors;
  for (double dt : kSteps) errors.push_back(terminal_error(sde, method, dt, y0, bm, exact));
  return loglog_slope(kSteps, errors);
}

double additive_order(const std::string& method) {
  torch::NoGradGuard no_grad;
  AdditiveSine sde(1.5);
  BrownianIntervalOptions opts;
  opts.levy_area = true;
  BrownianInterval bm(0.0, 1.0, {kPaths, 1, torch::kFloat64}, 12, opts);
  auto y0 = torch::full({kPaths, 1}, 0.3, torch::kFloat64);
  SdeintOptions fine;
  fine.method = "srk";
  fine.dt = 1.0 / 8192;
  fine.brownian = &bm;
  auto reference = sdeint(sde, y0, {0.0, 1.0}, fine).states[1];
  std::vector<double> errors;
  for (double dt : kSteps) errors.push_back(terminal_error(sde, method, dt, y0, bm, reference));
  return loglog_slope(kSteps, errors);
}

}  // namespace

TEST_CASE("Euler-Maruyama has strong order 0.5 on GBM", "[solvers][strong]") {
  REQUIRE(gbm_order("euler", SdeType::Ito) == Approx(0.5).margin(0.15));
}

TEST_CASE("Milstein has strong order 1.0 on GBM, Ito and Stratonovich", "[solvers][strong]") {
  REQUIRE(gbm_order("milstein", SdeType::Ito) == Approx(1.0).margin(0.15));
  REQUIRE(gbm_order("milstein", SdeType::Stratonovich) == Approx(1.0).margin(0.15));
}

TEST_CASE("Heun and midpoint have strong order 1.0 on Stratonovich GBM", "[solvers][strong]") {
  REQUIRE(gbm_order("heun", SdeType::Stratonovich) == Approx(1.0).margin(0.15));
  REQUIRE(gbm_order("midpoint", SdeType::Stratonovich) == Approx(1.0).margin(0.15));
}

TEST_CASE("SRK has strong order 1.5 for additive noise", "[solvers][strong]") {
  REQUIRE(additive_order("srk") == Approx(1.5).margin(0.15));
}

TEST_CASE("Euler, Heun and reversible Heun have strong order 1.0 for additive noise",
          "[solvers][strong]") {
  REQUIRE(additive_order("euler") == Approx(1.0).margin(0.15));
  REQUIRE(additive_order("heun") == Approx(1.0).margin(0.15));
  REQUIRE(additive_order("reversible_heun") == Approx(1.0).margin(0.15));
}
