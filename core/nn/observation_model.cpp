#include "core/nn/observation_model.h"

#include <cmath>
#include <stdexcept>

namespace sdebench {

namespace {
constexpr double kLogStdBound = 9.0;
}

std::vector<std::string> observation_kinds() { return {"linear", "mlp", "conv"}; }
std::vector<std::string> observation_likelihoods() { return {"gaussian", "bernoulli"}; }

ObservationConfig with_sizes(ObservationConfig config, std::int64_t latent, std::int64_t data_dims) {
  config.latent = latent;
  config.data_dims = data_dims;
  return config;
}

ObservationModelImpl::ObservationModelImpl(const ObservationConfig& config) : config_(config) {
  if (config.kind != "linear" && config.kind != "mlp" && config.kind != "conv")
    throw std::invalid_argument("decoder must be 'linear', 'mlp' or 'conv', got '" + config.kind + "'");
  const bool bernoulli = config.likelihood == "bernoulli";
  if (!bernoulli && config.likelihood != "gaussian")
    throw std::invalid_argument("likelihood must be 'gaussian' or 'bernoulli', got '" +
                                config.likelihood + "'");
  if (config.learn_std && bernoulli)
    throw std::invalid_argument("learn_noise_std: a Bernoulli likelihood has no std to learn");
  if (config.learn_std && config.kind == "conv")
    throw std::invalid_argument(
        "learn_noise_std is not available with decoder 'conv': use a fixed noise_std or "
        "likelihood 'bernoulli'");
  if (!bernoulli && !config.learn_std && !(config.noise_std > 0))
    throw std::invalid_argument("a fixed observation std must be > 0");
  if (config.kind == "conv") {
    frames = register_module(
        "frames", ConvFrameDecoder(config.latent, frame_side(config.data_dims, "decoder 'conv'"),
                                   config.channels));
    return;
  }
  std::vector<std::int64_t> hidden;
  if (config.kind == "mlp") hidden.assign(static_cast<std::size_t>(config.layers), config.hidden);
  const auto out = config.learn_std ? 2 * config.data_dims : config.data_dims;
  net = register_module("net", MLP(config.latent, hidden, out, config.activation));
}

torch::Tensor ObservationModelImpl::outputs(const torch::Tensor& z) {
  return frames ? frames->forward(z) : net->forward(z);
}

torch::Tensor ObservationModelImpl::mean(const torch::Tensor& z) {
  auto out = outputs(z);
  if (config_.likelihood == "bernoulli") return torch::sigmoid(out);
  return config_.learn_std ? out.narrow(-1, 0, config_.data_dims) : out;
}

torch::Tensor ObservationModelImpl::neg_log_likelihood(const torch::Tensor& x,
                                                       const torch::Tensor& mask,
                                                       const torch::Tensor& z) {
  const double half_log_2pi = 0.5 * std::log(2 * M_PI);
  auto out = outputs(z);
  if (config_.likelihood == "bernoulli")  // -log Bernoulli(x; sigmoid(l)) = softplus(l) - x l
    return ((torch::nn::functional::softplus(out) - x * out) * mask).sum(-1);
  if (!config_.learn_std) {
    const double s = config_.noise_std;
    auto r = (x - out) * (1.0 / s);
    return ((0.5 * r.square() + (std::log(s) + half_log_2pi)) * mask).sum(-1);
  }
  auto mu = out.narrow(-1, 0, config_.data_dims);
  auto log_std = out.narrow(-1, config_.data_dims, config_.data_dims).clamp(-kLogStdBound, kLogStdBound);
  auto r = (x - mu) * torch::exp(-log_std);
  return ((0.5 * r.square() + log_std + half_log_2pi) * mask).sum(-1);
}

}  // namespace sdebench

#include "core/options.h"

namespace sdebench {

Schema& add_observation_options(Schema& s, const ObservationConfig& def) {
  return s
      .add_string("decoder", def.kind,
                  "observation decoder: 'linear' (W z + b), 'mlp' (decoder_layers hidden "
                  "layers of width decoder_hidden) or 'conv' (transposed convolutions to a "
                  "square frame: video and grid data)",
                  observation_kinds())
      .add_int("decoder_hidden", def.hidden, "hidden width of the mlp decoder", 1)
      .add_int("decoder_layers", def.layers, "hidden layers of the mlp decoder", 1)
      .add_int("decoder_channels", def.channels,
               "conv decoder: channels of its first upsampling stage", 1)
      .add_string("likelihood", def.likelihood,
                  "observation likelihood: 'gaussian' (std noise_std or learned) or 'bernoulli' "
                  "(decoder outputs are logits; data in [0, 1], e.g. pixel intensities)",
                  observation_likelihoods())
      .add_bool("learn_noise_std", def.learn_std,
                "learn a per-dimension observation log std as a second decoder output "
                "(clamped to [-9, 9]) instead of the fixed noise_std")
      .add_float("noise_std", def.noise_std,
                 "fixed std of the Gaussian observation model (when learn_noise_std is false)",
                 1e-12);
}

ObservationConfig observation_options(const Options& o, Activation activation) {
  ObservationConfig c;
  c.kind = o.get_string("decoder");
  c.hidden = o.get_int("decoder_hidden");
  c.layers = o.get_int("decoder_layers");
  c.learn_std = o.get_bool("learn_noise_std");
  c.noise_std = o.get_float("noise_std");
  c.likelihood = o.get_string("likelihood");
  c.channels = o.get_int("decoder_channels");
  c.activation = activation;
  return c;
}

}  // namespace sdebench
