#include "harness/stats.h"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>

namespace sdebench {

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const double pos = q * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return values[lo] + frac * (values[hi] - values[lo]);
}

double median(const std::vector<double>& values) { return quantile(values, 0.5); }

double student_t_975(int df) {
  if (df < 1) return std::nan("");
  boost::math::students_t dist(static_cast<double>(df));
  return boost::math::quantile(dist, 0.975);
}

MeanInterval mean_interval_95(const std::vector<double>& values) {
  std::vector<double> finite;
  for (double v : values)
    if (std::isfinite(v)) finite.push_back(v);
  MeanInterval out;
  out.n = static_cast<int>(finite.size());
  if (finite.empty()) {
    out.mean = out.std = out.half_width = std::nan("");
    return out;
  }
  double sum = 0.0;
  for (double v : finite) sum += v;
  out.mean = sum / out.n;
  if (out.n < 2) {
    out.std = out.half_width = std::nan("");
    return out;
  }
  double ss = 0.0;
  for (double v : finite) ss += (v - out.mean) * (v - out.mean);
  out.std = std::sqrt(ss / (out.n - 1));
  out.half_width = student_t_975(out.n - 1) * out.std / std::sqrt(static_cast<double>(out.n));
  return out;
}

}  // namespace sdebench
