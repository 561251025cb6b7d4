#include "core/solvers/solvers.h"

namespace sdebench {

void Midpoint::check(const Sde& sde) const { check_stratonovich_solver(name(), sde); }

// Half a step to the midpoint, then the full step with the coefficients there.
void Midpoint::step(Sde& sde, double t, double dt, const BrownianIncrement& dW, torch::Tensor& y,
                    torch::Tensor& extras) {
  auto e0 = sde.evaluate(t, y, false);
  auto mid = y + e0.drift * (0.5 * dt) + sde.noise_term(e0.diffusion, dW.W) * 0.5;
  auto e1 = sde.evaluate(t + 0.5 * dt, mid, extras.defined());
  y = y + e1.drift * dt + sde.noise_term(e1.diffusion, dW.W);
  if (extras.defined()) extras = extras + e1.extra_rate * dt;
}

}  // namespace sdebench
