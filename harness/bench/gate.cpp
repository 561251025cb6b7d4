#include "harness/bench/gate.h"

#include <cmath>
#include <cstdio>
#include <regex>
#include <sstream>

#include "harness/bench/mann_whitney.h"
#include "harness/stats.h"

namespace sdebench {

namespace {

std::string fmt(const char* format, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, a);
  return buf;
}

}  // namespace

bool GateResult::passed() const {
  if (!missing.empty()) return false;
  for (const auto& r : rows)
    if (r.time_regression || r.memory_regression) return false;
  return true;
}

GateResult compare_benchmarks(const BenchFile& baseline, const BenchFile& fresh,
                              const GateOptions& options) {
  GateResult result;
  std::vector<double> in_situ_changes;
  const std::regex filter(options.filter.empty() ? ".*" : options.filter);
  for (const auto& name : baseline.order)
    if (!fresh.entries.count(name) && std::regex_search(name, filter))
      result.missing.push_back(name);
  for (const auto& name : fresh.order)
    if (!baseline.entries.count(name)) result.added.push_back(name);
  for (const auto& name : fresh.order) {
    if (!baseline.entries.count(name)) continue;
    const BenchEntry& b = baseline.entries.at(name);
    const BenchEntry& f = fresh.entries.at(name);
    GateRow row;
    row.name = name;
    row.base_reps = static_cast<int>(b.times_ms.size());
    row.fresh_reps = static_cast<int>(f.times_ms.size());
    if (name == options.calibration) {
      row.base_ratio = row.fresh_ratio = 1.0;
    } else {
      row.in_situ = b.has_local_calibration() && f.has_local_calibration();
      const auto base = row.in_situ ? locally_calibrated_ratios(b)
                                    : calibrated_ratios(baseline, name, options.calibration);
      const auto now = row.in_situ ? locally_calibrated_ratios(f)
                                   : calibrated_ratios(fresh, name, options.calibration);
      if (row.in_situ) in_situ_changes.push_back(median(f.calibration_ms) / median(b.calibration_ms));
      row.base_ratio = median(base);
      row.fresh_ratio = median(now);
      row.time_change = row.fresh_ratio / row.base_ratio;
      row.p_value = mann_whitney_u(now, base).p_value;
      row.test_usable = mann_whitney_min_p(row.fresh_reps, row.base_reps) < options.alpha;
      const bool slower = row.time_change > 1.0 + options.time_tolerance;
      const bool significant = !row.test_usable || row.p_value < options.alpha;
      if (slower && significant) {
        row.time_regression = true;
        row.reasons.push_back(
            "time: median calibrated ratio " + fmt("%.4g", row.fresh_ratio) + " vs baseline " +
            fmt("%.4g", row.base_ratio) + " (" + fmt("%.2f", row.time_change) + "x > " +
            fmt("%.2f", 1.0 + options.time_tolerance) + "x), " +
            (row.test_usable ? "U-test p = " + fmt("%.3g", row.p_value) + " < " +
                                   fmt("%.3g", options.alpha)
                             : std::string("too few repetitions for the U-test")));
      }
    }
    for (const auto& [key, base_value] : b.counters) {
      if (key.find("bytes") == std::string::npos) continue;
      auto it = f.counters.find(key);
      if (it == f.counters.end()) continue;
      const double limit = base_value * (1.0 + options.memory_tolerance) + options.memory_slack_bytes;
      if (it->second > limit) {
        row.memory_regression = true;
        row.reasons.push_back("memory: " + key + " " + fmt("%.0f", it->second) + " vs baseline " +
                              fmt("%.0f", base_value) + " (" +
                              fmt("%.3f", it->second / base_value) + "x, limit " +
                              fmt("%.0f", limit) + ")");
      }
    }
    result.rows.push_back(row);
  }
  result.in_situ_benchmarks = static_cast<int>(in_situ_changes.size());
  result.in_situ_change = in_situ_changes.empty() ? std::nan("") : median(in_situ_changes);
  if (baseline.entries.count(options.calibration) && fresh.entries.count(options.calibration)) {
    result.calibration_change = median(fresh.entries.at(options.calibration).times_ms) /
                                median(baseline.entries.at(options.calibration).times_ms);
    if (std::fabs(result.calibration_change - 1.0) > options.calibration_warning)
      result.calibration_note =
          options.calibration + " took " + fmt("%.2f", result.calibration_change) +
          "x its baseline time (more than " + fmt("%.0f", 100 * options.calibration_warning) +
          "% away): this machine differs from the baseline's, so the calibrated ratios may not "
          "carry over; consider a baseline made here";
  }
  return result;
}

std::string GateResult::table() const {
  std::ostringstream out;
  char line[512];
  std::snprintf(line, sizeof line, "%-34s %5s %5s %6s %10s %10s %7s %9s %6s\n", "benchmark",
                "reps", "base", "versus", "ratio", "base", "change", "U p", "verdict");
  out << line;
  for (const auto& r : rows) {
    std::snprintf(line, sizeof line, "%-34s %5d %5d %6s %10.4g %10.4g %6.2fx %9.3g %6s\n",
                  r.name.c_str(), r.fresh_reps, r.base_reps, r.in_situ ? "net" : "gemm",
                  r.fresh_ratio, r.base_ratio, r.time_change, r.p_value,
                  r.time_regression || r.memory_regression ? "FAIL" : "ok");
    out << line;
  }
  out << "phase: calibration/gemm256 at " << fmt("%.2f", calibration_change)
      << "x its baseline time";
  if (in_situ_benchmarks > 0)
    out << "; the in-situ net step at " << fmt("%.2f", in_situ_change) << "x (median over "
        << in_situ_benchmarks << " benchmarks judged against it, 'versus net')";
  out << "\n";
  for (const auto& m : missing) out << "FAIL not run (in the baseline, missing from this run): " << m << "\n";
  for (const auto& a : added) out << "new (not in baseline, not judged): " << a << "\n";
  if (!calibration_note.empty()) out << "note: " << calibration_note << "\n";
  out << (passed() ? "bench-check: PASS" : "bench-check: REGRESSION") << " (" << rows.size()
      << " benchmarks compared)\n";
  return out.str();
}

std::string GateResult::reasons() const {
  std::ostringstream out;
  for (const auto& m : missing)
    out << m << ": in the baseline but not run (remove it from the baseline if it was deleted)\n";
  for (const auto& r : rows)
    for (const auto& why : r.reasons) out << r.name << ": " << why << "\n";
  return out.str();
}

}  // namespace sdebench
