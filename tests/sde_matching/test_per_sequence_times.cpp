// SDE Matching with each sequence on its own observation times (issue 19): a padded batch gives
// every sequence the loss it gets alone (noise held fixed), padding never changes any loss,
// metric or forecast, and a per-sequence batch whose rows share one grid equals the shared-grid
// batch.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "methods/sde_matching/sde_matching.h"
#include "../padded_batch.h"

using namespace sdebench;

namespace {

const std::int64_t kD = 2;

Batch padded_batch() { return testing::padded_batch(kD); }
using testing::row;

LossNoise noise_row(const LossNoise& noise, std::int64_t b, std::int64_t n, bool all) {
  LossNoise r;
  r.t_diff = noise.t_diff.narrow(0, b, 1);
  r.eps_diff = noise.eps_diff.narrow(0, b, 1);
  r.rec_index = all ? noise.rec_index.narrow(0, b, 1).narrow(1, 0, n) : noise.rec_index.narrow(0, b, 1);
  r.eps_rec = all ? noise.eps_rec.narrow(0, b, 1).narrow(1, 0, n) : noise.eps_rec.narrow(0, b, 1);
  return r;
}

SdeMatching make(const std::string& estimator, const std::string& normalisation, double sharpness) {
  Options o;
  o.set("latent_size", std::int64_t{3});
  o.set("encoder_hidden", std::int64_t{6});
  o.set("posterior_width", std::int64_t{8});
  o.set("prior_width", std::int64_t{8});
  o.set("diffusion_width", std::int64_t{4});
  o.set("rec_estimator", estimator);
  o.set("time_normalisation", normalisation);
  o.set("attention_sharpness", sharpness);
  o.set("time_samples", std::int64_t{3});
  DataShape shape{kD, torch::tensor({0.0, 3.0}, torch::kFloat64), torch::kFloat64, true};
  torch::manual_seed(3);
  return SdeMatching(SdeMatchingConfig::from_options(o, kD), shape);
}

}  // namespace

TEST_CASE("per-sequence times: the batch gives each sequence the loss it has alone",
          "[sde_matching][per_sequence]") {
  for (const std::string estimator : {"single", "unbiased", "all"})
    for (const std::string normalisation : {"sequence", "absolute"})
      for (double sharpness : {0.0, 7.0}) {
        INFO(estimator << " " << normalisation << " sharpness " << sharpness);
        auto method = make(estimator, normalisation, sharpness);
        const Batch batch = padded_batch();
        const auto noise = method.draw_noise(batch);
        // Observation indices stay inside each sequence; times inside its own span.
        for (std::int64_t b = 0; b < 3; ++b) {
          const auto n = batch.lengths[b].item<std::int64_t>();
          if (estimator != "all") CHECK(noise.rec_index[b].max().item<std::int64_t>() < n);
          CHECK(noise.t_diff[b].min().item<double>() >= batch.times[b][0].item<double>());
          CHECK(noise.t_diff[b].max().item<double>() <= batch.times[b][n - 1].item<double>());
        }
        const auto together = method.loss(batch, noise);
        for (std::int64_t b = 0; b < 3; ++b) {
          const auto n = batch.lengths[b].item<std::int64_t>();
          const auto alone = method.loss(row(batch, b), noise_row(noise, b, n, estimator == "all"));
          CHECK(together.prior[b].item<double>() == Approx(alone.prior[0].item<double>()).epsilon(1e-12));
          CHECK(together.diff[b].item<double>() == Approx(alone.diff[0].item<double>()).epsilon(1e-12));
          CHECK(together.rec[b].item<double>() == Approx(alone.rec[0].item<double>()).epsilon(1e-12));
        }
      }
}

TEST_CASE("per-sequence times: padding never contributes to the loss, metrics or forecasts",
          "[sde_matching][per_sequence]") {
  auto method = make("all", "sequence", 0.0);
  const Batch batch = padded_batch();
  Batch changed = batch;
  changed.values = batch.values.clone();
  changed.times = batch.times.clone();
  for (std::int64_t b = 1; b < 3; ++b) {  // rows 1 and 2 have padding
    const auto n = batch.lengths[b].item<std::int64_t>();
    changed.values[b].narrow(0, n, 5 - n).fill_(123.0);
    changed.times[b].narrow(0, n, 5 - n).fill_(-7.0);
  }
  const auto noise = method.draw_noise(batch);
  const auto a = method.loss(batch, noise), c = method.loss(changed, noise);
  CHECK(torch::equal(a.prior, c.prior));
  CHECK(torch::equal(a.diff, c.diff));
  CHECK(torch::equal(a.rec, c.rec));
  torch::manual_seed(8);
  const auto ea = method.evaluate(batch, EvalOptions{8, 2});
  torch::manual_seed(8);
  const auto ec = method.evaluate(changed, EvalOptions{8, 2});
  for (const auto& [name, value] : ea) CHECK(ec.at(name) == value);
  // Forecasts at each row's own times (padding slots hold anything): padding times must not
  // reach the prior's solver grid.
  torch::manual_seed(9);
  auto fa = method.forecast(batch, 2, batch.times, 3);
  torch::manual_seed(9);
  auto fc = method.forecast(changed, 2, changed.times, 3);
  CHECK(fa.sizes() == torch::IntArrayRef({3, 3, 5, kD}));
  CHECK(torch::isfinite(fa).all().item<bool>());
  for (std::int64_t b = 0; b < 3; ++b) {
    const auto n = batch.lengths[b].item<std::int64_t>();
    CHECK(torch::equal(fa.select(1, b).narrow(1, 0, n), fc.select(1, b).narrow(1, 0, n)));
  }
  auto path = method.latent_path(batch), path_changed = method.latent_path(changed);
  CHECK(path.sizes() == torch::IntArrayRef({3, 5, 3}));
  CHECK(torch::equal(path.select(0, 0), path_changed.select(0, 0)));  // row 0 has no padding
}

TEST_CASE("per-sequence times that coincide give the shared-grid loss", "[sde_matching][per_sequence]") {
  auto method = make("unbiased", "sequence", 0.0);
  torch::manual_seed(12);
  const std::int64_t B = 3, T = 4;
  auto grid = torch::tensor({0.0, 0.3, 0.5, 1.1}, torch::kFloat64);
  Batch shared{grid, torch::randn({B, T, kD}, torch::kFloat64), torch::ones({B, T, kD}, torch::kFloat64)};
  Batch own{grid.unsqueeze(0).expand({B, T}).contiguous(), shared.values, shared.mask,
            torch::full({B}, T, torch::kLong)};
  torch::manual_seed(4);
  const auto noise = method.draw_noise(shared);
  const auto a = method.loss(shared, noise), b = method.loss(own, noise);
  CHECK(torch::allclose(a.prior, b.prior, 1e-12, 0));
  CHECK(torch::allclose(a.diff, b.diff, 1e-12, 0));
  CHECK(torch::allclose(a.rec, b.rec, 1e-12, 0));
}
