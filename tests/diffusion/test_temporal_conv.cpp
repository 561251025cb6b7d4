// TemporalConv (unfold + matmul) against LibTorch's own conv1d with the same weights.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "methods/diffusion/temporal_conv.h"

using namespace sdebench;

TEST_CASE("TemporalConv equals conv1d with same padding", "[diffusion]") {
  torch::manual_seed(21);
  for (std::int64_t k : {1, 3, 5}) {
    TemporalConv conv(3, 7, k);
    conv->to(torch::kFloat64);
    auto x = torch::randn({4, 9, 3}, torch::kFloat64);  // [B, T, C]
    auto reference = torch::nn::functional::conv1d(
                         x.transpose(1, 2), conv->weight,
                         torch::nn::functional::Conv1dFuncOptions().bias(conv->bias).padding(k / 2))
                         .transpose(1, 2);
    CAPTURE(k);
    CHECK(torch::allclose(conv->forward(x), reference, 1e-12, 1e-12));
  }
  // Short windows (T < kernel) still work: the padding covers them.
  TemporalConv conv(2, 2, 5);
  conv->to(torch::kFloat64);
  auto x = torch::randn({1, 2, 2}, torch::kFloat64);
  auto reference = torch::nn::functional::conv1d(
                       x.transpose(1, 2), conv->weight,
                       torch::nn::functional::Conv1dFuncOptions().bias(conv->bias).padding(2))
                       .transpose(1, 2);
  CHECK(torch::allclose(conv->forward(x), reference, 1e-12, 1e-12));
}
