// encoder = "mlp_windows": the first-frames MLP on every window of k frames gives q(z_0) (from
// window 0) and each observation's context (from the window ending at it). Checked against an
// independent computation (the same MLP run on each window alone, as mlp_first_k runs it on
// the first frames), for locality (a frame moves only the contexts of the windows that hold
// it), through the method (a step with finite gradients reaching the encoder, a forecast that
// reads context frames past the first window) and on per-sequence times (padding changes
// nothing).
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "../padded_batch.h"
#include "core/registry.h"
#include "methods/latent_sde/latent_sde.h"

using namespace sdebench;

namespace {

LatentSdeConfig window_config(std::int64_t dims, std::int64_t k) {
  LatentSdeConfig c;
  c.data_dims = dims;
  c.latent = 3;
  c.context = 2;
  c.hidden = 7;
  c.drift_layers = 1;
  c.prior_width = 5;
  c.prior_layers = 1;
  c.diffusion_width = 4;
  c.encoder = "mlp_windows";
  c.encoder_frames = k;
  c.encoder_layers = 2;
  return c;
}

}  // namespace

TEST_CASE("mlp_windows: q(z_0) from the first window, each observation's context from the window "
          "ending at it", "[latent_sde][windows]") {
  torch::manual_seed(41);
  const std::int64_t B = 2, T = 8, D = 4, k = 3;
  LatentSdeModel model(window_config(D, k));
  model->to(torch::kFloat64);
  auto values = torch::randn({B, T, D}, torch::kFloat64);
  auto mask = torch::ones({B, T, D}, torch::kFloat64);
  mask[1][4][2] = 0.0;  // one missing entry: it enters its windows as 0
  auto code = model->encode(values, mask);
  REQUIRE(code.context.sizes() == torch::IntArrayRef({B, T, 2}));

  auto alone = [&](std::int64_t start) {  // the MLP on frames start .. start + k - 1 only
    return model->first_frames->forward(values.narrow(1, start, k), mask.narrow(1, start, k));
  };
  auto first = alone(0);
  CHECK(torch::allclose(code.mean, first.mean, 0.0, 1e-13));
  CHECK(torch::allclose(code.log_std, first.log_std, 0.0, 1e-13));
  for (std::int64_t j = 0; j < T; ++j) {
    INFO("observation " << j);
    const auto start = std::max<std::int64_t>(0, j - k + 1);
    CHECK(torch::allclose(code.context.select(1, j), alone(start).context, 0.0, 1e-13));
  }
  // The missing entry counts as 0, not as its value.
  auto filled = values.clone();
  filled[1][4][2] = 123.0;
  CHECK(torch::equal(model->encode(filled, mask).context, code.context));
}

TEST_CASE("mlp_windows is local: a frame moves only the contexts of the windows that hold it",
          "[latent_sde][windows]") {
  torch::manual_seed(42);
  const std::int64_t B = 2, T = 9, D = 3, k = 3;
  LatentSdeModel model(window_config(D, k));
  model->to(torch::kFloat64);
  auto values = torch::randn({B, T, D}, torch::kFloat64);
  auto mask = torch::ones({B, T, D}, torch::kFloat64);
  auto code = model->encode(values, mask);

  auto last = values.clone();
  last[0][T - 1][1] += 1.0;  // frame T-1 is only in the window ending at T-1
  auto moved = model->encode(last, mask);
  CHECK(torch::equal(moved.mean, code.mean));
  CHECK(torch::equal(moved.context.narrow(1, 0, T - 1), code.context.narrow(1, 0, T - 1)));
  CHECK_FALSE(torch::equal(moved.context.select(1, T - 1), code.context.select(1, T - 1)));

  auto middle = values.clone();
  middle[1][4][0] += 1.0;  // frame 4 is in the windows ending at 4, 5 and 6
  moved = model->encode(middle, mask);
  CHECK(torch::equal(moved.mean, code.mean));
  CHECK(torch::equal(moved.context.narrow(1, 0, 4), code.context.narrow(1, 0, 4)));
  CHECK(torch::equal(moved.context.narrow(1, 7, 2), code.context.narrow(1, 7, 2)));
  for (std::int64_t j = 4; j <= 6; ++j)
    CHECK_FALSE(torch::equal(moved.context[1][j], code.context[1][j]));
}

TEST_CASE("encoder = \"mlp_windows\" through the method: a step reaches the encoder, a forecast "
          "runs", "[latent_sde][windows]") {
  const auto& entry = MethodRegistry::instance().get("latent_sde", "method");
  auto options = entry.schema.defaults();
  options.set("encoder", std::string("mlp_windows"));
  options.set("encoder_frames", std::int64_t{3});
  options.set("hidden_size", std::int64_t{6});
  options.set("context_size", std::int64_t{3});
  options.set("latent_size", std::int64_t{3});
  options.set("prior_width", std::int64_t{6});
  options.set("diffusion_width", std::int64_t{4});
  options.set("dt", 0.05);
  const std::int64_t B = 3, T = 7, D = 2;
  auto times = torch::linspace(0.0, 1.2, T, torch::kFloat64);
  DataShape shape{D, times, torch::kFloat64};
  torch::manual_seed(43);
  auto method = std::dynamic_pointer_cast<LatentSde>(entry.factory(options, shape));
  REQUIRE(method);
  REQUIRE(method->model->first_frames);
  CHECK(method->model->gru.is_empty());
  Batch batch{times, torch::randn({B, T, D}, torch::kFloat64), torch::ones({B, T, D}, torch::kFloat64)};
  auto terms = method->train_step(batch, {0, 1.0});
  CHECK(std::isfinite(terms.total));
  for (auto& p : method->model->first_frames->parameters()) {
    REQUIRE(p.grad().defined());
    CHECK(torch::isfinite(p.grad()).all().item<bool>());
    CHECK(p.grad().abs().sum().item<double>() > 0);
  }
  // With 5 context frames the posterior reads windows 0 .. 2: frame 4 moves the forecast.
  torch::manual_seed(7);
  auto fc = method->forecast(batch, 5, times, 2);
  CHECK(fc.sizes() == torch::IntArrayRef({2, B, T, D}));
  CHECK(torch::isfinite(fc).all().item<bool>());
  Batch moved = batch;
  moved.values = batch.values.clone();
  moved.values[0][4][1] += 1.0;
  torch::manual_seed(7);
  auto fc_moved = method->forecast(moved, 5, times, 2);
  CHECK_FALSE(torch::equal(fc.select(1, 0).narrow(1, 5, 2), fc_moved.select(1, 0).narrow(1, 5, 2)));
  CHECK(torch::equal(fc.narrow(1, 1, 2), fc_moved.narrow(1, 1, 2)));  // other rows: same noise
}

TEST_CASE("mlp_windows on per-sequence times: padding changes no loss, gradient or forecast",
          "[latent_sde][windows][per_sequence]") {
  const std::int64_t D = 2;
  LatentSdeMethodConfig c;
  c.model = window_config(D, 2);
  c.solver.dt = 0.05;
  DataShape shape{D, torch::tensor({0.0, 3.0}, torch::kFloat64), torch::kFloat64, true};
  torch::manual_seed(44);
  LatentSde method(c, shape);
  // Rows of 5, 3 and 4 observations. The window ending at an observation never reaches past its
  // row's end, and the mask zeroes padding in any case: only both failing would let it in.
  const Batch batch = testing::padded_batch(D);
  const Batch other = testing::with_other_padding(batch);
  auto step = [&](const Batch& b) {
    method.zero_grad();
    torch::manual_seed(99);
    const double total = method.train_step(b, {0, 0.7}).total;
    std::vector<torch::Tensor> grads;
    for (auto& p : method.parameters()) grads.push_back(p.grad().flatten());
    return std::make_pair(total, torch::cat(grads));
  };
  const auto a = step(batch), o = step(other);
  CHECK(std::isfinite(a.first));
  CHECK(a.first == o.first);
  CHECK(torch::equal(a.second, o.second));
  torch::manual_seed(8);
  auto fc = method.forecast(batch, 2, batch.times, 3);
  torch::manual_seed(8);
  auto fc_other = method.forecast(other, 2, batch.times, 3);
  CHECK(fc.sizes() == torch::IntArrayRef({3, 3, 5, D}));
  CHECK(torch::isfinite(fc).all().item<bool>());
  CHECK(torch::equal(fc, fc_other));
}
