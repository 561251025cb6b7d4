#include "methods/diffusion/score_net.h"

#include <cmath>
#include <stdexcept>

namespace sdebench {

torch::Tensor sinusoidal_embedding(const torch::Tensor& t, std::int64_t size) {
  const auto half = size / 2;
  auto freqs = torch::exp(torch::linspace(0.0, std::log(1000.0), half, t.options()));
  auto angles = t.unsqueeze(-1) * freqs;  // [B, half]
  return torch::cat({torch::sin(angles), torch::cos(angles)}, -1);
}

ScoreNetImpl::ScoreNetImpl(const ScoreNetConfig& config) : config_(config) {
  if (config.times < 1 || config.dims < 1)
    throw std::invalid_argument("diffusion: window shape must be positive, got T = " +
                                std::to_string(config.times) + ", D = " +
                                std::to_string(config.dims));
  if (config.embedding_size < 2 || config.embedding_size % 2 != 0)
    throw std::invalid_argument("diffusion: embedding_size must be even and >= 2, got " +
                                std::to_string(config.embedding_size));
  const auto H = config.hidden;
  if (config.architecture == "mlp") {
    const auto n = config.times * config.dims;
    const auto inputs = (config.conditional ? 2 * n : n) + config.embedding_size;
    mlp_ = register_module("mlp", MLP(inputs,
                                      std::vector<std::int64_t>(config.layers, H), n,
                                      config.activation));
  } else if (config.architecture == "conv") {
    if (config.kernel_size < 1 || config.kernel_size % 2 == 0)
      throw std::invalid_argument("diffusion: kernel_size must be odd, got " +
                                  std::to_string(config.kernel_size));
    auto conv = [&](std::int64_t in, std::int64_t out) {
      return TemporalConv(in, out, config.kernel_size);
    };
    embed_ = register_module("embed", torch::nn::Linear(config.embedding_size, H));
    conv_in_ = register_module("conv_in", conv(config.conditional ? 2 * config.dims : config.dims, H));
    for (std::int64_t i = 0; i < config.layers; ++i) {
      const auto k = std::to_string(i);
      block_a_.push_back(register_module("block" + k + "_a", conv(H, H)));
      block_b_.push_back(register_module("block" + k + "_b", conv(H, H)));
      block_emb_.push_back(register_module("block" + k + "_emb", torch::nn::Linear(H, H)));
    }
    conv_out_ = register_module("conv_out", conv(H, config.dims));
  } else {
    throw std::invalid_argument("diffusion: unknown network '" + config.architecture +
                                "' (known: conv, mlp)");
  }
}

torch::Tensor ScoreNetImpl::forward(const torch::Tensor& x, const torch::Tensor& t,
                                    const torch::Tensor& known) {
  auto emb = sinusoidal_embedding(t, config_.embedding_size);
  torch::Tensor input = x;  // [B, T, D], or [B, T, 2D] with the mask as extra channels
  if (config_.conditional)
    input = torch::cat({x, known.defined() ? known : torch::zeros_like(x)}, -1);
  return config_.architecture == "mlp" ? forward_mlp(input, emb) : forward_conv(input, emb);
}

torch::Tensor ScoreNetImpl::forward_mlp(const torch::Tensor& x, const torch::Tensor& emb) {
  const auto B = x.size(0);
  auto out = mlp_->forward(torch::cat({x.reshape({B, -1}), emb}, -1));
  return out.reshape({B, config_.times, config_.dims});
}

torch::Tensor ScoreNetImpl::forward_conv(const torch::Tensor& x, const torch::Tensor& emb) {
  const auto act = config_.activation;
  auto e = activate(embed_->forward(emb), act);      // [B, H]
  auto h = conv_in_->forward(x);                     // [B, T, H]
  for (std::size_t i = 0; i < block_a_.size(); ++i) {
    auto r = block_a_[i]->forward(activate(h, act));
    r = r + block_emb_[i]->forward(e).unsqueeze(1);   // noise level shifts every channel
    r = block_b_[i]->forward(activate(r, act));
    h = h + r;
  }
  return conv_out_->forward(activate(h, act));       // [B, T, D]
}

}  // namespace sdebench
