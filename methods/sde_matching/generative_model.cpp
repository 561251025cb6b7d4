#include "methods/sde_matching/generative_model.h"

#include <cmath>
#include <vector>

namespace sdebench {

GenerativeModelImpl::GenerativeModelImpl(const GenerativeModelConfig& config) : config_(config) {
  const auto d = config.latent;
  m0 = register_parameter("m0", torch::zeros({d}));
  log_s0 = register_parameter("log_s0", torch::zeros({d}));
  prior_drift = register_module(
      "prior_drift", MLP(d + (config.prior_time_input ? 1 : 0), std::vector<std::int64_t>(config.prior_layers, config.prior_width), d,
                         config.prior_activation));
  diffusion = register_module(
      "diffusion", DiagonalDiffusion(d, config.diffusion_width, config.diffusion_activation,
                                     config.diffusion_max));
  observation = register_module(
      "observation", ObservationModel(with_sizes(config.observation, d, config.data_dims)));
}

torch::Tensor GenerativeModelImpl::drift(const torch::Tensor& t, const torch::Tensor& z) {
  if (!config_.prior_time_input) return prior_drift->forward(z);
  auto leading = z.sizes().vec();
  leading.back() = 1;
  return prior_drift->forward(torch::cat({t.to(z.scalar_type()).unsqueeze(-1).expand(leading), z}, -1));
}

torch::Tensor GenerativeModelImpl::decode(const torch::Tensor& z) { return observation->mean(z); }

torch::Tensor GenerativeModelImpl::neg_log_likelihood(const torch::Tensor& x,
                                                      const torch::Tensor& mask,
                                                      const torch::Tensor& z) {
  return observation->neg_log_likelihood(x, mask, z);
}

torch::Tensor GenerativeModelImpl::kl_initial(const torch::Tensor& mu,
                                              const torch::Tensor& log_sigma) const {
  // KL(N(mu, s^2) || N(m0, s0^2)) = log s0 - log s + (s^2 + (mu - m0)^2) / (2 s0^2) - 1/2.
  auto inv_var0 = torch::exp(-2 * log_s0);
  auto kl = (log_s0 - log_sigma) +
            0.5 * (torch::exp(2 * log_sigma) + (mu - m0).square()) * inv_var0 - 0.5;
  return kl.sum(-1);
}

torch::Tensor GenerativeModelImpl::sample_initial(std::int64_t n) const {
  auto eps = torch::randn({n, config_.latent}, m0.options());
  return m0 + torch::exp(log_s0) * eps;
}

SdeEvaluation PriorSde::evaluate(double t, const torch::Tensor& y, bool with_extras) {
  SdeEvaluation e;
  e.drift = drift(t, y);
  e.diffusion = model_.diffusion->forward(y);
  return e;
}

}  // namespace sdebench
