#pragma once
// Replacement conditioning (Song et al. 2021, "imputation"; RePaint without resampling):
// sample p(x_unknown | x_known = y) with an *unconditional* score by integrating the reverse
// process over the whole state and, after every solver step at forward time t, overwriting
// the given entries with a fresh forward-noised copy alpha_t y + sigma_t z. The final state
// gets y itself in the given entries, so they come back exactly. It is an approximation:
// the noised given entries are drawn independently of the generated ones, which biases the
// conditional (measured in tests/diffusion); conditioning = "mask" trains a conditional net.
#include <torch/types.h>

#include "methods/diffusion/reverse_sde.h"
#include "methods/diffusion/vp_schedule.h"

namespace sdebench {

// y, known: [N, n] (known is 1 for given entries, 0 elsewhere; y is ignored where known = 0).
// Returns [N, n] with y in the given entries.
torch::Tensor replacement_sample(const VpSchedule& schedule, const ScoreFunction& score,
                                 const torch::Tensor& y, const torch::Tensor& known,
                                 const ReverseSamplerOptions& options);

}  // namespace sdebench
