#pragma once
// The variance-preserving SDE of Song et al. (2021) on t in [0, 1]:
//   dx = -1/2 beta(t) x dt + sqrt(beta(t)) dW,   beta(t) = beta_min + t (beta_max - beta_min),
// whose transition is x_t | x_0 ~ N(alpha_t x_0, sigma_t^2 I) with
//   alpha_t = exp(-1/2 int_0^t beta) = exp(-t^2 (beta_max - beta_min) / 4 - t beta_min / 2),
//   sigma_t^2 = 1 - alpha_t^2.
#include <torch/types.h>

namespace sdebench {

struct VpSchedule {
  double beta_min = 0.1;
  double beta_max = 20.0;

  double beta(double t) const { return beta_min + t * (beta_max - beta_min); }
  double log_alpha(double t) const;
  double alpha(double t) const;
  double sigma(double t) const;  // sqrt(1 - alpha^2), computed with expm1 for small t

  // Elementwise versions for a tensor of times (any shape, same dtype out).
  torch::Tensor alpha(const torch::Tensor& t) const;
  torch::Tensor sigma(const torch::Tensor& t) const;
};

}  // namespace sdebench
