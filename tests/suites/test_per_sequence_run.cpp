// A run on data whose sequences each have their own times (issue 19), through the real
// registries: SDE Matching, the latent SDE and the latent ODE train, evaluate and write their
// end files; the diffusion baseline, which needs one shared grid, refuses the data by name.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "harness/config/spec.h"
#include "harness/results/atomic_write.h"
#include "harness/runner/runner.h"
#include "../harness/temp_dir.h"

using namespace sdebench;
namespace fs = std::filesystem;

namespace {

// 24 sequences of 6 to 9 observations at jittered times: no two sequences share a time.
std::string write_jittered_csv(const std::string& dir) {
  const std::string path = dir + "/jittered.csv";
  std::ofstream out(path);
  out << "id,t,x,y\n";
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int s = 0; s < 24; ++s) {
    double x = 0, y = 0;
    for (int k = 0; k < 6 + s % 4; ++k) {
      x += u(rng) - 0.5;
      y += u(rng) - 0.5;
      out << "s" << s << "," << 0.1 * k + 0.02 * u(rng) << "," << x << "," << y << "\n";
    }
  }
  return path;
}

ResolvedSpec spec_for(const std::string& method, const std::string& csv, const std::string& out) {
  return load_spec(std::string(SDEBENCH_SOURCE_DIR) + "/experiments/defaults/csv.toml",
                   {"dataset.path=" + csv, "method.name=" + method, "training.iterations=3",
                    "training.batch_size=8", "training.threads=1", "evaluation.forecast_context=3",
                    "evaluation.num_samples=2", "evaluation.path_samples=4", "output.dir=" + out});
}

}  // namespace

TEST_CASE("the latent methods train and evaluate on per-sequence times; diffusion says no",
          "[per_sequence][run]") {
  testing::TempDir tmp;
  const std::string csv = write_jittered_csv(tmp.path);
  RunOptions quiet;
  quiet.progress = false;
  for (const std::string method : {"sde_matching", "latent_sde", "latent_ode"}) {
    INFO(method);
    RunResult r = run_experiment(spec_for(method, csv, tmp.path + "/runs"), quiet);
    INFO(r.error);
    REQUIRE(r.status == "completed");
    for (const char* metric : {"test_nelbo", "test_rec", "test_forecast_mse"}) {
      INFO(metric);
      REQUIRE(r.final_metrics.count(metric));
      CHECK(std::isfinite(r.final_metrics.at(metric)));
    }
    CHECK(r.final_metrics.count("test_energy_distance") == 0);  // no shared grid to compare paths on
    for (const char* file : {"forecasts.csv", "samples.csv"}) CHECK(fs::exists(r.run_dir + "/" + file));
    if (method != "latent_ode") CHECK(fs::exists(r.run_dir + "/latents.csv"));  // no latent path there
    // The forecast file lists each sequence's own times and no padding.
    const std::string forecasts = read_text_file(r.run_dir + "/forecasts.csv");
    CHECK(forecasts.find("\ndata,0,") != std::string::npos);
  }
  CHECK_THROWS_WITH(run_experiment(spec_for("diffusion", csv, tmp.path + "/runs"), quiet),
                    Catch::Contains("diffusion") && Catch::Contains("per-sequence observation times"));
}
