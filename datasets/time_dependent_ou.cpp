// Time-dependent Ornstein-Uhlenbeck from torchsde's SDE-GAN example:
//   dy = (mu t - theta y) dt + sigma (2 t / num_times) dW,  y0 ~ U(-1, 1),
// mu = 0.02, theta = 0.1, sigma = 0.4, observed at t = 0, 1, ..., num_times - 1 (64), inner
// step 0.1, normalised over all values as in the example.
#include "datasets/cache.h"
#include "datasets/generator.h"
#include "datasets/generators.h"

namespace sdebench {

Schema time_dependent_ou_schema() {
  Schema s;
  s.add_float("mu", 0.02, "drift slope in time: the drift is mu t - theta y")
      .add_float("theta", 0.1, "mean-reversion rate theta", 0.0)
      .add_float("sigma", 0.4, "diffusion scale: the diffusion is sigma (2 t / num_times)", 0.0)
      .add_int("num_times", 64, "observation times t = 0, 1, ..., num_times - 1", 2);
  add_generator_options(s, {8192, 0.0, true, 0.1});
  return s;
}

TimeSeriesDataset make_time_dependent_ou(const Options& given, const DatasetContext& context) {
  const Options o = time_dependent_ou_schema().resolve(given, "dataset 'time_dependent_ou'");
  return cached_dataset("time_dependent_ou", kGeneratorVersion, o, context, [&] {
    const double mu = o.get_float("mu"), theta = o.get_float("theta"),
                 sigma = o.get_float("sigma");
    const auto num_times = o.get_int("num_times");
    GeneratorSde sde;
    sde.dim = 1;
    sde.drift = [=](const OdeState& x, OdeState& f, double t) { f[0] = mu * t - theta * x[0]; };
    sde.diffusion = [=](const OdeState&, OdeState& g, double t) {
      g[0] = sigma * 2.0 * t / double(num_times);
    };
    sde.initial_state = [](std::mt19937_64& rng, OdeState& x0) {
      x0[0] = std::uniform_real_distribution<double>(-1.0, 1.0)(rng);
    };
    const auto times = linspace(0.0, double(num_times - 1), num_times);
    const auto stepper = resolve_stepper(o, StepperKind::Euler);
    const double dt = o.get_float("dt");
    return generate_from_sde("time_dependent_ou", sde, times, stepper, dt, o, context,
                             "dy = (mu t - theta y) dt + sigma (2 t / num_times) dW, y0 ~ U(-1, 1)");
  });
}

SDEBENCH_REGISTER_DATASET("time_dependent_ou",
                          "time-dependent OU from torchsde's SDE-GAN example (1-D, 64 times)",
                          time_dependent_ou_schema(), make_time_dependent_ou);

}  // namespace sdebench
