// Stochastic Lorenz attractor (3-D, Ito, diagonal multiplicative noise):
//   dx1 = a1 (x2 - x1) dt + b1 x1 dW1
//   dx2 = (a2 x1 - x2 - x1 x3) dt + b2 x2 dW2
//   dx3 = (x1 x2 - a3 x3) dt + b3 x3 dW3,   a = (10, 28, 8/3), x0 ~ N(0, I).
// Variants (shared/notes/datasets.md):
//   paper    (Li et al. 2020 s7.2): b = 0.15, 41 times on [0, 1], Euler-Maruyama, 100 inner steps
//            per observation interval;
//   torchsde (torchsde's latent_sde_lorenz example): b = (0.1, 0.28, 0.3), 100 times on [0, 2],
//            inner step 1e-3 (torchsde uses SRK; here derivative-free Milstein, the same strong
//            order 1 for diagonal noise).
// Both are normalised per dimension over (sequence, time), then get N(0, 0.01^2) noise.
#include "datasets/cache.h"
#include "datasets/generator.h"
#include "datasets/generators.h"

namespace sdebench {

Schema lorenz_schema() {
  Schema s;
  s.add_string("variant", "paper",
               "\"paper\": b = 0.15, 41 times on [0, 1], Euler-Maruyama with 100 inner steps per "
               "interval; \"torchsde\": b = (0.1, 0.28, 0.3), 100 times on [0, 2], Milstein, "
               "inner step 1e-3",
               {"paper", "torchsde"});
  add_generator_options(s, {1024, 0.01, true, 0.0});
  return s;
}

TimeSeriesDataset make_lorenz(const Options& given, const DatasetContext& context) {
  const Options o = lorenz_schema().resolve(given, "dataset 'lorenz'");
  return cached_dataset("lorenz", kGeneratorVersion, o, context, [&] {
    const bool paper = o.get_string("variant") == "paper";
    const double a1 = 10.0, a2 = 28.0, a3 = 8.0 / 3.0;
    const double b1 = paper ? 0.15 : 0.1, b2 = paper ? 0.15 : 0.28, b3 = paper ? 0.15 : 0.3;
    const auto times = paper ? linspace(0.0, 1.0, 41) : linspace(0.0, 2.0, 100);
    const double reference_dt = paper ? (times[1] - times[0]) / 100.0 : 1e-3;
    const double dt = o.get_float("dt") > 0 ? o.get_float("dt") : reference_dt;
    const auto stepper =
        resolve_stepper(o, paper ? StepperKind::Euler : StepperKind::Milstein);

    GeneratorSde sde;
    sde.dim = 3;
    sde.drift = [=](const OdeState& x, OdeState& f, double) {
      f[0] = a1 * (x[1] - x[0]);
      f[1] = a2 * x[0] - x[1] - x[0] * x[2];
      f[2] = x[0] * x[1] - a3 * x[2];
    };
    sde.diffusion = [=](const OdeState& x, OdeState& g, double) {
      g[0] = b1 * x[0];
      g[1] = b2 * x[1];
      g[2] = b3 * x[2];
    };
    sde.initial_state = [](std::mt19937_64& rng, OdeState& x0) {
      std::normal_distribution<double> normal;
      for (auto& v : x0) v = normal(rng);
    };
    return generate_from_sde("lorenz", sde, times, stepper, dt, o, context,
                             "stochastic Lorenz, a = (10, 28, 8/3), b = (" + std::to_string(b1) +
                              ", " + std::to_string(b2) + ", " + std::to_string(b3) +
                              "), x0 ~ N(0, I)");
  });
}

SDEBENCH_REGISTER_DATASET("lorenz",
                          "stochastic Lorenz attractor (3-D), paper or torchsde-example variant",
                          lorenz_schema(), make_lorenz);

}  // namespace sdebench
