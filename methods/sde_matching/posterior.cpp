#include "methods/sde_matching/posterior.h"

#include <stdexcept>
#include <vector>

#include "core/nn/tangent.h"

namespace sdebench {

namespace {

// [..., 2d] values (and time tangents) -> mu, log sigma (and their time derivatives).
Marginal split_marginal(const Dual& out, std::int64_t d) {
  Marginal m;
  m.mu = out.value.narrow(-1, 0, d);
  m.log_sigma = out.value.narrow(-1, d, d);
  if (out.has_tangent()) {
    m.dmu_dt = out.tangent.narrow(-1, 0, d);
    m.dlog_sigma_dt = out.tangent.narrow(-1, d, d);
  }
  return m;
}

// A frame's convolutional features count as observed when any of its pixels is: the pixel mask
// [B, T, D] as a feature mask [B, T, F].
torch::Tensor feature_mask(const torch::Tensor& mask, std::int64_t features) {
  return std::get<0>(mask.max(-1, /*keepdim=*/true)).expand({-1, -1, features});
}

}  // namespace

std::vector<std::string> posterior_encoder_kinds() { return {"gru", "conv"}; }
std::vector<std::string> posterior_marginal_kinds() { return {"attention", "windows"}; }

PosteriorImpl::PosteriorImpl(const PosteriorConfig& config) : config_(config) {
  auto input = config.data_dims * (config.encode_mask ? 2 : 1);
  if (config.encoder == "conv") {
    if (config.encode_mask)
      throw std::invalid_argument("sde_matching: encode_mask is not available with encoder 'conv'");
    frame_encoder = register_module(
        "frame_encoder",
        ConvFrameEncoder(frame_side(config.data_dims, "sde_matching: encoder 'conv'"),
                         config.frame_encoder.channels, config.frame_encoder.features));
    input = config.frame_encoder.features;
  } else if (config.encoder != "gru") {
    throw std::invalid_argument("sde_matching: encoder must be 'gru' or 'conv', got '" +
                                config.encoder + "'");
  }
  const bool windows = config.marginals == "windows";  // (windows() needs config_, set above)
  if (!windows && config.marginals != "attention")
    throw std::invalid_argument("sde_matching: posterior_marginals must be 'attention' or 'windows', got '" +
                                config.marginals + "'");
  if (windows && config.encoder_frames < 1)
    throw std::invalid_argument(
        "sde_matching: posterior_marginals = \"windows\" needs encoder_frames = k > 0 (the window "
        "length)");
  if (windows && config.encode_mask)
    throw std::invalid_argument("sde_matching: encode_mask is not available with posterior_marginals "
                                "= \"windows\" (there is no GRU)");
  if (!windows) {
    gru = register_module("gru", FastGRU(input, config.encoder_hidden));
    net = register_module(
        "net", MLP(config.encoder_hidden + 1, std::vector<std::int64_t>(config.layers, config.width),
                   2 * config.latent, config.activation));
  }
  if (config.encoder_frames > 0)
    first_frames = register_module(
        "first_frames",
        FirstFramesEncoder(FirstFramesEncoderConfig{input, config.encoder_frames, config.latent, 0,
                                                    config.frames_hidden, config.frames_layers,
                                                    config.activation}));
}

FirstFramesCode PosteriorImpl::first_frames_code(const torch::Tensor& values,
                                                 const torch::Tensor& mask) {
  const auto k = config_.encoder_frames;
  if (!first_frames) throw std::logic_error("sde_matching: first_frames_code needs encoder_frames > 0");
  auto v = values.narrow(1, 0, k), m = mask.narrow(1, 0, k);
  if (!frame_encoder) return with_sigma_floor(first_frames->forward(v, m));
  return with_sigma_floor(first_frames_from_features(frame_encoder->forward(v * m), m));
}

// A floor on the posterior's std. Without one, SDE Matching's posterior on MOCAP narrows to
// sigma ~ 0.1 around each latent path, so the prior's drift is fitted only inside that tube,
// while a forecast's noise takes samples well outside it (the method README, "A floor on the
// posterior's std").
Marginal PosteriorImpl::with_sigma_floor(Marginal m, const Encoding& enc,
                                         const torch::Tensor& t) const {
  if (config_.sigma_min <= 0.0) return m;
  auto raw_sigma = m.log_sigma.exp();
  torch::Tensor floor, dfloor_dt;  // [B, Q, 1]
  if (config_.sigma_ramp > 0.0) {
    auto elapsed = (t - enc.first_times.to(t.scalar_type()).unsqueeze(1)).unsqueeze(-1);
    auto ramp = torch::tanh(elapsed / config_.sigma_ramp);
    floor = config_.sigma_min * ramp;
    dfloor_dt = (config_.sigma_min / config_.sigma_ramp) * (1 - ramp.square());
  } else {
    floor = torch::full({1}, config_.sigma_min, raw_sigma.options());
  }
  auto sigma = raw_sigma + floor;
  if (m.dlog_sigma_dt.defined()) {
    auto dsigma_dt = raw_sigma * m.dlog_sigma_dt;
    if (dfloor_dt.defined()) dsigma_dt = dsigma_dt + dfloor_dt;
    m.dlog_sigma_dt = dsigma_dt / sigma;
  }
  m.log_sigma = sigma.log();
  return m;
}

FirstFramesCode PosteriorImpl::with_sigma_floor(FirstFramesCode code) const {
  // With a ramp the floor is 0 at the first time, where this code is the marginal.
  if (config_.sigma_min > 0.0 && config_.sigma_ramp <= 0.0)
    code.log_std = (code.log_std.exp() + config_.sigma_min).log();
  return code;
}

FirstFramesCode PosteriorImpl::first_frames_from_features(const torch::Tensor& features,
                                                          const torch::Tensor& mask) {
  const auto k = config_.encoder_frames;
  return first_frames->forward(features.narrow(1, 0, k),
                               feature_mask(mask.narrow(1, 0, k), features.size(-1)));
}

Encoding PosteriorImpl::encode(const torch::Tensor& values, const torch::Tensor& mask,
                               const torch::Tensor& times, const torch::Tensor& lengths) {
  if (values.dim() != 3 || values.size(2) != config_.data_dims)
    throw std::invalid_argument("sde_matching: values must be [B, T, " +
                                std::to_string(config_.data_dims) + "], got " +
                                std::to_string(values.dim()) + "-d tensor");
  if (times.dim() == 2) return encode_per_sequence(values, mask, times, lengths);
  if (times.dim() != 1 || times.size(0) != values.size(1))
    throw std::invalid_argument("sde_matching: times must be [T] with T = values.size(1)");
  Encoding enc;
  const auto tt = times.to(torch::kFloat64);
  if (config_.absolute_time) {
    enc.t0 = config_.time_origin;
    enc.span = config_.time_span;
  } else {
    enc.t0 = tt[0].item<double>();
    const double t1 = tt[-1].item<double>();
    enc.span = t1 > enc.t0 ? t1 - enc.t0 : 1.0;  // a single observation: unit frame
  }
  enc.keys = ((tt - enc.t0) / enc.span).to(values.scalar_type());
  enc.first_times = tt.narrow(0, 0, 1).expand({values.size(0)});
  enc.observations = static_cast<double>(times.size(0));
  if (windows()) {
    // At least two windows, or the marginal would not move in time.
    const auto k = config_.encoder_frames;
    if (values.size(1) < k + 1)
      throw std::invalid_argument("sde_matching: posterior_marginals = \"windows\" needs at least k + 1 = " +
                                  std::to_string(k + 1) + " observations to encode, got " +
                                  std::to_string(values.size(1)));
    enc.states = window_codes(values, mask);
    enc.keys = enc.keys.narrow(0, 0, enc.states.size(1));
    return enc;
  }
  run_encoders(values, mask, enc);
  return enc;
}

torch::Tensor PosteriorImpl::window_codes(const torch::Tensor& values, const torch::Tensor& mask) {
  // The first-frames MLP's inputs per frame: the values, or the convolutional features.
  torch::Tensor input = values, observed = mask;
  if (frame_encoder) {
    input = frame_encoder->forward(values * mask);
    observed = feature_mask(mask, input.size(-1));
  }
  auto code = first_frames->forward_windows(input, observed);
  return torch::cat({code.mean, code.log_std}, -1);  // [B, W, 2 d]
}

Marginal PosteriorImpl::marginal_from_windows(const Encoding& enc, const Dual& s,
                                              double sharpness) {
  // Between the windows' times, the time attention's Gaussian-weighted average of their
  // (mu, log sigma): smooth in t, so the posterior drift has no jumps between frames. (A
  // piecewise-linear interpolation, exact at every window, scored 13.0, 41.9, 16.8, 12.4 on
  // MOCAP seeds 0-3 against 14.2, 11.0, 13.6, 20.8 with this.)
  return split_marginal(time_attention(s, enc.keys, enc.states, sharpness, 0.0), config_.latent);
}

Encoding PosteriorImpl::encode_per_sequence(const torch::Tensor& values, const torch::Tensor& mask,
                                            const torch::Tensor& times, const torch::Tensor& lengths) {
  const auto B = values.size(0), T = values.size(1);
  if (times.size(0) != B || times.size(1) != T || !lengths.defined() || lengths.numel() != B)
    throw std::invalid_argument("sde_matching: per-sequence times must be [B, T] with lengths [B]");
  if (windows())
    throw std::invalid_argument("sde_matching: posterior_marginals = \"windows\" needs one shared time "
                                "grid; this batch has per-sequence times");
  Encoding enc;
  enc.lengths = lengths.to(torch::kLong);
  auto tt = times.to(torch::kFloat64);
  auto last = tt.gather(1, (enc.lengths - 1).clamp_min(0).unsqueeze(1)).squeeze(1);
  enc.first_times = tt.select(1, 0);
  if (config_.absolute_time) {
    enc.t0s = torch::full({B}, config_.time_origin, tt.options());
    enc.spans = torch::full({B}, config_.time_span, tt.options());
  } else {
    enc.t0s = tt.select(1, 0);
    enc.spans = last - enc.t0s;
    enc.spans = torch::where(enc.spans > 0, enc.spans, torch::ones_like(enc.spans));
  }
  enc.keys = ((tt - enc.t0s.unsqueeze(1)) / enc.spans.unsqueeze(1)).to(values.scalar_type());
  enc.observation_counts = enc.lengths;
  run_encoders(values, mask, enc);
  return enc;
}

void PosteriorImpl::run_encoders(const torch::Tensor& values, const torch::Tensor& mask,
                                 Encoding& enc) {
  auto input = config_.encode_mask ? torch::cat({values * mask, mask}, -1) : values * mask;
  if (frame_encoder) input = frame_encoder->forward(input);
  enc.states = gru->forward(input);
  if (first_frames)
    enc.first = frame_encoder ? first_frames_from_features(input, mask)
                              : first_frames->forward(values, mask);
}

Marginal PosteriorImpl::marginal(const Encoding& enc, const torch::Tensor& t,
                                 bool time_derivative) {
  return with_sigma_floor(raw_marginal(enc, t, time_derivative), enc, t);
}

Marginal PosteriorImpl::raw_marginal(const Encoding& enc, const torch::Tensor& t,
                                     bool time_derivative) {
  Dual s;
  Dual ctx;
  if (enc.per_sequence()) {
    const auto dtype = t.scalar_type();
    auto t0 = enc.t0s.to(dtype).unsqueeze(1), inv_span = (1.0 / enc.spans).to(dtype).unsqueeze(1);
    s.value = (t - t0) * inv_span;  // [B, Q]
    if (time_derivative) s.tangent = inv_span.expand_as(s.value).contiguous();
    auto sharpness = config_.sharpness > 0
                         ? torch::full({enc.lengths.size(0)}, config_.sharpness, t.options())
                         : enc.observation_counts.to(dtype);
    ctx = time_attention(s, enc.keys, enc.lengths, enc.states, sharpness, last_weight());
    return marginal_from_context(enc, s, ctx);
  }
  s.value = (t - enc.t0) * (1.0 / enc.span);  // [B, Q]
  if (time_derivative) s.tangent = torch::full_like(s.value, 1.0 / enc.span);
  const double sharpness = config_.sharpness > 0 ? config_.sharpness : enc.observations;
  if (windows()) return marginal_from_windows(enc, s, sharpness);
  // The notebook's context h_last + attention, as one contraction over the GRU states.
  ctx = time_attention(s, enc.keys, enc.states, sharpness, last_weight());
  return marginal_from_context(enc, s, ctx);
}

Marginal PosteriorImpl::marginal_from_context(const Encoding& enc, const Dual& s, const Dual& ctx) {
  Dual in = dual_cat({ctx, Dual{s.value.unsqueeze(-1), s.has_tangent() ? s.tangent.unsqueeze(-1)
                                                                        : torch::Tensor()}},
                     -1);
  Marginal m = split_marginal(dual_mlp(*net, in), config_.latent);
  if (enc.first.mean.defined()) {
    // mu = mu_k + s dmu, so dmu/dt = s' dmu + s d(dmu)/dt (likewise log sigma).
    auto sv = s.value.unsqueeze(-1);
    if (s.has_tangent()) {
      auto st = s.tangent.unsqueeze(-1);
      m.dmu_dt = st * m.mu + sv * m.dmu_dt;
      m.dlog_sigma_dt = st * m.log_sigma + sv * m.dlog_sigma_dt;
    }
    m.mu = enc.first.mean.unsqueeze(1) + sv * m.mu;
    m.log_sigma = enc.first.log_std.unsqueeze(1) + sv * m.log_sigma;
  }
  return m;
}

}  // namespace sdebench
