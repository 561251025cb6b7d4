// Evaluation (test NELBO), prior samples and conditional forecasts: the same interface as
// SDE Matching's, simulated with core's sdeint and no graph.
#include <algorithm>
#include <stdexcept>

#include "core/sdeint.h"
#include "methods/latent_sde/latent_sde.h"
#include "methods/latent_sde/latent_sde_sde.h"

namespace sdebench {

std::map<std::string, double> LatentSde::evaluate(const Batch& batch, const EvalOptions& options) {
  torch::NoGradGuard no_grad;
  const auto S = std::max<std::int64_t>(1, options.num_samples);
  auto b = to_dtype(batch);
  Batch repeated{b.per_sequence() ? b.times.repeat_interleave(S, 0) : b.times,
                 b.values.repeat_interleave(S, 0), b.mask.repeat_interleave(S, 0),
                 b.per_sequence() ? b.lengths.repeat_interleave(S, 0) : b.lengths};
  const auto grid = solve_grid(repeated);
  auto enc = encode(repeated);
  auto kl0 = model->kl_initial(enc.mean, enc.log_std);
  auto sde = posterior_sde(repeated, grid, enc);
  const SdeintOptions opts = solve_options(next_seed());
  auto solution = sdeint(sde, enc.z0, grid.times, opts);
  auto rec = model
                 ->neg_log_likelihood(repeated.values.transpose(0, 1),
                                      repeated.mask.transpose(0, 1),
                                      at_observations(repeated, grid, solution.states))
                 .sum(0);
  auto kl_path = solution.extras[-1].sum(-1);
  // The learned diffusion's mean along the posterior paths at the solver grid's times: how much
  // noise the prior adds per unit time (SDE Matching reports the same key).
  const auto d = solution.states.size(-1);
  auto diffusion_mean = model->diffusion_forward(solution.states.reshape({-1, d})).mean();
  return {{"nelbo", (rec + kl0 + kl_path).mean().item<double>()},
          {"rec", rec.mean().item<double>()},
          {"kl0", kl0.mean().item<double>()},
          {"kl_path", kl_path.mean().item<double>()},
          {"diffusion_mean", diffusion_mean.item<double>()}};
}

torch::Tensor LatentSde::latent_path(const Batch& batch) {
  torch::NoGradGuard no_grad;
  auto b = to_dtype(batch);
  const auto grid = solve_grid(b);
  auto enc = encode(b);
  auto sde = posterior_sde(b, grid, enc);
  auto states = sdeint(sde, enc.z0, grid.times, solve_options(next_seed())).states;
  return at_observations(b, grid, states).transpose(0, 1).contiguous();
}

torch::Tensor LatentSde::sample(const torch::Tensor& times, std::int64_t n) {
  torch::NoGradGuard no_grad;
  const auto ts = to_time_vector(times);
  if (ts.empty()) throw std::invalid_argument("latent_sde::sample: empty times");
  auto z0 = model->sample_initial(n);
  torch::Tensor states = z0.unsqueeze(0);
  if (ts.size() > 1) {
    LatentPriorSde sde(*model, solver_calculus(config_.solver.method));
    const SdeintOptions opts = solve_options(next_seed());
    states = sdeint(sde, z0, ts, opts).states;
  }
  return model->decode(states).permute({1, 0, 2}).contiguous();  // decoder mean, [n, T, D]
}

torch::Tensor LatentSde::forecast(const Batch& observed, std::int64_t context,
                                  const torch::Tensor& times, std::int64_t num_samples) {
  torch::NoGradGuard no_grad;
  if (observed.per_sequence()) return forecast_per_sequence(observed, context, times, num_samples);
  const auto B = observed.values.size(0);
  if (context < 1 || context > observed.values.size(1))
    throw std::invalid_argument("latent_sde::forecast: context must be in [1, " +
                                std::to_string(observed.values.size(1)) + "], got " +
                                std::to_string(context));
  const auto S = std::max<std::int64_t>(1, num_samples);
  auto b = to_dtype(observed);
  Batch ctx_batch{b.times.narrow(0, 0, context),
                  b.values.narrow(1, 0, context).repeat_interleave(S, 0),
                  b.mask.narrow(1, 0, context).repeat_interleave(S, 0), torch::Tensor()};
  const auto obs_ts = to_time_vector(ctx_batch.times);
  const double t_k = obs_ts.back();
  const auto ts = to_time_vector(times);
  // With forecast_with = "posterior" every time is solved by the posterior SDE: its context,
  // from the context frames alone, holds past the last of them.
  const bool posterior_throughout = config_.forecast_with == "posterior";
  std::vector<double> inside, after{t_k};
  for (double t : ts) (posterior_throughout || t <= t_k ? inside : after).push_back(t);

  // Posterior over the context window (on the union of its observation and query times; with
  // forecast_with = "posterior" that union holds every query time).
  auto enc = encode(ctx_batch);
  std::vector<double> grid = obs_ts;
  grid.insert(grid.end(), inside.begin(), inside.end());
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  torch::Tensor post = enc.z0.unsqueeze(0);  // [len(grid), BS, d]
  if (grid.size() > 1) {
    LatentPosteriorSde sde(*model, obs_ts, enc.projection.unbind(0),
                           solver_calculus(config_.solver.method));
    const SdeintOptions opts = solve_options(next_seed());
    post = sdeint(sde, enc.z0, grid, opts).states;
  }
  std::vector<torch::Tensor> states;
  for (double t : inside) {
    auto i = std::lower_bound(grid.begin(), grid.end(), t) - grid.begin();
    states.push_back(post[i]);
  }
  // Then the prior from the last context time.
  auto z_k = post[static_cast<std::int64_t>(
      std::lower_bound(grid.begin(), grid.end(), t_k) - grid.begin())];
  if (after.size() > 1) {
    LatentPriorSde prior(*model, solver_calculus(config_.solver.method));
    const SdeintOptions opts = solve_options(next_seed());
    auto future = sdeint(prior, z_k, after, opts).states;
    for (std::int64_t i = 1; i < future.size(0); ++i) states.push_back(future[i]);
  }
  auto x = model->decode(torch::stack(states));  // [T, B*S, D] (sequence-major)
  const auto T = x.size(0), D = x.size(2);
  return x.view({T, B, S, D}).permute({2, 1, 0, 3}).contiguous();  // [S, B, T, D]
}

}  // namespace sdebench

namespace sdebench {

torch::Tensor LatentSde::forecast_per_sequence(const Batch& observed, std::int64_t context,
                                               const torch::Tensor& times,
                                               std::int64_t num_samples) {
  const auto B = observed.values.size(0);
  if (config_.forecast_with == "posterior")
    throw std::invalid_argument("latent_sde::forecast: forecast_with = \"posterior\" is not "
                                "available for per-sequence times (use \"prior\")");
  if (times.dim() != 2 || times.size(0) != B)
    throw std::invalid_argument("latent_sde::forecast: a batch with per-sequence times needs "
                                "query times [B, T]");
  const auto shortest = observed.lengths.min().item<std::int64_t>();
  if (context < 1 || context > shortest)
    throw std::invalid_argument("latent_sde::forecast: context must be in [1, " +
                                std::to_string(shortest) + "] (the shortest sequence), got " +
                                std::to_string(context));
  const auto S = std::max<std::int64_t>(1, num_samples);
  auto b = to_dtype(observed);
  // Every row's first `context` observations, once per sample (sample s of row b at s B + b).
  Batch ctx_batch{b.times.narrow(1, 0, context).repeat({S, 1}),
                  b.values.narrow(1, 0, context).repeat({S, 1, 1}),
                  b.mask.narrow(1, 0, context).repeat({S, 1, 1}),
                  torch::full({S * B}, context, torch::kLong)};
  auto query = times.to(torch::kFloat64);
  auto t_k = b.times.to(torch::kFloat64).select(1, context - 1);  // [B]
  auto query_lengths = b.lengths.to(torch::kLong);

  // The posterior from each row's first to its last context time, on the grid of its context
  // and its query times up to t_k (later query times are clamped to t_k, already on the grid).
  auto enc = encode(ctx_batch);
  auto inside_query = torch::minimum(query, t_k.unsqueeze(1)).repeat({S, 1});
  Batch solve_batch{torch::cat({ctx_batch.times.to(torch::kFloat64), inside_query}, 1), ctx_batch.values,
                    ctx_batch.mask, ctx_batch.lengths};
  SolveGrid grid;
  grid.own = relative_time_grid(solve_batch.times, ctx_batch.lengths + query.size(1),
                                ctx_batch.times.select(1, 0));
  grid.times = grid.own.times;
  // posterior_sde reads each row's observations from the slots' first `context` columns.
  SolveGrid obs_grid = grid;
  obs_grid.own.slot = grid.own.slot.narrow(1, 0, context);
  torch::Tensor post = enc.z0.unsqueeze(0);
  if (grid.times.size() > 1) {
    auto sde = posterior_sde(ctx_batch, obs_grid, enc);
    post = sdeint(sde, enc.z0, grid.times, solve_options(next_seed())).states;  // [U, S B, d]
  }
  const auto d = config_.model.latent;
  auto inside = gather_at_slots(post, grid.own.slot.narrow(1, context, query.size(1)).narrow(0, 0, B), S);
  auto last = obs_grid.own.slot.select(1, context - 1);  // [S B]
  auto z_k = post.gather(0, last.to(post.device()).view({1, S * B, 1}).expand({1, S * B, d})).squeeze(0);

  // Then the prior from each row's t_k, on one grid of times since it (time-homogeneous).
  auto after_grid = relative_time_grid(query, query_lengths, t_k);
  torch::Tensor prior_states = z_k.unsqueeze(0);
  if (after_grid.size() > 1) {
    LatentPriorSde prior(*model, solver_calculus(config_.solver.method));
    prior_states = sdeint(prior, z_k, after_grid.times, solve_options(next_seed())).states;
  }
  auto after = gather_at_slots(prior_states, after_grid.slot, S);  // [S, B, T, d]
  auto later = (query > t_k.unsqueeze(1)).view({1, B, -1, 1}).to(after.device());
  return model->decode(torch::where(later, after, inside)).contiguous();  // [S, B, T, D]
}

}  // namespace sdebench
