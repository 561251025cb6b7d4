#pragma once
// Shared helpers for the SDE Matching tests: independent derivative checks in float64.
#include <torch/torch.h>

#include <functional>

namespace sdebench::testing {

// Max-norm relative difference |a - b|_inf / max(|b|_inf, tiny).
inline double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
  auto scale = std::max(b.abs().max().item<double>(), 1e-300);
  return (a - b).abs().max().item<double>() / scale;
}

// Directional derivative of f at t along v by central differences.
inline torch::Tensor central_difference(const std::function<torch::Tensor(torch::Tensor)>& f,
                                        const torch::Tensor& t, const torch::Tensor& v,
                                        double h = 1e-6) {
  torch::NoGradGuard no_grad;
  return (f(t + h * v) - f(t - h * v)) / (2 * h);
}

// J v by the double-backward trick: g(u) = J^T u is linear in u, so d/du <g, v> = J v.
inline torch::Tensor double_backward_jvp(const std::function<torch::Tensor(torch::Tensor)>& f,
                                         const torch::Tensor& t, const torch::Tensor& v) {
  auto x = t.detach().requires_grad_(true);
  auto y = f(x);
  auto u = torch::zeros_like(y).requires_grad_(true);
  auto jtu = torch::autograd::grad({y}, {x}, {u}, /*retain_graph=*/true, /*create_graph=*/true)[0];
  return torch::autograd::grad({jtu}, {u}, {v}, /*retain_graph=*/false)[0];
}

// J v by LibTorch's forward-mode AD (dual tensors).
inline torch::Tensor forward_ad_jvp(const std::function<torch::Tensor(torch::Tensor)>& f,
                                    const torch::Tensor& t, const torch::Tensor& v) {
  torch::NoGradGuard no_grad;  // forward mode alone; no reverse graph needed
  struct Level {  // leaves the dual level even when f throws
    std::uint64_t id = torch::autograd::forward_ad::enter_dual_level();
    ~Level() { torch::autograd::forward_ad::exit_dual_level(id); }
  } level;
  auto y = f(at::_make_dual(t, v, level.id));
  return std::get<1>(at::_unpack_dual(y, level.id)).clone();
}

}  // namespace sdebench::testing
