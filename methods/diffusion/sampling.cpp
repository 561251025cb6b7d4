// Unconditional sampling and replacement-conditioned forecasts with core's sdeint.
#include <stdexcept>

#include "methods/diffusion/conditioning.h"
#include "methods/diffusion/diffusion.h"

namespace sdebench {

ReverseSamplerOptions Diffusion::sampler_options() const {
  ReverseSamplerOptions o;
  o.probability_flow = config_.sampler == "ode";
  o.solver = config_.solver;
  o.steps = config_.sampling_steps;
  o.t_min = config_.t_min;
  o.denoise_final = config_.denoise_final;
  // Seeds come from torch's generator, so torch::manual_seed makes runs reproducible.
  o.seed = static_cast<std::uint64_t>(torch::randint(1LL << 62, {1}, torch::kLong).item<int64_t>());
  return o;
}

ScoreFunction Diffusion::flat_score(const torch::Tensor& y, const torch::Tensor& known) {
  const auto T = window_times(), D = config_.net.dims;
  if (!known.defined()) {
    return [this, T, D](const torch::Tensor& x, double t) {
      const auto B = x.size(0);
      auto tt = torch::full({B}, t, x.options());
      return score(x.reshape({B, T, D}), tt).reshape({B, T * D});
    };
  }
  // Conditional net: the given entries enter clean; their score is not used (they are
  // overwritten with y at the end), so it is set to zero.
  auto unknown = 1.0 - known;
  return [this, T, D, y, known, unknown](const torch::Tensor& x, double t) {
    const auto B = x.size(0);
    auto tt = torch::full({B}, t, x.options());
    auto input = (known * y + unknown * x).reshape({B, T, D});
    return unknown * score(input, tt, known.reshape({B, T, D})).reshape({B, T * D});
  };
}

torch::Tensor Diffusion::generate(std::int64_t n, const ReverseSamplerOptions& options) {
  torch::NoGradGuard no_grad;
  const auto T = window_times(), D = config_.net.dims;
  auto x1 = torch::randn({n, T * D}, torch::TensorOptions().dtype(dtype_));
  return reverse_sample(config_.schedule, flat_score(), x1, options).view({n, T, D});
}

torch::Tensor Diffusion::sample(const torch::Tensor& times, std::int64_t n) {
  check_times(times, "sample");
  if (n < 1) throw std::invalid_argument("diffusion::sample: n must be >= 1");
  return generate(n, sampler_options());
}

torch::Tensor Diffusion::forecast(const Batch& observed, std::int64_t context,
                                  const torch::Tensor& times, std::int64_t num_samples) {
  torch::NoGradGuard no_grad;
  check_times(times, "forecast");
  const auto T = window_times(), D = config_.net.dims;
  if (observed.values.dim() != 3 || observed.values.size(1) != T || observed.values.size(2) != D)
    throw std::invalid_argument("diffusion::forecast: observed values must be [B, " +
                                std::to_string(T) + ", " + std::to_string(D) + "]");
  if (context < 1 || context > T)
    throw std::invalid_argument("diffusion::forecast: context must be in [1, " +
                                std::to_string(T) + "], got " + std::to_string(context));
  if (num_samples < 1) throw std::invalid_argument("diffusion::forecast: num_samples must be >= 1");
  auto batch = to_dtype(observed);
  const auto B = batch.values.size(0), S = num_samples, n = T * D;

  // Given entries: observed values in the first `context` frames (missing ones are generated).
  auto given = batch.mask.clone();
  given.narrow(1, context, T - context).zero_();
  auto y = batch.values.unsqueeze(0).expand({S, B, T, D}).reshape({S * B, n});
  auto known = given.unsqueeze(0).expand({S, B, T, D}).reshape({S * B, n});
  auto unknown = 1.0 - known;

  torch::Tensor x;
  if (config_.conditioning == "mask") {
    auto x1 = torch::randn({S * B, n}, torch::TensorOptions().dtype(dtype_));
    x = reverse_sample(config_.schedule, flat_score(y, known), x1, sampler_options());
  } else {
    x = replacement_sample(config_.schedule, flat_score(), y, known, sampler_options());
  }
  x = known * y + unknown * x;  // the given frames come back exactly
  return x.view({S, B, T, D});
}

}  // namespace sdebench
