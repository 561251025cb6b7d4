// The method through its registry: schema, construction in float32 and float64, one step
// with gradients, evaluation, sampling and forecasting shapes, option errors.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <sstream>

#include "methods/method.h"
#include "methods/sde_matching/sde_matching.h"

using namespace sdebench;

namespace {
Options tiny() {
  Options o;
  o.set("encoder_hidden", std::int64_t{8});
  o.set("posterior_width", std::int64_t{8});
  o.set("prior_width", std::int64_t{8});
  o.set("diffusion_width", std::int64_t{4});
  return o;
}

// tiny() on 8 x 8 frames: convolutional encoder (5 features per frame) and decoder, Bernoulli.
constexpr std::int64_t kConvFrameFeatures = 5;
Options conv_frame_options() {
  Options o = tiny();
  o.set("encoder", std::string("conv"));
  o.set("decoder", std::string("conv"));
  o.set("likelihood", std::string("bernoulli"));
  o.set("encoder_channels", std::int64_t{2});
  o.set("frame_features", kConvFrameFeatures);
  o.set("decoder_channels", std::int64_t{2});
  return o;
}
}  // namespace

TEST_CASE("sde_matching is registered with a documented schema", "[method]") {
  const auto& entry = MethodRegistry::instance().get("sde_matching", "method");
  for (const auto& spec : entry.schema.specs()) {
    INFO(spec.key);
    CHECK(!spec.help.empty());
  }
  auto defaults = SdeMatchingConfig::from_options(Options{}, 3);
  CHECK(defaults.model.latent == 4);
  CHECK(defaults.posterior.encoder_hidden == 100);
  CHECK(defaults.posterior.sharpness == 41.0);
  CHECK(defaults.posterior.activation == Activation::SiLU);
  CHECK(defaults.model.prior_activation == Activation::Softplus);
  CHECK(defaults.model.observation.noise_std == 0.01);
  CHECK(defaults.rec_estimator == RecEstimator::Single);
  CHECK(defaults.time_samples == 1);
  Options bad;
  bad.set("latent_sise", std::int64_t{3});
  CHECK_THROWS_WITH(SdeMatchingConfig::from_options(bad, 3),
                    Catch::Contains("latent_sise") && Catch::Contains("latent_size"));
}

TEST_CASE("train, evaluate, sample and forecast in both dtypes", "[method]") {
  for (auto dtype : {torch::kFloat32, torch::kFloat64}) {
    torch::manual_seed(41);
    const std::int64_t B = 5, T = 11, D = 3;
    auto times = torch::linspace(0, 1, T, torch::kFloat64);
    DataShape shape{D, times, dtype};
    auto method = MethodRegistry::instance().get("sde_matching").factory(tiny(), shape);
    for (const auto& p : method->parameters()) CHECK(p.scalar_type() == dtype);
    Batch batch{times, torch::randn({B, T, D}, dtype), torch::ones({B, T, D}, dtype)};

    method->zero_grad();
    auto terms = method->train_step(batch, StepContext{});
    double sum = 0;
    for (const auto& [name, value] : terms.terms) sum += value;
    CHECK(terms.total == Approx(sum).epsilon(1e-5));
    for (const auto& p : method->parameters()) {
      REQUIRE(p.grad().defined());
      CHECK(torch::isfinite(p.grad()).all().item<bool>());
    }
    auto eval = method->evaluate(batch, EvalOptions{16, 2});
    CHECK(std::isfinite(eval.at("nelbo")));
    CHECK(eval.at("nelbo") == Approx(eval.at("prior") + eval.at("diff") + eval.at("rec")));

    auto paths = method->sample(times, 7);
    CHECK(paths.sizes() == torch::IntArrayRef({7, T, D}));
    CHECK(torch::isfinite(paths).all().item<bool>());
    auto fc = method->forecast(batch, 4, times, 3);
    CHECK(fc.sizes() == torch::IntArrayRef({3, B, T, D}));
    CHECK(torch::isfinite(fc).all().item<bool>());
    CHECK_THROWS_WITH(method->forecast(batch, 0, times, 3), Catch::Contains("context"));
  }
}

TEST_CASE("save and load restore every parameter", "[method]") {
  auto times = torch::linspace(0, 1, 6, torch::kFloat64);
  DataShape shape{2, times, torch::kFloat64};
  const auto& entry = MethodRegistry::instance().get("sde_matching");
  torch::manual_seed(1);
  auto a = entry.factory(tiny(), shape);
  torch::manual_seed(2);
  auto b = entry.factory(tiny(), shape);
  std::stringstream stream;
  {
    torch::serialize::OutputArchive archive;
    a->save(archive);
    archive.save_to(stream);
  }
  torch::serialize::InputArchive archive;
  archive.load_from(stream);
  b->load(archive);
  auto pa = a->named_parameters(), pb = b->named_parameters();
  REQUIRE(pa.size() == pb.size());
  for (const auto& item : pa) {
    INFO(item.key());
    CHECK(torch::equal(item.value(), pb[item.key()]));
  }
}

TEST_CASE("encoder and decoder 'conv' on 8 x 8 frames with a Bernoulli likelihood", "[method]") {
  torch::manual_seed(43);
  const std::int64_t B = 3, T = 6, D = 64;
  auto times = torch::linspace(0, 1, T, torch::kFloat64);
  DataShape shape{D, times, torch::kFloat64};
  Options o = conv_frame_options();
  o.set("rec_estimator", std::string("all"));
  SdeMatching method(SdeMatchingConfig::from_options(o, D), shape);
  REQUIRE(method.posterior->frame_encoder);
  REQUIRE(method.model->observation->frames);
  // Frames: a fixed stripe pattern (what the decoder can learn) plus a little noise.
  auto stripes = (torch::arange(D, torch::kFloat64).remainder(8) < 4).to(torch::kFloat64);
  auto frames = (0.9 * stripes + 0.05 + 0.05 * torch::rand({B, T, D}, torch::kFloat64));
  Batch batch{times, frames, torch::ones({B, T, D}, torch::kFloat64)};

  // The convolutions run per frame: GRU state j depends on frames 0..j only.
  auto enc = method.posterior->encode(batch.values, batch.mask, times);
  auto changed = batch.values.clone();
  changed[0][4][10] = 0.9 - changed[0][4][10];
  auto enc2 = method.posterior->encode(changed, batch.mask, times);
  CHECK(torch::equal(enc.states.narrow(1, 0, 4), enc2.states.narrow(1, 0, 4)));
  CHECK_FALSE(torch::equal(enc.states.narrow(1, 4, 2), enc2.states.narrow(1, 4, 2)));

  // With the noise held fixed, Adam lowers the loss: every block receives gradients.
  auto noise = method.draw_noise(batch);
  auto total_loss = [&] {
    auto parts = method.loss(batch, noise);
    return (parts.prior + parts.diff + parts.rec).mean();
  };
  torch::optim::Adam adam(method.parameters(), torch::optim::AdamOptions(1e-2));
  const double first = total_loss().item<double>();
  for (int i = 0; i < 30; ++i) {
    adam.zero_grad();
    auto total = total_loss();
    total.backward();
    for (const auto& p : method.posterior->frame_encoder->parameters())
      REQUIRE(p.grad().defined());
    adam.step();
  }
  const double last = total_loss().item<double>();
  CHECK(std::isfinite(first));
  CHECK(last < 0.8 * first);

  auto fc = method.forecast(batch, 3, times, 2);  // Bernoulli means: intensities in (0, 1)
  CHECK(fc.sizes() == torch::IntArrayRef({2, B, T, D}));
  CHECK(fc.min().item<double>() > 0);
  CHECK(fc.max().item<double>() < 1);

  Options odd = o;
  odd.set("decoder", std::string("linear"));
  CHECK_THROWS_WITH(SdeMatching(SdeMatchingConfig::from_options(odd, 50), DataShape{50, times, torch::kFloat64}),
                    Catch::Contains("encoder 'conv'") && Catch::Contains("50"));
}

TEST_CASE("with encoder 'conv', q(z_0 | first k frames) reads the frames' convolutional features", "[method]") {
  torch::manual_seed(44);
  const std::int64_t B = 3, T = 6, D = 64, k = 2, features = kConvFrameFeatures;
  auto times = torch::linspace(0, 1, T, torch::kFloat64);
  DataShape shape{D, times, torch::kFloat64};
  Options o = conv_frame_options();
  o.set("encoder_frames", k);
  o.set("time_normalisation", std::string("absolute"));
  SdeMatching method(SdeMatchingConfig::from_options(o, D), shape);
  // The MLP's input is k x features values, not k x D pixels.
  CHECK(method.posterior->first_frames->net->layers().front()->weight.size(1) == k * features);

  Batch batch{times, torch::rand({B, T, D}, torch::kFloat64), torch::ones({B, T, D}, torch::kFloat64)};
  // Forecasting samples z_0 from the code training fitted at t0 (the same frames, the same code).
  auto enc = method.posterior->encode(batch.values, batch.mask, times);
  auto code = method.posterior->first_frames_code(batch.values, batch.mask);
  CHECK(torch::allclose(code.mean, enc.first.mean, 1e-12, 1e-12));
  CHECK(torch::allclose(code.log_std, enc.first.log_std, 1e-12, 1e-12));
  auto m0 = method.posterior->marginal(enc, torch::zeros({B, 1}, torch::kFloat64), false);
  CHECK(torch::allclose(m0.mu.squeeze(1), code.mean, 1e-12, 1e-12));
  // Only frames 0..k-1 enter, through the convolutional encoder.
  auto later = batch.values.clone();
  later.narrow(1, k, T - k).fill_(0.5);
  CHECK(torch::equal(method.posterior->first_frames_code(later, batch.mask).mean, code.mean));
  auto first = batch.values.clone();
  first[0][k - 1][20] = 1.0 - first[0][k - 1][20];
  auto moved = method.posterior->first_frames_code(first, batch.mask).mean;
  CHECK_FALSE(torch::equal(moved[0], code.mean[0]));
  CHECK(torch::equal(moved.narrow(0, 1, B - 1), code.mean.narrow(0, 1, B - 1)));
  // The first-frames MLP trains the convolutional encoder too.
  code.mean.sum().backward();
  for (const auto& p : method.posterior->frame_encoder->parameters()) {
    REQUIRE(p.grad().defined());
    CHECK(p.grad().abs().sum().item<double>() > 0);
  }
}

TEST_CASE("anneal_kl weights L_prior + L_diff by the harness's KL weight, and only then", "[method]") {
  const std::int64_t B = 4, T = 7, D = 2;
  auto times = torch::linspace(0, 1, T, torch::kFloat64);
  DataShape shape{D, times, torch::kFloat64};
  torch::manual_seed(45);
  Batch batch{times, torch::randn({B, T, D}, torch::kFloat64), torch::ones({B, T, D}, torch::kFloat64)};
  for (bool anneal : {true, false}) {
    INFO("anneal_kl = " << anneal);
    Options o = tiny();
    o.set("anneal_kl", anneal);
    torch::manual_seed(46);
    SdeMatching method(SdeMatchingConfig::from_options(o, D), shape);
    CHECK(method.uses_kl_annealing() == anneal);
    // The same noise in both steps (seeded), the KL weight 1 then 0.25.
    auto step = [&](double weight) {
      method.zero_grad();
      torch::manual_seed(47);
      auto terms = method.train_step(batch, StepContext{0, weight});
      std::map<std::string, torch::Tensor> grads;
      for (const auto& item : method.model->named_parameters()) grads[item.key()] = item.value().grad().clone();
      return std::make_pair(terms, grads);
    };
    auto [full, full_grads] = step(1.0);
    auto [part, part_grads] = step(0.25);
    auto term = [](const LossTerms& terms, const std::string& name) {
      for (const auto& [key, value] : terms.terms)
        if (key == name) return value;
      FAIL("no term " << name);
      return 0.0;
    };
    CHECK(term(part, "prior") == Approx(term(full, "prior")).epsilon(1e-12));
    const double w = anneal ? 0.25 : 1.0;
    CHECK(part.total == Approx(term(part, "rec") + w * (term(part, "prior") + term(part, "diff"))).epsilon(1e-12));
    // The prior drift enters L_diff only, the decoder L_rec only.
    int drift = 0, decoder = 0;
    for (const auto& [name, g] : full_grads) {
      INFO(name);
      if (name.rfind("prior_drift", 0) == 0) {
        CHECK(torch::allclose(part_grads[name], w * g, 1e-10, 1e-14));
        ++drift;
      } else if (name.rfind("observation", 0) == 0) {
        CHECK(torch::allclose(part_grads[name], g, 1e-10, 1e-14));
        ++decoder;
      }
    }
    CHECK(drift > 0);
    CHECK(decoder > 0);
  }
}

TEST_CASE("prior_time_input: the prior drift reads absolute time in training and forecasts", "[method]") {
  // Shifting every time by 1 changes nothing for the time-homogeneous prior (the posterior's
  // time input is normalised per sequence) and changes the forecast of h(t, z).
  const bool prior_time = GENERATE(false, true);
  torch::manual_seed(43);
  const std::int64_t B = 3, T = 9, D = 2;
  auto times = torch::linspace(0, 1, T, torch::kFloat64);
  DataShape shape{D, times, torch::kFloat64};
  Options o = tiny();
  o.set("prior_time_input", prior_time);
  auto method = MethodRegistry::instance().get("sde_matching").factory(o, shape);
  Batch batch{times, torch::randn({B, T, D}, torch::kFloat64), torch::ones({B, T, D}, torch::kFloat64)};
  Batch shifted{times + 1.0, batch.values, batch.mask};
  auto forecast = [&](const Batch& b) {
    torch::manual_seed(7);
    return method->forecast(b, 4, b.times, 5);
  };
  auto a = forecast(batch), b = forecast(shifted);
  INFO("prior_time_input " << prior_time << ", largest change " << (a - b).abs().max().item<double>());
  if (prior_time)
    CHECK((a - b).abs().max().item<double>() > 1e-6);
  else
    CHECK(torch::allclose(a, b, 1e-12, 1e-12));

  // Per-sequence forecasts run each row on times since its own start: refused.
  if (prior_time) {
    Batch own{times.unsqueeze(0).expand({B, T}).contiguous(), batch.values, batch.mask,
              torch::full({B}, T, torch::kLong)};
    CHECK_THROWS_WITH(method->forecast(own, 4, own.times, 2), Catch::Contains("prior_time_input"));
  }
}

TEST_CASE("evaluate reports the learned diffusion's mean over the observed slots", "[method]") {
  // With the diffusion's output layer zeroed, g = diffusion_max * sigmoid(b2) everywhere, so
  // the metric must be exactly that mean, whatever the draws; two time slots unobserved in
  // every dimension must not count (dividing by every slot would give a smaller number).
  for (const double diffusion_max : {1.0, 0.2}) {
    INFO("diffusion_max " << diffusion_max);
    torch::manual_seed(3);
    const std::int64_t B = 3, T = 9, D = 2;
    auto times = torch::linspace(0, 1, T, torch::kFloat64);
    auto options = tiny();
    options.set("diffusion_max", diffusion_max);
    SdeMatching method(SdeMatchingConfig::from_options(options, D),
                       DataShape{D, times, torch::kFloat64});
    const auto d = method.model->config().latent;
    auto b2 = torch::linspace(-1.0, 2.0, d, torch::kFloat64);
    {
      torch::NoGradGuard no_grad;
      method.model->diffusion->w2.zero_();
      method.model->diffusion->b2.copy_(b2);
    }
    auto mask = torch::ones({B, T, D}, torch::kFloat64);
    mask.index_put_({torch::indexing::Slice(), torch::indexing::Slice(2, 4)}, 0.0);
    Batch batch{times, torch::randn({B, T, D}, torch::kFloat64) * mask, mask};
    const auto eval = method.evaluate(batch, EvalOptions{8, 3});
    CHECK(eval.at("diffusion_mean") ==
          Approx(diffusion_max * torch::sigmoid(b2).mean().item<double>()).epsilon(1e-12));
  }
}
