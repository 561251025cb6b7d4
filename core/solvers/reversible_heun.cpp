#include "core/solvers/reversible_heun.h"

#include "core/solvers/solvers.h"

namespace sdebench {

void ReversibleHeun::check(const Sde& sde) const { check_stratonovich_solver(name(), sde); }

void ReversibleHeun::reset(Sde& sde, double t0, const torch::Tensor& y0) {
  y_hat = y0;
  auto e = sde.evaluate(t0, y0, sde.extra_size() > 0);
  f_hat = e.drift;
  g_hat = e.diffusion;
  r_hat = e.extra_rate;
}

void ReversibleHeun::step(Sde& sde, double t, double dt, const BrownianIncrement& dW,
                          torch::Tensor& y, torch::Tensor& extras) {
  if (!y_hat.defined()) reset(sde, t, y);
  auto next_hat = 2 * y - y_hat + f_hat * dt + sde.noise_term(g_hat, dW.W);
  auto e = sde.evaluate(t + dt, next_hat, extras.defined());
  y = y + (f_hat + e.drift) * (0.5 * dt) + sde.noise_term(g_hat + e.diffusion, dW.W) * 0.5;
  if (extras.defined()) extras = extras + (r_hat + e.extra_rate) * (0.5 * dt);
  y_hat = next_hat;
  f_hat = e.drift;
  g_hat = e.diffusion;
  r_hat = e.extra_rate;
}

}  // namespace sdebench
