#pragma once
// The generative model SDE Matching trains (the same model class as the latent SDE
// baselines, assembled from core's blocks):
//   z_0 ~ N(m0, diag(exp(2 log_s0)))                 learned Gaussian
//   dz = h(z) dt + g(z) dW   (Ito, diagonal)         prior drift MLP, per-dimension sigmoid nets
//                                                    (h(t, z) with prior_time_input)
//   x | z                                            core ObservationModel (linear or MLP
//                                                    decoder, fixed or learned std)
#include <torch/torch.h>

#include "core/nn/diagonal_diffusion.h"
#include "core/nn/mlp.h"
#include "core/nn/observation_model.h"
#include "core/sde.h"

namespace sdebench {

struct GenerativeModelConfig {
  std::int64_t data_dims = 1;
  std::int64_t latent = 4;
  std::int64_t prior_width = 100;
  std::int64_t prior_layers = 1;  // hidden layers of the drift MLP
  Activation prior_activation = Activation::Softplus;
  // The prior drift also reads the time (absolute, in the data's unit): h(t, z).
  bool prior_time_input = false;
  std::int64_t diffusion_width = 100;
  double diffusion_max = 1.0;  // each g_i in (0, diffusion_max)
  Activation diffusion_activation = Activation::Softplus;
  ObservationConfig observation;  // latent and data_dims are filled in from the above
};

class GenerativeModelImpl : public torch::nn::Module {
 public:
  explicit GenerativeModelImpl(const GenerativeModelConfig& config);

  // Prior drift h(z), or h(t, z) with prior_time_input: z [..., d] -> [..., d]; t has z's
  // leading shape (or is a scalar) and is ignored without prior_time_input (the reference's
  // time-independent drift).
  torch::Tensor drift(const torch::Tensor& t, const torch::Tensor& z);
  // Decoder mean.
  torch::Tensor decode(const torch::Tensor& z);
  // -log p(x | z) summed over the observed entries (mask 1): x, mask [..., D], z [..., d] -> [...].
  torch::Tensor neg_log_likelihood(const torch::Tensor& x, const torch::Tensor& mask,
                                   const torch::Tensor& z);
  // KL(N(mu, sigma) || p(z_0)) summed over latent dims: [..., d] -> [...].
  torch::Tensor kl_initial(const torch::Tensor& mu, const torch::Tensor& log_sigma) const;
  // n draws of z_0 ~ p(z_0): [n, d].
  torch::Tensor sample_initial(std::int64_t n) const;

  const GenerativeModelConfig& config() const { return config_; }

  torch::Tensor m0, log_s0;  // [d]
  MLP prior_drift{nullptr};
  DiagonalDiffusion diffusion{nullptr};
  ObservationModel observation{nullptr};

 private:
  GenerativeModelConfig config_;
};
TORCH_MODULE(GenerativeModel);

// The learned prior as a core SDE (for sdeint): diagonal noise, Ito.
class PriorSde : public Sde {
 public:
  explicit PriorSde(GenerativeModelImpl& model)
      : Sde(NoiseType::Diagonal, SdeType::Ito), model_(model) {}
  std::int64_t state_size() const override { return model_.config().latent; }
  torch::Tensor drift(double t, const torch::Tensor& y) override {
    return model_.drift(torch::scalar_tensor(t, y.options()), y);
  }
  torch::Tensor diffusion(double t, const torch::Tensor& y) override {
    return model_.diffusion->forward(y);
  }
  SdeEvaluation evaluate(double t, const torch::Tensor& y, bool with_extras) override;
  torch::Tensor diffusion_derivative(double t, const torch::Tensor& y) override {
    return model_.diffusion->forward_with_derivative(y).second;
  }

 private:
  GenerativeModelImpl& model_;
};

}  // namespace sdebench
