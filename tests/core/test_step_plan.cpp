// core/step_plan: where the solver steps under each time-grid rule, and sdeint's outputs on
// the fixed grid checked against an independent solve on the grid points plus interpolation.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>

#include "core/brownian.h"
#include "core/sdeint.h"
#include "core/step_plan.h"
#include "test_sdes.h"

using namespace sdebench;

namespace {

std::vector<double> linspace(double a, double b, int n) {
  std::vector<double> ts;
  for (int i = 0; i < n; ++i) ts.push_back(a + (b - a) * i / (n - 1));
  return ts;
}

// AdditiveSine with the running integral of y^2 as an extra quantity.
struct SineWithExtra : testing::AdditiveSine {
  explicit SineWithExtra(SdeType type) : AdditiveSine(0.4, type) {}
  std::int64_t extra_size() const override { return 1; }
  torch::Tensor extra_rate(double, const torch::Tensor& y) override {
    return (y * y).sum(-1, true);
  }
};

}  // namespace

TEST_CASE("observations grid: equal steps that land on every output time", "[step_plan]") {
  const std::vector<double> ts{0.0, 0.25, 0.6, 1.0};
  auto plan = plan_steps(ts, 0.1, TimeGrid::Observations);
  REQUIRE(plan.steps() == 3 + 4 + 4);
  const std::vector<std::int64_t> expected{0, 3, 7, 11};
  for (std::size_t j = 0; j < ts.size(); ++j) {
    CHECK(plan.outputs[j].index == expected[j]);
    CHECK(plan.outputs[j].weight == 0.0);
    CHECK(plan.grid[static_cast<std::size_t>(expected[j])] == ts[j]);  // exactly
  }
  for (std::size_t k = 0; k + 1 < plan.grid.size(); ++k) {
    CHECK(plan.grid[k + 1] > plan.grid[k]);
    CHECK(plan.grid[k + 1] - plan.grid[k] <= 0.1 + 1e-12);
  }
}

TEST_CASE("fixed grid: torchsde's steps of exactly dt, outputs between them", "[step_plan]") {
  SECTION("100 observations on [0, 2] with dt 1e-2 take 200 steps") {
    const auto ts = linspace(0, 2, 100);
    auto plan = plan_steps(ts, 1e-2, TimeGrid::Fixed);
    REQUIRE(plan.steps() == 200);
    for (std::size_t k = 0; k < 200; ++k) CHECK(plan.grid[k] == static_cast<double>(k) * 1e-2);
    CHECK(plan.grid.back() == 2.0);
    for (std::size_t j = 0; j < ts.size(); ++j) {
      const auto& o = plan.outputs[j];
      const auto k = static_cast<std::size_t>(o.index);
      REQUIRE(o.weight >= 0.0);
      REQUIRE(o.weight < 1.0);
      CHECK(plan.grid[k] <= ts[j]);
      if (o.weight > 0) {
        CHECK(ts[j] < plan.grid[k + 1]);
        // The interpolated time is the output time.
        CHECK((1 - o.weight) * plan.grid[k] + o.weight * plan.grid[k + 1] ==
              Approx(ts[j]).margin(1e-14));
      } else {
        CHECK(plan.grid[k] == ts[j]);
      }
    }
    CHECK(plan.outputs.back().index == 200);
    CHECK(plan.outputs.back().weight == 0.0);
  }
  SECTION("a dt that does not divide the span shortens the last step") {
    auto plan = plan_steps({0.0, 1.0}, 0.3, TimeGrid::Fixed);
    REQUIRE(plan.steps() == 4);
    CHECK(plan.grid[3] == Approx(0.9).margin(1e-15));
    CHECK(plan.grid[4] == 1.0);
    CHECK(plan.outputs[1].index == 4);
  }
  SECTION("one output time: no steps") {
    auto plan = plan_steps({0.5}, 0.1, TimeGrid::Fixed);
    CHECK(plan.steps() == 0);
    CHECK(plan.outputs[0].index == 0);
  }
}

TEST_CASE("a plan's uniform step: the step of an equal-step grid, else 0", "[step_plan]") {
  // Observations 0.1 apart, at most 0.03 per step: 4 steps of 0.025 everywhere.
  std::vector<double> regular;
  for (int i = 0; i <= 10; ++i) regular.push_back(0.1 * i);
  REQUIRE(plan_steps(regular, 0.03, TimeGrid::Observations).uniform_step() == Approx(0.025));
  // torchsde's fixed grid: steps of dt, the last one shorter.
  REQUIRE(plan_steps({0.0, 0.5, 1.05}, 0.1, TimeGrid::Fixed).uniform_step() == Approx(0.1));
  // Unequal gaps give unequal steps: no common step.
  REQUIRE(plan_steps({0.0, 0.1, 0.25}, 0.2, TimeGrid::Observations).uniform_step() == 0.0);
  REQUIRE(plan_steps({0.5}, 0.1, TimeGrid::Observations).uniform_step() == 0.0);
}

TEST_CASE("time grid names parse, and an unknown one names the choices", "[step_plan]") {
  CHECK(parse_time_grid("fixed") == TimeGrid::Fixed);
  CHECK(parse_time_grid("observations") == TimeGrid::Observations);
  CHECK(time_grid_name(TimeGrid::Fixed) == "fixed");
  CHECK_THROWS_WITH(parse_time_grid("fixd"), Catch::Contains("'observations'") &&
                                                 Catch::Contains("'fixed'"));
  CHECK_THROWS_WITH(plan_steps({0.0, 1.0}, 0.0, TimeGrid::Fixed), Catch::Contains("dt"));
}

TEST_CASE("sdeint on the fixed grid interpolates a solve on the grid points", "[step_plan][sdeint]") {
  const std::vector<double> ts{0.0, 0.25, 0.6, 1.0};
  const double dt = 0.07;
  const auto plan = plan_steps(ts, dt, TimeGrid::Fixed);
  REQUIRE(plan.outputs[1].weight > 0.0);  // the check below interpolates for real
  auto y0 = torch::linspace(-1, 1, 8, torch::kFloat64).view({4, 2});
  for (std::string solver : {"euler", "milstein", "reversible_heun"}) {
    SineWithExtra sde(solver == "reversible_heun" ? SdeType::Stratonovich : SdeType::Ito);
    BrownianInterval bm1(0, 1, {4, 2, torch::kFloat64}, 21), bm2(0, 1, {4, 2, torch::kFloat64}, 21);
    SdeintOptions fixed;
    fixed.method = solver;
    fixed.dt = dt;
    fixed.grid = TimeGrid::Fixed;
    fixed.brownian = &bm1;
    auto got = sdeint(sde, y0, ts, fixed);
    // Independent route: request every grid point (one step each on the observations grid).
    SdeintOptions on_points;
    on_points.method = solver;
    on_points.dt = dt * (1 + 1e-9);
    on_points.brownian = &bm2;
    auto ref = sdeint(sde, y0, plan.grid, on_points);
    INFO(solver);
    for (std::size_t j = 0; j < ts.size(); ++j) {
      const auto& o = plan.outputs[j];
      auto want = (1 - o.weight) * ref.states[o.index];
      auto want_e = (1 - o.weight) * ref.extras[o.index];
      if (o.weight > 0) {
        want = want + o.weight * ref.states[o.index + 1];
        want_e = want_e + o.weight * ref.extras[o.index + 1];
      }
      CHECK(torch::allclose(got.states[static_cast<std::int64_t>(j)], want, 0, 1e-13));
      CHECK(torch::allclose(got.extras[static_cast<std::int64_t>(j)], want_e, 0, 1e-13));
    }
  }
}

TEST_CASE("sdeint's Brownian interval gives independent N(0, h) increments on every solver step",
          "[step_plan][brownian]") {
  // The path a latent SDE trains on: 100 observations on [0, 2], dt 1e-2 (297 equal steps on
  // the observations grid; 200 steps of 1e-2 on the fixed grid), the tree aligned with them.
  std::vector<double> ts;
  for (int i = 0; i < 100; ++i) ts.push_back(2.0 * i / 99.0);
  for (const auto grid : {TimeGrid::Observations, TimeGrid::Fixed}) {
    SolverConfig config;
    config.dt = 1e-2;
    config.grid = grid;
    const StepPlan plan = plan_steps(ts, config.dt, grid);
    REQUIRE(plan.uniform_step() > 0);
    const std::int64_t n = 2000;
    BrownianInterval bm = make_brownian_interval(ts, config, {n, 2, torch::kFloat64}, 9, false);
    std::vector<torch::Tensor> increments;
    double sum_ratio = 0.0, worst = 0.0;
    for (std::int64_t k = 0; k < plan.steps(); ++k) {
      const double h = plan.grid[k + 1] - plan.grid[k];
      increments.push_back(bm.increment(plan.grid[k], plan.grid[k + 1]).W);
      const double ratio = increments.back().pow(2).mean().item<double>() / h;
      sum_ratio += ratio;
      worst = std::max(worst, std::abs(ratio - 1.0));
    }
    const double steps = static_cast<double>(plan.steps());
    INFO("grid " << time_grid_name(grid) << ": mean E[dW^2]/h " << sum_ratio / steps << ", worst " << worst);
    // Per step: 4000 squares, relative s.e. sqrt(2/4000) = 2.2%; over all steps 0.13%.
    REQUIRE(std::abs(sum_ratio / steps - 1.0) < 4.0 * std::sqrt(2.0 / (2.0 * n * steps)));
    REQUIRE(worst < 5.0 * std::sqrt(2.0 / (2.0 * n)));
    // Consecutive increments are uncorrelated, and they add up to the whole interval's.
    auto all = torch::stack(increments);  // [steps, n, 2]
    const double lag1 = (all.slice(0, 0, -1) * all.slice(0, 1)).mean().item<double>() /
                        all.pow(2).mean().item<double>();
    REQUIRE(std::abs(lag1) < 4.0 / std::sqrt(2.0 * n * steps));
    REQUIRE(torch::allclose(all.sum(0), bm.increment(ts.front(), ts.back()).W, 0.0, 1e-10));
    const double total = all.sum(0).pow(2).mean().item<double>() / (ts.back() - ts.front());
    REQUIRE(std::abs(total - 1.0) < 4.0 * std::sqrt(2.0 / (2.0 * n)));
  }
}
