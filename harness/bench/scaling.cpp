#include "harness/bench/scaling.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <sstream>

#include "harness/stats.h"

namespace sdebench {

double log_log_slope(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> lx, ly;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i)
    if (x[i] > 0 && y[i] > 0) {
      lx.push_back(std::log(x[i]));
      ly.push_back(std::log(y[i]));
    }
  const double n = static_cast<double>(lx.size());
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  double mx = 0, my = 0;
  for (size_t i = 0; i < lx.size(); ++i) mx += lx[i] / n, my += ly[i] / n;
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < lx.size(); ++i) {
    sxy += (lx[i] - mx) * (ly[i] - my);
    sxx += (lx[i] - mx) * (lx[i] - mx);
  }
  return sxx > 0 ? sxy / sxx : std::numeric_limits<double>::quiet_NaN();
}

std::vector<ScalingSeries> scaling_series(const BenchFile& file) {
  std::map<std::pair<std::string, std::string>, ScalingSeries> groups;
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& name : file.order) {
    BenchName parts;
    if (!split_bench_name(name, parts)) continue;
    const auto key = std::make_pair(parts.family, parts.variant);
    if (!groups.count(key)) order.push_back(key);
    auto& s = groups[key];
    s.family = parts.family;
    s.variant = parts.variant;
    const auto& e = file.entries.at(name);
    auto counter = [&](const char* k) {
      auto it = e.counters.find(k);
      return it == e.counters.end() ? 0.0 : it->second;
    };
    s.points.push_back({parts.x, median(e.times_ms), counter("peak_bytes"),
                        counter("step_extra_bytes")});
  }
  std::sort(order.begin(), order.end());  // file order is shuffled by random interleaving
  std::vector<ScalingSeries> out;
  for (const auto& key : order) {
    auto s = groups[key];
    std::sort(s.points.begin(), s.points.end(),
              [](const auto& a, const auto& b) { return a.x < b.x; });
    std::vector<double> x, t, p, e;
    for (const auto& pt : s.points) {
      x.push_back(pt.x);
      t.push_back(pt.time_ms);
      p.push_back(pt.peak_bytes);
      e.push_back(pt.extra_bytes);
    }
    s.time_slope = log_log_slope(x, t);
    s.peak_slope = log_log_slope(x, p);
    s.extra_slope = log_log_slope(x, e);
    out.push_back(s);
  }
  return out;
}

std::string scaling_markdown(const std::vector<ScalingSeries>& series) {
  std::ostringstream out;
  char line[256];
  out << "## Log-log slopes (0 = flat, 1 = linear)\n\n"
      << "| family | variant | x range | time slope | peak bytes slope | step extra bytes slope |\n"
      << "|---|---|---|---|---|---|\n";
  for (const auto& s : series) {
    std::snprintf(line, sizeof line, "| %s | %s | %g..%g | %.3f | %.3f | %.3f |\n",
                  s.family.c_str(), s.variant.c_str(), s.points.front().x, s.points.back().x,
                  s.time_slope, s.peak_slope, s.extra_slope);
    out << line;
  }
  out << "\n## Points (median step time over repetitions)\n\n"
      << "| family | variant | x | time (ms) | peak bytes | step extra bytes |\n"
      << "|---|---|---|---|---|---|\n";
  for (const auto& s : series)
    for (const auto& p : s.points) {
      std::snprintf(line, sizeof line, "| %s | %s | %g | %.4g | %.0f | %.0f |\n", s.family.c_str(),
                    s.variant.c_str(), p.x, p.time_ms, p.peak_bytes, p.extra_bytes);
      out << line;
    }
  return out.str();
}

std::string scaling_csv(const std::vector<ScalingSeries>& series) {
  std::ostringstream out;
  out.precision(10);
  out << "family,variant,x,time_ms,peak_bytes,step_extra_bytes,time_slope,peak_slope,extra_slope\n";
  for (const auto& s : series)
    for (const auto& p : s.points)
      out << s.family << ',' << s.variant << ',' << p.x << ',' << p.time_ms << ',' << p.peak_bytes
          << ',' << p.extra_bytes << ',' << s.time_slope << ',' << s.peak_slope << ','
          << s.extra_slope << '\n';
  return out.str();
}

std::string summary_markdown(const BenchFile& file, const std::string& calibration) {
  std::ostringstream out;
  char line[320];
  const bool calibrated = file.entries.count(calibration) > 0;
  out << "| benchmark | reps | median (ms) | min (ms) | max (ms) | ratio to " << calibration
      << " | peak bytes | step extra bytes | GFLOP/s |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& name : file.order) {
    const auto& e = file.entries.at(name);
    auto counter = [&](const char* k) {
      auto it = e.counters.find(k);
      return it == e.counters.end() ? std::string("") : std::to_string(static_cast<long long>(it->second));
    };
    const double ratio = calibrated ? median(calibrated_ratios(file, name, calibration)) : NAN;
    auto flops = e.counters.find("flops_per_s");
    std::string gflops = flops == e.counters.end() ? "" : std::to_string(flops->second / 1e9);
    std::snprintf(line, sizeof line, "| %s | %zu | %.4g | %.4g | %.4g | %.4g | %s | %s | %s |\n",
                  name.c_str(), e.times_ms.size(), median(e.times_ms),
                  *std::min_element(e.times_ms.begin(), e.times_ms.end()),
                  *std::max_element(e.times_ms.begin(), e.times_ms.end()), ratio,
                  counter("peak_bytes").c_str(), counter("step_extra_bytes").c_str(),
                  gflops.c_str());
    out << line;
  }
  return out.str();
}

}  // namespace sdebench
