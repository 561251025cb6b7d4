// FastGRU / fast_gru against two independent implementations (the unfused-ops reference
// differentiated by autograd, and LibTorch's torch::nn::GRU) and against finite differences.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <ATen/Parallel.h>

#include <limits>

#include "core/nn/gru.h"

using sdebench::fast_gru;
using sdebench::gru_reference;
using torch::Tensor;

namespace {

struct GRUCase {
  std::int64_t B, T, I, H;
};

struct Inputs {
  Tensor x, h0, w_ih, w_hh, b_ih, b_hh;
  std::vector<Tensor> all() const { return {x, h0, w_ih, w_hh, b_ih, b_hh}; }
};

// Random inputs; weights a bit larger than the default init so the gates leave their
// linear range and every nonlinearity matters.
Inputs make_inputs(const GRUCase& c, torch::Dtype dtype, bool requires_grad, std::uint64_t seed) {
  torch::manual_seed(seed);
  auto o = torch::TensorOptions().dtype(dtype);
  auto rnd = [&](std::vector<std::int64_t> shape, double scale) {
    return (torch::randn(shape, o) * scale).set_requires_grad(requires_grad);
  };
  return {rnd({c.B, c.T, c.I}, 1.0), rnd({c.B, c.H}, 0.5),     rnd({3 * c.H, c.I}, 0.7),
          rnd({3 * c.H, c.H}, 0.5),  rnd({3 * c.H}, 0.3), rnd({3 * c.H}, 0.3)};
}

Tensor run_fast(const Inputs& in) { return fast_gru(in.x, in.h0, in.w_ih, in.w_hh, in.b_ih, in.b_hh); }
Tensor run_reference(const Inputs& in) {
  return gru_reference(in.x, in.h0, in.w_ih, in.w_hh, in.b_ih, in.b_hh);
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  return (a - b).abs().max().item<double>();
}

// Gradients of sum(out * weights) w.r.t. every input, by autograd through `run`.
std::vector<Tensor> gradients(const Inputs& in, const Tensor& out_weights,
                              Tensor (*run)(const Inputs&)) {
  const Tensor loss = (run(in) * out_weights).sum();
  return torch::autograd::grad({loss}, in.all());
}

const std::vector<GRUCase> kCases = {
    {5, 7, 3, 8},   // small, H a multiple of 8
    {1, 4, 2, 5},   // B = 1
    {6, 1, 3, 11},  // T = 1
    {37, 6, 4, 13}, // odd sizes, several threads' blocks
};

const char* kNames[] = {"x", "h0", "weight_ih", "weight_hh", "bias_ih", "bias_hh"};

}  // namespace

TEST_CASE("fast_gru forward matches the unfused reference and torch::nn::GRU", "[gru]") {
  at::set_num_threads(2);
  for (const auto& c : kCases) {
    CAPTURE(c.B, c.T, c.I, c.H);
    for (auto dtype : {torch::kDouble, torch::kFloat}) {
      const double tol = dtype == torch::kDouble ? 1e-12 : 1e-5;
      const Inputs in = make_inputs(c, dtype, false, 1);
      const Tensor fast = run_fast(in);
      REQUIRE(fast.sizes() == torch::IntArrayRef{c.B, c.T, c.H});
      CHECK(max_abs_diff(fast, run_reference(in)) < tol);

      torch::nn::GRU torch_gru(torch::nn::GRUOptions(c.I, c.H).batch_first(true));
      torch_gru->to(dtype);
      {
        torch::NoGradGuard no_grad;
        torch_gru->named_parameters()["weight_ih_l0"].copy_(in.w_ih);
        torch_gru->named_parameters()["weight_hh_l0"].copy_(in.w_hh);
        torch_gru->named_parameters()["bias_ih_l0"].copy_(in.b_ih);
        torch_gru->named_parameters()["bias_hh_l0"].copy_(in.b_hh);
      }
      const Tensor torch_out = std::get<0>(torch_gru->forward(in.x, in.h0.unsqueeze(0)));
      CHECK(max_abs_diff(fast, torch_out) < tol);
    }
  }
}

TEST_CASE("fast_gru without h0 starts from zeros; FastGRU module uses it", "[gru]") {
  const GRUCase c{4, 5, 3, 6};
  const Inputs in = make_inputs(c, torch::kDouble, false, 2);
  const Tensor a = fast_gru(in.x, {}, in.w_ih, in.w_hh, in.b_ih, in.b_hh);
  const Tensor b = gru_reference(in.x, torch::zeros({c.B, c.H}, torch::kDouble), in.w_ih, in.w_hh,
                                 in.b_ih, in.b_hh);
  CHECK(max_abs_diff(a, b) < 1e-12);

  sdebench::FastGRU module(c.I, c.H);
  module->to(torch::kDouble);
  const Tensor m = module->forward(in.x);
  const Tensor r = gru_reference(in.x, {}, module->weight_ih, module->weight_hh, module->bias_ih,
                                 module->bias_hh);
  CHECK(max_abs_diff(m, r) < 1e-12);
  CHECK(m.requires_grad());
}

TEST_CASE("fast_gru under NoGradGuard gives the same result and no graph", "[gru]") {
  const Inputs in = make_inputs({9, 6, 3, 7}, torch::kFloat, true, 3);
  const Tensor with_grad = run_fast(in);
  Tensor without;
  {
    torch::NoGradGuard no_grad;
    without = run_fast(in);
  }
  CHECK_FALSE(without.requires_grad());
  CHECK(with_grad.requires_grad());
  CHECK(torch::equal(with_grad.detach(), without));
}

TEST_CASE("fast_gru gradients match autograd through the reference (float64)", "[gru]") {
  at::set_num_threads(2);
  for (const auto& c : kCases) {
    CAPTURE(c.B, c.T, c.I, c.H);
    const Inputs in = make_inputs(c, torch::kDouble, true, 4);
    const Tensor w = torch::randn({c.B, c.T, c.H}, torch::kDouble);
    const auto fast = gradients(in, w, run_fast);
    const auto ref = gradients(in, w, run_reference);
    for (std::size_t k = 0; k < ref.size(); ++k) {
      CAPTURE(kNames[k]);
      REQUIRE(fast[k].defined());
      REQUIRE(fast[k].sizes() == ref[k].sizes());
      const double scale = ref[k].abs().max().item<double>();
      CHECK(scale > 0);
      CHECK(max_abs_diff(fast[k], ref[k]) <= 1e-10 * scale);
    }
  }
}

TEST_CASE("fast_gru gradients match the reference in float32 too", "[gru]") {
  const GRUCase c{33, 9, 3, 20};
  const Inputs in = make_inputs(c, torch::kFloat, true, 5);
  const Tensor w = torch::randn({c.B, c.T, c.H});
  const auto fast = gradients(in, w, run_fast);
  const auto ref = gradients(in, w, run_reference);
  for (std::size_t k = 0; k < ref.size(); ++k) {
    CAPTURE(kNames[k]);
    const double scale = ref[k].abs().max().item<double>();
    CHECK(max_abs_diff(fast[k], ref[k]) <= 1e-4 * scale);
  }
}

TEST_CASE("fast_gru gradients match central finite differences", "[gru]") {
  // gradcheck-style: every element of every input, on a tiny float64 case.
  const GRUCase c{2, 3, 2, 3};
  const Inputs in = make_inputs(c, torch::kDouble, true, 6);
  const Tensor w = torch::randn({c.B, c.T, c.H}, torch::kDouble);
  const auto analytic = gradients(in, w, run_fast);
  const double eps = 1e-6;
  for (std::size_t k = 0; k < analytic.size(); ++k) {
    CAPTURE(kNames[k]);
    std::vector<Tensor> plain;
    for (const auto& t : in.all()) plain.push_back(t.detach().clone());
    Tensor target = plain[k].view(-1);
    for (std::int64_t e = 0; e < target.numel(); ++e) {
      CAPTURE(e);
      auto loss_at = [&](double delta) {
        const double saved = target[e].item<double>();
        target[e] = saved + delta;
        const double v =
            (fast_gru(plain[0], plain[1], plain[2], plain[3], plain[4], plain[5]) * w)
                .sum()
                .item<double>();
        target[e] = saved;
        return v;
      };
      const double numeric = (loss_at(eps) - loss_at(-eps)) / (2 * eps);
      const double exact = analytic[k].view(-1)[e].item<double>();
      CHECK(std::abs(numeric - exact) <= 1e-7 * (1.0 + std::abs(exact)));
    }
  }
}

TEST_CASE("fast_gru: single thread and two threads agree", "[gru]") {
  const Inputs in = make_inputs({40, 5, 3, 9}, torch::kDouble, true, 7);
  const Tensor w = torch::randn({40, 5, 9}, torch::kDouble);
  at::set_num_threads(1);
  const auto one = gradients(in, w, run_fast);
  at::set_num_threads(2);
  const auto two = gradients(in, w, run_fast);
  for (std::size_t k = 0; k < one.size(); ++k) {
    CAPTURE(kNames[k]);
    CHECK(max_abs_diff(one[k], two[k]) < 1e-13 * (1.0 + one[k].abs().max().item<double>()));
  }
}

TEST_CASE("fast_gru only returns gradients that are asked for", "[gru]") {
  Inputs in = make_inputs({3, 4, 2, 5}, torch::kDouble, false, 8);
  in.w_hh.set_requires_grad(true);
  const Tensor loss = run_fast(in).sum();
  loss.backward();
  CHECK(in.w_hh.grad().defined());
  CHECK_FALSE(in.x.grad().defined());
  CHECK_FALSE(in.w_ih.grad().defined());
}

TEST_CASE("fast_gru rejects double backward and bad inputs with clear errors", "[gru]") {
  const Inputs in = make_inputs({3, 4, 2, 5}, torch::kDouble, true, 9);
  const Tensor loss = run_fast(in).pow(2).sum();
  CHECK_THROWS_WITH(torch::autograd::grad({loss}, {in.w_hh}, {}, true, true),
                    Catch::Contains("double backward"));

  torch::NoGradGuard no_grad;
  CHECK_THROWS_WITH(fast_gru(in.x[0], in.h0, in.w_ih, in.w_hh, in.b_ih, in.b_hh),
                    Catch::Contains("x must be [batch, time, input]"));
  CHECK_THROWS_WITH(fast_gru(in.x, in.h0, in.w_ih.t(), in.w_hh, in.b_ih, in.b_hh),
                    Catch::Contains("weight_ih must be [3H, I]"));
  CHECK_THROWS_WITH(fast_gru(in.x.to(torch::kFloat), in.h0, in.w_ih, in.w_hh, in.b_ih, in.b_hh),
                    Catch::Contains("dtype"));
  CHECK_THROWS_WITH(fast_gru(in.x, in.h0.narrow(0, 0, 2), in.w_ih, in.w_hh, in.b_ih, in.b_hh),
                    Catch::Contains("h0 must be [B, H]"));
}

TEST_CASE("fast_gru float32 gates saturate like the reference and propagate NaN", "[gru]") {
  // Pre-activations of several hundred push the float32 exp approximation into its clamps.
  Inputs in = make_inputs({6, 5, 3, 9}, torch::kFloat, false, 10);
  const Inputs big{in.x * 300.0, in.h0, in.w_ih, in.w_hh * 50.0, in.b_ih, in.b_hh};
  const Tensor fast = run_fast(big);
  CHECK_FALSE(torch::isnan(fast).any().item<bool>());
  CHECK(max_abs_diff(fast, run_reference(big)) < 1e-5);

  Tensor x_nan = in.x.clone();
  x_nan[2][3][1] = std::numeric_limits<float>::quiet_NaN();
  const Tensor out = fast_gru(x_nan, in.h0, in.w_ih, in.w_hh, in.b_ih, in.b_hh);
  CHECK(torch::isnan(out[2][3]).all().item<bool>());  // not hidden by the clamps
  CHECK(torch::isnan(out[2][4]).all().item<bool>());  // and carried to later steps
  CHECK_FALSE(torch::isnan(out[1]).any().item<bool>());
}
