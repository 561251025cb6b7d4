#pragma once
// Stochastic steppers written to Boost.Odeint's stepper concept (stepper_tag), so odeint's
// integrate functions drive them, as in odeint's stochastic_euler example. They are plain
// float64 code, independent of the LibTorch solvers in core/, so the two can check each other.
//
// The "system" is a std::pair of callables (drift, diffusion), each with odeint's signature
// (const State& x, State& out, double t); the diffusion is diagonal: component i of the noise
// is g_i(x, t) dW_i (Ito). The Brownian increments come from the generator passed to the stepper.
#include <boost/numeric/odeint.hpp>

#include <cmath>
#include <random>
#include <vector>

namespace sdebench {

using OdeState = std::vector<double>;

// Euler-Maruyama: x += f dt + g dW. Strong order 0.5, weak order 1.
class EulerMaruyamaStepper {
 public:
  using state_type = OdeState;
  using deriv_type = OdeState;
  using value_type = double;
  using time_type = double;
  using order_type = unsigned short;
  using stepper_category = boost::numeric::odeint::stepper_tag;
  static order_type order() { return 1; }  // odeint's notion (weak order)

  explicit EulerMaruyamaStepper(std::mt19937_64& rng) : rng_(&rng) {}

  template <class System>
  void do_step(System system, state_type& x, time_type t, time_type dt) {
    drift_.resize(x.size());
    diffusion_.resize(x.size());
    system.first(x, drift_, t);
    system.second(x, diffusion_, t);
    const double sqrt_dt = std::sqrt(dt);
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] += drift_[i] * dt + diffusion_[i] * sqrt_dt * normal_(*rng_);
  }

 private:
  std::mt19937_64* rng_;
  std::normal_distribution<double> normal_;
  state_type drift_, diffusion_;
};

// Derivative-free Milstein (Kloeden & Platen 11.1.3) for diagonal noise:
//   x += f dt + g dW + (g(x~) - g(x)) (dW^2 - dt) / (2 sqrt(dt)),  x~ = x + f dt + g sqrt(dt).
// Strong order 1 for diagonal noise, the order of torchsde's SRK on such SDEs.
class MilsteinStepper {
 public:
  using state_type = OdeState;
  using deriv_type = OdeState;
  using value_type = double;
  using time_type = double;
  using order_type = unsigned short;
  using stepper_category = boost::numeric::odeint::stepper_tag;
  static order_type order() { return 1; }

  explicit MilsteinStepper(std::mt19937_64& rng) : rng_(&rng) {}

  template <class System>
  void do_step(System system, state_type& x, time_type t, time_type dt) {
    const std::size_t d = x.size();
    drift_.resize(d);
    diffusion_.resize(d);
    support_.resize(d);
    support_diffusion_.resize(d);
    system.first(x, drift_, t);
    system.second(x, diffusion_, t);
    const double sqrt_dt = std::sqrt(dt);
    for (std::size_t i = 0; i < d; ++i) support_[i] = x[i] + drift_[i] * dt + diffusion_[i] * sqrt_dt;
    system.second(support_, support_diffusion_, t);
    for (std::size_t i = 0; i < d; ++i) {
      const double dW = sqrt_dt * normal_(*rng_);
      const double correction =
          (support_diffusion_[i] - diffusion_[i]) * (dW * dW - dt) / (2.0 * sqrt_dt);
      x[i] += drift_[i] * dt + diffusion_[i] * dW + correction;
    }
  }

 private:
  std::mt19937_64* rng_;
  std::normal_distribution<double> normal_;
  state_type drift_, diffusion_, support_, support_diffusion_;
};

}  // namespace sdebench
