#include "core/solvers/solvers.h"

namespace sdebench {

void Heun::check(const Sde& sde) const { check_stratonovich_solver(name(), sde); }

// Predictor y~ = y + f h + g dW; corrector averages the coefficients at both ends.
void Heun::step(Sde& sde, double t, double dt, const BrownianIncrement& dW, torch::Tensor& y,
                torch::Tensor& extras) {
  auto e0 = sde.evaluate(t, y, extras.defined());
  auto predictor = y + e0.drift * dt + sde.noise_term(e0.diffusion, dW.W);
  auto e1 = sde.evaluate(t + dt, predictor, extras.defined());
  y = y + (e0.drift + e1.drift) * (0.5 * dt) +
      sde.noise_term(e0.diffusion + e1.diffusion, dW.W) * 0.5;
  if (extras.defined()) extras = extras + (e0.extra_rate + e1.extra_rate) * (0.5 * dt);
}

}  // namespace sdebench
