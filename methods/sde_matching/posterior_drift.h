#pragma once
// The drift of the posterior SDE whose marginals are z_t = mu(t) + sigma(t) * eps, with the
// prior's diagonal diffusion g (g_i depending on z_i only), Ito:
//   f = dmu/dt + dsigma/dt * eps - 1/2 g^2 eps / sigma + g dg/dz
// (the last term is 1/2 d(g_i^2)/dz_i; -eps/sigma is the score grad_z log q(z_t | X)).
// Kept in one place so the marginal-consistency test pins the same formula the loss uses.
#include <torch/types.h>

namespace sdebench {

torch::Tensor posterior_drift(const torch::Tensor& dmu_dt, const torch::Tensor& dsigma_dt,
                              const torch::Tensor& eps, const torch::Tensor& sigma,
                              const torch::Tensor& g, const torch::Tensor& dg_dz);

}  // namespace sdebench
