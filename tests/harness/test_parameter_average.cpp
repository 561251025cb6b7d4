// training.ema_decay: the parameter average against its closed form, the scoped swap, the
// checkpoint round trip, and a run that averages against one that does not.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>

#include "harness/results/run_dir.h"
#include "harness/runner/checkpoint.h"
#include "harness/runner/parameter_average.h"
#include "harness/runner/runner.h"
#include "methods/method.h"
#include "temp_dir.h"
#include "toy_components.h"

using namespace sdebench;

namespace {

// Starting at 0 with the parameters held at 1, the average after n updates is
// 1 - prod_t d_t, d_t = min(decay, (1 + t) / (10 + t)). The warm-up factors alone multiply
// to prod_{t<m} (1 + t) / (10 + t) = m! 9! / (m + 9)! = 1 / C(m + 9, 9).
double closed_form_average(double decay, int n) {
  int warm = 0;
  while (warm < n && (1.0 + warm) / (10.0 + warm) < decay) ++warm;
  double binomial = 1.0;  // C(warm + 9, 9)
  for (int k = 1; k <= 9; ++k) binomial = binomial * (warm + k) / k;
  return 1.0 - std::pow(decay, n - warm) / binomial;
}

std::vector<torch::Tensor> make_parameters(double value) {
  return {torch::full({3}, value, torch::kFloat64), torch::full({2, 2}, value, torch::kFloat64)};
}

}  // namespace

TEST_CASE("the parameter average: warm-up weights, then the decay, as in closed form",
          "[runner][average]") {
  const double decay = GENERATE(0.5, 0.9, 0.99);
  auto params = make_parameters(0.0);
  ParameterAverage average(decay, params);
  for (auto& p : params) p.fill_(1.0);
  for (int n = 1; n <= 40; ++n) {
    average.update(params);
    auto out = make_parameters(-1.0);
    average.copy_into(out);
    INFO("decay " << decay << ", " << n << " updates");
    for (const auto& t : out)
      REQUIRE(t.max().item<double>() == Approx(closed_form_average(decay, n)).epsilon(1e-14));
    REQUIRE(out[0].min().item<double>() == out[0].max().item<double>());
  }
}

TEST_CASE("the averaged parameters are in place only while the scope lasts", "[runner][average]") {
  auto params = make_parameters(0.0);
  ParameterAverage average(0.9, params);
  for (auto& p : params) p.fill_(2.0);
  average.update(params);  // d_0 = 0.1: the average is 1.8
  for (auto& p : params) p.fill_(3.25);
  {
    ScopedAveragedParameters scoped(&average, params);
    for (const auto& p : params) REQUIRE(torch::allclose(p, torch::full_like(p, 1.8), 0, 1e-15));
  }
  for (const auto& p : params) REQUIRE(torch::equal(p, torch::full_like(p, 3.25)));
  {
    ScopedAveragedParameters nothing(nullptr, params);
    for (const auto& p : params) REQUIRE(torch::equal(p, torch::full_like(p, 3.25)));
  }
}

TEST_CASE("the parameter average's state restores it exactly, update count included",
          "[runner][average]") {
  auto params = make_parameters(0.5);
  ParameterAverage a(0.95, params);
  for (int i = 0; i < 5; ++i) {
    for (auto& p : params) p.add_(0.3);
    a.update(params);
  }
  ParameterAverage b(0.95, make_parameters(7.0));
  b.load_state(a.state());
  for (auto& p : params) p.add_(0.3);
  a.update(params);  // the next weight depends on the update count
  b.update(params);
  auto from_a = make_parameters(0.0), from_b = make_parameters(0.0);
  a.copy_into(from_a);
  b.copy_into(from_b);
  for (std::size_t i = 0; i < from_a.size(); ++i) REQUIRE(torch::equal(from_a[i], from_b[i]));
  REQUIRE_THROWS_WITH(ParameterAverage(0.95, {torch::zeros({1})}).load_state(a.state()),
                      Catch::Contains("2 tensors, the model 1"));
}

TEST_CASE("a run with ema_decay trains the same parameters and evaluates their average",
          "[runner][average]") {
  testing::TempDir tmp;
  RunOptions quiet;
  quiet.progress = false;
  auto plain = testing::toy_spec(tmp.path, 3, 20);
  plain.training.set("eval_every", std::int64_t{5});
  auto averaged = plain;
  averaged.training.set("ema_decay", 0.9);
  RunResult a = run_experiment(plain, quiet);
  RunResult b = run_experiment(averaged, quiet);
  REQUIRE(a.status == "completed");
  REQUIRE(b.status == "completed");
  // Averaging never feeds back into training: the checkpoints' raw parameters are identical.
  auto raw = [&](const ResolvedSpec& spec, const std::string& dir, bool with_average) {
    std::vector<torch::Tensor> average_state;
    auto parameters =
        testing::checkpoint_parameters(spec, dir, with_average ? &average_state : nullptr);
    if (with_average) REQUIRE(average_state.size() == parameters.size() + 1);
    return parameters;
  };
  auto pa = raw(plain, a.run_dir, false);
  auto pb = raw(averaged, b.run_dir, true);
  for (std::size_t i = 0; i < pa.size(); ++i) REQUIRE(torch::equal(pa[i], pb[i]));
  // ...while what is evaluated differs.
  REQUIRE(a.final_metrics.at("test_nelbo") != b.final_metrics.at("test_nelbo"));
  // A checkpoint without an average cannot resume a run that averages.
  REQUIRE_THROWS_WITH(raw(plain, a.run_dir, true), Catch::Contains("has no parameter average"));
}
