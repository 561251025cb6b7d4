#include "methods/diffusion/reverse_sde.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/brownian.h"
#include "core/sdeint.h"

namespace sdebench {

ReverseVpSde::ReverseVpSde(VpSchedule schedule, ScoreFunction score, bool probability_flow)
    : Sde(NoiseType::Diagonal, SdeType::Ito, /*additive=*/true),
      schedule_(schedule),
      score_(std::move(score)),
      probability_flow_(probability_flow) {}

torch::Tensor ReverseVpSde::drift(double s, const torch::Tensor& y) {
  const double t = 1.0 - s;
  const double b = schedule_.beta(t);
  const double score_weight = probability_flow_ ? 0.5 * b : b;
  return 0.5 * b * y + score_weight * score_(y, t);
}

torch::Tensor ReverseVpSde::diffusion(double s, const torch::Tensor& y) {
  if (probability_flow_) return torch::zeros_like(y);
  return torch::full_like(y, std::sqrt(schedule_.beta(1.0 - s)));
}

torch::Tensor reverse_sample(const VpSchedule& schedule, const ScoreFunction& score,
                             const torch::Tensor& x1, const ReverseSamplerOptions& options,
                             const StepHook& hook) {
  if (options.steps < 1)
    throw std::invalid_argument("diffusion: sampling_steps must be >= 1, got " +
                                std::to_string(options.steps));
  if (!(options.t_min > 0.0 && options.t_min < 1.0))
    throw std::invalid_argument("diffusion: t_min must be in (0, 1), got " +
                                std::to_string(options.t_min));
  ReverseVpSde sde(schedule, score, options.probability_flow);
  const double s_end = 1.0 - options.t_min;
  const double h = s_end / static_cast<double>(options.steps);
  SdeintOptions so;
  so.method = options.solver;
  so.dt = h * (1.0 + 1e-12);  // exactly `steps` equal steps
  so.seed = options.seed;

  torch::Tensor x = x1;
  if (!hook) {
    x = sdeint(sde, x, {0.0, s_end}, so).states[1];
  } else {
    for (std::int64_t i = 0; i < options.steps; ++i) {
      const double a = h * static_cast<double>(i);
      const double b = i + 1 == options.steps ? s_end : h * static_cast<double>(i + 1);
      so.seed = splitmix64(options.seed + static_cast<std::uint64_t>(i));  // fresh noise per step
      x = sdeint(sde, x, {a, b}, so).states[1];
      hook(x, 1.0 - b);
    }
  }
  if (options.denoise_final) {
    const double t = options.t_min;
    const double sigma = schedule.sigma(t);
    x = (x + sigma * sigma * score(x, t)) / schedule.alpha(t);
  }
  return x;
}

}  // namespace sdebench
