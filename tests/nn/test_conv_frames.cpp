// core/nn/conv_frames: shapes for every frame size, per-frame application over leading
// dimensions, gradients against central finite differences (float64), and clear errors.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "core/nn/conv_frames.h"

using namespace sdebench;

TEST_CASE("conv frame blocks map frames and latents with any leading dimensions", "[conv_frames]") {
  torch::manual_seed(0);
  for (std::int64_t size : {16, 32, 64}) {
    ConvFrameEncoder encoder(size, 4, 10);
    ConvFrameDecoder decoder(6, size, 4);
    auto frames = torch::rand({3, 5, size * size});
    auto features = encoder->forward(frames);
    REQUIRE(features.sizes() == torch::IntArrayRef({3, 5, 10}));
    // Per frame: the same as encoding one frame at a time.
    REQUIRE(torch::allclose(features[1][2], encoder->forward(frames[1][2].unsqueeze(0))[0], 1e-5, 1e-6));
    auto z = torch::randn({7, 2, 6});
    auto images = decoder->forward(z);
    REQUIRE(images.sizes() == torch::IntArrayRef({7, 2, size * size}));
    REQUIRE(torch::allclose(images[4][1], decoder->forward(z[4][1].unsqueeze(0))[0], 1e-5, 1e-6));
  }
  REQUIRE(conv_frame_channels(64, 8) == std::vector<std::int64_t>({8, 16, 32, 64}));
}

TEST_CASE("conv frame blocks' gradients match central finite differences", "[conv_frames]") {
  torch::manual_seed(1);
  ConvFrameEncoder encoder(8, 2, 3);
  ConvFrameDecoder decoder(3, 8, 2);
  encoder->to(torch::kFloat64);
  decoder->to(torch::kFloat64);
  auto frames = torch::rand({2, 64}, torch::kFloat64).requires_grad_(true);
  // A scalar through both blocks (a +-1e-6 step crosses a ReLU kink with negligible chance).
  auto loss_of = [&](const torch::Tensor& x) {
    return decoder->forward(encoder->forward(x)).sin().sum();
  };
  auto loss = loss_of(frames);
  loss.backward();
  auto grad = frames.grad().clone();
  const auto& weight = encoder->named_parameters()["conv0.weight"];
  auto weight_grad = weight.grad().clone();
  torch::NoGradGuard no_grad;
  // Central difference of the loss in entry k of `x` (a leaf changed in place, then restored).
  auto central_difference = [&](const torch::Tensor& x, std::int64_t k) {
    const double eps = 1e-6;
    auto flat = x.view({-1});
    const double keep = flat[k].item<double>();
    flat[k] = keep + eps;
    const double up = loss_of(frames).item<double>();
    flat[k] = keep - eps;
    const double down = loss_of(frames).item<double>();
    flat[k] = keep;
    return (up - down) / (2 * eps);
  };
  for (std::int64_t k : {0, 17, 63, 100, 127})
    REQUIRE(grad.view({-1})[k].item<double>() == Approx(central_difference(frames, k)).margin(1e-6));
  for (std::int64_t k : {0, 5, 31})
    REQUIRE(weight_grad.view({-1})[k].item<double>() == Approx(central_difference(weight, k)).margin(1e-6));
}

TEST_CASE("conv frame blocks reject bad sizes and shapes by name", "[conv_frames]") {
  REQUIRE_THROWS_WITH(ConvFrameEncoder(24, 4, 3), Catch::Contains("power of two >= 8, got 24"));
  ConvFrameEncoder encoder(16, 2, 3);
  REQUIRE_THROWS_WITH(encoder->forward(torch::rand({2, 100})), Catch::Contains("frames of 16 x 16"));
}
