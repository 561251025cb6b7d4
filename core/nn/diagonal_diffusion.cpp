#include "core/nn/diagonal_diffusion.h"

#include <cmath>

namespace sdebench {

DiagonalDiffusionImpl::DiagonalDiffusionImpl(std::int64_t dims, std::int64_t hidden,
                                             Activation act)
    : act_(act) {
  // torch::nn::Linear(in, out) draws weights and biases from U(-1/sqrt(in), 1/sqrt(in)).
  const double first = 1.0;  // in = 1
  const double second = 1.0 / std::sqrt(static_cast<double>(hidden));
  w1 = register_parameter("w1", torch::empty({dims, hidden}).uniform_(-first, first));
  b1 = register_parameter("b1", torch::empty({dims, hidden}).uniform_(-first, first));
  w2 = register_parameter("w2", torch::empty({dims, hidden}).uniform_(-second, second));
  b2 = register_parameter("b2", torch::empty({dims}).uniform_(-second, second));
}

torch::Tensor DiagonalDiffusionImpl::forward(const torch::Tensor& z) {
  auto pre = torch::addcmul(b1, z.unsqueeze(-1), w1);  // [B, d, H]
  auto u = (activate(pre, act_) * w2).sum(-1) + b2;     // [B, d]
  return torch::sigmoid(u);
}

std::pair<torch::Tensor, torch::Tensor> DiagonalDiffusionImpl::forward_with_derivative(
    const torch::Tensor& z) {
  auto pre = torch::addcmul(b1, z.unsqueeze(-1), w1);
  auto u = (activate(pre, act_) * w2).sum(-1) + b2;
  auto g = torch::sigmoid(u);
  auto du_dz = (activate_derivative(pre, act_) * w1 * w2).sum(-1);
  return {g, g * (1 - g) * du_dz};
}

}  // namespace sdebench
