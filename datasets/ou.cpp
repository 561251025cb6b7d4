// Ornstein-Uhlenbeck, dX = theta (mu - X) dt + sigma dW, X0 ~ N(x0_mean, x0_std^2): Gaussian
// with closed-form moments, the reference for moment tests and the core/ solver cross-check.
#include "datasets/cache.h"
#include "datasets/generator.h"
#include "datasets/generators.h"

namespace sdebench {

Schema ou_schema() {
  Schema s;
  s.add_float("theta", 1.0, "mean-reversion rate theta", 0.0)
      .add_float("mu", 0.0, "long-run mean mu")
      .add_float("sigma", 0.5, "diffusion sigma (additive noise)", 0.0)
      .add_float("x0_mean", 1.0, "mean of the Gaussian initial state")
      .add_float("x0_std", 0.1, "std of the Gaussian initial state", 0.0)
      .add_float("t_end", 2.0, "observation times are num_times equally spaced points on [0, t_end]",
                 1e-12)
      .add_int("num_times", 41, "number of observation times", 2);
  add_generator_options(s, {1024, 0.0, false, 1e-3});
  return s;
}

TimeSeriesDataset make_ou(const Options& given, const DatasetContext& context) {
  const Options o = ou_schema().resolve(given, "dataset 'ou'");
  return cached_dataset("ou", kGeneratorVersion, o, context, [&] {
    const double theta = o.get_float("theta"), mu = o.get_float("mu"),
                 sigma = o.get_float("sigma"), m0 = o.get_float("x0_mean"),
                 s0 = o.get_float("x0_std");
    GeneratorSde sde;
    sde.dim = 1;
    sde.drift = [=](const OdeState& x, OdeState& f, double) { f[0] = theta * (mu - x[0]); };
    sde.diffusion = [=](const OdeState&, OdeState& g, double) { g[0] = sigma; };
    sde.initial_state = [=](std::mt19937_64& rng, OdeState& x0) {
      x0[0] = m0 + s0 * std::normal_distribution<double>()(rng);
    };
    const auto times = linspace(0.0, o.get_float("t_end"), o.get_int("num_times"));
    const auto stepper = resolve_stepper(o, StepperKind::Euler);
    const double dt = o.get_float("dt");
    return generate_from_sde("ou", sde, times, stepper, dt, o, context,
                             "dX = theta (mu - X) dt + sigma dW (Ito)");
  });
}

SDEBENCH_REGISTER_DATASET("ou", "Ornstein-Uhlenbeck process (1-D, Gaussian, closed-form moments)",
                          ou_schema(), make_ou);

}  // namespace sdebench
