#pragma once
// The per-dimension diagonal diffusion of the reference latent SDEs: for each latent
// dimension i an independent net g_i(z_i) = sigmoid(w2_i . act(w1_i z_i + b1_i) + b2_i),
// 1 -> H -> 1. The reference code builds d separate modules; here the d nets are one
// broadcasted computation over stacked weights [d, H], which is the same function with
// the same initialisation distribution (torch::nn::Linear's uniform bounds).
// `max_value` scales the sigmoid: g_i in (0, max_value). The reference's range is (0, 1),
// a range in the data's time unit (how far one unit of time may spread the latent state),
// so it is a choice of the generative model: on MOCAP, SDE Matching's learned g sits at
// whatever maximum it is given (its drift-matching term weighs the drift mismatch by 1/g^2).
#include <torch/torch.h>

#include <utility>

#include "core/nn/activation.h"
#include "core/options.h"

namespace sdebench {

class DiagonalDiffusionImpl : public torch::nn::Module {
 public:
  DiagonalDiffusionImpl(std::int64_t dims, std::int64_t hidden, Activation act,
                        double max_value = 1.0);
  // g(z): [B, d] -> [B, d], each entry in (0, max_value).
  torch::Tensor forward(const torch::Tensor& z);
  // (g(z), dg_i/dz_i) in one pass, both differentiable.
  std::pair<torch::Tensor, torch::Tensor> forward_with_derivative(const torch::Tensor& z);

  std::int64_t dims() const { return w1.size(0); }
  double max_value() const { return max_value_; }
  torch::Tensor w1, b1, w2, b2;  // [d, H], [d, H], [d, H], [d]

 private:
  Activation act_;
  double max_value_;
};
TORCH_MODULE(DiagonalDiffusion);

// The `diffusion_max` option key (default 1, the reference's range), shared by every method
// with this diffusion.
Schema& add_diffusion_max_option(Schema& schema);

}  // namespace sdebench
