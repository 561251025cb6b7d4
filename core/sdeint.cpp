#include "core/sdeint.h"

#include <torch/torch.h>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/solvers/stepper.h"

namespace sdebench {

void check_times(const std::vector<double>& ts) {
  if (ts.empty()) throw std::invalid_argument("sdeint: the list of times is empty");
  for (std::size_t i = 0; i < ts.size(); ++i) {
    if (!std::isfinite(ts[i]))
      throw std::invalid_argument("sdeint: time ts[" + std::to_string(i) + "] is not finite");
    if (i > 0 && !(ts[i] > ts[i - 1]))
      throw std::invalid_argument("sdeint: times must be strictly increasing, but ts[" +
                                  std::to_string(i) + "] = " + std::to_string(ts[i]) +
                                  " <= ts[" + std::to_string(i - 1) + "] = " +
                                  std::to_string(ts[i - 1]));
  }
}

void check_state(const Sde& sde, const torch::Tensor& y0) {
  if (!y0.defined() || y0.dim() != 2)
    throw std::invalid_argument("sdeint: y0 must have shape [batch, d], got " +
                                (y0.defined() ? std::to_string(y0.dim()) + " dimensions"
                                              : std::string("an undefined tensor")));
  if (sde.state_size() >= 0 && y0.size(1) != sde.state_size())
    throw std::invalid_argument("sdeint: y0 has " + std::to_string(y0.size(1)) +
                                " state dimensions but the SDE has " +
                                std::to_string(sde.state_size()));
  if (y0.scalar_type() != torch::kFloat32 && y0.scalar_type() != torch::kFloat64)
    throw std::invalid_argument("sdeint: y0 must be float32 or float64");
}

std::int64_t steps_between(double a, double b, double dt) {
  const double n = std::ceil((b - a) / dt - 1e-9);
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(n));
}

SdeintResult sdeint(Sde& sde, const torch::Tensor& y0, const std::vector<double>& ts,
                    const SdeintOptions& options) {
  check_times(ts);
  check_state(sde, y0);
  if (!(options.dt > 0) || !std::isfinite(options.dt))
    throw std::invalid_argument("sdeint: dt must be positive, got " + std::to_string(options.dt));
  auto stepper = make_stepper(options.method);
  stepper->check(sde);

  const BrownianShape shape{y0.size(0), sde.brownian_dim(y0.size(1)), y0.scalar_type()};
  std::unique_ptr<BrownianSource> owned;
  BrownianSource* brownian = options.brownian;
  if (!brownian) {
    if (stepper->needs_levy_area() && ts.size() > 1)
      owned = std::make_unique<BrownianInterval>(ts.front(), ts.back(), shape, options.seed,
                                                 BrownianIntervalOptions{24, 256, true});
    else
      owned = std::make_unique<BrownianPath>(shape, options.seed, stepper->needs_levy_area());
    brownian = owned.get();
  } else if (stepper->needs_levy_area() && !brownian->has_levy_area()) {
    throw std::invalid_argument(std::string("sdeint: solver '") + stepper->name() +
                                "' needs the space-time Levy area, but the Brownian source was "
                                "made without it (levy_area = false)");
  }

  torch::Tensor y = y0;
  torch::Tensor extras;
  if (sde.extra_size() > 0) extras = torch::zeros({y0.size(0), sde.extra_size()}, y0.options());
  std::vector<torch::Tensor> states{y}, extra_states;
  if (extras.defined()) extra_states.push_back(extras);

  stepper->reset(sde, ts.front(), y0);
  for (std::size_t i = 0; i + 1 < ts.size(); ++i) {
    const double a = ts[i], b = ts[i + 1];
    const std::int64_t n = steps_between(a, b, options.dt);
    const double h = (b - a) / static_cast<double>(n);
    for (std::int64_t k = 0; k < n; ++k) {
      const double t = a + static_cast<double>(k) * h;
      const double t_next = (k + 1 == n) ? b : a + static_cast<double>(k + 1) * h;
      auto dW = brownian->increment(t, t_next);
      stepper->step(sde, t, t_next - t, dW, y, extras);
    }
    states.push_back(y);
    if (extras.defined()) extra_states.push_back(extras);
  }
  SdeintResult result;
  result.states = torch::stack(states);
  if (!extra_states.empty()) result.extras = torch::stack(extra_states);
  return result;
}

}  // namespace sdebench
