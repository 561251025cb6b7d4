#pragma once
// The rows of metrics.csv (one per training step) and eval.csv (one per evaluation). Each
// table's header is fixed by its first row; later rows follow it (NaN for a missing value), so
// a resumed run appends to the same columns.
#include <cstdint>
#include <map>
#include <string>

#include "harness/results/csv.h"
#include "methods/method.h"

namespace sdebench {

// What the harness itself records about a step, before the method's loss terms.
struct StepRecord {
  std::int64_t iteration = 0;  // after the step
  double train_seconds = 0.0;  // cumulative
  double step_seconds = 0.0;
  double lr = 0.0;
  double kl_weight = 1.0;
  double grad_norm = 0.0;
};

// Throws std::logic_error when a loss term has the name of a column the harness writes.
void append_step_row(CsvTable& metrics, const StepRecord& step, const LossTerms& terms);

// Returns the progress line: "[eval] iteration N name value ...".
std::string append_eval_row(CsvTable& evals, std::int64_t iteration, double train_seconds,
                            double eval_seconds, const std::map<std::string, double>& metrics);

}  // namespace sdebench
