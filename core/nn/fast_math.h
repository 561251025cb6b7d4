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
// functions to a few float ulps (checked in tests/core/test_fast_math.cpp).
// The same tools make the Brownian tree's Box-Muller normals (core/philox_normal.cpp):
//  - log(u), u in (0, 1]: u = m 2^e with m in [sqrt(1/2), sqrt(2)), log m = 2 atanh(s),
//    s = (m - 1) / (m + 1), |s| < 0.172: the series to s^9 drops < 3e-9 relative.
//  - sin and cos of 2 pi k / 2^24 for an integer k: the quadrant q = round(k / 2^22) is split
//    off exactly in integers, r = 2 pi (k - q 2^22) / 2^24 in [-pi/4, pi/4), and sin r, cos r
//    by their Taylor polynomials to r^9 and r^10 (dropped terms < 2e-9).
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
using v8u = std::uint32_t __attribute__((vector_size(32)));

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

// log(u) for u in (0, 1] (normal floats).
SDEBENCH_VECTOR_INLINE v8f log_unit(v8f u) {
  const v8i bits = (v8i)u;
  v8i exponent = ((bits >> 23) & 0xff) - 127;
  v8f m = (v8f)((bits & 0x7fffff) | 0x3f800000);  // [1, 2)
  const v8i high = m > 1.41421356f;               // all-ones lanes where m > sqrt(2)
  m = high ? m * 0.5f : m;
  exponent -= high;                                // -(-1) = +1 where halved
  const v8f s = (m - 1.0f) / (m + 1.0f);
  const v8f s2 = s * s;
  v8f p = splat(1.0f / 9.0f);
  p = p * s2 + 1.0f / 7.0f;
  p = p * s2 + 1.0f / 5.0f;
  p = p * s2 + 1.0f / 3.0f;
  p = p * s2 + 1.0f;
  const v8f e = __builtin_convertvector(exponent, v8f);
  return e * 0.693147180559945309f + 2.0f * s * p;
}

// sqrt(x) for x >= 0 in vector code (a lane-wise std::sqrt stays scalar under -fmath-errno):
// the exponent-halving bit estimate (relative error < 4%), then three Newton steps
// y <- (y + x / y) / 2, each squaring the relative error (4e-2 -> 8e-4 -> 3e-7 -> rounding).
SDEBENCH_VECTOR_INLINE v8f sqrt_nonnegative(v8f x) {
  v8f y = (v8f)(((v8i)x >> 1) + 0x1fbd1df5);
  y = 0.5f * (y + x / y);
  y = 0.5f * (y + x / y);
  y = 0.5f * (y + x / y);
  return x > 0.0f ? y : splat(0.0f);
}

// sin and cos of the angle 2 pi k / 2^24 for integers k in [0, 2^24).
SDEBENCH_VECTOR_INLINE void sincos_of_turn(v8i k, v8f& sine, v8f& cosine) {
  const v8i q = (k + (1 << 21)) >> 22;  // nearest quarter turn, 0..4
  const v8f r = __builtin_convertvector(k - (q << 22), v8f) * 3.7450702829239018e-7f;  // 2 pi / 2^24
  const v8f r2 = r * r;
  v8f sp = splat(1.0f / 362880.0f);
  sp = sp * r2 - 1.0f / 5040.0f;
  sp = sp * r2 + 1.0f / 120.0f;
  sp = sp * r2 - 1.0f / 6.0f;
  sp = sp * r2 + 1.0f;
  const v8f sin_r = sp * r;
  v8f cp = splat(-1.0f / 3628800.0f);
  cp = cp * r2 + 1.0f / 40320.0f;
  cp = cp * r2 - 1.0f / 720.0f;
  cp = cp * r2 + 1.0f / 24.0f;
  cp = cp * r2 - 0.5f;
  const v8f cos_r = cp * r2 + 1.0f;
  // Rotate by q quarter turns: (sin, cos) -> (cos, -sin) -> (-sin, -cos) -> (-cos, sin).
  const v8i quadrant = q & 3;
  const v8i swap = (quadrant & 1) != 0;
  const v8f s = swap ? cos_r : sin_r, c = swap ? sin_r : cos_r;
  sine = (quadrant >= 2) ? -s : s;
  cosine = ((quadrant == 1) | (quadrant == 2)) ? -c : c;
}

// Sum of the eight lanes in a fixed order (results do not depend on the thread count).
SDEBENCH_VECTOR_INLINE float lane_sum(v8f v) {
  return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
}

}  // namespace sdebench::fast_math

#pragma GCC diagnostic pop
