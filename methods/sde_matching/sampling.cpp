// Sampling and forecasting: simulate the learned prior with core's sdeint.
#include <algorithm>
#include <stdexcept>
#include <vector>

#include "core/own_times.h"
#include "core/sdeint.h"
#include "methods/sde_matching/sde_matching.h"

namespace sdebench {

namespace {
std::vector<double> to_vector(const torch::Tensor& times) {
  auto t = times.to(torch::kFloat64).contiguous();
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}
}  // namespace

std::uint64_t SdeMatching::next_seed() const {
  // Seeds come from torch's generator, so torch::manual_seed makes runs reproducible.
  return static_cast<std::uint64_t>(torch::randint(1LL << 62, {1}, torch::kLong).item<int64_t>());
}

SdeintOptions SdeMatching::prior_solver_options() const {
  SdeintOptions o;
  o.method = config_.solver;
  o.dt = config_.solver_dt;
  o.seed = next_seed();  // a fresh Brownian path per call, from torch's generator
  return o;
}

torch::Tensor SdeMatching::sample(const torch::Tensor& times, std::int64_t n) {
  torch::NoGradGuard no_grad;
  const auto ts = to_vector(times);
  if (ts.empty()) throw std::invalid_argument("sde_matching::sample: empty times");
  auto z0 = model->sample_initial(n);
  torch::Tensor states;  // [T, n, d]
  if (ts.size() == 1) {
    states = z0.unsqueeze(0);
  } else {
    PriorSde sde(*model);
    states = sdeint(sde, z0, ts, prior_solver_options()).states;
  }
  return model->decode(states).permute({1, 0, 2}).contiguous();  // decoder mean, [n, T, D]
}

torch::Tensor SdeMatching::forecast(const Batch& observed, std::int64_t context,
                                    const torch::Tensor& times, std::int64_t num_samples) {
  torch::NoGradGuard no_grad;
  const auto B = observed.values.size(0);
  if (context < 1 || context > observed.values.size(1))
    throw std::invalid_argument("sde_matching::forecast: context must be in [1, " +
                                std::to_string(observed.values.size(1)) + "], got " +
                                std::to_string(context));
  const auto d = config_.model.latent;
  auto batch = to_dtype(observed);
  if (batch.per_sequence()) return forecast_per_sequence(batch, context, times, num_samples);
  if (config_.posterior.encoder_frames > 0) return forecast_from_first_frames(batch, context, times, num_samples);
  auto enc = posterior->encode(batch.values.narrow(1, 0, context),
                               batch.mask.narrow(1, 0, context),
                               batch.times.narrow(0, 0, context));
  // With absolute time the attention's width is a width in time: attention_sharpness = 0 keeps
  // the full sequence's count, the width training used, not the context's.
  if (config_.posterior.absolute_time) enc.observations = static_cast<double>(observed.values.size(1));
  const auto ts = to_vector(times);
  const double t_k = observed.times.to(torch::kFloat64)[context - 1].item<double>();
  std::vector<double> inside, after{t_k};
  for (double t : ts) (t <= t_k ? inside : after).push_back(t);

  auto opts = torch::TensorOptions().dtype(dtype_);
  // One eps per path: posterior marginal samples at the context times and at t_k.
  auto eps = torch::randn({num_samples, B, 1, d}, opts);
  std::vector<torch::Tensor> pieces;  // each [S, B, n, d]
  if (!inside.empty()) {
    auto q = torch::tensor(inside, torch::kFloat64).to(dtype_).unsqueeze(0).expand(
        {B, static_cast<std::int64_t>(inside.size())});
    auto m = posterior->marginal(enc, q, false);
    pieces.push_back(m.mu.unsqueeze(0) + torch::exp(m.log_sigma).unsqueeze(0) * eps);
  }
  if (after.size() > 1) {
    auto m = posterior->marginal(enc, torch::full({B, 1}, t_k, opts), false);
    auto z_k = (m.mu.unsqueeze(0) + torch::exp(m.log_sigma).unsqueeze(0) * eps)
                   .reshape({num_samples * B, d});
    PriorSde sde(*model);
    auto states = sdeint(sde, z_k, after, prior_solver_options()).states.narrow(0, 1, after.size() - 1);
    pieces.push_back(states.reshape({-1, num_samples, B, d}).permute({1, 2, 0, 3}));
  }
  return model->decode(torch::cat(pieces, 2)).contiguous();  // [S, B, T, D]
}

torch::Tensor SdeMatching::forecast_from_first_frames(const Batch& batch, std::int64_t context,
                                                      const torch::Tensor& times,
                                                      std::int64_t num_samples) {
  // q(z_0 | first k frames) is what training fitted at t0; the prior runs from there.
  const auto k = config_.posterior.encoder_frames;
  if (context < k)
    throw std::invalid_argument("sde_matching::forecast: the first-frames encoder needs " +
                                std::to_string(k) + " context frames, got " +
                                std::to_string(context));
  const auto B = batch.values.size(0), d = config_.model.latent;
  auto code = posterior->first_frames_code(batch.values, batch.mask);
  auto eps = torch::randn({num_samples, B, d}, code.mean.options());
  auto z0 = (code.mean.unsqueeze(0) + torch::exp(code.log_std).unsqueeze(0) * eps)
                .reshape({num_samples * B, d});
  const double t0 = batch.times.to(torch::kFloat64)[0].item<double>();
  auto ts = to_vector(times);
  const bool has_t0 = !ts.empty() && ts.front() == t0;
  if (!has_t0) ts.insert(ts.begin(), t0);
  torch::Tensor states = z0.unsqueeze(0);
  if (ts.size() > 1) {
    PriorSde sde(*model);
    states = sdeint(sde, z0, ts, prior_solver_options()).states;
  }
  if (!has_t0) states = states.narrow(0, 1, states.size(0) - 1);
  const auto T = states.size(0);
  return model->decode(states.view({T, num_samples, B, d}).permute({1, 2, 0, 3})).contiguous();
}

torch::Tensor SdeMatching::prior_at_relative_times(const torch::Tensor& z_start,
                                                   const torch::Tensor& relative,
                                                   const torch::Tensor& lengths,
                                                   std::int64_t num_samples) {
  // The prior is time-homogeneous (drift and diffusion depend on z only; forecast_per_sequence
  // refuses prior_time_input), so every row can run
  // on one grid of times since its own start (core/own_times.h). Padding slots and times before
  // the start get z_start and do not change the solver's steps.
  const auto grid = relative_time_grid(relative, lengths, torch::zeros({relative.size(0)}));
  torch::Tensor states = z_start.unsqueeze(0);  // [U, S B, d]
  if (grid.size() > 1) {
    PriorSde sde(*model);
    states = sdeint(sde, z_start, grid.times, prior_solver_options()).states;
  }
  return gather_at_slots(states, grid.slot, num_samples);
}

torch::Tensor SdeMatching::forecast_per_sequence(const Batch& batch, std::int64_t context,
                                                 const torch::Tensor& times,
                                                 std::int64_t num_samples) {
  if (times.dim() != 2 || times.size(0) != batch.values.size(0))
    throw std::invalid_argument("sde_matching::forecast: a batch with per-sequence times needs "
                                "query times [B, T]");
  if (config_.model.prior_time_input)
    throw std::invalid_argument("sde_matching::forecast: prior_time_input = true cannot forecast "
                                "a batch with per-sequence times (each row's prior runs on times "
                                "since its own start, which a time-dependent prior drift cannot)");
  const auto B = batch.values.size(0), d = config_.model.latent;
  const auto shortest = batch.lengths.min().item<std::int64_t>();
  if (context > shortest)
    throw std::invalid_argument("sde_matching::forecast: context " + std::to_string(context) +
                                " is longer than the shortest sequence (" +
                                std::to_string(shortest) + " observations)");
  auto query = times.to(torch::kFloat64);
  auto opts = torch::TensorOptions().dtype(dtype_);
  if (config_.posterior.encoder_frames > 0) {
    // q(z_0 | first k frames) at each row's first time, then the prior.
    const auto k = config_.posterior.encoder_frames;
    if (context < k)
      throw std::invalid_argument("sde_matching::forecast: the first-frames encoder needs " +
                                  std::to_string(k) + " context frames, got " +
                                  std::to_string(context));
    auto code = posterior->first_frames_code(batch.values, batch.mask);
    auto eps = torch::randn({num_samples, B, d}, code.mean.options());
    auto z0 = (code.mean.unsqueeze(0) + torch::exp(code.log_std).unsqueeze(0) * eps)
                  .reshape({num_samples * B, d});
    auto t0 = batch.times.to(torch::kFloat64).select(1, 0).unsqueeze(1);
    return model->decode(prior_at_relative_times(z0, query - t0, batch.lengths, num_samples))
        .contiguous();
  }
  // Condition on each row's first `context` observations; up to its t_k the posterior
  // marginal (one eps per path), after it the prior from that path's sample at t_k.
  auto enc = posterior->encode(batch.values.narrow(1, 0, context), batch.mask.narrow(1, 0, context),
                               batch.times.narrow(1, 0, context),
                               torch::full({B}, context, torch::kLong));
  if (config_.posterior.absolute_time) enc.observation_counts = batch.lengths.to(torch::kLong);  // as above
  auto t_k = batch.times.to(torch::kFloat64).select(1, context - 1).unsqueeze(1);  // [B, 1]
  auto eps = torch::randn({num_samples, B, 1, d}, opts);
  auto m = posterior->marginal(enc, query.to(dtype_), false);
  auto inside = m.mu.unsqueeze(0) + torch::exp(m.log_sigma).unsqueeze(0) * eps;  // [S, B, T, d]
  auto m_k = posterior->marginal(enc, t_k.to(dtype_), false);
  auto z_k = (m_k.mu.unsqueeze(0) + torch::exp(m_k.log_sigma).unsqueeze(0) * eps)
                 .reshape({num_samples * B, d});
  auto relative = query - t_k;
  auto after = prior_at_relative_times(z_k, relative, batch.lengths, num_samples);
  auto later = (relative > 0).view({1, B, -1, 1});
  return model->decode(torch::where(later, after, inside)).contiguous();  // [S, B, T, D]
}

}  // namespace sdebench
