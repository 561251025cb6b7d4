#include "harness/report/forecast_spread.h"

#include <stdexcept>

namespace sdebench {

std::vector<std::pair<double, double>> forecast_spread(const CsvTable& forecasts,
                                                       const std::string& sequence) {
  const int first = forecasts.column("x0");
  if (first < 0) throw std::runtime_error("forecasts.csv: no column x0");
  std::vector<std::pair<double, double>> curve;
  for (const auto& row : forecasts.rows) {
    if (row.size() < 3 || row[0] != "std" || row[1] != sequence) continue;
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t c = static_cast<std::size_t>(first); c < row.size(); ++c) {
      const double s = parse_number(row[c]);
      sum += s * s;
      ++n;
    }
    curve.emplace_back(parse_number(row[2]), n ? sum / static_cast<double>(n) : 0.0);
  }
  return curve;
}

}  // namespace sdebench
