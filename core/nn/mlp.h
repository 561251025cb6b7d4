#pragma once
// A plain multilayer perceptron: Linear -> act -> ... -> Linear (no activation at the end).
#include <torch/torch.h>

#include <vector>

#include "core/nn/activation.h"

namespace sdebench {

class MLPImpl : public torch::nn::Module {
 public:
  MLPImpl(std::int64_t in, std::vector<std::int64_t> hidden, std::int64_t out, Activation act);
  torch::Tensor forward(const torch::Tensor& x);
  const std::vector<torch::nn::Linear>& layers() const { return layers_; }
  Activation activation() const { return act_; }

 private:
  std::vector<torch::nn::Linear> layers_;
  Activation act_;
};
TORCH_MODULE(MLP);

}  // namespace sdebench
