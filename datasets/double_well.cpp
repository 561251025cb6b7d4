// Double well, dX = (X - X^3) dt + sigma dW: bimodal, stationary density proportional to
// exp(2 (x^2/2 - x^4/4) / sigma^2). A test of whether a model captures multimodality.
#include "datasets/cache.h"
#include "datasets/generator.h"
#include "datasets/generators.h"

namespace sdebench {

Schema double_well_schema() {
  Schema s;
  s.add_float("sigma", 0.5, "diffusion sigma (additive noise)", 0.0)
      .add_float("x0_mean", 0.0, "mean of the Gaussian initial state (0: the barrier top)")
      .add_float("x0_std", 0.5, "std of the Gaussian initial state", 0.0)
      .add_float("t_end", 10.0, "observation times are num_times equally spaced points on [0, t_end]",
                 1e-12)
      .add_int("num_times", 101, "number of observation times", 2);
  add_generator_options(s, {1024, 0.0, false, 1e-2});
  return s;
}

TimeSeriesDataset make_double_well(const Options& given, const DatasetContext& context) {
  const Options o = double_well_schema().resolve(given, "dataset 'double_well'");
  return cached_dataset("double_well", kGeneratorVersion, o, context, [&] {
    const double sigma = o.get_float("sigma"), m0 = o.get_float("x0_mean"),
                 s0 = o.get_float("x0_std");
    GeneratorSde sde;
    sde.dim = 1;
    sde.drift = [](const OdeState& x, OdeState& f, double) { f[0] = x[0] - x[0] * x[0] * x[0]; };
    sde.diffusion = [=](const OdeState&, OdeState& g, double) { g[0] = sigma; };
    sde.initial_state = [=](std::mt19937_64& rng, OdeState& x0) {
      x0[0] = m0 + s0 * std::normal_distribution<double>()(rng);
    };
    const auto times = linspace(0.0, o.get_float("t_end"), o.get_int("num_times"));
    const auto stepper = resolve_stepper(o, StepperKind::Euler);
    const double dt = o.get_float("dt");
    return generate_from_sde("double_well", sde, times, stepper, dt, o, context,
                             "dX = (X - X^3) dt + sigma dW (Ito)");
  });
}

SDEBENCH_REGISTER_DATASET("double_well", "double-well SDE (1-D, bimodal)", double_well_schema(),
                          make_double_well);

}  // namespace sdebench
