#include "core/nn/observation_model.h"

#include <cmath>
#include <stdexcept>

namespace sdebench {

namespace {
constexpr double kLogStdBound = 9.0;
}

std::vector<std::string> observation_kinds() { return {"linear", "mlp"}; }

ObservationConfig with_sizes(ObservationConfig config, std::int64_t latent, std::int64_t data_dims) {
  config.latent = latent;
  config.data_dims = data_dims;
  return config;
}

ObservationModelImpl::ObservationModelImpl(const ObservationConfig& config) : config_(config) {
  if (config.kind != "linear" && config.kind != "mlp")
    throw std::invalid_argument("decoder must be 'linear' or 'mlp', got '" + config.kind + "'");
  if (!config.learn_std && !(config.noise_std > 0))
    throw std::invalid_argument("a fixed observation std must be > 0");
  std::vector<std::int64_t> hidden;
  if (config.kind == "mlp") hidden.assign(static_cast<std::size_t>(config.layers), config.hidden);
  const auto out = config.learn_std ? 2 * config.data_dims : config.data_dims;
  net = register_module("net", MLP(config.latent, hidden, out, config.activation));
}

torch::Tensor ObservationModelImpl::mean(const torch::Tensor& z) {
  auto out = net->forward(z);
  return config_.learn_std ? out.narrow(-1, 0, config_.data_dims) : out;
}

torch::Tensor ObservationModelImpl::neg_log_likelihood(const torch::Tensor& x,
                                                       const torch::Tensor& mask,
                                                       const torch::Tensor& z) {
  const double half_log_2pi = 0.5 * std::log(2 * M_PI);
  auto out = net->forward(z);
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
                  "observation decoder: 'linear' (W z + b) or 'mlp' (decoder_layers hidden "
                  "layers of width decoder_hidden)",
                  observation_kinds())
      .add_int("decoder_hidden", def.hidden, "hidden width of the mlp decoder", 1)
      .add_int("decoder_layers", def.layers, "hidden layers of the mlp decoder", 1)
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
  c.activation = activation;
  return c;
}

}  // namespace sdebench
