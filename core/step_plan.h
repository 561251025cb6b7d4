#pragma once
// Where a fixed-step solver steps, and how the requested output times are read off its steps.
//
// Two rules, chosen per solve:
//  - TimeGrid::Observations: every interval [ts[i], ts[i+1]] is split into the fewest equal
//    steps no longer than dt, so the solver lands on every output time and nothing is
//    interpolated (exact at the outputs; the step count depends on how ts falls against dt).
//  - TimeGrid::Fixed: torchsde's rule (sdeint with a fixed-step method): steps of exactly dt
//    from ts[0], the last one shortened to end at ts.back(); an output time between two grid
//    points is the linear interpolation of the states there. [0, 2] with dt = 1e-2 is exactly
//    200 steps, whatever the observation times.
// Both sdeint and the stochastic adjoint walk the same plan, so their states agree step by step.
#include <cstdint>
#include <string>
#include <vector>

namespace sdebench {

enum class TimeGrid { Observations, Fixed };

// "observations" | "fixed"; throws std::invalid_argument naming the valid choices.
TimeGrid parse_time_grid(const std::string& name);
std::string time_grid_name(TimeGrid grid);
std::vector<std::string> time_grid_names();

struct StepPlan {
  // Solver grid t_0 = ts.front() < t_1 < ... < t_N = ts.back(); step n goes t_n -> t_{n+1}.
  std::vector<double> grid;
  // Output j is (1 - weight) * y[index] + weight * y[index + 1]; weight == 0 means output j
  // is exactly grid point `index` (always so for TimeGrid::Observations and the last output).
  struct Output {
    std::int64_t index = 0;
    double weight = 0.0;
  };
  std::vector<Output> outputs;

  std::int64_t steps() const { return static_cast<std::int64_t>(grid.size()) - 1; }
  // The common step when the grid is grid[0] + n h (the last step may be shorter, as with
  // TimeGrid::Fixed), else 0: what a BrownianInterval aligns its tree with
  // (BrownianIntervalOptions::grid), which only changes its speed.
  double uniform_step() const;
  // The grid point that must have been reached before output j can be formed.
  std::int64_t needed_point(std::size_t j) const {
    return outputs[j].index + (outputs[j].weight > 0.0 ? 1 : 0);
  }
};

// Plans the steps for strictly increasing output times ts (checked by the caller) and a
// positive step dt. A single output time gives a plan with no steps.
StepPlan plan_steps(const std::vector<double>& ts, double dt, TimeGrid grid);

// Number of equal steps on [a, b] for a maximum step dt (TimeGrid::Observations' rule).
std::int64_t steps_between(double a, double b, double dt);

}  // namespace sdebench
