#include <filesystem>

#include "harness/results/json.h"
#include "harness/results/run_dir.h"
#include "harness/runner/runner.h"

namespace sdebench {

ResolvedSpec load_run_spec(const std::string& run_dir) {
  const std::string spec_path = join_path(run_dir, run_files::spec);
  if (!std::filesystem::exists(spec_path))
    throw std::runtime_error("'" + run_dir + "' is not a run directory (no " + run_files::spec + ")");
  ResolvedSpec spec = load_spec(spec_path);
  const std::string summary_path = join_path(run_dir, run_files::summary);
  if (std::filesystem::exists(summary_path))
    spec.sweep_label = string_or(read_json_file(summary_path), "sweep_label", "");
  return spec;
}

}  // namespace sdebench
