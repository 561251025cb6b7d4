// Cross-check of two independent implementations: the odeint-based float64 OU generator
// (datasets/) and core's LibTorch sdeint with method "euler" at the same dt. Their marginals
// (mean and variance at several times) must agree within 4-sigma two-sample bounds.
#include <catch2/catch.hpp>

#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include "core/sde.h"
#include "core/sdeint.h"
#include "datasets/generators.h"
#include "test_support.h"

using namespace sdebench;

namespace {

class OrnsteinUhlenbeck : public Sde {
 public:
  OrnsteinUhlenbeck(double theta, double mu, double sigma)
      : Sde(NoiseType::Diagonal, SdeType::Ito, /*additive=*/true),
        theta_(theta), mu_(mu), sigma_(sigma) {}
  std::int64_t state_size() const override { return 1; }
  torch::Tensor drift(double, const torch::Tensor& y) override { return theta_ * (mu_ - y); }
  torch::Tensor diffusion(double, const torch::Tensor& y) override {
    return torch::full_like(y, sigma_);
  }

 private:
  double theta_, mu_, sigma_;
};

}  // namespace

TEST_CASE("odeint OU generator and core sdeint (euler) agree in distribution",
          "[datasets][crosscheck]") {
  const double theta = 2.0, mu = -0.5, sigma = 0.8, m0 = 1.0, s0 = 0.3, dt = 0.01;
  const std::int64_t n = 4000, T = 21;
  Options o;
  o.set("theta", theta);
  o.set("mu", mu);
  o.set("sigma", sigma);
  o.set("x0_mean", m0);
  o.set("x0_std", s0);
  o.set("t_end", 1.0);
  o.set("num_times", T);
  o.set("dt", dt);
  o.set("solver", std::string("euler"));
  auto generated = make_ou(test::whole_sample(o, n), test::no_cache(31)).train.values;  // [n,T,1]

  torch::NoGradGuard no_grad;
  OrnsteinUhlenbeck sde(theta, mu, sigma);
  auto generator = at::detail::createCPUGenerator(77);
  auto y0 = m0 + s0 * at::normal(0.0, 1.0, {n, 1}, generator,
                                 torch::TensorOptions().dtype(torch::kFloat64));
  std::vector<double> ts(T);
  for (std::int64_t k = 0; k < T; ++k) ts[k] = generated.size(1) > 1 ? double(k) / (T - 1) : 0.0;
  SdeintOptions options;
  options.method = "euler";
  options.dt = dt;
  options.seed = 78;
  auto solved = sdeint(sde, y0, ts, options).states;  // [T, n, 1]
  REQUIRE(solved.sizes() == torch::IntArrayRef({T, n, 1}));

  for (std::int64_t k : {1, 5, 10, 20}) {
    auto a = test::sample_moments(generated.select(1, k));
    auto b = test::sample_moments(solved[k]);
    INFO("t = " << ts[k] << ": odeint mean " << a.mean << " var " << a.variance
                << "; sdeint mean " << b.mean << " var " << b.variance);
    CHECK(std::abs(a.mean - b.mean) <= 4 * std::hypot(a.mean_se, b.mean_se));
    CHECK(std::abs(a.variance - b.variance) <= 4 * std::hypot(a.variance_se, b.variance_se));
  }
  // Both also match Euler's own exact recursion: x <- x (1 - theta h) + theta mu h + sigma dW,
  // so the check is not passing merely because both are noisy.
  const double h = dt, rate = 1 - theta * h;
  double mean = m0, var = s0 * s0;
  for (std::int64_t step = 1; step <= 100; ++step) {
    mean = mean * rate + theta * mu * h;
    var = var * rate * rate + sigma * sigma * h;
  }
  auto end = test::sample_moments(solved[T - 1]);
  CHECK(std::abs(end.mean - mean) <= 4 * end.mean_se);
  CHECK(std::abs(end.variance - var) <= 4 * end.variance_se);
}
