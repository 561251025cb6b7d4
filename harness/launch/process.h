#pragma once
// Runs a program (a Slurm client: sbatch, squeue, scontrol) and captures what it prints.
// No shell in between, so arguments need no quoting.
#include <string>
#include <vector>

namespace sdebench {

struct ProcessOutput {
  int exit_code = -1;  // 127 when the program could not be started (not on PATH)
  std::string out, err;
};

// argv[0] is looked up on PATH. Throws only when no process can be made at all.
ProcessOutput run_process(const std::vector<std::string>& argv);

// "sbatch --parsable --array=0-3 x.sbatch", for messages.
std::string command_line(const std::vector<std::string>& argv);

}  // namespace sdebench
