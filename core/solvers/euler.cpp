#include "core/solvers/solvers.h"

namespace sdebench {

void EulerMaruyama::check(const Sde& sde) const {
  if (sde.sde_type() == SdeType::Stratonovich && !sde.additive())
    unsupported(name(), std::string("Stratonovich SDEs with ") + to_string(sde.noise_type()) +
                            " non-additive noise (Euler-Maruyama converges to the Ito solution; "
                            "use 'heun', 'midpoint' or 'reversible_heun')");
}

void EulerMaruyama::step(Sde& sde, double t, double dt, const BrownianIncrement& dW,
                         torch::Tensor& y, torch::Tensor& extras) {
  auto e = sde.evaluate(t, y, extras.defined());
  y = y + e.drift * dt + sde.noise_term(e.diffusion, dW.W);
  if (extras.defined()) extras = extras + e.extra_rate * dt;
}

}  // namespace sdebench
