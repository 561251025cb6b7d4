// Fused GRU gate passes: one loop over memory per step, written so that GCC vectorises the
// inner loop over the hidden units (no calls, no branches in it).
//
// float: sigmoid and tanh use an inlined exp (Cephes-style range reduction and degree-6
// polynomial, ~1 ulp) because libm's expf/tanhf are scalar calls that do not vectorise
// without -ffast-math; that cost more than the step's GEMM. tanh(x) = 1 - 2 / (1 + e^{2x})
// has absolute error ~1e-7 near 0, well inside float32's tolerance.
// double: libm's exp/tanh, so the float64 path matches the LibTorch reference to ~1e-15.
#include "core/nn/gru_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace sdebench::gru_detail {

namespace {

inline float exp_approx(float x) {
  // Clamp so that 2^n stays a normal float: e^-87 ~ 1.6e-38, e^88 ~ 1.7e38.
  x = std::min(std::max(x, -87.0f), 88.0f);
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

inline float sigmoid(float x) { return 1.0f / (1.0f + exp_approx(-x)); }
inline float tanh_(float x) { return 1.0f - 2.0f / (1.0f + exp_approx(2.0f * x)); }
inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
inline double tanh_(double x) { return std::tanh(x); }

template <typename T, bool Save>
void forward_rows(const ForwardStep<T>& a) {
  const std::int64_t H = a.hidden;
  const T* __restrict b_r = a.bias_hh;
  const T* __restrict b_z = a.bias_hh + H;
  const T* __restrict b_n = a.bias_hh + 2 * H;
  for (std::int64_t row = 0; row < a.rows; ++row) {
    const T* __restrict gi = a.gi + row * a.gi_ld;
    const T* __restrict gh = a.gh + row * a.gh_ld;
    const T* __restrict hp = a.h_prev + row * a.h_prev_ld;
    T* __restrict hn = a.h_next + row * a.h_next_ld;
    T* __restrict s = Save ? a.saved + row * a.saved_ld : nullptr;
    for (std::int64_t j = 0; j < H; ++j) {
      const T r = sigmoid(gi[j] + gh[j] + b_r[j]);
      const T z = sigmoid(gi[H + j] + gh[H + j] + b_z[j]);
      const T ghn = gh[2 * H + j] + b_n[j];
      const T n = tanh_(gi[2 * H + j] + r * ghn);
      hn[j] = n + z * (hp[j] - n);
      if constexpr (Save) {
        s[j] = r;
        s[H + j] = z;
        s[2 * H + j] = n;
        s[3 * H + j] = ghn;
      }
    }
    // A second, separate store keeps the loop above free of a possibly aliasing pointer.
    if (a.out != a.h_next) {
      T* __restrict o = a.out + row * a.out_ld;
      for (std::int64_t j = 0; j < H; ++j) o[j] = hn[j];
    }
  }
}

template <typename T>
void backward_rows(const BackwardStep<T>& a) {
  const std::int64_t H = a.hidden;
  double* __restrict acc = a.bias_acc;
  for (std::int64_t row = 0; row < a.rows; ++row) {
    const T* __restrict g = a.grad_out + row * a.grad_out_ld;
    T* __restrict dh = a.dh + row * a.dh_ld;
    const T* __restrict s = a.saved + row * a.saved_ld;
    const T* __restrict hp = a.h_prev + row * a.h_prev_ld;
    T* __restrict dgi = a.dgi + row * a.dgi_ld;
    T* __restrict dgh = a.dgh + row * a.dgh_ld;
    for (std::int64_t j = 0; j < H; ++j) {
      const T r = s[j], z = s[H + j], n = s[2 * H + j], ghn = s[3 * H + j];
      const T d = g[j] + dh[j];
      const T da_n = d * (T(1) - z) * (T(1) - n * n);
      const T da_z = d * (hp[j] - n) * z * (T(1) - z);
      const T da_r = da_n * ghn * r * (T(1) - r);
      const T da_hn = da_n * r;
      dgi[j] = da_r;
      dgi[H + j] = da_z;
      dgi[2 * H + j] = da_n;
      dgh[j] = da_r;
      dgh[H + j] = da_z;
      dgh[2 * H + j] = da_hn;
      dh[j] = d * z;
      acc[j] += da_r;
      acc[H + j] += da_z;
      acc[2 * H + j] += da_n;
      acc[3 * H + j] += da_hn;
    }
  }
}

}  // namespace

template <typename T>
void forward_step(const ForwardStep<T>& a) {
  if (a.saved)
    forward_rows<T, true>(a);
  else
    forward_rows<T, false>(a);
}

template <typename T>
void backward_step(const BackwardStep<T>& a) {
  backward_rows<T>(a);
}

template void forward_step<float>(const ForwardStep<float>&);
template void forward_step<double>(const ForwardStep<double>&);
template void backward_step<float>(const BackwardStep<float>&);
template void backward_step<double>(const BackwardStep<double>&);

}  // namespace sdebench::gru_detail
