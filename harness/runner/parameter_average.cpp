#include "harness/runner/parameter_average.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sdebench {

ParameterAverage::ParameterAverage(double decay, const std::vector<torch::Tensor>& parameters)
    : decay_(decay) {
  if (!(decay > 0.0 && decay < 1.0))
    throw std::invalid_argument("ParameterAverage: decay must be in (0, 1), got " +
                                std::to_string(decay));
  torch::NoGradGuard no_grad;
  for (const auto& p : parameters) average_.push_back(p.detach().clone());
}

void ParameterAverage::update(const std::vector<torch::Tensor>& parameters) {
  const double t = static_cast<double>(updates_);
  const double d = std::min(decay_, (1.0 + t) / (10.0 + t));
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < average_.size(); ++i) average_[i].mul_(d).add_(parameters[i], 1.0 - d);
  ++updates_;
}

void ParameterAverage::copy_into(const std::vector<torch::Tensor>& parameters) const {
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < average_.size(); ++i) parameters[i].copy_(average_[i]);
}

std::vector<torch::Tensor> ParameterAverage::state() const {
  std::vector<torch::Tensor> out = average_;
  out.push_back(torch::tensor({updates_}, torch::kInt64));
  return out;
}

void ParameterAverage::load_state(const std::vector<torch::Tensor>& state) {
  if (state.size() != average_.size() + 1)
    throw std::runtime_error("the checkpoint's parameter average has " +
                             std::to_string(state.size() == 0 ? 0 : state.size() - 1) +
                             " tensors, the model " + std::to_string(average_.size()));
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < average_.size(); ++i) average_[i].copy_(state[i]);
  updates_ = state.back().item<std::int64_t>();
}

ScopedAveragedParameters::ScopedAveragedParameters(const ParameterAverage* average,
                                                   std::vector<torch::Tensor> parameters) {
  if (average == nullptr) return;
  parameters_ = std::move(parameters);
  torch::NoGradGuard no_grad;
  for (const auto& p : parameters_) raw_.push_back(p.detach().clone());
  average->copy_into(parameters_);
}

ScopedAveragedParameters::~ScopedAveragedParameters() {
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < raw_.size(); ++i) parameters_[i].copy_(raw_[i]);
}

}  // namespace sdebench
