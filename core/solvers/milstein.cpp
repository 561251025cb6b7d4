#include "core/solvers/solvers.h"

namespace sdebench {

void Milstein::check(const Sde& sde) const {
  if (sde.noise_type() != NoiseType::Diagonal)
    unsupported(name(), std::string(to_string(sde.noise_type())) +
                            " noise (it needs diagonal noise; use 'euler', 'heun' or 'srk')");
}

// Ito:           y + f h + g dW + 1/2 g g' (dW^2 - h)
// Stratonovich:  y + f h + g dW + 1/2 g g' dW^2
void Milstein::step(Sde& sde, double t, double dt, const BrownianIncrement& dW, torch::Tensor& y,
                    torch::Tensor& extras) {
  auto e = sde.evaluate(t, y, extras.defined());
  auto dg = sde.diffusion_derivative(t, y);
  auto dW2 = dW.W * dW.W;
  if (sde.sde_type() == SdeType::Ito) dW2 = dW2 - dt;
  y = y + e.drift * dt + e.diffusion * dW.W + 0.5 * e.diffusion * dg * dW2;
  if (extras.defined()) extras = extras + e.extra_rate * dt;
}

}  // namespace sdebench
