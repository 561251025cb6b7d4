#include "harness/runner/metric_rows.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <utility>
#include <vector>

namespace sdebench {

namespace {

const std::vector<std::string>& step_columns() {
  static const std::vector<std::string> columns{"iteration", "time_s",    "step_s", "lr",
                                                "kl_weight", "grad_norm", "loss"};
  return columns;
}

const std::vector<std::string>& eval_columns() {
  static const std::vector<std::string> columns{"iteration", "time_s", "eval_s"};
  return columns;
}

}  // namespace

void append_step_row(CsvTable& metrics, const StepRecord& step, const LossTerms& terms) {
  const auto& fixed = step_columns();
  if (metrics.header.empty()) {
    metrics.header = fixed;
    for (const auto& kv : terms.terms) {
      for (const auto& column : fixed)
        if (kv.first == column)
          throw std::logic_error("the method reports a loss term '" + kv.first +
                                 "', a metrics.csv column the harness writes itself; rename the term");
      metrics.header.push_back(kv.first);
    }
  }
  std::vector<std::string> row{std::to_string(step.iteration), format_number(step.train_seconds),
                               format_number(step.step_seconds), format_number(step.lr),
                               format_number(step.kl_weight), format_number(step.grad_norm),
                               format_number(terms.total)};
  for (size_t c = fixed.size(); c < metrics.header.size(); ++c) {
    double value = std::nan("");
    for (const auto& kv : terms.terms)
      if (kv.first == metrics.header[c]) value = kv.second;
    row.push_back(format_number(value));
  }
  metrics.rows.push_back(std::move(row));
}

std::string append_eval_row(CsvTable& evals, std::int64_t iteration, double train_seconds,
                            double eval_seconds, const std::map<std::string, double>& metrics) {
  const auto& fixed = eval_columns();
  if (evals.header.empty()) {
    evals.header = fixed;
    for (const auto& kv : metrics) evals.header.push_back(kv.first);
  }
  std::vector<std::string> row{std::to_string(iteration), format_number(train_seconds),
                               format_number(eval_seconds)};
  std::string line = "[eval] iteration " + std::to_string(iteration);
  for (size_t c = fixed.size(); c < evals.header.size(); ++c) {
    auto it = metrics.find(evals.header[c]);
    const double value = it == metrics.end() ? std::nan("") : it->second;
    row.push_back(format_number(value));
    char shown[32];
    std::snprintf(shown, sizeof shown, "%.6g", value);
    line += " " + evals.header[c] + " " + shown;
  }
  evals.rows.push_back(std::move(row));
  return line;
}

}  // namespace sdebench
