// The latent ODE with each sequence on its own observation times (issue 19): a padded batch gives
// each sequence the loss terms and forecast it gets alone (with q(z_0) a point, so no noise
// differs between the two), padding changes nothing, and rows sharing one grid are the
// shared-grid batch to the last digit.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "methods/latent_ode/latent_ode.h"
#include "../padded_batch.h"

using namespace sdebench;
using sdebench::testing::padded_batch;

namespace {

const std::int64_t kD = 2;

std::shared_ptr<LatentOde> make(double dt) {
  auto o = LatentOde::schema().defaults();
  o.set("latent_size", std::int64_t{2});
  o.set("hidden_size", std::int64_t{5});
  o.set("encoder_frames", std::int64_t{2});
  o.set("dt", dt);
  DataShape shape{kD, torch::tensor({0.0, 3.0}, torch::kFloat64), torch::kFloat64, true};
  torch::manual_seed(21);
  return std::make_shared<LatentOde>(LatentOde::parse(o, kD), shape);
}

// q(z_0) a point: log std -30 whatever the frames.
void point_posterior(LatentOde& m) {
  torch::NoGradGuard no_grad;
  auto& last = m.encoder->net->layers().back();
  last->weight.narrow(0, 2, 2).zero_();
  last->bias.narrow(0, 2, 2).fill_(-30.0);
}

std::pair<LossTerms, torch::Tensor> step(LatentOde& m, const Batch& batch) {
  m.zero_grad();
  torch::manual_seed(3);
  auto terms = m.train_step(batch, {0, 1.0});
  std::vector<torch::Tensor> flat;
  for (auto& p : m.parameters()) flat.push_back(p.grad().flatten());
  return {terms, torch::cat(flat)};
}

}  // namespace

TEST_CASE("latent ODE: a padded batch gives each sequence its own loss terms and forecast",
          "[latent_ode][per_sequence]") {
  auto m = make(0.01);
  point_posterior(*m);
  const Batch batch = padded_batch(kD);
  auto together = m->evaluate(batch, {8, 1});
  std::map<std::string, double> alone;
  for (std::int64_t b = 0; b < 3; ++b)
    for (const auto& kv : m->evaluate(testing::row(batch, b), {8, 1})) alone[kv.first] += kv.second / 3;
  for (const auto& kv : together) {
    INFO(kv.first);
    CHECK(kv.second == Approx(alone.at(kv.first)).epsilon(1e-7));
  }
  auto forecast = m->forecast(batch, 2, batch.times, 2);  // [2, 3, 5, D]
  REQUIRE(forecast.sizes() == torch::IntArrayRef({2, 3, 5, kD}));
  for (std::int64_t b = 0; b < 3; ++b) {
    const auto n = batch.lengths[b].item<std::int64_t>();
    const Batch r = testing::row(batch, b);
    INFO("row " << b);
    CHECK(torch::allclose(forecast.narrow(1, b, 1).narrow(2, 0, n), m->forecast(r, 2, r.times, 2),
                          1e-7, 1e-9));
  }
}

TEST_CASE("latent ODE: padding changes nothing; rows on one grid equal the shared-grid batch",
          "[latent_ode][per_sequence]") {
  auto m = make(0.05);
  const Batch batch = padded_batch(kD);
  const auto a = step(*m, batch), b = step(*m, testing::with_other_padding(batch));
  CHECK(a.first.total == b.first.total);
  CHECK(torch::equal(a.second, b.second));

  Batch shared{batch.times[0] - batch.times[0][0], batch.values, batch.mask, {}};
  const auto s = step(*m, shared), p = step(*m, testing::as_per_sequence(shared));
  CHECK(s.first.total == p.first.total);
  CHECK(torch::equal(s.second, p.second));

  // Starting later changes nothing but rounding: z_0 sits at each row's first observation.
  Batch later{batch.times[0], batch.values, batch.mask, {}};
  REQUIRE(later.times[0].item<double>() > 0.05);
  const auto sl = step(*m, later), pl = step(*m, testing::as_per_sequence(later));
  CHECK(sl.first.total == Approx(pl.first.total).epsilon(1e-12));
  CHECK(torch::allclose(sl.second, pl.second, 1e-10, 1e-12));
}
