// The posterior's exact d mu/dt, d log sigma/dt (one tangent pass through the attention and
// the MLP) against finite differences, the double-backward JVP and forward-mode AD in float64,
// on times that are not [0, 1] (so the 1/span chain factor is exercised).
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "check_helpers.h"
#include "methods/sde_matching/posterior.h"

using namespace sdebench;
using namespace sdebench::testing;

TEST_CASE("posterior time derivatives are exact", "[posterior]") {
  torch::manual_seed(21);
  PosteriorConfig c;
  c.data_dims = 3;
  c.latent = 2;
  c.encoder_hidden = 12;
  c.width = 16;
  c.layers = 2;
  c.sharpness = 7.0;
  Posterior post(c);
  post->to(torch::kFloat64);
  const std::int64_t B = 4, T = 9, Q = 6;
  auto times = torch::linspace(2.0, 5.0, T, torch::kFloat64);
  auto values = torch::randn({B, T, 3}, torch::kFloat64);
  auto mask = torch::ones_like(values);
  auto enc = post->encode(values, mask, times);
  auto t = 2.0 + 3.0 * torch::rand({B, Q}, torch::kFloat64);

  auto m = post->marginal(enc, t, true);
  auto tangent = torch::cat({m.dmu_dt, m.dlog_sigma_dt}, -1);
  auto f = [&](torch::Tensor s) {
    auto mm = post->marginal(enc, s, false);
    return torch::cat({mm.mu, mm.log_sigma}, -1);
  };
  auto value = f(t);
  CHECK(relative_error(torch::cat({m.mu, m.log_sigma}, -1), value) < 1e-14);
  auto v = torch::ones_like(t);
  CHECK(relative_error(tangent, central_difference(f, t, v)) < 1e-6);
  CHECK(relative_error(tangent, double_backward_jvp(f, t, v)) < 1e-6);
  // Forward AD through an independent re-implementation of the marginal network from plain
  // ops (the fused contraction is a custom autograd Function, which forward AD cannot enter);
  // the GRU states are constants here.
  auto states = enc.states.detach();
  auto g = [&](torch::Tensor s) {
    auto u = (s - 2.0) / 3.0;  // normalised time
    auto w = torch::softmax(-(7.0 * (enc.keys.view({1, 1, -1}) - u.unsqueeze(-1))).square(), -1);
    auto ctx = torch::einsum("bqt,bth->bqh", {w, states}) + states.select(1, -1).unsqueeze(1);
    return post->net->forward(torch::cat({ctx, u.unsqueeze(-1)}, -1));
  };
  CHECK(relative_error(g(t), value) < 1e-13);
  CHECK(relative_error(tangent, forward_ad_jvp(g, t, v)) < 1e-6);
}
