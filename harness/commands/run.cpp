#include <cstdio>
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
}  // namespace

int command_run(const Args& args) {
  ParsedArgs p = parse_args(args, {"resume", "label", "output-root", "stop-after", "run-dir-file", "run-dir"},
                            {"no-progress"}, "run");
  RunOptions options;
  options.progress = !p.has("no-progress");
  options.output_root = p.value("output-root");
  options.run_dir_file = p.value("run-dir-file");
  options.run_dir = p.value("run-dir");
  if (p.has("stop-after")) options.stop_after = std::stoll(p.value("stop-after"));
  ResolvedSpec spec;
  if (p.has("resume")) {
    if (!p.positional.empty())
      throw std::invalid_argument("sdebench run --resume RUN_DIR takes no spec or overrides: the run "
                                  "continues with the spec saved in RUN_DIR/spec.toml");
    options.resume_dir = p.value("resume");
    spec = load_run_spec(options.resume_dir);
  } else {
    if (p.positional.empty())
      throw std::invalid_argument("usage: sdebench run SPEC.toml [section.key=value ...] | sdebench run --resume RUN_DIR");
    std::vector<std::string> overrides(p.positional.begin() + 1, p.positional.end());
    spec = load_spec(p.positional.front(), overrides);
    spec.sweep_label = p.value("label", spec.sweep_label);
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

}  // namespace sdebench
