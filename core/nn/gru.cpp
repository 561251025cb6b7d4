#include "core/nn/gru.h"

#include <cmath>

namespace sdebench {

FastGRUImpl::FastGRUImpl(std::int64_t input_size, std::int64_t hidden_size) {
  // torch::nn::GRU initialises every weight and bias from U(-1/sqrt(H), 1/sqrt(H)).
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  auto init = [&](std::vector<std::int64_t> shape) {
    return torch::empty(shape).uniform_(-bound, bound);
  };
  weight_ih = register_parameter("weight_ih", init({3 * hidden_size, input_size}));
  weight_hh = register_parameter("weight_hh", init({3 * hidden_size, hidden_size}));
  bias_ih = register_parameter("bias_ih", init({3 * hidden_size}));
  bias_hh = register_parameter("bias_hh", init({3 * hidden_size}));
}

// Reference implementation from LibTorch ops (autograd does the backward). The fused
// version replaces this; the tests keep this formula as the independent check.
torch::Tensor FastGRUImpl::forward(const torch::Tensor& x, const torch::Tensor& h0) {
  const auto B = x.size(0), T = x.size(1), H = hidden_size();
  auto gi = torch::addmm(bias_ih, x.reshape({B * T, -1}), weight_ih.t()).view({B, T, 3 * H});
  auto h = h0.defined() ? h0 : torch::zeros({B, H}, x.options());
  std::vector<torch::Tensor> out;
  out.reserve(T);
  for (std::int64_t t = 0; t < T; ++t) {
    auto gh = torch::addmm(bias_hh, h, weight_hh.t());
    auto i = gi.select(1, t).chunk(3, 1);
    auto g = gh.chunk(3, 1);
    auto r = torch::sigmoid(i[0] + g[0]);
    auto z = torch::sigmoid(i[1] + g[1]);
    auto n = torch::tanh(i[2] + r * g[2]);
    h = (1 - z) * n + z * h;
    out.push_back(h);
  }
  return torch::stack(out, 1);
}

}  // namespace sdebench
