#include "methods/sde_matching/posterior_drift.h"

#include <torch/torch.h>

namespace sdebench {

torch::Tensor posterior_drift(const torch::Tensor& dmu_dt, const torch::Tensor& dsigma_dt,
                              const torch::Tensor& eps, const torch::Tensor& sigma,
                              const torch::Tensor& g, const torch::Tensor& dg_dz) {
  return dmu_dt + dsigma_dt * eps - 0.5 * g.square() * eps / sigma + g * dg_dz;
}

}  // namespace sdebench
