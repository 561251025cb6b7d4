#pragma once
// The networks of torchsde's latent_sde_lorenz.py, from core's blocks:
//   encoder   GRU over the time-reversed sequence, then Linear(hidden -> context)
//   q(z_0)    Linear(context -> 2 d) of the context at t_0 (mean, log std)
//   posterior drift f(z, ctx)  MLP (d + C) -> H -> H -> d (softplus)
//   prior drift     h(z)       MLP d -> H -> H -> d (softplus)
//   diffusion       g_i(z_i)   per-dimension 1 -> H -> 1 -> sigmoid (core DiagonalDiffusion)
//   decoder   Linear(d -> D), Gaussian noise with fixed std; p(z_0) = N(m, exp(log_std)) learned.
// Speed: the context's share of the posterior drift's first layer (C of its d + C inputs) is
// constant between observations, so it is computed once per observation time for the whole
// sequence (one GEMM) and each solver step only adds the z part (d = 4 columns).
#include <torch/torch.h>

#include "core/nn/activation.h"
#include "core/nn/diagonal_diffusion.h"
#include "core/nn/gru.h"
#include "core/nn/mlp.h"

namespace sdebench {

struct LatentSdeConfig {
  std::int64_t data_dims = 3;
  std::int64_t latent = 4;
  std::int64_t context = 64;
  std::int64_t hidden = 128;
  Activation activation = Activation::Softplus;
  double noise_std = 0.01;
};

class LatentSdeModelImpl : public torch::nn::Module {
 public:
  explicit LatentSdeModelImpl(const LatentSdeConfig& config);

  // Context at each observation time from the reversed-time GRU: x [B, T, D] -> [B, T, C];
  // ctx[:, i] summarises x_i .. x_{T-1}.
  torch::Tensor encode(const torch::Tensor& x);
  // q(z_0 | x) parameters from the context at t_0: (mean, log std), each [B, d].
  std::pair<torch::Tensor, torch::Tensor> initial_posterior(const torch::Tensor& ctx);
  // The context's contribution to the posterior drift's first layer (with its bias), per
  // observation time: ctx [B, T, C] -> [T, B, H] (contiguous, so each time is one block).
  torch::Tensor context_projection(const torch::Tensor& ctx);
  // f(z, ctx) given that projection at the current observation piece: z [B, d], piece [B, H].
  torch::Tensor posterior_drift(const torch::Tensor& z, const torch::Tensor& piece);
  torch::Tensor prior_drift(const torch::Tensor& z);
  // g(z), through the memory-lean fused function when the activation is softplus.
  torch::Tensor diffusion_forward(const torch::Tensor& z);
  torch::Tensor hidden_activation(const torch::Tensor& x) const;
  torch::Tensor decode(const torch::Tensor& z);
  // -log p(x | z) over observed entries: x, mask [..., D], z [..., d] -> [...].
  torch::Tensor neg_log_likelihood(const torch::Tensor& x, const torch::Tensor& mask,
                                   const torch::Tensor& z);
  // KL(N(mean, exp(log_std)) || p(z_0)) summed over dims: [B, d] -> [B].
  torch::Tensor kl_initial(const torch::Tensor& mean, const torch::Tensor& log_std);
  torch::Tensor sample_initial(std::int64_t n);

  const LatentSdeConfig& config() const { return config_; }

  FastGRU gru{nullptr};
  torch::nn::Linear context_out{nullptr}, qz0_net{nullptr}, decoder{nullptr};
  MLP posterior_net{nullptr}, prior_net{nullptr};
  DiagonalDiffusion diffusion{nullptr};
  torch::Tensor pz0_mean, pz0_log_std;  // [d]

 private:
  LatentSdeConfig config_;
};
TORCH_MODULE(LatentSdeModel);

}  // namespace sdebench
