// forecast_with: what a latent SDE forecast simulates past the context frames. With the noise
// switched off (q(z_0)'s std and the diffusion at ~1e-13) a forecast is an Euler solution, so
// both modes are checked against Euler steps taken here with the networks' plain forward
// passes: "prior" follows the posterior drift over the context and the prior drift after it,
// "posterior" the posterior drift (context from the context frames) throughout. The refusals
// name the key.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <string>

#include "core/registry.h"
#include "methods/latent_sde/latent_sde.h"
#include "switch_off_noise.h"

using namespace sdebench;

// Named, not anonymous: the test sources are compiled as one unit.
namespace forecast_with_test {

constexpr std::int64_t kB = 2, kT = 7, kD = 3, kLatent = 2, kContext = 2, kFrames = 3;

std::shared_ptr<LatentSde> make(const std::string& forecast_with, const std::string& encoder,
                                const torch::Tensor& times) {
  const auto& entry = MethodRegistry::instance().get("latent_sde", "method");
  auto options = entry.schema.defaults();
  options.set("encoder", encoder);
  options.set("encoder_frames", kFrames);
  options.set("latent_size", kLatent);
  options.set("context_size", kContext);
  options.set("hidden_size", std::int64_t{6});
  options.set("drift_layers", std::int64_t{1});
  options.set("prior_width", std::int64_t{5});
  options.set("prior_layers", std::int64_t{1});
  options.set("diffusion_width", std::int64_t{4});
  options.set("forecast_with", forecast_with);
  options.set("solver", std::string("euler"));
  options.set("dt", 0.25);  // above the 0.2 between observations: one Euler step per interval
  torch::manual_seed(5);
  auto m = std::dynamic_pointer_cast<LatentSde>(entry.factory(options, DataShape{kD, times, torch::kFloat64}));
  REQUIRE(m);
  return m;
}

// The forecast's decoded means by Euler steps on `times`, the posterior drift up to times[k-1]
// and after it the posterior's (posterior_after = true) or the prior's drift.
torch::Tensor euler_forecast(LatentSde& m, const torch::Tensor& values, const torch::Tensor& times,
                             bool posterior_after) {
  torch::NoGradGuard no_grad;
  auto& model = *m.model;
  auto first = values.narrow(1, 0, kFrames).flatten(1);  // [B, k D]
  auto code = model.first_frames->net->forward(first);   // [B, 2 d + C]
  auto z = code.narrow(1, 0, kLatent);
  auto ctx = code.narrow(1, 2 * kLatent, kContext);
  std::vector<torch::Tensor> states{z};
  for (std::int64_t i = 0; i + 1 < times.size(0); ++i) {
    const double t = times[i].item<double>(), h = times[i + 1].item<double>() - t;
    const bool posterior = posterior_after || i + 1 < kFrames;
    auto drift = posterior ? model.posterior_net->forward(torch::cat({z, ctx}, 1))
                           : model.prior_drift(t, z);
    z = z + h * drift;
    states.push_back(z);
  }
  return model.decode(torch::stack(states)).permute({1, 0, 2});  // [B, T, D]
}

}  // namespace forecast_with_test

namespace fw = forecast_with_test;

TEST_CASE("forecast_with: prior and posterior forecasts equal Euler steps of their drifts",
          "[latent_sde][forecast]") {
  auto times = torch::linspace(0.0, 1.2, fw::kT, torch::kFloat64);
  torch::manual_seed(11);
  auto values = torch::randn({fw::kB, fw::kT, fw::kD}, torch::kFloat64);
  Batch batch{times, values, torch::ones_like(values), torch::Tensor()};
  torch::Tensor by_mode[2];
  for (const bool posterior : {false, true}) {
    INFO((posterior ? "posterior" : "prior"));
    auto m = fw::make(posterior ? "posterior" : "prior", "mlp_first_k", times);
    testing::switch_off_noise(*m);
    auto fc = m->forecast(batch, fw::kFrames, times, 2);  // [S, B, T, D]
    REQUIRE(fc.sizes() == torch::IntArrayRef({2, fw::kB, fw::kT, fw::kD}));
    auto expected = fw::euler_forecast(*m, values, times, posterior);
    for (std::int64_t s = 0; s < 2; ++s) CHECK(torch::allclose(fc[s], expected, 1e-9, 1e-9));
    by_mode[posterior] = fc[0];
  }
  // Same seed, same networks: the modes agree over the context frames and part after them.
  CHECK(torch::allclose(by_mode[0].narrow(1, 0, fw::kFrames), by_mode[1].narrow(1, 0, fw::kFrames), 1e-12, 1e-12));
  CHECK((by_mode[0].narrow(1, fw::kFrames, fw::kT - fw::kFrames) - by_mode[1].narrow(1, fw::kFrames, fw::kT - fw::kFrames))
            .abs()
            .max()
            .item<double>() > 1e-3);
}

TEST_CASE("forecast_with = posterior: refused without a first-frames context and on "
          "per-sequence times",
          "[latent_sde][forecast]") {
  auto times = torch::linspace(0.0, 1.2, fw::kT, torch::kFloat64);
  for (const std::string encoder : {"gru", "mlp_windows"}) {
    INFO(encoder);
    CHECK_THROWS_WITH(fw::make("posterior", encoder, times),
                      Catch::Contains("forecast_with = \"posterior\" needs encoder = \"mlp_first_k\"") &&
                          Catch::Contains(encoder));
  }
  auto m = fw::make("posterior", "mlp_first_k", times);
  auto row_times = times.unsqueeze(0).repeat({fw::kB, 1});
  Batch per_sequence{row_times, torch::randn({fw::kB, fw::kT, fw::kD}, torch::kFloat64),
                     torch::ones({fw::kB, fw::kT, fw::kD}, torch::kFloat64),
                     torch::full({fw::kB}, fw::kT, torch::kLong)};
  CHECK_THROWS_WITH(m->forecast(per_sequence, fw::kFrames, row_times, 2),
                    Catch::Contains("forecast_with = \"posterior\"") &&
                        Catch::Contains("per-sequence times"));
}
