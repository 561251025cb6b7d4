#pragma once
// The one description of an SDE solve, shared by the methods, sdeint and the stochastic adjoint:
// which solver, its step, where it steps, and how gradients reach what the solve depends on.
#include <string>
#include <vector>

#include "core/step_plan.h"

namespace sdebench {

enum class Gradient {
  // Autograd through the solver steps: exact for the discretisation; the graph, and so the
  // memory, grows with the number of steps.
  Backprop,
  // The stochastic adjoint (core/adjoint/stochastic_adjoint.h): the forward solve keeps no
  // graph; a backward sweep replays the same Brownian path. O(1) memory in the steps.
  Adjoint,
};

// "backprop" | "adjoint"; throws std::invalid_argument naming the choices.
Gradient parse_gradient(const std::string& name);
std::vector<std::string> gradient_names();

struct SolverConfig {
  std::string method = "euler";
  double dt = 1e-2;
  // Adjoint only: fixed-point iterations (without a graph) that reconstruct each earlier state
  // before the step's VJP, for solvers other than reversible_heun. 0 = the explicit reverse
  // step only, whose O(dt) local bias (g g' dW^2 for multiplicative noise) does not vanish as
  // dt -> 0; use >= 1 (the gradients then converge; more iterations approach backprop's).
  int adjoint_iterations = 1;
  // Where the solver steps (core/step_plan.h).
  TimeGrid grid = TimeGrid::Observations;
  Gradient gradient = Gradient::Backprop;
};

}  // namespace sdebench
