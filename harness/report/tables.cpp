#include "harness/report/tables.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "harness/results/csv.h"

namespace sdebench {

namespace {

std::string short_number(double v) {
  if (!std::isfinite(v)) return "-";
  char buf[32];
  const double a = std::fabs(v);
  if (a != 0 && (a >= 1e6 || a < 1e-3))
    std::snprintf(buf, sizeof buf, "%.3e", v);
  else
    std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string group_status(const RunGroup& g) {
  std::string s = std::to_string(g.runs.size()) + " runs";
  if (g.diverged) s += ", " + std::to_string(g.diverged) + " diverged";
  if (g.skipped) s += ", " + std::to_string(g.skipped) + " not counted";
  return s;
}

std::string latex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '_' || c == '&' || c == '%' || c == '#' || c == '$') out += '\\';
    out += c;
  }
  return out;
}

// Byte counts are shown in MiB in the human-readable tables (the CSV keeps bytes).
bool is_bytes(const std::string& name) {
  return name.size() > 6 && name.compare(name.size() - 6, 6, "_bytes") == 0;
}
std::string display_name(const std::string& name) {
  return is_bytes(name) ? name.substr(0, name.size() - 6) + "_MiB" : name;
}
MeanInterval display_stat(const std::string& name, MeanInterval m) {
  if (!is_bytes(name)) return m;
  const double mib = 1024.0 * 1024.0;
  m.mean /= mib;
  m.std /= mib;
  m.half_width /= mib;
  return m;
}

}  // namespace

std::vector<std::string> headline_metrics(const Aggregate& aggregate) {
  std::vector<std::string> out;
  // The comparable accuracy metrics lead; method-specific terms (rec, kl, ...) stay in the CSV.
  auto ends_with = [](const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  for (const char* suffix : {"_nelbo", "_forecast_mse", "_energy_distance"})
    for (const auto& name : aggregate.metric_names)
      if (ends_with(name, suffix)) out.push_back(name);
  if (!out.empty()) {
    for (const char* c : {"train_time_s", "step_time_median_s", "peak_train_step_bytes"}) out.push_back(c);
    return out;
  }
  const std::vector<std::string> cost{"train_time_s", "step_time_median_s", "peak_train_step_bytes"};
  for (const auto& name : aggregate.metric_names) {
    static const std::vector<std::string> costs{
        "final_loss",         "train_time_s",          "step_time_median_s",
        "step_time_p90_s",    "eval_time_s",           "time_to_target_s",
        "peak_train_step_bytes", "peak_eval_bytes",    "peak_rss_bytes"};
    const bool is_cost = std::find(costs.begin(), costs.end(), name) != costs.end();
    if (!is_cost) out.push_back(name);
  }
  for (const auto& c : cost) out.push_back(c);
  return out;
}

std::string format_mean_interval(const MeanInterval& m, bool plain_ascii) {
  if (m.n == 0) return "-";
  std::string s = short_number(m.mean);
  if (std::isfinite(m.half_width)) s += (plain_ascii ? " +- " : " ± ") + short_number(m.half_width);
  s += " (n=" + std::to_string(m.n) + ")";
  return s;
}

std::string summary_csv(const Aggregate& aggregate) {
  CsvTable t;
  t.header = {"method", "dataset", "label", "runs", "diverged"};
  for (const auto& name : aggregate.metric_names) {
    t.header.push_back(name + "_mean");
    t.header.push_back(name + "_ci95");
    t.header.push_back(name + "_n");
  }
  for (const auto& g : aggregate.groups) {
    std::vector<std::string> row{g.method, g.dataset, g.label, std::to_string(g.runs.size()),
                                 std::to_string(g.diverged)};
    for (const auto& name : aggregate.metric_names) {
      const MeanInterval& m = g.stats.at(name);
      row.push_back(m.n ? format_number(m.mean) : "");
      row.push_back(std::isfinite(m.half_width) ? format_number(m.half_width) : "");
      row.push_back(std::to_string(m.n));
    }
    t.rows.push_back(std::move(row));
  }
  return format_csv(t);
}

std::string summary_latex(const Aggregate& aggregate) {
  const auto metrics = headline_metrics(aggregate);
  std::string out = "% mean $\\pm$ 95% t-interval half-width over seeds (n runs)\n";
  out += "\\begin{tabular}{l" + std::string(metrics.size(), 'r') + "}\n\\hline\n";
  out += "Method / dataset";
  for (const auto& m : metrics) out += " & " + latex_escape(display_name(m));
  out += " \\\\\n\\hline\n";
  for (const auto& g : aggregate.groups) {
    out += latex_escape(g.key());
    for (const auto& name : metrics) {
      const MeanInterval m = display_stat(name, g.stats.at(name));
      std::string cell = m.n ? short_number(m.mean) : "-";
      if (std::isfinite(m.half_width)) cell += " $\\pm$ " + short_number(m.half_width);
      out += " & " + cell;
    }
    out += " \\\\\n";
  }
  out += "\\hline\n\\end{tabular}\n";
  return out;
}

std::string summary_markdown(const Aggregate& aggregate) {
  const auto metrics = headline_metrics(aggregate);
  std::string out = "| method / dataset | runs |";
  for (const auto& m : metrics) out += " " + display_name(m) + " |";
  out += "\n|---|---|";
  for (size_t i = 0; i < metrics.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& g : aggregate.groups) {
    out += "| " + g.key() + " | " + group_status(g) + " |";
    for (const auto& name : metrics) out += " " + format_mean_interval(display_stat(name, g.stats.at(name))) + " |";
    out += "\n";
  }
  return out;
}

std::string summary_console(const Aggregate& aggregate) {
  const auto metrics = headline_metrics(aggregate);
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header{"method / dataset", "runs"};
  for (const auto& m : metrics) header.push_back(display_name(m));
  cells.push_back(header);
  for (const auto& g : aggregate.groups) {
    std::vector<std::string> row{g.key(), group_status(g)};
    for (const auto& name : metrics) row.push_back(format_mean_interval(display_stat(name, g.stats.at(name)), true));
    cells.push_back(row);
  }
  return aligned_columns(cells) +
         "(mean +- 95% t-interval half-width over seeds; n = runs with the metric)\n";
}

std::string aligned_columns(const std::vector<std::vector<std::string>>& cells) {
  std::vector<size_t> width;
  for (const auto& row : cells) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  for (size_t r = 0; r < cells.size(); ++r) {
    for (size_t c = 0; c < cells[r].size(); ++c) {
      out += cells[r][c] + std::string(width[c] - cells[r][c].size() + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
    if (r == 0) {
      size_t total = 0;
      for (auto w : width) total += w + 2;
      out += std::string(total, '-') + "\n";
    }
  }
  return out;
}

}  // namespace sdebench
