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
  Batch repeated{b.times, b.values.repeat_interleave(S, 0), b.mask.repeat_interleave(S, 0)};
  const auto ts = to_time_vector(b.times);
  auto enc = encode(repeated);
  auto kl0 = model->kl_initial(enc.mean, enc.log_std);
  LatentPosteriorSde sde(*model, ts, enc.projection.unbind(0), solver_calculus(config_.solver.method));
  const SdeintOptions opts = solve_options(next_seed());
  auto solution = sdeint(sde, enc.z0, ts, opts);
  auto rec = model
                 ->neg_log_likelihood(repeated.values.transpose(0, 1),
                                      repeated.mask.transpose(0, 1), solution.states)
                 .sum(0);
  auto kl_path = solution.extras[-1].sum(-1);
  return {{"nelbo", (rec + kl0 + kl_path).mean().item<double>()},
          {"rec", rec.mean().item<double>()},
          {"kl0", kl0.mean().item<double>()},
          {"kl_path", kl_path.mean().item<double>()}};
}

torch::Tensor LatentSde::latent_path(const Batch& batch) {
  torch::NoGradGuard no_grad;
  auto b = to_dtype(batch);
  const auto ts = to_time_vector(b.times);
  auto enc = encode(b);
  LatentPosteriorSde sde(*model, ts, enc.projection.unbind(0), solver_calculus(config_.solver.method));
  return sdeint(sde, enc.z0, ts, solve_options(next_seed())).states.transpose(0, 1).contiguous();
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
  const auto B = observed.values.size(0);
  if (context < 1 || context > observed.values.size(1))
    throw std::invalid_argument("latent_sde::forecast: context must be in [1, " +
                                std::to_string(observed.values.size(1)) + "], got " +
                                std::to_string(context));
  const auto S = std::max<std::int64_t>(1, num_samples);
  auto b = to_dtype(observed);
  Batch ctx_batch{b.times.narrow(0, 0, context),
                  b.values.narrow(1, 0, context).repeat_interleave(S, 0),
                  b.mask.narrow(1, 0, context).repeat_interleave(S, 0)};
  const auto obs_ts = to_time_vector(ctx_batch.times);
  const double t_k = obs_ts.back();
  const auto ts = to_time_vector(times);
  std::vector<double> inside, after{t_k};
  for (double t : ts) (t <= t_k ? inside : after).push_back(t);

  // Posterior over the context window (on the union of its observation and query times).
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
