// FastGRU: why it is built this way.
//
// SDE Matching's encoder is a GRU(3 -> 100) over 41 steps at batch 1024, run every
// training iteration. torch::nn::GRU forward+backward takes ~0.3-0.4 s there on the 2-core
// machines, while the GEMMs it needs take ~0.09 s; a re-implementation from unfused LibTorch
// ops (gru_reference below) is no faster: the time goes into per-op temporaries and passes
// over memory, and into autograd's per-op bookkeeping.
// So fast_gru (core/nn/gru_fused.cpp) is a custom autograd Function that does:
//  - one GEMM for all input projections x W_ih^T + b_ih, [T*B, 3H];
//  - per step one GEMM h W_hh^T into a preallocated buffer and one fused gate pass
//    (core/nn/gru_kernels.cpp: raw pointers, vectorised, float32 and float64) that also stores
//    (r, z, n, W_hn h + b_hn) into preallocated [T, B, 4H] buffers for the backward;
//  - a backward that runs the steps in reverse with one fused pass and one GEMM per step
//    (dh), stacks the gate gradients of all steps into [T*B, 3H] and forms the weight
//    gradients as single GEMMs over all steps, the bias gradients as sums accumulated in
//    the fused pass and dx as one GEMM;
//  - the batch split into one row block per LibTorch thread for the whole sequence, so the
//    per-step GEMMs use both cores while OpenBLAS stays single-threaded.
// Double backward is not supported (an error says so); gru_reference gives higher orders.
//
// Measured (B=1024, T=41, I=3, H=100, float32, OPENBLAS_NUM_THREADS=1, 2 LibTorch threads):
//   cd /work/main && cmake --build build --target bench_gru -j2 &&
//   OPENBLAS_NUM_THREADS=1 ./build/bench/bench_gru
// numbers: see bench/bench_gru.cpp's header comment.
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

torch::Tensor FastGRUImpl::forward(const torch::Tensor& x, const torch::Tensor& h0) {
  return fast_gru(x, h0, weight_ih, weight_hh, bias_ih, bias_hh);
}

torch::Tensor gru_reference(const torch::Tensor& x, const torch::Tensor& h0,
                            const torch::Tensor& weight_ih, const torch::Tensor& weight_hh,
                            const torch::Tensor& bias_ih, const torch::Tensor& bias_hh) {
  const auto B = x.size(0), T = x.size(1), H = weight_hh.size(1);
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
