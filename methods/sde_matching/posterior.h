#pragma once
// The SDE Matching posterior, defined by its Gaussian marginals
//   q(z_t | X) = N(mu(X, t), diag(sigma(X, t)^2)),
// as in the reference notebook: a GRU over the observed sequence, a time-attention context
//   ctx(t) = h_last + sum_j softmax_j(-(L (t_j - t) / span)^2) h_j
// concatenated with the normalised time s = (t - t0) / span, and an MLP giving (mu, log sigma).
// Time: the network sees s = (t - t0) / span. "sequence" normalisation takes t0 and span from
// the encoded sequence (s in [0, 1], the notebook; per-sequence times: each row's own); "absolute" takes them from the training
// data's time grid, so a sequence encoded from its first frames at test time sees the same s
// as in training. The SDE itself runs in the data's own time, and d/dt = (1 / span) d/ds is
// applied exactly through the tangent. Sharpness 0 means L = the number of observations.
//
// Image data (encoder = "conv"): each frame first goes through core's per-frame convolutional
// encoder and the GRU reads its features instead of the raw pixels.
//
// Optionally (encoder_frames = k > 0) q(z_0) comes from the first k frames only, so that
// forecasting from k frames uses what training fitted (the MOCAP protocol):
//   mu(t) = mu_k + s(t) dmu(X, t),  log sigma(t) = log sigma_k + s(t) dlog_sigma(X, t),
// with (mu_k, log sigma_k) from core's FirstFramesEncoder; s(t0) = 0, so at t0 the marginal is
// exactly q(z_0 | x_0 .. x_{k-1}). With encoder "conv" that MLP reads the k frames' convolutional
// features (k x frame_features values, the per-frame encoder the GRU also reads), not k x side^2
// pixels.
//
// With marginals = "windows" (needs encoder_frames = k > 0) there is no GRU or marginal MLP:
// the same first-frames MLP encodes every window of k consecutive frames,
//   c_j = (mu_j, log sigma_j) = MLP(x_j .. x_{j+k-1}),  at the window's first time t_j,
// and the marginal at t is the time attention's Gaussian-weighted average of the c_j
// (attention_sharpness as above, no last-state term): smooth in t, so the posterior drift has
// no jumps between frames. Past the last window's time (the last k - 1 observations) the
// average is close to the last window's code, so dmu/dt is close to 0 there. Every window trains the MLP that gives q(z_0) when forecasting, so
// it learns z from every phase of a sequence, not only from sequence starts; and the posterior
// reads only nearby frames, so its latent path is a function of the local motion rather than
// of the sequence's identity. At t0 the marginal is window 0's code averaged with its
// neighbours' (normalised weights about 0.73 and 0.27 for windows 0 and 1 at sharpness 0),
// while a forecast samples z_0 from window 0 alone.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/nn/activation.h"
#include "core/nn/conv_frames.h"
#include "core/nn/first_frames_encoder.h"
#include "core/nn/gru.h"
#include "core/nn/mlp.h"
#include "core/nn/tangent.h"

namespace sdebench {

struct PosteriorConfig {
  std::int64_t data_dims = 1;
  std::int64_t latent = 4;
  std::int64_t encoder_hidden = 100;
  std::int64_t width = 100;
  std::int64_t layers = 2;
  Activation activation = Activation::SiLU;
  double sharpness = 41.0;    // 0: the number of observation times
  bool last_state = true;     // add the GRU's last state to every time's context (the notebook)
  bool encode_mask = false;  // feed the mask to the GRU next to the values
  // A floor on the std: sigma = exp(raw) + floor(t). sigma_ramp = 0: floor = sigma_min at every
  // time, q(z_0 | first k frames) included; sigma_ramp > 0: floor = sigma_min tanh((t - t_first)
  // / sigma_ramp), 0 at each sequence's first time. sigma_min = 0: no floor.
  double sigma_min = 0.0, sigma_ramp = 0.0;
  bool absolute_time = false;             // "absolute" normalisation: t0 and span below
  double time_origin = 0.0, time_span = 1.0;
  std::int64_t encoder_frames = 0;        // k > 0: q(z_0) from the first k frames
  std::int64_t frames_hidden = 30, frames_layers = 2;
  std::string encoder = "gru";            // "gru" | "conv" (per-frame convolutions, then the GRU)
  std::string marginals = "attention";    // "attention" (GRU, time attention, MLP) | "windows"
  FrameEncoderConfig frame_encoder;       // conv
};

std::vector<std::string> posterior_encoder_kinds();
std::vector<std::string> posterior_marginal_kinds();  // "attention" | "windows"

// What the encoder leaves for the marginal network: per-step GRU states and the time frame.
struct Encoding {
  torch::Tensor states;  // [B, T, H]; the last step is the notebook's h_last. With marginals
                         // "windows": [B, W, 2d], each window's (mu, log sigma)
  torch::Tensor keys;    // [T] normalised observation times s_j ([B, T] per-sequence);
                         // "windows": [W], each window's first time
  double t0 = 0.0, span = 1.0;
  FirstFramesCode first;  // q(z_0 | first k frames) when encoder_frames > 0 (marginals "attention")
  // Per-sequence times (issue 19): each row's observations, and its own t0 and span ([B]
  // each, used instead of the doubles above); slots past a row's length are padding.
  torch::Tensor lengths, t0s, spans;
  torch::Tensor first_times;  // [B], each sequence's first observation time (data time)
  bool per_sequence() const { return lengths.defined(); }
  // The observation counts that attention_sharpness = 0 reads (the encoded sequence's, unless a
  // forecast sets the full sequence's): a double, or [B] with per-sequence times.
  double observations = 0.0;
  torch::Tensor observation_counts;
};

// mu, log sigma and (when requested) their exact time derivatives, each [B, Q, d].
struct Marginal {
  torch::Tensor mu, log_sigma, dmu_dt, dlog_sigma_dt;
};

class PosteriorImpl : public torch::nn::Module {
 public:
  explicit PosteriorImpl(const PosteriorConfig& config);

  // values, mask: [B, T, D]; times: [T] increasing, or [B, T] each row's own times with
  // `lengths` [B] (int64) its number of observations (the GRU runs forward, so padding after a
  // row's last observation never reaches its states; the attention gives padding weight 0).
  Encoding encode(const torch::Tensor& values, const torch::Tensor& mask,
                  const torch::Tensor& times, const torch::Tensor& lengths = {});
  // Marginal parameters at query times t: [B, Q] (data time). With `time_derivative`, the
  // derivatives come from one tangent pass (forward mode), differentiable by reverse mode.
  // With sigma_min > 0 the std has the config's floor; first_frames_code has it too unless it
  // ramps up from 0 at the first time (sigma_ramp > 0).
  Marginal marginal(const Encoding& enc, const torch::Tensor& t, bool time_derivative);
  // q(z_0 | first k frames) alone (encoder_frames = k > 0): what a forecast samples z_0 from.
  // values, mask: [B, T, D] with T >= k.
  FirstFramesCode first_frames_code(const torch::Tensor& values, const torch::Tensor& mask);

  const PosteriorConfig& config() const { return config_; }
  ConvFrameEncoder frame_encoder{nullptr};  // encoder "conv"
  FastGRU gru{nullptr};  // marginals "attention"
  MLP net{nullptr};      // marginals "attention"
  FirstFramesEncoder first_frames{nullptr};  // encoder_frames > 0

 private:
  // marginal() before the floor on sigma.
  Marginal raw_marginal(const Encoding& enc, const torch::Tensor& t, bool time_derivative);
  // log sigma = log(exp(raw log sigma) + floor(t)), with its time derivative.
  Marginal with_sigma_floor(Marginal m, const Encoding& enc, const torch::Tensor& t) const;
  FirstFramesCode with_sigma_floor(FirstFramesCode code) const;
  Encoding encode_per_sequence(const torch::Tensor& values, const torch::Tensor& mask,
                               const torch::Tensor& times, const torch::Tensor& lengths);
  // The GRU states (after the per-frame encoder) and the first-frames code.
  void run_encoders(const torch::Tensor& values, const torch::Tensor& mask, Encoding& enc);
  // marginals "windows": (mu, log sigma) of every window of k frames, [B, T - k + 1, 2d].
  torch::Tensor window_codes(const torch::Tensor& values, const torch::Tensor& mask);
  // ... and their time-attention (Gaussian-weighted) average at the time input s.
  Marginal marginal_from_windows(const Encoding& enc, const Dual& s, double sharpness);
  // The first-frames MLP on per-frame features [B, T >= k, F] (encoder "conv").
  FirstFramesCode first_frames_from_features(const torch::Tensor& features, const torch::Tensor& mask);
  // (mu, log sigma) and their derivatives from the time input s and the attention context.
  Marginal marginal_from_context(const Encoding& enc, const Dual& s, const Dual& ctx);
  double last_weight() const { return config_.last_state ? 1.0 : 0.0; }
  bool windows() const { return config_.marginals == "windows"; }
  PosteriorConfig config_;
};
TORCH_MODULE(Posterior);

}  // namespace sdebench
