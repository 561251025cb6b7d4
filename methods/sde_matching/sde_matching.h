#pragma once
// SDE Matching (Bartosh, Vetrov, Naesseth, ICML 2025): simulation-free training of a latent
// SDE. The posterior is given by its Gaussian marginals (posterior.h); the loss needs no
// solver (loss.h); sampling and forecasting simulate the learned prior with core's sdeint.
// Registered as "sde_matching"; the defaults are the reference notebook's settings.
#include <torch/torch.h>

#include <string>

#include "core/options.h"
#include "core/sdeint.h"
#include "methods/method.h"
#include "methods/sde_matching/generative_model.h"
#include "methods/sde_matching/loss.h"
#include "methods/sde_matching/posterior.h"

namespace sdebench {

struct SdeMatchingConfig {
  GenerativeModelConfig model;
  PosteriorConfig posterior;
  RecEstimator rec_estimator = RecEstimator::Single;
  std::int64_t time_samples = 1;
  bool anneal_kl = false;  // L_prior + L_diff weighted by the harness's KL-annealing schedule
  std::string solver = "euler";
  double solver_dt = 1e-2;

  // Reads every key of sde_matching_schema(); missing keys take their defaults.
  static SdeMatchingConfig from_options(const Options& options, std::int64_t data_dims);
};

Schema sde_matching_schema();

class SdeMatching : public Method {
 public:
  SdeMatching(const SdeMatchingConfig& config, const DataShape& shape);

  // total = batch mean of L_prior + L_diff + L_rec; with anneal_kl, context.kl_weight *
  // (L_prior + L_diff) + L_rec (terms reports the three parts unweighted).
  LossTerms train_step(const Batch& batch, const StepContext& context) override;
  // evaluate_nelbo (loss.h): full-sum NELBO, its three parts and the reconstruction MSE.
  std::map<std::string, double> evaluate(const Batch& batch, const EvalOptions& options) override;
  // z_0 ~ p(z_0), the prior SDE by sdeint (options solver, solver_dt); the decoder mean W z + b.
  torch::Tensor sample(const torch::Tensor& times, std::int64_t n) override;
  // With encoder_frames = k > 0: z_0 ~ q(z_0 | first k frames), then the prior SDE from t0.
  // Otherwise the posterior is encoded from the first `context` observations only. At requested times
  // up to t_k (the last context time) the forecast is the posterior marginal mu + sigma eps
  // (one eps per path); after t_k the prior SDE runs from that path's posterior sample at t_k.
  // Decoder means, [num_samples, B, len(times), D].
  torch::Tensor forecast(const Batch& observed, std::int64_t context, const torch::Tensor& times,
                         std::int64_t num_samples) override;
  // The posterior mean mu(X, t) at the batch's times.
  torch::Tensor latent_path(const Batch& batch) override;
  bool uses_kl_annealing() const override { return config_.anneal_kl; }

  // The loss with given noise (tests hold the noise fixed); `total` is the batch mean.
  LossParts loss(const Batch& batch, const LossNoise& noise);
  LossNoise draw_noise(const Batch& batch) const;

  const SdeMatchingConfig& config() const { return config_; }
  torch::ScalarType dtype() const { return dtype_; }
  GenerativeModel model{nullptr};
  Posterior posterior{nullptr};

 private:
  Batch to_dtype(const Batch& batch) const;
  std::uint64_t next_seed() const;
  // sdeint settings for simulating the prior (sampling, forecasts), with a fresh seed.
  SdeintOptions prior_solver_options() const;
  torch::Tensor forecast_from_first_frames(const Batch& batch, std::int64_t context,
                                           const torch::Tensor& times, std::int64_t num_samples);
  // Per-sequence times [B, T] (issue 19): each row conditioned on its own first observations.
  torch::Tensor forecast_per_sequence(const Batch& batch, std::int64_t context,
                                      const torch::Tensor& times, std::int64_t num_samples);
  // The prior from z_start [S B, d] (row-major over samples, then rows) at each row's times
  // since its start, `relative` [B, T] (<= 0, or padding past `lengths`: z_start): [S, B, T, d].
  torch::Tensor prior_at_relative_times(const torch::Tensor& z_start, const torch::Tensor& relative,
                                        const torch::Tensor& lengths, std::int64_t num_samples);

  SdeMatchingConfig config_;
  torch::ScalarType dtype_;
};

}  // namespace sdebench
