#pragma once
// sdeint with gradient = adjoint: the stochastic adjoint (stochastic_adjoint.h) as a node of the
// caller's autograd graph, so that a method differentiates the solution with loss.backward()
// exactly as it would after backprop through the steps:
//   - dL/dy0 flows back into whatever produced y0;
//   - dL/d(graph_inputs) flows back into whatever produced them (e.g. an encoder);
//   - the SDE's parameters get theirs accumulated into .grad during the backward sweep.
// The SDE and the Brownian source must outlive the backward pass, and the SDE's graph inputs
// are left as detached leaves (that is how the sweeps see them).
#include <torch/types.h>

#include <memory>
#include <vector>

#include "core/brownian.h"
#include "core/sde.h"
#include "core/sdeint.h"

namespace sdebench {

// Called by sdeint; `brownian` is options.brownian or the source sdeint made (then `owned`).
SdeintResult sdeint_adjoint(Sde& sde, const torch::Tensor& y0, const std::vector<double>& ts,
                            const SolverConfig& config, BrownianSource& brownian,
                            std::unique_ptr<BrownianSource> owned);

}  // namespace sdebench
