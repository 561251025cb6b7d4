#include "core/nn/diagonal_diffusion.h"

#include <cmath>

namespace sdebench {

DiagonalDiffusionImpl::DiagonalDiffusionImpl(std::int64_t dims, std::int64_t hidden,
                                             Activation act, double max_value)
    : act_(act), max_value_(max_value) {
  TORCH_CHECK(max_value > 0, "DiagonalDiffusion: max_value must be positive, got ", max_value);
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
  auto g = torch::sigmoid(u);
  return max_value_ == 1.0 ? g : g * max_value_;  // no extra op in the reference's range
}

std::pair<torch::Tensor, torch::Tensor> DiagonalDiffusionImpl::forward_with_derivative(
    const torch::Tensor& z) {
  auto pre = torch::addcmul(b1, z.unsqueeze(-1), w1);
  auto u = (activate(pre, act_) * w2).sum(-1) + b2;
  auto s = torch::sigmoid(u);
  auto du_dz = (activate_derivative(pre, act_) * w1 * w2).sum(-1);
  return {s * max_value_, s * (1 - s) * du_dz * max_value_};
}

Schema& add_diffusion_max_option(Schema& s) {
  return s.add_float("diffusion_max", 1.0,
                     "upper end of each diffusion net's range: g = diffusion_max * sigmoid(...), "
                     "in the data's time unit",
                     1e-6);
}

}  // namespace sdebench
