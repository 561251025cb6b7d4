// The memory-lean autograd functions equal their plain LibTorch counterparts, values and
// gradients (float64), so the speed-up changes nothing numerically.
#include <catch2/catch.hpp>
#include <torch/torch.h>
#include <ATen/Parallel.h>

#include "core/nn/diagonal_diffusion.h"
#include "methods/latent_sde/fast_layers.h"

using namespace sdebench;

TEST_CASE("softplus_saving_output matches softplus and its gradient", "[fast_layers]") {
  torch::manual_seed(3);
  auto x = (torch::randn({7, 5}, torch::kFloat64) * 6).requires_grad_(true);
  auto w = torch::randn({7, 5}, torch::kFloat64);
  auto y_fast = softplus_saving_output(x);
  auto g_fast = torch::autograd::grad({(y_fast * w).sum()}, {x})[0];
  auto y_ref = torch::softplus(x);
  auto g_ref = torch::autograd::grad({(y_ref * w).sum()}, {x})[0];
  CHECK(torch::allclose(y_fast, y_ref, 1e-14, 1e-14));
  CHECK(torch::allclose(g_fast, g_ref, 1e-12, 1e-14));
}

TEST_CASE("diagonal_diffusion_recompute matches DiagonalDiffusion, values and all gradients",
          "[fast_layers]") {
  torch::manual_seed(4);
  DiagonalDiffusion net(3, 6, Activation::Softplus);
  net->to(torch::kFloat64);
  auto z = torch::randn({5, 3}, torch::kFloat64).requires_grad_(true);
  auto w = torch::randn({5, 3}, torch::kFloat64);
  std::vector<torch::Tensor> inputs{z, net->w1, net->b1, net->w2, net->b2};
  auto g_fast = diagonal_diffusion_recompute(z, net->w1, net->b1, net->w2, net->b2);
  auto grads_fast = torch::autograd::grad({(g_fast * w).sum()}, inputs);
  auto g_ref = net->forward(z);
  auto grads_ref = torch::autograd::grad({(g_ref * w).sum()}, inputs);
  CHECK(torch::allclose(g_fast, g_ref, 1e-13, 1e-14));
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    INFO("input " << i);
    CHECK(torch::allclose(grads_fast[i], grads_ref[i], 1e-11, 1e-13));
  }
}

TEST_CASE("parallel_linear matches torch::nn::Linear, split or not", "[fast_layers]") {
  const int threads = at::get_num_threads();
  for (int n_threads : {1, 2}) {
    at::set_num_threads(n_threads);
    for (std::int64_t batch : {7, 600}) {  // 600 rows: split in two blocks
      torch::manual_seed(5);
      torch::nn::Linear lin(96, 80);
      lin->to(torch::kFloat64);
      auto x = torch::randn({batch, 96}, torch::kFloat64).requires_grad_(true);
      auto w = torch::randn({batch, 80}, torch::kFloat64);
      std::vector<torch::Tensor> inputs{x, lin->weight, lin->bias};
      auto y_fast = parallel_linear(x, lin->weight, lin->bias);
      auto g_fast = torch::autograd::grad({(y_fast * w).sum()}, inputs);
      auto y_ref = lin->forward(x);
      auto g_ref = torch::autograd::grad({(y_ref * w).sum()}, inputs);
      INFO("threads " << n_threads << " batch " << batch);
      CHECK(torch::allclose(y_fast, y_ref, 1e-13, 1e-13));
      for (std::size_t i = 0; i < inputs.size(); ++i) CHECK(torch::allclose(g_fast[i], g_ref[i], 1e-12, 1e-12));
    }
  }
  at::set_num_threads(threads);
}
