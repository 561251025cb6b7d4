#pragma once
// Convolutional blocks for image observations (issue 18: video and grid datasets). Frames are
// stored flattened row-major, [..., size * size] (one grayscale channel), as the video and grid
// generators store them; any leading dimensions (batch, time) are carried through, so the
// encoder runs per frame and feeds a sequence encoder, and the decoder maps every latent state
// of a path to its frame.
//  - ConvFrameEncoder: size x size -> out features. Stride-2 4x4 convolutions halve the frame
//    down to 4 x 4 (channels, 2 channels, 4 channels, ... capped at 8x), then a linear layer.
//  - ConvFrameDecoder: in features -> size x size: a linear layer to a 4 x 4 map, then stride-2
//    4x4 transposed convolutions double it back; the output is per-pixel (a Gaussian mean or
//    Bernoulli logits, as the observation model reads it).
// size must be a power of two >= 8.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/nn/activation.h"

namespace sdebench {

// Channel counts of the downsampling stages for a frame size (checked: a power of two >= 8).
std::vector<std::int64_t> conv_frame_channels(std::int64_t size, std::int64_t channels);

// The side of the square frames a dataset with `data_dims` values per time holds (data_dims =
// side^2, side a power of two >= 8); otherwise an error that names `who` and the data's size.
std::int64_t frame_side(std::int64_t data_dims, const std::string& who);

class ConvFrameEncoderImpl : public torch::nn::Module {
 public:
  ConvFrameEncoderImpl(std::int64_t size, std::int64_t channels, std::int64_t out,
                       Activation act = Activation::ReLU);
  torch::Tensor forward(const torch::Tensor& frames);  // [..., size * size] -> [..., out]

 private:
  std::int64_t size_;
  Activation act_;
  std::vector<torch::nn::Conv2d> convs_;
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(ConvFrameEncoder);

class ConvFrameDecoderImpl : public torch::nn::Module {
 public:
  ConvFrameDecoderImpl(std::int64_t in, std::int64_t size, std::int64_t channels,
                       Activation act = Activation::ReLU);
  torch::Tensor forward(const torch::Tensor& z);  // [..., in] -> [..., size * size]

 private:
  std::int64_t size_, first_channels_;
  Activation act_;
  torch::nn::Linear stem_{nullptr};
  std::vector<torch::nn::ConvTranspose2d> deconvs_;
};
TORCH_MODULE(ConvFrameDecoder);

}  // namespace sdebench

namespace sdebench {
class Schema;
class Options;
// A sequence encoder's per-frame convolutional front end (encoder = "conv" in the methods):
// each frame goes through a ConvFrameEncoder to `features` values, and the sequence encoder
// (a GRU) reads those instead of the raw pixels.
struct FrameEncoderConfig {
  std::int64_t channels = 16;  // channels of the first downsampling stage
  std::int64_t features = 64;  // values per frame handed to the sequence encoder
};
// The option keys encoder_channels and frame_features, shared by the methods that offer it.
Schema& add_frame_encoder_options(Schema& schema, const FrameEncoderConfig& def);
FrameEncoderConfig frame_encoder_options(const Options& options);
}  // namespace sdebench
