#pragma once
// Run directories: results/runs/<experiment>/<run-id>/, never reused. The id is
// <UTC timestamp>-<pid>-<random hex>, and the directory is created with mkdir, which fails
// when the name exists, so two runs (threads or processes) can never share one.
#include <string>

namespace sdebench {

std::string make_run_id();
// Creates root/experiment/ as needed, then a fresh run directory in it; returns its path.
std::string create_run_dir(const std::string& root, const std::string& experiment);
// A run directory planned ahead (a Slurm sweep creates one per run at submission, so that
// status and resume know where each run lives): checks that `dir` exists and holds no
// checkpoint (that run has to be resumed instead), and returns it.
std::string claim_planned_run_dir(const std::string& dir);
// The file names inside a run directory.
namespace run_files {
inline constexpr const char* spec = "spec.toml";
inline constexpr const char* metrics = "metrics.csv";
inline constexpr const char* eval = "eval.csv";
inline constexpr const char* summary = "summary.json";
inline constexpr const char* checkpoint = "checkpoint.pt";
inline constexpr const char* samples = "samples.csv";
inline constexpr const char* best = "best.pt";
inline constexpr const char* forecasts = "forecasts.csv";
inline constexpr const char* latents = "latents.csv";
}  // namespace run_files
std::string join_path(const std::string& dir, const std::string& file);

}  // namespace sdebench
