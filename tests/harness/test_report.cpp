// Reports recompute their numbers from run files: checked against a hand computation that
// reads eval.csv of each run directly.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include "harness/report/aggregate.h"
#include "harness/report/report.h"
#include "harness/results/atomic_write.h"
#include "harness/results/csv.h"
#include "harness/results/run_dir.h"
#include "harness/runner/runner.h"
#include "temp_dir.h"
#include "toy_components.h"

using namespace sdebench;
namespace fs = std::filesystem;

TEST_CASE("report tables recompute mean and 95% interval over seeds from the run files", "[report]") {
  testing::TempDir tmp;
  const std::string root = tmp.path;
  RunOptions quiet;
  quiet.progress = false;
  std::vector<std::string> group_a, all;
  for (int seed = 0; seed < 3; ++seed) {
    auto r = run_experiment(testing::toy_spec(root + "/runs", seed, 8), quiet);
    group_a.push_back(r.run_dir);
  }
  // A second group: another learning rate (label differs beyond the seed), two seeds.
  for (int seed = 0; seed < 2; ++seed) {
    auto spec = testing::toy_spec(root + "/runs", seed, 8);
    spec.training.set("lr", 0.01);
    spec.sweep_label = "training.lr=0.01 seed=" + std::to_string(seed);
    run_experiment(spec, quiet);
  }
  ReportOutput out = write_report({root + "/runs"}, "unit", root + "/reports");
  REQUIRE(out.runs == 5);
  for (const char* f : {"README.md", "summary.csv", "summary.tex"}) REQUIRE(fs::exists(join_path(out.dir, f)));
  for (const auto& w : out.warnings) WARN(w);
  REQUIRE(fs::exists(join_path(out.dir, "loss_vs_time.png")));
  REQUIRE(fs::file_size(join_path(out.dir, "loss_vs_time.png")) > 1000);
  REQUIRE(fs::exists(join_path(out.dir, "test_nelbo_vs_time.png")));
  REQUIRE(fs::exists(join_path(out.dir, "samples_1.png")));

  // Hand computation from the last eval.csv row of each run in group A.
  std::vector<double> v;
  for (const auto& dir : group_a) {
    CsvTable evals = read_csv(join_path(dir, run_files::eval));
    v.push_back(evals.number(evals.rows.size() - 1, "test_nelbo"));
  }
  const double mean = (v[0] + v[1] + v[2]) / 3;
  const double var = ((v[0] - mean) * (v[0] - mean) + (v[1] - mean) * (v[1] - mean) +
                      (v[2] - mean) * (v[2] - mean)) / 2;
  const double half = 4.302652729911275 * std::sqrt(var / 3);  // t_{0.975, 2}

  CsvTable summary = read_csv(join_path(out.dir, "summary.csv"));
  REQUIRE(summary.rows.size() == 2);
  int row_a = -1;
  for (size_t r = 0; r < summary.rows.size(); ++r)
    if (summary.rows[r][static_cast<size_t>(summary.column("label"))].empty()) row_a = static_cast<int>(r);
  REQUIRE(row_a >= 0);
  REQUIRE(summary.number(row_a, "runs") == 3);
  REQUIRE(summary.number(row_a, "test_nelbo_n") == 3);
  REQUIRE(summary.number(row_a, "test_nelbo_mean") == Approx(mean).epsilon(1e-12));
  REQUIRE(summary.number(row_a, "test_nelbo_ci95") == Approx(half).epsilon(1e-9));
  const int row_b = 1 - row_a;
  REQUIRE(summary.rows[static_cast<size_t>(row_b)][static_cast<size_t>(summary.column("label"))] ==
          "training.lr=0.01");
  REQUIRE(summary.number(row_b, "test_nelbo_n") == 2);

  // The Markdown and LaTeX tables carry the same numbers; compare lists both groups.
  const std::string md = read_text_file(join_path(out.dir, "README.md"));
  REQUIRE(md.find("toy_method / toy_dataset [training.lr=0.01]") != std::string::npos);
  REQUIRE(md.find("loss_vs_time.png") != std::string::npos);
  REQUIRE(read_text_file(join_path(out.dir, "summary.tex")).find("\\begin{tabular}") != std::string::npos);
  const std::string table = compare_runs(group_a);
  REQUIRE(table.find("toy_method / toy_dataset") != std::string::npos);
  REQUIRE(table.find("n=3") != std::string::npos);

  // A run directory that is still running is shown but not counted.
  auto spec = testing::toy_spec(root + "/runs", 9, 8);
  RunOptions killed = quiet;
  killed.stop_after = 2;
  run_experiment(spec, killed);
  auto runs_again = find_run_dirs({root + "/runs"});
  REQUIRE(runs_again.size() == 6);
  std::vector<RunRecord> records;
  for (const auto& d : runs_again) records.push_back(load_run_record(d));
  Aggregate agg = aggregate_runs(records);
  for (const auto& g : agg.groups)
    if (g.label.empty()) {
      REQUIRE(g.runs.size() == 4);
      REQUIRE(g.skipped == 1);
      REQUIRE(g.stats.at("test_nelbo").n == 3);
      REQUIRE(g.stats.at("test_nelbo").mean == Approx(mean).epsilon(1e-12));
    }
}

TEST_CASE("runs of one method at several series lengths get scaling plots", "[report][plots]") {
  testing::TempDir tmp;
  RunOptions quiet;
  quiet.progress = false;
  for (std::int64_t times : {6, 10, 14}) {
    auto spec = testing::toy_spec(tmp.path + "/runs", 0, 4);
    spec.dataset_options.set("times", times);
    spec.sweep_label = "dataset.times=" + std::to_string(times);
    run_experiment(spec, quiet);
  }
  ReportOutput out = write_report({tmp.path + "/runs"}, "scaling", tmp.path + "/reports");
  for (const auto& w : out.warnings) WARN(w);
  REQUIRE(fs::exists(join_path(out.dir, "step_time_vs_length.png")));
  REQUIRE(fs::exists(join_path(out.dir, "memory_vs_length.png")));
  REQUIRE(read_csv(join_path(out.dir, "summary.csv")).rows.size() == 3);  // one group per length
}
