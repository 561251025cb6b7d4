// The odeint steppers against the exact GBM solution on the same Brownian path: the stepper
// draws dW = sqrt(h) z from its generator, and a replica of that generator rebuilds W_T, so
// X_T = x0 exp((mu - sigma^2/2) T + sigma W_T) is known path by path. The strong error must
// fall like h^0.5 for Euler-Maruyama and like h^1 for (derivative-free) Milstein.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "datasets/sde_steppers.h"

using namespace sdebench;

namespace {

template <class Stepper>
double strong_error(std::int64_t steps, int paths) {
  const double mu = 1.0, sigma = 0.8, x0 = 1.0, T = 1.0, h = T / steps;
  auto drift = [&](const OdeState& x, OdeState& f, double) { f[0] = mu * x[0]; };
  auto diffusion = [&](const OdeState& x, OdeState& g, double) { g[0] = sigma * x[0]; };
  double total = 0.0;
  for (int p = 0; p < paths; ++p) {
    std::mt19937_64 rng(1000 + p), replica(1000 + p);
    Stepper stepper(rng);
    OdeState x{x0};
    boost::numeric::odeint::integrate_n_steps(std::ref(stepper), std::make_pair(drift, diffusion),
                                              x, 0.0, h, static_cast<std::size_t>(steps));
    std::normal_distribution<double> normal;
    double W = 0.0;
    for (std::int64_t k = 0; k < steps; ++k) W += std::sqrt(h) * normal(replica);
    total += std::abs(x[0] - x0 * std::exp((mu - 0.5 * sigma * sigma) * T + sigma * W));
  }
  return total / paths;
}

// Least-squares slope of log(error) against log(h).
template <class Stepper>
double convergence_order(std::vector<double>& errors) {
  std::vector<double> lx, ly;
  for (std::int64_t steps : {16, 32, 64, 128, 256}) {
    errors.push_back(strong_error<Stepper>(steps, 400));
    lx.push_back(std::log(1.0 / steps));
    ly.push_back(std::log(errors.back()));
  }
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < lx.size(); ++i) mx += lx[i] / lx.size(), my += ly[i] / ly.size();
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < lx.size(); ++i)
    sxy += (lx[i] - mx) * (ly[i] - my), sxx += (lx[i] - mx) * (lx[i] - mx);
  return sxy / sxx;
}

}  // namespace

TEST_CASE("odeint steppers have their strong orders on GBM", "[datasets][steppers]") {
  std::vector<double> euler_errors, milstein_errors;
  const double euler = convergence_order<EulerMaruyamaStepper>(euler_errors);
  const double milstein = convergence_order<MilsteinStepper>(milstein_errors);
  INFO("Euler-Maruyama order " << euler << ", Milstein order " << milstein);
  CHECK(euler == Approx(0.5).margin(0.15));
  CHECK(milstein == Approx(1.0).margin(0.15));
  for (std::size_t i = 0; i < euler_errors.size(); ++i) CHECK(milstein_errors[i] < euler_errors[i]);
}
