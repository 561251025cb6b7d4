#include "core/adjoint/stochastic_adjoint.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

#include "core/solvers/reversible_heun.h"

namespace sdebench {

namespace {

// d<a, noise_term(g, dW)>/dg for each noise type.
torch::Tensor noise_cotangent(const Sde& sde, const torch::Tensor& a, const torch::Tensor& dW) {
  if (sde.noise_type() == NoiseType::General) return a.unsqueeze(-1) * dW.unsqueeze(1);
  return a * dW;  // diagonal: [B, d] * [B, d]; scalar: [B, d] * [B, 1]
}

// Runs autograd backward on those outputs that carry a graph; silently skips the rest (e.g.
// an extra rate that does not depend on anything requiring grad).
void backward_on(const std::vector<torch::Tensor>& outputs,
                 const std::vector<torch::Tensor>& cotangents) {
  std::vector<torch::Tensor> outs, cots;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].defined() && cotangents[i].defined() && outputs[i].requires_grad()) {
      outs.push_back(outputs[i]);
      cots.push_back(cotangents[i]);
    }
  }
  if (!outs.empty()) torch::autograd::backward(outs, cots);
}

torch::Tensor grad_or_zeros(const torch::Tensor& leaf) {
  return leaf.grad().defined() ? leaf.grad() : torch::zeros_like(leaf);
}

// a + b, where an undefined b (no output reads this grid point) adds nothing.
torch::Tensor add_defined(const torch::Tensor& a, const torch::Tensor& b) {
  if (!b.defined()) return a;
  return a.defined() ? a + b : b;
}

}  // namespace

StochasticAdjoint::StochasticAdjoint(SolverConfig options)
    : options_(std::move(options)), stepper_(make_stepper(options_.method)) {
  if (!(options_.dt > 0))
    throw std::invalid_argument("StochasticAdjoint: dt must be positive, got " +
                                std::to_string(options_.dt));
  if (options_.adjoint_iterations < 0)
    throw std::invalid_argument("StochasticAdjoint: adjoint_iterations must be >= 0");
  reversible_ = dynamic_cast<ReversibleHeun*>(stepper_.get()) != nullptr;
}

torch::Tensor StochasticAdjoint::output_cotangent(std::int64_t n, const torch::Tensor& grad) const {
  torch::Tensor sum;
  for (const auto& [j, coef] : readers_[static_cast<std::size_t>(n)]) {
    auto term = coef == 1.0 ? grad[j] : grad[j] * coef;
    sum = sum.defined() ? sum + term : term.clone();
  }
  return sum;
}

SdeintResult StochasticAdjoint::forward(Sde& sde, const torch::Tensor& y0,
                                        const std::vector<double>& ts, BrownianSource& brownian) {
  check_times(ts);
  check_state(sde, y0);
  stepper_->check(sde);
  if (stepper_->needs_levy_area() && !brownian.has_levy_area())
    throw std::invalid_argument(std::string("StochasticAdjoint: solver '") + stepper_->name() +
                                "' needs the space-time Levy area, but the Brownian source has none");
  torch::NoGradGuard no_grad;
  ts_ = ts;
  plan_ = plan_steps(ts, options_.dt, options_.grid);
  readers_.assign(plan_.grid.size(), {});
  for (std::size_t j = 0; j < ts.size(); ++j) {
    const auto& out = plan_.outputs[j];
    const auto jj = static_cast<std::int64_t>(j);
    if (out.weight == 0.0) {
      readers_[static_cast<std::size_t>(out.index)].push_back({jj, 1.0});
    } else {
      readers_[static_cast<std::size_t>(out.index)].push_back({jj, 1.0 - out.weight});
      readers_[static_cast<std::size_t>(out.index + 1)].push_back({jj, out.weight});
    }
  }
  brownian_ = &brownian;

  torch::Tensor y = y0.detach(), extras;
  if (sde.extra_size() > 0) extras = torch::zeros({y.size(0), sde.extra_size()}, y.options());
  const auto T = static_cast<std::int64_t>(ts.size());
  auto states = torch::empty({T, y.size(0), y.size(1)}, y.options());
  torch::Tensor extra_states;
  if (extras.defined()) extra_states = torch::empty({T, y.size(0), extras.size(1)}, y.options());

  stepper_->reset(sde, ts.front(), y);
  steps_ = walk_plan(*stepper_, sde, brownian, plan_, y, extras,
                     [&](std::size_t j, const torch::Tensor& state, const torch::Tensor& extra) {
                       states[static_cast<std::int64_t>(j)].copy_(state);
                       if (extra.defined()) extra_states[static_cast<std::int64_t>(j)].copy_(extra);
                     });
  y_final_ = y;
  if (reversible_) y_hat_final_ = static_cast<ReversibleHeun*>(stepper_.get())->y_hat;
  SdeintResult result;
  result.states = states;
  result.extras = extra_states;
  return result;
}

torch::Tensor StochasticAdjoint::backward(Sde& sde, const torch::Tensor& grad_states,
                                          const torch::Tensor& grad_extras) {
  if (!brownian_ || !y_final_.defined())
    throw std::logic_error("StochasticAdjoint::backward called before forward");
  const auto T = static_cast<std::int64_t>(ts_.size());
  if (T < 2) return grad_states.defined() ? grad_states[0].clone() : torch::Tensor();
  if (!grad_states.defined() || grad_states.dim() != 3 || grad_states.size(0) != T)
    throw std::invalid_argument("StochasticAdjoint::backward: grad_states must be [" +
                                std::to_string(T) + ", batch, d]");
  if (grad_extras.defined() && (grad_extras.dim() != 3 || grad_extras.size(0) != T))
    throw std::invalid_argument("StochasticAdjoint::backward: grad_extras must be [" +
                                std::to_string(T) + ", batch, e] or undefined");
  return reversible_ ? backward_reversible_heun(sde, grad_states, grad_extras)
                     : backward_generic(sde, grad_states, grad_extras);
}

// Generic one-step methods: reconstruct y_n from y_{n+1} by fixed-point iteration, then
// the VJP of the step at y_n (see the header).
torch::Tensor StochasticAdjoint::backward_generic(Sde& sde, const torch::Tensor& grad_states,
                                                  const torch::Tensor& grad_extras) {
  const bool with_extras = sde.extra_size() > 0 && grad_extras.defined();
  const std::int64_t N = plan_.steps();
  torch::Tensor a = output_cotangent(N, grad_states);
  torch::Tensor a_e = with_extras ? output_cotangent(N, grad_extras) : torch::Tensor();
  torch::Tensor y_next = y_final_;

  for (std::int64_t n = N - 1; n >= 0; --n) {
    const double t = plan_.grid[n], h = plan_.grid[n + 1] - t;
    const auto dW = brownian_->increment(t, plan_.grid[n + 1]);
    torch::Tensor y = y_next;
    {
      torch::NoGradGuard no_grad;
      for (int k = 0; k < options_.adjoint_iterations; ++k) {
        torch::Tensor phi = y.clone(), none;
        stepper_->step(sde, t, h, dW, phi, none);
        y = y + (y_next - phi);
      }
    }
    auto leaf = y.detach().requires_grad_(true);
    torch::Tensor out = leaf, extras_out;
    if (with_extras) extras_out = torch::zeros({y.size(0), sde.extra_size()}, y.options());
    {
      torch::AutoGradMode enable(true);
      stepper_->step(sde, t, h, dW, out, extras_out);
      backward_on({out, extras_out}, {a, a_e});
    }
    a = add_defined(grad_or_zeros(leaf), output_cotangent(n, grad_states));
    if (with_extras) a_e = add_defined(a_e, output_cotangent(n, grad_extras));
    // The VJP's forward evaluation is one more fixed-point iterate for free.
    y_next = y + (y_next - out.detach());
  }
  return a;
}

// Reversible Heun: exact algebraic reversal. Forward step n (h, dW):
//   u = y_hat_{n+1} = 2 y_n - y_hat_n + mu_n h + g_n dW
//   (mu, g, r)_{n+1} = F(t_{n+1}, u)
//   y_{n+1} = y_n + (mu_n + mu_{n+1}) h/2 + (g_n + g_{n+1}) dW/2,  e_{n+1} = e_n + (r_n + r_{n+1}) h/2
// Cotangents (A_y, A_hat, A_mu, A_g, A_r) of the carried state at n+1 are pulled back to n
// with one VJP of F at u per step; F at the reconstructed y_hat_n is evaluated once with a
// graph and serves both the reconstruction of y_n and the next step's VJP.
torch::Tensor StochasticAdjoint::backward_reversible_heun(Sde& sde,
                                                          const torch::Tensor& grad_states,
                                                          const torch::Tensor& grad_extras) {
  const bool with_extras = sde.extra_size() > 0 && grad_extras.defined();
  torch::AutoGradMode enable(true);

  const std::int64_t N = plan_.steps();
  torch::Tensor A_y = output_cotangent(N, grad_states);
  torch::Tensor a_e = with_extras ? output_cotangent(N, grad_extras) : torch::Tensor();
  torch::Tensor y = y_final_, y_hat = y_hat_final_;

  // F at the final y_hat, at the time the forward evaluated it (the last step's t + h).
  const double t_last = plan_.grid[N - 1] + (plan_.grid[N] - plan_.grid[N - 1]);
  auto leaf = y_hat.detach().requires_grad_(true);
  auto F = sde.evaluate(t_last, leaf, with_extras);
  torch::Tensor A_hat = torch::zeros_like(y);
  torch::Tensor A_mu = torch::zeros_like(F.drift);
  torch::Tensor A_g = torch::zeros_like(F.diffusion);
  torch::Tensor A_r = with_extras ? torch::zeros_like(F.extra_rate) : torch::Tensor();

  for (std::int64_t n = N - 1; n >= 0; --n) {
    const double t = plan_.grid[n], h = plan_.grid[n + 1] - t;
    const auto dW = brownian_->increment(t, plan_.grid[n + 1]).W;
    const auto mu1 = F.drift.detach(), g1 = F.diffusion.detach();
    // Reconstruct y_hat_n, evaluate F there (with a graph for the next VJP), then y_n.
    torch::Tensor y_hat_prev, y_prev, leaf_prev;
    SdeEvaluation F_prev;
    {
      torch::NoGradGuard no_grad;
      y_hat_prev = 2 * y - y_hat - mu1 * h - sde.noise_term(g1, dW);
    }
    leaf_prev = y_hat_prev.requires_grad_(true);
    F_prev = sde.evaluate(t, leaf_prev, with_extras);
    {
      torch::NoGradGuard no_grad;
      y_prev = y - (F_prev.drift.detach() + mu1) * (0.5 * h) -
               sde.noise_term(F_prev.diffusion.detach() + g1, dW) * 0.5;
    }
    // Pull the cotangents of F(t_{n+1}, u) back to u.
    auto cot_mu = A_mu + A_y * (0.5 * h);
    auto cot_g = A_g + noise_cotangent(sde, A_y * 0.5, dW);
    torch::Tensor cot_r = with_extras ? A_r + a_e * (0.5 * h) : torch::Tensor();
    backward_on({F.drift, F.diffusion, F.extra_rate}, {cot_mu, cot_g, cot_r});
    auto A_u = A_hat + grad_or_zeros(leaf);
    // Through u = 2 y_n - y_hat_n + mu_n h + g_n dW and y_{n+1}'s dependence on (mu_n, g_n).
    A_mu = A_y * (0.5 * h) + A_u * h;
    A_g = noise_cotangent(sde, A_y * 0.5 + A_u, dW);
    if (with_extras) A_r = a_e * (0.5 * h);
    A_y = add_defined(A_y + 2 * A_u, output_cotangent(n, grad_states));
    A_hat = -A_u;
    if (with_extras) a_e = add_defined(a_e, output_cotangent(n, grad_extras));

    y = y_prev;
    y_hat = y_hat_prev.detach();
    leaf = leaf_prev;
    F = std::move(F_prev);
  }
  // At t0 the carried state is (y0, y0, F(t0, y0)): all three cotangents meet at y0.
  backward_on({F.drift, F.diffusion, F.extra_rate}, {A_mu, A_g, A_r});
  return A_y + A_hat + grad_or_zeros(leaf);
}

}  // namespace sdebench
