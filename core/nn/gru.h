#pragma once
// A single-layer, batch-first GRU returning every hidden state, with torch::nn::GRU's
// parametrisation and gate order (r, z, n):
//   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
//   z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
//   h' = (1 - z) * n + z * h
// Built for speed: one GEMM for all input projections, a fused gate pass per step and a
// hand-written backward whose weight gradients are single GEMMs over all steps
// (design and measurements: core/nn/gru.cpp). float32 and float64, CPU.
// First-order gradients only: backward with create_graph=true raises an error.
#include <torch/torch.h>

namespace sdebench {

class FastGRUImpl : public torch::nn::Module {
 public:
  FastGRUImpl(std::int64_t input_size, std::int64_t hidden_size);
  // x: [B, T, I] -> hidden states [B, T, H]; h0: [B, H] or undefined (zeros).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& h0 = {});

  std::int64_t input_size() const { return weight_ih.size(1); }
  std::int64_t hidden_size() const { return weight_hh.size(1); }
  torch::Tensor weight_ih, weight_hh, bias_ih, bias_hh;  // [3H, I], [3H, H], [3H], [3H]
};
TORCH_MODULE(FastGRU);

// The fused GRU as a function (what FastGRU::forward calls): x [B, T, I], h0 [B, H] or
// undefined, weights as in torch::nn::GRU layer 0 -> [B, T, H]. Under no-grad (or when no
// input requires a gradient) it saves nothing for backward.
torch::Tensor fast_gru(const torch::Tensor& x, const torch::Tensor& h0,
                       const torch::Tensor& weight_ih, const torch::Tensor& weight_hh,
                       const torch::Tensor& bias_ih, const torch::Tensor& bias_hh);

// The same GRU from unfused LibTorch ops, differentiated by autograd: the independent
// reference the tests check fast_gru against. Same arguments and result.
torch::Tensor gru_reference(const torch::Tensor& x, const torch::Tensor& h0,
                            const torch::Tensor& weight_ih, const torch::Tensor& weight_hh,
                            const torch::Tensor& bias_ih, const torch::Tensor& bias_hh);

}  // namespace sdebench
