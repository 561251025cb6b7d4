// The memory-lean autograd functions equal their plain LibTorch counterparts, values and
// gradients (float64), so the speed-up changes nothing numerically.
#include <catch2/catch.hpp>
#include <torch/torch.h>
#include <ATen/Parallel.h>

#include "core/nn/diagonal_diffusion.h"
#include "core/nn/fast_layers.h"

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

namespace {

// max |a - b| / (|b| + floor), elementwise over two tensors of any float dtype.
double max_rel_err(const torch::Tensor& a, const torch::Tensor& b, double floor) {
  auto ad = a.to(torch::kFloat64), bd = b.to(torch::kFloat64);
  return ((ad - bd).abs() / (bd.abs() + floor)).max().item<double>();
}

}  // namespace

TEST_CASE("float32 softplus kernels agree with the float64 functions to a few ulps",
          "[fast_layers]") {
  // Every regime: deep negative tail (softplus ~ e^x), around 0, the linear side, the clamp
  // at -87; 1003 entries, so the blocks of 8 end in a padded tail.
  auto x64 = torch::cat({torch::linspace(-100, 100, 1001, torch::kFloat64),
                         torch::tensor({-87.5, 1e-7}, torch::kFloat64)});
  auto x = x64.to(torch::kFloat32).requires_grad_(true);
  auto exact_x = x.detach().to(torch::kFloat64);  // the float inputs, exactly
  auto y = softplus_saving_output(x);
  auto w = torch::linspace(-1, 1, x.numel(), torch::kFloat32);
  auto grad = torch::autograd::grad({(y * w).sum()}, {x})[0];
  auto y_ref = torch::softplus(exact_x);
  auto grad_ref = torch::sigmoid(exact_x) * w.to(torch::kFloat64);
  // Floor 1e-30: below x = -87 the kernel returns 0 rather than a float denormal.
  const double y_err = max_rel_err(y, y_ref, 1e-30);
  const double g_err = max_rel_err(grad, grad_ref, 1e-30);
  INFO("softplus max rel err " << y_err << ", slope max rel err " << g_err);
  CHECK(y_err < 5e-7);  // float ulp is 6e-8 relative
  // The slope 1 - exp(-a) is taken from the rounded output a, so it inherits a's rounding.
  CHECK(g_err < 2e-6);
  // A wrong coefficient anywhere shows: a 1e-3 perturbation of the input moves it above this.
  CHECK(max_rel_err(softplus_saving_output(x.detach() + 1e-3f), y_ref, 1e-30) > 1e-5);
}

TEST_CASE("float32 fused diffusion nets match the float64 reference, values and gradients",
          "[fast_layers]") {
  const int threads = at::get_num_threads();
  for (int n_threads : {1, 2}) {
    at::set_num_threads(n_threads);
    for (std::int64_t hidden : {6, 128}) {  // 6: padded to 8 inside the kernel
      torch::manual_seed(9);
      DiagonalDiffusion net(4, hidden, Activation::Softplus);
      net->to(torch::kFloat64);
      const std::int64_t B = 300;  // several row tasks per thread
      auto z64 = torch::randn({B, 4}, torch::kFloat64) * 2;
      auto w = torch::randn({B, 4}, torch::kFloat64);
      std::vector<torch::Tensor> ref_inputs{z64.clone().requires_grad_(true), net->w1, net->b1,
                                            net->w2, net->b2};
      auto g_ref = net->forward(ref_inputs[0]);
      auto grads_ref = torch::autograd::grad({(g_ref * w).sum()}, ref_inputs);

      std::vector<torch::Tensor> inputs;
      for (auto& t : ref_inputs) inputs.push_back(t.detach().to(torch::kFloat32).requires_grad_(true));
      auto g = diagonal_diffusion_recompute(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4]);
      auto grads = torch::autograd::grad({(g * w.to(torch::kFloat32)).sum()}, inputs);
      INFO("threads " << n_threads << " hidden " << hidden);
      CHECK(max_rel_err(g, g_ref, 1e-6) < 1e-5);
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        // Weight gradients are sums over 300 rows in float: compare relative to their size.
        const double scale = grads_ref[i].abs().max().item<double>();
        const double err = (grads[i].to(torch::kFloat64) - grads_ref[i]).abs().max().item<double>();
        INFO("input " << i << " max abs err " << err << " scale " << scale);
        CHECK(err < 2e-5 * scale);
      }
    }
  }
  at::set_num_threads(threads);
}

TEST_CASE("fused diffusion backward gives the same numbers on every run", "[fast_layers]") {
  torch::manual_seed(10);
  DiagonalDiffusion net(4, 128, Activation::Softplus);
  auto z = torch::randn({1024, 4}).requires_grad_(true);
  auto run = [&] {
    auto g = diagonal_diffusion_recompute(z, net->w1, net->b1, net->w2, net->b2);
    return torch::autograd::grad({g.sum()}, {z, net->w1, net->b1, net->w2, net->b2});
  };
  auto first = run(), second = run();
  for (std::size_t i = 0; i < first.size(); ++i) CHECK(torch::equal(first[i], second[i]));
}
