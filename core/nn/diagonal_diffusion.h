#pragma once
// The per-dimension diagonal diffusion of the reference latent SDEs: for each latent
// dimension i an independent net g_i(z_i) = sigmoid(w2_i . act(w1_i z_i + b1_i) + b2_i),
// 1 -> H -> 1. The reference code builds d separate modules; here the d nets are one
// broadcasted computation over stacked weights [d, H], which is the same function with
// the same initialisation distribution (torch::nn::Linear's uniform bounds).
#include <torch/torch.h>

#include <utility>

#include "core/nn/activation.h"

namespace sdebench {

class DiagonalDiffusionImpl : public torch::nn::Module {
 public:
  DiagonalDiffusionImpl(std::int64_t dims, std::int64_t hidden, Activation act);
  // g(z): [B, d] -> [B, d], each entry in (0, 1).
  torch::Tensor forward(const torch::Tensor& z);
  // (g(z), dg_i/dz_i) in one pass, both differentiable.
  std::pair<torch::Tensor, torch::Tensor> forward_with_derivative(const torch::Tensor& z);

  std::int64_t dims() const { return w1.size(0); }
  torch::Tensor w1, b1, w2, b2;  // [d, H], [d, H], [d, H], [d]

 private:
  Activation act_;
};
TORCH_MODULE(DiagonalDiffusion);

}  // namespace sdebench
