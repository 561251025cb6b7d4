#pragma once
// Report tables from an Aggregate: CSV (every metric: mean, 95% half-width, n), LaTeX and
// Markdown (the headline metrics as "mean ± half-width"), and a plain console table.
#include <string>
#include <vector>

#include "harness/report/aggregate.h"

namespace sdebench {

// Accuracy metrics, then training time, median step time and peak step memory.
std::vector<std::string> headline_metrics(const Aggregate& aggregate);
// "4.031 ± 0.2 (n=3)"-style cell; "-" when no run had the metric.
std::string format_mean_interval(const MeanInterval& m, bool plain_ascii = false);

std::string summary_csv(const Aggregate& aggregate);
std::string summary_latex(const Aggregate& aggregate);
std::string summary_markdown(const Aggregate& aggregate);
std::string summary_console(const Aggregate& aggregate);
// Rows of cells as left-aligned columns two spaces apart, a rule of dashes under the first row.
std::string aligned_columns(const std::vector<std::vector<std::string>>& cells);

}  // namespace sdebench
