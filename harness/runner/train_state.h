#pragma once
// The harness's part of a run that a checkpoint must carry so that a resumed run ends with
// the same numbers and files as an uninterrupted one. Serialised as JSON text (numbers with 17
// significant digits, so every value round-trips exactly). No torch here.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "harness/results/csv.h"
#include "harness/results/json.h"

namespace sdebench {

struct TrainState {
  std::int64_t iteration = 0;  // completed iterations
  double lr = 0.0;             // current learning rate (decayed every iteration)
  double train_seconds = 0.0;  // wall time in training steps
  double eval_seconds = 0.0;   // wall time in evaluations
  std::vector<double> step_seconds;
  std::int64_t peak_train_bytes = 0;  // max over steps of tensor bytes above the step's start
  std::int64_t peak_eval_bytes = 0;   // same for evaluations
  std::int64_t peak_tensor_bytes = 0; // max live tensor bytes seen in any phase
  double time_to_target_s = -1.0;     // training seconds when the target was first met; -1: never
  std::int64_t time_to_target_iteration = -1;
  std::int64_t last_eval_iteration = -1;
  std::map<std::string, double> last_eval;
  // Model selection (evaluation.select_metric): the best value so far and its iteration.
  double best_value = 0.0;
  std::int64_t best_iteration = -1;
  CsvTable metrics;  // one row per iteration
  CsvTable evals;    // one row per evaluation

  std::string to_json_text() const;
  static TrainState from_json_text(const std::string& text);
};

}  // namespace sdebench
