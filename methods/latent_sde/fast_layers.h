#pragma once
// Memory-lean autograd functions for the latent SDE's per-step networks. Backprop through
// the solver keeps every step's saved tensors alive until the end, and at batch 1024 the
// autograd defaults save ~10 MB per step (mostly the diffusion nets' [B, d, H] activations);
// allocating and first-touching that much is a third of the step time. These save less:
//  - softplus_saving_output: saves only its output a (which the next Linear saves anyway)
//    and uses d softplus(x)/dx = sigmoid(x) = 1 - exp(-a).
//  - diagonal_diffusion_recompute: the per-dimension sigmoid nets with softplus, saving only
//    z, the weights and g; the backward recomputes the [d, B, H] activations and reduces
//    over the batch with batched GEMMs.
//  - parallel_linear: x W^T + b with the GEMMs (forward and both backward ones) split into
//    two row blocks run on LibTorch's intra-op threads: OpenBLAS is held to one thread, so
//    a plain Linear leaves the second core idle during the 128x128 layers.
// All are the same functions as their plain counterparts (checked in tests).
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
