#include "methods/sde_matching/loss.h"

#include <stdexcept>

#include "methods/sde_matching/posterior_drift.h"

namespace sdebench {

namespace {

struct TimeFrame {
  double t0, t1;
};

TimeFrame frame_of(const torch::Tensor& times) {
  auto tt = times.to(torch::kFloat64);
  return {tt[0].item<double>(), tt[-1].item<double>()};
}

// E_q 1/2 |(f - h)/g|^2 at the given marginal parameters and noise: [B, K].
torch::Tensor diff_integrand(GenerativeModelImpl& model, const torch::Tensor& mu,
                             const torch::Tensor& log_sigma, const torch::Tensor& dmu_dt,
                             const torch::Tensor& dlog_sigma_dt, const torch::Tensor& eps) {
  auto sigma = torch::exp(log_sigma);
  auto z = mu + sigma * eps;
  auto [g, dg_dz] = model.diffusion->forward_with_derivative(z);
  auto f = posterior_drift(dmu_dt, sigma * dlog_sigma_dt, eps, sigma, g, dg_dz);
  auto h = model.drift(z);
  return 0.5 * ((f - h) / g).square().sum(-1);
}

torch::Tensor gather_steps(const torch::Tensor& x, const torch::Tensor& index) {
  // x [B, T, D], index [B, K] -> [B, K, D]
  return torch::gather(x, 1, index.unsqueeze(-1).expand({-1, -1, x.size(2)}));
}

}  // namespace

RecEstimator parse_rec_estimator(const std::string& name) {
  if (name == "single") return RecEstimator::Single;
  if (name == "unbiased") return RecEstimator::Unbiased;
  if (name == "all") return RecEstimator::All;
  throw std::invalid_argument("rec_estimator must be 'single', 'unbiased' or 'all', got '" + name +
                              "'");
}

LossNoise draw_loss_noise(std::int64_t batch, std::int64_t time_samples, const torch::Tensor& times,
                          std::int64_t latent, torch::ScalarType dtype, RecEstimator estimator) {
  const auto frame = frame_of(times);
  auto opts = torch::TensorOptions().dtype(dtype);
  LossNoise n;
  n.t_diff = torch::rand({batch, time_samples}, opts) * (frame.t1 - frame.t0) + frame.t0;
  n.eps_diff = torch::randn({batch, time_samples, latent}, opts);
  const auto T = times.size(0);
  if (estimator == RecEstimator::All) {
    n.rec_index = torch::arange(T, torch::kLong).unsqueeze(0).expand({batch, T}).contiguous();
    n.eps_rec = torch::randn({batch, T, latent}, opts);
  } else {
    n.rec_index = torch::randint(T, {batch, time_samples}, torch::kLong);
    n.eps_rec = torch::randn({batch, time_samples, latent}, opts);
  }
  return n;
}

LossParts sde_matching_loss(GenerativeModelImpl& model, PosteriorImpl& posterior,
                            const Batch& batch, const LossNoise& noise, RecEstimator estimator) {
  const auto B = batch.values.size(0), T = batch.values.size(1);
  const auto K = noise.t_diff.size(1);
  const auto frame = frame_of(batch.times);
  auto enc = posterior.encode(batch.values, batch.mask, batch.times);

  // One pass of the marginal network for all query times: [t0 | t_diff (K) | t_rec (K)].
  auto times = batch.times.to(batch.values.scalar_type());
  auto t_rec = times.index({noise.rec_index});
  auto t0 = torch::full({B, 1}, frame.t0, batch.values.options());
  auto query = torch::cat({t0, noise.t_diff, t_rec}, 1);
  auto m = posterior.marginal(enc, query, /*time_derivative=*/true);

  LossParts parts;
  parts.prior = model.kl_initial(m.mu.select(1, 0), m.log_sigma.select(1, 0));

  auto part = [&](const torch::Tensor& x, std::int64_t from) { return x.narrow(1, from, K); };
  parts.diff = diff_integrand(model, part(m.mu, 1), part(m.log_sigma, 1), part(m.dmu_dt, 1),
                              part(m.dlog_sigma_dt, 1), noise.eps_diff)
                   .mean(1) *
               (frame.t1 - frame.t0);

  const auto R = noise.rec_index.size(1);
  auto z_rec = m.mu.narrow(1, 1 + K, R) + torch::exp(m.log_sigma.narrow(1, 1 + K, R)) * noise.eps_rec;
  auto x = gather_steps(batch.values, noise.rec_index);
  auto mask = gather_steps(batch.mask, noise.rec_index);
  parts.rec = model.neg_log_likelihood(x, mask, z_rec).mean(1);
  // "all" draws every index once (R = T), so T times the mean is the sum.
  if (estimator != RecEstimator::Single) parts.rec = parts.rec * static_cast<double>(T);
  return parts;
}

std::map<std::string, double> evaluate_nelbo(GenerativeModelImpl& model, PosteriorImpl& posterior,
                                             const Batch& batch, std::int64_t time_samples,
                                             std::int64_t num_samples) {
  torch::NoGradGuard no_grad;
  const auto B = batch.values.size(0), T = batch.values.size(1);
  const auto d = model.config().latent;
  const auto frame = frame_of(batch.times);
  const double span = frame.t1 - frame.t0;
  auto opts = batch.values.options();
  auto enc = posterior.encode(batch.values, batch.mask, batch.times);

  auto m0 = posterior.marginal(enc, torch::full({B, 1}, frame.t0, opts), false);
  auto prior = model.kl_initial(m0.mu.select(1, 0), m0.log_sigma.select(1, 0));

  auto obs_times = batch.times.to(opts.dtype()).unsqueeze(0).expand({B, T});
  auto m_obs = posterior.marginal(enc, obs_times, false);
  const auto observed = batch.mask.sum().item<double>();
  auto mse = ((model.decode(m_obs.mu) - batch.values).square() * batch.mask).sum().item<double>() /
             std::max(observed, 1.0);

  auto diff = torch::zeros({B}, opts), rec = torch::zeros({B}, opts);
  auto strata = torch::arange(time_samples, opts).unsqueeze(0);
  for (std::int64_t s = 0; s < num_samples; ++s) {
    auto t = frame.t0 + span * (strata + torch::rand({B, time_samples}, opts)) / time_samples;
    auto m = posterior.marginal(enc, t, true);
    diff += diff_integrand(model, m.mu, m.log_sigma, m.dmu_dt, m.dlog_sigma_dt,
                           torch::randn({B, time_samples, d}, opts))
                .mean(1) *
            span;
    auto z = m_obs.mu + torch::exp(m_obs.log_sigma) * torch::randn({B, T, d}, opts);
    rec += model.neg_log_likelihood(batch.values, batch.mask, z).sum(1);
  }
  diff /= static_cast<double>(num_samples);
  rec /= static_cast<double>(num_samples);
  const double p = prior.mean().item<double>(), df = diff.mean().item<double>(),
               r = rec.mean().item<double>();
  return {{"nelbo", p + df + r}, {"prior", p}, {"diff", df}, {"rec", r}, {"mse", mse}};
}

}  // namespace sdebench
