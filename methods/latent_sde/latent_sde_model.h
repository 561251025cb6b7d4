#pragma once
// The networks of torchsde's latent_sde_lorenz.py, from core's blocks:
//   encoder   "gru": GRU over the time-reversed sequence, then Linear(hidden -> context),
//             q(z_0) = Linear(context -> 2 d) of the context at t_0 (mean, log std);
//             "conv": the "gru" encoder reading each frame's features from core's per-frame
//             convolutional encoder instead of the raw pixels (video and grid data)
//             "mlp_first_k" (the MOCAP model): an MLP over the first k frames gives q(z_0)
//             and a context constant in time (core/nn/first_frames_encoder.h);
//             "mlp_windows": the same MLP on every window of k frames: q(z_0) from window 0,
//             and observation j's context from the window ending at frame j
//   posterior drift f(z, ctx)  MLP (d + C) -> H (x drift_layers) -> d (softplus)
//   prior drift     h(z)       MLP d -> P (x prior_layers) -> d (softplus); with
//                              prior_time_input h(t, z), MLP (1 + d) -> P -> d
//   diffusion       g_i(z_i)   per-dimension 1 -> G -> 1 -> sigmoid, times diffusion_max
//                              (core DiagonalDiffusion)
// (torchsde uses H = P = G = 128 and two hidden layers in both drifts: the defaults.)
//   decoder   core ObservationModel: linear or MLP, fixed or learned std;
//   p(z_0) = N(m, exp(log_std)) learned.
// Speed: the context's share of the posterior drift's first layer (C of its d + C inputs) is
// constant between observations, so it is computed once per observation time for the whole
// sequence (one GEMM) and each solver step only adds the z part (d = 4 columns).
#include <torch/torch.h>

#include "core/nn/activation.h"
#include <string>

#include "core/nn/conv_frames.h"
#include "core/nn/diagonal_diffusion.h"
#include "core/nn/first_frames_encoder.h"
#include "core/nn/gru.h"
#include "core/nn/mlp.h"
#include "core/nn/observation_model.h"

namespace sdebench {

struct LatentSdeConfig {
  std::int64_t data_dims = 3;
  std::int64_t latent = 4;
  std::int64_t context = 64;
  std::int64_t hidden = 128;
  std::int64_t drift_layers = 2;       // hidden layers of the posterior drift MLP
  std::int64_t prior_width = 128;      // P: the prior drift MLP's width
  std::int64_t prior_layers = 2;       // hidden layers of the prior drift MLP
  bool prior_time_input = false;       // h(t, z): the solver's (absolute) time as an input
  std::int64_t diffusion_width = 128;  // G: hidden width of each diffusion net
  double diffusion_max = 1.0;          // each g_i in (0, diffusion_max)
  std::string encoder = "gru";         // "gru" | "conv" | "mlp_first_k" | "mlp_windows"
  FrameEncoderConfig frame_encoder;    // conv
  std::int64_t encoder_frames = 3;     // k, for mlp_first_k and mlp_windows
  std::int64_t encoder_layers = 2;     // hidden layers of the mlp_first_k / mlp_windows encoder
  Activation activation = Activation::Softplus;
  ObservationConfig observation;       // latent and data_dims are filled in from the above
  // The encoders built on core's FirstFramesEncoder read at least encoder_frames observations.
  bool first_frames_encoder() const { return encoder == "mlp_first_k" || encoder == "mlp_windows"; }
};

std::vector<std::string> latent_encoder_kinds();

// The posterior's inputs from the data: q(z_0 | x) and the context at each observation time.
struct LatentCode {
  torch::Tensor mean, log_std;  // [B, d]
  torch::Tensor context;        // [B, T, C]
};

class LatentSdeModelImpl : public torch::nn::Module {
 public:
  explicit LatentSdeModelImpl(const LatentSdeConfig& config);

  // "gru" and "conv": ctx[:, i] summarises x_i .. x_{T-1} (reversed-time GRU) and q(z_0) comes from
  // ctx[:, 0]; "mlp_first_k": both from the first k frames, the context repeated over time;
  // "mlp_windows": q(z_0) from frames 0 .. k-1, observation j's context from frames j-k+1 .. j
  // (window 0 for j < k-1).
  // With `lengths` [B] (per-sequence times), row b ends after lengths[b] observations: the GRU
  // runs backwards from each row's own last one and never reads its padding.
  LatentCode encode(const torch::Tensor& values, const torch::Tensor& mask,
                    const torch::Tensor& lengths = {});
  // The context's contribution to the posterior drift's first layer (with its bias), per
  // observation time: ctx [B, T, C] -> [T, B, H] (contiguous, so each time is one block).
  torch::Tensor context_projection(const torch::Tensor& ctx);
  // f(z, ctx) given that projection at the current observation piece: z [B, d], piece [B, H].
  torch::Tensor posterior_drift(const torch::Tensor& z, const torch::Tensor& piece);
  // h(z), or h(t, z) with prior_time_input (t the solver's time): z [B, d] -> [B, d].
  torch::Tensor prior_drift(double t, const torch::Tensor& z);
  // g(z), through the memory-lean fused function when the activation is softplus.
  torch::Tensor diffusion_forward(const torch::Tensor& z);
  torch::Tensor hidden_activation(const torch::Tensor& x) const;
  torch::Tensor decode(const torch::Tensor& z);
  // -log p(x | z) over observed entries: x, mask [..., D], z [..., d] -> [...].
  torch::Tensor neg_log_likelihood(const torch::Tensor& x, const torch::Tensor& mask,
                                   const torch::Tensor& z);
  // KL(N(mean, exp(log_std)) || p(z_0)) summed over dims: [B, d] -> [B].
  torch::Tensor kl_initial(const torch::Tensor& mean, const torch::Tensor& log_std);
  torch::Tensor sample_initial(std::int64_t n);

  const LatentSdeConfig& config() const { return config_; }

  ConvFrameEncoder frame_encoder{nullptr};                     // encoder "conv"
  FastGRU gru{nullptr};                                        // encoders "gru", "conv"
  torch::nn::Linear context_out{nullptr}, qz0_net{nullptr};    // encoders "gru", "conv"
  FirstFramesEncoder first_frames{nullptr};  // encoder "mlp_first_k" or "mlp_windows"
  ObservationModel observation{nullptr};
  MLP posterior_net{nullptr}, prior_net{nullptr};
  DiagonalDiffusion diffusion{nullptr};
  torch::Tensor pz0_mean, pz0_log_std;  // [d]

 private:
  LatentSdeConfig config_;
};
TORCH_MODULE(LatentSdeModel);

}  // namespace sdebench
