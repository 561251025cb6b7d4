// SDE Matching's prior term at t0, KL(q(z_0) || p(z_0)) with a learned p(z_0), against core's
// diagonal_gaussian_kl (itself checked against the closed form and Monte Carlo in tests/nn).
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "core/nn/gaussian_kl.h"
#include "methods/sde_matching/generative_model.h"

using namespace sdebench;

TEST_CASE("the generative model's initial KL is the Gaussian KL to its learned p(z_0)",
          "[prior][kl]") {
  torch::manual_seed(8);
  GenerativeModelConfig config;
  config.data_dims = 2;
  config.latent = 3;
  config.prior_width = 8;
  config.diffusion_width = 8;
  GenerativeModel model(config);
  model->to(torch::kFloat64);
  {
    // Away from the initial N(0, I), so that a slip in m0 or log_s0 shows.
    torch::NoGradGuard no_grad;
    model->m0.copy_(torch::tensor({0.5, -1.0, 0.2}, torch::kFloat64));
    model->log_s0.copy_(torch::tensor({0.3, -0.4, 0.1}, torch::kFloat64));
  }
  auto mu = torch::randn({5, 3}, torch::kFloat64);
  auto log_sigma = 0.5 * torch::randn({5, 3}, torch::kFloat64);
  auto expected = diagonal_gaussian_kl(mu, log_sigma, model->m0, model->log_s0);
  CHECK(torch::allclose(model->kl_initial(mu, log_sigma), expected, 1e-12, 1e-12));
}
