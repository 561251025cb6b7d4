#include "harness/runner/run_setup.h"

#include <stdexcept>
#include <string>

#include "harness/runner/batching.h"

namespace sdebench {

namespace {

torch::ScalarType parse_dtype(const std::string& name) {
  if (name == "float32") return torch::kFloat32;
  if (name == "float64") return torch::kFloat64;
  throw std::invalid_argument("training.dtype = \"" + name + "\": expected \"float32\" or \"float64\"");
}

torch::Device parse_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda") {
    if (!torch::cuda::is_available())
      throw std::invalid_argument(
          "training.device = \"cuda\", but the LibTorch this program was built with has no usable "
          "CUDA device (torch::cuda::is_available() is false; Debian's LibTorch is CPU-only). "
          "Use device = \"cpu\".");
    return torch::kCUDA;
  }
  throw std::invalid_argument("training.device = \"" + name + "\": expected \"cpu\" or \"cuda\"");
}

// Options whose meaning depends on the data, checked once the dataset exists and before the run
// directory does, so a run that cannot give the metric it was asked for never starts.
void check_against_data(const ResolvedSpec& spec, const TimeSeriesDataset& data) {
  // Per-sequence times: the shortest sequence of the evaluated split bounds the context.
  const std::string split_name = spec.evaluation.get_string("split");
  const TimeSeriesSplit& evaluated = split_name == "val" ? data.val : data.test;
  const bool own_times = data.per_sequence_times() && evaluated.size() > 0;
  const auto T = own_times ? evaluated.lengths.min().item<std::int64_t>() : data.times.size(0);
  const auto context = spec.evaluation.get_int("forecast_context");
  if (context >= T)
    throw std::invalid_argument("evaluation.forecast_context = " + std::to_string(context) +
                                ": dataset '" + spec.dataset + "' has " + std::to_string(T) +
                                (own_times ? " observations in its shortest " + split_name + " sequence"
                                           : std::string(" observation times")) +
                                ", so nothing would be left to forecast (use "
                                "at most " + std::to_string(T - 1) + ", or 0 for no forecast)");
  if (const auto window = spec.training.get_int("window_length"); window > 0) {
    if (data.per_sequence_times())
      throw std::invalid_argument("training.window_length = " + std::to_string(window) +
                                  ": dataset '" + spec.dataset +
                                  "' has per-sequence times; windows need one shared grid");
    require_windows_fit(data.times, window);
  }
  const std::string split = spec.evaluation.get_string("split");
  if ((split == "val" ? data.val : data.test).size() == 0)
    throw std::invalid_argument("evaluation.split = \"" + split + "\": dataset '" + spec.dataset +
                                "' has an empty " + split +
                                " split, so nothing would be evaluated (give it sequences, e.g. "
                                "with the dataset's fractions, or evaluate the other split)");
  if (!spec.evaluation.get_string("select_metric").empty() && data.val.size() == 0)
    throw std::invalid_argument("evaluation.select_metric = \"" +
                                spec.evaluation.get_string("select_metric") + "\": dataset '" +
                                spec.dataset + "' has an empty val split to select on");
}

}  // namespace

RunSetup build_run_setup(const ResolvedSpec& spec) {
  RunSetup s;
  s.dtype = parse_dtype(spec.training.get_string("dtype"));
  s.device = parse_device(spec.training.get_string("device"));
  // The dataset gets its seed through the context; seeding the default generator too keeps
  // datasets that draw from it reproducible.
  torch::manual_seed(static_cast<std::uint64_t>(spec.seed));
  DatasetContext context;
  context.seed = static_cast<std::uint64_t>(spec.seed);
  s.data = DatasetRegistry::instance().get(spec.dataset, "dataset").factory(spec.dataset_options, context);
  if (s.data.train.size() == 0)
    throw std::invalid_argument("dataset '" + spec.dataset + "' produced an empty training split");
  check_against_data(spec, s.data);
  DataShape shape;
  shape.dims = s.data.dims();
  shape.times = s.data.times;
  shape.dtype = s.dtype;
  shape.per_sequence_times = s.data.per_sequence_times();
  torch::manual_seed(static_cast<std::uint64_t>(spec.seed));  // initialisation
  s.method = MethodRegistry::instance().get(spec.method, "method").factory(spec.method_options, shape);
  s.method->to(s.dtype);
  s.method->to(s.device);
  return s;
}

}  // namespace sdebench
