// A researcher's own data in long CSV format:
//   sequence_id,time,dim0,dim1,...      (a header row naming the columns)
//   walk-1,0.0,0.12,-0.5
// One row per (sequence, time). Sequences observed at the same times share one grid; otherwise
// each keeps its own times (per-sequence times, padded to the longest; time_grid = "auto"), or,
// with time_grid = "union", the dataset's grid is the union of all times and the mask marks
// what each sequence has. An empty cell or
// "nan" in a value column is a missing value. Ragged rows, non-numeric cells and repeated
// (sequence, time) pairs are errors naming the file and line.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "datasets/generator.h"
#include "datasets/loaders.h"
#include "datasets/seeding.h"
#include "datasets/normalisation.h"
#include "datasets/sha256.h"

namespace sdebench {

Schema csv_schema() {
  Schema s;
  s.add_string("path", "",
               "CSV file in long format: header row, then sequence_id,time,dim0,dim1,... "
               "(required)")
      .add_bool("normalise", false,
                "subtract the per-dimension mean and divide by the std of the training split's "
                "observed values (recorded in norm_mean / norm_std)")
      .add_float("train_fraction", 0.8,
                 "fraction of sequences in the training split (sequences are shuffled with the "
                 "dataset seed first)",
                 0.0, 1.0)
      .add_float("val_fraction", 0.1, "fraction of sequences in the validation split", 0.0, 1.0)
      .add_float("test_fraction", 0.1, "fraction of sequences in the test split", 0.0, 1.0)
      .add_string("time_grid", "auto",
                  "'auto': one shared grid when every sequence has the same times, otherwise "
                  "each sequence keeps its own times (batches carry [B, T] times and lengths); "
                  "'union': always one grid, the union of all times, with the mask marking "
                  "what each sequence has (cost grows with the union's size)",
                  {"auto", "union"});
  return s;
}

namespace {

std::string trim(const std::string& s) {
  auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  auto end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

std::vector<std::string> split_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) cells.push_back(trim(cell));
  if (!line.empty() && line.back() == ',') cells.push_back("");
  return cells;
}

// Parses a whole cell as a double; false when it is not a number.
bool parse_number(const std::string& cell, double& value) {
  if (cell.empty()) return false;
  char* end = nullptr;
  value = std::strtod(cell.c_str(), &end);
  return end == cell.c_str() + cell.size();
}

struct Row {
  double time;
  std::vector<double> values;  // NaN = missing
};

}  // namespace

TimeSeriesDataset make_csv(const Options& given, const DatasetContext& context) {
  const Options o = csv_schema().resolve(given, "dataset 'csv'");
  const std::string path = o.get_string("path");
  if (path.empty()) throw std::invalid_argument("dataset 'csv': option 'path' is required");
  std::ifstream in(path);
  if (!in) throw std::runtime_error("csv: cannot open '" + path + "'");

  std::string line;
  std::int64_t line_number = 0;
  std::vector<std::string> header;
  while (header.empty() && std::getline(in, line)) {
    ++line_number;
    if (!trim(line).empty()) header = split_cells(line);
  }
  if (header.size() < 3)
    throw std::runtime_error(path + ":" + std::to_string(line_number) +
                             ": expected a header row 'sequence_id,time,dim0,...' with at least "
                             "one value column");
  const std::size_t columns = header.size();
  const std::int64_t D = static_cast<std::int64_t>(columns - 2);

  std::vector<std::string> ids;  // in order of first appearance
  std::unordered_map<std::string, std::vector<Row>> rows;
  std::unordered_map<std::string, std::unordered_map<double, std::int64_t>> seen_times;
  auto fail = [&](const std::string& what) {
    throw std::runtime_error(path + ":" + std::to_string(line_number) + ": " + what);
  };
  while (std::getline(in, line)) {
    ++line_number;
    if (trim(line).empty()) continue;
    auto cells = split_cells(line);
    if (cells.size() != columns)
      fail("expected " + std::to_string(columns) + " columns (" + header[0] + "," + header[1] +
           ", " + std::to_string(D) + " values), got " + std::to_string(cells.size()));
    if (cells[0].empty()) fail("empty sequence id");
    Row row;
    if (!parse_number(cells[1], row.time) || !std::isfinite(row.time))
      fail("column '" + header[1] + "': '" + cells[1] + "' is not a finite number");
    row.values.resize(D);
    for (std::int64_t j = 0; j < D; ++j) {
      const auto& cell = cells[2 + j];
      if (cell.empty() || cell == "nan" || cell == "NaN" || cell == "NA") {
        row.values[j] = std::nan("");
      } else if (!parse_number(cell, row.values[j]) || !std::isfinite(row.values[j])) {
        fail("column '" + header[2 + j] + "': '" + cell + "' is not a number");
      }
    }
    auto& times_of = seen_times[cells[0]];
    if (auto it = times_of.find(row.time); it != times_of.end())
      fail("sequence '" + cells[0] + "' already has time " + cells[1] + " (line " +
           std::to_string(it->second) + ")");
    times_of[row.time] = line_number;
    if (!rows.count(cells[0])) ids.push_back(cells[0]);
    rows[cells[0]].push_back(std::move(row));
  }
  if (ids.empty()) throw std::runtime_error(path + ": no data rows after the header");

  std::vector<double> grid;
  for (const auto& [id, list] : rows)
    for (const auto& r : list) grid.push_back(r.time);
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  const std::int64_t N = static_cast<std::int64_t>(ids.size());
  for (auto& [id, list] : rows)
    std::sort(list.begin(), list.end(), [](const Row& a, const Row& b) { return a.time < b.time; });
  // Per-sequence times unless every sequence is on the whole union (then it is a shared grid).
  bool every_sequence_on_the_union = true;
  for (const auto& [id, list] : rows)
    every_sequence_on_the_union = every_sequence_on_the_union && list.size() == grid.size();
  const bool shared = every_sequence_on_the_union || o.get_string("time_grid") == "union";
  std::int64_t T = static_cast<std::int64_t>(grid.size());
  if (!shared) {
    T = 0;
    for (const auto& [id, list] : rows) T = std::max<std::int64_t>(T, list.size());
  }

  // Seeded shuffle, then contiguous splits.
  std::vector<std::int64_t> order(N);
  std::iota(order.begin(), order.end(), 0);
  auto rng = make_rng(context.seed, RandomStream::Shuffle, 0);
  std::shuffle(order.begin(), order.end(), rng);

  auto values = torch::zeros({N, T, D}, torch::kFloat64);
  auto mask = torch::zeros({N, T, D}, torch::kFloat64);
  auto own_times = torch::zeros({N, T}, torch::kFloat64);
  auto lengths = torch::zeros({N}, torch::kLong);
  auto v = values.accessor<double, 3>();
  auto m = mask.accessor<double, 3>();
  auto ot = own_times.accessor<double, 2>();
  for (std::int64_t slot = 0; slot < N; ++slot) {
    const auto& list = rows[ids[order[slot]]];
    for (std::size_t k = 0; k < list.size(); ++k) {
      const auto& r = list[k];
      // Shared grid: the time's place in the union; per-sequence: the k-th own observation.
      const auto t = shared ? std::lower_bound(grid.begin(), grid.end(), r.time) - grid.begin()
                            : static_cast<std::int64_t>(k);
      for (std::int64_t j = 0; j < D; ++j)
        if (!std::isnan(r.values[j])) {
          v[slot][t][j] = r.values[j];
          m[slot][t][j] = 1.0;
        }
    }
    lengths[slot] = static_cast<std::int64_t>(list.size());
    for (std::int64_t t = 0; t < T; ++t)  // padding repeats the last time
      ot[slot][t] = list[std::min<std::size_t>(static_cast<std::size_t>(t), list.size() - 1)].time;
  }

  const SplitSizes sizes = split_sizes(N, o);
  TimeSeriesDataset d;
  d.name = "csv";
  d.times = shared ? torch::tensor(grid, torch::kFloat64)
                   : torch::tensor(std::vector<double>{grid.front(), grid.back()}, torch::kFloat64);
  std::int64_t start = 0;
  for (auto [split, size] : {std::make_pair(&d.train, sizes.train), std::make_pair(&d.val, sizes.val),
                             std::make_pair(&d.test, sizes.test)}) {
    split->values = values.narrow(0, start, size).clone();
    split->mask = mask.narrow(0, start, size).clone();
    if (!shared) {
      split->lengths = lengths.narrow(0, start, size).clone();
      // Each split padded to its own longest sequence.
      const auto slots = size > 0 ? split->lengths.max().item<std::int64_t>() : 0;
      split->times = own_times.narrow(0, start, size).narrow(1, 0, slots).clone();
      split->values = split->values.narrow(1, 0, slots).clone();
      split->mask = split->mask.narrow(1, 0, slots).clone();
    }
    start += size;
  }
  normalise_from_training(d, o.get_bool("normalise"));
  auto join_ids = [&](std::int64_t begin, std::int64_t count) {
    std::string out;
    for (std::int64_t k = begin; k < begin + count; ++k) out += (out.empty() ? "" : ",") + ids[order[k]];
    return out;
  };
  d.meta["dataset"] = "csv";
  d.meta["source_file"] = path;
  d.meta["sha256"] = sha256_file(path);
  d.meta["seed"] = std::to_string(context.seed);
  d.meta["version"] = "sdebench-csv/1";
  std::string columns_text;
  for (const auto& h : header) columns_text += (columns_text.empty() ? "" : ",") + h;
  d.meta["columns"] = columns_text;
  d.meta["sequences.train"] = join_ids(0, sizes.train);
  d.meta["sequences.val"] = join_ids(sizes.train, sizes.val);
  d.meta["sequences.test"] = join_ids(sizes.train + sizes.val, sizes.test);
  d.meta["normalisation"] = o.get_bool("normalise") ? "train mean/std per dimension" : "none";
  d.meta["time_grid"] = !shared ? "per-sequence times (padded to the longest sequence)"
                        : every_sequence_on_the_union ? "shared"
                                                      : "union of all sequences' times";
  for (const auto& [key, value] : o.values()) d.meta["option." + key] = format_value(value);
  return d;
}

SDEBENCH_REGISTER_DATASET("csv",
                          "your own data: long-format CSV sequence_id,time,dim0,... (one shared "
                          "grid, or each sequence on its own times; mask for missing values)",
                          csv_schema(), make_csv);

}  // namespace sdebench
