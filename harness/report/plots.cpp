#include "harness/report/plots.h"

#include <gnuplot-iostream.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "harness/results/run_dir.h"

namespace sdebench {

namespace {

using Series = std::vector<std::pair<double, double>>;

using Line = PlotLine;

// A gnuplot single-quoted string; `text` escapes '_' and '^', which enhanced text mode
// would otherwise turn into sub- and superscripts (file names must stay as they are).
std::string quote(const std::string& s, bool text = true) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else if (text && (c == '_' || c == '^')) out += std::string("\\") + c;
    else out += c;
  }
  return out + "'";
}

}  // namespace

void plot_lines(const std::string& path, const std::string& title, const std::string& xlabel,
                const std::string& ylabel, const std::vector<PlotLine>& lines, bool logy) {
  Gnuplot gp("gnuplot");
  gp << "set terminal pngcairo size 960,600 enhanced font 'Sans,10'\n";
  gp << "set output " << quote(path, false) << "\n";
  gp << "set title " << quote(title) << "\n";
  gp << "set xlabel " << quote(xlabel) << "\nset ylabel " << quote(ylabel) << "\n";
  gp << "set key outside right top\nset grid\n";
  if (logy) gp << "set logscale y\n";
  gp << "plot ";
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) gp << ", ";
    gp << "'-' with " << lines[i].style;
    if (lines[i].title.empty())
      gp << " notitle";
    else
      gp << " title " << quote(lines[i].title);
  }
  gp << "\n";
  for (const auto& line : lines) gp.send1d(line.points);
  gp << "unset output\n";
}

void plot_image(const std::string& path, const std::string& title,
                const std::vector<std::vector<double>>& image, double low, double high) {
  if (image.empty() || image.front().empty()) throw std::invalid_argument("plot_image: empty image");
  const auto rows = image.size(), cols = image.front().size();
  // Scale small frames up so that a 16 x 16 pixel is still visible; cap the picture's width.
  const auto scale = std::max<std::size_t>(1, std::min<std::size_t>(8, 1600 / cols));
  Gnuplot gp("gnuplot");
  gp << "set terminal pngcairo size " << cols * scale + 40 << "," << rows * scale + 90
     << " enhanced font 'Sans,10'\n";
  gp << "set output " << quote(path, false) << "\n";
  gp << "set title " << quote(title) << "\n";
  gp << "unset key\nunset colorbox\nunset xtics\nunset ytics\nunset border\n";
  gp << "set palette gray\nset cbrange [" << low << ":" << high << "]\n";
  gp << "set size ratio -1\nset xrange [-0.5:" << cols - 0.5 << "]\n";
  gp << "set yrange [" << rows - 0.5 << ":-0.5]\n";  // row 0 at the top
  gp << "set lmargin 1\nset rmargin 1\n";
  gp << "plot '-' matrix with image\n";
  for (const auto& row : image) {
    for (std::size_t c = 0; c < row.size(); ++c) gp << (c ? " " : "") << row[c];
    gp << "\n";
  }
  gp << "e\n";  // one end marker for in-line matrix data (gnuplot 5)
  gp << "unset output\n";
}

namespace {

// The metric plotted against time: the first of these that the runs evaluated.
std::string headline_eval_metric(const Aggregate& aggregate) {
  const std::vector<std::string> preferred{"nelbo", "forecast_mse", "energy_distance"};
  for (const auto& suffix : preferred)
    for (const auto& name : aggregate.metric_names)
      if (name.size() >= suffix.size() &&
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
        return name;
  return {};
}

std::string run_title(const RunGroup& g, const RunRecord& r) {
  return g.key() + " seed " + std::to_string(r.seed);
}

bool positive(const Series& s) {
  for (const auto& p : s)
    if (!(p.second > 0)) return false;
  return !s.empty();
}

}  // namespace

std::vector<std::string> write_plots(const Aggregate& aggregate, const std::string& out_dir,
                                     std::vector<std::string>& warnings) {
  std::vector<std::string> written;
  auto attempt = [&](const std::string& file, auto&& make) {
    try {
      if (make(join_path(out_dir, file))) written.push_back(file);
    } catch (const std::exception& e) {
      warnings.push_back("plot " + file + " not made: " + e.what());
    }
  };

  // Training loss vs wall time, one line per run.
  attempt("loss_vs_time.png", [&](const std::string& path) {
    std::vector<Line> lines;
    bool all_positive = true;
    for (const auto& g : aggregate.groups)
      for (const RunRecord* r : g.runs) {
        Line line{run_title(g, *r), {}};
        auto t = r->metrics.numbers("time_s");
        auto loss = r->metrics.numbers("loss");
        // At most ~400 points per line keeps the PNGs light.
        const size_t stride = std::max<size_t>(1, t.size() / 400);
        for (size_t i = 0; i < t.size(); i += stride)
          if (std::isfinite(t[i]) && std::isfinite(loss[i])) line.points.emplace_back(t[i], loss[i]);
        if (line.points.empty()) continue;
        all_positive = all_positive && positive(line.points);
        lines.push_back(std::move(line));
      }
    if (lines.empty()) return false;
    plot_lines(path, "Training loss vs training wall time", "training time (s)", "loss", lines,
               all_positive);
    return true;
  });

  const std::string metric = headline_eval_metric(aggregate);
  if (!metric.empty()) {
    attempt(metric + "_vs_time.png", [&](const std::string& path) {
      std::vector<Line> lines;
      for (const auto& g : aggregate.groups)
        for (const RunRecord* r : g.runs) {
          Line line{run_title(g, *r), {}, "linespoints"};
          auto t = r->evals.numbers("time_s");
          auto v = r->evals.numbers(metric);
          for (size_t i = 0; i < t.size(); ++i)
            if (std::isfinite(t[i]) && std::isfinite(v[i])) line.points.emplace_back(t[i], v[i]);
          if (!line.points.empty()) lines.push_back(std::move(line));
        }
      if (lines.empty()) return false;
      plot_lines(path, metric + " vs training wall time", "training time (s)", metric, lines);
      return true;
    });
  }

  // Sample paths vs data, first dimension, first run of each group.
  for (size_t gi = 0; gi < aggregate.groups.size(); ++gi) {
    const RunGroup& g = aggregate.groups[gi];
    const RunRecord* r = nullptr;
    for (const RunRecord* c : g.runs)
      if (!c->samples.rows.empty()) {
        r = c;
        break;
      }
    if (!r) continue;
    attempt("samples_" + std::to_string(gi + 1) + ".png", [&](const std::string& path) {
      std::map<std::pair<std::string, std::string>, Series> paths;
      const int kind = r->samples.column("kind"), id = r->samples.column("path");
      const int tcol = r->samples.column("time"), xcol = r->samples.column("x0");
      if (kind < 0 || id < 0 || tcol < 0 || xcol < 0) return false;
      for (const auto& row : r->samples.rows) {
        const double t = parse_number(row[static_cast<size_t>(tcol)]);
        const double x = parse_number(row[static_cast<size_t>(xcol)]);
        if (std::isfinite(t) && std::isfinite(x))
          paths[{row[static_cast<size_t>(kind)], row[static_cast<size_t>(id)]}].emplace_back(t, x);
      }
      std::vector<Line> lines;
      bool titled_model = false, titled_data = false;
      for (auto& kv : paths) {
        const bool model = kv.first.first == "model";
        Line line;
        line.points = std::move(kv.second);
        line.style = model ? "lines lc rgb '#d62728'" : "lines lc rgb '#7f7f7f' dt 2";
        bool& titled = model ? titled_model : titled_data;
        line.title = titled ? "" : (model ? "generated" : "held-out data");
        titled = true;
        lines.push_back(std::move(line));
      }
      if (lines.empty()) return false;
      plot_lines(path, "Sample paths vs data (x0): " + g.key(), "time", "x0 (data units)", lines);
      return true;
    });
  }

  // Scaling: step time and memory vs series length, when a method has several lengths.
  std::map<std::string, std::map<double, std::vector<std::pair<double, double>>>> by_method;
  for (const auto& g : aggregate.groups)
    for (const RunRecord* r : g.runs) {
      if (!status_counts(r->status)) continue;
      const Json& s = r->summary;
      if (!s.contains("data") || !s.contains("training") || !s.contains("memory")) continue;
      const double length = number_or(s.at("data"), "num_times", std::nan(""));
      by_method[g.method][length].emplace_back(number_or(s.at("training"), "step_time_median_s", std::nan("")),
                                               number_or(s.at("memory"), "peak_train_step_bytes", std::nan("")));
    }
  bool scaling = false;
  for (const auto& kv : by_method) scaling = scaling || kv.second.size() > 1;
  if (scaling) {
    for (int which = 0; which < 2; ++which) {
      const std::string file = which == 0 ? "step_time_vs_length.png" : "memory_vs_length.png";
      attempt(file, [&](const std::string& path) {
        std::vector<Line> lines;
        for (const auto& kv : by_method) {
          if (kv.second.size() < 2) continue;
          Line line{kv.first, {}, "linespoints"};
          for (const auto& lv : kv.second) {
            double sum = 0;
            int n = 0;
            for (const auto& v : lv.second) {
              const double y = which == 0 ? v.first : v.second / (1024.0 * 1024.0);
              if (std::isfinite(y)) {
                sum += y;
                ++n;
              }
            }
            if (n) line.points.emplace_back(lv.first, sum / n);
          }
          lines.push_back(std::move(line));
        }
        plot_lines(path, which == 0 ? "Median step time vs series length" : "Peak step tensor memory vs series length",
                   "observation times per series", which == 0 ? "step time (s)" : "peak tensor MiB per step",
                   lines);
        return true;
      });
    }
  }
  return written;
}

}  // namespace sdebench
