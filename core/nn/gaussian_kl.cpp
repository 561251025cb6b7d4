#include "core/nn/gaussian_kl.h"

namespace sdebench {

torch::Tensor diagonal_gaussian_kl(const torch::Tensor& mean, const torch::Tensor& log_std,
                                   const torch::Tensor& prior_mean,
                                   const torch::Tensor& prior_log_std) {
  // In units of the prior's std: variance ratio and standardised mean difference.
  auto var_ratio = torch::exp(2 * (log_std - prior_log_std));
  auto diff = (mean - prior_mean) * torch::exp(-prior_log_std);
  return (0.5 * (var_ratio + diff * diff - 1) - (log_std - prior_log_std)).sum(-1);
}

}  // namespace sdebench
