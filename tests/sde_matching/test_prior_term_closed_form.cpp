// SDE Matching's prior term L_diff = (t1 - t0) E_t E_q 1/2 |(f - h)/g|^2 against a closed form,
// in training (sde_matching_loss) and in evaluation (evaluate_nelbo), which share it. With
// constant marginals N(mu, sigma^2), a constant diffusion g and a constant prior drift h, the
// posterior drift is f = -1/2 g^2 eps / sigma (eps ~ N(0, 1)), so per latent dimension
//   E 1/2 ((f - h)/g)^2 = 1/2 (g^2 / (4 sigma^2) + h^2 / g^2).
// A missing 1/2, a wrong power of g or a dropped (t1 - t0) moves the estimate by 2x or more;
// the Monte Carlo error here is about 1%.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>

#include "methods/sde_matching/generative_model.h"
#include "methods/sde_matching/loss.h"
#include "methods/sde_matching/posterior.h"

using namespace sdebench;

namespace {

void make_constant(MLP& net, const std::vector<double>& bias) {
  torch::NoGradGuard no_grad;
  for (auto& p : net->parameters()) p.zero_();
  net->layers().back()->bias.copy_(torch::tensor(bias, torch::kFloat64));
}

}  // namespace

TEST_CASE("SDE Matching's prior term equals its closed form for constant marginals, diffusion "
          "and prior drift", "[loss][closed_form]") {
  const std::vector<double> mu{0.3, -0.2}, log_sigma{-0.5, 0.2}, h{0.4, -0.3}, b2{0.6, -0.4};
  const double t0 = 0.5, t1 = 2.0;
  double expected = 0;
  for (int i = 0; i < 2; ++i) {
    const double g = 1.0 / (1.0 + std::exp(-b2[i])), s = std::exp(log_sigma[i]);
    expected += 0.5 * (g * g / (4 * s * s) + h[i] * h[i] / (g * g));
  }
  expected *= t1 - t0;

  torch::manual_seed(21);
  GenerativeModelConfig gc;
  gc.data_dims = 2;
  gc.latent = 2;
  gc.prior_width = 6;
  gc.diffusion_width = 5;
  GenerativeModel model(gc);
  PosteriorConfig pc;
  pc.data_dims = 2;
  pc.latent = 2;
  pc.encoder_hidden = 4;
  pc.width = 6;
  pc.layers = 1;
  Posterior posterior(pc);
  model->to(torch::kFloat64);
  posterior->to(torch::kFloat64);
  make_constant(model->prior_drift, h);
  std::vector<double> out = mu;
  out.insert(out.end(), log_sigma.begin(), log_sigma.end());
  make_constant(posterior->net, out);
  {
    torch::NoGradGuard no_grad;
    model->diffusion->w2.zero_();
    model->diffusion->b2.copy_(torch::tensor(b2, torch::kFloat64));
  }
  Batch batch{torch::linspace(t0, t1, 5, torch::kFloat64), torch::randn({2, 5, 2}, torch::kFloat64),
              torch::ones({2, 5, 2}, torch::kFloat64)};

  const auto noise = draw_loss_noise(2, 20000, batch.times, 2, torch::kFloat64);
  const auto parts = sde_matching_loss(*model, *posterior, batch, noise, RecEstimator::Single);
  for (std::int64_t b = 0; b < 2; ++b) CHECK(parts.diff[b].item<double>() == Approx(expected).epsilon(0.05));

  torch::NoGradGuard no_grad;
  const auto metrics = evaluate_nelbo(*model, *posterior, batch, 2000, 8);
  CHECK(metrics.at("diff") == Approx(expected).epsilon(0.05));
}
