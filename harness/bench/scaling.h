#pragma once
// The scaling report of a benchmark run: for each "family/variant" (e.g. steps/latent_sde_adjoint)
// the least-squares slope of log(step time) and of log(memory) against log(x) (x = solver steps
// or observations). Slope 0 = flat, 1 = linear. No torch here.
#include <string>
#include <vector>

#include "harness/bench/bench_json.h"

namespace sdebench {

// Least-squares slope of log(y) on log(x); NaN with fewer than two distinct positive points.
double log_log_slope(const std::vector<double>& x, const std::vector<double>& y);

struct ScalingPoint {
  double x = 0, time_ms = 0, peak_bytes = 0, extra_bytes = 0;
};
struct ScalingSeries {
  std::string family, variant;
  std::vector<ScalingPoint> points;  // sorted by x; time = median over repetitions
  double time_slope = 0, peak_slope = 0, extra_slope = 0;
};

std::vector<ScalingSeries> scaling_series(const BenchFile& file);

// Markdown tables: one with every point, one with the slopes.
std::string scaling_markdown(const std::vector<ScalingSeries>& series);
std::string scaling_csv(const std::vector<ScalingSeries>& series);
// Per-benchmark summary (median ms, spread, calibrated ratio, bytes) as markdown.
std::string summary_markdown(const BenchFile& file, const std::string& calibration);

// Two log-log PNGs per family (<family>_time.png, <family>_memory.png) through
// gnuplot-iostream; returns the file names. Throws when gnuplot cannot be run.
std::vector<std::string> write_scaling_plots(const std::vector<ScalingSeries>& series,
                                             const std::string& out_dir);

}  // namespace sdebench
