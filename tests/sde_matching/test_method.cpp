// The method through its registry: schema, construction in float32 and float64, one step
// with gradients, evaluation, sampling and forecasting shapes, option errors.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>
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
