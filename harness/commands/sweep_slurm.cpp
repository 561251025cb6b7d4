// `sdebench sweep ... --launcher slurm` and `sdebench sweep --resume SWEEP_DIR`: the command-line
// side of the Slurm launcher (harness/launch/slurm.h).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "harness/commands/sweep_launchers.h"
#include "harness/launch/slurm.h"

namespace sdebench {

namespace {

void print_queued(const SweepManifest& sweep, const std::vector<int>& tasks) {
  const Submission& s = sweep.submissions.back();
  std::printf("sweep directory: %s\n", sweep.dir.c_str());
  std::printf("array job %s: %zu runs (--array=%s), logs %s/logs/%s_<run>.out\n", s.array_job.c_str(),
              tasks.size(), array_ranges(tasks).c_str(), sweep.dir.c_str(), s.array_job.c_str());
  std::printf("report job %s (after the array): %s/%s/README.md\n", s.report_job.c_str(), sweep.dir.c_str(),
              kReportName);
  std::printf("follow it with: sdebench status %s\n", sweep.dir.c_str());
}

}  // namespace

void add_slurm_sweep_options(CLI::App& sweep, SweepCommandArgs& args) {
  SlurmSweepRequest& r = args.slurm;
  args.slurm_only = {
      sweep.add_option("--partition", r.slurm.partition, "slurm: the partition (default: the cluster's)"),
      sweep.add_option("--time", r.slurm.time, "slurm: time limit per task, HH:MM:SS"),
      sweep.add_option("--cpus-per-task", r.slurm.cpus_per_task,
                       "slurm: cores per task (replaces training.threads)")
          ->check(CLI::PositiveNumber)
          ->capture_default_str(),
      sweep.add_option("--mem", r.slurm.mem, "slurm: memory per task, e.g. 4G"),
      sweep.add_option("--max-parallel", r.max_parallel, "slurm: at most K tasks at once")
          ->check(CLI::PositiveNumber),
      sweep.add_option("--sbatch-arg", r.slurm.sbatch_args,
                       "slurm: an extra #SBATCH option, repeatable (--sbatch-arg=--account=lab)")
          ->allow_extra_args(false),
      sweep.add_option("--sweeps-dir", r.sweeps_root,
                       "slurm: where the sweep directory goes (default results/sweeps, or "
                       "OUTPUT_ROOT/sweeps)"),
  };
}

int sweep_on_slurm(const std::vector<ResolvedSpec>& specs, const SweepCommandArgs& args) {
  SlurmSweepRequest request = args.slurm;
  request.runs_root = args.output_root;
  if (request.sweeps_root.empty())
    request.sweeps_root = request.runs_root.empty()
                              ? std::string("results/sweeps")
                              : (std::filesystem::path(request.runs_root) / "sweeps").string();
  request.dry_run = args.dry_run;
  for (const auto& s : specs) {
    const auto threads = s.training.get_int("threads");
    if (threads != 0 && threads != request.slurm.cpus_per_task) {
      std::fprintf(stderr, "[sweep] note: training.threads = %lld is replaced by --cpus-per-task %d "
                   "(SLURM_CPUS_PER_TASK) in every task\n", static_cast<long long>(threads),
                   request.slurm.cpus_per_task);
      break;
    }
  }
  SweepManifest sweep = submit_slurm_sweep(specs, request);
  if (!request.dry_run) print_queued(sweep, sweep.submissions.back().tasks);
  return 0;
}

int resume_sweep(const SweepCommandArgs& args) {
  if (!args.spec_and_overrides.empty())
    throw std::invalid_argument("sdebench sweep --resume SWEEP_DIR takes no spec or overrides: the "
                                "runs keep the specs saved in SWEEP_DIR/specs/");
  SweepManifest sweep = read_manifest(args.resume);
  const std::vector<int> again = resume_slurm_sweep(sweep);
  if (again.empty()) {
    std::printf("sweep %s: nothing to resubmit (every run completed, diverged, pending or running)\n",
                sweep.dir.c_str());
    return 0;
  }
  print_queued(sweep, again);
  return 0;
}

}  // namespace sdebench
