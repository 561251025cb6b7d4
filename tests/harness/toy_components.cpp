#include "toy_components.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "datasets/dataset.h"
#include "harness/results/run_dir.h"
#include "harness/runner/checkpoint.h"
#include "methods/method.h"

namespace sdebench::testing {

namespace {

TimeSeriesDataset make_toy_dataset(const Options& options, const DatasetContext& context) {
  const auto n = options.get_int("sequences"), T = options.get_int("times"), D = options.get_int("dims");
  auto gen = at::detail::createCPUGenerator(context.seed + 17);
  auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  TimeSeriesDataset data;
  data.name = "toy_dataset";
  data.times = torch::linspace(0, 1, T, opts);
  auto phase = torch::rand({n, 1, D}, gen, opts) * 6.28;
  auto amp = 1.0 + torch::rand({n, 1, D}, gen, opts);
  auto values = amp * torch::sin(2 * M_PI * data.times.view({1, T, 1}) + phase) +
                0.05 * torch::randn({n, T, D}, gen, opts);
  auto mask = torch::ones_like(values);
  const auto n_train = n / 2, n_val = n / 4;
  data.train = {values.slice(0, 0, n_train), mask.slice(0, 0, n_train)};
  data.val = {values.slice(0, n_train, n_train + n_val), mask.slice(0, n_train, n_train + n_val)};
  data.test = {values.slice(0, n_train + n_val), mask.slice(0, n_train + n_val)};
  // A non-trivial normalisation, so that un-normalising in the forecast metric matters.
  data.norm_mean = torch::full({D}, 3.0, opts);
  data.norm_std = torch::full({D}, 2.0, opts);
  return data;
}

Schema toy_dataset_schema() {
  Schema s;
  s.add_int("sequences", 32, "number of sequences", 4);
  s.add_int("times", 8, "observation times", 2);
  s.add_int("dims", 2, "dimensions", 1);
  return s;
}

class ToyMethod : public Method {
 public:
  ToyMethod(const Options& options, const DataShape& shape)
      : nan_at_(options.get_int("nan_at")), noise_(options.get_float("noise")) {
    linear_ = register_module("linear", torch::nn::Linear(2, shape.dims));
    log_scale_ = register_parameter("log_scale", torch::zeros({shape.dims}, torch::kFloat32));
  }

  LossTerms train_step(const Batch& batch, const StepContext& context) override {
    LossTerms terms;
    if (nan_at_ > 0 && context.iteration + 1 >= nan_at_) {
      terms.total = std::numeric_limits<double>::quiet_NaN();
      terms.terms = {{"rec", terms.total}, {"kl", 0.0}};
      return terms;
    }
    auto pred = predict(batch.times).unsqueeze(0);  // [1, T, D]
    // Training noise from the default generator: resume must restore its state.
    auto noisy = batch.values + noise_ * torch::randn_like(batch.values);
    auto rec = ((pred - noisy).pow(2) * batch.mask).mean();
    auto kl = 0.01 * log_scale_.pow(2).sum();
    auto loss = rec + context.kl_weight * kl;
    loss.backward();
    terms.total = loss.item<double>();
    terms.terms = {{"rec", rec.item<double>()}, {"kl", kl.item<double>()}};
    return terms;
  }

  std::map<std::string, double> evaluate(const Batch& batch, const EvalOptions& options) override {
    torch::NoGradGuard no_grad;
    auto pred = predict(batch.times).unsqueeze(0);
    auto mse = ((pred - batch.values).pow(2) * batch.mask).mean().item<double>();
    // A noisy term drawn from the default generator: must be identical across resumes.
    auto jitter = 1e-3 * torch::randn({1}, torch::kFloat64).item<double>();
    return {{"nelbo", mse + jitter}, {"rec", mse}};
  }

  torch::Tensor sample(const torch::Tensor& times, std::int64_t n) override {
    auto pred = predict(times).unsqueeze(0).expand({n, -1, -1});
    return pred + torch::exp(log_scale_) * 0.1 * torch::randn_like(pred);
  }

  torch::Tensor forecast(const Batch& observed, std::int64_t context, const torch::Tensor& times,
                         std::int64_t num_samples) override {
    const auto B = observed.values.size(0);
    auto pred = predict(times).unsqueeze(0).unsqueeze(0).expand({num_samples, B, -1, -1});
    return pred + 0.01 * torch::randn_like(pred);
  }

  bool uses_kl_annealing() const override { return true; }

 private:
  torch::Tensor predict(const torch::Tensor& times) {
    auto t = times.to(linear_->weight.dtype()).unsqueeze(1);                  // [T, 1]
    return linear_->forward(torch::cat({torch::sin(2 * M_PI * t), torch::cos(2 * M_PI * t)}, 1));  // [T, D]
  }

  std::int64_t nan_at_;
  double noise_;
  torch::nn::Linear linear_{nullptr};
  torch::Tensor log_scale_;
};

Schema toy_method_schema() {
  Schema s;
  s.add_int("nan_at", 0, "the loss is NaN from this iteration on; 0 = never", 0);
  s.add_float("noise", 0.1, "training noise added to the targets", 0.0);
  return s;
}

}  // namespace

SDEBENCH_REGISTER_DATASET("toy_dataset", "harness test data: noisy sines", toy_dataset_schema(),
                          make_toy_dataset);
SDEBENCH_REGISTER_METHOD("toy_method", "harness test method: linear in time features", toy_method_schema(),
                         [](const Options& o, const DataShape& s) -> std::shared_ptr<Method> {
                           return std::make_shared<ToyMethod>(o, s);
                         });

ResolvedSpec toy_spec(const std::string& root, std::int64_t seed, std::int64_t iterations) {
  ResolvedSpec spec;
  spec.name = "toy";
  spec.seed = seed;
  spec.dataset = "toy_dataset";
  spec.dataset_options = toy_dataset_schema().defaults();
  spec.method = "toy_method";
  spec.method_options = toy_method_schema().defaults();
  spec.training = training_schema().defaults();
  spec.training.set("iterations", iterations);
  spec.training.set("batch_size", std::int64_t{8});
  spec.training.set("lr", 0.05);
  spec.training.set("lr_decay", 0.99);
  spec.training.set("grad_clip", 5.0);
  spec.training.set("kl_anneal_iterations", std::int64_t{6});
  spec.training.set("eval_every", std::int64_t{5});
  spec.training.set("checkpoint_every", std::int64_t{5});
  spec.training.set("threads", std::int64_t{1});
  spec.evaluation = evaluation_schema().defaults();
  spec.evaluation.set("forecast_context", std::int64_t{3});
  spec.evaluation.set("path_samples", std::int64_t{16});
  spec.output = output_schema().defaults();
  spec.output.set("dir", root);
  spec.sweep_label = "seed=" + std::to_string(seed);
  return spec;
}

std::vector<torch::Tensor> checkpoint_parameters(const ResolvedSpec& spec, const std::string& run_dir,
                                                 std::vector<torch::Tensor>* average_state) {
  torch::manual_seed(0);
  DataShape shape;
  shape.dims = spec.dataset_options.get_int("dims");
  shape.times = torch::linspace(0, 1, spec.dataset_options.get_int("times"), torch::kFloat64);
  auto method = MethodRegistry::instance().get(spec.method).factory(spec.method_options, shape);
  torch::optim::Adam adam(method->parameters(), torch::optim::AdamOptions(1e-3));
  load_checkpoint(join_path(run_dir, run_files::checkpoint), *method, adam, average_state);
  return method->parameters();
}

}  // namespace sdebench::testing
