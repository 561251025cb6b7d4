// posterior_sigma_min / posterior_sigma_ramp: a floor on the posterior's std,
//   sigma(t) = exp(raw log sigma(t)) + floor(t),
// floor = sigma_min (ramp 0) or sigma_min tanh((t - t_first) / ramp). Checked against the same
// posterior without the floor (same weights) and the closed form, the time derivative against
// central differences, q(z_0 | first frames) against the marginal at the first time, each
// sequence's own first time with per-sequence times, and the options' path to the posterior.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>

#include "check_helpers.h"
#include "methods/sde_matching/posterior.h"
#include "methods/sde_matching/sde_matching.h"

using namespace sdebench;
using namespace sdebench::testing;

namespace {

PosteriorConfig small_config(const std::string& marginals, double sigma_min, double ramp) {
  PosteriorConfig c;
  c.data_dims = 3;
  c.latent = 2;
  c.encoder_hidden = 8;
  c.width = 10;
  c.layers = 2;
  c.sharpness = 5.0;
  c.marginals = marginals;
  c.encoder_frames = 2;
  c.frames_hidden = 8;
  c.sigma_min = sigma_min;
  c.sigma_ramp = ramp;
  return c;
}

// The same posterior with and without the floor: identical weights.
std::pair<Posterior, Posterior> floored_and_raw(const std::string& marginals, double sigma_min,
                                                double ramp) {
  torch::manual_seed(41);
  Posterior floored(small_config(marginals, sigma_min, ramp));
  Posterior raw(small_config(marginals, 0.0, 0.0));
  floored->to(torch::kFloat64);
  raw->to(torch::kFloat64);
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < raw->parameters().size(); ++i)
    raw->parameters()[i].copy_(floored->parameters()[i]);
  return {floored, raw};
}

torch::Tensor marginal_values(Posterior& post, const Encoding& enc, const torch::Tensor& t) {
  auto m = post->marginal(enc, t, false);
  return torch::cat({m.mu, m.log_sigma}, -1);
}

}  // namespace

TEST_CASE("sigma floor: sigma = exp(raw) + floor(t), exact time derivative",
          "[posterior][sigma_floor]") {
  const double sigma_min = 0.7;
  for (const std::string marginals : {"attention", "windows"})
    for (const double ramp : {0.0, 0.4}) {
      INFO(marginals << " ramp " << ramp);
      auto [floored, raw] = floored_and_raw(marginals, sigma_min, ramp);
      const std::int64_t B = 3, T = 7, Q = 5;
      auto times = torch::linspace(1.0, 2.5, T, torch::kFloat64);
      auto values = torch::randn({B, T, 3}, torch::kFloat64);
      auto mask = torch::ones_like(values);
      auto enc = floored->encode(values, mask, times);
      auto enc_raw = raw->encode(values, mask, times);
      auto t = 1.0 + 1.5 * torch::rand({B, Q}, torch::kFloat64);

      auto m = floored->marginal(enc, t, true);
      auto r = raw->marginal(enc_raw, t, true);
      CHECK(relative_error(m.mu, r.mu) == 0.0);
      CHECK(relative_error(m.dmu_dt, r.dmu_dt) == 0.0);
      auto floor = ramp > 0 ? sigma_min * torch::tanh((t - 1.0) / ramp).unsqueeze(-1)
                            : torch::full({1}, sigma_min, torch::kFloat64);
      auto expected_sigma = r.log_sigma.exp() + floor;
      CHECK(relative_error(m.log_sigma.exp(), expected_sigma) < 1e-14);
      CHECK((m.log_sigma.exp() >= floor - 1e-15).all().item<bool>());

      auto f = [&](torch::Tensor u) { return marginal_values(floored, enc, u); };
      auto tangent = torch::cat({m.dmu_dt, m.dlog_sigma_dt}, -1);
      CHECK(relative_error(tangent, central_difference(f, t, torch::ones_like(t))) < 1e-6);
    }
}

TEST_CASE("sigma floor: q(z_0 | first frames) is the marginal at the first time",
          "[posterior][sigma_floor]") {
  // With encoder_frames = k the attention posterior's marginal at t_first is the first-frames
  // code exactly, so a forecast draws z_0 from what training fitted: floored when the floor is
  // constant, not floored when it ramps up from 0.
  for (const double ramp : {0.0, 0.4}) {
    INFO("ramp " << ramp);
    auto [floored, raw] = floored_and_raw("attention", 0.5, ramp);
    const std::int64_t B = 2, T = 6;
    auto times = torch::linspace(3.0, 4.0, T, torch::kFloat64);
    auto values = torch::randn({B, T, 3}, torch::kFloat64);
    auto mask = torch::ones_like(values);
    auto code = floored->first_frames_code(values, mask);
    auto raw_code = raw->first_frames_code(values, mask);
    auto at_first = floored->marginal(floored->encode(values, mask, times),
                                      torch::full({B, 1}, 3.0, torch::kFloat64), false);
    CHECK(relative_error(at_first.mu.select(1, 0), code.mean) < 1e-14);
    CHECK(relative_error(at_first.log_sigma.select(1, 0), code.log_std) < 1e-14);
    auto expected = ramp > 0 ? raw_code.log_std : (raw_code.log_std.exp() + 0.5).log();
    CHECK(relative_error(code.log_std, expected) < 1e-14);
  }
}

TEST_CASE("sigma floor: the ramp starts at each sequence's own first time",
          "[posterior][sigma_floor][per_sequence]") {
  auto [floored, raw] = floored_and_raw("attention", 0.6, 0.3);
  const std::int64_t B = 2, T = 5;
  auto times = torch::tensor({0.0, 0.2, 0.4, 0.6, 0.8, 1.5, 1.7, 1.9, 1.9, 1.9},
                             torch::kFloat64).view({B, T});
  auto lengths = torch::tensor({5, 3}, torch::kLong);
  auto values = torch::randn({B, T, 3}, torch::kFloat64);
  auto mask = torch::ones_like(values);
  auto enc = floored->encode(values, mask, times, lengths);
  auto enc_raw = raw->encode(values, mask, times, lengths);
  auto t = torch::tensor({0.0, 0.5, 1.5, 1.8}, torch::kFloat64).view({B, 2});
  auto m = floored->marginal(enc, t, false);
  auto r = raw->marginal(enc_raw, t, false);
  auto first = torch::tensor({0.0, 1.5}, torch::kFloat64).view({B, 1});
  auto floor = 0.6 * torch::tanh((t - first) / 0.3).unsqueeze(-1);
  CHECK(relative_error(m.log_sigma.exp(), r.log_sigma.exp() + floor) < 1e-14);
  CHECK(relative_error(m.log_sigma.select(1, 0), r.log_sigma.select(1, 0)) < 1e-14);
}

TEST_CASE("sigma floor: the method's options reach the posterior", "[sde_matching][sigma_floor]") {
  Options o;
  o.set("posterior_sigma_min", 0.25);
  o.set("posterior_sigma_ramp", 0.1);
  auto c = SdeMatchingConfig::from_options(o, 3);
  CHECK(c.posterior.sigma_min == 0.25);
  CHECK(c.posterior.sigma_ramp == 0.1);
  auto d = SdeMatchingConfig::from_options(Options{}, 3);
  CHECK(d.posterior.sigma_min == 0.0);
  Options negative;
  negative.set("posterior_sigma_min", -0.1);
  CHECK_THROWS_WITH(SdeMatchingConfig::from_options(negative, 3),
                    Catch::Matchers::Contains("posterior_sigma_min"));
}
