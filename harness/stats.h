#pragma once
// Small statistics used by runs (step-time quantiles) and reports (intervals over seeds).
#include <vector>

namespace sdebench {

// Quantile with linear interpolation between order statistics (numpy's default);
// q in [0, 1]. NaN for an empty sample.
double quantile(std::vector<double> values, double q);
double median(const std::vector<double>& values);

// Two-sided 97.5% quantile of Student's t with `df` degrees of freedom.
double student_t_975(int df);

struct MeanInterval {
  int n = 0;
  double mean = 0.0;
  double std = 0.0;         // sample standard deviation (n - 1); NaN when n < 2
  double half_width = 0.0;  // 95% t-interval half-width t_{0.975,n-1} s / sqrt(n); NaN when n < 2
};
// Mean and 95% interval of the finite values (NaN/inf are skipped).
MeanInterval mean_interval_95(const std::vector<double>& values);

}  // namespace sdebench
