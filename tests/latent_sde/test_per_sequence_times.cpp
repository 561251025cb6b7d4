// The latent SDE with each sequence on its own observation times (issue 19): padding changes no
// loss, gradient, metric, path or forecast; a per-sequence batch whose rows share one grid is the
// shared-grid batch to the last digit; and, where the noise is switched off (the only way to hold
// the Brownian path fixed across different step grids), a batch gives each sequence the ELBO
// terms and forecasts it gets alone.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "methods/latent_sde/latent_sde.h"
#include "../padded_batch.h"
#include "switch_off_noise.h"

using namespace sdebench;
using sdebench::testing::padded_batch;
using sdebench::testing::switch_off_noise;

namespace {

const std::int64_t kD = 2;

std::shared_ptr<LatentSde> make(const std::string& gradient, double dt = 0.05,
                                const std::string& solver = "euler") {
  LatentSdeMethodConfig c;
  c.model.data_dims = kD;
  c.model.latent = 2;
  c.model.context = 3;
  c.model.hidden = 5;
  c.model.prior_width = 5;
  c.model.diffusion_width = 5;
  c.model.observation.noise_std = 0.3;
  c.solver.gradient = parse_gradient(gradient);
  c.solver.method = solver;
  c.solver.dt = dt;
  DataShape shape{kD, torch::tensor({0.0, 3.0}, torch::kFloat64), torch::kFloat64, true};
  torch::manual_seed(1234);
  return std::make_shared<LatentSde>(c, shape);
}

struct Step {
  LossTerms terms;
  torch::Tensor grads;
};

Step step(LatentSde& m, const Batch& batch) {
  m.zero_grad();
  torch::manual_seed(99);
  Step s;
  s.terms = m.train_step(batch, {0, 0.7});
  std::vector<torch::Tensor> flat;
  for (auto& p : m.parameters())
    flat.push_back(p.grad().defined() ? p.grad().flatten() : torch::zeros({p.numel()}, p.options()));
  s.grads = torch::cat(flat);
  return s;
}

void require_same(const Step& a, const Step& b) {
  REQUIRE(a.terms.terms.size() == b.terms.terms.size());
  for (std::size_t i = 0; i < a.terms.terms.size(); ++i) {
    INFO(a.terms.terms[i].first);
    CHECK(a.terms.terms[i].second == b.terms.terms[i].second);
  }
  CHECK(torch::equal(a.grads, b.grads));
}

// Valid slots of a [.., B, T, ..] result, padding zeroed, for comparisons across paddings.
torch::Tensor valid(const torch::Tensor& x, const Batch& batch, std::int64_t batch_dim) {
  const auto T = batch.values.size(1);
  std::vector<std::int64_t> shape(static_cast<std::size_t>(x.dim()), 1);
  shape[batch_dim] = batch.values.size(0);
  shape[batch_dim + 1] = T;
  auto keep = (torch::arange(T).view({1, T}) < batch.lengths.view({-1, 1})).view(shape);
  return torch::where(keep, x, torch::zeros_like(x));
}

// Noise off: q(z_0) a point (log std -30) and g(z) = sigmoid(-30) ~ 1e-13 everywhere.
}  // namespace

TEST_CASE("latent SDE: padding changes no loss, gradient, metric, path or forecast",
          "[latent_sde][per_sequence]") {
  for (const std::string gradient : {"backprop", "adjoint"}) {
    INFO(gradient);
    auto m = make(gradient);
    const Batch batch = padded_batch(kD);
    const Batch other = testing::with_other_padding(batch);
    require_same(step(*m, batch), step(*m, other));

    // Two more padding slots in every row (times repeat each row's last one).
    Batch wider = batch;
    wider.times = torch::cat({batch.times, batch.times.narrow(1, 4, 1).expand({3, 2})}, 1);
    for (auto* t : {&wider.values, &wider.mask}) *t = torch::cat({*t, torch::zeros({3, 2, kD}, torch::kFloat64)}, 1);
    const auto a = step(*m, batch), c = step(*m, wider);
    CHECK(a.terms.total == Approx(c.terms.total).epsilon(1e-12));
    CHECK(torch::allclose(a.grads, c.grads, 1e-9, 1e-12));

    torch::manual_seed(5);
    auto metrics = m->evaluate(batch, {8, 3});
    torch::manual_seed(5);
    auto metrics_other = m->evaluate(other, {8, 3});
    for (const auto& kv : metrics) {
      INFO(kv.first);
      CHECK(std::isfinite(kv.second));
      CHECK(kv.second == metrics_other.at(kv.first));
    }
    torch::manual_seed(6);
    auto path = m->latent_path(batch);
    torch::manual_seed(6);
    auto path_other = m->latent_path(other);
    REQUIRE(path.sizes() == torch::IntArrayRef({3, 5, 2}));
    CHECK(torch::equal(valid(path, batch, 0), valid(path_other, batch, 0)));
    torch::manual_seed(7);
    auto forecast = m->forecast(batch, 2, batch.times, 4);
    torch::manual_seed(7);
    auto forecast_other = m->forecast(other, 2, other.times, 4);
    REQUIRE(forecast.sizes() == torch::IntArrayRef({4, 3, 5, kD}));
    CHECK(torch::equal(valid(forecast, batch, 1), valid(forecast_other, batch, 1)));
    CHECK(torch::isfinite(forecast).all().item<bool>());
  }
}

TEST_CASE("latent SDE: rows on one shared grid equal the shared-grid batch to the last digit",
          "[latent_sde][per_sequence]") {
  for (const std::string gradient : {"backprop", "adjoint"}) {
    INFO(gradient);
    auto m = make(gradient);
    const Batch full = padded_batch(kD);  // row 0 has all 5 times; use its times for everyone
    Batch shared{full.times[0] - full.times[0][0], full.values, full.mask, {}};
    require_same(step(*m, shared), step(*m, testing::as_per_sequence(shared)));
    torch::manual_seed(5);
    auto a = m->evaluate(shared, {8, 2});
    torch::manual_seed(5);
    auto b = m->evaluate(testing::as_per_sequence(shared), {8, 2});
    for (const auto& kv : a) CHECK(kv.second == b.at(kv.first));
  }
}

TEST_CASE("latent SDE without noise: a padded batch gives each sequence its own ELBO and forecast",
          "[latent_sde][per_sequence]") {
  // The rows' own grids differ from the batch's union grid, so equality holds up to the Euler
  // error of the drift and of the KL integral at dt = 5e-4.
  auto m = make("backprop", 5e-4);
  switch_off_noise(*m);
  const Batch batch = padded_batch(kD);
  torch::manual_seed(1);
  auto together = m->evaluate(batch, {8, 1});
  std::map<std::string, double> alone;
  for (std::int64_t b = 0; b < 3; ++b)
    for (const auto& kv : m->evaluate(testing::row(batch, b), {8, 1})) alone[kv.first] += kv.second / 3;
  for (const char* term : {"rec", "kl0", "kl_path"}) {
    INFO(term);
    CHECK(together.at(term) == Approx(alone.at(term)).epsilon(5e-3));
  }
  auto forecast = m->forecast(batch, 2, batch.times, 1);  // [1, 3, 5, D]
  for (std::int64_t b = 0; b < 3; ++b) {
    const auto n = batch.lengths[b].item<std::int64_t>();
    const Batch r = testing::row(batch, b);
    auto own = m->forecast(r, 2, r.times, 1);  // [1, 1, n, D]
    INFO("row " << b);
    CHECK(torch::allclose(forecast.narrow(1, b, 1).narrow(2, 0, n), own, 2e-3, 1e-4));
  }
}

TEST_CASE("latent SDE: a time-dependent prior drift refuses per-sequence times",
          "[latent_sde][per_sequence]") {
  // Each row is solved on times since its own start, which h(t, z) must not be given.
  LatentSdeMethodConfig c;
  c.model.data_dims = kD;
  c.model.latent = 2;
  c.model.context = c.model.hidden = c.model.prior_width = c.model.diffusion_width = 3;
  c.model.prior_time_input = true;
  LatentSde m(c, DataShape{kD, torch::tensor({0.0, 3.0}, torch::kFloat64), torch::kFloat64, true});
  const Batch batch = padded_batch(kD);
  CHECK_THROWS_WITH(m.train_step(batch, {0, 1.0}), Catch::Contains("prior_time_input"));
  CHECK_THROWS_WITH(m.forecast(batch, 1, batch.times, 2), Catch::Contains("prior_time_input"));
}
