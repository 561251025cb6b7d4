#include "core/odeint.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "core/sdeint.h"

namespace sdebench {

std::vector<std::string> ode_method_names() { return {"euler", "midpoint", "rk4"}; }

namespace {

using OdeStep = torch::Tensor (*)(const OdeFunction&, double, double, const torch::Tensor&);

torch::Tensor euler_step(const OdeFunction& f, double t, double h, const torch::Tensor& y) {
  return y + h * f(t, y);
}

torch::Tensor midpoint_step(const OdeFunction& f, double t, double h, const torch::Tensor& y) {
  return y + h * f(t + 0.5 * h, y + (0.5 * h) * f(t, y));
}

torch::Tensor rk4_step(const OdeFunction& f, double t, double h, const torch::Tensor& y) {
  auto k1 = f(t, y);
  auto k2 = f(t + 0.5 * h, y + (0.5 * h) * k1);
  auto k3 = f(t + 0.5 * h, y + (0.5 * h) * k2);
  auto k4 = f(t + h, y + h * k3);
  return y + (h / 6.0) * (k1 + 2.0 * (k2 + k3) + k4);
}

OdeStep step_for(const std::string& method) {
  if (method == "euler") return euler_step;
  if (method == "midpoint") return midpoint_step;
  if (method == "rk4") return rk4_step;
  throw std::invalid_argument("odeint: unknown method '" + method +
                              "' (known: euler, midpoint, rk4)");
}

}  // namespace

torch::Tensor odeint(const OdeFunction& f, const torch::Tensor& y0, const std::vector<double>& ts,
                     const OdeintOptions& options) {
  check_times(ts);
  if (!(options.dt > 0) || !std::isfinite(options.dt))
    throw std::invalid_argument("odeint: dt must be positive, got " + std::to_string(options.dt));
  const OdeStep step = step_for(options.method);
  const StepPlan plan = plan_steps(ts, options.dt, options.grid);
  std::vector<torch::Tensor> outputs;
  outputs.reserve(plan.outputs.size());
  torch::Tensor y = y0, y_prev;
  std::int64_t point = 0;
  for (std::size_t j = 0; j < plan.outputs.size(); ++j) {
    for (; point < plan.needed_point(j); ++point) {
      const double t = plan.grid[point];
      y_prev = y;
      y = step(f, t, plan.grid[point + 1] - t, y);
    }
    const double w = plan.outputs[j].weight;
    outputs.push_back(w == 0.0 ? y : interpolate_states(y_prev, y, w));
  }
  return torch::stack(outputs);
}

}  // namespace sdebench
