#pragma once
// The claims table of a suite (Suite::claims): does one method train faster, with less memory,
// to the same accuracy as its baselines? Everything is read from the run directories:
//   time to target   per seed, the training seconds until the accuracy metric first reached the
//                    target at an evaluation (eval.csv), as the ratio baseline / fast; the
//                    geometric mean over seeds with the 95% t-interval of the log ratio;
//   memory           per seed, peak tensor bytes of a training step, baseline / fast, likewise;
//                    its growth with solver steps and sequence length from the committed
//                    scaling benchmark (reports/scaling/scaling.csv), when present;
//   accuracy         final accuracy and distance metrics, mean and 95% interval per method;
//                    "same" when the two intervals overlap.
// Also the learning curves (accuracy vs wall time and vs iteration, mean and 95% band over
// seeds). No torch here.
#include <string>
#include <vector>

#include "harness/report/aggregate.h"
#include "harness/suite/suite.h"

namespace sdebench {

// Geometric mean of positive per-seed ratios and its 95% interval [low, high] (t on the logs).
struct RatioInterval {
  int n = 0;  // seeds with a ratio
  double mean = 0.0, low = 0.0, high = 0.0;
};
RatioInterval ratio_interval_95(const std::vector<double>& ratios);

// The first time (eval.csv's time_s, training seconds) at which `metric` was <= target; NaN when
// it never was.
double time_to_target(const RunRecord& run, const std::string& metric, double target);

struct ClaimsOutput {
  std::string markdown;
  std::vector<std::string> images;  // written into the report folder
};

// `scaling_csv` may not exist (then the growth rows say so).
ClaimsOutput claims_section(const Suite& suite, const std::vector<RunRecord>& runs,
                            const std::string& out_dir, const std::string& scaling_csv,
                            std::vector<std::string>& warnings);

}  // namespace sdebench
