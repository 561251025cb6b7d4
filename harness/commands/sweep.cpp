#include <cstdio>
#include <stdexcept>

#include "core/threads.h"
#include "harness/commands/commands.h"
#include "harness/commands/sweep_launchers.h"
#include "harness/report/report.h"
#include "harness/results/atomic_write.h"
#include "harness/runner/sweep.h"

namespace sdebench {

int command_sweep(const Args& args) {
  std::vector<std::string> with_value{"jobs", "output-root", "runs-file", "launcher", "resume"};
  with_value.insert(with_value.end(), slurm_sweep_flags().begin(), slurm_sweep_flags().end());
  ParsedArgs p = parse_args(args, with_value, {"no-progress", "dry-run", "no-table"}, "sweep");
  if (p.has("resume")) return resume_sweep(p);
  const std::string launcher = p.value("launcher", "local");
  if (launcher != "local" && launcher != "slurm")
    throw std::invalid_argument("sdebench sweep: --launcher '" + launcher + "': expected local or slurm");
  if (launcher == "local")
    for (const auto& flag : slurm_sweep_flags())
      if (p.has(flag)) throw std::invalid_argument("sdebench sweep: --" + flag + " needs --launcher slurm");
  if (launcher == "slurm" && (p.has("jobs") || p.has("runs-file")))
    throw std::invalid_argument("sdebench sweep: --jobs and --runs-file are for --launcher local; with "
                                "slurm, --max-parallel limits the tasks and the sweep directory lists the runs");
  if (p.positional.empty())
    throw std::invalid_argument("usage: sdebench sweep SPEC.toml [key=a,b,c | seed=0:5 ...] [--jobs N]");
  std::vector<std::string> overrides(p.positional.begin() + 1, p.positional.end());
  // Every combination is resolved and validated before the first run starts (or is queued).
  std::vector<ResolvedSpec> specs = expand_sweep(p.positional.front(), overrides);
  std::fprintf(stderr, "[sweep] %zu runs\n", specs.size());
  if (launcher == "slurm") return sweep_on_slurm(specs, p);
  if (p.has("dry-run")) {
    for (size_t i = 0; i < specs.size(); ++i)
      std::printf("%zu: %s\n", i + 1, specs[i].sweep_label.empty() ? specs[i].name.c_str() : specs[i].sweep_label.c_str());
    return 0;
  }
  SweepOptions options;
  options.jobs = p.has("jobs") ? std::stoi(p.value("jobs")) : 1;
  if (options.jobs < 1) throw std::invalid_argument("sdebench sweep: --jobs must be at least 1");
  options.run.progress = !p.has("no-progress") && options.jobs == 1;
  options.run.output_root = p.value("output-root");
  if (options.jobs > 1) {
    for (const auto& s : specs) {
      const auto threads = s.training.get_int("threads");
      if (threads == 0 || threads * options.jobs > hardware_cores()) {
        std::fprintf(stderr,
                     "[sweep] note: %d jobs x training.threads=%lld on %d cores oversubscribes the CPU; "
                     "consider training.threads=%d\n",
                     options.jobs, static_cast<long long>(threads), hardware_cores(),
                     std::max(1, hardware_cores() / options.jobs));
        break;
      }
    }
  }
  SweepResult result = run_sweep(specs, options);
  std::printf("sweep: %d completed, %d diverged, %d failed\n", result.completed, result.diverged, result.failed);
  std::vector<std::string> dirs;
  std::string runs_text;
  for (size_t i = 0; i < result.runs.size(); ++i) {
    const RunResult& r = result.runs[i];
    std::printf("  %-10s %s  %s%s%s\n", r.status.c_str(), r.run_dir.empty() ? "-" : r.run_dir.c_str(),
                specs[i].sweep_label.c_str(), r.error.empty() ? "" : "  error: ", r.error.c_str());
    if (!r.run_dir.empty()) {
      dirs.push_back(r.run_dir);
      runs_text += r.run_dir + "\n";
    }
  }
  if (p.has("runs-file")) write_file_atomic(p.value("runs-file"), runs_text);
  if (!dirs.empty() && !p.has("no-table")) {
    try {
      std::printf("\n%s", compare_runs(dirs).c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "[sweep] comparison table not made: %s\n", e.what());
    }
  }
  return result.failed > 0 ? 1 : 0;
}

}  // namespace sdebench
