#include <CLI/CLI.hpp>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "core/threads.h"
#include "harness/commands/commands.h"
#include "harness/commands/sweep_launchers.h"
#include "harness/report/report.h"
#include "harness/results/atomic_write.h"
#include "harness/runner/sweep.h"

namespace sdebench {

namespace {

int sweep_command(const SweepCommandArgs& a) {
  if (!a.resume.empty()) return resume_sweep(a);
  if (a.launcher == "local")
    for (const CLI::Option* option : a.slurm_only)
      if (option->count() > 0)
        throw std::invalid_argument("sdebench sweep: " + option->get_name() + " needs --launcher slurm");
  if (a.spec_and_overrides.empty())
    throw std::invalid_argument("usage: sdebench sweep SPEC.toml [key=a,b,c | seed=0:5 ...] [--jobs N]");
  std::vector<std::string> overrides(a.spec_and_overrides.begin() + 1, a.spec_and_overrides.end());
  // Every combination is resolved and validated before the first run starts (or is queued).
  std::vector<ResolvedSpec> specs = expand_sweep(a.spec_and_overrides.front(), overrides);
  std::fprintf(stderr, "[sweep] %zu runs\n", specs.size());
  if (a.launcher == "slurm") return sweep_on_slurm(specs, a);
  if (a.dry_run) {
    for (size_t i = 0; i < specs.size(); ++i)
      std::printf("%zu: %s\n", i + 1, specs[i].sweep_label.empty() ? specs[i].name.c_str() : specs[i].sweep_label.c_str());
    return 0;
  }
  SweepOptions options;
  options.jobs = a.jobs;
  options.run.progress = a.progress && options.jobs == 1;
  options.run.output_root = a.output_root;
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
  if (!a.runs_file.empty()) write_file_atomic(a.runs_file, runs_text);
  if (!dirs.empty() && a.table) {
    try {
      std::printf("\n%s", compare_runs(dirs).c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "[sweep] comparison table not made: %s\n", e.what());
    }
  }
  return result.failed > 0 ? 1 : 0;
}

}  // namespace

void add_sweep_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<SweepCommandArgs>();
  CLI::App* cmd = app.add_subcommand("sweep", "train every combination of a grid of overrides");
  cmd->footer("Overrides take lists (key=a,b,c) and ranges (seed=0:5); every combination is a run.\n"
              "--launcher slurm submits one Slurm job array and a report job (results/sweeps/).");
  cmd->add_option("spec", a->spec_and_overrides, "SPEC.toml, then overrides");
  cmd->add_option("--launcher", a->launcher, "where the runs execute")
      ->check(CLI::IsMember({"local", "slurm"}))
      ->capture_default_str();
  cmd->add_option("--resume", a->resume, "resubmit the runs of this Slurm sweep directory that did not complete");
  cmd->add_option("--output-root", a->output_root, "write the runs under DIR instead of output.dir");
  cmd->add_flag("--dry-run", a->dry_run, "list the runs (slurm: print the scripts), run nothing");
  CLI::Option* jobs = cmd->add_option("--jobs", a->jobs, "local: runs at a time, as child processes")
                          ->check(CLI::PositiveNumber)
                          ->capture_default_str();
  CLI::Option* runs_file = cmd->add_option("--runs-file", a->runs_file, "local: write the run directories here");
  cmd->add_flag("--no-progress", [a](std::int64_t) { a->progress = false; }, "no progress lines on stderr");
  cmd->add_flag("--no-table", [a](std::int64_t) { a->table = false; }, "no comparison table at the end");
  add_slurm_sweep_options(*cmd, *a);
  cmd->callback([a, jobs, runs_file, &exit_code] {
    if (a->launcher == "slurm" && (jobs->count() > 0 || runs_file->count() > 0))
      throw std::invalid_argument("sdebench sweep: --jobs and --runs-file are for --launcher local; with "
                                  "slurm, --max-parallel limits the tasks and the sweep directory lists the runs");
    exit_code = sweep_command(*a);
  });
}

}  // namespace sdebench
