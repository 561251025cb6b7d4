#pragma once
// Reverse-time sampling of the VP-SDE with core's solvers.
//
// core's sdeint integrates forward in time, so the reverse process is written in reversed
// time s = 1 - t (s increases from 0 at t = 1 to 1 - t_min at t = t_min). With the forward
// drift f = -1/2 beta x and diffusion g = sqrt(beta), Anderson's reverse SDE and Song et
// al.'s probability-flow ODE become, for increasing s (t = 1 - s):
//   reverse SDE:       dx = [ 1/2 beta(t) x + beta(t) score(x, t) ] ds + sqrt(beta(t)) dW_s
//   probability flow:  dx = [ 1/2 beta(t) x + 1/2 beta(t) score(x, t) ] ds   (g = 0)
// The noise is diagonal and additive (g does not depend on x), so Ito and Stratonovich agree
// and both Ito (euler, srk, ...) and Stratonovich (heun, midpoint) solvers accept it.
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <string>

#include "core/sde.h"
#include "methods/diffusion/vp_schedule.h"

namespace sdebench {

// score(x, t) for a flattened state x of shape [batch, n] at forward time t.
using ScoreFunction = std::function<torch::Tensor(const torch::Tensor& x, double t)>;

class ReverseVpSde : public Sde {
 public:
  ReverseVpSde(VpSchedule schedule, ScoreFunction score, bool probability_flow);

  torch::Tensor drift(double s, const torch::Tensor& y) override;
  torch::Tensor diffusion(double s, const torch::Tensor& y) override;

 private:
  VpSchedule schedule_;
  ScoreFunction score_;
  bool probability_flow_;
};

struct ReverseSamplerOptions {
  bool probability_flow = false;   // false: reverse SDE; true: probability-flow ODE
  std::string solver = "euler";    // any core solver name
  std::int64_t steps = 100;        // equal steps over s in [0, 1 - t_min]
  double t_min = 1e-3;             // integration stops at forward time t_min
  bool denoise_final = true;       // Tweedie step x0 = (x + sigma^2 score) / alpha at t_min
  std::uint64_t seed = 0;          // Brownian seed (unused by the ODE)
};

// Called after every step with the state and the forward time t it now sits at; may
// overwrite entries (replacement conditioning). Empty = no hook.
using StepHook = std::function<void(torch::Tensor& x, double t)>;

// Integrates from x1 (a sample of the reference N(0, I) at t = 1, shape [batch, n]) to
// t = t_min and returns the final state (after the optional denoising step). Without a hook
// the whole interval is one sdeint call; with a hook, one sdeint call per step.
torch::Tensor reverse_sample(const VpSchedule& schedule, const ScoreFunction& score,
                             const torch::Tensor& x1, const ReverseSamplerOptions& options,
                             const StepHook& hook = {});

}  // namespace sdebench
