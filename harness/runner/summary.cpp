#include "harness/runner/summary.h"

#include <cmath>
#include <sstream>

#include "harness/memory.h"
#include "harness/stats.h"

namespace sdebench {

namespace {
std::string drop_tokens(const std::string& label, const std::vector<std::string>& prefixes) {
  std::istringstream in(label);
  std::string token, out;
  while (in >> token) {
    bool drop = false;
    for (const auto& p : prefixes) drop = drop || token.rfind(p, 0) == 0;
    if (drop) continue;
    if (!out.empty()) out += ' ';
    out += token;
  }
  return out;
}
}  // namespace

std::string label_without_seed(const std::string& label) { return drop_tokens(label, {"seed="}); }

std::string group_label(const std::string& label) {
  return drop_tokens(label, {"seed=", "method.name=", "dataset.name="});
}

Json build_summary(const ResolvedSpec& spec, const RunInfo& info, const TrainState& state) {
  Json j = Json::object();
  const auto slash = info.run_dir.find_last_of('/');
  j["name"] = spec.name;
  j["run_id"] = slash == std::string::npos ? info.run_dir : info.run_dir.substr(slash + 1);
  j["method"] = spec.method;
  j["dataset"] = spec.dataset;
  j["seed"] = spec.seed;
  j["sweep_label"] = info.sweep_label;
  j["group_label"] = group_label(info.sweep_label);
  j["status"] = info.status;
  if (!info.error.empty()) j["error"] = info.error;
  if (info.diverged_at >= 0) j["diverged_at"] = info.diverged_at;
  j["iterations_planned"] = spec.training.get_int("iterations");
  j["iterations"] = state.iteration;

  Json metrics = Json::object();
  for (const auto& kv : state.last_eval) metrics[kv.first] = kv.second;
  j["final_metrics"] = metrics;
  j["final_metrics_iteration"] = state.last_eval_iteration;

  Json training = Json::object();
  const int loss_col = state.metrics.column("loss");
  training["final_loss"] = (loss_col >= 0 && !state.metrics.rows.empty())
                               ? Json(state.metrics.number(state.metrics.rows.size() - 1, "loss"))
                               : Json();
  training["train_time_s"] = state.train_seconds;
  training["eval_time_s"] = state.eval_seconds;
  training["step_time_median_s"] = median(state.step_seconds);
  training["step_time_p90_s"] = quantile(state.step_seconds, 0.9);
  training["iterations_per_s"] =
      state.train_seconds > 0 ? static_cast<double>(state.iteration) / state.train_seconds : 0.0;
  training["target_metric"] = spec.training.get_string("target_metric");
  training["target_value"] = spec.training.get_float("target_value");
  training["time_to_target_s"] = state.time_to_target_s >= 0 ? Json(state.time_to_target_s) : Json();
  training["time_to_target_iteration"] =
      state.time_to_target_iteration >= 0 ? Json(state.time_to_target_iteration) : Json();
  j["training"] = training;

  Json memory = Json::object();
  memory["peak_train_step_bytes"] = state.peak_train_bytes;
  memory["peak_eval_bytes"] = state.peak_eval_bytes;
  memory["peak_tensor_bytes"] = state.peak_tensor_bytes;
  memory["peak_rss_bytes"] = peak_rss_bytes();
  j["memory"] = memory;

  Json data = Json::object();
  data["num_times"] = info.num_times;
  data["dims"] = info.dims;
  data["train_size"] = info.train_size;
  data["eval_size"] = info.eval_size;
  j["data"] = data;

  Json model = Json::object();
  model["parameters"] = info.parameters;
  model["dtype"] = spec.training.get_string("dtype");
  model["device"] = spec.training.get_string("device");
  j["model"] = model;

  j["provenance"] = to_json(info.provenance);
  Json warnings = Json::array();
  for (const auto& w : info.warnings) warnings.push_back(w);
  j["warnings"] = warnings;
  return j;
}

}  // namespace sdebench
