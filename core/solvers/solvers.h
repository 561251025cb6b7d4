#pragma once
// The fixed-step solvers (one .cpp each). Strong orders are for the noise types each accepts.
#include "core/solvers/stepper.h"

namespace sdebench {

// Euler-Maruyama. Ito SDEs (any noise), or Stratonovich with additive noise. Strong 0.5 (1.0
// for additive noise).
class EulerMaruyama : public Stepper {
 public:
  const char* name() const override { return "euler"; }
  SdeType calculus() const override { return SdeType::Ito; }
  const char* summary() const override {
    return "Euler-Maruyama; Ito, any noise (Stratonovich if additive); strong 0.5, 1.0 additive";
  }
  void check(const Sde& sde) const override;
  void step(Sde& sde, double t, double dt, const BrownianIncrement& dW, torch::Tensor& y,
            torch::Tensor& extras) override;
};

// Milstein for diagonal noise, Ito or Stratonovich form. Strong 1.0.
class Milstein : public Stepper {
 public:
  const char* name() const override { return "milstein"; }
  SdeType calculus() const override { return SdeType::Ito; }
  const char* summary() const override {
    return "Milstein; diagonal noise, Ito or Stratonovich; strong 1.0";
  }
  void check(const Sde& sde) const override;
  void step(Sde& sde, double t, double dt, const BrownianIncrement& dW, torch::Tensor& y,
            torch::Tensor& extras) override;
};

// Stochastic Runge-Kutta SRA1 (Roessler 2010) for additive noise: strong 1.5. Needs the
// space-time Levy area, through I_(1,0) = h (H + W/2).
class StochasticRungeKutta : public Stepper {
 public:
  const char* name() const override { return "srk"; }
  SdeType calculus() const override { return SdeType::Ito; }
  const char* summary() const override {
    return "stochastic Runge-Kutta SRA1; additive noise; strong 1.5 (uses Levy area)";
  }
  bool needs_levy_area() const override { return true; }
  void check(const Sde& sde) const override;
  void step(Sde& sde, double t, double dt, const BrownianIncrement& dW, torch::Tensor& y,
            torch::Tensor& extras) override;
};

// Heun (trapezoidal predictor-corrector), Stratonovich. Strong 1.0 for commutative noise
// (diagonal, scalar, additive), 0.5 in general.
class Heun : public Stepper {
 public:
  const char* name() const override { return "heun"; }
  SdeType calculus() const override { return SdeType::Stratonovich; }
  const char* summary() const override {
    return "Heun; Stratonovich (Ito if additive); strong 1.0 commutative noise, 0.5 general";
  }
  void check(const Sde& sde) const override;
  void step(Sde& sde, double t, double dt, const BrownianIncrement& dW, torch::Tensor& y,
            torch::Tensor& extras) override;
};

// Explicit midpoint, Stratonovich. Strong 1.0 for commutative noise, 0.5 in general.
class Midpoint : public Stepper {
 public:
  const char* name() const override { return "midpoint"; }
  SdeType calculus() const override { return SdeType::Stratonovich; }
  const char* summary() const override {
    return "explicit midpoint; Stratonovich (Ito if additive); strong 1.0 commutative, 0.5 general";
  }
  void check(const Sde& sde) const override;
  void step(Sde& sde, double t, double dt, const BrownianIncrement& dW, torch::Tensor& y,
            torch::Tensor& extras) override;
};

// Shared check for the Stratonovich solvers: Stratonovich SDEs, or Ito with additive noise
// (where the two calculi agree).
void check_stratonovich_solver(const char* solver, const Sde& sde);

}  // namespace sdebench
