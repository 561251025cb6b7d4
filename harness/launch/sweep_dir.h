#pragma once
// A sweep directory, results/sweeps/<name>/<sweep-id>/, is what a sweep handed to a cluster
// leaves behind so that `sdebench status` and `sdebench sweep --resume` can find every run
// later, from any machine that sees the output directory:
//   sweep.json      this manifest: runs (label, resolved spec file, planned run directory) and
//                   every submission (Slurm array job, report job, which runs it carried)
//   runs.tsv        the same run list for people: index, label, run directory
//   specs/<i>.toml  run i's resolved spec (`sdebench run` accepts it as is)
//   array.sbatch    the job-array script (task i runs run i), report.sbatch the report job
//   logs/           Slurm output, <array job>_<task>.out and report_<job>.out
//   report/         what the report job writes
// Run directories are decided and created (empty, by mkdir: never shared) when the sweep is
// planned, in the usual place (<output root>/<name>/<run-id>/), so reports over
// results/runs/<name> see sweep runs like any others. No torch here.
#include <string>
#include <vector>

#include "harness/config/spec.h"

namespace sdebench {

struct PlannedRun {
  int index = 0;  // also the Slurm array task id
  std::string label, spec_file, run_dir;
};

struct Submission {
  std::string array_job, report_job;  // Slurm job ids ("" when that submission failed)
  std::vector<int> tasks;             // run indices this array carried
  std::string submitted_at;           // ISO time, UTC
};

struct SweepManifest {
  std::string dir;  // absolute
  std::string name, sweep_id, launcher, executable;
  int max_parallel = 0;  // %K on --array; 0 = no limit
  std::vector<PlannedRun> runs;
  std::vector<Submission> submissions;

  std::string file(const std::string& relative) const;  // dir/relative
  // The latest submission that carried run `index`, or nullptr.
  const Submission* latest_submission(int index) const;
};

// Plans a sweep: absolute paths for the sweep directory under `sweeps_root` and for every run
// under `runs_root` (or each spec's output.dir when empty). With `create`, makes the directories
// and writes specs/<i>.toml, runs.tsv and sweep.json; without (a dry run), only names them.
SweepManifest plan_sweep(const std::vector<ResolvedSpec>& specs, const std::string& sweeps_root,
                         const std::string& runs_root, const std::string& executable, bool create);

void write_manifest(const SweepManifest& manifest);
// Reads DIR/sweep.json; the error says what DIR is missing.
SweepManifest read_manifest(const std::string& dir);

// The program's own absolute path (/proc/self/exe), which cluster jobs call back.
std::string self_executable_path();

}  // namespace sdebench
