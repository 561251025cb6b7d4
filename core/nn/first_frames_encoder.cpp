#include "core/nn/first_frames_encoder.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace sdebench {

FirstFramesEncoderImpl::FirstFramesEncoderImpl(const FirstFramesEncoderConfig& config)
    : config_(config) {
  if (config.frames < 1) throw std::invalid_argument("first-frames encoder: frames must be >= 1");
  net = register_module(
      "net", MLP(config.frames * config.data_dims,
                 std::vector<std::int64_t>(static_cast<std::size_t>(config.layers), config.hidden),
                 2 * config.latent + config.context, config.activation));
}

FirstFramesCode FirstFramesEncoderImpl::forward(const torch::Tensor& values,
                                                const torch::Tensor& mask) {
  const auto k = config_.frames, d = config_.latent;
  if (values.dim() != 3 || values.size(1) < k)
    throw std::invalid_argument("first-frames encoder: needs [B, T, D] with at least " +
                                std::to_string(k) + " frames");
  auto x = (values.narrow(1, 0, k) * mask.narrow(1, 0, k)).reshape({values.size(0), -1});
  auto out = net->forward(x);
  return {out.narrow(1, 0, d), out.narrow(1, d, d), out.narrow(1, 2 * d, config_.context)};
}

FirstFramesCode FirstFramesEncoderImpl::forward_windows(const torch::Tensor& values,
                                                        const torch::Tensor& mask) {
  const auto k = config_.frames;
  if (values.dim() != 3 || values.size(1) < k)
    throw std::invalid_argument("first-frames encoder: needs [B, T, D] with at least " +
                                std::to_string(k) + " frames");
  const auto B = values.size(0), W = values.size(1) - k + 1, F = values.size(2);
  // [B, T, F] -> every window of k frames as a batch row: [B W, k, F].
  auto windows = [&](const torch::Tensor& x) {
    return x.unfold(1, k, 1).permute({0, 1, 3, 2}).reshape({B * W, k, F});
  };
  auto code = forward(windows(values), windows(mask));
  auto per_window = [&](const torch::Tensor& x) { return x.reshape({B, W, -1}); };
  return {per_window(code.mean), per_window(code.log_std), per_window(code.context)};
}

}  // namespace sdebench
