#include "core/nn/activation.h"

#include <torch/torch.h>

#include <stdexcept>

namespace sdebench {

std::vector<std::string> activation_names() {
  return {"softplus", "silu", "tanh", "relu", "sigmoid", "identity"};
}

Activation parse_activation(const std::string& name) {
  const auto names = activation_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<Activation>(i);
  std::string msg = "unknown activation '" + name + "'; known:";
  for (const auto& n : names) msg += " " + n;
  throw std::invalid_argument(msg);
}

torch::Tensor activate(const torch::Tensor& x, Activation act) {
  switch (act) {
    case Activation::Softplus: return torch::softplus(x);
    case Activation::SiLU: return torch::silu(x);
    case Activation::Tanh: return torch::tanh(x);
    case Activation::ReLU: return torch::relu(x);
    case Activation::Sigmoid: return torch::sigmoid(x);
    case Activation::Identity: return x;
  }
  return x;
}

torch::Tensor activate_derivative(const torch::Tensor& x, Activation act) {
  switch (act) {
    case Activation::Softplus: return torch::sigmoid(x);
    case Activation::SiLU: {
      auto s = torch::sigmoid(x);
      return s * (1 + x * (1 - s));
    }
    case Activation::Tanh: {
      auto t = torch::tanh(x);
      return 1 - t * t;
    }
    case Activation::ReLU: return (x > 0).to(x.scalar_type());
    case Activation::Sigmoid: {
      auto s = torch::sigmoid(x);
      return s * (1 - s);
    }
    case Activation::Identity: return torch::ones_like(x);
  }
  return x;
}

}  // namespace sdebench
