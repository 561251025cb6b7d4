#include "methods/diffusion/vp_schedule.h"

#include <torch/torch.h>

#include <cmath>

namespace sdebench {

double VpSchedule::log_alpha(double t) const {
  return -0.25 * t * t * (beta_max - beta_min) - 0.5 * t * beta_min;
}

double VpSchedule::alpha(double t) const { return std::exp(log_alpha(t)); }

double VpSchedule::sigma(double t) const { return std::sqrt(-std::expm1(2.0 * log_alpha(t))); }

torch::Tensor VpSchedule::alpha(const torch::Tensor& t) const {
  return torch::exp(-0.25 * t * t * (beta_max - beta_min) - 0.5 * t * beta_min);
}

torch::Tensor VpSchedule::sigma(const torch::Tensor& t) const {
  auto log_a = -0.25 * t * t * (beta_max - beta_min) - 0.5 * t * beta_min;
  return torch::sqrt(-torch::expm1(2.0 * log_a));
}

}  // namespace sdebench
