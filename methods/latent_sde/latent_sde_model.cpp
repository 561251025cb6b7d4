#include "methods/latent_sde/latent_sde_model.h"

#include <cmath>
#include <stdexcept>

#include "core/nn/fast_layers.h"
#include "core/nn/gaussian_kl.h"
#include "core/own_times.h"

namespace sdebench {

std::vector<std::string> latent_encoder_kinds() { return {"gru", "conv", "mlp_first_k", "mlp_windows"}; }

LatentSdeModelImpl::LatentSdeModelImpl(const LatentSdeConfig& config) : config_(config) {
  const auto d = config.latent, C = config.context, H = config.hidden;
  if (config.encoder == "gru" || config.encoder == "conv") {
    auto input = config.data_dims;
    if (config.encoder == "conv") {
      frame_encoder = register_module(
          "frame_encoder",
          ConvFrameEncoder(frame_side(config.data_dims, "latent_sde: encoder 'conv'"),
                           config.frame_encoder.channels, config.frame_encoder.features));
      input = config.frame_encoder.features;
    }
    gru = register_module("gru", FastGRU(input, H));
    context_out = register_module("context_out", torch::nn::Linear(H, C));
    qz0_net = register_module("qz0_net", torch::nn::Linear(C, 2 * d));
  } else if (config.first_frames_encoder()) {
    first_frames = register_module(
        "first_frames", FirstFramesEncoder(FirstFramesEncoderConfig{
                            config.data_dims, config.encoder_frames, d, C, H,
                            config.encoder_layers, config.activation}));
  } else {
    throw std::invalid_argument("latent_sde: encoder must be 'gru', 'conv', 'mlp_first_k' or 'mlp_windows', got '" +
                                config.encoder + "'");
  }
  const std::vector<std::int64_t> hidden(static_cast<std::size_t>(config.drift_layers), H);
  posterior_net = register_module("posterior_net", MLP(d + C, hidden, d, config.activation));
  const std::vector<std::int64_t> prior_hidden(static_cast<std::size_t>(config.prior_layers),
                                               config.prior_width);
  prior_net = register_module(
      "prior_net", MLP(d + (config.prior_time_input ? 1 : 0), prior_hidden, d, config.activation));
  diffusion = register_module("diffusion",
                              DiagonalDiffusion(d, config.diffusion_width, config.activation,
                                                config.diffusion_max));
  observation = register_module(
      "observation", ObservationModel(with_sizes(config.observation, d, config.data_dims)));
  pz0_mean = register_parameter("pz0_mean", torch::zeros({d}));
  pz0_log_std = register_parameter("pz0_log_std", torch::zeros({d}));
}

LatentCode LatentSdeModelImpl::encode(const torch::Tensor& values, const torch::Tensor& mask,
                                      const torch::Tensor& lengths) {
  if (first_frames && config_.encoder == "mlp_first_k") {
    auto code = first_frames->forward(values, mask);
    return {code.mean, code.log_std,
            code.context.unsqueeze(1).expand({values.size(0), values.size(1), config_.context})};
  }
  if (first_frames) {  // "mlp_windows": q(z_0) from window 0, a context per observation
    const auto k = config_.encoder_frames;
    auto code = first_frames->forward_windows(values, mask);  // [B, W, .], W = T - k + 1
    // Observation j reads the window ending at it (frames j-k+1 .. j), so the drift that moves
    // the path towards x_j sees x_j; the first k-1 observations read window 0.
    auto first = code.context.narrow(1, 0, 1).expand({values.size(0), k - 1, config_.context});
    return {code.mean.select(1, 0), code.log_std.select(1, 0),
            torch::cat({first, code.context}, 1)};
  }
  auto input = frame_encoder ? frame_encoder->forward(values) : values;
  auto reverse = [&](const torch::Tensor& x) {
    return lengths.defined() ? reverse_within_lengths(x, lengths) : x.flip({1});
  };
  auto hidden = gru->forward(reverse(input));  // [B, T, H], step k has seen x_{T-1} .. x_{T-1-k}
  // [B T, H] x [H, C]: at batch 1024 and 100 observations as many multiply-adds as ~12 solver
  // steps, so it is split over both cores like the drift layers.
  auto ctx = parallel_linear(hidden.reshape({-1, hidden.size(2)}), context_out->weight,
                             context_out->bias);
  ctx = reverse(ctx.view({hidden.size(0), hidden.size(1), -1}));
  auto q = qz0_net->forward(ctx.select(1, 0)).chunk(2, -1);
  return {q[0], q[1], ctx};
}

torch::Tensor LatentSdeModelImpl::context_projection(const torch::Tensor& ctx) {
  const auto& first = posterior_net->layers().front();
  auto w_ctx = first->weight.narrow(1, config_.latent, config_.context);  // [H, C]
  auto proj = parallel_linear(ctx.reshape({-1, config_.context}), w_ctx, first->bias);
  return proj.view({ctx.size(0), ctx.size(1), -1}).transpose(0, 1).contiguous();
}

torch::Tensor LatentSdeModelImpl::posterior_drift(const torch::Tensor& z,
                                                  const torch::Tensor& piece) {
  const auto& layers = posterior_net->layers();
  auto w_z = layers.front()->weight.narrow(1, 0, config_.latent);  // [H, d]
  auto h = hidden_activation(torch::addmm(piece, z, w_z.t()));
  for (std::size_t i = 1; i < layers.size(); ++i) {
    h = parallel_linear(h, layers[i]->weight, layers[i]->bias);
    if (i + 1 < layers.size()) h = hidden_activation(h);
  }
  return h;
}

torch::Tensor LatentSdeModelImpl::prior_drift(double t, const torch::Tensor& z) {
  torch::Tensor h = z;
  if (config_.prior_time_input) h = torch::cat({torch::full({z.size(0), 1}, t, z.options()), z}, 1);
  const auto& layers = prior_net->layers();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    h = parallel_linear(h, layers[i]->weight, layers[i]->bias);
    if (i + 1 < layers.size()) h = hidden_activation(h);
  }
  return h;
}

torch::Tensor LatentSdeModelImpl::hidden_activation(const torch::Tensor& x) const {
  return config_.activation == Activation::Softplus ? softplus_saving_output(x)
                                                    : activate(x, config_.activation);
}

torch::Tensor LatentSdeModelImpl::diffusion_forward(const torch::Tensor& z) {
  if (config_.activation != Activation::Softplus) return diffusion->forward(z);
  auto g = diagonal_diffusion_recompute(z, diffusion->w1, diffusion->b1, diffusion->w2,
                                        diffusion->b2);
  const double max_value = diffusion->max_value();
  return max_value == 1.0 ? g : g * max_value;  // no extra op per solver step by default
}

torch::Tensor LatentSdeModelImpl::decode(const torch::Tensor& z) { return observation->mean(z); }

torch::Tensor LatentSdeModelImpl::neg_log_likelihood(const torch::Tensor& x,
                                                     const torch::Tensor& mask,
                                                     const torch::Tensor& z) {
  return observation->neg_log_likelihood(x, mask, z);
}

torch::Tensor LatentSdeModelImpl::kl_initial(const torch::Tensor& mean,
                                             const torch::Tensor& log_std) {
  return diagonal_gaussian_kl(mean, log_std, pz0_mean, pz0_log_std);
}

torch::Tensor LatentSdeModelImpl::sample_initial(std::int64_t n) {
  auto eps = torch::randn({n, config_.latent}, pz0_mean.options());
  return pz0_mean + torch::exp(pz0_log_std) * eps;
}

}  // namespace sdebench
