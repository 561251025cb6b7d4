#pragma once
// Lean autograd functions for the per-step networks of SDE training (the latent SDE's drift
// and diffusion nets). Backprop through a solver keeps every step's saved tensors alive until
// the end, so what a step saves and allocates matters as much as its FLOPs:
//  - softplus_saving_output: saves only its output a (which the next Linear saves anyway)
//    and uses d softplus(x)/dx = sigmoid(x) = 1 - exp(-a).
//  - diagonal_diffusion_recompute: the per-dimension sigmoid nets with softplus, saving only
//    z, the weights and g. float32: one fused kernel per direction (core/nn/softplus_kernels)
//    that never materialises the [B, d, H] activations; other dtypes: batched GEMMs that
//    recompute them in the backward.
//  - parallel_linear: x W^T + b with the GEMMs (forward and both backward ones) split into
//    two row blocks run on LibTorch's intra-op threads: OpenBLAS is held to one thread, so
//    a plain Linear leaves the second core idle during the 128x128 layers.
// float32 softplus and sigmoid use core/nn/fast_math.h (a few float ulps from the exact
// functions); float64 uses LibTorch's. Both are checked against the plain LibTorch
// functions in tests/nn/test_fast_layers.cpp.
#include <torch/torch.h>

namespace sdebench {

torch::Tensor softplus_saving_output(const torch::Tensor& x);

// g(z) = sigmoid(sum_h w2[i,h] softplus(w1[i,h] z_i + b1[i,h]) + b2[i]): z [B, d] -> [B, d].
torch::Tensor diagonal_diffusion_recompute(const torch::Tensor& z, const torch::Tensor& w1,
                                           const torch::Tensor& b1, const torch::Tensor& w2,
                                           const torch::Tensor& b2);

// x [B, in], weight [out, in], bias [out] -> [B, out].
torch::Tensor parallel_linear(const torch::Tensor& x, const torch::Tensor& weight,
                              const torch::Tensor& bias);

}  // namespace sdebench
