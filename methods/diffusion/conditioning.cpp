#include "methods/diffusion/conditioning.h"

#include <torch/torch.h>

namespace sdebench {

torch::Tensor replacement_sample(const VpSchedule& schedule, const ScoreFunction& score,
                                 const torch::Tensor& y, const torch::Tensor& known,
                                 const ReverseSamplerOptions& options) {
  auto unknown = 1.0 - known;
  auto replace = [&](torch::Tensor& x, double t) {
    auto noised = schedule.alpha(t) * y + schedule.sigma(t) * torch::randn_like(y);
    x = known * noised + unknown * x;
  };
  auto x = torch::randn_like(y);
  replace(x, 1.0);
  x = reverse_sample(schedule, score, x, options, replace);
  return known * y + unknown * x;
}

}  // namespace sdebench
