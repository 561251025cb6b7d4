// The latent SDE method on a tiny float64 problem: adjoint gradients against backprop through
// the solver (round-off for reversible Heun, shrinking with dt for Euler/Milstein), backprop
// against central finite differences, and the Method interface end to end.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "core/registry.h"
#include "methods/latent_sde/latent_sde.h"

using namespace sdebench;

namespace {

const std::vector<double> kTimes{0.0, 0.25, 0.6, 1.0};

Batch tiny_batch() {
  const std::int64_t B = 3, T = 4, D = 2;
  auto t = torch::tensor(kTimes, torch::kFloat64);
  auto phase = torch::arange(B, torch::kFloat64).view({B, 1, 1});
  auto dim = torch::arange(D, torch::kFloat64).view({1, 1, D});
  auto values = torch::sin(3 * t.view({1, T, 1}) + phase + dim) * 0.1;
  auto mask = torch::ones({B, T, D}, torch::kFloat64);
  mask[1][2][0] = 0;  // one missing entry
  values = values * mask;
  return {t, values, mask};
}

std::shared_ptr<LatentSde> make(const std::string& gradient, const std::string& solver,
                                double dt, int iterations = 1,
                                TimeGrid grid = TimeGrid::Observations) {
  LatentSdeMethodConfig c;
  c.model.data_dims = 2;
  c.model.latent = 2;
  c.model.context = 3;
  c.model.hidden = 5;
  c.model.prior_width = 5;
  c.model.diffusion_width = 5;
  c.model.observation.noise_std = 0.1;
  c.solver.gradient = parse_gradient(gradient);
  c.solver.method = solver;
  c.solver.dt = dt;
  c.solver.adjoint_iterations = iterations;
  c.solver.grid = grid;
  DataShape shape{2, torch::tensor(kTimes, torch::kFloat64), torch::kFloat64};
  torch::manual_seed(1234);  // identical initial parameters for every mode
  return std::make_shared<LatentSde>(c, shape);
}

struct StepResult {
  torch::Tensor grads;  // all parameter gradients, flattened
  LossTerms terms;
};

StepResult step(LatentSde& m, double kl_weight = 0.7, std::uint64_t seed = 99) {
  for (auto& p : m.parameters())
    if (p.grad().defined()) p.mutable_grad() = torch::Tensor();
  torch::manual_seed(seed);  // same z0 noise and Brownian seed in every mode
  auto terms = m.train_step(tiny_batch(), {0, kl_weight});
  std::vector<torch::Tensor> flat;
  for (auto& p : m.parameters())
    flat.push_back(p.grad().defined() ? p.grad().flatten() : torch::zeros({p.numel()}, p.options()));
  return {torch::cat(flat), terms};
}

double rel_err(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).norm() / b.norm()).item<double>();
}

}  // namespace

TEST_CASE("latent SDE: reversible Heun adjoint gradients equal backprop's to round-off",
          "[latent_sde]") {
  for (double dt : {0.1, 0.03}) {
    auto bp = step(*make("backprop", "reversible_heun", dt));
    auto adj = step(*make("adjoint", "reversible_heun", dt));
    INFO("dt " << dt << " rel err " << rel_err(adj.grads, bp.grads));
    CHECK(rel_err(adj.grads, bp.grads) < 1e-9);
    CHECK(adj.terms.total == Approx(bp.terms.total).epsilon(1e-12));
  }
}

TEST_CASE("latent SDE: on torchsde's fixed grid the adjoint still equals backprop",
          "[latent_sde]") {
  // dt 0.07: the observation times 0.25 and 0.6 fall between grid points (interpolated), and
  // the context switches inside steps, as in torchsde.
  auto bp = step(*make("backprop", "reversible_heun", 0.07, 1, TimeGrid::Fixed));
  auto adj = step(*make("adjoint", "reversible_heun", 0.07, 1, TimeGrid::Fixed));
  INFO("reversible_heun rel err " << rel_err(adj.grads, bp.grads));
  CHECK(rel_err(adj.grads, bp.grads) < 1e-9);
  CHECK(adj.terms.total == Approx(bp.terms.total).epsilon(1e-12));
  auto bp_e = step(*make("backprop", "euler", 0.07, 1, TimeGrid::Fixed));
  auto adj_e = step(*make("adjoint", "euler", 0.07, 40, TimeGrid::Fixed));
  INFO("euler (40 iterations) rel err " << rel_err(adj_e.grads, bp_e.grads));
  CHECK(rel_err(adj_e.grads, bp_e.grads) < 1e-9);
  // A different grid is a different discretisation: the loss must differ.
  auto obs = step(*make("backprop", "reversible_heun", 0.07));
  CHECK(std::abs(obs.terms.total - bp.terms.total) > 1e-9);
}

TEST_CASE("latent SDE: Euler and Milstein adjoint gradients converge to backprop's",
          "[latent_sde]") {
  for (std::string solver : {"euler", "milstein"}) {
    std::vector<double> errors;
    for (double dt : {0.05, 0.005, 0.0005}) {
      auto bp = step(*make("backprop", solver, dt));
      auto adj = step(*make("adjoint", solver, dt));
      CHECK(adj.terms.total == Approx(bp.terms.total).epsilon(1e-12));  // same forward path
      errors.push_back(rel_err(adj.grads, bp.grads));
    }
    INFO(solver << " rel errors " << errors[0] << " " << errors[1] << " " << errors[2]);
    CHECK(errors[1] < 0.7 * errors[0]);
    CHECK(errors[2] < 0.7 * errors[1]);
    CHECK(errors[2] < 1e-4);
    // At fixed dt, iterating the reconstruction to convergence gives the discrete gradient.
    auto bp = step(*make("backprop", solver, 0.05));
    auto exact = step(*make("adjoint", solver, 0.05, 40));
    CHECK(rel_err(exact.grads, bp.grads) < 1e-9);
  }
}

TEST_CASE("latent SDE: backprop gradients match central finite differences", "[latent_sde]") {
  auto m = make("backprop", "euler", 0.05);
  auto ref = step(*m);
  const double eps = 1e-6;
  std::int64_t offset = 0;
  for (auto& p : m->parameters()) {
    // The first and last entry of every parameter tensor.
    for (std::int64_t idx : {std::int64_t{0}, p.numel() - 1}) {
      auto loss_at = [&](double delta) {
        {
          torch::NoGradGuard ng;
          p.view(-1)[idx] += delta;
        }
        double total = step(*m).terms.total;
        {
          torch::NoGradGuard ng;
          p.view(-1)[idx] -= delta;
        }
        return total;
      };
      const double fd = (loss_at(eps) - loss_at(-eps)) / (2 * eps);
      const double got = ref.grads[offset + idx].item<double>();
      INFO("parameter at offset " << offset << " entry " << idx << ": grad " << got << " fd " << fd);
      CHECK(std::abs(got - fd) < 1e-5 * std::max(1.0, std::abs(fd)));
    }
    offset += p.numel();
  }
}

TEST_CASE("latent SDE: registered with its schema; evaluate, sample and forecast",
          "[latent_sde]") {
  const auto& entry = MethodRegistry::instance().get("latent_sde", "method");
  auto options = entry.schema.defaults();
  CHECK(options.get_string("gradient") == "adjoint");
  CHECK(options.get_string("solver") == "euler");
  CHECK(options.get_float("dt") == 1e-2);
  CHECK(options.get_int("hidden_size") == 128);
  options.set("hidden_size", std::int64_t{8});
  options.set("context_size", std::int64_t{4});
  options.set("dt", 0.1);
  DataShape shape{2, torch::tensor(kTimes, torch::kFloat64), torch::kFloat32};
  auto method = entry.factory(options, shape);
  CHECK(method->uses_kl_annealing());

  auto batch = tiny_batch();
  auto terms = method->train_step(batch, {0, 0.5});
  CHECK(std::isfinite(terms.total));
  for (auto& p : method->parameters()) CHECK(p.grad().defined());

  auto metrics = method->evaluate(batch, {8, 2});
  REQUIRE(metrics.count("nelbo"));
  CHECK(metrics["nelbo"] == Approx(metrics["rec"] + metrics["kl0"] + metrics["kl_path"]));
  CHECK(metrics["kl0"] >= 0);
  CHECK(metrics["kl_path"] >= 0);

  auto times = torch::tensor(kTimes, torch::kFloat64);
  auto samples = method->sample(times, 5);
  CHECK(samples.sizes() == torch::IntArrayRef({5, 4, 2}));
  auto fc = method->forecast(batch, 2, times, 3);
  CHECK(fc.sizes() == torch::IntArrayRef({3, 3, 4, 2}));
  CHECK(torch::isfinite(fc).all().item<bool>());
}

TEST_CASE("latent SDE: unknown solver is rejected by name", "[latent_sde]") {
  const auto& entry = MethodRegistry::instance().get("latent_sde", "method");
  auto options = entry.schema.defaults();
  options.set("solver", std::string("rk4"));
  DataShape shape{2, torch::tensor(kTimes, torch::kFloat64), torch::kFloat32};
  CHECK_THROWS_WITH(entry.factory(options, shape), Catch::Contains("rk4"));
}

TEST_CASE("latent SDE: Stratonovich solvers (heun, midpoint) through the generic adjoint",
          "[latent_sde]") {
  for (std::string solver : {"heun", "midpoint"}) {
    auto bp = step(*make("backprop", solver, 0.05));
    auto approx = step(*make("adjoint", solver, 0.05, 1));
    auto exact = step(*make("adjoint", solver, 0.05, 40));
    INFO(solver << " rel err (1 iteration) " << rel_err(approx.grads, bp.grads)
                << ", (40 iterations) " << rel_err(exact.grads, bp.grads));
    CHECK(rel_err(approx.grads, bp.grads) < 1e-3);
    CHECK(rel_err(exact.grads, bp.grads) < 1e-9);
  }
}

TEST_CASE("latent SDE: encoder and decoder 'conv' on 8 x 8 frames", "[latent_sde]") {
  const auto& entry = MethodRegistry::instance().get("latent_sde", "method");
  auto options = entry.schema.defaults();
  options.set("hidden_size", std::int64_t{6});
  options.set("context_size", std::int64_t{3});
  options.set("prior_width", std::int64_t{6});
  options.set("diffusion_width", std::int64_t{4});
  options.set("dt", 0.1);
  options.set("encoder", std::string("conv"));
  options.set("decoder", std::string("conv"));
  options.set("likelihood", std::string("bernoulli"));
  options.set("encoder_channels", std::int64_t{2});
  options.set("frame_features", std::int64_t{5});
  options.set("decoder_channels", std::int64_t{2});
  const std::int64_t B = 2, T = 4, D = 64;
  auto times = torch::tensor(kTimes, torch::kFloat64);
  DataShape shape{D, times, torch::kFloat64};
  torch::manual_seed(5);
  auto method = std::dynamic_pointer_cast<LatentSde>(entry.factory(options, shape));
  REQUIRE(method);
  REQUIRE(method->model->frame_encoder);
  Batch batch{times, torch::rand({B, T, D}, torch::kFloat64), torch::ones({B, T, D}, torch::kFloat64)};

  // Per-frame convolutions under a reversed-time GRU: context i sees frames i..T-1 only.
  auto code = method->model->encode(batch.values, batch.mask);
  auto changed = batch.values.clone();
  changed[1][1][20] = 0.9 - changed[1][1][20];
  auto code2 = method->model->encode(changed, batch.mask);
  CHECK(torch::equal(code.context.narrow(1, 2, 2), code2.context.narrow(1, 2, 2)));
  CHECK_FALSE(torch::equal(code.context.narrow(1, 0, 2), code2.context.narrow(1, 0, 2)));

  auto terms = method->train_step(batch, {0, 1.0});
  CHECK(std::isfinite(terms.total));
  for (auto& p : method->parameters()) {
    REQUIRE(p.grad().defined());
    CHECK(torch::isfinite(p.grad()).all().item<bool>());
  }
  for (auto& p : method->model->frame_encoder->parameters()) CHECK(p.grad().abs().sum().item<double>() > 0);
  auto fc = method->forecast(batch, 2, times, 3);
  CHECK(fc.sizes() == torch::IntArrayRef({3, B, T, D}));
  CHECK(fc.min().item<double>() > 0);
  CHECK(fc.max().item<double>() < 1);
}

TEST_CASE("latent SDE: evaluate reports the learned diffusion's mean along the posterior paths",
          "[latent_sde]") {
  // With the diffusion's output layer zeroed, g = diffusion_max * sigmoid(b2) at every state,
  // so the metric must be exactly that mean over the latent dimensions (diffusion_max 0.2:
  // the option reaches the softplus fast path the solver uses).
  for (const double diffusion_max : {1.0, 0.2}) {
    INFO("diffusion_max " << diffusion_max);
    const auto& entry = MethodRegistry::instance().get("latent_sde", "method");
    auto options = entry.schema.defaults();
    options.set("hidden_size", std::int64_t{8});
    options.set("context_size", std::int64_t{4});
    options.set("dt", 0.1);
    options.set("diffusion_max", diffusion_max);
    DataShape shape{2, torch::tensor(kTimes, torch::kFloat64), torch::kFloat64};
    auto base = entry.factory(options, shape);
    auto& method = dynamic_cast<LatentSde&>(*base);
    const auto d = method.model->diffusion->dims();
    auto b2 = torch::linspace(-2.0, 1.5, d, torch::kFloat64);
    {
      torch::NoGradGuard no_grad;
      method.model->diffusion->w2.zero_();
      method.model->diffusion->b2.copy_(b2);
    }
    const auto metrics = method.evaluate(tiny_batch(), {8, 2});
    CHECK(metrics.at("diffusion_mean") ==
          Approx(diffusion_max * torch::sigmoid(b2).mean().item<double>()).epsilon(1e-12));
  }
}
