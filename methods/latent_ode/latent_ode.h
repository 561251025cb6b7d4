#pragma once
// The latent ODE (Chen et al. 2018; Rubanova et al. 2019), the deterministic row of Li et al.
// 2020's MOCAP table: the same generative model as the latent SDE without the diffusion,
//   z_0 ~ q(z_0 | x_{0..k-1})   an MLP over the first k frames (core FirstFramesEncoder)
//   dz/dt = h(z)                prior drift MLP d -> H (x drift_layers) -> d
//   x_i | z(t_i)                core ObservationModel (linear or MLP, fixed or learned std)
// trained on the ELBO  sum_i log p(x_i | z(t_i)) - KL(q(z_0) || p(z_0)) by backprop through a
// fixed-step ODE solver (core/odeint.h). There is no path KL: the ODE has no noise to pay for.
// Per-sequence times: each row's ODE starts at its own first observation (the drift has no
// absolute time), all rows on one grid of times since their starts (core/own_times.h).
// With MOCAP's sizes (latent 6, hidden 30, context 3) it has 10,573 parameters, as published:
// the encoder keeps the 3 context outputs of the SDE's encoder although nothing reads them.
#include <torch/torch.h>

#include <map>
#include <string>

#include "core/nn/first_frames_encoder.h"
#include "core/nn/mlp.h"
#include "core/nn/observation_model.h"
#include "core/odeint.h"
#include "methods/method.h"

namespace sdebench {

struct LatentOdeConfig {
  std::int64_t data_dims = 1;
  std::int64_t latent = 6;
  std::int64_t hidden = 30;
  std::int64_t drift_layers = 1;
  std::int64_t encoder_frames = 3;
  std::int64_t encoder_layers = 2;
  std::int64_t context = 0;  // unused encoder outputs (parameter parity with the latent SDE)
  Activation activation = Activation::Softplus;
  ObservationConfig observation;
  OdeintOptions solver;
};

class LatentOde : public Method {
 public:
  LatentOde(const LatentOdeConfig& config, const DataShape& shape);
  static Schema schema();
  static LatentOdeConfig parse(const Options& options, std::int64_t data_dims);

  // total = rec + kl_weight * kl0 (batch means), rec summed over observations.
  LossTerms train_step(const Batch& batch, const StepContext& context) override;
  std::map<std::string, double> evaluate(const Batch& batch, const EvalOptions& options) override;
  torch::Tensor sample(const torch::Tensor& times, std::int64_t n) override;
  // z_0 from the first `context` frames (at least encoder_frames), then the ODE over `times`.
  torch::Tensor forecast(const Batch& observed, std::int64_t context, const torch::Tensor& times,
                         std::int64_t num_samples) override;
  bool uses_kl_annealing() const override { return true; }

  // Latent path from z0 [B, d] at `times` [T]: [T, B, d].
  torch::Tensor solve(const torch::Tensor& z0, const torch::Tensor& times);
  // Per-sequence times: from z_start [S B, d] (sample s of row b at s B + b) at each row's
  // `start`, on one grid of times since it (core/own_times.h), read at each row's `times`
  // [B, T] (padding after `lengths`, and times before the start, read the start): [S, B, T, d].
  torch::Tensor solve_from_starts(const torch::Tensor& z_start, const torch::Tensor& times,
                                  const torch::Tensor& lengths, const torch::Tensor& start,
                                  std::int64_t samples = 1);

  FirstFramesEncoder encoder{nullptr};
  MLP drift{nullptr};
  ObservationModel observation{nullptr};
  torch::Tensor pz0_mean, pz0_log_std;

 private:
  struct Terms {
    torch::Tensor rec, kl0;  // [B] each
  };
  Terms terms(const Batch& batch);
  void check_lengths(const Batch& batch) const;  // the encoder's frames exist in every row

  LatentOdeConfig config_;
  torch::ScalarType dtype_;
};

}  // namespace sdebench
