#include "harness/report/paired_comparison.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <stdexcept>

#include "harness/report/tables.h"
#include "harness/results/run_dir.h"
#include "harness/stats.h"

namespace sdebench {

namespace {

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string group_label(const PairedGroup& g, const std::vector<std::string>& by) {
  std::string s;
  for (size_t i = 0; i < by.size(); ++i) s += (i ? " " : "") + by[i] + "=" + g.values[i];
  return s;
}

// What pairs a run with one of the reference group: its seed and its values of options.match.
using MatchKeys = std::map<const RunRecord*, std::string>;

// Run value by match key; refuses two runs with one key, which would make the pairing ambiguous.
std::map<std::string, double> values_by_match(const PairedGroup& g, const std::string& metric,
                                              const MatchKeys& match_of) {
  std::map<std::string, double> out;
  std::map<std::string, std::string> dir_of;
  for (const RunRecord* r : g.runs) {
    const std::string& k = match_of.at(r);
    if (auto it = dir_of.find(k); it != dir_of.end())
      throw std::runtime_error("runs " + it->second + " and " + r->dir + " both have " + k +
                               ": pairing needs one run per seed and --match values (add the key "
                               "that tells them apart to --match or --by)");
    dir_of[k] = r->dir;
    out[k] = run_metric(*r, metric);
  }
  return out;
}

void set_difference(PairedMetric& m, const std::map<std::string, double>& runs,
                    const std::map<std::string, double>& reference) {
  std::vector<double> diffs;
  for (const auto& [k, v] : runs) {
    const auto ref = reference.find(k);
    if (ref == reference.end() || !std::isfinite(v) || !std::isfinite(ref->second)) continue;
    diffs.push_back(v - ref->second);
    if (v < ref->second) ++m.lower;
  }
  m.has_difference = true;
  m.difference = mean_interval_95(diffs);
}

// True when the whole of `text` is a number (csv's parse_number also takes "0.3abc" as 0.3,
// which would turn a string value into a number here).
bool whole_number(const std::string& text, double& value) {
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size();
}

bool values_before(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] == b[i]) continue;
    double x = 0, y = 0;
    if (whole_number(a[i], x) && whole_number(b[i], y)) return x < y;
    return a[i] < b[i];
  }
  return false;
}

}  // namespace

double run_metric(const RunRecord& run, const std::string& metric) {
  const auto colon = metric.find(':');
  if (colon == std::string::npos) {
    for (const auto& [name, value] : run.values)
      if (name == metric) return value;
    return std::nan("");
  }
  const std::string how = metric.substr(0, colon), column = metric.substr(colon + 1);
  if (column.empty() || (how != "last" && how != "late_median"))
    throw std::runtime_error("metric '" + metric +
                             "': expected a final metric's name, last:COLUMN or late_median:COLUMN "
                             "(COLUMN of eval.csv)");
  if (run.evals.column(column) < 0 || run.evals.rows.empty()) return std::nan("");
  const std::vector<double> series = run.evals.numbers(column);
  if (how == "last") return series.back();
  std::vector<double> late;
  for (size_t i = series.size() / 2; i < series.size(); ++i)
    if (std::isfinite(series[i])) late.push_back(series[i]);
  return median(late);
}

std::vector<std::string> spec_values(const std::string& run_dir, const std::vector<std::string>& keys) {
  const std::string path = join_path(run_dir, run_files::spec);
  toml::table spec;
  try {
    spec = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(path + ": " + std::string(e.description()));
  }
  std::vector<std::string> out;
  for (const auto& key : keys) {
    const toml::node_view<toml::node> node = spec.at_path(key);
    if (!node) throw std::runtime_error(path + ": no key '" + key + "'");
    if (const auto v = node.value<double>(); v && (node.is_integer() || node.is_floating_point())) {
      out.push_back(number_text(*v));
    } else if (const auto s = node.value<std::string>(); s && node.is_string()) {
      out.push_back(*s);
    } else {
      std::ostringstream text;
      text << node;
      out.push_back(text.str());
    }
  }
  return out;
}

std::string canonical_value(const std::string& text) {
  double v = 0;
  return whole_number(text, v) ? number_text(v) : text;
}

std::vector<PairedGroup> compare_paired(const std::vector<RunRecord>& runs, const PairedComparisonOptions& options) {
  if (options.by.empty()) throw std::runtime_error("compare: --by needs at least one spec key");
  if (options.metrics.empty()) throw std::runtime_error("compare: --by needs at least one --metric");
  if (!options.against.empty() && options.against.size() != options.by.size())
    throw std::runtime_error("compare: --against has " + std::to_string(options.against.size()) +
                             " values for " + std::to_string(options.by.size()) + " --by keys");
  for (const auto& m : options.metrics) run_metric(RunRecord{}, m);  // refuses malformed names early

  std::vector<PairedGroup> groups;
  MatchKeys match_of;
  std::vector<std::string> keys = options.by;  // then options.match: one read of each spec
  keys.insert(keys.end(), options.match.begin(), options.match.end());
  for (const auto& r : runs) {
    if (!status_counts(r.status)) continue;
    std::vector<std::string> values = spec_values(r.dir, keys);
    std::string& match = match_of[&r] = "seed=" + std::to_string(r.seed);
    for (size_t i = 0; i < options.match.size(); ++i)
      match += " " + options.match[i] + "=" + values[options.by.size() + i];
    values.resize(options.by.size());
    auto it = std::find_if(groups.begin(), groups.end(), [&](const PairedGroup& g) {
      return g.method == r.method && g.dataset == r.dataset && g.values == values;
    });
    if (it == groups.end()) it = groups.insert(groups.end(), PairedGroup{r.method, r.dataset, values, false, {}, {}});
    it->runs.push_back(&r);
  }
  std::sort(groups.begin(), groups.end(), [](const PairedGroup& a, const PairedGroup& b) {
    if (a.method != b.method) return a.method < b.method;
    if (a.dataset != b.dataset) return a.dataset < b.dataset;
    return values_before(a.values, b.values);
  });

  std::vector<std::string> reference_values;
  for (const auto& v : options.against) reference_values.push_back(canonical_value(v));
  bool any_reference = false;
  for (auto& g : groups) {
    g.is_reference = !reference_values.empty() && g.values == reference_values;
    any_reference = any_reference || g.is_reference;
  }
  if (!reference_values.empty() && !any_reference) {
    std::string wanted;
    for (size_t i = 0; i < options.by.size(); ++i) wanted += (i ? " " : "") + options.by[i] + "=" + reference_values[i];
    throw std::runtime_error("compare: no group of runs has " + wanted);
  }

  for (auto& g : groups) {
    const auto ref = std::find_if(groups.begin(), groups.end(), [&](const PairedGroup& r) {
      return r.is_reference && r.method == g.method && r.dataset == g.dataset;
    });
    for (const auto& name : options.metrics) {
      PairedMetric m;
      std::vector<double> v;
      for (const RunRecord* r : g.runs) v.push_back(run_metric(*r, name));
      m.stat = mean_interval_95(v);
      if (ref != groups.end() && !g.is_reference)
        set_difference(m, values_by_match(g, name, match_of), values_by_match(*ref, name, match_of));
      g.metrics.push_back(m);
    }
  }
  return groups;
}

std::string format_paired_comparison(const std::vector<PairedGroup>& groups, const PairedComparisonOptions& options) {
  const bool paired = !options.against.empty();
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header{"method / dataset", "group", "runs"};
  for (const auto& m : options.metrics) {
    header.push_back(m);
    if (paired) header.push_back(m + " minus reference");
  }
  cells.push_back(header);
  for (const auto& g : groups) {
    std::vector<std::string> row{g.method + " / " + g.dataset,
                                 group_label(g, options.by) + (g.is_reference ? " (reference)" : ""),
                                 std::to_string(g.runs.size())};
    for (const auto& m : g.metrics) {
      row.push_back(format_mean_interval(m.stat, true));
      if (!paired) continue;
      if (g.is_reference) {
        row.push_back("");
      } else if (!m.has_difference) {
        row.push_back("no reference");
      } else if (m.difference.n == 0) {
        row.push_back("no pairs");
      } else {
        char buf[96];
        std::snprintf(buf, sizeof buf, "%+.4g", m.difference.mean);
        std::string cell = buf;
        if (std::isfinite(m.difference.half_width)) {
          std::snprintf(buf, sizeof buf, " +- %.4g", m.difference.half_width);
          cell += buf;
        }
        row.push_back(cell + " (lower in " + std::to_string(m.lower) + " of " + std::to_string(m.difference.n) + ")");
      }
    }
    cells.push_back(row);
  }
  std::string out = aligned_columns(cells);
  out += "(mean +- 95% t-interval half-width over a group's runs; n = runs with the metric";
  if (paired) {
    out += "; minus reference: mean +- 95% half-width of the differences between runs paired on the seed";
    for (const auto& k : options.match) out += " and " + k;
    out += ", and in how many pairs the group's value is the lower";
  }
  return out + ")\n";
}

}  // namespace sdebench
