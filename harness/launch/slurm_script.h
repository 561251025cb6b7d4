#pragma once
// The two batch scripts of a Slurm sweep, as text. One job-array script: task i runs run i of
// the sweep directory (sweep_dir.h), with as many LibTorch threads as Slurm gave it CPUs, and
// continues from the run's checkpoint when an earlier attempt left one. One report job, submitted
// with --dependency=afterany on the array, runs `sdebench report` over the sweep's runs.
// --array and --dependency are given to sbatch on the command line, not in the scripts, so that
// `sweep --resume` resubmits the same script for just the runs left to do.
#include <string>
#include <vector>

#include "harness/launch/sweep_dir.h"

namespace sdebench {

struct SlurmOptions {
  std::string partition;       // empty: the cluster's default
  std::string time;            // per task, e.g. "02:00:00"; empty: the partition's default
  int cpus_per_task = 1;       // = training.threads of every run
  std::string mem;             // per task, e.g. "4G"; empty: the partition's default
  std::vector<std::string> sbatch_args;  // extra "#SBATCH" options, e.g. "--account=lab"
  // The grace the time limit leaves: SIGTERM this many seconds before it (--signal), so the run
  // writes a checkpoint before SIGKILL.
  int signal_seconds = 60;
};

// Single-quoted for bash: 'it'\''s'.
std::string shell_quote(const std::string& s);

std::string array_script(const SweepManifest& sweep, const SlurmOptions& options);
std::string report_script(const SweepManifest& sweep, const SlurmOptions& options);

// Names of the scripts and of the report inside the sweep directory.
inline constexpr const char* kArrayScript = "array.sbatch";
inline constexpr const char* kReportScript = "report.sbatch";
inline constexpr const char* kReportName = "report";

// Where Slurm writes task `index` of array job `job` (the %A_%a pattern) / the report job.
std::string task_log(const SweepManifest& sweep, const std::string& job, int index);
std::string report_log(const SweepManifest& sweep, const std::string& job);

}  // namespace sdebench
