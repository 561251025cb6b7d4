// `sdebench status SWEEP_DIR`: one line per run of a Slurm sweep, from its run directories and
// what squeue/scontrol still know.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "harness/commands/commands.h"
#include "harness/launch/slurm.h"

namespace sdebench {

namespace {

int status_command(const std::string& sweep_dir) {
  const SweepManifest sweep = read_manifest(sweep_dir);
  const SweepState state = query_sweep(sweep);
  std::printf("sweep %s/%s: %zu runs, %zu submissions\n", sweep.name.c_str(), sweep.sweep_id.c_str(),
              sweep.runs.size(), sweep.submissions.size());
  std::map<std::string, int> counts;
  for (const auto& r : state.runs) {
    ++counts[r.state];
    std::printf("%3d  %-9s  %-10s  %s\n", r.index, r.state.c_str(), r.job.empty() ? "-" : r.job.c_str(),
                r.label.empty() ? "-" : r.label.c_str());
    if (!r.detail.empty()) std::printf("       %s\n", r.detail.c_str());
    std::printf("       run %s\n", r.run_dir.c_str());
    if (!r.log.empty()) std::printf("       log %s\n", r.log.c_str());
  }
  if (!state.report_job.empty()) {
    const std::string readme = sweep.file(std::string(kReportName) + "/README.md");
    std::printf("report job %s: %s; %s%s\n", state.report_job.c_str(),
                state.report_state.empty() ? "finished" : state.report_state.c_str(), readme.c_str(),
                std::filesystem::exists(readme) ? "" : " (not written yet)");
  }
  std::string line;
  for (const char* s : {"pending", "running", "completed", "diverged", "failed", "cancelled"})
    if (counts[s] > 0) line += (line.empty() ? "" : ", ") + std::to_string(counts[s]) + " " + s;
  std::printf("%s\n", line.c_str());
  for (const auto& w : state.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app, int& exit_code) {
  auto sweep_dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("status", "one line per run of a Slurm sweep");
  cmd->add_option("sweep_dir", *sweep_dir, "SWEEP_DIR (results/sweeps/<name>/<sweep-id>)")->required();
  cmd->callback([sweep_dir, &exit_code] { exit_code = status_command(*sweep_dir); });
}

}  // namespace sdebench
