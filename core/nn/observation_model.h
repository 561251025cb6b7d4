#pragma once
// The observation model p(x | z) shared by the latent-variable methods: a decoder from the
// latent state to a Gaussian over the data, with
//   kind   = linear: mean = W z + b
//            mlp:    an MLP d -> H .. H -> D (hidden layers `layers`, activation `activation`)
//            conv:   core's ConvFrameDecoder, d -> a side x side frame (D = side^2; video and
//                    grid data), `channels` in its widest stage, ReLU between stages
//   likelihood = gaussian: std fixed (`noise_std`), or learned: the decoder also outputs a
//            per-dimension log std (its output is then 2 D wide), clamped to [-9, 9] so that a
//            dimension the data holds constant (4 of MOCAP's 50) cannot drive the likelihood
//            to infinity (linear and mlp only);
//            bernoulli: the decoder's outputs are logits, -log p = softplus(l) - x l for data
//            in [0, 1] (pixel intensities), and the mean is sigmoid(l).
// Everything is summed over observed entries only (mask 1).
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/nn/activation.h"
#include "core/nn/conv_frames.h"
#include "core/nn/mlp.h"

namespace sdebench {

struct ObservationConfig {
  std::int64_t latent = 4;
  std::int64_t data_dims = 1;
  std::string kind = "linear";  // "linear" | "mlp"
  std::int64_t hidden = 30;     // mlp only
  std::int64_t layers = 2;      // mlp only: hidden layers
  Activation activation = Activation::Softplus;
  bool learn_std = false;
  double noise_std = 0.01;      // the fixed std when learn_std is false
  std::string likelihood = "gaussian";  // "gaussian" | "bernoulli"
  std::int64_t channels = 16;           // conv only: channels of the first upsampling stage
};

std::vector<std::string> observation_kinds();
std::vector<std::string> observation_likelihoods();

// `config` with the latent and data sizes a model fills in.
ObservationConfig with_sizes(ObservationConfig config, std::int64_t latent, std::int64_t data_dims);

class ObservationModelImpl : public torch::nn::Module {
 public:
  explicit ObservationModelImpl(const ObservationConfig& config);

  // Decoder mean: [..., d] -> [..., D].
  torch::Tensor mean(const torch::Tensor& z);
  // -log p(x | z) summed over observed entries: x, mask [..., D], z [..., d] -> [...].
  torch::Tensor neg_log_likelihood(const torch::Tensor& x, const torch::Tensor& mask,
                                   const torch::Tensor& z);

  const ObservationConfig& config() const { return config_; }
  MLP net{nullptr};  // linear and mlp: a linear decoder is an MLP without hidden layers
  ConvFrameDecoder frames{nullptr};  // conv

 private:
  torch::Tensor outputs(const torch::Tensor& z);  // the decoder's raw outputs
  ObservationConfig config_;
};
TORCH_MODULE(ObservationModel);

}  // namespace sdebench

namespace sdebench {
class Schema;
class Options;
// The observation model's option keys, shared by every method that decodes latents:
// decoder, decoder_hidden, decoder_layers, decoder_channels, likelihood, learn_noise_std,
// noise_std (defaults from `def`).
Schema& add_observation_options(Schema& schema, const ObservationConfig& def);
// Reads them back (latent and data_dims are left to the caller).
ObservationConfig observation_options(const Options& options, Activation activation);
}  // namespace sdebench
