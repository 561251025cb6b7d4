// OU and GBM sample moments at several times against their closed forms, with 4-sigma
// Monte-Carlo bounds computed from the sample (the Euler bias at dt = 1e-3 is far below them).
#include <catch2/catch.hpp>

#include <array>
#include <cmath>

#include <boost/numeric/odeint.hpp>

#include "datasets/generators.h"
#include "test_support.h"

using namespace sdebench;
using sdebench::test::sample_moments;

TEST_CASE("OU marginals match the Gaussian closed form", "[datasets][ou]") {
  const double theta = 1.5, mu = 0.3, sigma = 0.6, m0 = 1.0, s0 = 0.2;
  Options o;
  o.set("theta", theta);
  o.set("mu", mu);
  o.set("sigma", sigma);
  o.set("x0_mean", m0);
  o.set("x0_std", s0);
  o.set("t_end", 2.0);
  o.set("num_times", std::int64_t(41));
  const std::int64_t n = 4000;
  auto d = make_ou(test::whole_sample(o, n), test::no_cache(11));
  REQUIRE(d.train.values.sizes() == torch::IntArrayRef({n, 41, 1}));
  REQUIRE(d.val.size() == 0);
  REQUIRE(d.test.size() == 0);
  for (std::int64_t k : {0, 4, 10, 20, 40}) {
    const double t = d.times[k].item<double>();
    const double decay = std::exp(-theta * t);
    const double mean = mu + (m0 - mu) * decay;
    const double var = s0 * s0 * decay * decay + sigma * sigma * (1 - decay * decay) / (2 * theta);
    auto m = sample_moments(d.train.values.select(1, k));
    INFO("t = " << t << ": mean " << m.mean << " vs " << mean << ", var " << m.variance << " vs "
                << var);
    CHECK(std::abs(m.mean - mean) <= 4 * m.mean_se);
    CHECK(std::abs(m.variance - var) <= 4 * m.variance_se);
  }
}

TEST_CASE("GBM marginals match the log-normal closed form", "[datasets][gbm]") {
  const double mu = 1.0, sigma = 0.5, m0 = 0.1, s0 = 0.03;
  const std::int64_t n = 4000;
  for (std::string solver : {"euler", "milstein"}) {
    SECTION(solver) {
      Options o;
      o.set("solver", solver);
      auto d = make_gbm(test::whole_sample(o, n), test::no_cache(12));
      REQUIRE(d.train.values.sizes() == torch::IntArrayRef({n, 51, 1}));
      for (std::int64_t k : {0, 10, 25, 50}) {
        const double t = d.times[k].item<double>();
        // X_t = X_0 exp((mu - sigma^2/2) t + sigma W_t), X_0 independent of W.
        const double mean = m0 * std::exp(mu * t);
        const double second = (m0 * m0 + s0 * s0) * std::exp((2 * mu + sigma * sigma) * t);
        const double var = second - mean * mean;
        auto m = sample_moments(d.train.values.select(1, k));
        INFO(solver << " t = " << t << ": mean " << m.mean << " vs " << mean << ", var "
                    << m.variance << " vs " << var);
        CHECK(std::abs(m.mean - mean) <= 4 * m.mean_se);
        CHECK(std::abs(m.variance - var) <= 4 * m.variance_se);
      }
    }
  }
}

TEST_CASE("time grid and inner steps follow the documented rule", "[datasets]") {
  auto d = make_gbm(test::whole_sample({}, 4), test::no_cache(1));
  auto expected = torch::linspace(0, 1, 51, torch::kFloat64);
  CHECK(torch::allclose(d.times, expected, 0, 1e-15));
  CHECK(d.meta.at("sde") == "dX = mu X dt + sigma X dW (Ito)");
  CHECK(d.meta.at("seed") == "1");
  CHECK(d.meta.at("option.mu") == "1.0");
}

TEST_CASE("time-dependent OU matches its moment ODEs", "[datasets][tdou]") {
  // dy = (mu t - theta y) dt + s(t) dW, s(t) = sigma 2t/64: m' = mu t - theta m,
  // v' = -2 theta v + s(t)^2, m(0) = 0, v(0) = 1/3 for y0 ~ U(-1, 1). Integrated with odeint's
  // RK4, independently of the stochastic simulation.
  const double mu = 0.02, theta = 0.1, sigma = 0.4;
  Options o;
  o.set("normalise", false);
  o.set("dt", 0.02);
  const std::int64_t n = 2000;
  auto d = make_time_dependent_ou(test::whole_sample(o, n), test::no_cache(13));
  REQUIRE(d.train.values.sizes() == torch::IntArrayRef({n, 64, 1}));
  CHECK(d.times[63].item<double>() == 63.0);
  using Moments2 = std::array<double, 2>;
  auto rhs = [&](const Moments2& y, Moments2& dy, double t) {
    const double s = sigma * 2.0 * t / 64.0;
    dy[0] = mu * t - theta * y[0];
    dy[1] = -2.0 * theta * y[1] + s * s;
  };
  boost::numeric::odeint::runge_kutta4<Moments2> rk4;
  Moments2 exact{0.0, 1.0 / 3.0};
  double t = 0.0;
  for (std::int64_t k : {1, 10, 30, 63}) {
    boost::numeric::odeint::integrate_const(rk4, rhs, exact, t, double(k), 1e-3);
    t = double(k);
    auto m = sample_moments(d.train.values.select(1, k));
    INFO("t = " << t << ": mean " << m.mean << " vs " << exact[0] << ", var " << m.variance
                << " vs " << exact[1]);
    CHECK(std::abs(m.mean - exact[0]) <= 4 * m.mean_se);
    CHECK(std::abs(m.variance - exact[1]) <= 4 * m.variance_se);
  }
}

TEST_CASE("double well relaxes to its stationary density", "[datasets][double_well]") {
  // p(x) ~ exp(2 (x^2/2 - x^4/4) / sigma^2); the initial law is symmetric, so by t = 10 (many
  // relaxation times inside a well) the sample is close to stationary. E[X^2] by quadrature.
  const double sigma = 0.5;
  double z = 0, second = 0;
  for (double x = -3; x <= 3; x += 1e-4) {
    const double p = std::exp(2 * (x * x / 2 - x * x * x * x / 4) / (sigma * sigma));
    z += p;
    second += x * x * p;
  }
  second /= z;
  Options o;
  o.set("dt", 2e-3);
  const std::int64_t n = 2000;
  auto d = make_double_well(test::whole_sample(o, n), test::no_cache(14));
  auto last = d.train.values.select(1, -1).flatten();
  auto m = sample_moments(last.pow(2));
  INFO("E[X^2] " << m.mean << " vs stationary " << second);
  CHECK(std::abs(m.mean - second) <= 4 * m.mean_se);
  const double right = (last > 0).to(torch::kFloat64).mean().item<double>();
  CHECK(std::abs(right - 0.5) <= 4 * std::sqrt(0.25 / n));
}
