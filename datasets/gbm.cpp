// Geometric Brownian motion, dX = mu X dt + sigma X dW; X_t = X_0 exp((mu - sigma^2/2) t +
// sigma W_t). Defaults as in Li et al. 2020: mu = 1, sigma = 0.5, X0 = 0.1 + N(0, 0.03^2),
// 1024 series observed every 0.02 on [0, 1].
#include "datasets/cache.h"
#include "datasets/generator.h"
#include "datasets/generators.h"

namespace sdebench {

Schema gbm_schema() {
  Schema s;
  s.add_float("mu", 1.0, "drift rate mu")
      .add_float("sigma", 0.5, "volatility sigma (multiplicative noise)", 0.0)
      .add_float("x0_mean", 0.1, "mean of the Gaussian initial state")
      .add_float("x0_std", 0.03, "std of the Gaussian initial state", 0.0)
      .add_float("t_end", 1.0, "observation times are num_times equally spaced points on [0, t_end]",
                 1e-12)
      .add_int("num_times", 51, "number of observation times (51: every 0.02 on [0, 1])", 2);
  add_generator_options(s, {1024, 0.0, false, 1e-3});
  return s;
}

TimeSeriesDataset make_gbm(const Options& given, const DatasetContext& context) {
  const Options o = gbm_schema().resolve(given, "dataset 'gbm'");
  return cached_dataset("gbm", kGeneratorVersion, o, context, [&] {
    const double mu = o.get_float("mu"), sigma = o.get_float("sigma"),
                 m0 = o.get_float("x0_mean"), s0 = o.get_float("x0_std");
    GeneratorSde sde;
    sde.dim = 1;
    sde.drift = [=](const OdeState& x, OdeState& f, double) { f[0] = mu * x[0]; };
    sde.diffusion = [=](const OdeState& x, OdeState& g, double) { g[0] = sigma * x[0]; };
    sde.initial_state = [=](std::mt19937_64& rng, OdeState& x0) {
      x0[0] = m0 + s0 * std::normal_distribution<double>()(rng);
    };
    const auto times = linspace(0.0, o.get_float("t_end"), o.get_int("num_times"));
    const auto stepper = resolve_stepper(o, StepperKind::Euler);
    const double dt = o.get_float("dt");
    return generate_from_sde("gbm", sde, times, stepper, dt, o, context,
                             "dX = mu X dt + sigma X dW (Ito)");
  });
}

SDEBENCH_REGISTER_DATASET("gbm", "geometric Brownian motion (1-D, log-normal, closed-form moments)",
                          gbm_schema(), make_gbm);

}  // namespace sdebench
