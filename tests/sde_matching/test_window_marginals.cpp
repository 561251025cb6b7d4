// posterior_marginals = "windows": q(z_t | X) from the first-frames MLP on every window of k
// frames, averaged in time by the Gaussian time attention. Checked against an independent
// computation (each window's code from first_frames_code on that window alone, weights
// written out), its time derivatives against finite differences, its locality (a frame moves
// only the marginals near the windows that hold it) and its refusals.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>
#include <string>

#include "check_helpers.h"
#include "methods/sde_matching/posterior.h"
#include "methods/sde_matching/sde_matching.h"

using namespace sdebench;
using namespace sdebench::testing;

namespace {

PosteriorConfig window_config(std::int64_t dims, std::int64_t k, double sharpness) {
  PosteriorConfig c;
  c.data_dims = dims;
  c.latent = 2;
  c.marginals = "windows";
  c.encoder_frames = k;
  c.frames_hidden = 10;
  c.frames_layers = 2;
  c.sharpness = sharpness;
  return c;
}

}  // namespace

TEST_CASE("window marginals: Gaussian-weighted average of each window's first-frames code",
          "[posterior][windows]") {
  torch::manual_seed(31);
  const std::int64_t B = 3, T = 8, D = 4, k = 3, W = T - k + 1, Q = 5;
  const double L = 4.0;
  Posterior post(window_config(D, k, L));
  post->to(torch::kFloat64);
  auto times = torch::linspace(1.0, 3.0, T, torch::kFloat64);
  auto values = torch::randn({B, T, D}, torch::kFloat64);
  auto mask = (torch::rand({B, T, D}, torch::kFloat64) > 0.2).to(torch::kFloat64);
  auto enc = post->encode(values, mask, times);
  REQUIRE(enc.states.sizes() == torch::IntArrayRef({B, W, 4}));

  // Independently: window j's code is q(z_0 | ...) of the sequence that starts at frame j.
  std::vector<torch::Tensor> codes;
  for (std::int64_t j = 0; j < W; ++j) {
    auto code = post->first_frames_code(values.narrow(1, j, T - j), mask.narrow(1, j, T - j));
    codes.push_back(torch::cat({code.mean, code.log_std}, -1));
  }
  auto stacked = torch::stack(codes, 1);  // [B, W, 2d]
  CHECK(relative_error(enc.states, stacked) < 1e-14);

  auto t = 1.0 + 2.0 * torch::rand({B, Q}, torch::kFloat64);
  auto m = post->marginal(enc, t, true);
  auto s = (t - 1.0) / 2.0;                                             // the sequence's frame
  auto window_s = torch::linspace(0.0, 1.0, T, torch::kFloat64).narrow(0, 0, W);  // window starts
  auto w = torch::softmax(-(L * (window_s.view({1, 1, W}) - s.unsqueeze(-1))).square(), -1);
  auto expected = torch::einsum("bqw,bwc->bqc", {w, stacked});
  CHECK(relative_error(m.mu, expected.narrow(-1, 0, 2)) < 1e-13);
  CHECK(relative_error(m.log_sigma, expected.narrow(-1, 2, 2)) < 1e-13);

  auto f = [&](torch::Tensor u) {
    auto mm = post->marginal(enc, u, false);
    return torch::cat({mm.mu, mm.log_sigma}, -1);
  };
  auto tangent = torch::cat({m.dmu_dt, m.dlog_sigma_dt}, -1);
  CHECK(relative_error(tangent, central_difference(f, t, torch::ones_like(t))) < 1e-6);

  // attention_sharpness = 0: L is the number of encoded observations T (not of windows W), as
  // for the GRU's attention, so the weights' width is about one frame.
  Posterior zero(window_config(D, k, 0.0));
  zero->to(torch::kFloat64);
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < zero->parameters().size(); ++i)
    zero->parameters()[i].copy_(post->parameters()[i]);
  auto m0 = zero->marginal(zero->encode(values, mask, times), t, false);
  auto w0 = torch::softmax(-(double(T) * (window_s.view({1, 1, W}) - s.unsqueeze(-1))).square(), -1);
  CHECK(relative_error(m0.mu, torch::einsum("bqw,bwc->bqc", {w0, stacked}).narrow(-1, 0, 2)) < 1e-13);
}

TEST_CASE("window marginals with encoder 'conv': each window's code from its frames' features",
          "[posterior][windows]") {
  torch::manual_seed(33);
  const std::int64_t B = 2, T = 6, side = 8, k = 2, W = T - k + 1;
  auto c = window_config(side * side, k, 0.0);
  c.encoder = "conv";
  c.frame_encoder.channels = 2;
  c.frame_encoder.features = 5;
  Posterior post(c);
  post->to(torch::kFloat64);
  auto times = torch::linspace(0.0, 1.0, T, torch::kFloat64);
  auto values = torch::rand({B, T, side * side}, torch::kFloat64);
  auto mask = torch::ones_like(values);
  mask[1][3].zero_();  // one frame missing: its features enter as unobserved
  auto enc = post->encode(values, mask, times);
  REQUIRE(enc.states.size(1) == W);
  for (std::int64_t j = 0; j < W; ++j) {
    INFO("window " << j);
    auto code = post->first_frames_code(values.narrow(1, j, T - j), mask.narrow(1, j, T - j));
    CHECK(relative_error(enc.states.select(1, j), torch::cat({code.mean, code.log_std}, -1)) < 1e-13);
  }
}

TEST_CASE("posterior_marginals = \"windows\" through the method: no GRU, a step, evaluation and "
          "a forecast", "[method][windows]") {
  torch::manual_seed(34);
  const std::int64_t B = 3, T = 9, D = 2;
  auto times = torch::linspace(0.0, 1.0, T, torch::kFloat64);
  Options o;
  o.set("posterior_marginals", std::string("windows"));
  o.set("encoder_frames", std::int64_t{3});
  o.set("time_normalisation", std::string("absolute"));
  o.set("prior_width", std::int64_t{8});
  o.set("diffusion_width", std::int64_t{4});
  o.set("time_samples", std::int64_t{4});
  SdeMatching method(SdeMatchingConfig::from_options(o, D), DataShape{D, times, torch::kFloat64});
  CHECK(method.posterior->gru.is_empty());
  CHECK(method.posterior->net.is_empty());
  Batch batch{times, torch::randn({B, T, D}, torch::kFloat64), torch::ones({B, T, D}, torch::kFloat64)};
  method.zero_grad();
  auto terms = method.train_step(batch, StepContext{});
  CHECK(std::isfinite(terms.total));
  for (const auto& p : method.posterior->parameters()) {
    REQUIRE(p.grad().defined());
    CHECK(torch::isfinite(p.grad()).all().item<bool>());
  }
  CHECK(std::isfinite(method.evaluate(batch, EvalOptions{4, 2}).at("nelbo")));
  auto fc = method.forecast(batch, 3, times, 2);
  CHECK(fc.sizes() == torch::IntArrayRef({2, B, T, D}));
  CHECK(torch::isfinite(fc).all().item<bool>());

  Options ignored = o;
  ignored.set("encoder_hidden", std::int64_t{8});
  CHECK_THROWS_WITH(SdeMatchingConfig::from_options(ignored, D),
                    Catch::Contains("encoder_hidden = 8 does not apply"));
}

TEST_CASE("window marginals are local: a frame moves only the marginals near its windows",
          "[posterior][windows]") {
  torch::manual_seed(32);
  const std::int64_t B = 2, T = 40, D = 3, k = 3;
  Posterior post(window_config(D, k, /*sharpness=*/0.0));  // 0: L = T, width about a frame
  post->to(torch::kFloat64);
  auto times = torch::linspace(0.0, 3.9, T, torch::kFloat64);
  auto values = torch::randn({B, T, D}, torch::kFloat64);
  auto mask = torch::ones_like(values);
  auto changed = values.clone();
  changed.select(1, T - 1).add_(5.0);  // the last frame: only the last window holds it
  // Early times sit about 27-39 frames from the last window, so its weight, e^{-(L ds)^2} with
  // L ds about 1 per frame, underflows to exactly 0: hence bit-identical marginals below.

  auto early = torch::tensor({0.0, 0.5, 1.0}, torch::kFloat64).unsqueeze(0).expand({B, 3});
  auto late = torch::full({B, 1}, 3.9, torch::kFloat64);
  auto before = post->marginal(post->encode(values, mask, times), early, true);
  auto after = post->marginal(post->encode(changed, mask, times), early, true);
  CHECK(torch::equal(before.mu, after.mu));
  CHECK(torch::equal(before.dmu_dt, after.dmu_dt));
  auto moved = post->marginal(post->encode(changed, mask, times), late, false).mu -
               post->marginal(post->encode(values, mask, times), late, false).mu;
  CHECK(moved.abs().max().item<double>() > 1e-6);
}

TEST_CASE("window marginals refuse what they cannot do", "[posterior][windows]") {
  auto c = window_config(3, 0, 0.0);
  CHECK_THROWS_WITH(Posterior(c), Catch::Contains("needs encoder_frames"));
  c = window_config(3, 2, 0.0);
  c.encode_mask = true;
  CHECK_THROWS_WITH(Posterior(c), Catch::Contains("encode_mask"));
  c = window_config(3, 2, 0.0);
  c.marginals = "spline";
  CHECK_THROWS_WITH(Posterior(c), Catch::Contains("'attention' or 'windows'"));

  Posterior post(window_config(3, 4, 0.0));
  auto values = torch::randn({2, 4, 3});
  CHECK_THROWS_WITH(post->encode(values, torch::ones_like(values), torch::arange(4.0)),
                    Catch::Contains("at least k + 1 = 5"));
  auto per_row_times = torch::arange(4.0).unsqueeze(0).expand({2, 4}).contiguous();
  CHECK_THROWS_WITH(post->encode(values, torch::ones_like(values), per_row_times,
                                 torch::full({2}, 4, torch::kLong)),
                    Catch::Contains("one shared time grid"));
}
