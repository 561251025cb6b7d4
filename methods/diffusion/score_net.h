#pragma once
// The noise-prediction network eps_theta(x_t, t) over a whole window x_t of shape [B, T, D];
// the score is -eps_theta / sigma_t. Two architectures:
//   "conv": 1-D convolutions over time (channels D -> hidden), residual blocks, each adding a
//           projection of the noise-level embedding; suits long windows (Lorenz: T = 41).
//           The convolutions are TemporalConv (unfold + matmul, channels-last [B, T, C]).
//   "mlp":  an MLP over the flattened window concatenated with the embedding; for tiny T*D
//           (the Gaussian tests), where it can represent the linear Gaussian score exactly.
// The noise level enters through sinusoidal features of t (frequencies 1 .. 1000,
// geometrically spaced), as in DDPM's timestep embedding.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/nn/activation.h"
#include "core/nn/mlp.h"
#include "methods/diffusion/temporal_conv.h"

namespace sdebench {

struct ScoreNetConfig {
  std::string architecture = "conv";  // "conv" | "mlp"
  std::int64_t times = 1;             // T
  std::int64_t dims = 1;              // D
  std::int64_t hidden = 64;
  std::int64_t layers = 3;            // residual blocks (conv) or hidden layers (mlp)
  std::int64_t kernel_size = 5;       // conv only, odd
  std::int64_t embedding_size = 32;   // sinusoidal features of t (even)
  Activation activation = Activation::SiLU;
  // Conditional net (conditioning = "mask"): the 0/1 mask of given entries is a second input
  // (D more input channels for conv, T*D more inputs for mlp), CSDI-style.
  bool conditional = false;
};

// [B] times -> [B, size]: sin and cos of t * w_k.
torch::Tensor sinusoidal_embedding(const torch::Tensor& t, std::int64_t size);

class ScoreNetImpl : public torch::nn::Module {
 public:
  explicit ScoreNetImpl(const ScoreNetConfig& config);
  // x: [B, T, D]; t: [B]; known: [B, T, D] 0/1 mask of given entries (conditional nets only;
  // undefined = nothing given). Returns eps_hat: [B, T, D].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t,
                        const torch::Tensor& known = {});
  const ScoreNetConfig& config() const { return config_; }

 private:
  torch::Tensor forward_conv(const torch::Tensor& x, const torch::Tensor& emb);
  torch::Tensor forward_mlp(const torch::Tensor& x, const torch::Tensor& emb);

  ScoreNetConfig config_;
  // mlp
  MLP mlp_{nullptr};
  // conv
  torch::nn::Linear embed_{nullptr};
  TemporalConv conv_in_{nullptr}, conv_out_{nullptr};
  std::vector<TemporalConv> block_a_, block_b_;
  std::vector<torch::nn::Linear> block_emb_;
};
TORCH_MODULE(ScoreNet);

}  // namespace sdebench
