#include "harness/report/report.h"

#include <filesystem>
#include <stdexcept>

#include "harness/report/aggregate.h"
#include "harness/report/plots.h"
#include "harness/report/tables.h"
#include "harness/results/atomic_write.h"
#include "harness/results/provenance.h"
#include "harness/results/run_dir.h"

namespace sdebench {

namespace {

std::string runs_section(const Aggregate& aggregate) {
  std::string out = "| group | seed | status | iterations | run directory |\n|---|---|---|---|---|\n";
  for (const auto& g : aggregate.groups)
    for (const RunRecord* r : g.runs)
      out += "| " + g.key() + " | " + std::to_string(r->seed) + " | " + r->status + " | " +
             std::to_string(static_cast<long long>(number_or(r->summary, "iterations", 0))) + " | `" +
             r->dir + "` |\n";
  return out;
}

std::string provenance_section(const std::vector<RunRecord>& runs) {
  std::string out;
  const Json& summary = runs.front().summary;
  if (!summary.contains("provenance")) return out;
  const Json& p = summary.at("provenance");
  out += "- git commit: `" + string_or(p, "git_commit", "?") + "` (dirty: " + string_or(p, "git_dirty", "?") + ")\n";
  out += "- compiler: " + string_or(p, "compiler", "?") + "; LibTorch " + string_or(p, "libtorch_version", "?") + "\n";
  out += "- CPU: " + string_or(p, "cpu_model", "?") + "; torch threads " +
         std::to_string(static_cast<int>(number_or(p, "torch_threads", 0))) + ", BLAS threads " +
         std::to_string(static_cast<int>(number_or(p, "blas_threads", 0))) + "\n";
  out += "(of the first run; every run's summary.json has its own)\n";
  return out;
}

}  // namespace

ReportOutput write_report(const std::vector<std::string>& run_paths, const std::string& name,
                          const std::string& reports_root, bool plots) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    throw std::invalid_argument("report name '" + name + "' must be a plain folder name");
  std::vector<RunRecord> runs = load_run_records(run_paths);
  Aggregate aggregate = aggregate_runs(runs);

  ReportOutput out;
  out.dir = join_path(reports_root, name);
  out.runs = static_cast<int>(runs.size());
  std::filesystem::create_directories(out.dir);
  write_file_atomic(join_path(out.dir, "summary.csv"), summary_csv(aggregate));
  write_file_atomic(join_path(out.dir, "summary.tex"), summary_latex(aggregate));
  out.files = {"summary.csv", "summary.tex"};
  std::vector<std::string> images;
  if (plots) images = write_plots(aggregate, out.dir, out.warnings);

  std::string md = "# Report: " + name + "\n\n";
  md += "Made by `sdebench report` on " + iso_time_utc_now() + " from " + std::to_string(runs.size()) +
        " run directories; every number is recomputed from the run files.\n\n";
  md += "## Results\n\nMean ± half-width of the 95% t-interval over seeds (n = runs counted). Runs are "
        "grouped by method, dataset and sweep label without the seed. Diverged runs count with their "
        "last good metrics; running, failed and interrupted runs are not counted.\n\n";
  md += summary_markdown(aggregate);
  md += "\nEvery metric (CSV): [summary.csv](summary.csv); LaTeX table: [summary.tex](summary.tex).\n";
  if (!images.empty()) {
    md += "\n## Plots\n\n";
    for (const auto& img : images) md += "![" + img + "](" + img + ")\n\n";
  }
  if (!out.warnings.empty()) {
    md += "\n## Warnings\n\n";
    for (const auto& w : out.warnings) md += "- " + w + "\n";
  }
  md += "\n## Runs\n\n" + runs_section(aggregate);
  md += "\n## Provenance\n\n" + provenance_section(runs);
  write_file_atomic(join_path(out.dir, "README.md"), md);
  out.files.push_back("README.md");
  out.files.insert(out.files.end(), images.begin(), images.end());
  out.console_table = summary_console(aggregate);
  return out;
}

std::string compare_runs(const std::vector<std::string>& run_paths) {
  std::vector<RunRecord> runs = load_run_records(run_paths);
  return summary_console(aggregate_runs(runs));
}

}  // namespace sdebench
