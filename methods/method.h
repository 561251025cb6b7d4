#pragma once
// The training-method interface. A method is built from its option section and the shape of
// the data, and knows nothing of the harness: the harness owns the optimiser, the loop,
// timing and files. Register a method with SDEBENCH_REGISTER_METHOD (see README).
#include <torch/torch.h>

#include <map>
#include <stdexcept>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/options.h"
#include "core/registry.h"

namespace sdebench {

// A batch of time series on a shared time grid. Values and mask are in the method's dtype;
// mask is 1 where a value was observed, 0 where it is missing (values there are 0).
struct Batch {
  // [T] increasing, shared by every sequence; or [B, T]: each sequence's own observation
  // times (per_sequence()), padded after its last one by repeating that time.
  torch::Tensor times;
  torch::Tensor values;  // [B, T, D]
  torch::Tensor mask;    // [B, T, D]; 0 at padding slots
  torch::Tensor lengths;  // [B] int64, per-sequence times only: observations of each sequence
  bool per_sequence() const { return times.dim() == 2; }
};

// For methods that need one time grid for the whole batch: a clear error otherwise.
[[noreturn]] inline void reject_per_sequence_times(const std::string& method) {
  throw std::invalid_argument(
      method + ": per-sequence observation times (each sequence on its own times) are not "
               "supported by this method yet; use sde_matching, latent_sde or latent_ode, or load the data on one "
               "shared grid (csv: time_grid = \"union\")");
}
inline void require_shared_times(const Batch& batch, const std::string& method) {
  if (batch.per_sequence()) reject_per_sequence_times(method);
}

// What a method may know about the data when it is built.
struct DataShape {
  std::int64_t dims = 0;     // D
  // [T] observation times of the training data (float64); with per-sequence times, [2]: the
  // first and last observation time over the dataset.
  torch::Tensor times;
  torch::ScalarType dtype = torch::kFloat32;
  bool per_sequence_times = false;
};

struct StepContext {
  std::int64_t iteration = 0;
  double kl_weight = 1.0;  // the harness's annealing schedule; 1 = the true ELBO
};

// Named scalar terms of one step. `total` is the objective whose gradient was taken.
struct LossTerms {
  double total = 0.0;
  std::vector<std::pair<std::string, double>> terms;
};

struct EvalOptions {
  std::int64_t time_samples = 64;  // stratified time points for integrals over t
  std::int64_t num_samples = 1;    // posterior / path samples per sequence
};

class Method : public torch::nn::Module {
 public:
  // One training step: computes the loss on `batch` and leaves d(total)/d(parameter) in
  // every parameter's .grad (the harness zeroes grads before and steps after). Methods whose
  // gradients do not come from loss.backward() (the stochastic adjoint) fill .grad themselves.
  virtual LossTerms train_step(const Batch& batch, const StepContext& context) = 0;

  // Held-out metrics with full sums, e.g. {"nelbo": ..., "rec": ...}. Methods without an
  // ELBO return what they have and omit "nelbo".
  virtual std::map<std::string, double> evaluate(const Batch& batch, const EvalOptions& options) = 0;

  // `n` unconditional paths at `times` in data space: [n, T, D].
  virtual torch::Tensor sample(const torch::Tensor& times, std::int64_t n) = 0;

  // Forecasts given the first `context` observations of each sequence in `observed`:
  // [num_samples, B, T, D] at `times` (which include the context times): [T], or [B, T] each
  // sequence's own times when `observed` has per-sequence times.
  virtual torch::Tensor forecast(const Batch& observed, std::int64_t context,
                                 const torch::Tensor& times, std::int64_t num_samples) = 0;

  // The latent state the method infers for each sequence of `batch` at the batch's times,
  // given the whole sequence: [B, T, d] (a posterior mean, or one posterior path where only
  // paths exist). Reports set it beside a dataset's latent truth (e.g. the pendulum's angle).
  // An undefined tensor when the method has no latent state to show.
  virtual torch::Tensor latent_path(const Batch& batch) { return {}; }

  // True when the method's loss has a KL term the harness may anneal.
  virtual bool uses_kl_annealing() const { return false; }
};

using MethodFactory =
    std::function<std::shared_ptr<Method>(const Options& options, const DataShape& shape)>;
using MethodRegistry = Registry<MethodFactory>;

}  // namespace sdebench

#define SDEBENCH_CONCAT_INNER(a, b) a##b
#define SDEBENCH_CONCAT(a, b) SDEBENCH_CONCAT_INNER(a, b)
// SDEBENCH_REGISTER_METHOD("name", "description", schema_expression, factory_expression)
// __COUNTER__, not __LINE__: a unity build puts several registering files in one unit.
#define SDEBENCH_REGISTER_METHOD(NAME, DESCRIPTION, SCHEMA, FACTORY)                    \
  static const bool SDEBENCH_CONCAT(sdebench_method_registered_, __COUNTER__) =            \
      ::sdebench::MethodRegistry::instance().add({NAME, DESCRIPTION, SCHEMA, FACTORY})
