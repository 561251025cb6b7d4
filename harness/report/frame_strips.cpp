#include "harness/report/frame_strips.h"

#include <boost/numeric/ublas/lu.hpp>
#include <boost/numeric/ublas/matrix.hpp>

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "harness/report/plots.h"
#include "harness/results/csv.h"

namespace sdebench {

namespace {

// Rows of `table` whose kind is `kind` and sequence 0, in file (time) order.
std::vector<const std::vector<std::string>*> sequence_zero(const CsvTable& table,
                                                           const std::string& kind) {
  std::vector<const std::vector<std::string>*> out;
  for (const auto& row : table.rows)
    if (row.size() > 2 && row[0] == kind && row[1] == "0") out.push_back(&row);
  return out;
}

// Sequence 0's square frames of forecasts.csv: per kind (data, mean, sample) its rows in time
// order, the first value column and the frame side. Throws on what a strip cannot show.
struct SquareFrames {
  CsvTable table;
  int first = 0;
  std::int64_t side = 1;
  std::vector<std::vector<const std::vector<std::string>*>> rows;  // one per kind
};

const std::vector<std::string>& frame_kinds() {
  static const std::vector<std::string> kinds = {"data", "mean", "sample"};
  return kinds;
}

SquareFrames read_square_frames(const std::string& forecasts_csv) {
  SquareFrames f;
  f.table = read_csv(forecasts_csv);
  f.first = f.table.column("x0");
  if (f.first < 0) throw std::runtime_error(forecasts_csv + ": no column x0");
  const auto dims = static_cast<std::int64_t>(f.table.header.size()) - f.first;
  while (f.side * f.side < dims) ++f.side;
  if (f.side * f.side != dims)
    throw std::runtime_error(forecasts_csv + ": " + std::to_string(dims) +
                             " values per time are not a square frame");
  for (const auto& k : frame_kinds()) f.rows.push_back(sequence_zero(f.table, k));
  if (f.rows[0].empty() || f.rows[1].size() != f.rows[0].size())
    throw std::runtime_error(forecasts_csv + ": no data and forecast rows for sequence 0");
  return f;
}

std::vector<double> frame_values(const SquareFrames& f, const std::vector<std::string>& row) {
  std::vector<double> v;
  for (std::size_t c = static_cast<std::size_t>(f.first); c < row.size(); ++c)
    v.push_back(parse_number(row[c]));
  return v;
}

}  // namespace

double centroid_angle(const std::vector<double>& frame, std::int64_t side) {
  // Pixel (r, c) covers [c, c + 1) x [r, r + 1); the frame's centre is (side / 2, side / 2).
  double mass = 0, right = 0, down = 0;
  for (std::int64_t r = 0; r < side; ++r)
    for (std::int64_t c = 0; c < side; ++c) {
      const double v = frame[static_cast<std::size_t>(r * side + c)];
      if (!std::isfinite(v) || v <= 0) continue;
      mass += v;
      right += v * (c + 0.5 - 0.5 * side);
      down += v * (r + 0.5 - 0.5 * side);
    }
  if (mass <= 0) return std::nan("");
  return std::atan2(right / mass, down / mass);
}

OracleAngles read_oracle_angles(const std::string& latents_csv) {
  const CsvTable table = read_csv(latents_csv);
  const int sequence = table.column("sequence"), time = table.column("time");
  const int mean = table.column("truth_oracle_angle_mean"),
            std = table.column("truth_oracle_angle_std");
  OracleAngles oracle;
  if (sequence < 0 || time < 0 || mean < 0 || std < 0) return oracle;
  for (const auto& row : table.rows) {
    if (row[static_cast<std::size_t>(sequence)] != "0") continue;
    oracle.times.push_back(parse_number(row[static_cast<std::size_t>(time)]));
    oracle.mean.push_back(parse_number(row[static_cast<std::size_t>(mean)]));
    oracle.std.push_back(parse_number(row[static_cast<std::size_t>(std)]));
  }
  return oracle;
}

void write_centroid_angle_plot(const std::string& forecasts_csv, const std::string& png,
                               const std::string& title, const std::string& latents_csv) {
  const SquareFrames f = read_square_frames(forecasts_csv);
  const std::vector<std::string> names = {"data", "forecast mean", "one forecast sample"};
  std::vector<PlotLine> lines;
  for (std::size_t k = 0; k < f.rows.size(); ++k) {
    PlotLine line;
    line.title = names[k];
    line.style = k == 0 ? "lines lw 2" : "lines";
    for (const auto* row : f.rows[k]) {
      const double a = centroid_angle(frame_values(f, *row), f.side);
      if (std::isfinite(a)) line.points.push_back({parse_number((*row)[2]), a});
    }
    if (!line.points.empty()) lines.push_back(line);
  }
  const OracleAngles oracle =
      latents_csv.empty() ? OracleAngles{} : read_oracle_angles(latents_csv);
  if (!oracle.times.empty()) {
    // Short key entries: long ones squeeze the plot (the key sits outside, right); the
    // report's text says what the oracle is.
    PlotLine mean{"oracle mean", {}, "lines dt 2 lw 1.5 lc rgb 'black'"};
    PlotLine low{"", {}, "lines dt 3 lc rgb 'gray40'"};
    PlotLine high{"oracle mean +- std", {}, "lines dt 3 lc rgb 'gray40'"};
    for (std::size_t i = 0; i < oracle.times.size(); ++i) {
      mean.points.push_back({oracle.times[i], oracle.mean[i]});
      low.points.push_back({oracle.times[i], oracle.mean[i] - oracle.std[i]});
      high.points.push_back({oracle.times[i], oracle.mean[i] + oracle.std[i]});
    }
    lines.insert(lines.end(), {mean, low, high});
  }
  plot_lines(png, title, "time", "angle (rad, 0 = down)", lines);
}

void write_frame_strip(const std::string& forecasts_csv, const std::string& png,
                       const std::string& title, int frames) {
  const SquareFrames strip = read_square_frames(forecasts_csv);
  const auto& kinds = frame_kinds();
  const auto& rows = strip.rows;
  const int first = strip.first;
  const std::int64_t side = strip.side;
  const auto T = static_cast<int>(rows[0].size());
  frames = std::min(frames, T);
  std::vector<int> picks;
  for (int i = 0; i < frames; ++i) picks.push_back(frames == 1 ? 0 : i * (T - 1) / (frames - 1));
  // One picture: kinds stacked vertically, times side by side, a 1-pixel white gap between.
  const auto gap = 1;
  const std::int64_t height = static_cast<std::int64_t>(kinds.size()) * (side + gap) - gap;
  const std::int64_t width = frames * (side + gap) - gap;
  std::vector<std::vector<double>> image(static_cast<std::size_t>(height),
                                         std::vector<double>(static_cast<std::size_t>(width), 1.0));
  std::string times;
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    if (rows[k].size() != rows[0].size()) continue;
    for (int f = 0; f < frames; ++f) {
      const auto& row = *rows[k][static_cast<std::size_t>(picks[f])];
      if (k == 0) {  // 3 significant digits: the CSV's float32 times print in full
        char t[32];
        std::snprintf(t, sizeof t, "%.3g", parse_number(row[2]));
        times += (times.empty() ? "" : ", ") + std::string(t);
      }
      for (std::int64_t r = 0; r < side; ++r)
        for (std::int64_t c = 0; c < side; ++c) {
          const double v = parse_number(row[static_cast<std::size_t>(first + r * side + c)]);
          image[static_cast<std::size_t>(static_cast<std::int64_t>(k) * (side + gap) + r)]
               [static_cast<std::size_t>(f * (side + gap) + c)] = std::isfinite(v) ? v : 1.0;
        }
    }
  }
  plot_image(png, title + ". Rows: data, forecast mean, one forecast sample; times " + times,
             image, 0.0, 1.0);
}

LatentTruthFit fit_latent_truth(const std::string& latents_csv, const std::string& png,
                                const std::string& title) {
  namespace ublas = boost::numeric::ublas;
  const CsvTable table = read_csv(latents_csv);
  std::vector<int> z;
  int truth = -1;
  LatentTruthFit fit;
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    const auto& h = table.header[c];
    if (h.size() > 1 && h[0] == 'z' && std::isdigit(static_cast<unsigned char>(h[1])))
      z.push_back(static_cast<int>(c));
    if (truth < 0 && h.rfind("truth_", 0) == 0) {
      truth = static_cast<int>(c);
      fit.truth = h.substr(6);
    }
  }
  if (truth < 0 || z.empty())
    throw std::runtime_error(latents_csv + ": needs latent columns z0.. and a truth_ column");
  // Normal equations (X^T X) w = X^T y with X = [z, 1]: a (d+1) x (d+1) system.
  const std::size_t p = z.size() + 1;
  ublas::matrix<double> xtx(p, p, 0.0);
  ublas::vector<double> xty(p, 0.0);
  std::vector<std::vector<double>> xs;
  std::vector<double> ys;
  for (const auto& row : table.rows) {
    std::vector<double> x;
    for (int c : z) x.push_back(parse_number(row[static_cast<std::size_t>(c)]));
    x.push_back(1.0);
    const double y = parse_number(row[static_cast<std::size_t>(truth)]);
    bool finite = std::isfinite(y);
    for (double v : x) finite = finite && std::isfinite(v);
    if (!finite) continue;
    for (std::size_t i = 0; i < p; ++i) {
      xty(i) += x[i] * y;
      for (std::size_t j = 0; j < p; ++j) xtx(i, j) += x[i] * x[j];
    }
    xs.push_back(std::move(x));
    ys.push_back(y);
  }
  fit.rows = ys.size();
  if (fit.rows <= p) throw std::runtime_error(latents_csv + ": too few rows to fit");
  ublas::permutation_matrix<std::size_t> pivots(p);
  if (ublas::lu_factorize(xtx, pivots) != 0)
    throw std::runtime_error(latents_csv + ": the latent coordinates are collinear");
  ublas::lu_substitute(xtx, pivots, xty);
  fit.weights.assign(xty.begin(), xty.end());
  double mean = 0, ss_tot = 0, ss_res = 0;
  for (double y : ys) mean += y / static_cast<double>(ys.size());
  std::vector<double> fitted;
  for (std::size_t r = 0; r < ys.size(); ++r) {
    double f = 0;
    for (std::size_t i = 0; i < p; ++i) f += fit.weights[i] * xs[r][i];
    fitted.push_back(f);
    ss_res += (ys[r] - f) * (ys[r] - f);
    ss_tot += (ys[r] - mean) * (ys[r] - mean);
  }
  fit.r_squared = ss_tot > 0 ? 1.0 - ss_res / ss_tot : 0.0;
  if (!png.empty()) {
    PlotLine truth_line{"true " + fit.truth, {}, "lines lw 2"};
    PlotLine readout{"linear readout of the latent path", {}, "lines dt 2"};
    std::size_t r = 0;
    for (const auto& row : table.rows) {
      const double y = parse_number(row[static_cast<std::size_t>(truth)]);
      bool finite = std::isfinite(y);
      for (int c : z) finite = finite && std::isfinite(parse_number(row[static_cast<std::size_t>(c)]));
      if (!finite) continue;
      if (row[0] == "0") {
        const double t = parse_number(row[1]);
        truth_line.points.emplace_back(t, y);
        readout.points.emplace_back(t, fitted[r]);
      }
      ++r;
    }
    char r2[32];
    std::snprintf(r2, sizeof r2, "%.3f", fit.r_squared);
    plot_lines(png, title + " (test sequence 0; R^2 over " + std::to_string(fit.rows) + " points: " + r2 + ")",
               "time", fit.truth, {truth_line, readout});
  }
  return fit;
}

}  // namespace sdebench
