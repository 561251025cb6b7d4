// sdeint's gradient option: the same call differentiated by backprop through the steps or by
// the stochastic adjoint gives the same gradients for y0, the SDE's parameters and its graph
// inputs (reversible Heun: to round-off; Euler: close at small dt).
#include <catch2/catch.hpp>

#include <torch/torch.h>

#include "core/brownian.h"
#include "core/sdeint.h"

using namespace sdebench;

namespace {

// dy = (a y + c) dt + s y o dW (diagonal), with `c` an input computed outside the SDE (as an
// encoder's context is) and a, s parameters; the extra integrates |y|^2.
class ShiftedGbm : public Sde {
 public:
  ShiftedGbm(torch::Tensor a, torch::Tensor s, torch::Tensor c, SdeType type)
      : Sde(NoiseType::Diagonal, type), a_(a), s_(s), c_(c) {}
  std::int64_t extra_size() const override { return 1; }
  torch::Tensor drift(double, const torch::Tensor& y) override { return a_ * y + c_; }
  torch::Tensor diffusion(double, const torch::Tensor& y) override { return s_ * y; }
  torch::Tensor extra_rate(double, const torch::Tensor& y) override { return (y * y).sum(-1, true); }
  std::vector<torch::Tensor*> graph_inputs() override { return {&c_}; }

 private:
  torch::Tensor a_, s_, c_;
};

struct Gradients {
  torch::Tensor a, s, w, y0_source;
};

Gradients gradients(Gradient gradient, const std::string& solver, double dt) {
  auto a = torch::tensor({0.3, -0.2}, torch::kFloat64).requires_grad_(true);
  auto s = torch::tensor({0.4, 0.25}, torch::kFloat64).requires_grad_(true);
  auto w = torch::tensor({0.5, -1.0}, torch::kFloat64).requires_grad_(true);  // "encoder" weight
  auto y0_source = torch::tensor({{1.0, 0.5}, {0.8, 1.2}, {1.1, 0.9}}, torch::kFloat64).requires_grad_(true);
  auto c = (w * 2.0).expand({3, 2});  // a graph input: its gradient must reach w
  ShiftedGbm sde(a, s, c, solver == "euler" ? SdeType::Ito : SdeType::Stratonovich);
  const std::vector<double> ts{0.0, 0.3, 0.7, 1.0};
  BrownianInterval brownian(0.0, 1.0, {3, 2, torch::kFloat64}, 42, BrownianIntervalOptions{24, 256, false});
  SdeintOptions options;
  options.method = solver;
  options.dt = dt;
  options.gradient = gradient;
  options.brownian = &brownian;
  auto result = sdeint(sde, y0_source * 1.5, ts, options);
  auto loss = (result.states * result.states.detach().sin()).sum() + 0.3 * result.extras[-1].sum();
  loss.backward();
  return {a.grad(), s.grad(), w.grad(), y0_source.grad()};
}

}  // namespace

TEST_CASE("sdeint's adjoint gradient equals backprop's for reversible Heun", "[adjoint][sdeint]") {
  const Gradients backprop = gradients(Gradient::Backprop, "reversible_heun", 0.05);
  const Gradients adjoint = gradients(Gradient::Adjoint, "reversible_heun", 0.05);
  for (const auto& [name, b, j] : {std::make_tuple("a", backprop.a, adjoint.a),
                                   std::make_tuple("s", backprop.s, adjoint.s),
                                   std::make_tuple("w (through the graph input)", backprop.w, adjoint.w),
                                   std::make_tuple("y0's source", backprop.y0_source, adjoint.y0_source)}) {
    INFO(name << ": backprop " << b << " adjoint " << j);
    REQUIRE(j.defined());
    CHECK(b.abs().max().item<double>() > 1e-3);  // a gradient that is there to match
    CHECK(torch::allclose(b, j, 1e-9, 1e-10));
  }
}

TEST_CASE("sdeint's Euler adjoint gradient is close to backprop's at a small step", "[adjoint][sdeint]") {
  const Gradients backprop = gradients(Gradient::Backprop, "euler", 1e-3);
  const Gradients adjoint = gradients(Gradient::Adjoint, "euler", 1e-3);
  CHECK(torch::allclose(backprop.w, adjoint.w, 1e-2, 1e-3));
  CHECK(torch::allclose(backprop.a, adjoint.a, 1e-2, 1e-3));
}

TEST_CASE("without autograd the adjoint option solves as backprop does", "[adjoint][sdeint]") {
  torch::NoGradGuard no_grad;
  auto y0 = torch::ones({2, 2}, torch::kFloat64);
  auto make = [] {
    return ShiftedGbm(torch::tensor({0.3, -0.2}, torch::kFloat64), torch::tensor({0.4, 0.25}, torch::kFloat64),
                      torch::zeros({2, 2}, torch::kFloat64), SdeType::Ito);
  };
  SdeintOptions options;
  options.seed = 7;
  auto sde = make();
  const auto plain = sdeint(sde, y0, {0.0, 0.5, 1.0}, options).states;
  options.gradient = Gradient::Adjoint;
  auto sde2 = make();
  CHECK(torch::equal(plain, sdeint(sde2, y0, {0.0, 0.5, 1.0}, options).states));
}
