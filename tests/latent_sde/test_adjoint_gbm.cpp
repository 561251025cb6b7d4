// core/adjoint on geometric Brownian motion, where everything is checkable:
//   dX = mu X dt + sigma X dW (Ito)  <=>  dX = (mu - sigma^2/2) X dt + sigma X o dW,
//   X_T = X_0 exp((mu - sigma^2/2) T + sigma W_T), so pathwise
//   dX_T/dmu = T X_T,  dX_T/dsigma = (W_T - sigma T) X_T,  dX_T/dX_0 = X_T / X_0.
// Adjoint gradients are compared with backprop through sdeint (same Brownian interval), with
// central finite differences, and with the closed form.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "core/adjoint/stochastic_adjoint.h"
#include "core/brownian.h"
#include "core/sdeint.h"

using namespace sdebench;

namespace {

class Gbm : public Sde {
 public:
  Gbm(torch::Tensor mu, torch::Tensor sigma, SdeType type, bool with_extra)
      : Sde(NoiseType::Diagonal, type), mu_(mu), sigma_(sigma), with_extra_(with_extra) {}
  std::int64_t extra_size() const override { return with_extra_ ? 1 : 0; }
  torch::Tensor drift(double, const torch::Tensor& y) override {
    auto m = sde_type() == SdeType::Ito ? mu_ : mu_ - 0.5 * sigma_ * sigma_;
    return m * y;
  }
  torch::Tensor diffusion(double, const torch::Tensor& y) override { return sigma_ * y; }
  torch::Tensor extra_rate(double, const torch::Tensor& y) override {
    return (y * y).sum(-1, true);  // int X^2 dt alongside the state
  }
  torch::Tensor diffusion_derivative(double, const torch::Tensor& y) override {
    return sigma_ * torch::ones_like(y);
  }

 private:
  torch::Tensor mu_, sigma_;
  bool with_extra_;
};

struct Grads {
  torch::Tensor mu, sigma, x0;
  double loss = 0;
};

const std::vector<double> kGbmTimes{0.0, 0.3, 0.65, 1.0};
constexpr std::int64_t kBatch = 16;

torch::Tensor weights_for(std::int64_t T, std::int64_t B) {
  // A fixed, nontrivial cotangent pattern on the states at every output time.
  return torch::linspace(0.5, 1.5, T * B * 2, torch::kFloat64).view({T, B, 2});
}

struct Setup {
  torch::Tensor mu = torch::tensor({0.3, -0.2}, torch::kFloat64).requires_grad_(true);
  torch::Tensor sigma = torch::tensor({0.5, 0.8}, torch::kFloat64).requires_grad_(true);
  torch::Tensor x0 = torch::linspace(0.5, 1.5, kBatch * 2, torch::kFloat64).view({kBatch, 2});
};

SdeType type_for(const std::string& solver) {
  return (solver == "reversible_heun" || solver == "heun" || solver == "midpoint")
             ? SdeType::Stratonovich
             : SdeType::Ito;
}

// L = sum_i <w_i, X_{t_i}> / B + int X^2 dt summed / B.
Grads backprop(const std::string& solver, double dt, std::uint64_t seed, Setup s = {},
               TimeGrid grid = TimeGrid::Observations) {
  Gbm sde(s.mu, s.sigma, type_for(solver), true);
  BrownianInterval bm(kGbmTimes.front(), kGbmTimes.back(), {kBatch, 2, torch::kFloat64}, seed);
  auto x0 = s.x0.clone().requires_grad_(true);
  SdeintOptions o;
  o.method = solver;
  o.dt = dt;
  o.grid = grid;
  o.brownian = &bm;
  auto r = sdeint(sde, x0, kGbmTimes, o);
  auto loss = ((r.states * weights_for(kGbmTimes.size(), kBatch)).sum() + r.extras[-1].sum()) / kBatch;
  loss.backward();
  return {s.mu.grad().clone(), s.sigma.grad().clone(), x0.grad().clone(), loss.item<double>()};
}

double forward_loss(const std::string& solver, double dt, std::uint64_t seed, Setup s) {
  torch::NoGradGuard no_grad;
  Gbm sde(s.mu, s.sigma, type_for(solver), true);
  BrownianInterval bm(kGbmTimes.front(), kGbmTimes.back(), {kBatch, 2, torch::kFloat64}, seed);
  SdeintOptions o;
  o.method = solver;
  o.dt = dt;
  o.brownian = &bm;
  auto r = sdeint(sde, s.x0, kGbmTimes, o);
  return (((r.states * weights_for(kGbmTimes.size(), kBatch)).sum() + r.extras[-1].sum()) / kBatch)
      .item<double>();
}

Grads adjoint(const std::string& solver, double dt, std::uint64_t seed, int iterations = 1,
              Setup s = {}, TimeGrid grid = TimeGrid::Observations) {
  Gbm sde(s.mu, s.sigma, type_for(solver), true);
  BrownianInterval bm(kGbmTimes.front(), kGbmTimes.back(), {kBatch, 2, torch::kFloat64}, seed);
  StochasticAdjoint adj({solver, dt, iterations, grid});
  auto r = adj.forward(sde, s.x0, kGbmTimes, bm);
  const auto T = static_cast<std::int64_t>(kGbmTimes.size());
  auto grad_states = weights_for(T, kBatch) / kBatch;
  auto grad_extras = torch::zeros_like(r.extras);
  grad_extras[T - 1].fill_(1.0 / kBatch);
  auto gx0 = adj.backward(sde, grad_states, grad_extras);
  double loss = ((r.states * weights_for(T, kBatch)).sum() + r.extras[-1].sum()).item<double>() / kBatch;
  return {s.mu.grad().clone(), s.sigma.grad().clone(), gx0, loss};
}

double rel_err(const Grads& a, const Grads& b) {
  auto fa = torch::cat({a.mu, a.sigma, a.x0.flatten()});
  auto fb = torch::cat({b.mu, b.sigma, b.x0.flatten()});
  return ((fa - fb).norm() / fb.norm()).item<double>();
}

}  // namespace

TEST_CASE("adjoint forward reproduces sdeint's solution", "[adjoint]") {
  for (std::string solver : {"euler", "milstein", "reversible_heun"}) {
    Setup s;
    Gbm sde(s.mu, s.sigma, type_for(solver), true);
    BrownianInterval bm1(0, 1, {kBatch, 2, torch::kFloat64}, 7), bm2(0, 1, {kBatch, 2, torch::kFloat64}, 7);
    SdeintOptions o;
    o.method = solver;
    o.dt = 0.05;
    o.brownian = &bm1;
    torch::NoGradGuard ng;
    auto ref = sdeint(sde, s.x0, kGbmTimes, o);
    StochasticAdjoint adj({solver, 0.05, 1});
    auto got = adj.forward(sde, s.x0, kGbmTimes, bm2);
    INFO(solver);
    CHECK(torch::allclose(got.states, ref.states, 0, 1e-14));
    CHECK(torch::allclose(got.extras, ref.extras, 0, 1e-14));
  }
}

TEST_CASE("reversible Heun adjoint equals backprop to round-off at coarse dt", "[adjoint]") {
  for (double dt : {0.1, 0.02}) {
    auto bp = backprop("reversible_heun", dt, 11);
    auto adj = adjoint("reversible_heun", dt, 11);
    INFO("dt " << dt << " rel err " << rel_err(adj, bp));
    CHECK(rel_err(adj, bp) < 1e-10);
    CHECK(std::abs(adj.loss - bp.loss) < 1e-12 * std::abs(bp.loss));
  }
}

TEST_CASE("fixed grid: adjoint forward matches sdeint and its gradients match backprop's",
          "[adjoint]") {
  // dt 0.07 puts the output times 0.3 and 0.65 strictly between grid points, so the forward
  // interpolates and the backward splits each output's cotangent between two grid points.
  const auto plan = plan_steps(kGbmTimes, 0.07, TimeGrid::Fixed);
  REQUIRE(plan.outputs[1].weight > 0.0);
  REQUIRE(plan.outputs[2].weight > 0.0);
  for (std::string solver : {"euler", "reversible_heun"}) {
    Setup s;
    Gbm sde(s.mu, s.sigma, type_for(solver), true);
    BrownianInterval bm1(0, 1, {kBatch, 2, torch::kFloat64}, 7), bm2(0, 1, {kBatch, 2, torch::kFloat64}, 7);
    SdeintOptions o;
    o.method = solver;
    o.dt = 0.07;
    o.grid = TimeGrid::Fixed;
    o.brownian = &bm1;
    torch::NoGradGuard ng;
    auto ref = sdeint(sde, s.x0, kGbmTimes, o);
    StochasticAdjoint adj({solver, 0.07, 1, TimeGrid::Fixed});
    auto got = adj.forward(sde, s.x0, kGbmTimes, bm2);
    INFO(solver);
    CHECK(adj.steps_taken() == plan.steps());
    CHECK(torch::allclose(got.states, ref.states, 0, 1e-14));
    CHECK(torch::allclose(got.extras, ref.extras, 0, 1e-14));
  }
  // Reversible Heun: exact reversal, so round-off; Euler with enough reconstruction
  // iterations: the discrete gradient.
  auto bp = backprop("reversible_heun", 0.07, 11, {}, TimeGrid::Fixed);
  auto adj = adjoint("reversible_heun", 0.07, 11, 1, {}, TimeGrid::Fixed);
  INFO("reversible_heun rel err " << rel_err(adj, bp));
  CHECK(rel_err(adj, bp) < 1e-10);
  auto bp_e = backprop("euler", 0.07, 11, {}, TimeGrid::Fixed);
  auto adj_e = adjoint("euler", 0.07, 11, 40, {}, TimeGrid::Fixed);
  INFO("euler (40 iterations) rel err " << rel_err(adj_e, bp_e));
  CHECK(rel_err(adj_e, bp_e) < 1e-9);
  // The interpolation really enters the gradient: the observations grid gives another one.
  auto bp_obs = backprop("reversible_heun", 0.07, 11);
  CHECK(rel_err(bp_obs, bp) > 1e-6);
}

TEST_CASE("Euler and Milstein adjoint gradients converge to backprop's as dt shrinks",
          "[adjoint]") {
  for (std::string solver : {"euler", "milstein"}) {
    std::vector<double> errors;
    for (double dt : {0.05, 0.005, 0.0005}) {
      auto bp = backprop(solver, dt, 5);
      auto adj = adjoint(solver, dt, 5, /*iterations=*/1);
      errors.push_back(rel_err(adj, bp));
    }
    INFO(solver << " errors " << errors[0] << " " << errors[1] << " " << errors[2]);
    CHECK(errors[1] < 0.7 * errors[0]);
    CHECK(errors[2] < 0.7 * errors[1]);
    CHECK(errors[2] < 1e-2);
  }
}

TEST_CASE("more reconstruction iterations bring the Euler adjoint to the discrete gradient",
          "[adjoint]") {
  auto bp = backprop("euler", 0.02, 3);
  double previous = 1e300;
  // The iteration contracts at rate ~ max |sigma dW| (about 0.3 here), so 30 reach round-off.
  for (int iterations : {0, 1, 3, 8, 30}) {
    double e = rel_err(adjoint("euler", 0.02, 3, iterations), bp);
    INFO("iterations " << iterations << " rel err " << e);
    CHECK(e < previous);
    previous = e;
  }
  CHECK(previous < 1e-10);
}

TEST_CASE("adjoint gradients match central finite differences of the discretised loss",
          "[adjoint]") {
  for (std::string solver : {"reversible_heun", "euler"}) {
    const double dt = 0.02;
    auto adj = adjoint(solver, dt, 9, /*iterations=*/30);
    const double eps = 1e-6;
    for (int which = 0; which < 2; ++which) {
      for (int i = 0; i < 2; ++i) {
        auto loss_at = [&](double delta) {
          Setup s;
          {
            torch::NoGradGuard ng;
            (which == 0 ? s.mu : s.sigma)[i] += delta;
          }
          return forward_loss(solver, dt, 9, s);
        };
        const double fd = (loss_at(eps) - loss_at(-eps)) / (2 * eps);
        const double got = (which == 0 ? adj.mu : adj.sigma)[i].item<double>();
        INFO(solver << (which == 0 ? " mu[" : " sigma[") << i << "] adjoint " << got << " fd " << fd);
        CHECK(std::abs(got - fd) < 1e-6 * std::max(1.0, std::abs(fd)));
      }
    }
  }
}

TEST_CASE("adjoint gradient of E[X_T] matches the GBM closed form", "[adjoint]") {
  // L = mean over paths of sum_k X_T,k; closed-form pathwise gradients use W_T of the same
  // Brownian interval. The discretisation error shrinks with dt (reversible Heun, Euler).
  const std::vector<double> ts{0.0, 1.0};
  const std::int64_t B = 32;
  for (std::string solver : {"reversible_heun", "milstein"}) {
    Setup s;
    auto x0 = torch::full({B, 2}, 1.0, torch::kFloat64);
    Gbm sde(s.mu, s.sigma, type_for(solver), false);
    BrownianInterval bm(0, 1, {B, 2, torch::kFloat64}, 21);
    StochasticAdjoint adj({solver, 1e-3, 1});
    auto r = adj.forward(sde, x0, ts, bm);
    auto grad_states = torch::zeros_like(r.states);
    grad_states[1].fill_(1.0 / B);
    auto gx0 = adj.backward(sde, grad_states, {});

    torch::NoGradGuard ng;
    auto W = bm.increment(0, 1).W;
    auto mu = s.mu.detach(), sigma = s.sigma.detach();
    auto XT = x0 * torch::exp((mu - 0.5 * sigma * sigma) + sigma * W);
    auto d_mu = XT.sum(0) / B;
    auto d_sigma = ((W - sigma) * XT).sum(0) / B;
    auto d_x0 = XT / x0 / B;
    INFO(solver << " mu " << s.mu.grad() << " vs " << d_mu << " sigma " << s.sigma.grad() << " vs "
                << d_sigma);
    CHECK(torch::allclose(s.mu.grad(), d_mu, 2e-2, 0));
    CHECK(torch::allclose(s.sigma.grad(), d_sigma, 2e-2, 1e-3));
    CHECK(torch::allclose(gx0, d_x0, 2e-2, 0));
    // The states themselves converge to the exact solution at t = 1.
    CHECK(torch::allclose(r.states[1], XT, 5e-2, 0));
  }
}
