#pragma once
// The Slurm launcher: a sweep's runs as one job array on a Slurm cluster, submitted with the
// real `sbatch --parsable`, followed with `squeue` and `scontrol` (no slurmdbd, so no sacct),
// resumed by resubmitting the same array script for the runs that did not finish.
// The other launchers (in this process, --jobs N local processes) are in runner/sweep.h.
#include <string>
#include <vector>

#include "harness/config/spec.h"
#include "harness/launch/slurm_script.h"
#include "harness/launch/sweep_dir.h"

namespace sdebench {

struct SlurmSweepRequest {
  SlurmOptions slurm;
  int max_parallel = 0;     // at most this many tasks at once (--array=...%K); 0 = no limit
  std::string sweeps_root;  // where the sweep directory goes (results/sweeps)
  std::string runs_root;    // where run directories go; empty: each spec's output.dir
  std::string executable;   // the sdebench the jobs run; empty: this program
  bool dry_run = false;     // print the scripts and sbatch commands, write and submit nothing
};

// Plans the sweep directory and run directories, writes the scripts, submits the array and the
// report job. Returns the manifest (with the submission). Throws, naming the sbatch command and
// what it printed, when a submission fails; the sweep directory then says what was queued.
SweepManifest submit_slurm_sweep(const std::vector<ResolvedSpec>& specs, const SlurmSweepRequest& request);

// One run as Slurm and its run directory see it.
struct RunState {
  int index = 0;
  std::string label, run_dir;
  std::string state;   // pending, running, completed, diverged, failed, cancelled
  std::string detail;  // e.g. "TIMEOUT, checkpoint at iteration 40", the error of a failed run
  std::string job;     // "<array job>_<index>" of the latest submission, "" if never submitted
  std::string log;     // that task's Slurm output file
};

struct SweepState {
  std::vector<RunState> runs;
  std::string report_job, report_state;  // of the latest submission; state "" when Slurm forgot it
  std::vector<std::string> warnings;     // e.g. squeue not reachable
};

SweepState query_sweep(const SweepManifest& sweep);

// Resubmits the runs that are neither completed, diverged, pending nor running (each continues
// from its checkpoint, if it has one), with a new report job. Returns the indices resubmitted
// (empty: nothing to do, nothing submitted).
std::vector<int> resume_slurm_sweep(SweepManifest& sweep);

// "0-3", "1,3,5-7": the --array list of these task indices.
std::string array_ranges(std::vector<int> indices);
// The other way, as Slurm writes it: "1-3%1", "1,3,5-7", "0-6:2" (-> 0 2 4 6).
std::vector<int> parse_array_ranges(const std::string& text);

}  // namespace sdebench
