// The training loop end to end on the toy components: resume is bit-exact, divergence is
// recorded, sweeps go on after failures, concurrent runs get their own intact directories.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include "datasets/dataset.h"
#include "harness/results/atomic_write.h"
#include "harness/results/csv.h"
#include "harness/results/json.h"
#include "harness/results/run_dir.h"
#include "harness/runner/checkpoint.h"
#include "harness/runner/evaluator.h"
#include "harness/runner/runner.h"
#include "harness/runner/sweep.h"
#include "methods/method.h"
#include "temp_dir.h"
#include "toy_components.h"

using namespace sdebench;
namespace fs = std::filesystem;

namespace {


Json summary_of(const std::string& dir) {
  return read_json_file(join_path(dir, run_files::summary));
}

// Columns that depend on wall time differ between any two runs; every other column must match.
bool is_timing_column(const std::string& name) {
  return name == "time_s" || name == "step_s" || name == "eval_s";
}

void require_same_numbers(const CsvTable& a, const CsvTable& b) {
  REQUIRE(a.header == b.header);
  REQUIRE(a.rows.size() == b.rows.size());
  for (size_t r = 0; r < a.rows.size(); ++r)
    for (size_t c = 0; c < a.header.size(); ++c)
      if (!is_timing_column(a.header[c])) {
        INFO("row " << r << " column " << a.header[c]);
        REQUIRE(a.rows[r][c] == b.rows[r][c]);  // text of 17 significant digits: bit-exact
      }
}

RunOptions quiet() {
  RunOptions o;
  o.progress = false;
  return o;
}

}  // namespace

TEST_CASE("a completed run writes every file with consistent contents", "[runner]") {
  testing::TempDir tmp;
  const auto root = tmp.path;
  auto spec = testing::toy_spec(root, 3, 12);
  RunResult r = run_experiment(spec, quiet());
  REQUIRE(r.status == "completed");
  REQUIRE(r.iterations == 12);
  for (const char* f : {run_files::spec, run_files::metrics, run_files::eval, run_files::summary,
                        run_files::checkpoint, run_files::samples})
    REQUIRE(fs::exists(join_path(r.run_dir, f)));
  // Only final files, no temporaries left behind.
  for (const auto& e : fs::directory_iterator(r.run_dir))
    REQUIRE(e.path().filename().string().find(".tmp-") == std::string::npos);
  REQUIRE(fs::path(r.run_dir).parent_path() == fs::path(root) / "toy");

  CsvTable metrics = read_csv(join_path(r.run_dir, run_files::metrics));
  REQUIRE(metrics.rows.size() == 12);
  REQUIRE(metrics.column("rec") >= 0);
  REQUIRE(metrics.column("kl") >= 0);
  // KL annealing: weight i/6 at iteration index i (0-based), capped at 1.
  REQUIRE(metrics.number(0, "kl_weight") == 0.0);
  REQUIRE(metrics.number(3, "kl_weight") == Approx(0.5));
  REQUIRE(metrics.number(11, "kl_weight") == 1.0);
  // Exponential LR decay after every step.
  REQUIRE(metrics.number(0, "lr") == Approx(0.05 * 0.99));
  REQUIRE(metrics.number(11, "lr") == Approx(0.05 * std::pow(0.99, 12)));
  // Gradient clipping at 5: the recorded norm is the pre-clip norm; fine either way, must be finite.
  REQUIRE(std::isfinite(metrics.number(0, "grad_norm")));

  CsvTable evals = read_csv(join_path(r.run_dir, run_files::eval));
  REQUIRE(evals.rows.size() == 3);  // at 5, 10 and the end (12)
  REQUIRE(evals.number(2, "iteration") == 12);
  for (const char* m : {"test_nelbo", "test_rec", "test_forecast_mse", "test_energy_distance"})
    REQUIRE(evals.column(m) >= 0);

  Json s = summary_of(r.run_dir);
  REQUIRE(string_or(s, "status", "") == "completed");
  REQUIRE(number_or(s, "seed", -1) == 3);
  REQUIRE(number_or(s.at("final_metrics"), "test_nelbo", 0) == evals.number(2, "test_nelbo"));
  REQUIRE(number_or(s.at("training"), "step_time_median_s", -1) > 0);
  REQUIRE(number_or(s.at("memory"), "peak_train_step_bytes", -1) > 0);
  REQUIRE(number_or(s.at("memory"), "peak_rss_bytes", -1) > 0);
  REQUIRE(!string_or(s.at("provenance"), "libtorch_version", "").empty());
  REQUIRE(number_or(s.at("provenance"), "torch_threads", 0) == 1);
  REQUIRE(number_or(s.at("data"), "num_times", 0) == 8);
  // The saved spec is a complete TOML spec that loads back to the same values.
  ResolvedSpec again = load_run_spec(r.run_dir);
  REQUIRE(again.seed == 3);
  REQUIRE(again.training.get_int("iterations") == 12);
  REQUIRE(again.training.get_float("lr") == 0.05);
  REQUIRE(again.sweep_label == "seed=3");
}

TEST_CASE("resume after an interrupted run ends with exactly the uninterrupted numbers", "[runner][resume]") {
  testing::TempDir tmp;
  const auto root = tmp.path;
  auto spec = testing::toy_spec(root, 1, 20);
  // With periodic evaluations, and with only the final one (the checkpoint then holds no eval rows).
  const std::int64_t eval_every = GENERATE(5, 0);
  spec.training.set("eval_every", eval_every);
  // With model selection too: best.pt and the best_ metrics must come out the same.
  const std::string select = GENERATE(std::string(), std::string("forecast_mse_samples"));
  spec.evaluation.set("select_metric", select);
  // With a parameter average (training.ema_decay): its state must come back from the checkpoint.
  const double ema_decay = GENERATE(0.0, 0.9);
  spec.training.set("ema_decay", ema_decay);
  RunResult full = run_experiment(spec, quiet());
  REQUIRE(full.status == "completed");

  // Killed 3 iterations after the checkpoint at 10: the resumed run redoes 11..13.
  RunOptions interrupted = quiet();
  interrupted.stop_after = 13;
  RunResult part = run_experiment(spec, interrupted);
  REQUIRE(part.status == "interrupted");
  REQUIRE(string_or(summary_of(part.run_dir), "status", "") == "running");
  REQUIRE(read_csv(join_path(part.run_dir, run_files::metrics)).rows.size() == 10);

  RunOptions resume = quiet();
  resume.resume_dir = part.run_dir;
  RunResult resumed = run_experiment(load_run_spec(part.run_dir), resume);
  REQUIRE(resumed.status == "completed");
  REQUIRE(resumed.run_dir == part.run_dir);
  REQUIRE(resumed.iterations == 20);

  REQUIRE(resumed.final_metrics == full.final_metrics);  // exact double equality
  require_same_numbers(read_csv(join_path(full.run_dir, run_files::metrics)),
                       read_csv(join_path(resumed.run_dir, run_files::metrics)));
  require_same_numbers(read_csv(join_path(full.run_dir, run_files::eval)),
                       read_csv(join_path(resumed.run_dir, run_files::eval)));
  auto a = testing::checkpoint_parameters(spec, full.run_dir);
  auto b = testing::checkpoint_parameters(spec, resumed.run_dir);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) REQUIRE(torch::equal(a[i], b[i]));

  // A different seed really changes the numbers (the comparison above can fail).
  auto other = testing::toy_spec(root, 2, 20);
  RunResult different = run_experiment(other, quiet());
  REQUIRE(different.final_metrics != full.final_metrics);
}

TEST_CASE("a run whose loss becomes NaN is recorded as diverged with its last good metrics", "[runner][diverged]") {
  testing::TempDir tmp;
  const auto root = tmp.path;
  auto spec = testing::toy_spec(root, 0, 20);
  spec.method_options.set("nan_at", std::int64_t{8});
  RunResult r = run_experiment(spec, quiet());
  REQUIRE(r.status == "diverged");
  REQUIRE(r.iterations == 7);
  Json s = summary_of(r.run_dir);
  REQUIRE(string_or(s, "status", "") == "diverged");
  REQUIRE(number_or(s, "diverged_at", 0) == 8);
  REQUIRE(number_or(s, "final_metrics_iteration", 0) == 5);
  CsvTable evals = read_csv(join_path(r.run_dir, run_files::eval));
  REQUIRE(evals.rows.size() == 1);
  REQUIRE(number_or(s.at("final_metrics"), "test_nelbo", 0) == evals.number(0, "test_nelbo"));
  CsvTable metrics = read_csv(join_path(r.run_dir, run_files::metrics));
  REQUIRE(metrics.rows.size() == 7);
  for (double v : metrics.numbers("loss")) REQUIRE(std::isfinite(v));
}

TEST_CASE("a sweep records diverged and failed runs and goes on", "[runner][sweep]") {
  testing::TempDir tmp;
  const auto root = tmp.path;
  std::vector<ResolvedSpec> specs{testing::toy_spec(root, 0, 6), testing::toy_spec(root, 1, 6),
                                  testing::toy_spec(root, 2, 6), testing::toy_spec(root, 3, 6)};
  specs[1].method_options.set("nan_at", std::int64_t{2});
  specs[2].dataset = "no_such_dataset";  // fails while building
  SweepOptions options;
  options.run.progress = false;
  SweepResult result = run_sweep(specs, options);
  REQUIRE(result.runs.size() == 4);
  REQUIRE(result.runs[0].status == "completed");
  REQUIRE(result.runs[1].status == "diverged");
  REQUIRE(result.runs[2].status == "failed");
  REQUIRE(result.runs[2].error.find("no_such_dataset") != std::string::npos);
  REQUIRE(result.runs[3].status == "completed");
  REQUIRE(result.completed == 2);
  REQUIRE(result.diverged == 1);
  REQUIRE(result.failed == 1);
  // Three runs got directories (the failed one never started).
  std::set<std::string> dirs;
  for (const auto& e : fs::directory_iterator(fs::path(root) / "toy")) dirs.insert(e.path().string());
  REQUIRE(dirs.size() == 3);
}

TEST_CASE("a spec file sweep expands over seeds and runs through the registries", "[runner][sweep][spec]") {
  testing::TempDir tmp;
  const auto root = tmp.path;
  const std::string spec_path = root + "/toy.toml";
  write_file_atomic(spec_path,
                    "name = \"toyspec\"\nseed = 0\n"
                    "[dataset]\nname = \"toy_dataset\"\nsequences = 16\n"
                    "[method]\nname = \"toy_method\"\n"
                    "[training]\niterations = 4\nbatch_size = 4\nthreads = 1\ncheckpoint_every = 0\n"
                    "[evaluation]\npath_samples = 4\n"
                    "[output]\ndir = \"" + root + "/runs\"\n");
  auto specs = expand_sweep(spec_path, {"seed=0:2", "training.lr=0.01,0.02"});
  REQUIRE(specs.size() == 4);
  SweepOptions options;
  options.run.progress = false;
  SweepResult result = run_sweep(specs, options);
  REQUIRE(result.completed == 4);
  std::set<std::pair<std::int64_t, double>> seen;
  for (const auto& r : result.runs) {
    ResolvedSpec s = load_run_spec(r.run_dir);
    seen.insert({s.seed, s.training.get_float("lr")});
    REQUIRE(s.training.get_int("checkpoint_every") == 0);
  }
  REQUIRE(seen.size() == 4);
}

TEST_CASE("two concurrent runs produce two intact directories", "[runner][concurrent]") {
  testing::TempDir tmp;
  const auto root = tmp.path;
  RunResult a, b;
  std::thread ta([&] { a = run_experiment(testing::toy_spec(root, 0, 15), quiet()); });
  std::thread tb([&] { b = run_experiment(testing::toy_spec(root, 1, 15), quiet()); });
  ta.join();
  tb.join();
  REQUIRE(a.run_dir != b.run_dir);
  for (const auto* r : {&a, &b}) {
    REQUIRE(r->status == "completed");
    Json s = summary_of(r->run_dir);
    REQUIRE(string_or(s, "status", "") == "completed");
    REQUIRE(read_csv(join_path(r->run_dir, run_files::metrics)).rows.size() == 15);
    REQUIRE(read_csv(join_path(r->run_dir, run_files::eval)).rows.size() == 3);
    REQUIRE(load_run_spec(r->run_dir).seed == number_or(s, "seed", -1));
  }
}

TEST_CASE("run directories are unique under concurrent creation", "[results][concurrent]") {
  testing::TempDir tmp;
  const auto root = tmp.path;
  std::vector<std::vector<std::string>> made(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) made[t].push_back(create_run_dir(root, "same"));
    });
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& v : made) all.insert(v.begin(), v.end());
  REQUIRE(all.size() == 200);
}

TEST_CASE("device cuda is a clear error without a CUDA LibTorch", "[runner]") {
  if (torch::cuda::is_available()) return;
  testing::TempDir tmp;
  auto spec = testing::toy_spec(tmp.path, 0, 2);
  spec.training.set("device", std::string("cuda"));
  REQUIRE_THROWS_WITH(run_experiment(spec, quiet()), Catch::Contains("cuda") && Catch::Contains("cpu"));
}

TEST_CASE("resuming a run without a checkpoint names the problem", "[runner][resume]") {
  testing::TempDir tmp;
  const auto root = tmp.path;
  auto spec = testing::toy_spec(root, 0, 4);
  spec.output.set("checkpoint", false);
  RunResult r = run_experiment(spec, quiet());
  RunOptions resume = quiet();
  resume.resume_dir = r.run_dir;
  REQUIRE_THROWS_WITH(run_experiment(spec, resume), Catch::Contains("checkpoint.pt"));
}

TEST_CASE("the wall-time budget stops training and time to target is recorded", "[runner][budget]") {
  testing::TempDir tmp;
  auto spec = testing::toy_spec(tmp.path, 0, 50);
  spec.training.set("max_seconds", 1e-12);  // exhausted by the first step
  RunResult r = run_experiment(spec, quiet());
  REQUIRE(r.status == "time_budget");
  REQUIRE(r.iterations == 1);
  REQUIRE(!r.final_metrics.empty());  // evaluated at the end all the same

  auto target = testing::toy_spec(tmp.path, 0, 12);
  target.training.set("target_metric", std::string("test_rec"));
  target.training.set("target_value", 1e9);  // met at the first evaluation (iteration 5)
  Json s = summary_of(run_experiment(target, quiet()).run_dir);
  REQUIRE(number_or(s.at("training"), "time_to_target_iteration", -1) == 5);
  REQUIRE(number_or(s.at("training"), "time_to_target_s", -1) > 0);
  target.training.set("target_value", -1.0);  // never met
  Json never = summary_of(run_experiment(target, quiet()).run_dir);
  REQUIRE(never.at("training").at("time_to_target_s").is_null());
}

TEST_CASE("the per-step memory budget stops training at the first step above it", "[runner][budget]") {
  testing::TempDir tmp;
  auto spec = testing::toy_spec(tmp.path, 0, 20);
  RunResult free_run = run_experiment(spec, quiet());
  REQUIRE(free_run.status == "completed");
  const double peak = number_or(summary_of(free_run.run_dir).at("memory"), "peak_train_step_bytes", -1);
  REQUIRE(peak > 0);
  // Just below the largest step's measured peak: some step is over it, and training ends there.
  spec.training.set("max_step_memory_mb", 0.9 * peak / 1e6);
  RunResult r = run_experiment(spec, quiet());
  CHECK(r.status == "memory_budget");
  CHECK(r.iterations >= 1);
  CHECK(r.iterations < 20);
  Json s = summary_of(r.run_dir);
  CHECK(s.at("status") == "memory_budget");
  // Just above it: the budget never binds.
  spec.training.set("max_step_memory_mb", 1.1 * peak / 1e6);
  CHECK(run_experiment(spec, quiet()).status == "completed");
}

TEST_CASE("float64 runs train and evaluate in double precision", "[runner][dtype]") {
  testing::TempDir tmp;
  auto spec = testing::toy_spec(tmp.path, 0, 6);
  spec.training.set("dtype", std::string("float64"));
  RunResult r = run_experiment(spec, quiet());
  REQUIRE(r.status == "completed");
  // The saved parameters themselves are double.
  torch::serialize::InputArchive archive, model;
  archive.load_from(join_path(r.run_dir, run_files::checkpoint));
  archive.read("model", model);
  torch::Tensor weight;
  model.read("log_scale", weight);
  REQUIRE(weight.scalar_type() == torch::kFloat64);
}

TEST_CASE("model selection keeps the parameters best on val and reports them on the test split",
          "[runner][select]") {
  testing::TempDir tmp;
  auto spec = testing::toy_spec(tmp.path, 4, 20);
  spec.evaluation.set("select_metric", std::string("forecast_mse_samples"));
  spec.evaluation.set("num_samples", std::int64_t{6});
  RunResult r = run_experiment(spec, quiet());
  REQUIRE(r.status == "completed");
  REQUIRE(fs::exists(join_path(r.run_dir, run_files::best)));
  REQUIRE(fs::exists(join_path(r.run_dir, run_files::forecasts)));
  CsvTable evals = read_csv(join_path(r.run_dir, run_files::eval));
  REQUIRE(evals.column("val_forecast_mse_samples") >= 0);
  // The best iteration is the argmin of the val metric over the evaluations.
  std::size_t best_row = 0;
  for (std::size_t i = 0; i < evals.rows.size(); ++i)
    if (evals.number(i, "val_forecast_mse_samples") < evals.number(best_row, "val_forecast_mse_samples"))
      best_row = i;
  REQUIRE(r.final_metrics.at("best_iteration") == evals.number(best_row, "iteration"));
  REQUIRE(r.final_metrics.at("best_val_forecast_mse_samples") ==
          evals.number(best_row, "val_forecast_mse_samples"));
  // best.pt holds that iteration's parameters: evaluated under the same generator seed they give
  // exactly the test numbers logged at that iteration.
  for (const char* m : {"test_forecast_mse", "test_forecast_mse_samples", "test_nelbo"})
    REQUIRE(r.final_metrics.at(std::string("best_") + m) == evals.number(best_row, m));
  // The per-sample score is at least the sample mean's MSE (Jensen), and has an interval.
  REQUIRE(r.final_metrics.at("test_forecast_mse_samples") >= r.final_metrics.at("test_forecast_mse"));
  REQUIRE(r.final_metrics.at("test_forecast_mse_samples_ci95") > 0);
}

TEST_CASE("a select_metric the val split lacks stops the run with its name", "[runner][select]") {
  testing::TempDir tmp;
  auto spec = testing::toy_spec(tmp.path, 4, 5);
  spec.evaluation.set("select_metric", std::string("no_such_metric"));
  CHECK_THROWS_WITH(run_experiment(spec, quiet()), Catch::Contains("val_no_such_metric"));
}

TEST_CASE("per-sample forecast MSE is each sample's MSE in data units", "[evaluator]") {
  torch::manual_seed(9);
  auto forecasts = torch::randn({3, 2, 5, 2}, torch::kFloat64);
  auto values = torch::randn({2, 5, 2}, torch::kFloat64);
  auto mask = torch::ones({2, 5, 2}, torch::kFloat64);
  mask[1][4][1] = 0;
  auto mean = torch::tensor({1.0, -2.0}, torch::kFloat64), std = torch::tensor({2.0, 0.5}, torch::kFloat64);
  auto per = forecast_mse_per_sample(forecasts, values, mask, 2, mean, std);
  REQUIRE(per.size() == 3);
  for (int s = 0; s < 3; ++s) {
    double sum = 0, n = 0;
    for (int b = 0; b < 2; ++b)
      for (int t = 2; t < 5; ++t)
        for (int d = 0; d < 2; ++d) {
          if (mask[b][t][d].item<double>() == 0) continue;
          const double sd = std[d].item<double>();
          const double diff = (forecasts[s][b][t][d].item<double>() - values[b][t][d].item<double>()) * sd;
          sum += diff * diff;
          n += 1;
        }
    CHECK(per[s] == Approx(sum / n).epsilon(1e-12));
  }
}

TEST_CASE("options the data cannot honour stop the run before its directory exists", "[runner][validate]") {
  testing::TempDir tmp;
  auto spec = testing::toy_spec(tmp.path, 0, 5);
  spec.evaluation.set("forecast_context", std::int64_t{8});  // the toy data has 8 times
  CHECK_THROWS_WITH(run_experiment(spec, quiet()),
                    Catch::Contains("evaluation.forecast_context = 8") && Catch::Contains("8 observation times"));
  CHECK_FALSE(fs::exists(fs::path(tmp.path) / "toy"));
}

namespace {

// A method whose forecasts are given samples [S, B, T, D], so forecast_csv's rows can be
// checked against values computed here.
class GivenForecasts : public Method {
 public:
  explicit GivenForecasts(torch::Tensor samples) : samples_(std::move(samples)) {}
  LossTerms train_step(const Batch&, const StepContext&) override { return {}; }
  std::map<std::string, double> evaluate(const Batch&, const EvalOptions&) override { return {}; }
  torch::Tensor sample(const torch::Tensor&, std::int64_t) override { return {}; }
  torch::Tensor forecast(const Batch&, std::int64_t, const torch::Tensor&, std::int64_t) override {
    return samples_;
  }

 private:
  torch::Tensor samples_;
};

}  // namespace

TEST_CASE("forecasts.csv has the samples' spread about their mean in data units", "[evaluator]") {
  const std::int64_t S = 4, B = 2, T = 3, D = 2;
  TimeSeriesDataset data;
  data.times = torch::tensor({0.0, 0.5, 1.0}, torch::kFloat64);
  data.test.values = torch::zeros({B, T, D});
  data.test.mask = torch::ones({B, T, D});
  data.norm_mean = torch::tensor({1.0, -2.0}, torch::kFloat64);
  data.norm_std = torch::tensor({2.0, 0.5}, torch::kFloat64);
  torch::manual_seed(3);
  auto samples = torch::randn({S, B, T, D});
  GivenForecasts method(samples);
  const CsvTable table = parse_csv(forecast_csv(method, data, "test", B, 1, S, torch::kFloat32,
                                                torch::kCPU));
  std::size_t checked = 0;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    if (table.rows[r][0] != "std") continue;
    const auto b = std::stoll(table.rows[r][1]);
    const auto t = static_cast<std::int64_t>(std::llround(table.number(r, "time") * 2));
    for (std::int64_t d = 0; d < D; ++d) {
      // Population std over the S samples, scaled by the dimension's norm_std.
      double mean = 0, square = 0;
      for (std::int64_t s = 0; s < S; ++s) mean += samples[s][b][t][d].item<double>() / S;
      for (std::int64_t s = 0; s < S; ++s)
        square += std::pow(samples[s][b][t][d].item<double>() - mean, 2) / S;
      INFO("sequence " << b << " time " << t << " dim " << d);
      CHECK(table.number(r, "x" + std::to_string(d)) ==
            Approx(std::sqrt(square) * data.norm_std[d].item<double>()).epsilon(1e-5));
    }
    ++checked;
  }
  REQUIRE(checked == static_cast<std::size_t>(B * T));
}
