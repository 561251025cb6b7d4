#include "methods/latent_sde/latent_sde_sde.h"

#include <algorithm>
#include <stdexcept>

namespace sdebench {

LatentPosteriorSde::LatentPosteriorSde(LatentSdeModelImpl& model, std::vector<double> obs_times,
                                       std::vector<torch::Tensor> pieces, SdeType type,
                                       std::vector<torch::Tensor> active)
    : Sde(NoiseType::Diagonal, type),
      model_(model),
      obs_times_(std::move(obs_times)),
      pieces_(std::move(pieces)),
      active_(std::move(active)) {
  if (obs_times_.size() != pieces_.size() || pieces_.empty())
    throw std::invalid_argument("LatentPosteriorSde: " + std::to_string(obs_times_.size()) +
                                " observation times but " + std::to_string(pieces_.size()) +
                                " context pieces");
  if (!active_.empty() && active_.size() != pieces_.size())
    throw std::invalid_argument("LatentPosteriorSde: " + std::to_string(pieces_.size()) +
                                " context pieces but " + std::to_string(active_.size()) +
                                " activity masks");
}

torch::Tensor LatentPosteriorSde::only_active(double t, const torch::Tensor& x) const {
  return active_.empty() ? x : x * active_[piece_index(t)];
}

std::vector<torch::Tensor*> LatentPosteriorSde::graph_inputs() {
  std::vector<torch::Tensor*> inputs;
  for (auto& piece : pieces_) inputs.push_back(&piece);
  return inputs;
}

std::size_t LatentPosteriorSde::piece_index(double t) const {
  auto i = static_cast<std::size_t>(std::upper_bound(obs_times_.begin(), obs_times_.end(), t) -
                                    obs_times_.begin());
  return std::min(i, obs_times_.size() - 1);
}

SdeEvaluation LatentPosteriorSde::evaluate(double t, const torch::Tensor& y, bool with_extras) {
  SdeEvaluation e;
  auto f = model_.posterior_drift(y, pieces_[piece_index(t)]);
  const bool strat = sde_type() == SdeType::Stratonovich;
  torch::Tensor g, dg;
  if (strat) {
    std::tie(g, dg) = model_.diffusion->forward_with_derivative(y);
  } else {
    g = model_.diffusion_forward(y);
  }
  if (with_extras) {
    auto u = (f - model_.prior_drift(t, y)) / g;
    e.extra_rate = only_active(t, 0.5 * (u * u).sum(-1, /*keepdim=*/true));
  }
  e.drift = only_active(t, strat ? f - 0.5 * g * dg : f);
  e.diffusion = only_active(t, g);
  return e;
}

torch::Tensor LatentPosteriorSde::drift(double t, const torch::Tensor& y) {
  return evaluate(t, y, false).drift;
}
torch::Tensor LatentPosteriorSde::diffusion(double t, const torch::Tensor& y) {
  return only_active(t, model_.diffusion_forward(y));
}
torch::Tensor LatentPosteriorSde::extra_rate(double t, const torch::Tensor& y) {
  return evaluate(t, y, true).extra_rate;
}
torch::Tensor LatentPosteriorSde::diffusion_derivative(double t, const torch::Tensor& y) {
  // d(a g)/dz = a dg/dz for the row's activity a.
  return only_active(t, model_.diffusion->forward_with_derivative(y).second);  // differentiable
}

LatentPriorSde::LatentPriorSde(LatentSdeModelImpl& model, SdeType type)
    : Sde(NoiseType::Diagonal, type), model_(model) {}

SdeEvaluation LatentPriorSde::evaluate(double t, const torch::Tensor& y, bool with_extras) {
  SdeEvaluation e;
  e.drift = model_.prior_drift(t, y);
  if (sde_type() == SdeType::Stratonovich) {
    auto gd = model_.diffusion->forward_with_derivative(y);
    e.diffusion = gd.first;
    e.drift = e.drift - 0.5 * gd.first * gd.second;
  } else {
    e.diffusion = model_.diffusion_forward(y);
  }
  return e;
}

torch::Tensor LatentPriorSde::drift(double t, const torch::Tensor& y) {
  return evaluate(t, y, false).drift;
}
torch::Tensor LatentPriorSde::diffusion(double t, const torch::Tensor& y) {
  return model_.diffusion_forward(y);
}
torch::Tensor LatentPriorSde::diffusion_derivative(double t, const torch::Tensor& y) {
  return model_.diffusion->forward_with_derivative(y).second;
}

}  // namespace sdebench
