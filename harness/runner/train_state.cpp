#include "harness/runner/train_state.h"

namespace sdebench {

std::string TrainState::to_json_text() const {
  Json j = Json::object();
  // Numbers that must survive exactly are stored as text (format_number round-trips, and
  // non-finite values, which JSON cannot hold, stay intact).
  j["iteration"] = iteration;
  j["lr"] = format_number(lr);
  j["train_seconds"] = format_number(train_seconds);
  j["eval_seconds"] = format_number(eval_seconds);
  Json steps = Json::array();
  for (double s : step_seconds) steps.push_back(format_number(s));
  j["step_seconds"] = steps;
  j["peak_train_bytes"] = peak_train_bytes;
  j["peak_eval_bytes"] = peak_eval_bytes;
  j["peak_tensor_bytes"] = peak_tensor_bytes;
  j["time_to_target_s"] = format_number(time_to_target_s);
  j["time_to_target_iteration"] = time_to_target_iteration;
  j["last_eval_iteration"] = last_eval_iteration;
  Json last = Json::object();
  for (const auto& kv : last_eval) last[kv.first] = format_number(kv.second);
  j["last_eval"] = last;
  j["best_value"] = format_number(best_value);
  j["best_iteration"] = best_iteration;
  j["metrics_csv"] = format_csv(metrics);
  j["eval_csv"] = format_csv(evals);
  return j.dump();
}

TrainState TrainState::from_json_text(const std::string& text) {
  Json j = Json::parse(text);
  TrainState s;
  auto num = [&](const char* key) { return parse_number(j.at(key).get<std::string>()); };
  auto integer = [&](const char* key) { return j.at(key).get<std::int64_t>(); };
  s.iteration = integer("iteration");
  s.lr = num("lr");
  s.train_seconds = num("train_seconds");
  s.eval_seconds = num("eval_seconds");
  for (const auto& v : j.at("step_seconds")) s.step_seconds.push_back(parse_number(v.get<std::string>()));
  s.peak_train_bytes = integer("peak_train_bytes");
  s.peak_eval_bytes = integer("peak_eval_bytes");
  s.peak_tensor_bytes = integer("peak_tensor_bytes");
  s.time_to_target_s = num("time_to_target_s");
  s.time_to_target_iteration = integer("time_to_target_iteration");
  s.last_eval_iteration = integer("last_eval_iteration");
  for (const auto& [name, value] : j.at("last_eval").items())
    s.last_eval[name] = parse_number(value.get<std::string>());
  if (j.contains("best_iteration")) {  // absent in checkpoints before selection
    s.best_iteration = integer("best_iteration");
    s.best_value = num("best_value");
  }
  s.metrics = parse_csv(j.at("metrics_csv").get<std::string>());
  s.evals = parse_csv(j.at("eval_csv").get<std::string>());
  return s;
}

}  // namespace sdebench
