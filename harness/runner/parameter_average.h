#pragma once
// An exponential moving average of a model's parameters (Polyak averaging), for evaluating a
// smoother model than the last iterate: training.ema_decay. After every optimiser step,
//   average = d_t average + (1 - d_t) parameters,  d_t = min(decay, (1 + t) / (10 + t)),
// t the number of updates before this one; the warm-up d_t (as TensorFlow's
// ExponentialMovingAverage with num_updates) keeps the first evaluations from being dominated
// by the initial parameters. Training always continues from the raw parameters.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace sdebench {

class ParameterAverage {
 public:
  ParameterAverage(double decay, const std::vector<torch::Tensor>& parameters);

  // One update from the parameters after an optimiser step.
  void update(const std::vector<torch::Tensor>& parameters);
  // Copies the average into `parameters` (the end of a run: the average is what it reports).
  void copy_into(const std::vector<torch::Tensor>& parameters) const;

  // What a checkpoint carries: the averages, then the update count as a 1-element tensor.
  std::vector<torch::Tensor> state() const;
  void load_state(const std::vector<torch::Tensor>& state);

 private:
  double decay_;
  std::int64_t updates_ = 0;
  std::vector<torch::Tensor> average_;
};

// While alive, the parameters hold the average; the raw ones are put back on destruction.
class ScopedAveragedParameters {
 public:
  // average == nullptr: does nothing.
  ScopedAveragedParameters(const ParameterAverage* average, std::vector<torch::Tensor> parameters);
  ~ScopedAveragedParameters();
  ScopedAveragedParameters(const ScopedAveragedParameters&) = delete;
  ScopedAveragedParameters& operator=(const ScopedAveragedParameters&) = delete;

 private:
  std::vector<torch::Tensor> parameters_;
  std::vector<torch::Tensor> raw_;
};

}  // namespace sdebench
