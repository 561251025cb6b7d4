#include "core/nn/mlp.h"

namespace sdebench {

MLPImpl::MLPImpl(std::int64_t in, std::vector<std::int64_t> hidden, std::int64_t out,
                 Activation act)
    : act_(act) {
  std::int64_t width = in;
  hidden.push_back(out);
  for (std::size_t i = 0; i < hidden.size(); ++i) {
    layers_.push_back(register_module("linear" + std::to_string(i),
                                      torch::nn::Linear(width, hidden[i])));
    width = hidden[i];
  }
}

torch::Tensor MLPImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = x;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    h = layers_[i]->forward(h);
    if (i + 1 < layers_.size()) h = activate(h, act_);
  }
  return h;
}

}  // namespace sdebench
