// core/odeint against the closed form of a linear ODE: dy/dt = A y with A = [[0, 1], [-1, 0]]
// (a rotation: y(t) = R(t) y0). Each method's global error must fall at its order as the
// step halves, and outputs between grid points (fixed grid) are interpolated.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>

#include "core/odeint.h"

using namespace sdebench;

namespace {

torch::Tensor rotation_field(double, const torch::Tensor& y) {
  return torch::stack({y.select(-1, 1), -y.select(-1, 0)}, -1);
}

double max_error(const std::string& method, double dt) {
  auto y0 = torch::tensor({{1.0, 0.5}}, torch::kFloat64);
  const std::vector<double> ts{0.0, 0.7, 1.3, 2.0};
  auto path = odeint(rotation_field, y0, ts, {method, dt, TimeGrid::Observations});
  double err = 0.0;
  for (std::size_t i = 0; i < ts.size(); ++i) {
    const double c = std::cos(ts[i]), s = std::sin(ts[i]);
    const double x = c * 1.0 + s * 0.5, y = -s * 1.0 + c * 0.5;
    err = std::max({err, std::fabs(path[i][0][0].item<double>() - x),
                    std::fabs(path[i][0][1].item<double>() - y)});
  }
  return err;
}

}  // namespace

TEST_CASE("odeint reaches each method's order on a rotation", "[odeint]") {
  const std::vector<std::pair<std::string, double>> orders{{"euler", 1.0}, {"midpoint", 2.0}, {"rk4", 4.0}};
  for (const auto& [method, order] : orders) {
    INFO(method);
    const double coarse = max_error(method, 0.02), fine = max_error(method, 0.01);
    const double slope = std::log2(coarse / fine);
    CHECK(slope == Approx(order).margin(0.25));
  }
}

TEST_CASE("odeint returns y0 at the first time and interpolates on the fixed grid", "[odeint]") {
  auto y0 = torch::tensor({{1.0, 0.5}}, torch::kFloat64);
  const std::vector<double> ts{0.0, 0.25, 0.5};
  // The fixed grid of step 0.2 visits 0, 0.2, 0.4: the same states as solving to those times.
  auto on_grid = odeint(rotation_field, y0, {0.0, 0.2, 0.4}, {"rk4", 0.2, TimeGrid::Observations});
  auto fixed = odeint(rotation_field, y0, ts, {"rk4", 0.2, TimeGrid::Fixed});
  CHECK(torch::equal(fixed[0], y0));
  // t = 0.25 lies between grid points 0.2 and 0.4: (1 - w) y(0.2) + w y(0.4) with w = 1/4.
  auto expected = 0.75 * on_grid[1] + 0.25 * on_grid[2];
  CHECK(torch::allclose(fixed[1], expected, 1e-12, 1e-12));
  CHECK_THROWS_WITH(odeint(rotation_field, y0, ts, {"rk5", 0.1, TimeGrid::Observations}),
                    Catch::Contains("unknown method 'rk5'"));
}

TEST_CASE("odeint carries gradients through the steps", "[odeint]") {
  // y' = a y: y(1) = y0 e^a, so dy(1)/da = y0 e^a.
  auto a = torch::tensor(0.3, torch::TensorOptions().dtype(torch::kFloat64).requires_grad(true));
  auto y0 = torch::tensor({{2.0}}, torch::kFloat64);
  auto path = odeint([&](double, const torch::Tensor& y) { return a * y; }, y0, {0.0, 1.0},
                     {"rk4", 0.01, TimeGrid::Observations});
  path[1].sum().backward();
  CHECK(a.grad().item<double>() == Approx(2.0 * std::exp(0.3)).epsilon(1e-8));
}
