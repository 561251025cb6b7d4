// FastGRU: why it is built this way.
//
// SDE Matching's encoder is a GRU(3 -> 100) over 41 steps at batch 1024, run every training
// iteration. torch::nn::GRU forward+backward takes ~0.2-0.4 s there on the 2-core machines,
// while the GEMMs it needs take ~0.09 s on one core; a re-implementation from unfused
// LibTorch ops (gru_reference below, kept as the tests' independent check) is slower still:
// per-op temporaries, passes over memory and autograd bookkeeping.
// So fast_gru (core/nn/gru_fused.cpp) is a custom autograd Function:
//  - the batch is split into one block of rows per LibTorch thread for the whole sequence
//    (gru_detail::run_in_blocks, core/nn/gru_blocks.cpp), so the GEMMs use both cores while OpenBLAS
//    stays single-threaded and no thread waits for another between steps;
//  - forward, per step and block: x_t W_ih^T and h W_hh^T as two GEMMs into preallocated
//    buffers, then one fused gate pass (core/nn/gru_kernels.cpp: raw pointers, vectorised,
//    float32 and float64, AVX-512/AVX2/SSE2 clones) that adds both biases, computes r, z,
//    n, h' and, when a gradient is needed, leaves (r, z, n, W_hn h + b_hn) in a [T, B, 4H]
//    buffer in place of the input projection it consumed. The brief asked for one GEMM for
//    all input projections; writing each step's projection just before the gate pass reads
//    it avoids a 50 MB buffer and a serial pass (measured together with the SIMD clones:
//    no-grad forward 55 ms -> 28 ms);
//  - backward, per block in reverse: one fused pass gives the step's pre-activation
//    gradients G (bias gradients are summed in the same pass), then GEMMs consume G while it
//    is in cache: dh (G W_hh), dW_hh, dW_ih and dx. Stacking all steps' G into one [T*B, 4H]
//    buffer with single weight-gradient GEMMs afterwards measured 118 ms fwd+bwd against
//    95 ms for this (same program, default malloc).
// Not supported: double backward (create_graph=true raises an error; gru_reference gives
// higher orders).
//
// Measured (B=1024, T=41, I=3, H=100, float32, OPENBLAS_NUM_THREADS=1, 2 LibTorch threads):
//   cd /work/main && cmake --build build --target bench_gru -j2 &&
//   OPENBLAS_NUM_THREADS=1 ./build/bench/bench_gru
// numbers in bench/bench_gru.cpp's header comment.
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
