#pragma once
// sdeint: integrate an SDE from ts[0] and return the states at every time in ts.
//
// Where the solver steps is set by `grid` (core/step_plan.h): by default every interval
// between output times is split into the fewest equal steps no longer than dt, so every
// output time is hit exactly; TimeGrid::Fixed takes torchsde's steps of exactly dt and
// interpolates the outputs linearly.
// Extra quantities (Sde::extra_size() > 0) are integrated alongside the state from 0 at
// ts[0], with the solver's own drift quadrature. Gradients reach y0, the SDE's parameters and
// its graph_inputs() as options.gradient says: through the steps (backprop) or by the
// stochastic adjoint's backward sweep (core/adjoint/adjoint_sdeint.h); a caller differentiates
// the result the same way either way.
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/brownian.h"
#include "core/sde.h"
#include "core/solver_config.h"
#include "core/step_plan.h"

namespace sdebench {

struct SdeintOptions : SolverConfig {
  // Brownian source to use; when null, sdeint makes one from `seed`: a BrownianInterval when
  // the solver needs Levy area or the gradient is the adjoint (which queries it backwards),
  // else a BrownianPath. With the adjoint, the source must answer queries in any order and,
  // like the SDE, outlive the backward pass.
  BrownianSource* brownian = nullptr;
  std::uint64_t seed = 0;
};

struct SdeintResult {
  torch::Tensor states;  // [len(ts), batch, d]
  torch::Tensor extras;  // [len(ts), batch, e], undefined when the SDE has none
};

SdeintResult sdeint(Sde& sde, const torch::Tensor& y0, const std::vector<double>& ts,
                    const SdeintOptions& options = {});

// The Brownian interval sdeint makes for a solve of `config` over ts: its tree aligned with
// the solver's step plan (one fresh node per step in a sweep instead of ~16). For callers that
// hold the path themselves (the latent SDE, which gives both gradient modes the same path).
BrownianInterval make_brownian_interval(const std::vector<double>& ts, const SolverConfig& config,
                                        const BrownianShape& shape, std::uint64_t seed,
                                        bool levy_area);

// Checks shared by sdeint and other integrators (the adjoint): strictly increasing times,
// dt > 0, y0 of shape [batch, d] matching the SDE. Throw std::invalid_argument.
void check_times(const std::vector<double>& ts);
void check_state(const Sde& sde, const torch::Tensor& y0);

// (1 - w) a + w b, or a itself when w == 0 (an output time on the grid).
torch::Tensor interpolate_states(const torch::Tensor& a, const torch::Tensor& b, double w);

class Stepper;
// The stepping loop shared by sdeint and the stochastic adjoint's forward: walks `plan` with
// `stepper` from (y, extras) at plan.grid[0] (reset() already called), and hands every output
// j to record(j, state, extras), interpolated where the plan says so (extras undefined when the
// SDE has none). On return y and extras hold the state at the last grid point. Returns the
// number of steps taken.
using OutputRecorder =
    std::function<void(std::size_t, const torch::Tensor&, const torch::Tensor&)>;
std::int64_t walk_plan(Stepper& stepper, Sde& sde, BrownianSource& brownian,
                       const StepPlan& plan, torch::Tensor& y, torch::Tensor& extras,
                       const OutputRecorder& record);

}  // namespace sdebench
