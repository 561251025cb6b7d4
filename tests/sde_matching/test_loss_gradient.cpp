// The full SDE Matching loss: its parameter gradient (reverse mode through the tangent pass,
// the GRU, the diffusion's derivative) against central finite differences in float64, with
// the loss noise held fixed; and the estimators' scaling.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "check_helpers.h"
#include "methods/sde_matching/sde_matching.h"

using namespace sdebench;

namespace {

Options small_options(const std::string& estimator) {
  Options o;
  o.set("latent_size", std::int64_t{2});
  o.set("encoder_hidden", std::int64_t{6});
  o.set("posterior_width", std::int64_t{8});
  o.set("prior_width", std::int64_t{8});
  o.set("diffusion_width", std::int64_t{5});
  o.set("noise_std", 0.3);
  o.set("time_samples", std::int64_t{2});
  o.set("attention_sharpness", 5.0);
  o.set("rec_estimator", estimator);
  return o;
}

Batch small_batch(std::int64_t B, std::int64_t T, std::int64_t D) {
  Batch b;
  b.times = torch::linspace(0.5, 2.0, T, torch::kFloat64);
  b.values = torch::randn({B, T, D}, torch::kFloat64);
  b.mask = (torch::rand({B, T, D}, torch::kFloat64) > 0.2).to(torch::kFloat64);
  b.values *= b.mask;
  return b;
}

}  // namespace

// The MOCAP configuration: q(z_0) from the first frames, absolute time, an MLP decoder with a
// learned std, and the ELBO's reconstruction sum over every observation.
Options first_frames_options() {
  Options o = small_options("all");
  o.set("encoder_frames", std::int64_t{2});
  o.set("frames_hidden", std::int64_t{4});
  o.set("time_normalisation", std::string("absolute"));
  o.set("decoder", std::string("mlp"));
  o.set("decoder_hidden", std::int64_t{4});
  o.set("learn_noise_std", true);
  o.set("attention_sharpness", 0.0);
  return o;
}

TEST_CASE("loss gradient matches finite differences (float64)", "[loss]") {
  for (std::string estimator : {"single", "unbiased", "all", "first_frames", "prior_time"}) {
    torch::manual_seed(31);
    DataShape shape{2, torch::linspace(0.5, 2.0, 5, torch::kFloat64), torch::kFloat64};
    auto options = estimator == "first_frames" || estimator == "prior_time"
                       ? first_frames_options()
                       : small_options(estimator);
    if (estimator == "prior_time") options.set("prior_time_input", true);
    SdeMatching method(SdeMatchingConfig::from_options(options, 2), shape);
    auto batch = small_batch(3, 5, 2);
    auto noise = method.draw_noise(batch);
    auto total = [&] {
      auto p = method.loss(batch, noise);
      return (p.prior + p.diff + p.rec).mean();
    };
    method.zero_grad();
    total().backward();
    int checked = 0;
    for (const auto& item : method.named_parameters()) {
      auto& p = item.value();
      auto grad = p.grad().clone();
      torch::NoGradGuard no_grad;
      auto flat = p.view({-1});
      // A few entries of every parameter tensor.
      for (std::int64_t k : {std::int64_t{0}, flat.numel() / 2, flat.numel() - 1}) {
        const double orig = flat[k].item<double>(), h = 1e-6;
        flat[k] = orig + h;
        const double up = total().item<double>();
        flat[k] = orig - h;
        const double down = total().item<double>();
        flat[k] = orig;
        const double fd = (up - down) / (2 * h), ad = grad.view({-1})[k].item<double>();
        INFO(estimator << " " << item.key() << "[" << k << "] fd " << fd << " ad " << ad);
        CHECK(ad == Approx(fd).epsilon(1e-6).margin(1e-8));
        ++checked;
      }
    }
    CHECK(checked >= 3 * 15);
  }
}

TEST_CASE("unbiased reconstruction estimator is N times the single one", "[loss]") {
  torch::manual_seed(32);
  DataShape shape{2, torch::linspace(0.5, 2.0, 5, torch::kFloat64), torch::kFloat64};
  SdeMatching single(SdeMatchingConfig::from_options(small_options("single"), 2), shape);
  SdeMatching unbiased(SdeMatchingConfig::from_options(small_options("unbiased"), 2), shape);
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < single.parameters().size(); ++i)
    unbiased.parameters()[i].copy_(single.parameters()[i]);
  auto batch = small_batch(3, 5, 2);
  auto noise = single.draw_noise(batch);
  auto a = single.loss(batch, noise), b = unbiased.loss(batch, noise);
  CHECK(testing::relative_error(b.rec, 5.0 * a.rec) < 1e-14);
  CHECK(testing::relative_error(b.diff, a.diff) < 1e-14);
}

TEST_CASE("training loss is an unbiased estimate of the evaluation NELBO", "[loss]") {
  // With the 'unbiased' estimator, the average of many one-sample training losses must match
  // the evaluation's full-sum NELBO (stratified t, every observation) within Monte-Carlo error:
  // this ties the estimators' factors (span, N) to the full sums, and (with a time-dependent
  // prior drift) the times at which both evaluate h(t, z).
  const bool prior_time = GENERATE(false, true);
  torch::manual_seed(33);
  DataShape shape{2, torch::linspace(0.5, 2.0, 5, torch::kFloat64), torch::kFloat64};
  auto opts = small_options("unbiased");
  opts.set("time_samples", std::int64_t{64});
  opts.set("prior_time_input", prior_time);
  SdeMatching method(SdeMatchingConfig::from_options(opts, 2), shape);
  auto batch = small_batch(3, 5, 2);
  torch::NoGradGuard no_grad;
  std::vector<double> draws;
  for (int i = 0; i < 64; ++i) {
    auto p = method.loss(batch, method.draw_noise(batch));
    draws.push_back((p.prior + p.diff + p.rec).mean().item<double>());
  }
  auto d = torch::tensor(draws, torch::kFloat64);
  const double mean = d.mean().item<double>(), se = d.std().item<double>() / 8.0;
  auto eval = method.evaluate(batch, EvalOptions{256, 64});
  INFO("train mean " << mean << " +- " << se << " eval nelbo " << eval["nelbo"]);
  CHECK(std::abs(mean - eval["nelbo"]) < 5 * se + 1e-3 * std::abs(mean));
}

TEST_CASE("the 'all' estimator is the sum over every observation", "[loss]") {
  torch::manual_seed(34);
  DataShape shape{2, torch::linspace(0.5, 2.0, 5, torch::kFloat64), torch::kFloat64};
  SdeMatching method(SdeMatchingConfig::from_options(small_options("all"), 2), shape);
  auto batch = small_batch(3, 5, 2);
  auto noise = method.draw_noise(batch);
  REQUIRE(noise.rec_index.size(1) == 5);
  torch::NoGradGuard no_grad;
  auto parts = method.loss(batch, noise);
  // By hand: z_i = mu(t_i) + sigma(t_i) eps_i, -log p(x_i | z_i) summed over i.
  auto enc = method.posterior->encode(batch.values, batch.mask, batch.times);
  auto m = method.posterior->marginal(enc, batch.times.unsqueeze(0).expand({3, 5}), false);
  auto z = m.mu + torch::exp(m.log_sigma) * noise.eps_rec;
  auto expected = method.model->neg_log_likelihood(batch.values, batch.mask, z).sum(1);
  CHECK(testing::relative_error(parts.rec, expected) < 1e-12);
}

TEST_CASE("with first frames, q(z_0) is the frames encoder's and d/dt stays exact", "[loss]") {
  torch::manual_seed(35);
  DataShape shape{2, torch::linspace(0.5, 2.0, 5, torch::kFloat64), torch::kFloat64};
  SdeMatching method(SdeMatchingConfig::from_options(first_frames_options(), 2), shape);
  auto batch = small_batch(3, 5, 2);
  torch::NoGradGuard no_grad;
  auto enc = method.posterior->encode(batch.values, batch.mask, batch.times);
  auto m0 = method.posterior->marginal(enc, torch::full({3, 1}, 0.5, torch::kFloat64), false);
  auto code = method.posterior->first_frames->forward(batch.values, batch.mask);
  CHECK(torch::equal(m0.mu.select(1, 0), code.mean));
  CHECK(torch::equal(m0.log_sigma.select(1, 0), code.log_std));
  // Absolute time: a sequence cut to its first 3 frames sees the same time input.
  auto cut = method.posterior->encode(batch.values.narrow(1, 0, 3), batch.mask.narrow(1, 0, 3),
                                      batch.times.narrow(0, 0, 3));
  CHECK(cut.t0 == enc.t0);
  CHECK(cut.span == enc.span);
  auto t = torch::rand({3, 4}, torch::kFloat64) * 1.5 + 0.5;
  auto m = method.posterior->marginal(enc, t, true);
  auto mu_at = [&](torch::Tensor s) { return method.posterior->marginal(enc, s, false).mu; };
  auto ls_at = [&](torch::Tensor s) { return method.posterior->marginal(enc, s, false).log_sigma; };
  auto v = torch::ones_like(t);
  CHECK(testing::relative_error(m.dmu_dt, testing::central_difference(mu_at, t, v)) < 1e-6);
  CHECK(testing::relative_error(m.dlog_sigma_dt, testing::central_difference(ls_at, t, v)) < 1e-6);
}
