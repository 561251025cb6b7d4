#include "datasets/generator.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "datasets/irregular_times.h"
#include "datasets/normalisation.h"
#include "datasets/seeding.h"

namespace sdebench {

StepperKind parse_stepper(const std::string& name) {
  if (name == "euler") return StepperKind::Euler;
  if (name == "milstein") return StepperKind::Milstein;
  throw std::invalid_argument("datasets: unknown solver '" + name +
                              "' (expected \"euler\" or \"milstein\")");
}

StepperKind resolve_stepper(const Options& options, StepperKind reference) {
  const auto& name = options.get_string("solver");
  return name == "auto" ? reference : parse_stepper(name);
}

std::int64_t inner_steps(double a, double b, double max_dt) {
  if (!(max_dt > 0)) throw std::invalid_argument("datasets: dt must be > 0");
  // The tolerance keeps 0.025 / 0.00025 at 100 steps rather than 101.
  const double ratio = (b - a) / max_dt;
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(ratio * (1 - 1e-9))));
}

std::vector<double> linspace(double first, double last, std::int64_t count) {
  std::vector<double> out(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i)
    out[i] = count == 1 ? first : first + (last - first) * double(i) / double(count - 1);
  return out;
}

namespace {

template <class Stepper>
void simulate_one(const GeneratorSde& sde, const std::vector<double>& times, double max_dt,
                  std::mt19937_64& rng, double* out) {
  OdeState x(sde.dim);
  sde.initial_state(rng, x);
  const std::size_t d = sde.dim;
  std::copy(x.begin(), x.end(), out);
  // odeint copies the system and the stepper; the stepper keeps a pointer to `rng`.
  auto system = std::make_pair(std::cref(sde.drift), std::cref(sde.diffusion));
  Stepper stepper(rng);
  for (std::size_t k = 0; k + 1 < times.size(); ++k) {
    const std::int64_t steps = inner_steps(times[k], times[k + 1], max_dt);
    const double h = (times[k + 1] - times[k]) / double(steps);
    boost::numeric::odeint::integrate_n_steps(std::ref(stepper), system, x, times[k], h,
                                              static_cast<std::size_t>(steps));
    std::copy(x.begin(), x.end(), out + (k + 1) * d);
  }
}

}  // namespace

void simulate_path(const GeneratorSde& sde, const std::vector<double>& times, double max_dt,
                   StepperKind stepper, std::mt19937_64& rng, double* out) {
  if (stepper == StepperKind::Euler)
    simulate_one<EulerMaruyamaStepper>(sde, times, max_dt, rng, out);
  else
    simulate_one<MilsteinStepper>(sde, times, max_dt, rng, out);
}

std::vector<double> simulate_paths(const GeneratorSde& sde, const std::vector<double>& times,
                                   std::int64_t n, double max_dt, StepperKind stepper,
                                   std::uint64_t seed) {
  if (times.empty()) throw std::invalid_argument("datasets: no observation times");
  const std::int64_t row = static_cast<std::int64_t>(times.size() * sde.dim);
  std::vector<double> paths(static_cast<std::size_t>(n * row));
  at::parallel_for(0, n, 8, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      auto rng = make_rng(seed, RandomStream::Path, static_cast<std::uint64_t>(i));
      simulate_path(sde, times, max_dt, stepper, rng, paths.data() + i * row);
    }
  });
  return paths;
}

void add_generator_options(Schema& schema, const GeneratorDefaults& d) {
  schema
      .add_int("num_sequences", d.num_sequences, "number of simulated sequences (all splits)", 1)
      .add_float("obs_noise", d.obs_noise,
                 "std of Gaussian observation noise added to every value (after normalisation "
                 "when normalise = true)",
                 0.0)
      .add_bool("normalise", d.normalise,
                "subtract the per-dimension mean and divide by the per-dimension std over all "
                "(sequence, time) values; recorded in norm_mean / norm_std")
      .add_string("solver", "auto",
                  "odeint stochastic stepper: \"euler\" (Euler-Maruyama), \"milstein\" "
                  "(derivative-free Milstein, strong order 1 for diagonal noise) or \"auto\" "
                  "(the dataset's reference: Milstein for torchsde-variant Lorenz, else Euler)",
                  {"auto", "euler", "milstein"})
      .add_float("dt", d.dt,
                 "largest inner simulation step; each observation interval is split into the "
                 "fewest equal steps no longer than this" +
                     std::string(d.dt > 0 ? "" : " (0 = the dataset's reference step)"),
                 d.dt > 0 ? 1e-12 : 0.0)
      .add_float("train_fraction", 0.8, "fraction of sequences in the training split", 0.0, 1.0)
      .add_float("val_fraction", 0.1, "fraction of sequences in the validation split", 0.0, 1.0)
      .add_float("test_fraction", 0.1, "fraction of sequences in the test split", 0.0, 1.0)
      .add_bool("irregular", false,
                "irregular sampling: each sequence keeps a random subset of the observation "
                "times (mask 0 elsewhere), each time kept with probability keep_probability; "
                "see irregular_times")
      .add_float("keep_probability", 0.5,
                 "with irregular = true, the probability that an observation time is kept "
                 "(grid_subset: at least one time is always kept; continuous: the number of "
                 "times is Binomial(T, keep_probability), at least 2)",
                 0.0, 1.0)
      .add_string("irregular_times", "grid_subset",
                  "with irregular = true: \"grid_subset\" keeps a random subset of the shared "
                  "grid (mask 0 elsewhere); \"continuous\" gives each sequence its own times, "
                  "simulated exactly there: the grid's first time, then Binomial(T, "
                  "keep_probability) - 1 more (T the grid's number of times; at least 1 more) "
                  "drawn uniformly in (first, last] of the grid and sorted; splits carry "
                  "per-sequence times [N, T] and lengths, padded by repeating the last time "
                  "(mask 0); not for generators that render the grid (pendulum_video)",
                  {"grid_subset", "continuous"})
      .add_float("missing", 0.0,
                 "probability that any single value is masked out (missing at random)", 0.0,
                 1.0);
}

SplitSizes split_sizes(std::int64_t n, const Options& options) {
  const double f_train = options.get_float("train_fraction");
  const double f_val = options.get_float("val_fraction");
  const double f_test = options.get_float("test_fraction");
  if (f_train + f_val + f_test > 1.0 + 1e-9)
    throw std::invalid_argument("datasets: train_fraction + val_fraction + test_fraction = " +
                                std::to_string(f_train + f_val + f_test) + " exceeds 1");
  SplitSizes s;
  s.train = std::llround(n * f_train);
  s.val = std::min<std::int64_t>(n - s.train, std::llround(n * f_val));
  // When the fractions sum to 1 the test split takes the remainder, so no sequence is lost.
  s.test = std::abs(f_train + f_val + f_test - 1.0) < 1e-9
               ? n - s.train - s.val
               : std::min<std::int64_t>(n - s.train - s.val, std::llround(n * f_test));
  return s;
}

void apply_observation_masks(TimeSeriesSplit& split, const Options& options, std::uint64_t seed,
                             std::int64_t first_index) {
  const bool irregular = options.get_bool("irregular");
  const double keep = options.get_float("keep_probability");
  const double missing = options.get_float("missing");
  if (!irregular && missing <= 0) return;
  const std::int64_t n = split.values.size(0), T = split.values.size(1), D = split.values.size(2);
  split.values = split.values.contiguous();
  split.mask = split.mask.contiguous();
  double* values = split.values.data_ptr<double>();
  double* mask = split.mask.data_ptr<double>();
  at::parallel_for(0, n, 16, [&](std::int64_t begin, std::int64_t end) {
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    for (std::int64_t i = begin; i < end; ++i) {
      auto rng = make_rng(seed, RandomStream::Mask, static_cast<std::uint64_t>(first_index + i));
      std::vector<bool> time_kept(T, true);
      if (irregular) {
        bool any = false;
        for (std::int64_t t = 0; t < T; ++t) any |= (time_kept[t] = uniform(rng) < keep);
        if (!any) time_kept[std::uniform_int_distribution<std::int64_t>(0, T - 1)(rng)] = true;
      }
      for (std::int64_t t = 0; t < T; ++t)
        for (std::int64_t j = 0; j < D; ++j) {
          const std::int64_t at = (i * T + t) * D + j;
          bool observed = time_kept[t] && mask[at] > 0;
          if (missing > 0 && uniform(rng) < missing) observed = false;
          if (!observed) {
            mask[at] = 0.0;
            values[at] = 0.0;
          }
        }
    }
  });
}

TimeSeriesDataset finish_generated(const std::string& name, const std::vector<double>& times,
                                   std::vector<double> data, std::int64_t dim,
                                   const SplitSizes& sizes, const Options& options,
                                   const DatasetContext& context) {
  const std::int64_t T = static_cast<std::int64_t>(times.size());
  const std::int64_t n = static_cast<std::int64_t>(data.size()) / (T * dim);
  auto values = torch::from_blob(data.data(), {n, T, dim}, torch::kFloat64);  // a view of `data`
  Normalisation normalisation = identity_normalisation(dim);
  if (options.get_bool("normalise")) {
    const auto all_observed = torch::ones_like(values);
    normalisation = fit_normalisation(values, all_observed);
    values.copy_(normalise(values, all_observed, normalisation));  // the noise below goes into `data`
  }

  const double noise = options.get_float("obs_noise");
  if (noise > 0) {
    at::parallel_for(0, n, 16, [&](std::int64_t begin, std::int64_t end) {
      std::normal_distribution<double> normal(0.0, noise);
      for (std::int64_t i = begin; i < end; ++i) {
        auto rng = make_rng(context.seed, RandomStream::ObservationNoise, std::uint64_t(i));
        for (std::int64_t k = 0; k < T * dim; ++k) data[i * T * dim + k] += normal(rng);
      }
    });
  }

  TimeSeriesDataset out;
  out.name = name;
  out.times = torch::from_blob(const_cast<double*>(times.data()), {T}, torch::kFloat64).clone();
  out.norm_mean = normalisation.mean;
  out.norm_std = normalisation.std;
  std::int64_t start = 0;
  for (auto [split, size] : {std::make_pair(&out.train, sizes.train),
                             std::make_pair(&out.val, sizes.val),
                             std::make_pair(&out.test, sizes.test)}) {
    split->values = values.narrow(0, start, size).clone();  // `values` views `data`
    split->mask = torch::ones_like(split->values);
    apply_observation_masks(*split, options, context.seed, start);
    start += size;
  }
  out.meta["normalisation"] =
      options.get_bool("normalise")
          ? "per-dimension mean/std over (sequence, time) of the noiseless paths, then noise"
          : "none";
  return out;
}

void record_generator_meta(TimeSeriesDataset& dataset, const Options& options,
                           const DatasetContext& context, const std::string& sde_description,
                           StepperKind stepper, double max_dt) {
  dataset.meta["dataset"] = dataset.name;
  dataset.meta["version"] = kGeneratorVersion;
  dataset.meta["seed"] = std::to_string(context.seed);
  dataset.meta["sde"] = sde_description;
  std::ostringstream simulator;
  simulator.precision(17);
  simulator << "Boost.Odeint integrate_n_steps, float64, "
            << (stepper == StepperKind::Euler ? "Euler-Maruyama" : "derivative-free Milstein")
            << ", inner step <= " << max_dt;
  dataset.meta["simulator"] = simulator.str();
  for (const auto& [key, value] : options.values())
    dataset.meta["option." + key] = format_value(value);
}

TimeSeriesDataset generate_from_sde(const std::string& name, const GeneratorSde& sde,
                                    const std::vector<double>& times, StepperKind stepper,
                                    double dt, const Options& options,
                                    const DatasetContext& context,
                                    const std::string& sde_description) {
  const SplitSizes sizes = split_sizes(options.get_int("num_sequences"), options);  // checked first
  auto d = simulate_and_finish(name, sde, times, stepper, dt, sizes, options, context);
  record_generator_meta(d, options, context, sde_description, stepper, dt);
  return d;
}

TimeSeriesDataset simulate_and_finish(const std::string& name, const GeneratorSde& sde,
                                      const std::vector<double>& times, StepperKind stepper,
                                      double dt, const SplitSizes& sizes, const Options& options,
                                      const DatasetContext& context) {
  if (continuous_irregular(options))
    return generate_at_own_times(name, sde, times, stepper, dt, sizes, options, context);
  // Every path is simulated (also those no split takes): they all enter the normalisation.
  auto paths = simulate_paths(sde, times, options.get_int("num_sequences"), dt, stepper, context.seed);
  return finish_generated(name, times, std::move(paths), static_cast<std::int64_t>(sde.dim), sizes,
                          options, context);
}

}  // namespace sdebench
