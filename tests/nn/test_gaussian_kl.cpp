// core/nn/gaussian_kl: the initial-state KL of every latent-variable method, against the closed
// form written per dimension in doubles, which is itself checked by Monte Carlo.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>

#include "core/nn/gaussian_kl.h"

using namespace sdebench;

namespace {

// KL(N(m, s^2) || N(m0, s0^2)) for scalars.
double kl_closed_form(double m, double s, double m0, double s0) {
  return std::log(s0 / s) + (s * s + (m - m0) * (m - m0)) / (2 * s0 * s0) - 0.5;
}

double log_density(double x, double m, double s) {
  const double r = (x - m) / s;
  return -0.5 * r * r - std::log(s) - 0.5 * std::log(2 * M_PI);
}

}  // namespace

TEST_CASE("the scalar closed form agrees with a Monte Carlo estimate of E_q[log q - log p]",
          "[gaussian_kl]") {
  torch::manual_seed(5);
  const double m = 0.7, s = 0.4, m0 = -0.3, s0 = 1.6;
  auto x = (m + s * torch::randn({400000}, torch::kFloat64)).contiguous();
  const double* p = x.data_ptr<double>();
  double sum = 0, sum_sq = 0;
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    const double v = log_density(p[i], m, s) - log_density(p[i], m0, s0);
    sum += v;
    sum_sq += v * v;
  }
  const double n = static_cast<double>(x.numel()), mean = sum / n;
  const double standard_error = std::sqrt((sum_sq / n - mean * mean) / n);
  CHECK(std::fabs(mean - kl_closed_form(m, s, m0, s0)) < 4 * standard_error);
}

TEST_CASE("diagonal_gaussian_kl is the closed form summed over dimensions, prior broadcast",
          "[gaussian_kl]") {
  torch::manual_seed(6);
  auto mean = torch::randn({4, 3}, torch::kFloat64);
  auto log_std = 0.5 * torch::randn({4, 3}, torch::kFloat64);
  auto prior_mean = torch::randn({3}, torch::kFloat64);
  auto prior_log_std = 0.5 * torch::randn({3}, torch::kFloat64);
  auto kl = diagonal_gaussian_kl(mean, log_std, prior_mean, prior_log_std);
  REQUIRE(kl.sizes() == torch::IntArrayRef({4}));
  for (std::int64_t b = 0; b < 4; ++b) {
    double expected = 0;
    for (std::int64_t i = 0; i < 3; ++i)
      expected += kl_closed_form(mean[b][i].item<double>(), std::exp(log_std[b][i].item<double>()),
                                 prior_mean[i].item<double>(),
                                 std::exp(prior_log_std[i].item<double>()));
    CHECK(kl[b].item<double>() == Approx(expected).epsilon(1e-12));
  }
  // Zero exactly when q = p.
  CHECK(diagonal_gaussian_kl(prior_mean, prior_log_std, prior_mean, prior_log_std).item<double>() ==
        0.0);
}
