// Stochastic Lotka-Volterra (as in ARCTA):
//   dx = (alpha x - beta x y) dt + s dW1,  dy = (delta x y - gamma y) dt + s dW2,
// alpha = 2/3, beta = 4/3, delta = 1, gamma = 1, s = 1e-3, x0 = (0.9, 0.2), sampled at 10 Hz
// on [0, 65], observation noise 0.01, trained on t <= 50 (split = "time").
#include "datasets/cache.h"
#include "datasets/generator.h"
#include "datasets/generators.h"

namespace sdebench {

Schema lotka_volterra_schema() {
  Schema s;
  s.add_float("alpha", 2.0 / 3.0, "prey growth rate alpha", 0.0)
      .add_float("beta", 4.0 / 3.0, "predation rate beta", 0.0)
      .add_float("delta", 1.0, "predator growth per prey delta", 0.0)
      .add_float("gamma", 1.0, "predator death rate gamma", 0.0)
      .add_float("diffusion", 1e-3, "additive diagonal diffusion on both species", 0.0)
      .add_floats("x0", {0.9, 0.2}, "initial (prey, predator) state, the same for every sequence")
      .add_float("t_end", 65.0, "observation times are num_times equally spaced points on [0, t_end]",
                 1e-12)
      .add_int("num_times", 651, "number of observation times (651: 10 Hz on [0, 65])", 2)
      .add_string("split", "time",
                  "\"time\": every split holds all sequences, train masks out t > train_until "
                  "(forecasting); \"sequences\": split sequences by the *_fraction options",
                  {"time", "sequences"})
      .add_float("train_until", 50.0, "with split = \"time\", the last training time");
  add_generator_options(s, {1, 0.01, false, 1e-3});
  return s;
}

TimeSeriesDataset make_lotka_volterra(const Options& given, const DatasetContext& context) {
  const Options o = lotka_volterra_schema().resolve(given, "dataset 'lotka_volterra'");
  return cached_dataset("lotka_volterra", kGeneratorVersion, o, context, [&] {
    const double alpha = o.get_float("alpha"), beta = o.get_float("beta"),
                 delta = o.get_float("delta"), gamma = o.get_float("gamma"),
                 s = o.get_float("diffusion");
    const auto x0 = o.get_floats("x0");
    if (x0.size() != 2)
      throw std::invalid_argument("dataset 'lotka_volterra': option 'x0' needs 2 values, got " +
                                  std::to_string(x0.size()));
    GeneratorSde sde;
    sde.dim = 2;
    sde.drift = [=](const OdeState& x, OdeState& f, double) {
      f[0] = alpha * x[0] - beta * x[0] * x[1];
      f[1] = delta * x[0] * x[1] - gamma * x[1];
    };
    sde.diffusion = [=](const OdeState&, OdeState& g, double) { g[0] = g[1] = s; };
    sde.initial_state = [=](std::mt19937_64&, OdeState& x) { x = x0; };
    const auto times = linspace(0.0, o.get_float("t_end"), o.get_int("num_times"));
    const auto stepper = resolve_stepper(o, StepperKind::Euler);
    const double dt = o.get_float("dt");
    const auto n = o.get_int("num_sequences");
    const bool by_time = o.get_string("split") == "time";
    const SplitSizes sizes = by_time ? SplitSizes{n, 0, 0} : split_sizes(n, o);
    auto d = simulate_and_finish("lotka_volterra", sde, times, stepper, dt, sizes, o, context);
    if (by_time) {
      // Validation and test see whole sequences; training sees only t <= train_until.
      auto whole = [](const TimeSeriesSplit& s) {
        TimeSeriesSplit copy;
        copy.values = s.values.clone();
        copy.mask = s.mask.clone();
        if (s.times.defined()) {
          copy.times = s.times.clone();
          copy.lengths = s.lengths.clone();
        }
        return copy;
      };
      d.val = whole(d.train);
      d.test = whole(d.train);
      // On the grid: [1, T, 1]; on each sequence's own times (irregular_times = continuous): [N, T, 1].
      auto late = d.per_sequence_times()
                      ? (d.train.times > o.get_float("train_until")).to(torch::kFloat64).unsqueeze(2)
                      : (d.times > o.get_float("train_until")).to(torch::kFloat64).view({1, -1, 1});
      d.train.mask = d.train.mask * (1 - late);
      d.train.values = d.train.values * d.train.mask;
    }
    record_generator_meta(d, o, context,
                          "stochastic Lotka-Volterra, additive diagonal noise", stepper, dt);
    return d;
  });
}

SDEBENCH_REGISTER_DATASET("lotka_volterra",
                          "stochastic Lotka-Volterra (2-D); by default train on t <= 50, test to 65",
                          lotka_volterra_schema(), make_lotka_volterra);

}  // namespace sdebench
