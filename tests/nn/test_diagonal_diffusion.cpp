// core/nn/diagonal_diffusion: forward_with_derivative's dg_i/dz_i (it feeds Milstein and SDE
// Matching's posterior drift) against autograd of forward(), for every activation.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "core/nn/diagonal_diffusion.h"

using namespace sdebench;

TEST_CASE("DiagonalDiffusion's derivative equals autograd's dg_i/dz_i, for every activation",
          "[diffusion_net]") {
  for (const auto& name : activation_names()) {
    INFO(name);
    torch::manual_seed(11);
    DiagonalDiffusion net(3, 8, parse_activation(name));
    net->to(torch::kFloat64);
    auto z = (2 * torch::randn({5, 3}, torch::kFloat64)).requires_grad_(true);
    auto [g, dg] = net->forward_with_derivative(z);
    CHECK(torch::allclose(g, net->forward(z), 1e-12, 1e-14));
    // g_i depends on z_i only: the gradient of sum_b g[b, i] w.r.t. z is dg_i/dz_i in column i.
    for (std::int64_t i = 0; i < 3; ++i) {
      auto grad = torch::autograd::grad({net->forward(z).select(1, i).sum()}, {z})[0];
      CHECK(torch::allclose(dg.select(1, i), grad.select(1, i), 1e-10, 1e-12));
      for (std::int64_t j = 0; j < 3; ++j)
        if (j != i) CHECK(grad.select(1, j).abs().max().item<double>() == 0.0);
    }
  }
}
