// Sampling and forecasting: simulate the learned prior with core's sdeint.
#include <stdexcept>
#include <vector>

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
  if (config_.posterior.encoder_frames > 0) return forecast_from_first_frames(batch, context, times, num_samples);
  auto enc = posterior->encode(batch.values.narrow(1, 0, context),
                               batch.mask.narrow(1, 0, context),
                               batch.times.narrow(0, 0, context));
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
  auto code = posterior->first_frames->forward(batch.values.narrow(1, 0, k),
                                               batch.mask.narrow(1, 0, k));
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

}  // namespace sdebench
