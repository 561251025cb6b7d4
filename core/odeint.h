#pragma once
// odeint: fixed-step integration of an autonomous or time-dependent ODE dy/dt = f(t, y) on
// the same step plans as sdeint (core/step_plan.h), returning the states at every output
// time. Gradients flow through the steps (backprop through the solver) unless the caller
// disables autograd. For the latent ODE and for zero-noise checks of the SDE machinery.
//   euler     y + h f(t, y)                                   order 1
//   midpoint  y + h f(t + h/2, y + h/2 f(t, y))               order 2
//   rk4       classical Runge-Kutta                           order 4
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

#include "core/step_plan.h"

namespace sdebench {

using OdeFunction = std::function<torch::Tensor(double t, const torch::Tensor& y)>;

struct OdeintOptions {
  std::string method = "rk4";
  double dt = 1e-2;
  TimeGrid grid = TimeGrid::Observations;
};

std::vector<std::string> ode_method_names();

// States at ts: [len(ts), ...y0's shape].
torch::Tensor odeint(const OdeFunction& f, const torch::Tensor& y0, const std::vector<double>& ts,
                     const OdeintOptions& options = {});

}  // namespace sdebench
