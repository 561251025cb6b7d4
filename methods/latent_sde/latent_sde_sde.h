#pragma once
// The latent SDE's posterior and prior as core SDEs (diagonal noise, shared diffusion).
//
// Posterior: dz = f(z, ctx(t)) dt + g(z) dW, with the KL integrand 1/2 |(f - h) / g|^2 as the
// one extra quantity (torchsde's "logqp"), all evaluated in one call. ctx(t) is held
// piecewise constant: as torchsde does, at time t it is the context of observation
// i(t) = min(#{t_j <= t}, T - 1), so on [t_j, t_{j+1}) the drift sees ctx_{j+1}.
//
// With per-sequence times every row runs on one grid of times since its own first observation
// (core/own_times.h); `active[i]` [B, 1] (1 or 0) then says which rows are still within their
// own observations on the piece i(t): a row past its last observation has zero drift, diffusion
// and KL rate, so its state stays where it ended and it pays nothing for times it never saw.
//
// Both can be posed in Ito form (euler, milstein, srk) or in the equivalent Stratonovich form
// (heun, midpoint, reversible_heun): the drift becomes f - 1/2 g dg/dz (diagonal noise); the
// KL integrand is unchanged because f and h shift by the same correction.
#include <torch/torch.h>

#include <vector>

#include "core/sde.h"
#include "core/solvers/stepper.h"  // solver_calculus: the form (Ito/Stratonovich) to build
#include "methods/latent_sde/latent_sde_model.h"

namespace sdebench {

class LatentPosteriorSde : public Sde {
 public:
  // `pieces[i]` is the context projection for observation i ([B, H]), see
  // LatentSdeModelImpl::context_projection; `active` is empty (every row active throughout)
  // or holds one [B, 1] tensor per piece.
  LatentPosteriorSde(LatentSdeModelImpl& model, std::vector<double> obs_times,
                     std::vector<torch::Tensor> pieces, SdeType type,
                     std::vector<torch::Tensor> active = {});

  std::int64_t state_size() const override { return model_.config().latent; }
  std::int64_t extra_size() const override { return 1; }
  torch::Tensor drift(double t, const torch::Tensor& y) override;
  torch::Tensor diffusion(double t, const torch::Tensor& y) override;
  SdeEvaluation evaluate(double t, const torch::Tensor& y, bool with_extras) override;
  torch::Tensor extra_rate(double t, const torch::Tensor& y) override;
  torch::Tensor diffusion_derivative(double t, const torch::Tensor& y) override;

  // The context pieces: the stochastic adjoint hands their gradients back to the encoder.
  std::vector<torch::Tensor*> graph_inputs() override;

  std::size_t piece_index(double t) const;
  const std::vector<torch::Tensor>& pieces() const { return pieces_; }

 private:
  LatentSdeModelImpl& model_;
  std::vector<double> obs_times_;
  std::vector<torch::Tensor> pieces_;
  std::vector<torch::Tensor> active_;
  // x on rows still active at t (x itself when every row is).
  torch::Tensor only_active(double t, const torch::Tensor& x) const;
};

class LatentPriorSde : public Sde {
 public:
  LatentPriorSde(LatentSdeModelImpl& model, SdeType type);
  std::int64_t state_size() const override { return model_.config().latent; }
  torch::Tensor drift(double t, const torch::Tensor& y) override;
  torch::Tensor diffusion(double t, const torch::Tensor& y) override;
  SdeEvaluation evaluate(double t, const torch::Tensor& y, bool with_extras) override;
  torch::Tensor diffusion_derivative(double t, const torch::Tensor& y) override;

 private:
  LatentSdeModelImpl& model_;
};

}  // namespace sdebench
