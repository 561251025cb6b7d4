#include <cmath>

#include "core/solvers/solvers.h"

namespace sdebench {

void StochasticRungeKutta::check(const Sde& sde) const {
  if (!sde.additive())
    unsupported(name(), std::string(to_string(sde.noise_type())) +
                            " non-additive noise (this is the SRA1 scheme for additive noise; use "
                            "'milstein' for diagonal noise)");
}

// SRA1 tableau: c0 = (0, 3/4), c1 = (1, 0), A0_21 = 3/4, B0_21 = 3/2, alpha = (1/3, 2/3),
// beta1 = (1, 0), beta2 = (-1, 1), with I1 = dW and I10 = int (W_s - W_t) ds = h (H + dW/2).
//   H2 = y + 3/4 f(t, y) h + 3/2 g(t + h) I10 / h
//   y' = y + (f(t, y)/3 + 2 f(t + 3h/4, H2)/3) h + g(t + h) (I1 - I10/h) + g(t) I10/h
void StochasticRungeKutta::step(Sde& sde, double t, double dt, const BrownianIncrement& dW,
                                torch::Tensor& y, torch::Tensor& extras) {
  auto I10_over_h = dW.H + 0.5 * dW.W;
  auto e1 = sde.evaluate(t, y, extras.defined());
  auto g_end = sde.diffusion(t + dt, y);  // additive: independent of the state
  auto H2 = y + 0.75 * dt * e1.drift + 1.5 * sde.noise_term(g_end, I10_over_h);
  auto e2 = sde.evaluate(t + 0.75 * dt, H2, extras.defined());
  y = y + (e1.drift / 3.0 + e2.drift * (2.0 / 3.0)) * dt +
      sde.noise_term(g_end, dW.W - I10_over_h) + sde.noise_term(e1.diffusion, I10_over_h);
  if (extras.defined()) extras = extras + (e1.extra_rate / 3.0 + e2.extra_rate * (2.0 / 3.0)) * dt;
}

}  // namespace sdebench
