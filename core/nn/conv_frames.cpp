#include "core/nn/conv_frames.h"

#include <stdexcept>
#include <string>

namespace sdebench {

std::vector<std::int64_t> conv_frame_channels(std::int64_t size, std::int64_t channels) {
  if (size < 8 || (size & (size - 1)) != 0)
    throw std::invalid_argument("conv frames: the frame size must be a power of two >= 8, got " +
                                std::to_string(size));
  if (channels < 1)
    throw std::invalid_argument("conv frames: channels must be >= 1, got " + std::to_string(channels));
  std::vector<std::int64_t> out;
  std::int64_t c = channels;
  for (std::int64_t s = size; s > 4; s /= 2) {
    out.push_back(c);
    c = std::min(2 * c, 8 * channels);
  }
  return out;
}

std::int64_t frame_side(std::int64_t data_dims, const std::string& who) {
  std::int64_t side = 1;
  while (side * side < data_dims) ++side;
  if (side * side != data_dims || side < 8 || (side & (side - 1)) != 0)
    throw std::invalid_argument(who + " needs square frames of side 8, 16, 32, 64, ... (data "
                                "dimension side^2), but the data has " +
                                std::to_string(data_dims) + " values per time");
  return side;
}

namespace {

// [..., size * size] -> [N, 1, size, size], and the leading shape to restore.
std::pair<torch::Tensor, std::vector<std::int64_t>> as_images(const torch::Tensor& frames,
                                                              std::int64_t size) {
  if (frames.dim() < 1 || frames.size(-1) != size * size)
    throw std::invalid_argument("conv frames: expected [..., " + std::to_string(size * size) +
                                "] (frames of " + std::to_string(size) + " x " +
                                std::to_string(size) + "), got last dimension " +
                                std::to_string(frames.dim() ? frames.size(-1) : 0));
  auto lead = frames.sizes().vec();
  lead.pop_back();
  return {frames.reshape({-1, 1, size, size}), lead};
}

}  // namespace

ConvFrameEncoderImpl::ConvFrameEncoderImpl(std::int64_t size, std::int64_t channels,
                                           std::int64_t out, Activation act)
    : size_(size), act_(act) {
  std::int64_t in = 1;
  const auto stages = conv_frame_channels(size, channels);
  for (std::size_t i = 0; i < stages.size(); ++i) {
    convs_.push_back(register_module(
        "conv" + std::to_string(i),
        torch::nn::Conv2d(torch::nn::Conv2dOptions(in, stages[i], 4).stride(2).padding(1))));
    in = stages[i];
  }
  head_ = register_module("head", torch::nn::Linear(in * 16, out));
}

torch::Tensor ConvFrameEncoderImpl::forward(const torch::Tensor& frames) {
  auto [x, lead] = as_images(frames, size_);
  for (auto& conv : convs_) x = activate(conv->forward(x), act_);
  auto y = head_->forward(x.flatten(1));
  lead.push_back(y.size(-1));
  return y.reshape(lead);
}

ConvFrameDecoderImpl::ConvFrameDecoderImpl(std::int64_t in, std::int64_t size,
                                           std::int64_t channels, Activation act)
    : size_(size), act_(act) {
  auto stages = conv_frame_channels(size, channels);  // encoder order: widest last
  first_channels_ = stages.back();
  stem_ = register_module("stem", torch::nn::Linear(in, first_channels_ * 16));
  for (std::size_t i = stages.size(); i-- > 0;) {
    const std::int64_t out = i == 0 ? 1 : stages[i - 1];
    deconvs_.push_back(register_module(
        "deconv" + std::to_string(deconvs_.size()),
        torch::nn::ConvTranspose2d(
            torch::nn::ConvTranspose2dOptions(stages[i], out, 4).stride(2).padding(1))));
  }
}

torch::Tensor ConvFrameDecoderImpl::forward(const torch::Tensor& z) {
  auto lead = z.sizes().vec();
  lead.pop_back();
  auto x = activate(stem_->forward(z.reshape({-1, z.size(-1)})), act_).view({-1, first_channels_, 4, 4});
  for (std::size_t i = 0; i < deconvs_.size(); ++i) {
    x = deconvs_[i]->forward(x);
    if (i + 1 < deconvs_.size()) x = activate(x, act_);  // the last layer is the output
  }
  lead.push_back(size_ * size_);
  return x.reshape(lead);
}

}  // namespace sdebench

#include "core/options.h"

namespace sdebench {

Schema& add_frame_encoder_options(Schema& s, const FrameEncoderConfig& def) {
  return s
      .add_int("encoder_channels", def.channels,
               "encoder 'conv': channels of the per-frame convolutional encoder's first stage", 1)
      .add_int("frame_features", def.features,
               "encoder 'conv': values per frame the convolutional encoder hands to the GRU", 1);
}

FrameEncoderConfig frame_encoder_options(const Options& o) {
  return {o.get_int("encoder_channels"), o.get_int("frame_features")};
}

}  // namespace sdebench
