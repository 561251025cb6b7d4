#include "core/sdeint.h"

#include <torch/torch.h>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/adjoint/adjoint_sdeint.h"
#include "core/solvers/stepper.h"
#include "core/step_plan.h"

namespace sdebench {

void check_times(const std::vector<double>& ts) {
  if (ts.empty()) throw std::invalid_argument("sdeint: the list of times is empty");
  for (std::size_t i = 0; i < ts.size(); ++i) {
    if (!std::isfinite(ts[i]))
      throw std::invalid_argument("sdeint: time ts[" + std::to_string(i) + "] is not finite");
    if (i > 0 && !(ts[i] > ts[i - 1]))
      throw std::invalid_argument("sdeint: times must be strictly increasing, but ts[" +
                                  std::to_string(i) + "] = " + std::to_string(ts[i]) +
                                  " <= ts[" + std::to_string(i - 1) + "] = " +
                                  std::to_string(ts[i - 1]));
  }
}

void check_state(const Sde& sde, const torch::Tensor& y0) {
  if (!y0.defined() || y0.dim() != 2)
    throw std::invalid_argument("sdeint: y0 must have shape [batch, d], got " +
                                (y0.defined() ? std::to_string(y0.dim()) + " dimensions"
                                              : std::string("an undefined tensor")));
  if (sde.state_size() >= 0 && y0.size(1) != sde.state_size())
    throw std::invalid_argument("sdeint: y0 has " + std::to_string(y0.size(1)) +
                                " state dimensions but the SDE has " +
                                std::to_string(sde.state_size()));
  if (y0.scalar_type() != torch::kFloat32 && y0.scalar_type() != torch::kFloat64)
    throw std::invalid_argument("sdeint: y0 must be float32 or float64");
}

torch::Tensor interpolate_states(const torch::Tensor& a, const torch::Tensor& b, double w) {
  if (w == 0.0) return a;
  return torch::lerp(a, b, w);
}

std::int64_t walk_plan(Stepper& stepper, Sde& sde, BrownianSource& brownian,
                       const StepPlan& plan, torch::Tensor& y, torch::Tensor& extras,
                       const OutputRecorder& record) {
  torch::Tensor y_prev, extras_prev;
  std::int64_t point = 0;  // the grid point y is at
  for (std::size_t j = 0; j < plan.outputs.size(); ++j) {
    for (; point < plan.needed_point(j); ++point) {
      const double t = plan.grid[point], t_next = plan.grid[point + 1];
      auto dW = brownian.increment(t, t_next);
      y_prev = y;
      extras_prev = extras;
      stepper.step(sde, t, t_next - t, dW, y, extras);
    }
    const double w = plan.outputs[j].weight;
    if (w == 0.0) {
      record(j, y, extras);
    } else {
      record(j, interpolate_states(y_prev, y, w),
             extras.defined() ? interpolate_states(extras_prev, extras, w) : extras);
    }
  }
  return point;
}

BrownianInterval make_brownian_interval(const std::vector<double>& ts, const SolverConfig& config,
                                        const BrownianShape& shape, std::uint64_t seed,
                                        bool levy_area) {
  BrownianIntervalOptions options;
  options.levy_area = levy_area;
  options.aligned_step = plan_steps(ts, config.dt, config.grid).uniform_step();
  return BrownianInterval(ts.front(), ts.back(), shape, seed, options);
}

SdeintResult sdeint(Sde& sde, const torch::Tensor& y0, const std::vector<double>& ts,
                    const SdeintOptions& options) {
  check_times(ts);
  check_state(sde, y0);
  if (!(options.dt > 0) || !std::isfinite(options.dt))
    throw std::invalid_argument("sdeint: dt must be positive, got " + std::to_string(options.dt));
  auto stepper = make_stepper(options.method);
  stepper->check(sde);

  // Without autograd the adjoint's forward is this very loop, so only a differentiable solve
  // takes the adjoint's path.
  const bool adjoint = options.gradient == Gradient::Adjoint && torch::autograd::GradMode::is_enabled();
  const BrownianShape shape{y0.size(0), sde.brownian_dim(y0.size(1)), y0.scalar_type()};
  std::unique_ptr<BrownianSource> owned;
  BrownianSource* brownian = options.brownian;
  if (!brownian) {
    // The adjoint queries the path backwards, and Levy-area solvers need the area: both need
    // the interval; a plain forward solve walks a cheaper path.
    const bool levy = stepper->needs_levy_area();
    if ((levy || adjoint) && ts.size() > 1)
      owned = std::make_unique<BrownianInterval>(
          make_brownian_interval(ts, options, shape, options.seed, levy));
    else
      owned = std::make_unique<BrownianPath>(shape, options.seed, levy);
    brownian = owned.get();
  } else if (stepper->needs_levy_area() && !brownian->has_levy_area()) {
    throw std::invalid_argument(std::string("sdeint: solver '") + stepper->name() +
                                "' needs the space-time Levy area, but the Brownian source was "
                                "made without it (levy_area = false)");
  }
  if (adjoint)
    return sdeint_adjoint(sde, y0, ts, options, *brownian, std::move(owned));

  const StepPlan plan = plan_steps(ts, options.dt, options.grid);
  torch::Tensor y = y0, extras;
  if (sde.extra_size() > 0) extras = torch::zeros({y0.size(0), sde.extra_size()}, y0.options());
  std::vector<torch::Tensor> states, extra_states;
  stepper->reset(sde, ts.front(), y0);
  walk_plan(*stepper, sde, *brownian, plan, y, extras,
            [&](std::size_t, const torch::Tensor& state, const torch::Tensor& extra) {
              states.push_back(state);
              if (extra.defined()) extra_states.push_back(extra);
            });
  SdeintResult result;
  result.states = torch::stack(states);
  if (!extra_states.empty()) result.extras = torch::stack(extra_states);
  return result;
}

}  // namespace sdebench
