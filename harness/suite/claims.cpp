#include "harness/suite/claims.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "harness/report/plots.h"
#include "harness/report/tables.h"
#include "harness/results/csv.h"
#include "harness/results/run_dir.h"
#include "harness/stats.h"

namespace sdebench {

namespace {

const double kNaN = std::nan("");

std::string spec_name(const RunRecord& r) { return string_or(r.summary, "name", r.method); }

std::string number(double v, const char* format = "%.3g") {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

double final_value(const RunRecord& r, const std::string& metric) {
  for (const auto& kv : r.values)
    if (kv.first == metric) return kv.second;
  return kNaN;
}

// The runs of one spec whose numbers count, by seed.
std::map<std::int64_t, const RunRecord*> runs_of(const std::vector<RunRecord>& runs,
                                                 const std::string& name) {
  std::map<std::int64_t, const RunRecord*> out;
  for (const auto& r : runs)
    if (spec_name(r) == name && status_counts(r.status)) out[r.seed] = &r;
  return out;
}

MeanInterval final_stats(const std::map<std::int64_t, const RunRecord*>& runs,
                         const std::string& metric) {
  std::vector<double> values;
  for (const auto& kv : runs) values.push_back(final_value(*kv.second, metric));
  return mean_interval_95(values);
}

std::string ratio_text(const RatioInterval& r) {
  if (r.n == 0) return "not measured";
  std::string out = number(r.mean, "%.2f") + "x";
  if (r.n >= 2) out += " [" + number(r.low, "%.2f") + ", " + number(r.high, "%.2f") + "]";
  return out + " (n = " + std::to_string(r.n) + ")";
}

// "holds" only when the whole interval clears the claim.
std::string verdict(const RatioInterval& r, double claim) {
  if (r.n < 2) return "not settled (fewer than 2 seeds measured)";
  if (r.low >= claim) return "holds";
  if (r.high < claim) return "does not hold";
  return "not settled by these seeds (the interval contains " + number(claim, "%g") + "x)";
}

template <class Value>
RatioInterval paired_ratio(const std::map<std::int64_t, const RunRecord*>& baseline,
                           const std::map<std::int64_t, const RunRecord*>& fast, Value value) {
  std::vector<double> ratios;
  for (const auto& [seed, b] : baseline) {
    auto f = fast.find(seed);
    if (f == fast.end()) continue;
    const double vb = value(*b), vf = value(*f->second);
    if (std::isfinite(vb) && std::isfinite(vf) && vb > 0 && vf > 0) ratios.push_back(vb / vf);
  }
  return ratio_interval_95(ratios);
}

std::string accuracy_verdict(const MeanInterval& fast, const MeanInterval& base) {
  if (fast.n < 2 || base.n < 2) return "not settled (fewer than 2 seeds)";
  if (std::fabs(fast.mean - base.mean) <= fast.half_width + base.half_width)
    return "same accuracy (the intervals overlap)";
  return fast.mean < base.mean ? "the fast method is better (the intervals do not overlap)"
                               : "not the same: the fast method is worse (the intervals do not "
                                 "overlap)";
}

// Mean and 95% band over seeds of `metric` at each evaluation, against iteration or time_s.
std::vector<PlotLine> curve_lines(const std::map<std::int64_t, const RunRecord*>& runs,
                                  const std::string& label, const std::string& metric,
                                  bool against_time, int colour) {
  std::map<double, std::vector<double>> values, times;
  for (const auto& kv : runs) {
    const CsvTable& e = kv.second->evals;
    if (e.column(metric) < 0) continue;
    const auto it = e.numbers("iteration"), t = e.numbers("time_s"), v = e.numbers(metric);
    for (std::size_t i = 0; i < v.size(); ++i) {
      values[it[i]].push_back(v[i]);
      times[it[i]].push_back(t[i]);
    }
  }
  const std::string c = " lc " + std::to_string(colour);
  PlotLine mean{label, {}, "linespoints lw 2 pt 7 ps 0.6" + c};
  PlotLine low{"", {}, "lines dt 2" + c}, high{"", {}, "lines dt 2" + c};
  for (const auto& [iteration, v] : values) {
    const MeanInterval m = mean_interval_95(v);
    if (m.n == 0 || !(m.mean > 0)) continue;
    const double x = against_time ? mean_interval_95(times[iteration]).mean : iteration;
    mean.points.emplace_back(x, m.mean);
    if (m.n >= 2 && std::isfinite(m.half_width) && m.mean - m.half_width > 0) {
      low.points.emplace_back(x, m.mean - m.half_width);
      high.points.emplace_back(x, m.mean + m.half_width);
    }
  }
  std::vector<PlotLine> out;
  for (auto* line : {&mean, &low, &high})
    if (!line->points.empty()) out.push_back(*line);
  return out;
}

std::vector<std::string> spec_names_in_order(const Suite& suite,
                                             const std::vector<RunRecord>& runs) {
  std::vector<std::string> names = {suite.claims.fast};
  names.insert(names.end(), suite.claims.baselines.begin(), suite.claims.baselines.end());
  for (const auto& r : runs)
    if (std::find(names.begin(), names.end(), spec_name(r)) == names.end())
      names.push_back(spec_name(r));
  return names;
}

std::vector<std::string> curve_plots(const Suite& suite, const std::vector<RunRecord>& runs,
                                     const std::string& out_dir,
                                     std::vector<std::string>& warnings) {
  struct Plot {
    std::string file, metric, xlabel;
    bool against_time;
  };
  const Claims& c = suite.claims;
  const std::vector<Plot> plots = {{"claims_accuracy_vs_time.png", c.accuracy, "training wall time (s)", true},
                                   {"claims_accuracy_vs_iteration.png", c.accuracy, "iteration", false},
                                   {"claims_distance_vs_iteration.png", c.distance, "iteration", false}};
  std::vector<std::string> images;
  const auto names = spec_names_in_order(suite, runs);
  for (const auto& p : plots) {
    std::vector<PlotLine> lines;
    int colour = 1;
    for (const auto& name : names) {
      auto add = curve_lines(runs_of(runs, name), name, p.metric, p.against_time, colour++);
      lines.insert(lines.end(), add.begin(), add.end());
    }
    if (lines.empty()) continue;
    try {
      plot_lines(join_path(out_dir, p.file),
                 p.metric + ": mean over seeds (dashed: 95% interval)", p.xlabel, p.metric, lines,
                 true);
      images.push_back(p.file);
    } catch (const std::exception& e) {
      warnings.push_back("plot " + p.file + " not made: " + e.what());
    }
  }
  return images;
}

std::string scaling_rows(const std::string& scaling_csv) {
  if (!std::filesystem::exists(scaling_csv))
    return "\nNo scaling benchmark report at `" + scaling_csv +
           "`: run `sdebench bench` to add the growth of memory with solver steps and length.\n";
  const CsvTable t = read_csv(scaling_csv);
  std::string md =
      "\nGrowth with solver steps L (`steps` family: sequence length fixed) and with sequence "
      "length (`obs` family), from the scaling benchmark (`" + scaling_csv +
      "`; batch and model of that benchmark, not of this suite): peak tensor bytes of one "
      "training step at the smallest and largest size and the log-log slope (0 = flat, 1 = "
      "linear).\n\n| family | method | sizes | peak MB | peak bytes slope | step ms |\n"
      "|---|---|---|---|---|---|\n";
  std::map<std::pair<std::string, std::string>, std::vector<std::size_t>> rows;
  for (std::size_t i = 0; i < t.rows.size(); ++i)
    rows[{t.rows[i][static_cast<std::size_t>(t.column("family"))],
          t.rows[i][static_cast<std::size_t>(t.column("variant"))]}]
        .push_back(i);
  for (const auto& [key, idx] : rows) {
    std::size_t lo = idx.front(), hi = idx.front();
    for (std::size_t i : idx) {
      if (t.number(i, "x") < t.number(lo, "x")) lo = i;
      if (t.number(i, "x") > t.number(hi, "x")) hi = i;
    }
    md += "| " + key.first + " | " + key.second + " | " + number(t.number(lo, "x"), "%g") +
          " .. " + number(t.number(hi, "x"), "%g") + " | " +
          number(t.number(lo, "peak_bytes") / 1e6, "%.2f") + " .. " +
          number(t.number(hi, "peak_bytes") / 1e6, "%.2f") + " | " +
          number(t.number(lo, "peak_slope"), "%.2f") + " | " +
          number(t.number(lo, "time_ms"), "%.3g") + " .. " + number(t.number(hi, "time_ms"), "%.3g") +
          " |\n";
  }
  return md;
}

}  // namespace

RatioInterval ratio_interval_95(const std::vector<double>& ratios) {
  std::vector<double> logs;
  for (double r : ratios)
    if (std::isfinite(r) && r > 0) logs.push_back(std::log(r));
  RatioInterval out;
  const MeanInterval m = mean_interval_95(logs);
  out.n = m.n;
  if (m.n == 0) return out;
  out.mean = std::exp(m.mean);
  out.low = m.n >= 2 ? std::exp(m.mean - m.half_width) : kNaN;
  out.high = m.n >= 2 ? std::exp(m.mean + m.half_width) : kNaN;
  return out;
}

double time_to_target(const RunRecord& run, const std::string& metric, double target) {
  const CsvTable& e = run.evals;
  if (e.column(metric) < 0 || e.column("time_s") < 0) return kNaN;
  for (std::size_t i = 0; i < e.rows.size(); ++i)
    if (e.number(i, metric) <= target) return e.number(i, "time_s");
  return kNaN;
}

ClaimsOutput claims_section(const Suite& suite, const std::vector<RunRecord>& runs,
                            const std::string& out_dir, const std::string& scaling_csv,
                            std::vector<std::string>& warnings) {
  const Claims& c = suite.claims;
  const auto fast = runs_of(runs, c.fast);
  ClaimsOutput out;
  std::string& md = out.markdown;
  md += "Each row compares `" + c.fast + "` with a baseline over the seeds both ran. Ratios are "
        "baseline / " + c.fast + " per seed: the geometric mean with the 95% t-interval of the "
        "log ratio. A claim \"holds\" only when its whole interval clears it.\n\n";
  md += "| claim (seed / published) | baseline | measured | verdict |\n|---|---|---|---|\n";
  std::string notes;
  for (const auto& name : c.baselines) {
    const auto base = runs_of(runs, name);
    // (a) time to a common target
    double target = c.target;
    std::string target_text;
    if (target <= 0) {
      std::vector<double> finals;
      for (const auto& kv : base) finals.push_back(final_value(*kv.second, c.accuracy));
      target = median(finals);
      target_text = "the baseline's median final " + c.accuracy + ", " + number(target, "%.4g");
    } else {
      target_text = "the suite's fixed target " + c.accuracy + " <= " + number(target, "%.4g");
    }
    int fast_reached = 0, base_reached = 0;
    for (const auto& kv : fast) fast_reached += std::isfinite(time_to_target(*kv.second, c.accuracy, target));
    for (const auto& kv : base) base_reached += std::isfinite(time_to_target(*kv.second, c.accuracy, target));
    const RatioInterval speed = paired_ratio(base, fast, [&](const RunRecord& r) {
      return time_to_target(r, c.accuracy, target);
    });
    md += "| \"" + number(c.speedup_claim, "%g") + "x+ faster\": training time to " + target_text +
          " | `" + name + "` | " + ratio_text(speed) + "; reached by " + c.fast + " in " +
          std::to_string(fast_reached) + "/" + std::to_string(fast.size()) + " seeds, by the "
          "baseline in " + std::to_string(base_reached) + "/" + std::to_string(base.size()) +
          " | " + (std::isfinite(target) ? verdict(speed, c.speedup_claim) : "no target") + " |\n";
    const RatioInterval step = paired_ratio(base, fast, [](const RunRecord& r) {
      return final_value(r, "step_time_median_s");
    });
    md += "| (context) median time per training step | `" + name + "` | " + ratio_text(step) +
          " | - |\n";
    // (b) memory
    const RatioInterval memory = paired_ratio(base, fast, [](const RunRecord& r) {
      return final_value(r, "peak_train_step_bytes");
    });
    md += "| \"far less memory\" (read as >= " + number(c.memory_claim, "%g") +
          "x): peak tensor bytes of a training step | `" + name + "` | " + ratio_text(memory) +
          " | " + verdict(memory, c.memory_claim) + " |\n";
    // (c) accuracy
    for (const auto& metric : {c.accuracy, c.distance}) {
      const MeanInterval f = final_stats(fast, metric), b = final_stats(base, metric);
      md += "| \"same accuracy\": final " + metric + " (" + c.fast + " vs baseline) | `" + name +
            "` | " + format_mean_interval(f) + " vs " + format_mean_interval(b) + " | " +
            accuracy_verdict(f, b) + " |\n";
    }
  }
  md += "\nTime to target is the training wall time (evaluation excluded) at the first "
        "evaluation where `" + c.accuracy + "` was at or below the target, so it is resolved "
        "only to the evaluation interval; a seed where either method never reached it has no "
        "ratio. Step memory is the peak of LibTorch's CPU allocator during a training step above what "
        "was allocated when the step began (parameters, optimiser state and data excluded), the "
        "largest over the run.\n";
  md += scaling_rows(scaling_csv);
  out.images = curve_plots(suite, runs, out_dir, warnings);
  return out;
}

}  // namespace sdebench
