#pragma once
// KL(q(z_0) || p(z_0)) between two diagonal Gaussians given by means and log stds, summed over
// the last dimension: the initial-state term of every latent-variable method's ELBO.
//   KL(N(m, s^2) || N(m0, s0^2)) = log(s0 / s) + (s^2 + (m - m0)^2) / (2 s0^2) - 1/2  per dim.
#include <torch/torch.h>

namespace sdebench {

// mean, log_std [..., d]; prior_mean, prior_log_std broadcastable to them -> [...].
torch::Tensor diagonal_gaussian_kl(const torch::Tensor& mean, const torch::Tensor& log_std,
                                   const torch::Tensor& prior_mean,
                                   const torch::Tensor& prior_log_std);

}  // namespace sdebench
