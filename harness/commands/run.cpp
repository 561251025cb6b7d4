#include <CLI/CLI.hpp>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "harness/commands/commands.h"
#include "harness/results/csv.h"
#include "harness/runner/runner.h"
#include "harness/runner/stop_signal.h"

namespace sdebench {

namespace {

void print_result(const RunResult& r) {
  std::printf("run directory: %s\nstatus: %s after %lld iterations\n", r.run_dir.c_str(), r.status.c_str(),
              static_cast<long long>(r.iterations));
  for (const auto& kv : r.final_metrics) std::printf("  %s = %s\n", kv.first.c_str(), format_number(kv.second).c_str());
}

struct RunCommandArgs {
  std::vector<std::string> spec_and_overrides;
  std::string label;
  RunOptions options;
};

int run_command(RunCommandArgs& a) {
  RunOptions& options = a.options;
  ResolvedSpec spec;
  if (!options.resume_dir.empty()) {
    if (!a.spec_and_overrides.empty())
      throw std::invalid_argument("sdebench run --resume RUN_DIR takes no spec or overrides: the run "
                                  "continues with the spec saved in RUN_DIR/spec.toml");
    spec = load_run_spec(options.resume_dir);
  } else {
    if (a.spec_and_overrides.empty())
      throw std::invalid_argument("usage: sdebench run SPEC.toml [section.key=value ...] | sdebench run --resume RUN_DIR");
    std::vector<std::string> overrides(a.spec_and_overrides.begin() + 1, a.spec_and_overrides.end());
    spec = load_spec(a.spec_and_overrides.front(), overrides);
    if (!a.label.empty()) spec.sweep_label = a.label;
  }
  // scancel, a Slurm time limit or preemption: checkpoint at the next iteration, then exit 143
  // (128 + SIGTERM, what the shell reports for a process killed by it) so nobody reads the run
  // as finished.
  install_sigterm_checkpoint();
  RunResult r = run_experiment(spec, options);
  print_result(r);
  if (r.status == "terminated") {
    std::fprintf(stderr, "sdebench run: SIGTERM: checkpoint written at iteration %lld; continue with "
                 "`sdebench run --resume %s`\n", static_cast<long long>(r.iterations), r.run_dir.c_str());
    return 143;
  }
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<RunCommandArgs>();
  CLI::App* cmd = app.add_subcommand("run", "train one experiment, or continue a killed run");
  cmd->add_option("spec", a->spec_and_overrides, "SPEC.toml, then section.key=value overrides");
  cmd->add_option("--resume", a->options.resume_dir, "continue the run in RUN_DIR from its checkpoint");
  cmd->add_option("--label", a->label, "the run's label in tables (default: the spec's)");
  cmd->add_option("--output-root", a->options.output_root, "write the run under DIR instead of output.dir");
  cmd->add_option("--run-dir", a->options.run_dir, "write into this (empty, existing) directory");
  cmd->add_option("--run-dir-file", a->options.run_dir_file, "write the run directory's path to this file");
  cmd->add_option("--stop-after", a->options.stop_after,
                  "testing aid: stop as if killed after N iterations of this session")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--no-progress", [a](std::int64_t) { a->options.progress = false; },
                "no progress lines on stderr");
  cmd->callback([a, &exit_code] { exit_code = run_command(*a); });
}

}  // namespace sdebench
