// `sdebench bench` (run the scaling benchmarks, write JSON, summary and scaling report) and
// `sdebench bench-check` (compare a fresh run to the committed baseline; non-zero on regression).
#include <CLI/CLI.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "harness/bench/bench_json.h"
#include "harness/bench/gate.h"
#include "harness/bench/run_program.h"
#include "harness/bench/scaling.h"
#include "harness/commands/commands.h"
#include "harness/results/provenance.h"

namespace sdebench {

namespace {

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write '" + path + "'");
  out << text;
}

struct BenchCommandArgs {
  BenchProgramOptions program;
  std::string name = "scaling";
  std::string reports_dir = "reports";
  std::string json;  // an existing Google Benchmark JSON instead of running the program
  bool plots = true;
};

struct BenchCheckCommandArgs {
  BenchProgramOptions program;
  std::string baseline = "results/benchmarks/baseline.json";
  std::string fresh;  // an existing run instead of running the program
  std::string out = "reports/bench-check/fresh.json";
  GateOptions gate;
};

void add_program_options(CLI::App& cmd, BenchProgramOptions& program) {
  cmd.add_option("--program", program.program, "the benchmark program")->capture_default_str();
  cmd.add_option("--repetitions", program.repetitions, "Google Benchmark repetitions")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--filter", program.filter, "only the benchmarks matching this regex");
}

int bench_command(const BenchCommandArgs& a) {
  const Provenance provenance = collect_provenance();  // before this command writes anything
  const std::string dir = a.reports_dir + "/" + a.name;
  std::filesystem::create_directories(dir);
  const std::string json = dir + "/benchmarks.json";
  if (!a.json.empty()) {
    std::filesystem::copy_file(a.json, json, std::filesystem::copy_options::overwrite_existing);
  } else {
    run_bench_program(a.program, json);
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
  if (a.plots) {
    try {
      plots = write_scaling_plots(series, dir);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "warning: no plots: %s\n", e.what());
    }
  }
  // The command that made the numbers, so they can be made again (or the JSON they came from).
  std::string made_by = "sdebench bench";
  if (!a.json.empty()) {
    made_by += " --json " + a.json;
  } else {
    made_by += " --program " + a.program.program + " --repetitions " +
               std::to_string(a.program.repetitions);
    if (!a.program.filter.empty()) made_by += " --filter '" + a.program.filter + "'";
  }
  if (a.name != "scaling") made_by += " --name " + a.name;
  std::string readme = "# Benchmark report: " + a.name + "\n\nMade by `" + made_by + "` on " +
                       iso_time_utc_now() + " at git commit `" + provenance.git_commit +
                       "` (dirty: " + provenance.git_dirty + ")" +
                       " (benchmarks.json: Google Benchmark JSON; times are per training step, "
                       "real time).\n\n## Summary\n\n" +
                       summary + "\n" + scaling + "\n";
  for (const auto& f : plots) readme += "![" + f + "](" + f + ")\n";
  write_text(dir + "/README.md", readme);
  std::printf("%s\n%s\nreport: %s/README.md\n", summary.c_str(), scaling.c_str(), dir.c_str());
  return 0;
}

int bench_check_command(const BenchCheckCommandArgs& a) {
  const BenchFile baseline = read_benchmark_json(a.baseline);
  std::string fresh_path = a.fresh;
  if (fresh_path.empty()) {
    fresh_path = a.out;
    std::filesystem::path parent = std::filesystem::path(fresh_path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    run_bench_program(a.program, fresh_path);
  }
  const BenchFile fresh = read_benchmark_json(fresh_path);
  GateOptions gate = a.gate;
  gate.filter = a.program.filter;  // --filter picks what runs and what the gate expects
  const GateResult result = compare_benchmarks(baseline, fresh, gate);
  std::printf("baseline: %s\nfresh:    %s\n\n%s", a.baseline.c_str(), fresh_path.c_str(),
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

}  // namespace

void add_bench_commands(CLI::App& app, int& exit_code) {
  auto bench = std::make_shared<BenchCommandArgs>();
  CLI::App* cmd = app.add_subcommand("bench", "run the scaling benchmarks and write REPORTS_DIR/NAME/");
  add_program_options(*cmd, bench->program);
  cmd->add_option("--name", bench->name, "the report's folder name")->capture_default_str();
  cmd->add_option("--reports-dir", bench->reports_dir, "where reports go")->capture_default_str();
  cmd->add_option("--json", bench->json, "report on this Google Benchmark JSON instead of running");
  cmd->add_flag("--no-plots", [bench](std::int64_t) { bench->plots = false; }, "tables only");
  cmd->callback([bench, &exit_code] { exit_code = bench_command(*bench); });

  auto check = std::make_shared<BenchCheckCommandArgs>();
  CLI::App* gate = app.add_subcommand("bench-check", "gate a fresh benchmark run against the baseline (exit 1 on a regression)");
  add_program_options(*gate, check->program);
  gate->add_option("--baseline", check->baseline, "the committed baseline")->capture_default_str();
  gate->add_option("--fresh", check->fresh, "compare this run instead of running the program");
  gate->add_option("--out", check->out, "where the fresh run is written")->capture_default_str();
  gate->add_option("--alpha", check->gate.alpha, "Mann-Whitney significance level")->capture_default_str();
  gate->add_option("--time-tolerance", check->gate.time_tolerance,
                   "a regression is a median time ratio above 1 + this")
      ->capture_default_str();
  gate->add_option("--memory-tolerance", check->gate.memory_tolerance,
                   "a regression is peak memory above baseline x (1 + this)")
      ->capture_default_str();
  gate->callback([check, &exit_code] { exit_code = bench_check_command(*check); });
}

}  // namespace sdebench
