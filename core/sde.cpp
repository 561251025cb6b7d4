#include "core/sde.h"

#include <torch/torch.h>

#include <stdexcept>

namespace sdebench {

const char* to_string(NoiseType type) {
  switch (type) {
    case NoiseType::Diagonal: return "diagonal";
    case NoiseType::Scalar: return "scalar";
    case NoiseType::General: return "general";
  }
  return "?";
}

const char* to_string(SdeType type) { return type == SdeType::Ito ? "Ito" : "Stratonovich"; }

SdeEvaluation Sde::evaluate(double t, const torch::Tensor& y, bool with_extras) {
  SdeEvaluation e;
  e.drift = drift(t, y);
  e.diffusion = diffusion(t, y);
  if (with_extras && extra_size() > 0) e.extra_rate = extra_rate(t, y);
  return e;
}

torch::Tensor Sde::extra_rate(double, const torch::Tensor&) {
  throw std::logic_error("Sde::extra_rate: extra_size() > 0 but extra_rate is not implemented");
}

torch::Tensor Sde::diffusion_derivative(double t, const torch::Tensor& y) {
  if (noise_ != NoiseType::Diagonal)
    throw std::invalid_argument("diffusion_derivative needs diagonal noise, the SDE has " +
                                std::string(to_string(noise_)) + " noise");
  // When the caller records a graph (backprop through Milstein), the derivative is built
  // with create_graph so gradients flow through the correction too.
  const bool keep_graph = torch::GradMode::is_enabled();
  torch::AutoGradMode enable(true);
  auto x = (keep_graph && y.requires_grad()) ? y : y.detach().requires_grad_(true);
  auto g = diffusion(t, x);
  if (!g.requires_grad()) return torch::zeros_like(y);
  auto grads = torch::autograd::grad({g.sum()}, {x}, {}, /*retain_graph=*/keep_graph,
                                     /*create_graph=*/keep_graph, /*allow_unused=*/true);
  if (!grads[0].defined()) return torch::zeros_like(y);
  return keep_graph ? grads[0] : grads[0].detach();
}

torch::Tensor Sde::noise_term(const torch::Tensor& g, const torch::Tensor& dW) const {
  switch (noise_) {
    case NoiseType::Diagonal:
    case NoiseType::Scalar:
      return g * dW;  // scalar: dW is [batch, 1] and broadcasts
    case NoiseType::General:
      return torch::bmm(g, dW.unsqueeze(-1)).squeeze(-1);
  }
  return {};
}

std::int64_t Sde::brownian_dim(std::int64_t d) const {
  switch (noise_) {
    case NoiseType::Diagonal: return d;
    case NoiseType::Scalar: return 1;
    case NoiseType::General: {
      if (brownian_size() <= 0)
        throw std::logic_error("an SDE with general noise must report brownian_size()");
      return brownian_size();
    }
  }
  return d;
}

}  // namespace sdebench
