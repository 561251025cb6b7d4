#include "harness/report/aggregate.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <cmath>
#include <stdexcept>
#include <tuple>

#include "harness/results/run_dir.h"

namespace sdebench {

namespace fs = std::filesystem;

namespace {

// Time and memory columns, in this order, after the accuracy metrics.
const std::vector<std::pair<std::string, std::pair<std::string, std::string>>>& cost_metrics() {
  static const std::vector<std::pair<std::string, std::pair<std::string, std::string>>> list = {
      {"final_loss", {"training", "final_loss"}},
      {"train_time_s", {"training", "train_time_s"}},
      {"step_time_median_s", {"training", "step_time_median_s"}},
      {"step_time_p90_s", {"training", "step_time_p90_s"}},
      {"eval_time_s", {"training", "eval_time_s"}},
      {"time_to_target_s", {"training", "time_to_target_s"}},
      {"peak_train_step_bytes", {"memory", "peak_train_step_bytes"}},
      {"peak_eval_bytes", {"memory", "peak_eval_bytes"}},
      {"peak_rss_bytes", {"memory", "peak_rss_bytes"}},
  };
  return list;
}

CsvTable read_optional_csv(const std::string& path) {
  return fs::exists(path) ? read_csv(path) : CsvTable{};
}

}  // namespace

std::vector<std::string> find_run_dirs(const std::vector<std::string>& paths) {
  std::set<std::string> found;
  for (const auto& p : paths) {
    if (!fs::exists(p)) throw std::runtime_error("no such run directory or folder: '" + p + "'");
    if (fs::exists(fs::path(p) / run_files::summary)) {
      found.insert(fs::path(p).lexically_normal().string());
      continue;
    }
    for (const auto& entry : fs::recursive_directory_iterator(p)) {
      if (entry.is_directory() && fs::exists(entry.path() / run_files::summary))
        found.insert(entry.path().lexically_normal().string());
    }
  }
  return {found.begin(), found.end()};
}

RunRecord load_run_record(const std::string& dir) {
  RunRecord r;
  r.dir = dir;
  r.summary = read_json_file(join_path(dir, run_files::summary));
  r.metrics = read_optional_csv(join_path(dir, run_files::metrics));
  r.evals = read_optional_csv(join_path(dir, run_files::eval));
  r.samples = read_optional_csv(join_path(dir, run_files::samples));
  r.method = string_or(r.summary, "method", "?");
  r.dataset = string_or(r.summary, "dataset", "?");
  r.label = string_or(r.summary, "group_label", "");
  r.status = string_or(r.summary, "status", "?");
  r.seed = static_cast<std::int64_t>(number_or(r.summary, "seed", 0));
  if (const auto m = r.summary.find("final_metrics"); m != r.summary.end())
    for (const auto& [name, value] : m->items()) r.values.emplace_back(name, as_number(value));
  for (const auto& c : cost_metrics()) {
    const auto section = r.summary.find(c.second.first);
    r.values.emplace_back(c.first, section != r.summary.end()
                                       ? number_or(*section, c.second.second, std::nan(""))
                                       : std::nan(""));
  }
  return r;
}

std::vector<RunRecord> load_run_records(const std::vector<std::string>& paths) {
  const auto dirs = find_run_dirs(paths);
  if (dirs.empty()) throw std::runtime_error("no run directories (with summary.json) in the given paths");
  std::vector<RunRecord> runs;
  for (const auto& d : dirs) runs.push_back(load_run_record(d));
  return runs;
}

std::string RunGroup::key() const {
  std::string k = method + " / " + dataset;
  if (!label.empty()) k += " [" + label + "]";
  return k;
}

bool status_counts(const std::string& status) {
  return status == "completed" || status == "time_budget" || status == "diverged";
}

Aggregate aggregate_runs(const std::vector<RunRecord>& runs) {
  Aggregate out;
  std::set<std::string> accuracy;
  for (const auto& r : runs)
    if (const auto m = r.summary.find("final_metrics"); m != r.summary.end())
      for (const auto& [name, value] : m->items()) accuracy.insert(name);
  out.metric_names.assign(accuracy.begin(), accuracy.end());
  for (const auto& c : cost_metrics()) out.metric_names.push_back(c.first);

  std::map<std::tuple<std::string, std::string, std::string>, size_t> index;
  for (const auto& r : runs) {
    auto key = std::make_tuple(r.method, r.dataset, r.label);
    auto it = index.find(key);
    if (it == index.end()) {
      RunGroup g;
      g.method = r.method;
      g.dataset = r.dataset;
      g.label = r.label;
      it = index.emplace(key, out.groups.size()).first;
      out.groups.push_back(std::move(g));
    }
    RunGroup& g = out.groups[it->second];
    g.runs.push_back(&r);
    if (r.status == "diverged") ++g.diverged;
    if (!status_counts(r.status)) ++g.skipped;
  }
  for (auto& g : out.groups) {
    for (const auto& name : out.metric_names) {
      std::vector<double> values;
      for (const RunRecord* r : g.runs) {
        if (!status_counts(r->status)) continue;
        for (const auto& kv : r->values)
          if (kv.first == name) values.push_back(kv.second);
      }
      g.stats[name] = mean_interval_95(values);
    }
  }
  std::sort(out.groups.begin(), out.groups.end(),
            [](const RunGroup& a, const RunGroup& b) { return a.key() < b.key(); });
  return out;
}

}  // namespace sdebench
