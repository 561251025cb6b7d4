// `sdebench sweep ... --launcher slurm` and `sdebench sweep --resume SWEEP_DIR`: the command-line
// side of the Slurm launcher (harness/launch/slurm.h).
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "harness/commands/commands.h"
#include "harness/commands/sweep_launchers.h"
#include "harness/launch/slurm.h"

namespace sdebench {

namespace {

int positive(const ParsedArgs& p, const std::string& flag, int fallback, int least) {
  if (!p.has(flag)) return fallback;
  int v = 0;
  try {
    size_t used = 0;
    v = std::stoi(p.value(flag), &used);
    if (used != p.value(flag).size()) throw std::invalid_argument("");
  } catch (const std::exception&) {
    throw std::invalid_argument("sdebench sweep: --" + flag + " '" + p.value(flag) + "': expected an integer");
  }
  if (v < least)
    throw std::invalid_argument("sdebench sweep: --" + flag + " must be at least " + std::to_string(least));
  return v;
}

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

const std::vector<std::string>& slurm_sweep_flags() {
  static const std::vector<std::string> flags{"partition", "time", "cpus-per-task", "mem",
                                              "max-parallel", "sbatch-arg", "sweeps-dir"};
  return flags;
}

int sweep_on_slurm(const std::vector<ResolvedSpec>& specs, const ParsedArgs& p) {
  SlurmSweepRequest request;
  request.slurm.partition = p.value("partition");
  request.slurm.time = p.value("time");
  request.slurm.mem = p.value("mem");
  request.slurm.cpus_per_task = positive(p, "cpus-per-task", 1, 1);
  for (const auto& f : p.flags)
    if (f.first == "sbatch-arg") request.slurm.sbatch_args.push_back(f.second);
  request.max_parallel = positive(p, "max-parallel", 0, 1);
  request.runs_root = p.value("output-root");
  // Next to the runs: results/sweeps by default, <output root>/sweeps with --output-root.
  request.sweeps_root = p.value("sweeps-dir", request.runs_root.empty()
                                                  ? std::string("results/sweeps")
                                                  : (std::filesystem::path(request.runs_root) / "sweeps").string());
  request.dry_run = p.has("dry-run");
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

int resume_sweep(const ParsedArgs& p) {
  if (!p.positional.empty())
    throw std::invalid_argument("sdebench sweep --resume SWEEP_DIR takes no spec or overrides: the "
                                "runs keep the specs saved in SWEEP_DIR/specs/");
  SweepManifest sweep = read_manifest(p.value("resume"));
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
