#pragma once
// The SDE Matching posterior, defined by its Gaussian marginals
//   q(z_t | X) = N(mu(X, t), diag(sigma(X, t)^2)),
// as in the reference notebook: a GRU over the observed sequence, a time-attention context
//   ctx(t) = h_last + sum_j softmax_j(-(L (t_j - t) / span)^2) h_j
// concatenated with the normalised time s = (t - t0) / span, and an MLP giving (mu, log sigma).
// Time: the network sees s in [0, 1] (span = t_last - t_first of the encoded sequence), so the
// sharpness L means the same for any time unit; the SDE itself runs in the data's own time,
// and d/dt = (1 / span) d/ds is applied exactly through the tangent.
#include <torch/torch.h>

#include "core/nn/activation.h"
#include "core/nn/gru.h"
#include "core/nn/mlp.h"

namespace sdebench {

struct PosteriorConfig {
  std::int64_t data_dims = 1;
  std::int64_t latent = 4;
  std::int64_t encoder_hidden = 100;
  std::int64_t width = 100;
  std::int64_t layers = 2;
  Activation activation = Activation::SiLU;
  double sharpness = 41.0;
  bool encode_mask = false;  // feed the mask to the GRU next to the values
};

// What the encoder leaves for the marginal network: per-step GRU states and the time frame.
struct Encoding {
  torch::Tensor states;  // [B, T, H]; the last step is the notebook's h_last
  torch::Tensor keys;    // [T] normalised observation times s_j
  double t0 = 0.0, span = 1.0;
};

// mu, log sigma and (when requested) their exact time derivatives, each [B, Q, d].
struct Marginal {
  torch::Tensor mu, log_sigma, dmu_dt, dlog_sigma_dt;
};

class PosteriorImpl : public torch::nn::Module {
 public:
  explicit PosteriorImpl(const PosteriorConfig& config);

  // values, mask: [B, T, D]; times: [T] increasing.
  Encoding encode(const torch::Tensor& values, const torch::Tensor& mask,
                  const torch::Tensor& times);
  // Marginal parameters at query times t: [B, Q] (data time). With `time_derivative`, the
  // derivatives come from one tangent pass (forward mode), differentiable by reverse mode.
  Marginal marginal(const Encoding& enc, const torch::Tensor& t, bool time_derivative);

  const PosteriorConfig& config() const { return config_; }
  FastGRU gru{nullptr};
  MLP net{nullptr};

 private:
  PosteriorConfig config_;
};
TORCH_MODULE(Posterior);

}  // namespace sdebench
