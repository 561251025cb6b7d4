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

// E_q 1/2 |(f - h)/g|^2 at times t [B, K], the marginal parameters there and noise: [B, K].
torch::Tensor diff_integrand(GenerativeModelImpl& model, const torch::Tensor& t, const torch::Tensor& mu,
                             const torch::Tensor& log_sigma, const torch::Tensor& dmu_dt,
                             const torch::Tensor& dlog_sigma_dt, const torch::Tensor& eps) {
  auto sigma = torch::exp(log_sigma);
  auto z = mu + sigma * eps;
  auto [g, dg_dz] = model.diffusion->forward_with_derivative(z);
  auto f = posterior_drift(dmu_dt, sigma * dlog_sigma_dt, eps, sigma, g, dg_dz);
  auto h = model.drift(t, z);
  return 0.5 * ((f - h) / g).square().sum(-1);
}

// Per-sequence times: each row's first and last observation time, [B] float64 each.
struct SequenceFrames {
  torch::Tensor t0, t1;
};

SequenceFrames frames_of(const Batch& batch) {
  auto tt = batch.times.to(torch::kFloat64);
  auto last = (batch.lengths - 1).clamp_min(0).unsqueeze(1);
  return {tt.select(1, 0), tt.gather(1, last).squeeze(1)};
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

LossNoise draw_loss_noise(const Batch& batch, std::int64_t time_samples, std::int64_t latent,
                          torch::ScalarType dtype, RecEstimator estimator) {
  const auto B = batch.values.size(0);
  if (!batch.per_sequence())
    return draw_loss_noise(B, time_samples, batch.times, latent, dtype, estimator);
  const auto frames = frames_of(batch);
  auto opts = torch::TensorOptions().dtype(dtype);
  LossNoise n;
  n.t_diff = (torch::rand({B, time_samples}, torch::kFloat64) * (frames.t1 - frames.t0).unsqueeze(1) +
              frames.t0.unsqueeze(1))
                 .to(dtype);
  n.eps_diff = torch::randn({B, time_samples, latent}, opts);
  const auto T = batch.times.size(1);
  if (estimator == RecEstimator::All) {
    n.rec_index = torch::arange(T, torch::kLong).unsqueeze(0).expand({B, T}).contiguous();
    n.eps_rec = torch::randn({B, T, latent}, opts);
  } else {  // uniform over each row's own observations
    auto count = batch.lengths.to(torch::kFloat64).unsqueeze(1);
    n.rec_index = torch::minimum((torch::rand({B, time_samples}, torch::kFloat64) * count).to(torch::kLong),
                                 batch.lengths.unsqueeze(1) - 1);
    n.eps_rec = torch::randn({B, time_samples, latent}, opts);
  }
  return n;
}

LossParts sde_matching_loss(GenerativeModelImpl& model, PosteriorImpl& posterior,
                            const Batch& batch, const LossNoise& noise, RecEstimator estimator) {
  const auto B = batch.values.size(0), T = batch.values.size(1);
  const auto K = noise.t_diff.size(1);
  const bool own = batch.per_sequence();
  auto enc = posterior.encode(batch.values, batch.mask, batch.times, batch.lengths);

  // One pass of the marginal network for all query times: [t0 | t_diff (K) | t_rec (K)].
  auto times = batch.times.to(batch.values.scalar_type());
  torch::Tensor t_rec, t0, span;  // span: [B, 1] per-sequence, else undefined (frame's double)
  TimeFrame frame{0.0, 1.0};
  if (own) {
    const auto frames = frames_of(batch);
    t_rec = times.gather(1, noise.rec_index);
    t0 = frames.t0.to(times.scalar_type()).unsqueeze(1);
    span = (frames.t1 - frames.t0).to(times.scalar_type());
  } else {
    frame = frame_of(batch.times);
    t_rec = times.index({noise.rec_index});
    t0 = torch::full({B, 1}, frame.t0, batch.values.options());
  }
  auto query = torch::cat({t0, noise.t_diff, t_rec}, 1);
  auto m = posterior.marginal(enc, query, /*time_derivative=*/true);

  LossParts parts;
  parts.prior = model.kl_initial(m.mu.select(1, 0), m.log_sigma.select(1, 0));

  auto part = [&](const torch::Tensor& x, std::int64_t from) { return x.narrow(1, from, K); };
  parts.diff = diff_integrand(model, noise.t_diff, part(m.mu, 1), part(m.log_sigma, 1), part(m.dmu_dt, 1),
                              part(m.dlog_sigma_dt, 1), noise.eps_diff)
                   .mean(1);
  parts.diff = own ? parts.diff * span : parts.diff * (frame.t1 - frame.t0);

  const auto R = noise.rec_index.size(1);
  auto z_rec = m.mu.narrow(1, 1 + K, R) + torch::exp(m.log_sigma.narrow(1, 1 + K, R)) * noise.eps_rec;
  auto x = gather_steps(batch.values, noise.rec_index);
  auto mask = gather_steps(batch.mask, noise.rec_index);
  parts.rec = model.neg_log_likelihood(x, mask, z_rec).mean(1);
  // "all" draws every index once (R = T; padding has mask 0), so T times the mean is the sum;
  // "unbiased" scales the mean over uniform draws by the number of observations.
  if (own && estimator == RecEstimator::Unbiased)
    parts.rec = parts.rec * batch.lengths.to(parts.rec.scalar_type());
  else if (estimator != RecEstimator::Single)
    parts.rec = parts.rec * static_cast<double>(T);
  return parts;
}

std::map<std::string, double> evaluate_nelbo(GenerativeModelImpl& model, PosteriorImpl& posterior,
                                             const Batch& batch, std::int64_t time_samples,
                                             std::int64_t num_samples) {
  torch::NoGradGuard no_grad;
  const auto B = batch.values.size(0), T = batch.values.size(1);
  const auto d = model.config().latent;
  auto opts = batch.values.options();
  const bool own = batch.per_sequence();
  // The time frame: one for the batch, or each row's own ([B, 1] tensors then).
  TimeFrame frame{0.0, 1.0};
  torch::Tensor row_t0, row_span;
  if (own) {
    const auto frames = frames_of(batch);
    row_t0 = frames.t0.to(opts.dtype()).unsqueeze(1);
    row_span = (frames.t1 - frames.t0).to(opts.dtype()).unsqueeze(1);
  } else {
    frame = frame_of(batch.times);
  }
  const double span = frame.t1 - frame.t0;
  auto enc = posterior.encode(batch.values, batch.mask, batch.times, batch.lengths);

  auto m0 = posterior.marginal(enc, own ? row_t0 : torch::full({B, 1}, frame.t0, opts), false);
  auto prior = model.kl_initial(m0.mu.select(1, 0), m0.log_sigma.select(1, 0));

  auto obs_times = own ? batch.times.to(opts.dtype())
                       : batch.times.to(opts.dtype()).unsqueeze(0).expand({B, T});
  auto m_obs = posterior.marginal(enc, obs_times, false);
  const auto observed = batch.mask.sum().item<double>();
  auto mse = ((model.decode(m_obs.mu) - batch.values).square() * batch.mask).sum().item<double>() /
             std::max(observed, 1.0);

  // The learned diffusion's mean over these posterior draws at the observed slots (padding
  // left out): how much noise the prior adds per unit time, the forecasts' spread.
  const auto slots = batch.mask.amax(-1);
  auto diff = torch::zeros({B}, opts), rec = torch::zeros({B}, opts), g_sum = torch::zeros({}, opts);
  auto strata = torch::arange(time_samples, opts).unsqueeze(0);
  for (std::int64_t s = 0; s < num_samples; ++s) {
    auto r = strata + torch::rand({B, time_samples}, opts);
    auto t = own ? row_t0 + row_span * r / time_samples : frame.t0 + span * r / time_samples;
    auto m = posterior.marginal(enc, t, true);
    auto integral = diff_integrand(model, t, m.mu, m.log_sigma, m.dmu_dt, m.dlog_sigma_dt,
                                   torch::randn({B, time_samples, d}, opts))
                        .mean(1);
    diff += own ? integral * row_span.squeeze(1) : integral * span;
    auto z = m_obs.mu + torch::exp(m_obs.log_sigma) * torch::randn({B, T, d}, opts);
    rec += model.neg_log_likelihood(batch.values, batch.mask, z).sum(1);
    g_sum += (model.diffusion->forward(z.reshape({-1, d})).view({B, T, d}) * slots.unsqueeze(-1)).sum();
  }
  diff /= static_cast<double>(num_samples);
  rec /= static_cast<double>(num_samples);
  const double p = prior.mean().item<double>(), df = diff.mean().item<double>(),
               r = rec.mean().item<double>();
  const double g = g_sum.item<double>() /
                   (std::max(slots.sum().item<double>(), 1.0) * d * static_cast<double>(num_samples));
  return {{"nelbo", p + df + r}, {"prior", p},   {"diff", df},
          {"rec", r},            {"mse", mse},   {"diffusion_mean", g}};
}

}  // namespace sdebench
