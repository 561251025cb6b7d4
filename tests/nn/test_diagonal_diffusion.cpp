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

TEST_CASE("DiagonalDiffusion's max_value scales g and dg_i/dz_i; finite differences agree",
          "[diffusion_net]") {
  const double max_value = 0.2;
  torch::manual_seed(5);
  DiagonalDiffusion unit(3, 8, Activation::Softplus);
  torch::manual_seed(5);  // the same initial weights: max_value does not touch them
  DiagonalDiffusion scaled(3, 8, Activation::Softplus, max_value);
  unit->to(torch::kFloat64);
  scaled->to(torch::kFloat64);
  CHECK(scaled->max_value() == max_value);
  auto z = 2 * torch::randn({5, 3}, torch::kFloat64);
  auto [g, dg] = scaled->forward_with_derivative(z);
  auto [g1, dg1] = unit->forward_with_derivative(z);
  CHECK(torch::allclose(g, max_value * g1, 1e-14, 1e-15));
  CHECK(torch::allclose(dg, max_value * dg1, 1e-14, 1e-15));
  CHECK(g.max().item<double>() < max_value);
  CHECK(g.min().item<double>() > 0);
  // Central differences of forward(): g_i depends on z_i only, so shifting every entry at
  // once gives each column's own derivative.
  const double h = 1e-5;
  auto fd = (scaled->forward(z + h) - scaled->forward(z - h)) / (2 * h);
  CHECK(torch::allclose(dg, fd, 1e-7, 1e-9));
  CHECK_THROWS(DiagonalDiffusion(3, 8, Activation::Softplus, 0.0));
}
