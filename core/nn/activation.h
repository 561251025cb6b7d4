#pragma once
// Elementwise activations by name, with their derivatives (needed for tangent propagation
// and for the diffusion's closed-form dg/dz).
#include <torch/types.h>

#include <string>
#include <vector>

namespace sdebench {

enum class Activation { Softplus, SiLU, Tanh, ReLU, Sigmoid, Identity };

Activation parse_activation(const std::string& name);  // throws listing the known names
std::vector<std::string> activation_names();
torch::Tensor activate(const torch::Tensor& x, Activation act);
// d act(x) / dx, differentiable by autograd.
torch::Tensor activate_derivative(const torch::Tensor& x, Activation act);

}  // namespace sdebench
