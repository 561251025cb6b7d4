// core/nn/observation_model and first_frames_encoder: the Gaussian likelihood against the
// density written out by hand, masking, the learned std's clamp, and the encoder's reach.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>

#include "core/nn/first_frames_encoder.h"
#include "core/nn/observation_model.h"

using namespace sdebench;

namespace {

// -log N(x; m, s^2) for doubles.
double gaussian_nll(double x, double m, double s) {
  const double r = (x - m) / s;
  return 0.5 * r * r + std::log(s) + 0.5 * std::log(2 * M_PI);
}

}  // namespace

TEST_CASE("a fixed-std decoder's likelihood is the Gaussian density over observed entries",
          "[observation]") {
  torch::manual_seed(3);
  ObservationModel model(ObservationConfig{2, 3, "linear", 8, 1, Activation::Softplus, false, 0.3});
  model->to(torch::kFloat64);
  auto z = torch::randn({4, 2}, torch::kFloat64);
  auto x = torch::randn({4, 3}, torch::kFloat64);
  auto mask = torch::ones({4, 3}, torch::kFloat64);
  mask[1][2] = 0;
  auto nll = model->neg_log_likelihood(x, mask, z);
  auto mean = model->mean(z);
  for (int b = 0; b < 4; ++b) {
    double expected = 0;
    for (int d = 0; d < 3; ++d)
      if (mask[b][d].item<double>() > 0)
        expected += gaussian_nll(x[b][d].item<double>(), mean[b][d].item<double>(), 0.3);
    CHECK(nll[b].item<double>() == Approx(expected).epsilon(1e-12));
  }
}

TEST_CASE("a learned-std decoder reads its second output as the log std, clamped to [-9, 9]",
          "[observation]") {
  torch::manual_seed(4);
  ObservationModel model(ObservationConfig{2, 3, "mlp", 5, 2, Activation::Softplus, true, 0.01});
  model->to(torch::kFloat64);
  auto z = torch::randn({5, 2}, torch::kFloat64);
  auto x = torch::randn({5, 3}, torch::kFloat64);
  auto mask = torch::ones({5, 3}, torch::kFloat64);
  auto raw = model->net->forward(z);  // [5, 6]: mean, then log std
  CHECK(raw.size(1) == 6);
  auto nll = model->neg_log_likelihood(x, mask, z);
  for (int b = 0; b < 5; ++b) {
    double expected = 0;
    for (int d = 0; d < 3; ++d)
      expected += gaussian_nll(x[b][d].item<double>(), raw[b][d].item<double>(),
                               std::exp(raw[b][3 + d].item<double>()));
    CHECK(nll[b].item<double>() == Approx(expected).epsilon(1e-12));
  }
  // Push the last layer's log-std bias far down: the std stops at e^-9.
  {
    torch::NoGradGuard no_grad;
    model->net->layers().back()->bias.narrow(0, 3, 3).fill_(-100.0);
    model->net->layers().back()->weight.narrow(0, 3, 3).zero_();
  }
  auto clamped = model->neg_log_likelihood(x, mask, z);
  auto m = model->mean(z);
  double expected = 0;
  for (int d = 0; d < 3; ++d) expected += gaussian_nll(x[0][d].item<double>(), m[0][d].item<double>(), std::exp(-9.0));
  CHECK(clamped[0].item<double>() == Approx(expected).epsilon(1e-10));
}

TEST_CASE("the first-frames encoder sees the first k frames and nothing after", "[observation]") {
  torch::manual_seed(5);
  FirstFramesEncoder enc(FirstFramesEncoderConfig{4, 3, 2, 3, 7, 2, Activation::Softplus});
  enc->to(torch::kFloat64);
  auto x = torch::randn({2, 10, 4}, torch::kFloat64);
  auto mask = torch::ones_like(x);
  auto a = enc->forward(x, mask);
  CHECK(a.mean.sizes() == torch::IntArrayRef({2, 2}));
  CHECK(a.log_std.sizes() == torch::IntArrayRef({2, 2}));
  CHECK(a.context.sizes() == torch::IntArrayRef({2, 3}));
  auto y = x.clone();
  y.narrow(1, 3, 7).normal_();  // frames 3.. changed
  auto b = enc->forward(y, mask);
  CHECK(torch::equal(a.mean, b.mean));
  CHECK(torch::equal(a.context, b.context));
  y[0][2][1] += 1.0;  // a frame it sees
  CHECK_FALSE(torch::equal(enc->forward(y, mask).mean, a.mean));
  CHECK_THROWS_WITH(enc->forward(x.narrow(1, 0, 2), mask.narrow(1, 0, 2)),
                    Catch::Contains("at least 3 frames"));
}

TEST_CASE("a Bernoulli decoder reads its outputs as logits: -log p is the cross-entropy",
          "[observation]") {
  torch::manual_seed(6);
  ObservationConfig config{2, 3, "mlp", 5, 1, Activation::Softplus, false, 0.01};
  config.likelihood = "bernoulli";
  ObservationModel model(config);
  model->to(torch::kFloat64);
  auto z = torch::randn({4, 2}, torch::kFloat64);
  auto x = torch::rand({4, 3}, torch::kFloat64);  // intensities in [0, 1]
  x[0][0] = 1.0;
  x[0][1] = 0.0;
  auto mask = torch::ones({4, 3}, torch::kFloat64);
  mask[2][1] = 0;
  auto logits = model->net->forward(z);
  auto mean = model->mean(z);
  auto nll = model->neg_log_likelihood(x, mask, z);
  for (int b = 0; b < 4; ++b) {
    double expected = 0;
    for (int d = 0; d < 3; ++d) {
      const double p = 1.0 / (1.0 + std::exp(-logits[b][d].item<double>()));
      CHECK(mean[b][d].item<double>() == Approx(p).epsilon(1e-12));
      const double xv = x[b][d].item<double>();
      if (mask[b][d].item<double>() > 0) expected -= xv * std::log(p) + (1 - xv) * std::log(1 - p);
    }
    CHECK(nll[b].item<double>() == Approx(expected).epsilon(1e-10));
  }
  config.learn_std = true;
  CHECK_THROWS_WITH(ObservationModel(config), Catch::Contains("Bernoulli"));
}

TEST_CASE("a conv decoder maps latent states (any leading dimensions) to square frames",
          "[observation]") {
  torch::manual_seed(7);
  ObservationConfig config{3, 64, "conv", 5, 1, Activation::Softplus, false, 0.2};
  config.channels = 4;
  ObservationModel model(config);
  model->to(torch::kFloat64);
  REQUIRE(model->frames);
  auto z = torch::randn({2, 5, 3}, torch::kFloat64);  // [B, T, d]
  auto x = torch::randn({2, 5, 64}, torch::kFloat64);
  auto mask = torch::ones({2, 5, 64}, torch::kFloat64);
  auto mean = model->mean(z);
  CHECK(mean.sizes() == torch::IntArrayRef({2, 5, 64}));
  CHECK(torch::allclose(mean, model->frames->forward(z)));
  auto nll = model->neg_log_likelihood(x, mask, z);
  CHECK(nll.sizes() == torch::IntArrayRef({2, 5}));
  double expected = 0;
  for (int p = 0; p < 64; ++p)
    expected += gaussian_nll(x[1][4][p].item<double>(), mean[1][4][p].item<double>(), 0.2);
  CHECK(nll[1][4].item<double>() == Approx(expected).epsilon(1e-12));

  ObservationConfig wrong = config;
  wrong.data_dims = 50;  // not a square frame
  CHECK_THROWS_WITH(ObservationModel(wrong), Catch::Contains("decoder 'conv'") && Catch::Contains("50"));
  wrong = config;
  wrong.learn_std = true;
  CHECK_THROWS_WITH(ObservationModel(wrong), Catch::Contains("learn_noise_std"));
}
