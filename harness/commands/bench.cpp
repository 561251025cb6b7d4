// `sdebench bench` (run the scaling benchmarks, write JSON, summary and scaling report) and
// `sdebench bench-check` (compare a fresh run to the committed baseline; non-zero on regression).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "harness/bench/bench_json.h"
#include "harness/bench/gate.h"
#include "harness/bench/run_program.h"
#include "harness/bench/scaling.h"
#include "harness/commands/commands.h"

namespace sdebench {

namespace {

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write '" + path + "'");
  out << text;
}

BenchProgramOptions program_options(const ParsedArgs& p, int default_reps) {
  BenchProgramOptions o;
  o.program = p.value("program", o.program);
  o.repetitions = std::stoi(p.value("repetitions", std::to_string(default_reps)));
  o.filter = p.value("filter", "");
  return o;
}

double number_flag(const ParsedArgs& p, const std::string& name, double fallback) {
  if (!p.has(name)) return fallback;
  try {
    return std::stod(p.value(name));
  } catch (const std::exception&) {
    throw std::invalid_argument("--" + name + ": not a number: '" + p.value(name) + "'");
  }
}

}  // namespace

int command_bench(const Args& args) {
  ParsedArgs p = parse_args(args, {"program", "repetitions", "filter", "name", "reports-dir", "json"},
                            {"no-plots"}, "bench");
  const std::string dir = p.value("reports-dir", "reports") + "/" + p.value("name", "scaling");
  std::filesystem::create_directories(dir);
  const std::string json = dir + "/benchmarks.json";
  if (p.has("json")) {
    std::filesystem::copy_file(p.value("json"), json,
                               std::filesystem::copy_options::overwrite_existing);
  } else {
    run_bench_program(program_options(p, 5), json);
  }
  const BenchFile file = read_benchmark_json(json);
  const GateOptions defaults;
  const auto series = scaling_series(file);
  const std::string summary = summary_markdown(file, defaults.calibration);
  const std::string scaling = scaling_markdown(series);
  write_text(dir + "/summary.md", summary);
  write_text(dir + "/scaling.md", scaling);
  write_text(dir + "/scaling.csv", scaling_csv(series));
  std::vector<std::string> plots;
  if (!p.has("no-plots")) {
    try {
      plots = write_scaling_plots(series, dir);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "warning: no plots: %s\n", e.what());
    }
  }
  std::string readme = "# Benchmark report: " + p.value("name", "scaling") +
                       "\n\nMade by `sdebench bench` from benchmarks.json (Google Benchmark "
                       "JSON; times are per training step, real time).\n\n## Summary\n\n" +
                       summary + "\n" + scaling + "\n";
  for (const auto& f : plots) readme += "![" + f + "](" + f + ")\n";
  write_text(dir + "/README.md", readme);
  std::printf("%s\n%s\nreport: %s/README.md\n", summary.c_str(), scaling.c_str(), dir.c_str());
  return 0;
}

int command_bench_check(const Args& args) {
  ParsedArgs p = parse_args(args,
                            {"baseline", "fresh", "program", "repetitions", "filter", "out",
                             "alpha", "time-tolerance", "memory-tolerance"},
                            {}, "bench-check");
  const std::string baseline_path = p.value("baseline", "results/benchmarks/baseline.json");
  const BenchFile baseline = read_benchmark_json(baseline_path);
  std::string fresh_path = p.value("fresh", "");
  if (fresh_path.empty()) {
    fresh_path = p.value("out", "reports/bench-check/fresh.json");
    std::filesystem::path parent = std::filesystem::path(fresh_path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    run_bench_program(program_options(p, 5), fresh_path);
  }
  const BenchFile fresh = read_benchmark_json(fresh_path);
  GateOptions options;
  options.alpha = number_flag(p, "alpha", options.alpha);
  options.time_tolerance = number_flag(p, "time-tolerance", options.time_tolerance);
  options.memory_tolerance = number_flag(p, "memory-tolerance", options.memory_tolerance);
  options.filter = p.value("filter", "");
  const GateResult result = compare_benchmarks(baseline, fresh, options);
  std::printf("baseline: %s\nfresh:    %s\n\n%s", baseline_path.c_str(), fresh_path.c_str(),
              result.table().c_str());
  if (result.rows.empty()) {
    std::fprintf(stderr, "bench-check: no benchmark in common with the baseline\n");
    return 1;
  }
  if (!result.passed()) {
    std::fprintf(stderr, "\nbench-check: regressions:\n%s", result.reasons().c_str());
    return 1;
  }
  return 0;
}

}  // namespace sdebench
