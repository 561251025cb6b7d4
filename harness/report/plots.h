#pragma once
// Report plots (PNG through gnuplot-iostream): training loss and the headline test metric vs
// wall time per method, generated sample paths vs data, and, when runs of one method differ in
// series length, step time and peak step memory vs length (scaling sweeps).
#include <string>
#include <utility>
#include <vector>

#include "harness/report/aggregate.h"

namespace sdebench {

struct PlotLine {
  std::string title;
  std::vector<std::pair<double, double>> points;
  std::string style = "lines";
};
// One PNG (gnuplot, pngcairo) with several lines; throws when gnuplot cannot be run.
void plot_lines(const std::string& path, const std::string& title, const std::string& xlabel,
                const std::string& ylabel, const std::vector<PlotLine>& lines, bool logy = false);

// One PNG of a grayscale image (rows top to bottom), values from `low` (black) to `high`
// (white), one screen pixel block per value; throws when gnuplot cannot be run.
void plot_image(const std::string& path, const std::string& title,
                const std::vector<std::vector<double>>& image, double low, double high);

// Writes the plots into `out_dir`; returns the file names written. A plot that cannot be made
// (no gnuplot, no data) adds a line to `warnings` instead of failing the report.
std::vector<std::string> write_plots(const Aggregate& aggregate, const std::string& out_dir,
                                     std::vector<std::string>& warnings);

}  // namespace sdebench
