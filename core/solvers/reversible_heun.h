#pragma once
// Reversible Heun (Kidger et al. 2021), Stratonovich. Carries (y, y_hat, f(y_hat), g(y_hat)):
//   y_hat'  = 2 y - y_hat + f h + g dW
//   y'      = y + (f + f') h / 2 + (g + g') dW / 2,   f' = f(t + h, y_hat'), g' = g(t + h, y_hat')
// The step is algebraically invertible given dW, which makes its adjoint exact:
//   y_hat = 2 y' - y_hat' - f' h - g' dW,    f = f(t, y_hat), g = g(t, y_hat),
//   y     = y' - (f + f') h / 2 - (g + g') dW / 2.
// Strong order 1.0 for additive noise, 0.5 in general.
#include "core/solvers/stepper.h"

namespace sdebench {

class ReversibleHeun : public Stepper {
 public:
  const char* name() const override { return "reversible_heun"; }
  SdeType calculus() const override { return SdeType::Stratonovich; }
  const char* summary() const override {
    return "reversible Heun; Stratonovich (Ito if additive); strong 1.0 additive, 0.5 general; "
           "exact adjoint";
  }
  void check(const Sde& sde) const override;
  void reset(Sde& sde, double t0, const torch::Tensor& y0) override;
  void step(Sde& sde, double t, double dt, const BrownianIncrement& dW, torch::Tensor& y,
            torch::Tensor& extras) override;

  // The carried state after the latest step (or reset).
  torch::Tensor y_hat, f_hat, g_hat, r_hat;  // r_hat: extra rate at y_hat (may be undefined)
};

}  // namespace sdebench
