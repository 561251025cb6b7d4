// Training on a small Ornstein-Uhlenbeck data set recovers the drift.
// Data: dx = theta (m - x) dt + s dW on [0, 2] (not [0, 1], so the time frame is exercised),
// x_0 spread over [-1.5, 2.5], observed at 21 times with N(0, 0.05^2) noise. Latent size 1:
// the decoder x = w z + b makes the latent an affine image of x, so the learned drift is
// compared in data space: drift_x(x) = w h((x - b) / w), against theta (m - x).
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>

#include "methods/sde_matching/sde_matching.h"

using namespace sdebench;

namespace {
constexpr double kTheta = 2.0, kMean = 0.5, kDiffusion = 0.4, kObsNoise = 0.05;

Batch ou_data(std::int64_t paths, std::int64_t obs) {
  torch::NoGradGuard no_grad;
  auto times = torch::linspace(0.0, 2.0, obs, torch::kFloat64);
  const int substeps = 20;
  const double dt = 2.0 / double(obs - 1) / substeps;
  auto x = -1.5 + 4.0 * torch::rand({paths}, torch::kFloat64);
  std::vector<torch::Tensor> xs{x};
  for (std::int64_t i = 1; i < obs; ++i) {
    for (int k = 0; k < substeps; ++k)  // Euler-Maruyama on a fine grid
      x = x + kTheta * (kMean - x) * dt + kDiffusion * std::sqrt(dt) * torch::randn_like(x);
    xs.push_back(x);
  }
  auto values = torch::stack(xs, 1).unsqueeze(-1);
  values += kObsNoise * torch::randn_like(values);
  return {times, values.to(torch::kFloat32), torch::ones_like(values).to(torch::kFloat32)};
}

struct DriftFit {
  double max_error, slope;
};

// The learned drift in data space at a few states, against theta (m - x).
DriftFit drift_fit(SdeMatching& method, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  const double w = method.model->observation->net->layers()[0]->weight.item<double>();
  const double b = method.model->observation->net->layers()[0]->bias.item<double>();
  auto z = ((x - b) / w).unsqueeze(-1);
  auto drift_x = (w * method.model->drift(torch::zeros({}, z.options()), z)).squeeze(-1);
  auto truth = kTheta * (kMean - x);
  const double slope = ((drift_x[-1] - drift_x[0]) / (x[-1] - x[0])).item<double>();
  return {(drift_x - truth).abs().max().item<double>(), slope};
}

Options small_model() {
  Options o;
  o.set("latent_size", std::int64_t{1});
  o.set("encoder_hidden", std::int64_t{16});
  o.set("posterior_width", std::int64_t{32});
  o.set("prior_width", std::int64_t{32});
  o.set("diffusion_width", std::int64_t{16});
  o.set("attention_sharpness", 20.0);
  o.set("noise_std", kObsNoise);
  return o;
}
}  // namespace

TEST_CASE("SDE Matching recovers an OU drift", "[ou]") {
  // Tolerance: max |learned - true drift| <= 0.35 over x in [-0.5, 1.5] (the true drift spans
  // [-2, 2] there), and the secant slope within 25% of -theta. With 256 paths over 2 time
  // units the OU rate itself is only determined to about +-0.1 (std of the MLE
  // ~ sqrt(2 theta / (paths * time)) ~ 0.09), the edges of the state range are seen less
  // often, and 400 Adam steps do not fully converge; the untrained model misses by far more.
  // Measured max errors over seeds 51, 52, 53: 0.26, 0.22, 0.03 (slopes -1.87, -1.78, -1.99).
  torch::manual_seed(51);
  auto data = ou_data(256, 21);
  DataShape shape{1, data.times, torch::kFloat32};
  SdeMatching method(SdeMatchingConfig::from_options(small_model(), 1), shape);
  auto x = torch::tensor({-0.5, 0.0, 0.5, 1.0, 1.5}, torch::kFloat32);
  const auto before = drift_fit(method, x);
  CHECK(before.max_error > 0.35);

  torch::optim::Adam adam(method.parameters(), torch::optim::AdamOptions(1e-2));
  for (int it = 0; it < 400; ++it) {
    adam.zero_grad();
    method.train_step(data, StepContext{it, 1.0});
    adam.step();
  }
  const auto after = drift_fit(method, x);
  INFO("max drift error " << after.max_error << ", slope " << after.slope);
  CHECK(after.max_error <= 0.35);
  CHECK(after.slope == Approx(-kTheta).epsilon(0.25));
}
