#include "core/step_plan.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sdebench {

TimeGrid parse_time_grid(const std::string& name) {
  if (name == "observations") return TimeGrid::Observations;
  if (name == "fixed") return TimeGrid::Fixed;
  throw std::invalid_argument("unknown time grid '" + name +
                              "': expected 'observations' (equal steps hitting every output "
                              "time) or 'fixed' (steps of exactly dt, outputs interpolated)");
}

std::string time_grid_name(TimeGrid grid) {
  return grid == TimeGrid::Fixed ? "fixed" : "observations";
}

std::vector<std::string> time_grid_names() { return {"observations", "fixed"}; }

std::int64_t steps_between(double a, double b, double dt) {
  // The 1e-9 slack keeps (b - a) / dt = 3.0000000001 from costing a fourth step.
  const double n = std::ceil((b - a) / dt - 1e-9);
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(n));
}

double StepPlan::uniform_step() const {
  if (grid.size() < 2) return 0.0;
  const double h = grid[1] - grid[0];
  // Far below the Brownian tree's resolution under the grid (h / 256), far above rounding.
  const double tol = 1e-6 * h;
  for (std::size_t n = 2; n + 1 < grid.size(); ++n)
    if (std::abs(grid[n] - (grid[0] + static_cast<double>(n) * h)) > tol) return 0.0;
  if (grid.back() - grid[grid.size() - 2] > h + tol) return 0.0;
  return h;
}

namespace {

StepPlan plan_on_observations(const std::vector<double>& ts, double dt) {
  StepPlan plan;
  plan.grid.push_back(ts.front());
  plan.outputs.push_back({0, 0.0});
  for (std::size_t i = 0; i + 1 < ts.size(); ++i) {
    const double a = ts[i], b = ts[i + 1];
    const std::int64_t n = steps_between(a, b, dt);
    const double h = (b - a) / static_cast<double>(n);
    for (std::int64_t k = 1; k < n; ++k) plan.grid.push_back(a + static_cast<double>(k) * h);
    plan.grid.push_back(b);  // exactly, not a + n h
    plan.outputs.push_back({plan.steps(), 0.0});
  }
  return plan;
}

StepPlan plan_fixed(const std::vector<double>& ts, double dt) {
  StepPlan plan;
  const double t0 = ts.front(), t_end = ts.back();
  if (ts.size() > 1) {
    // Grid points t0 + k dt (computed from k, so rounding does not accumulate), the last step
    // shortened to end exactly at t_end.
    const std::int64_t n = steps_between(t0, t_end, dt);
    for (std::int64_t k = 0; k < n; ++k) plan.grid.push_back(t0 + static_cast<double>(k) * dt);
    plan.grid.push_back(t_end);
  } else {
    plan.grid.push_back(t0);
  }
  for (double t : ts) {
    // The last grid point not after t.
    auto it = std::upper_bound(plan.grid.begin(), plan.grid.end(), t);
    const auto k = static_cast<std::int64_t>(it - plan.grid.begin()) - 1;
    const double left = plan.grid[static_cast<std::size_t>(k)];
    if (t == left || k == plan.steps()) {
      plan.outputs.push_back({k, 0.0});
    } else {
      const double right = plan.grid[static_cast<std::size_t>(k + 1)];
      plan.outputs.push_back({k, (t - left) / (right - left)});
    }
  }
  return plan;
}

}  // namespace

StepPlan plan_steps(const std::vector<double>& ts, double dt, TimeGrid grid) {
  if (ts.empty()) throw std::invalid_argument("plan_steps: no output times");
  if (!(dt > 0) || !std::isfinite(dt))
    throw std::invalid_argument("plan_steps: dt must be positive and finite, got " +
                                std::to_string(dt));
  return grid == TimeGrid::Fixed ? plan_fixed(ts, dt) : plan_on_observations(ts, dt);
}

}  // namespace sdebench
