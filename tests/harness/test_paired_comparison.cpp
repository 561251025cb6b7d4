// `sdebench compare --by ... --against ... --match ...`: groups pool seeds and folds, and the
// differences from the reference are taken run by run. Checked on hand-made run directories
// whose values are known, against sums computed here.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/report/aggregate.h"
#include "harness/report/paired_comparison.h"
#include "harness/results/atomic_write.h"
#include "harness/results/run_dir.h"
#include "temp_dir.h"

using namespace sdebench;
namespace fs = std::filesystem;

namespace {

struct FakeRun {
  double noise_std;
  std::string estimator;
  int fold, seed;
  double best_val;                 // final metric
  std::vector<double> val_series;  // eval.csv's val_x column
  std::string status = "completed";
};

std::string write_run(const std::string& root, const FakeRun& r, int index) {
  const std::string dir = root + "/run-" + std::to_string(index);
  fs::create_directories(dir);
  // noise_std written as a float (0.30000) to check that values compare as numbers.
  char noise[32];
  std::snprintf(noise, sizeof noise, "%.5f", r.noise_std);
  write_file_atomic(join_path(dir, run_files::spec),
                    "name = \"fake\"\n[dataset]\nvalidation_fold = " + std::to_string(r.fold) +
                        "\n[method]\nnoise_std = " + noise + "\nrec_estimator = \"" + r.estimator + "\"\n");
  char best[64];
  std::snprintf(best, sizeof best, "%.17g", r.best_val);
  write_file_atomic(join_path(dir, run_files::summary),
                    std::string("{\"method\": \"m\", \"dataset\": \"d\", \"status\": \"") + r.status +
                        "\", \"seed\": " + std::to_string(r.seed) +
                        ", \"final_metrics\": {\"best_val_x\": " + best + "}}");
  std::string eval = "iteration,val_x\n";
  for (size_t i = 0; i < r.val_series.size(); ++i) {
    char row[64];
    std::snprintf(row, sizeof row, "%zu,%.17g\n", (i + 1) * 10, r.val_series[i]);
    eval += row;
  }
  write_file_atomic(join_path(dir, run_files::eval), eval);
  return dir;
}

const PairedGroup& group_with(const std::vector<PairedGroup>& groups, const std::string& noise) {
  for (const auto& g : groups)
    if (g.values.at(0) == noise) return g;
  FAIL("no group with noise_std " << noise);
  throw;
}

}  // namespace

TEST_CASE("compare --by pools folds and seeds and pairs each run with the reference's", "[report][paired]") {
  testing::TempDir tmp;
  const double fold_base[3] = {5.0, 20.0, 9.0};  // folds differ in difficulty, as MOCAP's do
  const double effect[3][2] = {{-1.0, -0.5}, {-2.0, 0.25}, {-0.75, -1.5}};  // B minus A per (fold, seed)
  std::vector<FakeRun> runs;
  for (int fold = 0; fold < 3; ++fold)
    for (int seed = 0; seed < 2; ++seed) {
      const double a = fold_base[fold] + 0.1 * seed, b = a + effect[fold][seed];
      // eval rows: two early values far above, then values around the level; the second half
      // is rows 2..4 (a median over every row would be a + 3 and b + 9).
      runs.push_back({0.3, "all", fold, seed, a, {1000.0, 900.0, a + 3, a + 1, a + 2}});
      runs.push_back({0.2, "all", fold, seed, b, {1000.0, 900.0, b + 4, b + 1, b + 9}});
    }
  // A run still going does not count.
  runs.push_back({0.2, "all", 0, 7, -100.0, {-100.0}, "running"});
  int i = 0;
  for (const auto& r : runs) write_run(tmp.path, r, i++);
  const std::vector<RunRecord> records = load_run_records({tmp.path});
  REQUIRE(records.size() == 13);

  PairedComparisonOptions o;
  o.by = {"method.noise_std"};
  o.metrics = {"best_val_x", "late_median:val_x", "last:val_x"};
  o.against = {"0.3"};
  o.match = {"dataset.validation_fold"};
  const std::vector<PairedGroup> groups = compare_paired(records, o);
  REQUIRE(groups.size() == 2);
  REQUIRE(groups[0].values[0] == "0.2");  // sorted by value
  const PairedGroup& a = group_with(groups, "0.3");
  const PairedGroup& b = group_with(groups, "0.2");
  REQUIRE(a.is_reference);
  REQUIRE_FALSE(b.is_reference);
  REQUIRE(a.runs.size() == 6);
  REQUIRE(b.runs.size() == 6);

  // The reference's mean over its 6 runs.
  double sum_a = 0;
  for (int f = 0; f < 3; ++f) sum_a += 2 * fold_base[f] + 0.1;
  REQUIRE(a.metrics[0].stat.n == 6);
  REQUIRE(a.metrics[0].stat.mean == Approx(sum_a / 6).epsilon(1e-12));
  REQUIRE_FALSE(a.metrics[0].has_difference);

  // Paired differences are exactly the effects; their mean, 95% interval and sign count.
  std::vector<double> d;
  for (auto& row : effect) d.insert(d.end(), row, row + 2);
  double mean = 0;
  for (double x : d) mean += x / 6;
  double var = 0;
  for (double x : d) var += (x - mean) * (x - mean) / 5;
  const double half = 2.570581835636314 * std::sqrt(var / 6);  // t_{0.975, 5}
  const PairedMetric& best = b.metrics[0];
  REQUIRE(best.has_difference);
  REQUIRE(best.difference.n == 6);
  REQUIRE(best.difference.mean == Approx(mean).epsilon(1e-12));
  REQUIRE(best.difference.half_width == Approx(half).epsilon(1e-9));
  REQUIRE(best.lower == 5);
  // The unpaired intervals carry the folds' spread; the paired one does not.
  REQUIRE(b.metrics[0].stat.half_width > 5 * best.difference.half_width);

  // late_median: the median of rows 2..4 is level + 2 for A (a+3, a+1, a+2) and level + 4 for B
  // (b+4, b+1, b+9), so its differences are the effects plus 2; last: plus 7.
  REQUIRE(b.metrics[1].difference.mean == Approx(mean + 2).epsilon(1e-12));
  REQUIRE(b.metrics[1].difference.half_width == Approx(half).epsilon(1e-9));
  REQUIRE(a.metrics[1].stat.mean == Approx(sum_a / 6 + 2).epsilon(1e-12));
  REQUIRE(b.metrics[2].difference.mean == Approx(mean + 7).epsilon(1e-12));

  const std::string table = format_paired_comparison(groups, o);
  REQUIRE(table.find("method.noise_std=0.3 (reference)") != std::string::npos);
  REQUIRE(table.find("lower in 5 of 6") != std::string::npos);
  REQUIRE(table.find("paired on the seed and dataset.validation_fold") != std::string::npos);

  SECTION("numbers given on the command line match however the spec writes them") {
    o.against = {"0.30"};
    REQUIRE(group_with(compare_paired(records, o), "0.3").is_reference);
  }
  SECTION("without the fold the pairing is ambiguous, and that is refused naming both runs") {
    o.match = {};
    REQUIRE_THROWS_WITH(compare_paired(records, o), Catch::Contains("both have seed=") &&
                                                         Catch::Contains("--match"));
  }
  SECTION("mistakes are refused with what was wrong") {
    o.against = {"0.4"};
    REQUIRE_THROWS_WITH(compare_paired(records, o), Catch::Contains("no group of runs has method.noise_std=0.4"));
    o.against = {"0.3", "all"};
    REQUIRE_THROWS_WITH(compare_paired(records, o), Catch::Contains("2 values for 1 --by keys"));
    o.against = {"0.3"};
    o.metrics = {"median:val_x"};
    REQUIRE_THROWS_WITH(compare_paired(records, o), Catch::Contains("late_median:COLUMN"));
    o.metrics = {"best_val_x"};
    o.by = {"method.noise"};
    REQUIRE_THROWS_WITH(compare_paired(records, o), Catch::Contains("spec.toml: no key 'method.noise'"));
  }
  SECTION("string values group too, and without --against there are no differences") {
    o.by = {"method.rec_estimator"};
    o.against = {};
    const auto g = compare_paired(records, o);
    REQUIRE(g.size() == 1);
    REQUIRE(g[0].values[0] == "all");
    REQUIRE(g[0].runs.size() == 12);
    REQUIRE_FALSE(g[0].metrics[0].has_difference);
    REQUIRE(format_paired_comparison(g, o).find("minus reference") == std::string::npos);
  }
}
