// Forecasting from the first frames with absolute time (issue 18): the marginals at the context
// times must be the ones training fitted there. With attention_last_state = false the context at
// t only reads GRU states near t, each of which has read the frames up to its own time, so a
// forecast from the first k frames and one from the whole sequence agree at the early times,
// provided the attention keeps training's width in time (attention_sharpness = 0: the whole
// sequence's count of observations, not the context's).
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "methods/method.h"
#include "methods/sde_matching/sde_matching.h"

using namespace sdebench;

TEST_CASE("forecasts from the first frames see the marginals training fitted",
          "[method][forecast]") {
  const std::int64_t B = 3, T = 40, D = 2, k = 12;
  auto times = torch::linspace(0, 4, T, torch::kFloat64);
  Options o;
  o.set("encoder_hidden", std::int64_t{8});
  o.set("posterior_width", std::int64_t{8});
  o.set("prior_width", std::int64_t{8});
  o.set("diffusion_width", std::int64_t{4});
  o.set("attention_sharpness", 0.0);
  o.set("time_normalisation", std::string("absolute"));
  o.set("attention_last_state", false);
  torch::manual_seed(5);
  auto method = MethodRegistry::instance().get("sde_matching").factory(o, {D, times, torch::kFloat64});
  torch::manual_seed(6);
  Batch batch{times, torch::randn({B, T, D}, torch::kFloat64), torch::ones({B, T, D}, torch::kFloat64),
              torch::Tensor()};
  torch::manual_seed(7);
  auto from_prefix = method->forecast(batch, k, times, 2);  // [2, B, T, D]
  torch::manual_seed(7);
  auto from_all = method->forecast(batch, T, times, 2);     // all times inside the context
  // Keys 5 spacings away weigh exp(-25) at sharpness T: the first k - 5 times read no frame
  // beyond the prefix.
  const auto early = k - 5;
  CHECK(torch::allclose(from_prefix.narrow(2, 0, early), from_all.narrow(2, 0, early), 1e-8, 1e-9));
  // Not vacuous: later times of the prefix forecast come from the prior and differ.
  CHECK_FALSE(torch::allclose(from_prefix.narrow(2, k, T - k), from_all.narrow(2, k, T - k), 1e-3, 1e-3));
}
