#include <gnuplot-iostream.h>

#include <map>
#include <utility>

#include "harness/bench/scaling.h"

namespace sdebench {

namespace {

// Enhanced-text gnuplot strings turn '_' into subscripts; escape it in titles.
std::string text(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else if (c == '_' || c == '^') out += std::string("\\") + c;
    else out += c;
  }
  return out + "'";
}

void plot(const std::string& path, const std::string& title, const std::string& xlabel,
          const std::string& ylabel, const std::vector<const ScalingSeries*>& series,
          double ScalingPoint::*field, double ScalingSeries::*slope) {
  Gnuplot gp("gnuplot");
  gp << "set terminal pngcairo size 960,600 enhanced font 'Sans,10'\n";
  gp << "set output '" << path << "'\n";
  gp << "set title " << text(title) << "\nset xlabel " << text(xlabel) << "\nset ylabel "
     << text(ylabel) << "\n";
  gp << "set logscale xy\nset grid\nset key outside right top\n";
  gp << "plot ";
  for (size_t i = 0; i < series.size(); ++i) {
    char slope_text[64];
    std::snprintf(slope_text, sizeof slope_text, " (slope %.2f)", series[i]->*slope);
    gp << (i ? ", " : "") << "'-' with linespoints title "
       << text(series[i]->variant + slope_text);
  }
  gp << "\n";
  for (const auto* s : series) {
    std::vector<std::pair<double, double>> pts;
    for (const auto& p : s->points)
      if (p.*field > 0) pts.push_back({p.x, p.*field});
    gp.send1d(pts);
  }
  gp << "unset output\n";
}

}  // namespace

std::vector<std::string> write_scaling_plots(const std::vector<ScalingSeries>& series,
                                             const std::string& out_dir) {
  std::map<std::string, std::vector<const ScalingSeries*>> families;
  for (const auto& s : series) families[s.family].push_back(&s);
  std::vector<std::string> files;
  for (const auto& [family, members] : families) {
    const std::string x = family == "steps" ? "solver steps L" : family;
    plot(out_dir + "/" + family + "_time.png", "training step time vs " + x, x,
         "median step time (ms)", members, &ScalingPoint::time_ms, &ScalingSeries::time_slope);
    plot(out_dir + "/" + family + "_memory.png", "step extra tensor memory vs " + x, x,
         "peak tensor bytes above the live ones", members, &ScalingPoint::extra_bytes,
         &ScalingSeries::extra_slope);
    files.push_back(family + "_time.png");
    files.push_back(family + "_memory.png");
  }
  return files;
}

}  // namespace sdebench
