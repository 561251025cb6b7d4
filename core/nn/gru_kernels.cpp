// Fused GRU gate passes: one loop over memory per step, written so that GCC vectorises the
// inner loop over the hidden units (no calls, no branches in it).
//
// float: sigmoid and tanh use an inlined exp (Cephes-style range reduction and degree-6
// polynomial, a few ulp) because libm's expf/tanhf are scalar calls that do not vectorise
// without -ffast-math; that cost more than the step's GEMM. tanh(x) = 1 - 2 / (1 + e^{2x})
// has absolute error ~1e-7 near 0, well inside float32's tolerance.
// double: libm's exp/tanh, so the float64 path matches the LibTorch reference to ~1e-15.
#include "core/nn/gru_kernels.h"

#include <cmath>
#include <cstring>
#include <vector>

// Without -fno-trapping-math GCC will not turn the clamps in exp_approx (compares) into
// vector selects and leaves the whole gate loop scalar. Trapping FP exceptions are not
// used anywhere in the project; NaN still propagates (the clamps are x < lo ? lo : x).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define SDEBENCH_SIMD_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SDEBENCH_SIMD_CLONES
#endif
#define SDEBENCH_INLINE inline __attribute__((always_inline))

namespace sdebench::gru_detail {

namespace {

SDEBENCH_INLINE float exp_approx(float x) {
  // Clamp so that 2^n stays a normal float: e^-87 ~ 1.6e-38, e^88 ~ 1.7e38.
  // (Plain selects, not std::min/max: those are defined outside the pragma above and
  // would not be inlined into this code.)
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  // n = round(x / ln 2) via the 1.5 * 2^23 trick (no rounding instruction needed).
  const float magic = 12582912.0f;
  const float shifted = x * 1.44269504088896341f + magic;
  const float n = shifted - magic;
  std::int32_t n_bits;
  std::memcpy(&n_bits, &shifted, sizeof n_bits);
  std::int32_t n_int = n_bits - 0x4B400000;  // bit pattern of `magic`
  // r = x - n ln 2 in two parts (Cody-Waite) so r keeps full precision.
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const std::int32_t scale_bits = (n_int + 127) << 23;
  float scale;
  std::memcpy(&scale, &scale_bits, sizeof scale);
  return p * scale;
}

SDEBENCH_INLINE float sigmoid(float x) { return 1.0f / (1.0f + exp_approx(-x)); }
SDEBENCH_INLINE float tanh_(float x) { return 1.0f - 2.0f / (1.0f + exp_approx(2.0f * x)); }
SDEBENCH_INLINE double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
SDEBENCH_INLINE double tanh_(double x) { return std::tanh(x); }

// One row of the forward. Every gate block is its own __restrict parameter: GCC honours
// restrict reliably on parameters only, and with one pointer plus offsets k*H it cannot rule
// out overlap for an unknown H, which leaves the loop scalar. In the saving mode the gate
// inputs are read from and the saved values written to the same arrays (io_*), entry j only.
template <typename T>
SDEBENCH_INLINE void forward_row_saving(std::int64_t H, T* __restrict io_r, T* __restrict io_z,
                        T* __restrict io_n, T* __restrict io_g, const T* __restrict gh_r,
                        const T* __restrict gh_z, const T* __restrict gh_n,
                        const T* __restrict bi, const T* __restrict b_r,
                        const T* __restrict b_z, const T* __restrict b_n,
                        const T* __restrict hp, T* __restrict hn) {
  for (std::int64_t j = 0; j < H; ++j) {
    const T r = sigmoid(io_r[j] + gh_r[j] + b_r[j]);
    const T z = sigmoid(io_z[j] + gh_z[j] + b_z[j]);
    const T ghn = gh_n[j] + b_n[j];
    const T n = tanh_(io_n[j] + bi[j] + r * ghn);
    hn[j] = n + z * (hp[j] - n);
    io_r[j] = r;
    io_z[j] = z;
    io_n[j] = n;
    io_g[j] = ghn;
  }
}

template <typename T>
SDEBENCH_INLINE void forward_row(std::int64_t H, const T* __restrict gi_r, const T* __restrict gi_z,
                 const T* __restrict gi_n, const T* __restrict gh_r, const T* __restrict gh_z,
                 const T* __restrict gh_n, const T* __restrict bi, const T* __restrict b_r,
                 const T* __restrict b_z, const T* __restrict b_n, const T* __restrict hp,
                 T* __restrict hn) {
  for (std::int64_t j = 0; j < H; ++j) {
    const T r = sigmoid(gi_r[j] + gh_r[j] + b_r[j]);
    const T z = sigmoid(gi_z[j] + gh_z[j] + b_z[j]);
    const T n = tanh_(gi_n[j] + bi[j] + r * (gh_n[j] + b_n[j]));
    hn[j] = n + z * (hp[j] - n);
  }
}

template <typename T>
SDEBENCH_INLINE void copy_row(std::int64_t H, const T* __restrict from, T* __restrict to) {
  for (std::int64_t j = 0; j < H; ++j) to[j] = from[j];
}

template <typename T>
SDEBENCH_INLINE void backward_row(std::int64_t H, const T* __restrict g, T* __restrict dh,
                  const T* __restrict s_r, const T* __restrict s_z, const T* __restrict s_n,
                  const T* __restrict s_g, const T* __restrict hp, T* __restrict da_r_out,
                  T* __restrict da_z_out, T* __restrict da_n_out, T* __restrict da_hn_out,
                  double* __restrict acc_r, double* __restrict acc_z, double* __restrict acc_n,
                  double* __restrict acc_hn) {
  for (std::int64_t j = 0; j < H; ++j) {
    const T r = s_r[j], z = s_z[j], n = s_n[j], ghn = s_g[j];
    const T d = g[j] + dh[j];
    const T da_n = d * (T(1) - z) * (T(1) - n * n);
    const T da_z = d * (hp[j] - n) * z * (T(1) - z);
    const T da_r = da_n * ghn * r * (T(1) - r);
    const T da_hn = da_n * r;
    da_r_out[j] = da_r;
    da_z_out[j] = da_z;
    da_n_out[j] = da_n;
    da_hn_out[j] = da_hn;
    dh[j] = d * z;
    acc_r[j] += da_r;
    acc_z[j] += da_z;
    acc_n[j] += da_n;
    acc_hn[j] += da_hn;
  }
}

template <typename T>
SDEBENCH_INLINE void forward_body(const ForwardStep<T>& a) {
  const std::int64_t H = a.hidden;
  // The r and z gates see b_ih + b_hh together; n needs b_in apart (outside r * (...)).
  T b_rz_storage[2 * 256];
  std::vector<T> b_rz_heap;
  T* b_rz = b_rz_storage;
  if (2 * H > 2 * 256) {
    b_rz_heap.resize(2 * H);
    b_rz = b_rz_heap.data();
  }
  for (std::int64_t j = 0; j < 2 * H; ++j) b_rz[j] = a.bias_ih[j] + a.bias_hh[j];
  const T* b_in = a.bias_ih + 2 * H;
  const T* b_hn = a.bias_hh + 2 * H;
  for (std::int64_t row = 0; row < a.rows; ++row) {
    const T* gh = a.gh + row * a.gh_ld;
    const T* hp = a.h_prev + row * a.h_prev_ld;
    T* hn = a.h_next + row * a.h_next_ld;
    if (a.saved) {
      T* s = a.saved + row * a.saved_ld;
      forward_row_saving<T>(H, s, s + H, s + 2 * H, s + 3 * H, gh, gh + H, gh + 2 * H, b_in,
                            b_rz, b_rz + H, b_hn, hp, hn);
    } else {
      const T* gi = a.gi + row * a.gi_ld;
      forward_row<T>(H, gi, gi + H, gi + 2 * H, gh, gh + H, gh + 2 * H, b_in, b_rz, b_rz + H,
                     b_hn, hp, hn);
    }
    // The batch-first output gets its own copy when it is not where h' went.
    if (a.out != a.h_next) copy_row<T>(H, hn, a.out + row * a.out_ld);
  }
}

template <typename T>
SDEBENCH_INLINE void backward_body(const BackwardStep<T>& a) {
  const std::int64_t H = a.hidden;
  double* acc = a.bias_acc;
  for (std::int64_t row = 0; row < a.rows; ++row) {
    const T* s = a.saved + row * a.saved_ld;
    T* gr = a.grads + row * a.grads_ld;
    // Layout (da_r, da_z, da_n r, da_n): see BackwardStep.
    backward_row<T>(H, a.grad_out + row * a.grad_out_ld, a.dh + row * a.dh_ld, s, s + H,
                    s + 2 * H, s + 3 * H, a.h_prev + row * a.h_prev_ld, gr, gr + H, gr + 3 * H,
                    gr + 2 * H, acc, acc + H, acc + 3 * H, acc + 2 * H);
  }
}

// One clone of each kernel per instruction set (AVX-512, AVX2+FMA, baseline SSE2), picked
// at load time: the project builds for baseline x86-64, and 8- or 16-wide vectors make the
// gate pass (three exponentials per unit) 2-3x faster than SSE2's 4.
SDEBENCH_SIMD_CLONES void forward_float(const ForwardStep<float>& a) { forward_body(a); }
SDEBENCH_SIMD_CLONES void forward_double(const ForwardStep<double>& a) { forward_body(a); }
SDEBENCH_SIMD_CLONES void backward_float(const BackwardStep<float>& a) { backward_body(a); }
SDEBENCH_SIMD_CLONES void backward_double(const BackwardStep<double>& a) { backward_body(a); }

}  // namespace

template <>
void forward_step<float>(const ForwardStep<float>& a) { forward_float(a); }
template <>
void forward_step<double>(const ForwardStep<double>& a) { forward_double(a); }
template <>
void backward_step<float>(const BackwardStep<float>& a) { backward_float(a); }
template <>
void backward_step<double>(const BackwardStep<double>& a) { backward_double(a); }

}  // namespace sdebench::gru_detail
