// The registered method: options, shapes, the masked loss, forecasts that keep the given
// frames, no "nelbo" in evaluate.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "methods/diffusion/diffusion.h"

using namespace sdebench;

namespace {

DataShape lorenz_like_shape(torch::ScalarType dtype, std::int64_t T = 9, std::int64_t D = 3) {
  DataShape shape;
  shape.dims = D;
  shape.times = torch::linspace(0.0, 1.0, T, torch::kFloat64);
  shape.dtype = dtype;
  return shape;
}

std::shared_ptr<Method> build(const Options& options, const DataShape& shape) {
  const auto& entry = MethodRegistry::instance().get("diffusion", "method");
  return entry.factory(options, shape);
}

Options small_conv() {
  Options o;
  o.set("hidden_width", std::int64_t{16});
  o.set("layers", std::int64_t{2});
  o.set("kernel_size", std::int64_t{3});
  o.set("sampling_steps", std::int64_t{10});
  return o;
}

Batch random_batch(const DataShape& shape, std::int64_t B) {
  const auto T = shape.times.size(0);
  auto opts = torch::TensorOptions().dtype(shape.dtype);
  return {shape.times, torch::randn({B, T, shape.dims}, opts),
          torch::ones({B, T, shape.dims}, opts)};
}

}  // namespace

TEST_CASE("diffusion is registered with a documented schema", "[diffusion]") {
  const auto& entry = MethodRegistry::instance().get("diffusion", "method");
  CHECK(entry.description.find("ELBO") != std::string::npos);
  for (const auto& key : {"network", "hidden_width", "layers", "beta_min", "beta_max", "sampler",
                          "sampling_steps", "solver", "conditioning", "t_min"}) {
    const auto* spec = entry.schema.find(key);
    REQUIRE(spec != nullptr);
    CHECK(!spec->help.empty());
  }
  for (const auto& spec : entry.schema.specs()) CHECK(!spec.help.empty());
}

TEST_CASE("diffusion rejects bad options and window shapes with clear errors", "[diffusion]") {
  auto shape = lorenz_like_shape(torch::kFloat32);
  Options typo;
  typo.set("hiden_width", std::int64_t{8});
  CHECK_THROWS_WITH(build(typo, shape), Catch::Contains("hidden_width"));
  Options bad;
  bad.set("sampler", std::string("langevin"));
  CHECK_THROWS_WITH(build(bad, shape), Catch::Contains("sampler"));
  Options betas;
  betas.set("beta_min", 5.0);
  betas.set("beta_max", 1.0);
  CHECK_THROWS_WITH(build(betas, shape), Catch::Contains("beta_max"));
  auto method = build(small_conv(), shape);
  CHECK_THROWS_WITH(method->sample(torch::linspace(0, 1, 5, torch::kFloat64), 2),
                    Catch::Contains("T = 9"));
}

TEST_CASE("diffusion trains, samples and evaluates in float32 and float64", "[diffusion]") {
  for (auto dtype : {torch::kFloat32, torch::kFloat64}) {
    torch::manual_seed(3);
    auto shape = lorenz_like_shape(dtype);
    auto method = build(small_conv(), shape);
    auto batch = random_batch(shape, 8);
    method->zero_grad();
    auto terms = method->train_step(batch, {});
    CHECK(std::isfinite(terms.total));
    CHECK(terms.total > 0.0);
    for (const auto& p : method->parameters()) {
      REQUIRE(p.grad().defined());
      CHECK(p.grad().scalar_type() == dtype);
    }
    auto metrics = method->evaluate(batch, EvalOptions{4, 1});
    CHECK(metrics.count("nelbo") == 0);  // no ELBO for this baseline
    REQUIRE(metrics.count("dsm") == 1);
    CHECK(std::isfinite(metrics["dsm"]));
    auto paths = method->sample(shape.times, 5);
    CHECK(paths.sizes() == torch::IntArrayRef({5, 9, 3}));
    CHECK(paths.scalar_type() == dtype);
    CHECK(torch::isfinite(paths).all().item<bool>());
  }
}

TEST_CASE("ode sampler option and both networks give finite windows", "[diffusion]") {
  torch::manual_seed(4);
  auto shape = lorenz_like_shape(torch::kFloat64, 4, 2);
  for (const char* network : {"conv", "mlp"}) {
    auto o = small_conv();
    o.set("network", std::string(network));
    o.set("sampler", std::string("ode"));
    auto method = std::dynamic_pointer_cast<Diffusion>(build(o, shape));
    REQUIRE(method);
    CHECK(method->config().solver == "heun");  // "auto" resolves to heun for the ODE
    auto paths = method->sample(shape.times, 3);
    CHECK(paths.sizes() == torch::IntArrayRef({3, 4, 2}));
    CHECK(torch::isfinite(paths).all().item<bool>());
  }
}

TEST_CASE("the denoising loss ignores missing entries", "[diffusion]") {
  // Shift x0 at a missing entry by delta and its noise by -alpha delta / sigma: the noised
  // input x_t is unchanged, only the (masked) target moved, so the loss must not change.
  torch::manual_seed(5);
  auto shape = lorenz_like_shape(torch::kFloat64, 5, 2);
  auto method = std::dynamic_pointer_cast<Diffusion>(build(small_conv(), shape));
  auto batch = random_batch(shape, 4);
  batch.mask[1][2][0] = 0.0;
  batch.mask[3][4][1] = 0.0;
  auto t = torch::tensor({0.1, 0.4, 0.7, 0.95}, torch::kFloat64);
  auto noise = torch::randn_like(batch.values);
  torch::NoGradGuard no_grad;
  const double before = method->denoising_loss(batch, t, noise).item<double>();
  const auto& s = method->config().schedule;
  Batch moved{batch.times, batch.values.clone(), batch.mask};
  auto moved_noise = noise.clone();
  moved.values[1][2][0] += 3.0;
  moved_noise[1][2][0] -= s.alpha(0.4) * 3.0 / s.sigma(0.4);
  const double after = method->denoising_loss(moved, t, moved_noise).item<double>();
  CHECK(after == Approx(before).epsilon(1e-10));
  // ... while the same move at an observed entry changes it.
  Batch observed_move{batch.times, batch.values.clone(), batch.mask};
  auto observed_noise = noise.clone();
  observed_move.values[1][1][0] += 3.0;
  observed_noise[1][1][0] -= s.alpha(0.4) * 3.0 / s.sigma(0.4);
  CHECK(method->denoising_loss(observed_move, t, observed_noise).item<double>() !=
        Approx(before).epsilon(1e-6));
  // And the loss is the masked mean of (eps_hat - eps)^2 with eps_hat = -sigma score.
  auto x_t = s.alpha(t).view({-1, 1, 1}) * batch.values + s.sigma(t).view({-1, 1, 1}) * noise;
  auto eps_hat = -s.sigma(t).view({-1, 1, 1}) * method->score(x_t, t);
  auto manual = (batch.mask * (eps_hat - noise).pow(2)).sum() / batch.mask.sum();
  CHECK(before == Approx(manual.item<double>()).epsilon(1e-10));
}

TEST_CASE("forecast keeps the given frames exactly and generates the rest", "[diffusion]") {
  torch::manual_seed(6);
  for (auto dtype : {torch::kFloat32, torch::kFloat64})
  for (const char* conditioning : {"mask", "replacement"}) {
    CAPTURE(dtype, conditioning);
    auto shape = lorenz_like_shape(dtype);
    auto options = small_conv();
    options.set("conditioning", std::string(conditioning));
    auto method = build(options, shape);
    auto batch = random_batch(shape, 3);
    batch.mask[2][1][1] = 0.0;  // a missing value inside the context is generated
    batch.values[2][1][1] = 0.0;
    const std::int64_t k = 3, S = 4;
    auto f = method->forecast(batch, k, shape.times, S);
    REQUIRE(f.sizes() == torch::IntArrayRef({S, 3, 9, 3}));
    auto given = batch.values.narrow(1, 0, k).unsqueeze(0).expand({S, 3, k, 3});
    auto given_mask = batch.mask.narrow(1, 0, k).unsqueeze(0).expand({S, 3, k, 3});
    auto head = f.narrow(2, 0, k);
    CHECK(torch::equal(head * given_mask, given * given_mask));  // bitwise equal
    CHECK(f[0][2][1][1].item<double>() != 0.0);
    CHECK(!torch::allclose(f[0][2][1][1], f[1][2][1][1]));
    // The rest differs between samples.
    CHECK(!torch::allclose(f[0].narrow(1, k, 9 - k), f[1].narrow(1, k, 9 - k)));
    CHECK(torch::isfinite(f).all().item<bool>());
  }
  auto method = build(small_conv(), lorenz_like_shape(torch::kFloat32));
  auto batch = random_batch(lorenz_like_shape(torch::kFloat32), 2);
  CHECK_THROWS_WITH(method->forecast(batch, 0, batch.times, 2), Catch::Contains("context"));
  CHECK_THROWS_WITH(method->forecast(batch, 10, batch.times, 2), Catch::Contains("context"));
}
