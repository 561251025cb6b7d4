#pragma once
// Raw float32 kernels behind core/nn/fast_layers (no torch in this header): softplus and its
// slope, and the fused per-dimension diffusion nets, on contiguous row-major arrays. Each is
// compiled for AVX2+FMA and for baseline x86-64 and picked at load time (GCC target_clones).
#include <cstdint>

namespace sdebench::kernels {

// a[k] = softplus(x[k]), k in [0, n).
void softplus_forward(const float* x, float* a, std::int64_t n);
// out[k] = grad[k] * sigmoid(x[k]), from the saved output a = softplus(x): 1 - exp(-a).
void softplus_backward(const float* grad, const float* a, float* out, std::int64_t n);

// The d per-dimension nets g_i(z_i) = sigmoid(sum_h w2[i,h] softplus(w1[i,h] z_i + b1[i,h]) + b2[i])
// with the hidden width padded to a multiple of 8 (padded w1, b1, w2 entries are 0, so they
// add nothing). Arrays: z, g, grad_g, grad_z [rows, d]; w1, b1, w2 [d, hidden_padded]; b2 [d].
struct DiffusionWeights {
  const float *w1, *b1, *w2, *b2;
  std::int64_t dims, hidden_padded;
};

// g for rows [row_begin, row_end).
void diagonal_diffusion_forward(const DiffusionWeights& w, const float* z, float* g,
                                std::int64_t row_begin, std::int64_t row_end);

// For rows [row_begin, row_end): writes grad_z and ADDS the rows' contributions to the weight
// gradients gw1, gb1, gw2 [d, hidden_padded] and gb2 [d].
void diagonal_diffusion_backward(const DiffusionWeights& w, const float* z, const float* g,
                                 const float* grad_g, float* grad_z, float* gw1, float* gb1,
                                 float* gw2, float* gb2, std::int64_t row_begin,
                                 std::int64_t row_end);

}  // namespace sdebench::kernels
