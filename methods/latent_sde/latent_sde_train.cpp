// The two gradient modes of one training step.
#include <torch/torch.h>

#include "core/adjoint/stochastic_adjoint.h"
#include "core/brownian.h"
#include "core/sdeint.h"
#include "core/solvers/stepper.h"
#include "methods/latent_sde/latent_sde.h"
#include "methods/latent_sde/latent_sde_sde.h"

namespace sdebench {

namespace {

LossTerms make_terms(double rec, double kl0, double kl_path, double kl_weight) {
  LossTerms terms;
  terms.total = rec + kl_weight * (kl0 + kl_path);
  terms.terms = {{"rec", rec},
                 {"kl0", kl0},
                 {"kl_path", kl_path},
                 {"nelbo", rec + kl0 + kl_path}};  // the harness records kl_weight itself
  return terms;
}

}  // namespace

LossTerms LatentSde::train_backprop(const Batch& batch, const StepContext& context) {
  const auto ts = to_time_vector(batch.times);
  const auto B = batch.values.size(0);
  auto enc = encode(batch);
  auto kl0 = model->kl_initial(enc.mean, enc.log_std).mean();
  const bool levy = make_stepper(config_.solver)->needs_levy_area();
  // The same Brownian interval as the adjoint, so both modes see the same path for a seed.
  BrownianInterval brownian(ts.front(), ts.back(), {B, config_.model.latent, dtype_}, next_seed(),
                            BrownianIntervalOptions{24, 256, levy});

  LatentPosteriorSde sde(*model, ts, enc.projection.unbind(0), solver_calculus(config_.solver));
  SdeintOptions options;
  options.method = config_.solver;
  options.dt = config_.dt;
  options.grid = config_.time_grid;
  options.brownian = &brownian;
  auto solution = sdeint(sde, enc.z0, ts, options);

  auto rec = model
                 ->neg_log_likelihood(batch.values.transpose(0, 1), batch.mask.transpose(0, 1),
                                      solution.states)
                 .sum(0)
                 .mean();
  auto kl_path = solution.extras[-1].sum(-1).mean();
  auto loss = rec + context.kl_weight * (kl0 + kl_path);
  loss.backward();
  return make_terms(rec.item<double>(), kl0.item<double>(), kl_path.item<double>(),
                    context.kl_weight);
}

LossTerms LatentSde::train_adjoint(const Batch& batch, const StepContext& context) {
  const auto ts = to_time_vector(batch.times);
  const auto T = static_cast<std::int64_t>(ts.size());
  const auto B = batch.values.size(0);
  auto enc = encode(batch);
  auto kl0 = model->kl_initial(enc.mean, enc.log_std).mean();
  StochasticAdjoint adjoint(
      {config_.solver, config_.dt, config_.adjoint_iterations, config_.time_grid});
  const bool levy = make_stepper(config_.solver)->needs_levy_area();
  BrownianInterval brownian(ts.front(), ts.back(), {B, config_.model.latent, dtype_}, next_seed(),
                            BrownianIntervalOptions{24, 256, levy});

  // The SDE sees the context projection through one leaf per observation piece, so the
  // backward sweep accumulates their gradients without touching the encoder's graph.
  // Their .grad are preallocated views of one [T, B, H] buffer, which autograd then
  // accumulates into in place, so the encoder's backward needs no extra stacking copy.
  auto pieces = enc.projection.detach().unbind(0);
  auto piece_grads = torch::zeros_like(enc.projection);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    pieces[i].requires_grad_(true);
    pieces[i].mutable_grad() = piece_grads[static_cast<std::int64_t>(i)];
  }
  LatentPosteriorSde sde(*model, ts, pieces, solver_calculus(config_.solver));

  auto solution = adjoint.forward(sde, enc.z0.detach(), ts, brownian);
  auto states = solution.states.requires_grad_(true);
  auto rec = model
                 ->neg_log_likelihood(batch.values.transpose(0, 1), batch.mask.transpose(0, 1),
                                      states)
                 .sum(0)
                 .mean();
  rec.backward();  // decoder gradients and dL/dz at the observation times
  const double kl_path = solution.extras[T - 1].sum(-1).mean().item<double>();

  auto grad_extras = torch::zeros_like(solution.extras);
  grad_extras[T - 1].fill_(context.kl_weight / static_cast<double>(B));
  auto grad_z0 = adjoint.backward(sde, states.grad(), grad_extras);

  for (std::size_t i = 0; i < pieces.size(); ++i) {
    // Autograd accumulates in place into a defined .grad; should it ever replace one, copy.
    const auto& g = pieces[i].grad();
    auto slot = piece_grads[static_cast<std::int64_t>(i)];
    if (g.defined() && !g.is_same(slot) && g.data_ptr() != slot.data_ptr()) slot.copy_(g);
  }
  auto weighted_kl0 = kl0 * context.kl_weight;
  torch::autograd::backward({enc.z0, enc.projection, weighted_kl0},
                            {grad_z0, piece_grads, torch::ones_like(weighted_kl0)});
  return make_terms(rec.item<double>(), kl0.item<double>(), kl_path, context.kl_weight);
}

}  // namespace sdebench
