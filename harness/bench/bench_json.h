#pragma once
// Google Benchmark JSON (--benchmark_out_format=json or --benchmark_format=json) read into one
// entry per benchmark with the time of every repetition. Aggregates (mean/median/stddev/cv)
// are skipped: the statistics are recomputed from the repetitions. No torch here.
#include <map>
#include <string>
#include <vector>

namespace sdebench {

struct BenchEntry {
  std::string name;                       // run_name, e.g. "steps/sde_matching/40"
  std::vector<double> times_ms;           // real time per iteration, one per repetition
  std::map<std::string, double> counters; // user counters; byte counters: max over repetitions
  // The in-situ calibration of each repetition (counter "calibration_ms", bench/calibration.h);
  // empty when the benchmark records none.
  std::vector<double> calibration_ms;
  bool has_local_calibration() const {
    return !calibration_ms.empty() && calibration_ms.size() == times_ms.size();
  }
};

struct BenchFile {
  std::map<std::string, BenchEntry> entries;
  std::vector<std::string> order;  // names in file order
};

// The benchmark's own name without the option suffixes Google Benchmark appends
// ("/min_time:0.100", "/repeats:5", "/real_time", ...), so baselines survive option changes.
std::string clean_bench_name(const std::string& name);

// Throws std::runtime_error naming `source` (a path or "<text>") on malformed input.
BenchFile parse_benchmark_json(const std::string& text, const std::string& source = "<text>");
BenchFile read_benchmark_json(const std::string& path);

// Repetition times divided by the median time of the calibration benchmark in the same file.
// Throws when the calibration benchmark is missing.
std::vector<double> calibrated_ratios(const BenchFile& file, const std::string& name,
                                      const std::string& calibration);

// Each repetition's time over the calibration measured in that repetition (has_local_calibration()).
std::vector<double> locally_calibrated_ratios(const BenchEntry& entry);

// "family/variant/x" -> parts; returns false for names of another shape.
struct BenchName {
  std::string family, variant;
  double x = 0.0;
};
bool split_bench_name(const std::string& name, BenchName& out);

}  // namespace sdebench
