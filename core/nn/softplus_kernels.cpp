#include "core/nn/softplus_kernels.h"

#include <cmath>

#include "core/nn/fast_math.h"

#pragma GCC diagnostic ignored "-Wpsabi"

// Compiled twice, for x86-64-v3 (AVX2, FMA) and for the baseline; the loader picks one by the
// CPU's features. (arch=haswell would test the CPU model and never pick AVX2 on AMD.)
#define SDEBENCH_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))

namespace sdebench::kernels {

using namespace fast_math;

namespace {

SDEBENCH_VECTOR_INLINE v8f load_part(const float* p, std::int64_t count) {
  if (count == 8) return load(p);
  float buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (std::int64_t i = 0; i < count; ++i) buf[i] = p[i];
  return load(buf);
}

SDEBENCH_VECTOR_INLINE void store_part(float* p, v8f v, std::int64_t count) {
  if (count == 8) return store(p, v);
  for (std::int64_t i = 0; i < count; ++i) p[i] = v[i];
}

float sigmoid(float u) { return 1.0f / (1.0f + std::exp(-u)); }

}  // namespace

// (The loops are written out in each clone: a lambda would be compiled for the baseline.)
SDEBENCH_CLONES void softplus_forward(const float* x, float* a, std::int64_t n) {
  for (std::int64_t k = 0; k < n; k += 8) {
    const std::int64_t count = n - k < 8 ? n - k : 8;  // the tail through a padded buffer
    const v8f v = load_part(x + k, count);
    store_part(a + k, softplus_from(v, exp_neg_abs(v)), count);
  }
}

SDEBENCH_CLONES void softplus_backward(const float* grad, const float* a, float* out,
                                       std::int64_t n) {
  for (std::int64_t k = 0; k < n; k += 8) {
    const std::int64_t count = n - k < 8 ? n - k : 8;
    const v8f slope = one_minus_exp_neg(load_part(a + k, count));
    store_part(out + k, load_part(grad + k, count) * slope, count);
  }
}

SDEBENCH_CLONES void diagonal_diffusion_forward(const DiffusionWeights& w, const float* z,
                                                float* g, std::int64_t row_begin,
                                                std::int64_t row_end) {
  const std::int64_t d = w.dims, Hp = w.hidden_padded;
  for (std::int64_t b = row_begin; b < row_end; ++b) {
    for (std::int64_t i = 0; i < d; ++i) {
      const v8f zi = splat(z[b * d + i]);
      const float *w1 = w.w1 + i * Hp, *b1 = w.b1 + i * Hp, *w2 = w.w2 + i * Hp;
      v8f acc = splat(0.0f);
      for (std::int64_t h = 0; h < Hp; h += 8) {
        const v8f pre = load(w1 + h) * zi + load(b1 + h);
        acc += load(w2 + h) * softplus_from(pre, exp_neg_abs(pre));
      }
      g[b * d + i] = sigmoid(lane_sum(acc) + w.b2[i]);
    }
  }
}

SDEBENCH_CLONES void diagonal_diffusion_backward(const DiffusionWeights& w, const float* z,
                                                 const float* g, const float* grad_g,
                                                 float* grad_z, float* gw1, float* gb1,
                                                 float* gw2, float* gb2, std::int64_t row_begin,
                                                 std::int64_t row_end) {
  const std::int64_t d = w.dims, Hp = w.hidden_padded;
  for (std::int64_t b = row_begin; b < row_end; ++b) {
    for (std::int64_t i = 0; i < d; ++i) {
      const std::int64_t bi = b * d + i;
      const float du_s = grad_g[bi] * g[bi] * (1.0f - g[bi]);  // through the output sigmoid
      const v8f du = splat(du_s), zi = splat(z[bi]);
      const float *w1 = w.w1 + i * Hp, *b1 = w.b1 + i * Hp, *w2 = w.w2 + i * Hp;
      float *dw1 = gw1 + i * Hp, *db1 = gb1 + i * Hp, *dw2 = gw2 + i * Hp;
      v8f dz = splat(0.0f);
      for (std::int64_t h = 0; h < Hp; h += 8) {
        const v8f w1h = load(w1 + h);
        const v8f pre = w1h * zi + load(b1 + h);
        const v8f e = exp_neg_abs(pre);
        store(dw2 + h, load(dw2 + h) + du * softplus_from(pre, e));
        const v8f t = du * load(w2 + h) * sigmoid_from(pre, e);  // d loss / d pre
        store(db1 + h, load(db1 + h) + t);
        store(dw1 + h, load(dw1 + h) + t * zi);
        dz += t * w1h;
      }
      grad_z[bi] = lane_sum(dz);
      gb2[i] += du_s;
    }
  }
}

}  // namespace sdebench::kernels
