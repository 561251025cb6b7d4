#include "harness/bench/bench_json.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "harness/results/json.h"
#include "harness/stats.h"

namespace sdebench {

namespace {

double to_ms(double value, const std::string& unit, const std::string& where) {
  if (unit == "ns") return value * 1e-6;
  if (unit == "us") return value * 1e-3;
  if (unit == "ms") return value;
  if (unit == "s") return value * 1e3;
  throw std::runtime_error(where + ": unknown time_unit '" + unit + "'");
}

// Keys Google Benchmark writes itself; everything else numeric is a user counter.
bool is_builtin_key(const std::string& key) {
  static const char* kBuiltin[] = {"name", "family_index", "per_family_instance_index",
                                   "run_name", "run_type", "repetitions", "repetition_index",
                                   "threads", "iterations", "real_time", "cpu_time", "time_unit",
                                   "aggregate_name", "aggregate_unit", "label", "error_occurred",
                                   "error_message"};
  for (const char* k : kBuiltin)
    if (key == k) return true;
  return false;
}

}  // namespace

std::string clean_bench_name(const std::string& name) {
  std::string out = name;
  for (;;) {
    const auto slash = out.rfind('/');
    if (slash == std::string::npos) return out;
    const std::string last = out.substr(slash + 1);
    const bool option = last.find(':') != std::string::npos || last == "real_time" ||
                        last == "process_time" || last == "manual_time";
    if (!option) return out;
    out.erase(slash);
  }
}

BenchFile parse_benchmark_json(const std::string& text, const std::string& source) {
  Json root;
  try {
    root = Json::parse(text);
  } catch (const std::exception& e) {
    throw std::runtime_error(source + ": not valid JSON: " + e.what());
  }
  const auto list = root.find("benchmarks");  // end() when root is not an object
  if (list == root.end() || !list->is_array())
    throw std::runtime_error(source + ": no \"benchmarks\" array (is this Google Benchmark JSON?)");
  BenchFile file;
  int index = 0;
  for (const auto& b : *list) {
    const std::string where = source + ": benchmarks[" + std::to_string(index++) + "]";
    if (!b.is_object()) throw std::runtime_error(where + " is not an object");
    if (string_or(b, "run_type", "iteration") != "iteration") continue;  // aggregates
    if (const auto err = b.find("error_occurred"); err != b.end() && err->is_boolean() &&
                                                   err->get<bool>())
      throw std::runtime_error(where + " (" + string_or(b, "name", "?") +
                               ") failed: " + string_or(b, "error_message", ""));
    std::string name = clean_bench_name(string_or(b, "run_name", string_or(b, "name", "")));
    if (name.empty()) throw std::runtime_error(where + " has no name");
    const auto real = b.find("real_time");
    if (real == b.end() || !real->is_number()) throw std::runtime_error(where + " has no real_time");
    auto [it, inserted] = file.entries.try_emplace(name);
    if (inserted) file.order.push_back(name);
    BenchEntry& e = it->second;
    e.name = name;
    e.times_ms.push_back(to_ms(real->get<double>(), string_or(b, "time_unit", "ns"), where));
    for (const auto& [key, value] : b.items()) {
      if (is_builtin_key(key) || !value.is_number()) continue;
      if (key == "calibration_ms") {
        e.calibration_ms.push_back(value.get<double>());
        continue;
      }
      auto c = e.counters.find(key);
      if (c == e.counters.end()) e.counters[key] = value.get<double>();
      else if (key.find("bytes") != std::string::npos) c->second = std::max(c->second, value.get<double>());
    }
  }
  return file;
}

BenchFile read_benchmark_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open benchmark JSON '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_benchmark_json(ss.str(), path);
}

std::vector<double> calibrated_ratios(const BenchFile& file, const std::string& name,
                                      const std::string& calibration) {
  auto cal = file.entries.find(calibration);
  if (cal == file.entries.end() || cal->second.times_ms.empty())
    throw std::runtime_error("calibration benchmark '" + calibration +
                             "' is missing from the benchmark JSON");
  auto it = file.entries.find(name);
  if (it == file.entries.end()) throw std::runtime_error("no benchmark '" + name + "'");
  const double scale = median(cal->second.times_ms);
  std::vector<double> out;
  for (double t : it->second.times_ms) out.push_back(t / scale);
  return out;
}

std::vector<double> locally_calibrated_ratios(const BenchEntry& entry) {
  if (!entry.has_local_calibration())
    throw std::runtime_error("benchmark '" + entry.name + "' has no calibration_ms per repetition");
  std::vector<double> out;
  for (std::size_t i = 0; i < entry.times_ms.size(); ++i)
    out.push_back(entry.times_ms[i] / entry.calibration_ms[i]);
  return out;
}

bool split_bench_name(const std::string& name, BenchName& out) {
  const auto last = name.rfind('/');
  if (last == std::string::npos || last == 0) return false;
  const auto first = name.rfind('/', last - 1);
  if (first == std::string::npos) return false;
  try {
    size_t used = 0;
    out.x = std::stod(name.substr(last + 1), &used);
    if (used != name.size() - last - 1) return false;
  } catch (const std::exception&) {
    return false;
  }
  out.family = name.substr(0, first);
  out.variant = name.substr(first + 1, last - first - 1);
  return true;
}

}  // namespace sdebench
