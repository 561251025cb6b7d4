// core/philox_normal: counter-based normals (a pure function of key, stream and position, with
// the standard normal law), and the fast_math log and sin/cos behind the float path, against
// libm in double precision.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "core/nn/fast_math.h"
#include "core/philox_normal.h"

#include <ATen/core/PhiloxRNGEngine.h>

#pragma GCC diagnostic ignored "-Wpsabi"

using namespace sdebench;

namespace {
// Kolmogorov-Smirnov distance between the sample and the standard normal CDF.
double ks_distance_to_normal(const torch::Tensor& sample) {
  auto sorted = std::get<0>(sample.to(torch::kFloat64).flatten().sort());
  const auto* x = sorted.data_ptr<double>();
  const auto n = sorted.numel();
  double worst = 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double cdf = 0.5 * std::erfc(-x[i] / std::sqrt(2.0));
    worst = std::max({worst, std::abs(cdf - static_cast<double>(i) / n),
                      std::abs(cdf - static_cast<double>(i + 1) / n)});
  }
  return worst;
}
}  // namespace

TEST_CASE("Philox normals are a pure function of (key, stream, part) and standard normal",
          "[brownian]") {
  const auto dtype = GENERATE(torch::kFloat32, torch::kFloat64);
  const std::int64_t n = 200001;  // odd: the last Box-Muller pair is half used
  auto draw = [&](PhiloxStream s, std::int64_t count) {
    auto out = torch::empty({count}, torch::TensorOptions().dtype(dtype));
    philox_standard_normal(s, out);
    return out;
  };
  auto z = draw({11, 5, 0}, n);
  REQUIRE(torch::equal(z, draw({11, 5, 0}, n)));
  // A stream is a sequence: a shorter draw is its prefix (also one that ends mid-block).
  REQUIRE(torch::equal(z.slice(0, 0, 1000), draw({11, 5, 0}, 1000)));
  REQUIRE(torch::equal(z.slice(0, 0, 37), draw({11, 5, 0}, 37)));
  REQUIRE_FALSE(torch::equal(z.slice(0, 0, 1000), draw({11, 6, 0}, 1000)));
  REQUIRE_FALSE(torch::equal(z.slice(0, 0, 1000), draw({12, 5, 0}, 1000)));
  REQUIRE_FALSE(torch::equal(z.slice(0, 0, 1000), draw({11, 5, 1}, 1000)));

  const double mean = z.to(torch::kFloat64).mean().item<double>();
  const double var = z.to(torch::kFloat64).var().item<double>();
  REQUIRE(std::abs(mean) < 4.0 / std::sqrt(double(n)));
  REQUIRE(std::abs(var - 1.0) < 4.0 * std::sqrt(2.0 / n));
  // KS at the 0.1% level (critical value 1.95 / sqrt(n)).
  REQUIRE(ks_distance_to_normal(z) < 1.95 / std::sqrt(double(n)));
  // Neighbouring values are uncorrelated (Box-Muller's pairs included).
  auto a = z.slice(0, 0, n - 1).to(torch::kFloat64), b = z.slice(0, 1, n).to(torch::kFloat64);
  REQUIRE(std::abs((a * b).mean().item<double>()) < 4.0 / std::sqrt(double(n)));
  REQUIRE(z.isfinite().all().item<bool>());
}

TEST_CASE("float normals are Box-Muller on LibTorch's Philox4x32-10 words", "[brownian]") {
  // An independent implementation: at::Philox4_32's scalar words through double-precision
  // libm Box-Muller. The vectorised Philox must give the very same words (else the values
  // would be unrelated), and the float polynomials agree to a few float ulps.
  const PhiloxStream s{0x1234567890abcdefULL, (7ULL << 58) | 12345, 1};
  const std::int64_t n = 1001;
  auto got = torch::empty({n}, torch::kFloat32);
  philox_standard_normal(s, got);
  at::Philox4_32 engine(s.key, s.stream, static_cast<std::uint64_t>(s.part) << 32);
  double worst = 0.0;
  for (std::int64_t i = 0; i < n; i += 2) {
    const std::uint32_t w1 = engine(), w2 = engine();
    const double u1 = static_cast<double>((w1 >> 8) + 1) * 0x1p-24;
    const double angle = 2.0 * M_PI * static_cast<double>(w2 >> 8) * 0x1p-24;
    const double r = std::sqrt(-2.0 * std::log(u1));
    worst = std::max(worst, std::abs(got[i].item<float>() - r * std::cos(angle)));
    if (i + 1 < n) worst = std::max(worst, std::abs(got[i + 1].item<float>() - r * std::sin(angle)));
  }
  INFO("largest difference " << worst);
  REQUIRE(worst < 5e-6);  // |z| < 5.8, a few float ulps of r
}

TEST_CASE("fast_math log_unit and sincos_of_turn agree with libm", "[fast_math]") {
  using namespace fast_math;
  double worst_log = 0.0, worst_trig = 0.0;
  // log on (0, 1]: every 24-bit uniform's neighbourhood, sampled on a stride.
  for (std::uint32_t k = 1; k <= (1u << 24); k += 4099) {
    v8f u;
    for (int l = 0; l < 8; ++l) u[l] = static_cast<float>(std::min<std::uint32_t>(k + l, 1u << 24)) * 0x1p-24f;
    const v8f got = log_unit(u);
    for (int l = 0; l < 8; ++l) {
      const double exact = std::log(static_cast<double>(u[l]));
      worst_log = std::max(worst_log, std::abs(got[l] - exact) / std::max(1e-30, std::abs(exact)));
    }
  }
  REQUIRE(log_unit(splat(1.0f))[0] == 0.0f);
  // sqrt over the range Box-Muller needs (-2 log u1 in [0, 33.3]) and beyond.
  double worst_sqrt = 0.0;
  for (double x = 1e-12; x < 1e4; x *= 1.0137) {
    v8f v;
    for (int l = 0; l < 8; ++l) v[l] = static_cast<float>(x * (1.0 + 0.01 * l));
    const v8f got = sqrt_nonnegative(v);
    for (int l = 0; l < 8; ++l)
      worst_sqrt = std::max(worst_sqrt, std::abs(got[l] / std::sqrt(double(v[l])) - 1.0));
  }
  INFO("sqrt relative error " << worst_sqrt);
  REQUIRE(worst_sqrt < 3e-7);
  REQUIRE(sqrt_nonnegative(splat(0.0f))[3] == 0.0f);
  // sin, cos of 2 pi k / 2^24 over every quadrant, boundaries included.
  for (std::int32_t k0 = 0; k0 < (1 << 24); k0 += 1021) {
    v8i k;
    for (int l = 0; l < 8; ++l) k[l] = std::min(k0 + l * 262144, (1 << 24) - 1);
    v8f s, c;
    sincos_of_turn(k, s, c);
    for (int l = 0; l < 8; ++l) {
      const double angle = 2.0 * M_PI * k[l] / 16777216.0;
      worst_trig = std::max({worst_trig, std::abs(s[l] - std::sin(angle)), std::abs(c[l] - std::cos(angle))});
    }
  }
  INFO("log relative error " << worst_log << ", sin/cos absolute error " << worst_trig);
  REQUIRE(worst_log < 4e-7);    // a few float ulps
  REQUIRE(worst_trig < 4e-7);
}
