#pragma once
// A 1-D convolution over time with "same" zero padding, on channels-last windows [B, T, C],
// written as unfold + matmul (im2col) instead of torch::nn::Conv1d. Why: LibTorch's CPU
// convolution goes through oneDNN (mkldnn_convolution), which allocates its scratch space with
// Allocator::raw_allocate; that asserts under the harness's counting CPU allocator
// (harness/memory.cpp), so a Conv1d would abort every counted run or benchmark. The
// channels-last layout also saves the transposes around each layer.
#include <torch/torch.h>

namespace sdebench {

class TemporalConvImpl : public torch::nn::Module {
 public:
  // kernel_size odd; initialised like torch::nn::Conv1d (uniform +-1/sqrt(in * kernel)).
  TemporalConvImpl(std::int64_t in, std::int64_t out, std::int64_t kernel_size);
  // x: [B, T, in] -> [B, T, out]; out[b, t] = bias + sum_j W[:, :, j] x[b, t + j - k/2].
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor weight;  // [out, in, kernel] (Conv1d's layout)
  torch::Tensor bias;    // [out]

 private:
  std::int64_t kernel_;
};
TORCH_MODULE(TemporalConv);

}  // namespace sdebench
