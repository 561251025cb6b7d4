#include "harness/suite/reproduce.h"

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "harness/report/aggregate.h"
#include "harness/report/forecast_spread.h"
#include "harness/report/frame_strips.h"
#include "harness/report/plots.h"
#include "harness/report/tables.h"
#include "harness/suite/claims.h"
#include "harness/results/atomic_write.h"
#include "harness/results/csv.h"
#include "harness/results/json.h"
#include "harness/results/provenance.h"
#include "harness/results/run_dir.h"

namespace sdebench {

namespace fs = std::filesystem;

namespace {

std::string fixed(double v, int digits = 2) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

MeanInterval stat_of(const RunGroup& g, const std::string& metric) {
  auto it = g.stats.find(metric);
  return it == g.stats.end() ? MeanInterval{} : it->second;
}

const PublishedRow* published_for(const Suite& suite, const std::string& method) {
  for (const auto& row : suite.published)
    if (!row.method.empty() && row.method == method) return &row;
  return nullptr;
}

// A file-name-safe form of a group label ("spec=a dataset.x=1" -> "a_dataset.x-1").
std::string file_stem(const std::string& label) {
  std::string out;
  for (char c : label.rfind("spec=", 0) == 0 ? label.substr(5) : label)
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'
               ? c
               : (c == '=' ? '-' : '_');
  return out;
}

// The distinct statuses of a group's runs with their counts ("time_budget", "memory_budget x2"):
// a run stopped by a budget is shown, not dropped.
std::string ended_as(const RunGroup& g) {
  std::map<std::string, int> counts;
  for (const RunRecord* r : g.runs) counts[r->status] += 1;
  std::string out;
  for (const auto& [status, n] : counts)
    out += (out.empty() ? "" : ", ") + status + (n > 1 ? " x" + std::to_string(n) : "");
  return out.empty() ? "-" : out;
}

// The group's lowest-seed run that counts and has `file`.
const RunRecord* picture_run(const RunGroup& g, const std::string& file) {
  const RunRecord* chosen = nullptr;
  for (const RunRecord* r : g.runs)
    if (status_counts(r->status) && fs::exists(join_path(r->dir, file)) &&
        (!chosen || r->seed < chosen->seed))
      chosen = r;
  return chosen;
}

// One forecast plot per group: the lowest seed's forecasts.csv, sequence 0, the suite's dims;
// then one plot of every group's forecast spread over time from the same files.
std::vector<std::string> forecast_plots(const Suite& suite, const Aggregate& aggregate,
                                        const std::string& out_dir,
                                        std::vector<std::string>& warnings) {
  std::vector<std::string> images;
  std::vector<PlotLine> spreads;
  for (const auto& g : aggregate.groups) {
    const RunRecord* chosen = picture_run(g, run_files::forecasts);
    if (!chosen) continue;
    const CsvTable table = read_csv(join_path(chosen->dir, run_files::forecasts));
    std::size_t same_method = 0;  // two specs of one method (or a grid) need the label
    for (const auto& other : aggregate.groups) same_method += other.method == g.method;
    const std::string name = same_method > 1 ? file_stem(g.label) : g.method;
    // Against the observation's index, not its time: specs of one suite may differ in time unit
    // (SDE Matching's frames are 0.01 apart on MOCAP, the others' 0.1).
    PlotLine spread{name + ", seed " + std::to_string(chosen->seed), {}};
    for (const auto& [time, variance] : forecast_spread(table))
      spread.points.emplace_back(static_cast<double>(spread.points.size()), variance);
    if (!spread.points.empty()) spreads.push_back(std::move(spread));
    std::vector<PlotLine> lines;
    for (std::int64_t d : suite.plot_dims) {
      const std::string column = "x" + std::to_string(d);
      int col = -1;
      for (std::size_t c = 0; c < table.header.size(); ++c)
        if (table.header[c] == column) col = static_cast<int>(c);
      if (col < 0) continue;
      for (const std::string kind : {"data", "mean"}) {
        PlotLine line{column + (kind == std::string("data") ? " data" : " forecast (mean of samples)"),
                      {}, kind == std::string("data") ? "lines lw 2" : "lines dt 2"};
        for (const auto& row : table.rows)
          if (row[0] == kind && row[1] == "0") {
            const double v = parse_number(row[static_cast<std::size_t>(col)]);
            if (std::isfinite(v)) line.points.emplace_back(parse_number(row[2]), v);
          }
        lines.push_back(std::move(line));
      }
    }
    if (lines.empty()) continue;
    const std::string file = "forecast_" + name + ".png";
    try {
      plot_lines(join_path(out_dir, file),
                 "Forecast from the first frames, test sequence 0, seed " +
                     std::to_string(chosen->seed) + ": " + g.method,
                 "time", "value (data units)", lines);
      images.push_back(file);
    } catch (const std::exception& e) {
      warnings.push_back("forecast plot for " + g.method + " not made: " + e.what());
    }
  }
  if (!spreads.empty()) {
    try {
      plot_lines(join_path(out_dir, "forecast_spread.png"),
                 "Forecast spread, test sequence 0: mean over dimensions of the samples' "
                 "variance about their mean",
                 "observation (index in the sequence)", "variance (data units squared)", spreads);
      images.push_back("forecast_spread.png");
    } catch (const std::exception& e) {
      warnings.push_back(std::string("forecast spread plot not made: ") + e.what());
    }
  }
  return images;
}

// Square-frame data: frame strips (data vs forecasts) and the latent path against the
// dataset's latent truth, per group (those matching suite.pictures_for get pictures; the R^2
// table covers every group that wrote latents).
std::string frames_and_latents(const Suite& suite, const Aggregate& aggregate,
                               const std::string& out_dir, std::vector<std::string>& images,
                               std::vector<std::string>& warnings) {
  std::string strips, table;
  for (const auto& g : aggregate.groups) {
    const std::string stem = file_stem(g.label.empty() ? g.method : g.label);
    const bool pictures =
        suite.pictures_for.empty() || g.label.find(suite.pictures_for) != std::string::npos;
    if (const RunRecord* r = picture_run(g, run_files::forecasts); r && pictures) {
      const std::string file = "frames_" + stem + ".png";
      try {
        write_frame_strip(join_path(r->dir, run_files::forecasts), join_path(out_dir, file),
                          stem + ", seed " + std::to_string(r->seed));
        images.push_back(file);
        strips += "![" + file + "](" + file + ")\n\n";
      } catch (const std::exception& e) {
        warnings.push_back("frame strip for " + stem + " not made: " + e.what());
      }
      if (suite.centroid_angles) {
        const std::string angles = "angle_" + stem + ".png";
        try {
          // The run's latents.csv, when written, may carry the dataset's oracle angle.
          const std::string latents = join_path(r->dir, run_files::latents);
          write_centroid_angle_plot(join_path(r->dir, run_files::forecasts),
                                    join_path(out_dir, angles),
                                    "Angle of the bright centroid, test sequence 0: " + stem +
                                        ", seed " + std::to_string(r->seed),
                                    fs::exists(latents) ? latents : "");
          images.push_back(angles);
          strips += "![" + angles + "](" + angles + ")\n\n";
        } catch (const std::exception& e) {
          warnings.push_back("centroid angle plot for " + stem + " not made: " + e.what());
        }
      }
    }
    if (const RunRecord* r = picture_run(g, run_files::latents)) {
      const std::string file = pictures ? "latent_" + stem + ".png" : "";
      try {
        const LatentTruthFit fit =
            fit_latent_truth(join_path(r->dir, run_files::latents),
                             file.empty() ? "" : join_path(out_dir, file),
                             "Latent path vs true " + std::string("value: ") + stem);
        if (table.empty())
          table = "| group | seed | truth | R^2 of the linear readout | points |\n|---|---|---|---|---|\n";
        table += "| " + stem + " | " + std::to_string(r->seed) + " | " + fit.truth + " | " +
                 fixed(fit.r_squared, 3) + " | " + std::to_string(fit.rows) + " |\n";
        if (!file.empty()) {
          images.push_back(file);
          strips += "![" + file + "](" + file + ")\n\n";
        }
      } catch (const std::exception& e) {
        // A dataset without latent truth is the common case: nothing to show, no warning.
        if (std::string(e.what()).find("truth_") == std::string::npos)
          warnings.push_back("latent plot for " + stem + " not made: " + e.what());
      }
    }
  }
  std::string md;
  if (!table.empty())
    md += "The dataset's latent truth regressed on each method's inferred latent path (least "
          "squares with an intercept over the written test sequences and times; R^2 = 1 is a "
          "perfect linear readout):\n\n" + table + "\n";
  return md + strips;
}

}  // namespace

std::string suite_section(const Suite& suite, const std::vector<std::string>& run_dirs) {
  std::vector<RunRecord> runs;
  for (const auto& d : run_dirs) runs.push_back(load_run_record(d));
  const Aggregate aggregate = aggregate_runs(runs);
  std::string md;
  const bool published = !suite.published.empty();
  md += "| spec | method | runs (diverged) | ended as | " + suite.metric + ": mean ± 95% CI over seeds";
  if (!suite.metric_interval.empty()) md += " | mean per-run 95% half-width";
  for (const auto& m : suite.also_metrics) md += " | " + m;
  if (published) md += " | published | within the published interval";
  if (suite.score_below > 0) md += " | below " + fixed(suite.score_below, 0);
  md += " | train s / run | eval s / run | median s / iteration | peak step tensor MB |\n|";
  const int columns = 9 + !suite.metric_interval.empty() +
                      static_cast<int>(suite.also_metrics.size()) + 2 * published +
                      (suite.score_below > 0);
  for (int c = 0; c < columns; ++c) md += "---|";
  md += "\n";
  for (const auto& g : aggregate.groups) {
    const MeanInterval score = stat_of(g, suite.metric);
    std::string spec = g.label.rfind("spec=", 0) == 0 ? g.label.substr(5) : g.label;
    md += "| " + (spec.empty() ? "-" : spec) + " | " + g.method + " | " +
          std::to_string(g.runs.size() - static_cast<std::size_t>(g.skipped)) + " (" +
          std::to_string(g.diverged) + ") | " + ended_as(g) + " | " + format_mean_interval(score);
    if (!suite.metric_interval.empty()) {
      const MeanInterval spread = stat_of(g, suite.metric_interval);
      md += " | " + (spread.n ? fixed(spread.mean) : "-");
    }
    for (const auto& m : suite.also_metrics) md += " | " + format_mean_interval(stat_of(g, m));
    if (published) {
      const PublishedRow* pub = published_for(suite, g.method);
      std::string within = "-";
      if (pub && score.n > 0)
        within = std::fabs(score.mean - pub->value) <= pub->interval ? "yes" : "no";
      md += " | " + (pub ? fixed(pub->value) + " ± " + fixed(pub->interval) : "-") + " | " + within;
    }
    if (suite.score_below > 0)
      md += " | " + (score.n > 0 ? std::string(score.mean < suite.score_below ? "yes" : "no") : "-");
    md += " | " + fixed(stat_of(g, "train_time_s").mean, 1) + " | " +
          fixed(stat_of(g, "eval_time_s").mean, 1) + " | " +
          fixed(stat_of(g, "step_time_median_s").mean, 4) + " | " +
          fixed(stat_of(g, "peak_train_step_bytes").mean / 1e6, 2) + " |\n";
  }
  if (published) {
  md += "\nPublished rows for reference:\n\n| published | " + suite.metric + " |\n|---|---|\n";
  for (const auto& row : suite.published)
    md += "| " + row.label + " | " + fixed(row.value) + " ± " + fixed(row.interval) + " |\n";
  }
  md += "\nThe score is `" + suite.metric + "`";
  if (!suite.metric_interval.empty())
    md += "; the per-run half-width is `" + suite.metric_interval + "` (over the forecast samples)";
  for (std::size_t i = 0; i < suite.also_metrics.size(); ++i)
    md += (i == 0 ? "; beside it `" : ", `") + suite.also_metrics[i] + "`";
  md += ". A diverged run counts with its last good metrics and is listed in the runs table.\n";
  return md;
}

namespace {

// One row per run: what it cost and what it scored (diverged and failed runs included).
std::string every_run_section(const Suite& suite, const std::vector<RunRecord>& runs) {
  std::string md = "| spec | seed | status | iterations | train s | eval s | median s / iteration | "
                   "peak step tensor MB | " + suite.metric;
  for (const auto& m : suite.also_metrics) md += " | " + m;
  md += " |\n|---|---|---|---|---|---|---|---|---|";
  for (std::size_t i = 0; i < suite.also_metrics.size(); ++i) md += "---|";
  md += "\n";
  auto value = [](const RunRecord& r, const std::string& name) {
    for (const auto& kv : r.values)
      if (kv.first == name) return kv.second;
    return std::nan("");
  };
  for (const auto& r : runs) {
    md += "| " + string_or(r.summary, "name", r.method) + " | " + std::to_string(r.seed) + " | " +
          r.status + " | " +
          std::to_string(static_cast<long long>(number_or(r.summary, "iterations", 0))) + " | " +
          fixed(value(r, "train_time_s"), 1) + " | " + fixed(value(r, "eval_time_s"), 1) + " | " +
          fixed(value(r, "step_time_median_s"), 4) + " | " +
          fixed(value(r, "peak_train_step_bytes") / 1e6, 2) + " | " +
          format_number(value(r, suite.metric));
    for (const auto& m : suite.also_metrics) md += " | " + format_number(value(r, m));
    md += " |\n";
  }
  return md;
}

const char* const kRecordFile = "reproduce.json";

}  // namespace

ReproduceResult reproduce(const Suite& suite, const ReproduceOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const std::int64_t seeds = options.seeds > 0 ? options.seeds : suite.seeds;
  // Every run of every spec is resolved and validated before the first one starts.
  std::vector<ResolvedSpec> specs;
  for (const auto& file : suite.specs) {
    std::vector<std::string> overrides = suite.grid;
    overrides.insert(overrides.end(), options.overrides.begin(), options.overrides.end());
    overrides.push_back("seed=0:" + std::to_string(seeds));
    auto expanded = expand_sweep(file, overrides);
    // Runs are grouped by spec, so that two specs of one method (e.g. the adjoint and the
    // backprop latent SDE) stay apart in every table.
    for (auto& spec : expanded) spec.sweep_label = "spec=" + spec.name + " " + spec.sweep_label;
    specs.insert(specs.end(), expanded.begin(), expanded.end());
  }
  const std::string output_root = join_path(options.output_root, suite.report);
  const std::string record_path = join_path(output_root, kRecordFile);

  ReproduceResult result;
  std::vector<std::string> dirs;
  std::string made_by;
  if (!options.report_only) {
    std::fprintf(stderr, "[reproduce] %s: %zu runs (%zu specs x %zu grid points x %lld seeds), %d at a time\n",
                 suite.report.c_str(), specs.size(), suite.specs.size(),
                 specs.size() / suite.specs.size() / static_cast<std::size_t>(seeds),
                 static_cast<long long>(seeds), options.jobs);
    const std::string started = iso_time_utc_now();
    SweepOptions sweep;
    sweep.jobs = options.jobs;
    sweep.run.output_root = output_root;
    sweep.run.progress = options.progress && options.jobs == 1;
    result.sweep = run_sweep(specs, sweep);
    for (const auto& r : result.sweep.runs)
      if (!r.run_dir.empty()) dirs.push_back(r.run_dir);
    if (dirs.empty()) throw std::runtime_error("reproduce: no run produced a run directory");
    result.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // What made these runs, so that `--report-only` can say it when it re-makes the report.
    Json record = Json::object();
    record["command"] = options.command_line;
    record["scale"] = suite.scale;
    record["started"] = started;
    record["finished"] = iso_time_utc_now();
    record["wall_seconds"] = result.wall_seconds;
    record["jobs"] = options.jobs;
    Json list = Json::array();
    for (const auto& d : dirs) list.push_back(d);
    record["run_dirs"] = list;
    write_file_atomic(record_path, to_file_text(record));
    made_by = "Made by `" + options.command_line + "`" +
              (suite.scale.empty() ? std::string() : " (scale `" + suite.scale + "`)") + " on " +
              iso_time_utc_now() + ", in " + fixed(result.wall_seconds / 60.0, 1) +
              " min wall time (" + std::to_string(specs.size()) + " runs, " +
              std::to_string(options.jobs) + " at a time).";
  } else {
    // Re-made from the run directories of an earlier `reproduce` (its record names them).
    if (fs::exists(record_path)) {
      const Json record = read_json_file(record_path);
      for (const auto& d : record.at("run_dirs")) dirs.push_back(d.get<std::string>());
      result.wall_seconds = number_or(record, "wall_seconds", 0);
      made_by = "Runs made by `" + string_or(record, "command", "?") + "` from " +
                string_or(record, "started", "?") + " to " + string_or(record, "finished", "?") +
                " (" + fixed(result.wall_seconds / 60.0, 1) + " min wall time, " +
                std::to_string(static_cast<int>(number_or(record, "jobs", 1))) +
                " at a time); this report re-made from their directories by `" +
                options.command_line + "` on " + iso_time_utc_now() + ".";
    } else {
      if (fs::exists(output_root)) dirs = find_run_dirs({output_root});
      if (dirs.empty())
        throw std::runtime_error("reproduce --report-only: no run directories under '" +
                                 output_root + "'; run `sdebench reproduce` first");
      // No record (runs made before reproduce wrote one): the span of the run files.
      auto earliest = fs::file_time_type::max(), latest = fs::file_time_type::min();
      for (const auto& d : dirs) {
        earliest = std::min(earliest, fs::last_write_time(join_path(d, run_files::spec)));
        latest = std::max(latest, fs::last_write_time(join_path(d, run_files::summary)));
      }
      result.wall_seconds = std::chrono::duration<double>(latest - earliest).count();
      made_by = "Report made by `" + options.command_line + "` (scale `" + suite.scale + "`) on " +
                iso_time_utc_now() + " from the " + std::to_string(dirs.size()) +
                " run directories under `" + output_root + "`, made by an earlier `sdebench "
                "reproduce` that kept no record of its command; the runs span " +
                fixed(result.wall_seconds / 60.0, 1) +
                " min from the first spec.toml to the last summary.json (file times).";
    }
  }

  result.report = write_report(dirs, suite.report, options.reports_root);
  const std::vector<RunRecord> records = [&] {
    std::vector<RunRecord> out;
    for (const auto& d : find_run_dirs(dirs)) out.push_back(load_run_record(d));
    return out;
  }();
  int completed = 0, by_budget = 0, diverged = 0, other = 0;
  for (const auto& r : records)
    (r.status == "completed"                                        ? completed
     : r.status == "time_budget" || r.status == "memory_budget" ? by_budget
     : r.status == "diverged"                                       ? diverged
                                                                    : other) += 1;
  const Aggregate aggregate = aggregate_runs(records);
  auto images = forecast_plots(suite, aggregate, result.report.dir, result.report.warnings);
  std::vector<std::string> frame_images;
  const std::string frames_md =
      suite.frame_strips
          ? frames_and_latents(suite, aggregate, result.report.dir, frame_images, result.report.warnings)
          : std::string();

  std::string md = "# " + (suite.title.empty() ? suite.report : suite.title) + "\n\n";
  md += made_by + " Suite file: `" + suite.file + "`; runs under `" + output_root +
        "` (not committed; the command makes them again): " + std::to_string(completed) +
        " completed, " + (by_budget ? std::to_string(by_budget) + " ended by a budget, " : std::string()) +
        std::to_string(diverged) + " diverged, " + std::to_string(other) +
        " other (failed, interrupted or running).\n\n";
  if (!suite.description.empty()) md += suite.description + "\n\n";
  md += "## Score\n\n" + suite_section(suite, dirs);
  if (suite.has_claims) {
    const ClaimsOutput claims =
        claims_section(suite, records, result.report.dir,
                       join_path(join_path(options.reports_root, "scaling"), "scaling.csv"),
                       result.report.warnings);
    md += "\n## Claims\n\n" + claims.markdown;
    for (const auto& img : claims.images) md += "\n![" + img + "](" + img + ")\n";
    result.report.files.insert(result.report.files.end(), claims.images.begin(),
                               claims.images.end());
  }
  if (!images.empty()) {
    md += "\n## Forecasts\n\n";
    for (const auto& img : images) md += "![" + img + "](" + img + ")\n\n";
  }
  if (!frames_md.empty()) md += "\n## Frames and latent paths\n\n" + frames_md;
  md += "\n## Every run\n\n" + every_run_section(suite, records);
  // Each spec as its runs resolved it (the lowest seed's spec.toml).
  std::string settings;
  std::map<std::string, const RunRecord*> first;
  for (const auto& r : records) {
    const RunRecord*& f = first[string_or(r.summary, "name", r.method)];
    if (!f || r.seed < f->seed) f = &r;
  }
  for (const auto& [name, r] : first)
    settings += "\n<details><summary>" + name + " (resolved, seed " + std::to_string(r->seed) +
                ")</summary>\n\n```toml\n" + read_text_file(join_path(r->dir, run_files::spec)) +
                "```\n</details>\n";
  md += "\n## Settings\n" + settings;
  const std::string generic_path = join_path(result.report.dir, "README.md");
  std::string generic = read_text_file(generic_path);
  md += "\n## Every metric (`sdebench report` on the same runs)\n\n" +
        generic.substr(generic.find('\n') + 1);
  write_file_atomic(generic_path, md);
  result.report.files.insert(result.report.files.end(), images.begin(), images.end());
  result.report.files.insert(result.report.files.end(), frame_images.begin(), frame_images.end());
  return result;
}

}  // namespace sdebench
