#pragma once
// The latent SDE baseline (Li et al. 2020; torchsde's latent_sde_lorenz.py), trained on the
// ELBO with the path KL integrated alongside the state, by one of two gradient modes:
//   gradient = "backprop": differentiate through the solver steps (graph O(steps) memory);
//   gradient = "adjoint":  core's stochastic adjoint (sdeint's Gradient::Adjoint): the forward
//                          solve keeps no graph, the backward sweep replays the same
//                          BrownianInterval (O(1) memory in the number of steps).
// Both are one call to sdeint; only SolverConfig::gradient differs.
// Loss per batch (as torchsde): rec + kl_weight * (kl0 + kl_path), with
//   rec     = mean over sequences of sum_i -log p(x_i | z_{t_i}) (observed entries),
//   kl0     = mean KL(q(z_0 | x) || p(z_0)),  kl_path = mean of int 1/2 |(f - h) / g|^2 dt.
// Per-sequence times: the model has no absolute time (drifts and diffusion depend on z and
// the context only), so each row runs from its own first observation on one grid of times since
// that start (core/own_times.h) and stops (zero drift, diffusion and KL rate) after its last:
// a batch solves each row's own ELBO, on a step grid refined by the other rows' times.
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/own_times.h"
#include "core/sdeint.h"
#include "core/solver_config.h"
#include "methods/latent_sde/latent_sde_model.h"
#include "methods/latent_sde/latent_sde_sde.h"
#include "methods/method.h"

namespace sdebench {

struct LatentSdeMethodConfig {
  LatentSdeConfig model;
  SolverConfig solver{"euler", 1e-2, 1, TimeGrid::Observations, Gradient::Adjoint};
  // Forecasts past the context: "prior" (the generative model's SDE from the state at the last
  // context time) or "posterior" (the posterior SDE throughout; its context must come from the
  // context frames alone, so only with encoder "mlp_first_k").
  std::string forecast_with = "prior";
};

class LatentSde : public Method {
 public:
  LatentSde(const LatentSdeMethodConfig& config, const DataShape& shape);

  static Schema schema();
  static LatentSdeMethodConfig parse(const Options& options, const DataShape& shape);

  LossTerms train_step(const Batch& batch, const StepContext& context) override;
  std::map<std::string, double> evaluate(const Batch& batch, const EvalOptions& options) override;
  torch::Tensor sample(const torch::Tensor& times, std::int64_t n) override;
  torch::Tensor forecast(const Batch& observed, std::int64_t context, const torch::Tensor& times,
                         std::int64_t num_samples) override;
  // One posterior path (sdeint over the batch's times from q(z_0 | x)).
  torch::Tensor latent_path(const Batch& batch) override;
  bool uses_kl_annealing() const override { return true; }

  const LatentSdeMethodConfig& config() const { return config_; }
  LatentSdeModel model{nullptr};

 private:
  // The posterior's ingredients from the data, with a graph when autograd is on.
  struct Encoded {
    torch::Tensor mean, log_std, z0, projection;  // [B, d] x3, [T, B, H]
  };
  Encoded encode(const Batch& batch);
  // The times the posterior is solved on: the batch's times, or with per-sequence times the
  // grid of times since each row's first observation (`own`, whose slots place them there).
  struct SolveGrid {
    std::vector<double> times;
    RelativeTimeGrid own;
  };
  SolveGrid solve_grid(const Batch& batch) const;
  // The posterior SDE of `enc` on `grid`; with per-sequence times each row reads the context of
  // its own next observation and stops after its last (the batch's `lengths`).
  LatentPosteriorSde posterior_sde(const Batch& batch, const SolveGrid& grid, const Encoded& enc);
  // Solutions on the grid [U, B, d] at the batch's observation slots: [T, B, d].
  static torch::Tensor at_observations(const Batch& batch, const SolveGrid& grid,
                                       const torch::Tensor& states);
  torch::Tensor forecast_per_sequence(const Batch& observed, std::int64_t context,
                                      const torch::Tensor& times, std::int64_t num_samples);
  Batch to_dtype(const Batch& batch) const;
  std::uint64_t next_seed() const;
  // sdeint's options: the configured solver and the seed of the Brownian path sdeint makes.
  SdeintOptions solve_options(std::uint64_t seed) const;

  LatentSdeMethodConfig config_;
  torch::ScalarType dtype_;
};

std::vector<double> to_time_vector(const torch::Tensor& times);

}  // namespace sdebench
