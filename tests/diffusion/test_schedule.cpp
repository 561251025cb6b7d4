// The VP schedule against quadrature of beta, and the reverse SDE's coefficients against
// their closed forms.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>

#include "methods/diffusion/reverse_sde.h"
#include "methods/diffusion/vp_schedule.h"

using namespace sdebench;

TEST_CASE("VP schedule: alpha = exp(-1/2 int beta), alpha^2 + sigma^2 = 1", "[diffusion]") {
  VpSchedule s{0.1, 20.0};
  for (double t : {1e-4, 0.01, 0.3, 0.77, 1.0}) {
    // Simpson's rule on int_0^t beta (exact for a linear beta, but independent of the formula).
    const int n = 100;
    double integral = 0.0;
    for (int i = 0; i <= n; ++i) {
      const double u = t * i / n;
      const double w = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
      integral += w * s.beta(u);
    }
    integral *= t / (3.0 * n);
    CHECK(s.alpha(t) == Approx(std::exp(-0.5 * integral)).epsilon(1e-12));
    CHECK(s.alpha(t) * s.alpha(t) + s.sigma(t) * s.sigma(t) == Approx(1.0).epsilon(1e-12));
    auto tt = torch::full({3}, t, torch::kFloat64);
    CHECK(s.alpha(tt)[1].item<double>() == Approx(s.alpha(t)).epsilon(1e-12));
    CHECK(s.sigma(tt)[2].item<double>() == Approx(s.sigma(t)).epsilon(1e-12));
  }
  // sigma keeps its relative precision at tiny t: sigma^2 ~ beta_min t.
  CHECK(s.sigma(1e-9) == Approx(std::sqrt(0.1e-9)).epsilon(1e-6));
}

TEST_CASE("reverse VP-SDE: drift and diffusion in reversed time s = 1 - t", "[diffusion]") {
  VpSchedule s{0.1, 20.0};
  auto score = [](const torch::Tensor& x, double t) { return -x * (1.0 + t); };
  ReverseVpSde sde(s, score, false), flow(s, score, true);
  auto y = torch::tensor({{0.3, -1.2}}, torch::kFloat64);
  const double time_s = 0.25, t = 0.75, b = s.beta(t);
  auto expected_drift = 0.5 * b * y + b * score(y, t);
  CHECK(torch::allclose(sde.drift(time_s, y), expected_drift, 1e-12, 1e-12));
  CHECK(torch::allclose(sde.diffusion(time_s, y), torch::full_like(y, std::sqrt(b))));
  CHECK(torch::allclose(flow.drift(time_s, y), 0.5 * b * y + 0.5 * b * score(y, t), 1e-12, 1e-12));
  CHECK(flow.diffusion(time_s, y).abs().max().item<double>() == 0.0);
  CHECK(sde.additive());
  CHECK(sde.noise_type() == NoiseType::Diagonal);
}
