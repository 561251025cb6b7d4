// Tangent propagation (core/nn/tangent.h) against three independent derivatives in float64:
// central finite differences, the double-backward JVP, and LibTorch's forward-mode AD.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "check_helpers.h"
#include "core/nn/mlp.h"
#include "core/nn/tangent.h"
#include "core/nn/tangent_contract.h"

using namespace sdebench;
using namespace sdebench::testing;

namespace {
constexpr double kTol = 1e-6;

// An input that moves with t: x(t) = a + b t (row-wise t), so the tangent is b.
struct Line {
  torch::Tensor a, b;
  torch::Tensor at(const torch::Tensor& t) const { return a + b * t.unsqueeze(-1); }
};

void check_all(const std::function<torch::Tensor(torch::Tensor)>& f, const torch::Tensor& t,
               const torch::Tensor& tangent) {
  auto v = torch::ones_like(t);
  auto fd = central_difference(f, t, v);
  auto db = double_backward_jvp(f, t, v);
  CHECK(relative_error(tangent, fd) < kTol);
  CHECK(relative_error(tangent, db) < kTol);
}
}  // namespace

TEST_CASE("dual activations match their derivatives", "[tangent]") {
  torch::manual_seed(1);
  auto opts = torch::kFloat64;
  Line line{torch::randn({5, 7}, opts), torch::randn({5, 7}, opts)};
  auto t = torch::rand({5}, opts);
  for (auto act : {Activation::Softplus, Activation::SiLU, Activation::Tanh, Activation::Sigmoid,
                   Activation::Identity}) {
    auto f = [&](torch::Tensor s) { return activate(line.at(s), act); };
    Dual x{line.at(t), line.b.clone()};
    auto y = dual_activate(x, act);
    CHECK(relative_error(y.value, f(t)) < 1e-14);
    check_all(f, t, y.tangent);
  }
}

TEST_CASE("dual MLP tangent matches FD, double-backward and forward AD", "[tangent]") {
  torch::manual_seed(2);
  MLP mlp(6, std::vector<std::int64_t>{20, 20}, 5, Activation::SiLU);
  mlp->to(torch::kFloat64);
  Line line{torch::randn({8, 6}, torch::kFloat64), torch::randn({8, 6}, torch::kFloat64)};
  auto t = torch::rand({8}, torch::kFloat64);
  auto f = [&](torch::Tensor s) { return mlp->forward(line.at(s)); };
  auto y = dual_mlp(*mlp, Dual{line.at(t), line.b});
  CHECK(relative_error(y.value, f(t)) < 1e-14);
  check_all(f, t, y.tangent);
  auto fwd = forward_ad_jvp(f, t, torch::ones_like(t));
  CHECK(relative_error(y.tangent, fwd) < kTol);
}

TEST_CASE("dual softmax and concatenation", "[tangent]") {
  torch::manual_seed(3);
  Line line{torch::randn({4, 9}, torch::kFloat64), torch::randn({4, 9}, torch::kFloat64)};
  auto t = torch::rand({4}, torch::kFloat64);
  auto y = dual_softmax(Dual{line.at(t), line.b}, -1);
  check_all([&](torch::Tensor s) { return torch::softmax(line.at(s), -1); }, t, y.tangent);

  auto c = torch::randn({4, 3}, torch::kFloat64);  // constant part: no tangent
  auto cat = dual_cat({Dual{c, {}}, Dual{line.at(t), line.b}}, -1);
  check_all([&](torch::Tensor s) { return torch::cat({c, line.at(s)}, -1); }, t, cat.tangent);
}

TEST_CASE("time attention tangent", "[tangent]") {
  torch::manual_seed(4);
  const std::int64_t B = 3, Q = 5, T = 41, H = 7;
  auto keys = torch::linspace(0, 1, T, torch::kFloat64);
  auto values = torch::randn({B, T, H}, torch::kFloat64);
  auto t = torch::rand({B, Q}, torch::kFloat64);
  auto f = [&](torch::Tensor s) {
    return time_attention(Dual{s, {}}, keys, values, 41.0, 1.0).value;
  };
  auto y = time_attention(Dual{t, torch::ones_like(t)}, keys, values, 41.0, 1.0);
  // Independent value check: softmax weights by hand, einsum contraction, plus h_last.
  auto w = torch::softmax(-(41.0 * (keys.view({1, 1, T}) - t.unsqueeze(-1))).square(), -1);
  auto expected = torch::einsum("bqt,bth->bqh", {w, values}) + values.select(1, -1).unsqueeze(1);
  CHECK(relative_error(y.value, expected) < 1e-13);
  auto v = torch::ones_like(t);
  CHECK(relative_error(y.tangent, central_difference(f, t, v)) < kTol);
  CHECK(relative_error(y.tangent, double_backward_jvp(f, t, v)) < kTol);
}

TEST_CASE("tangents are differentiable by reverse mode", "[tangent]") {
  // d/dW of a loss on the tangent of W x(t): compare autograd with finite differences in W.
  torch::manual_seed(5);
  MLP mlp(3, std::vector<std::int64_t>{10}, 2, Activation::Tanh);
  mlp->to(torch::kFloat64);
  Line line{torch::randn({6, 3}, torch::kFloat64), torch::randn({6, 3}, torch::kFloat64)};
  auto t = torch::rand({6}, torch::kFloat64);
  auto loss = [&] { return dual_mlp(*mlp, Dual{line.at(t), line.b}).tangent.square().sum(); };
  auto& w = mlp->layers()[0]->weight;
  mlp->zero_grad();
  loss().backward();
  auto grad = w.grad().clone();
  torch::NoGradGuard no_grad;
  const double h = 1e-6;
  for (std::int64_t k : {0, 4, 17, 29}) {
    auto flat = w.view({-1});
    const double orig = flat[k].item<double>();
    flat[k] = orig + h;
    const double up = loss().item<double>();
    flat[k] = orig - h;
    const double down = loss().item<double>();
    flat[k] = orig;
    CHECK((up - down) / (2 * h) == Approx(grad.view({-1})[k].item<double>()).epsilon(1e-6));
  }
}

TEST_CASE("small batched matmul matches bmm, with gradients of two orders", "[tangent]") {
  torch::manual_seed(6);
  for (auto dtype : {torch::kFloat32, torch::kFloat64}) {
    const double tol = dtype == torch::kFloat64 ? 1e-12 : 1e-5;
    for (bool transpose : {false, true}) {
      auto a = torch::randn({37, 3, 41}, dtype).requires_grad_(true);
      auto m = (transpose ? torch::randn({37, 13, 41}, dtype) : torch::randn({37, 41, 13}, dtype))
                   .requires_grad_(true);
      auto ref_m = transpose ? m.transpose(1, 2) : m;
      auto out = small_batched_matmul(a, m, transpose);
      auto ref = torch::bmm(a, ref_m);
      CHECK(relative_error(out, ref) < tol);
      // First order: gradients of <out, c> against bmm's.
      auto c = torch::randn_like(ref);
      auto g = torch::autograd::grad({(out * c).sum()}, {a, m}, {}, true, true);
      auto gr = torch::autograd::grad({(ref * c).sum()}, {a, m}, {}, true, true);
      CHECK(relative_error(g[0], gr[0]) < tol);
      CHECK(relative_error(g[1], gr[1]) < tol);
      // Second order: the gradient of |grad_a|^2 w.r.t. m through the op's own backward.
      auto h = torch::autograd::grad({g[0].square().sum()}, {m})[0];
      auto hr = torch::autograd::grad({gr[0].square().sum()}, {m})[0];
      CHECK(relative_error(h, hr) < tol);
    }
  }
}

TEST_CASE("time attention over per-sequence keys: each row its own keys, padding weightless",
          "[tangent]") {
  torch::manual_seed(5);
  const std::int64_t B = 3, Q = 4, T = 6, H = 5;
  auto lengths = torch::tensor({6, 3, 4}, torch::kLong);
  auto keys = std::get<0>(torch::rand({B, T}, torch::kFloat64).sort(1));
  auto values = torch::randn({B, T, H}, torch::kFloat64);
  auto t = torch::rand({B, Q}, torch::kFloat64);
  auto scale = torch::tensor({6.0, 3.0, 4.0}, torch::kFloat64);
  auto y = time_attention(Dual{t, torch::ones_like(t)}, keys, lengths, values, scale, 1.0);
  for (std::int64_t b = 0; b < B; ++b) {
    // Row b alone, through the shared-keys attention on its real keys only.
    const auto n = lengths[b].item<std::int64_t>();
    auto alone = time_attention(Dual{t.narrow(0, b, 1), torch::ones({1, Q}, torch::kFloat64)},
                                keys[b].narrow(0, 0, n), values.narrow(0, b, 1).narrow(1, 0, n),
                                scale[b].item<double>(), 1.0);
    CHECK(relative_error(y.value.narrow(0, b, 1), alone.value) < 1e-13);
    CHECK(relative_error(y.tangent.narrow(0, b, 1), alone.tangent) < 1e-12);
  }
  auto f = [&](torch::Tensor s) {
    return time_attention(Dual{s, {}}, keys, lengths, values, scale, 1.0).value;
  };
  CHECK(relative_error(y.tangent, central_difference(f, t, torch::ones_like(t))) < kTol);
}
