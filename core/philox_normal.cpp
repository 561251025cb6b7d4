#include "core/philox_normal.h"

#include <ATen/core/PhiloxRNGEngine.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/nn/fast_math.h"

#pragma GCC diagnostic ignored "-Wpsabi"

namespace sdebench {

namespace {

using namespace fast_math;

constexpr std::uint32_t kMultiplierA = 0xD2511F53, kMultiplierB = 0xCD9E8D57;
constexpr std::uint32_t kKeyBumpA = 0x9E3779B9, kKeyBumpB = 0xBB67AE85;
constexpr int kBlocks = 16;  // counter blocks per vector pass: 64 words, 32 normal pairs

using v4u64 = std::uint64_t __attribute__((vector_size(32)));

// The 32 x 32 -> 64-bit products a * m of eight lanes: (high words, low words). Even and odd
// lanes are multiplied as 64-bit lanes whose upper halves are zero (vpmuludq under AVX2).
SDEBENCH_VECTOR_INLINE void mulhilo(v8u a, std::uint32_t m, v8u& high, v8u& low) {
  constexpr std::uint64_t kLow = 0xffffffffULL;
  const v4u64 even = ((v4u64)a & kLow) * m, odd = ((v4u64)a >> 32) * m;
  low = (v8u)((even & kLow) | (odd << 32));
  high = (v8u)((even >> 32) | (odd & ~kLow));
}

// Philox4x32-10 on eight consecutive counters (first_block + l, part, stream): lane l of x[j]
// becomes word j of block l, as at::Philox4_32 computes it.
SDEBENCH_VECTOR_INLINE void philox8(const PhiloxStream& s, std::uint32_t first_block, v8u x[4]) {
  const v8u lane = {0, 1, 2, 3, 4, 5, 6, 7};
  x[0] = lane + first_block;
  x[1] = v8u{} + s.part;
  x[2] = v8u{} + static_cast<std::uint32_t>(s.stream);
  x[3] = v8u{} + static_cast<std::uint32_t>(s.stream >> 32);
  std::uint32_t k0 = static_cast<std::uint32_t>(s.key), k1 = static_cast<std::uint32_t>(s.key >> 32);
  for (int round = 0; round < 10; ++round) {
    v8u hi0, lo0, hi1, lo1;
    mulhilo(x[0], kMultiplierA, hi0, lo0);
    mulhilo(x[2], kMultiplierB, hi1, lo1);
    x[0] = hi1 ^ x[1] ^ k0;
    x[1] = lo1;
    x[2] = hi0 ^ x[3] ^ k1;
    x[3] = lo0;
    k0 += kKeyBumpA;
    k1 += kKeyBumpB;
  }
}

// kBlocks blocks' words in at::Philox4_32's order: words[4 l + j] is word j of block l.
SDEBENCH_VECTOR_INLINE void philox_blocks(const PhiloxStream& s, std::uint32_t first_block,
                                          std::uint32_t* words) {
  for (int base = 0; base < kBlocks; base += 8) {
    v8u x[4];
    philox8(s, first_block + static_cast<std::uint32_t>(base), x);
    for (int l = 0; l < 8; ++l)
      for (int j = 0; j < 4; ++j) words[4 * (base + l) + j] = x[j][l];
  }
}

// Box-Muller on eight pairs: words (2p, 2p + 1) -> out[2p] = r cos, out[2p + 1] = r sin, for
// the pairs p < count; normals at index >= n are not written.
SDEBENCH_VECTOR_INLINE void box_muller8(const std::uint32_t* words, float* out, int count,
                                        std::int64_t room) {
  v8u w1 = {}, w2 = {};
  for (int l = 0; l < count; ++l) {
    w1[l] = words[2 * l];
    w2[l] = words[2 * l + 1];
  }
  const v8f u1 = __builtin_convertvector((v8i)((w1 >> 8) + 1), v8f) * 0x1p-24f;
  const v8f radius = sqrt_nonnegative(-2.0f * log_unit(u1));
  v8f sine, cosine;
  sincos_of_turn((v8i)(w2 >> 8), sine, cosine);
  const v8f a = radius * cosine, b = radius * sine;
  for (int l = 0; l < count; ++l) {
    if (2 * l < room) out[2 * l] = a[l];
    if (2 * l + 1 < room) out[2 * l + 1] = b[l];
  }
}

// Compiled for x86-64-v3 (AVX2, FMA) and the baseline; the loader picks one.
__attribute__((target_clones("arch=x86-64-v3", "default"))) void fill_float(
    const PhiloxStream& s, float* out, std::int64_t n) {
  std::uint32_t words[4 * kBlocks];
  const std::int64_t per_pass = 4 * kBlocks;  // normals per pass (two per pair of words)
  for (std::int64_t start = 0, block = 0; start < n; start += per_pass, block += kBlocks) {
    philox_blocks(s, static_cast<std::uint32_t>(block), words);
    const std::int64_t room = n - start;
    const std::int64_t pairs = std::min<std::int64_t>(2 * kBlocks, (room + 1) / 2);
    for (std::int64_t p = 0; p < pairs; p += 8)
      box_muller8(words + 2 * p, out + start + 2 * p,
                  static_cast<int>(std::min<std::int64_t>(8, pairs - p)), room - 2 * p);
  }
}

double uniform53(at::Philox4_32& engine) {
  const std::uint64_t high = engine() >> 5, low = engine() >> 6;  // 27 + 26 bits
  return static_cast<double>((high << 26) | low) * 0x1p-53;
}

void fill_double(const PhiloxStream& s, double* out, std::int64_t n) {
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  at::Philox4_32 engine(s.key, s.stream, static_cast<std::uint64_t>(s.part) << 32);
  for (std::int64_t i = 0; i < n; i += 2) {
    const double u1 = uniform53(engine) + 0x1p-53;  // (0, 1]
    const double angle = kTwoPi * uniform53(engine);
    const double radius = std::sqrt(-2.0 * std::log(u1));
    out[i] = radius * std::cos(angle);
    if (i + 1 < n) out[i + 1] = radius * std::sin(angle);
  }
}

}  // namespace

void philox_standard_normal(const PhiloxStream& stream, torch::Tensor& out) {
  if (!out.is_contiguous())
    throw std::invalid_argument("philox_standard_normal: the tensor must be contiguous");
  // The block counter is 32 bits wide (the part takes the next 32).
  if (out.numel() >= (std::int64_t{1} << 33))
    throw std::invalid_argument("philox_standard_normal: at most 2^33 values per tensor");
  if (out.scalar_type() == torch::kFloat32)
    fill_float(stream, out.data_ptr<float>(), out.numel());
  else if (out.scalar_type() == torch::kFloat64)
    fill_double(stream, out.data_ptr<double>(), out.numel());
  else
    throw std::invalid_argument("philox_standard_normal: float32 or float64 only");
}

}  // namespace sdebench
