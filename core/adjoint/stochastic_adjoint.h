#pragma once
// The stochastic adjoint: gradients of a loss on an SDE solution with O(1) memory in the
// number of solver steps. The forward solve keeps no graph; the backward sweep walks the same
// steps in reverse on the same Brownian source (it must answer queries in any order, e.g. a
// BrownianInterval), reconstructs each earlier state and applies the vector-Jacobian product
// of that one solver step (autograd on a one-step graph that is freed right after).
//
// Design choice (why discrete, step-local VJPs rather than a continuous adjoint SDE):
// - reversible_heun: the step is algebraically invertible, so the states are reconstructed
//   exactly (to round-off) and the VJPs are those of the very steps taken forward: the
//   gradients equal backprop through the solver to round-off at any dt (Kidger et al. 2021).
// - any other core stepper (euler, milstein, srk, heun, midpoint): the step y' = Phi(y) is
//   inverted by the fixed-point iteration y <- y + (y' - Phi(y)), which contracts at rate
//   |dPhi/dy - I| = O(sqrt(dt)). Its first iterate from y' is the explicit reverse step
//   2 y' - Phi(y'); further iterates add the Ito-Stratonovich correction (g g' dW^2) and
//   higher terms implicitly, so no separate correction is needed for Ito SDEs. The VJP at
//   the reconstructed state is the discrete adjoint of that step; gradients converge to
//   backprop's as dt -> 0 (and as the number of iterations grows at fixed dt). The VJP's own
//   forward evaluation gives one more iterate for free, used as the carried state.
//
// Gradients reach parameters through autograd: every leaf tensor that the SDE's evaluation
// uses with requires_grad (module parameters, per-piece context leaves) has its .grad
// accumulated in place, step after step (autograd reuses the .grad buffer after the first
// step, so there is no per-step allocation of parameter-sized gradients).
#include <torch/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/brownian.h"
#include "core/sde.h"
#include "core/sdeint.h"
#include "core/solver_config.h"
#include "core/solvers/stepper.h"
#include "core/step_plan.h"

namespace sdebench {

class StochasticAdjoint {
 public:
  // Takes the solver, dt, grid and adjoint_iterations of `config` (its `gradient` is moot here).
  explicit StochasticAdjoint(SolverConfig config);

  // Solves from y0 over ts without a graph and returns the states (and extras, from 0 at
  // ts[0]) at every time in ts, exactly as sdeint with the same solver, dt and Brownian
  // source. Remembers the final solver state for backward().
  SdeintResult forward(Sde& sde, const torch::Tensor& y0, const std::vector<double>& ts,
                       BrownianSource& brownian);

  // Given dL/d(states) [len(ts), batch, d] and dL/d(extras) [len(ts), batch, e] (undefined
  // when the loss does not use the extras), accumulates dL/d(leaf) into the .grad of every
  // leaf the SDE uses and returns dL/dy0. Must follow forward() with the same sde.
  torch::Tensor backward(Sde& sde, const torch::Tensor& grad_states,
                         const torch::Tensor& grad_extras);

  const SolverConfig& options() const { return options_; }
  std::int64_t steps_taken() const { return steps_; }

 private:
  // The cotangent reaching grid point n from the outputs read off it: sum_j coef * grad[j].
  torch::Tensor output_cotangent(std::int64_t n, const torch::Tensor& grad) const;
  torch::Tensor backward_generic(Sde& sde, const torch::Tensor& grad_states,
                                 const torch::Tensor& grad_extras);
  torch::Tensor backward_reversible_heun(Sde& sde, const torch::Tensor& grad_states,
                                         const torch::Tensor& grad_extras);

  SolverConfig options_;
  std::unique_ptr<Stepper> stepper_;
  bool reversible_;
  // Saved by forward().
  std::vector<double> ts_;
  StepPlan plan_;
  // Per grid point, the (output j, coefficient) pairs of the outputs that read it.
  std::vector<std::vector<std::pair<std::int64_t, double>>> readers_;
  BrownianSource* brownian_ = nullptr;
  torch::Tensor y_final_;
  torch::Tensor y_hat_final_;  // reversible Heun's carried y_hat
  std::int64_t steps_ = 0;
};

}  // namespace sdebench
