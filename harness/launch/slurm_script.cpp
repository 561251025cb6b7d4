#include "harness/launch/slurm_script.h"

#include <stdexcept>

#include "harness/results/run_dir.h"

namespace sdebench {

namespace {

std::string sbatch_common(const SlurmOptions& o) {
  std::string s;
  if (!o.partition.empty()) s += "#SBATCH --partition=" + o.partition + "\n";
  if (!o.mem.empty()) s += "#SBATCH --mem=" + o.mem + "\n";
  for (const auto& a : o.sbatch_args) {
    if (a.rfind("-", 0) != 0)
      throw std::invalid_argument("--sbatch-arg '" + a + "': expected an sbatch option such as --account=lab");
    s += "#SBATCH " + a + "\n";
  }
  return s;
}

}  // namespace

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string task_log(const SweepManifest& sweep, const std::string& job, int index) {
  return sweep.file("logs/" + job + "_" + std::to_string(index) + ".out");
}

std::string report_log(const SweepManifest& sweep, const std::string& job) {
  return sweep.file("logs/report_" + job + ".out");
}

std::string array_script(const SweepManifest& sweep, const SlurmOptions& o) {
  if (o.cpus_per_task < 1) throw std::invalid_argument("--cpus-per-task must be at least 1");
  std::string s = "#!/bin/bash\n";
  s += "# sdebench sweep " + sweep.name + " " + sweep.sweep_id + ": array task i trains run i.\n";
  s += "# Submitted by `sdebench sweep --launcher slurm` with --array=<runs>; see sweep.json.\n";
  s += "#SBATCH --job-name=sdebench-" + sweep.name + "\n";
  s += "#SBATCH --output=" + sweep.file("logs/%A_%a.out") + "\n";
  s += "#SBATCH --ntasks=1\n";
  s += "#SBATCH --cpus-per-task=" + std::to_string(o.cpus_per_task) + "\n";
  if (!o.time.empty()) s += "#SBATCH --time=" + o.time + "\n";
  // SIGTERM to this (batch) shell ahead of the time limit; with `exec` below, the shell is
  // sdebench itself, which checkpoints at the next iteration and exits 143.
  s += "#SBATCH --signal=B:TERM@" + std::to_string(o.signal_seconds) + "\n";
  s += sbatch_common(o);
  s += "set -euo pipefail\n\n";
  s += "SDEBENCH=" + shell_quote(sweep.executable) + "\n";
  std::string specs = "SPECS=(", dirs = "RUN_DIRS=(", labels = "LABELS=(";
  for (const auto& r : sweep.runs) {
    specs += "\n  " + shell_quote(r.spec_file);
    dirs += "\n  " + shell_quote(r.run_dir);
    labels += "\n  " + shell_quote(r.label);
  }
  s += specs + "\n)\n" + dirs + "\n)\n" + labels + "\n)\n\n";
  s += "i=${SLURM_ARRAY_TASK_ID:?this script is a Slurm job array (sbatch --array=...)}\n";
  s += "threads=${SLURM_CPUS_PER_TASK:-1}\n";
  s += "export OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE\n";
  s += "echo \"[sdebench] run $i (${LABELS[$i]}) on $(hostname) with $threads threads: ${RUN_DIRS[$i]}\"\n";
  // exec: SIGTERM (scancel, time limit, preemption) then reaches sdebench, not a waiting shell.
  s += std::string("if [ -f \"${RUN_DIRS[$i]}/") + run_files::checkpoint + "\" ]; then\n";
  s += "  # An earlier attempt was stopped: continue it exactly (same spec, same threads).\n";
  s += "  echo \"[sdebench] continuing from its checkpoint\"\n";
  s += "  exec \"$SDEBENCH\" run --resume \"${RUN_DIRS[$i]}\" --no-progress\n";
  s += "fi\n";
  s += "exec \"$SDEBENCH\" run \"${SPECS[$i]}\" \"training.threads=$threads\" --label \"${LABELS[$i]}\" \\\n"
       "  --run-dir \"${RUN_DIRS[$i]}\" --no-progress\n";
  return s;
}

std::string report_script(const SweepManifest& sweep, const SlurmOptions& o) {
  std::string s = "#!/bin/bash\n";
  s += "# sdebench sweep " + sweep.name + " " + sweep.sweep_id +
       ": report over its runs, after the array (afterany).\n";
  s += "#SBATCH --job-name=sdebench-" + sweep.name + "-report\n";
  s += "#SBATCH --output=" + sweep.file("logs/report_%j.out") + "\n";
  s += "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n";
  s += sbatch_common(o);
  s += "set -euo pipefail\n";
  s += "export OPENBLAS_NUM_THREADS=1\n";
  // Runs that never started have no summary.json and are left out by the report itself.
  s += "exec " + shell_quote(sweep.executable) + " report";
  for (const auto& r : sweep.runs) s += " \\\n  " + shell_quote(r.run_dir);
  s += " \\\n  --name " + std::string(kReportName) + " --reports-dir " + shell_quote(sweep.dir) + "\n";
  return s;
}

}  // namespace sdebench
