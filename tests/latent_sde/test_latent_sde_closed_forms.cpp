// The latent SDE's formulas against closed forms, independent of the code under test:
//  - the path KL: with constant posterior and prior drifts and a constant diffusion the KL
//    integrand 1/2 |(f - h)/g|^2 is constant, so the term is exactly that times (t1 - t0); with
//    a time-dependent prior drift h(t) it is that integrand's integral (Simpson's rule);
//  - the Ito-Stratonovich correction: with a constant drift f and a state-dependent diffusion,
//    the Ito SDE dz = f dt + g(z) dW has E[z_1] = z_0 + f exactly. The Stratonovich solvers
//    integrate the equivalent Stratonovich form (drift f - 1/2 g g'); a wrong sign or a missing
//    1/2 moves their mean by E[int g g' dt] (about 0.3 here), far outside the Monte Carlo error.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "methods/latent_sde/latent_sde.h"
#include "methods/latent_sde/latent_sde_sde.h"
#include "core/sdeint.h"

using namespace sdebench;

namespace {

const std::vector<double> kDrift{0.2, -0.1};

// Every layer of `net` zero but the last bias: the MLP outputs `bias` for every input.
void make_constant(MLP& net, const std::vector<double>& bias) {
  torch::NoGradGuard no_grad;
  for (auto& p : net->parameters()) p.zero_();
  net->layers().back()->bias.copy_(torch::tensor(bias, torch::kFloat64));
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// A 2-dim latent SDE on `times` whose posterior drift is the constant kDrift and whose diffusion
// is the constant sigmoid(b2) (every diffusion weight zero); the caller sets the prior drift
// (one hidden layer with prior_time_input, so that h(t) can be written down).
std::unique_ptr<LatentSde> kl_test_method(const std::string& gradient, const std::string& solver,
                                          double dt, const std::vector<double>& times,
                                          const std::vector<double>& b2, bool prior_time_input) {
  LatentSdeMethodConfig c;
  c.model.data_dims = 2;
  c.model.latent = 2;
  c.model.context = 3;
  c.model.hidden = c.model.prior_width = c.model.diffusion_width = 5;
  if (prior_time_input) c.model.prior_layers = 1;
  c.model.prior_time_input = prior_time_input;
  c.solver.gradient = parse_gradient(gradient);
  c.solver.method = solver;
  c.solver.dt = dt;
  DataShape shape{2, torch::tensor(times, torch::kFloat64), torch::kFloat64};
  torch::manual_seed(3);
  auto method = std::make_unique<LatentSde>(c, shape);
  make_constant(method->model->posterior_net, kDrift);
  torch::NoGradGuard no_grad;
  method->model->diffusion->w2.zero_();
  method->model->diffusion->b2.copy_(torch::tensor(b2, torch::kFloat64));
  return method;
}

// The kl_path term of one training step on random data at `times`.
double kl_path_of(LatentSde& method, const std::vector<double>& times) {
  const auto T = static_cast<std::int64_t>(times.size());
  auto terms = method.train_step({torch::tensor(times, torch::kFloat64),
                                  torch::randn({3, T, 2}, torch::kFloat64),
                                  torch::ones({3, T, 2}, torch::kFloat64)},
                                 {0, 1.0});
  for (const auto& [name, value] : terms.terms)
    if (name == "kl_path") return value;
  return std::nan("");
}

}  // namespace

TEST_CASE("latent SDE: constant drifts and diffusion give the path KL 1/2 ((f - h)/g)^2 (t1 - t0)",
          "[latent_sde][closed_form]") {
  const std::vector<double> times{0.0, 0.25, 0.6, 1.0};
  const std::vector<double> h{-0.1, 0.4}, b2{0.5, -1.0};
  double expected = 0;
  for (int i = 0; i < 2; ++i) {
    const double u = (kDrift[i] - h[i]) / sigmoid(b2[i]);
    expected += 0.5 * u * u * (times.back() - times.front());
  }
  for (const std::string gradient : {"backprop", "adjoint"})
    for (const std::string solver : {"euler", "heun"}) {
      INFO(gradient << " " << solver);
      auto method = kl_test_method(gradient, solver, 0.05, times, b2, false);
      make_constant(method->model->prior_net, h);
      const double kl_path = kl_path_of(*method, times);
      CHECK(kl_path == Approx(expected).epsilon(1e-9));
    }
}

TEST_CASE("latent SDE: a time-dependent prior drift h(t) = a + b softplus(t) enters the path KL "
          "at the solver's time", "[latent_sde][closed_form]") {
  // prior_time_input: the prior net reads (t, z). With every weight zero but the time column of
  // one hidden unit (softplus(t)) and the output's a + b * that unit, h(t) = a + b softplus(t);
  // the path KL is then sum_i 1/(2 g_i^2) int (f_i - h_i(t))^2 dt, here by Simpson's rule.
  const std::vector<double> times{0.5, 0.75, 1.1, 1.5};
  const std::vector<double> a{-0.1, 0.4}, b{1.5, -2.0}, b2{0.5, -1.0};
  auto softplus = [](double t) { return std::log1p(std::exp(t)); };
  double expected = 0;
  const int n = 2000;
  const double t0 = times.front(), t1 = times.back(), step = (t1 - t0) / n;
  for (int i = 0; i < 2; ++i) {
    const double g = sigmoid(b2[i]);
    auto rate = [&](double t) {
      const double u = (kDrift[i] - a[i] - b[i] * softplus(t)) / g;
      return 0.5 * u * u;
    };
    double sum = rate(t0) + rate(t1);
    for (int k = 1; k < n; ++k) sum += (k % 2 ? 4.0 : 2.0) * rate(t0 + k * step);
    expected += sum * step / 3.0;
  }
  for (const std::string gradient : {"backprop", "adjoint"})
    for (const std::string solver : {"euler", "heun"}) {
      INFO(gradient << " " << solver);
      auto method = kl_test_method(gradient, solver, 0.001, times, b2, true);
      make_constant(method->model->prior_net, a);
      {
        torch::NoGradGuard no_grad;
        auto& layers = method->model->prior_net->layers();
        REQUIRE(layers.size() == 2);  // (1 + d) -> 5 -> d
        layers[0]->weight[0][0] = 1.0;  // hidden unit 0 reads t alone: softplus(t)
        layers[1]->weight.select(1, 0).copy_(torch::tensor(b, torch::kFloat64));
      }
      const double kl_path = kl_path_of(*method, times);
      CHECK(kl_path == Approx(expected).epsilon(2e-3));
    }
}

TEST_CASE("latent SDE: Ito and Stratonovich solvers give the Ito mean z_0 + f t for constant drift "
          "and state-dependent diffusion", "[latent_sde][closed_form][calculus]") {
  LatentSdeConfig config;
  config.data_dims = 2;
  config.latent = 2;
  config.context = 3;
  config.hidden = config.prior_width = config.diffusion_width = 8;
  torch::manual_seed(4);
  LatentSdeModel model(config);
  model->to(torch::kFloat64);
  make_constant(model->posterior_net, kDrift);
  make_constant(model->prior_net, kDrift);
  {
    // g_i(z) = sigmoid(4 softplus(z) - 2): about 0.68 at z = 0 with g' about 0.44.
    torch::NoGradGuard no_grad;
    model->diffusion->w1.fill_(1.0);
    model->diffusion->b1.zero_();
    model->diffusion->w2.fill_(0.5);
    model->diffusion->b2.fill_(-2.0);
  }
  const std::int64_t n = 20000;
  const auto y0 = torch::zeros({n, 2}, torch::kFloat64);
  const std::vector<double> ts{0.0, 1.0};
  const std::vector<torch::Tensor> pieces(2, torch::zeros({n, 8}, torch::kFloat64));
  for (const std::string solver : {"euler", "milstein", "heun", "midpoint", "reversible_heun"}) {
    const SdeType type = solver_calculus(solver);
    LatentPosteriorSde posterior(*model, ts, pieces, type);
    LatentPriorSde prior(*model, type);
    for (Sde* sde : {static_cast<Sde*>(&posterior), static_cast<Sde*>(&prior)}) {
      INFO(solver << (sde == &prior ? " prior" : " posterior"));
      SdeintOptions options;
      options.method = solver;
      options.dt = 0.01;
      options.seed = 17;
      torch::NoGradGuard no_grad;
      const auto z1 = sdeint(*sde, y0, ts, options).states[1];
      const auto mean = z1.mean(0), standard_error = z1.std(0) / std::sqrt(double(n));
      for (int i = 0; i < 2; ++i) {
        INFO("dim " << i << " mean " << mean[i].item<double>() << " se "
                    << standard_error[i].item<double>());
        // Monte Carlo (4 standard errors) plus the weak O(dt) bias of the Stratonovich schemes.
        CHECK(std::fabs(mean[i].item<double>() - kDrift[i]) <
              4 * standard_error[i].item<double>() + 0.01);
      }
    }
  }
}
