#pragma once
// Diffusion-style baseline (issue 8): a variance-preserving score-based diffusion model
// (DDPM in continuous time, Song et al. 2021) over whole observed windows [T, D].
//
// Training is simulation-free: at a random noise level t ~ U[t_min, 1] per sequence, the
// window is noised to x_t = alpha_t x_0 + sigma_t eps and the network predicts eps (denoising
// score matching with weight sigma_t^2; score = -eps_hat / sigma_t). Missing values are
// excluded from the loss through the batch mask. Sampling integrates the reverse-time SDE or
// the probability-flow ODE with core's sdeint (reverse_sde.h). Forecasts condition on the
// first k frames in one of two ways (option "conditioning"):
//   "replacement": an unconditional score net; after every solver step the given entries are
//     overwritten with a forward-noised copy of the observation (conditioning.h).
//   "mask": a conditional score net (CSDI-style) that sees the clean given entries and their
//     0/1 mask; training gives a random prefix of k frames (k ~ U{1..T-1}) to a fraction
//     condition_prob of the windows, and the loss covers only the entries not given. The
//     same net samples unconditionally with an empty mask.
// Either way the returned forecasts hold the observation itself in the given entries.
//
// There is no ELBO here: the model is not a latent SDE over the observation times, and its
// likelihood would need the probability-flow ODE's trace integral, which is not what the
// other methods bound. evaluate() therefore reports the held-out denoising loss and no
// "nelbo". Registered as "diffusion".
#include <torch/torch.h>

#include <string>

#include "core/options.h"
#include "methods/diffusion/reverse_sde.h"
#include "methods/diffusion/score_net.h"
#include "methods/diffusion/vp_schedule.h"
#include "methods/method.h"

namespace sdebench {

struct DiffusionConfig {
  ScoreNetConfig net;
  VpSchedule schedule;
  double t_min = 1e-3;
  std::int64_t noise_levels = 1;  // noise levels drawn per sequence per training step
  std::string sampler = "sde";    // "sde" | "ode"
  std::string solver = "euler";   // resolved: "auto" becomes euler (sde) or heun (ode)
  std::int64_t sampling_steps = 100;
  bool denoise_final = true;
  std::string conditioning = "mask";  // "mask" | "replacement"
  double condition_prob = 0.5;               // "mask": windows trained with a given prefix

  // Reads every key of diffusion_schema() (missing keys take their defaults); the window
  // shape comes from the data: T = shape.times.size(0), D = shape.dims.
  static DiffusionConfig from_options(const Options& options, const DataShape& shape);
};

Schema diffusion_schema();

class Diffusion : public Method {
 public:
  Diffusion(const DiffusionConfig& config, const DataShape& shape);

  LossTerms train_step(const Batch& batch, const StepContext& context) override;
  // {"dsm": held-out denoising loss averaged over options.time_samples stratified noise
  // levels}. No "nelbo": an ELBO is not defined for this baseline.
  std::map<std::string, double> evaluate(const Batch& batch, const EvalOptions& options) override;
  torch::Tensor sample(const torch::Tensor& times, std::int64_t n) override;
  torch::Tensor forecast(const Batch& observed, std::int64_t context, const torch::Tensor& times,
                         std::int64_t num_samples) override;

  // Masked noise-prediction loss sum(w (eps_hat - eps)^2) / sum(w), w = mask (1 - known), at
  // noise levels t [B] with noise `noise` [B, T, D] (tests hold both fixed). `known` [B, T, D]
  // marks given entries (conditioning = "mask" only; undefined = none): they enter the net
  // clean and are not predicted.
  torch::Tensor denoising_loss(const Batch& batch, const torch::Tensor& t,
                               const torch::Tensor& noise, const torch::Tensor& known = {});
  // The model's score at windows x [B, T, D] and forward times t [B]; for conditional nets
  // `known` marks the given entries, whose clean values x must already hold.
  torch::Tensor score(const torch::Tensor& x, const torch::Tensor& t,
                      const torch::Tensor& known = {});
  // Random given prefixes for training the conditional net: [B, T, D] 0/1, observed entries
  // of the first k frames, k ~ U{1..T-1} with probability condition_prob, else none.
  torch::Tensor draw_known(const Batch& batch) const;
  // Unconditional windows [n, T, D] with the given sampler settings.
  torch::Tensor generate(std::int64_t n, const ReverseSamplerOptions& options);
  // The configured sampler settings with a fresh seed from torch's generator.
  ReverseSamplerOptions sampler_options() const;

  const DiffusionConfig& config() const { return config_; }
  torch::ScalarType dtype() const { return dtype_; }
  std::int64_t window_times() const { return config_.net.times; }
  ScoreNet net{nullptr};

 private:
  Batch to_dtype(const Batch& batch) const;
  void check_times(const torch::Tensor& times, const char* where) const;
  // Score on flattened states [B, T*D] at a scalar time; with y and known ([B, T*D]) the
  // conditional net's score with y in the given entries.
  ScoreFunction flat_score(const torch::Tensor& y = {}, const torch::Tensor& known = {});

  DiffusionConfig config_;
  torch::ScalarType dtype_;
};

}  // namespace sdebench
