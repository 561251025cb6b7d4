#pragma once
// Eight-lane float math for the hot elementwise kernels (softplus and sigmoid inside the drift
// and diffusion nets), written with GCC vector extensions so that it compiles to AVX2/FMA in a
// target_clones("arch=x86-64-v3") function and to pairs of SSE2 instructions elsewhere.
//
// Why not LibTorch's softplus: it evaluates exp and then Sleef's 1-ULP log1p, and the backward
// evaluates expm1 again; on this machine those three were ~20% of a latent SDE training step.
// Here softplus(x) = max(x, 0) + log1p(e), e = exp(-|x|) in [0, 1], and sigmoid(x) comes from the
// same e, so one exp and one short series give both:
//  - exp(v), v in [-87, 0]: v = n ln2 + r, |r| <= ln2/2 (Cody-Waite, two-part ln2), exp(r) by its
//    Taylor polynomial to r^7 (truncation < 6e-9 relative), times 2^n built in the exponent bits.
//  - log1p(e), e in [0, 1]: log(1 + e) = 2 atanh(s), s = e / (2 + e) in [0, 1/3]:
//    2 s (1 + s^2/3 + ... + s^12/13); the dropped tail is < 1.7e-8 relative.
// Both are well inside float's 6e-8 rounding, so the results agree with the double-precision
// functions to a few float ulps (checked in tests/nn/test_fast_math.cpp).
#include <cstdint>
#include <cstring>

// Vector arguments change the calling convention between AVX and non-AVX code; every function
// here is always inlined into its caller's target, so no call crosses that boundary.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
#define SDEBENCH_VECTOR_INLINE inline __attribute__((always_inline))

namespace sdebench::fast_math {

using v8f = float __attribute__((vector_size(32)));
using v8i = std::int32_t __attribute__((vector_size(32)));

SDEBENCH_VECTOR_INLINE v8f splat(float x) { return v8f{x, x, x, x, x, x, x, x}; }
SDEBENCH_VECTOR_INLINE v8f load(const float* p) {
  v8f v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
SDEBENCH_VECTOR_INLINE void store(float* p, v8f v) { std::memcpy(p, &v, sizeof v); }
SDEBENCH_VECTOR_INLINE v8f max0(v8f x) { return x > 0 ? x : splat(0.0f); }

// exp(v) for v <= 0; 0 below v = -87 (where exp leaves the float normal range, 1.6e-38).
SDEBENCH_VECTOR_INLINE v8f exp_nonpositive(v8f v_in) {
  const v8f v = v_in < -87.0f ? splat(-87.0f) : v_in;
  const v8f shifter = splat(12582912.0f);  // 1.5 * 2^23: adding it rounds to an integer
  const v8f k = v * 1.44269504088896341f + shifter;
  const v8f n = k - shifter;
  const v8i n_int = (v8i)k - (v8i)shifter;
  const v8f r = (v - n * 0.693145751953125f) - n * 1.42860682030941723e-6f;
  v8f p = splat(1.0f / 5040.0f);
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const v8i bits = (n_int + 127) << 23;
  const v8f result = p * (v8f)bits;
  return v_in < -87.0f ? splat(0.0f) : result;
}

// log(1 + e) for e in [0, 1].
SDEBENCH_VECTOR_INLINE v8f log1p_unit(v8f e) {
  const v8f s = e / (e + 2.0f);
  const v8f s2 = s * s;
  v8f p = splat(1.0f / 13.0f);
  p = p * s2 + 1.0f / 11.0f;
  p = p * s2 + 1.0f / 9.0f;
  p = p * s2 + 1.0f / 7.0f;
  p = p * s2 + 1.0f / 5.0f;
  p = p * s2 + 1.0f / 3.0f;
  p = p * s2 + 1.0f;
  return 2.0f * s * p;
}

// e = exp(-|x|), the shared ingredient of softplus and sigmoid.
SDEBENCH_VECTOR_INLINE v8f exp_neg_abs(v8f x) { return exp_nonpositive(x > 0 ? -x : x); }

SDEBENCH_VECTOR_INLINE v8f softplus_from(v8f x, v8f e) { return max0(x) + log1p_unit(e); }
SDEBENCH_VECTOR_INLINE v8f sigmoid_from(v8f x, v8f e) {
  const v8f inv = 1.0f / (1.0f + e);
  return x >= 0 ? inv : e * inv;
}

// 1 - exp(-a) for a >= 0 (softplus's slope sigmoid(x) from its output a = softplus(x)),
// without the cancellation of 1 - exp(-a) at small a: below a = 1/2 its Taylor series
// a - a^2/2 + ... to a^9 (tail < 4e-9 relative).
SDEBENCH_VECTOR_INLINE v8f one_minus_exp_neg(v8f a) {
  v8f p = splat(-1.0f / 362880.0f);
  p = p * a + 1.0f / 40320.0f;
  p = p * a - 1.0f / 5040.0f;
  p = p * a + 1.0f / 720.0f;
  p = p * a - 1.0f / 120.0f;
  p = p * a + 1.0f / 24.0f;
  p = p * a - 1.0f / 6.0f;
  p = p * a + 0.5f;
  p = p * a - 1.0f;
  p = p * a;  // = exp(-a) - 1 to a^9
  const v8f series = -p;
  const v8f direct = 1.0f - exp_nonpositive(-a);
  return a < 0.5f ? series : direct;
}

// Sum of the eight lanes in a fixed order (results do not depend on the thread count).
SDEBENCH_VECTOR_INLINE float lane_sum(v8f v) {
  return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
}

}  // namespace sdebench::fast_math

#pragma GCC diagnostic pop
