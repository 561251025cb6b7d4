// The reproduction suites under experiments/paper/: every suite file loads, every spec it names
// resolves against the real registries, and the MOCAP suite runs end to end in its short form
// (2 iterations, 1 seed) through `reproduce`, writing its report. The real numbers come from
// `sdebench reproduce mocap` (reports/paper-mocap/), never from a test.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "harness/config/spec.h"
#include "harness/results/atomic_write.h"
#include "harness/suite/reproduce.h"
#include "harness/suite/suite.h"
#include "../harness/temp_dir.h"

using namespace sdebench;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> suite_files() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(fs::path(SDEBENCH_SOURCE_DIR) / "experiments" / "paper"))
    if (e.path().string().size() > 11 &&
        e.path().string().substr(e.path().string().size() - 11) == ".suite.toml")
      out.push_back(e.path().string());
  return out;
}

}  // namespace

TEST_CASE("every suite file loads at every scale and its specs resolve against the registries",
          "[suite]") {
  const auto files = suite_files();
  REQUIRE(files.size() >= 2);
  for (const auto& file : files) {
    INFO(file);
    const Suite by_default = load_suite(file);
    std::vector<std::string> scales = by_default.scales;
    if (scales.empty()) scales.push_back("");
    for (const auto& scale : scales) {
      INFO("scale " << scale);
      const Suite suite = load_suite(file, scale);
      CHECK(suite.scale == scale);
      CHECK_FALSE(suite.metric.empty());
      CHECK(suite.seeds >= 5);
      for (const auto& spec : suite.specs) {
        INFO(spec);
        CHECK_NOTHROW(load_spec(spec));
      }
    }
  }
}

TEST_CASE("a suite's scales: each names its specs, an unknown one is refused with the list",
          "[suite]") {
  const std::string lorenz = suite_path(std::string(SDEBENCH_SOURCE_DIR) + "/experiments", "lorenz");
  const Suite small = load_suite(lorenz);
  CHECK(small.scale == "small");
  CHECK(small.report == "paper-lorenz");
  const Suite paper = load_suite(lorenz, "paper");
  CHECK(paper.report != small.report);
  CHECK(paper.specs != small.specs);
  CHECK(paper.has_claims);
  CHECK(paper.claims.baselines.size() == 2);
  CHECK_THROWS_WITH(load_suite(lorenz, "huge"),
                    Catch::Contains("no scale 'huge'") && Catch::Contains("paper, small"));
  const std::string mocap = suite_path(std::string(SDEBENCH_SOURCE_DIR) + "/experiments", "mocap");
  CHECK_THROWS_WITH(load_suite(mocap, "small"), Catch::Contains("has no scales"));

  testing::TempDir tmp;
  const std::string path = tmp.path + "/both.suite.toml";
  std::ofstream(tmp.path + "/a.toml") << "";
  std::ofstream(path) << "[suite]\nmetric = \"m\"\ndefault_scale = \"s\"\nseeds = 2\n"
                         "[scales.s]\nreport = \"x\"\nseeds = 2\nspecs = [\"a.toml\"]\n";
  CHECK_THROWS_WITH(load_suite(path), Catch::Contains("both.suite.toml:4") &&
                                          Catch::Contains("suite.seeds") &&
                                          Catch::Contains("each [scales.NAME]"));
}

TEST_CASE("a suite file with a bad key names the file, line and key", "[suite]") {
  testing::TempDir tmp;
  const std::string path = tmp.path + "/bad.suite.toml";
  std::ofstream(path) << "[suite]\nreport = \"x\"\nmetric = \"m\"\nseeds = 2\nspecs = [\"a.toml\"]\n"
                         "plot_dim = [1]\n";
  CHECK_THROWS_WITH(load_suite(path), Catch::Contains("bad.suite.toml:6") &&
                                          Catch::Contains("suite.plot_dim") &&
                                          Catch::Contains("unknown key"));
  std::ofstream(path) << "[suite]\nreport = \"x\"\nmetric = \"m\"\nseeds = 2\nspecs = [\"a.toml\"]\n";
  CHECK_THROWS_WITH(load_suite(path), Catch::Contains("no such spec"));
}

TEST_CASE("the MOCAP suite runs in its short form and writes its report", "[suite][mocap]") {
  testing::TempDir tmp;
  const Suite suite =
      load_suite(suite_path(std::string(SDEBENCH_SOURCE_DIR) + "/experiments", "mocap"));
  ReproduceOptions options;
  options.seeds = 1;
  options.overrides = {"training.iterations=2", "evaluation.num_samples=2", "training.eval_every=1"};
  options.output_root = tmp.path + "/runs";
  options.reports_root = tmp.path + "/reports";
  options.progress = false;
  options.command_line = "test";
  ReproduceResult r = reproduce(suite, options);
  CHECK(r.sweep.completed == static_cast<int>(suite.specs.size()));
  CHECK(r.sweep.failed == 0);
  for (const auto& run : r.sweep.runs) {
    INFO(run.run_dir << " " << run.error);
    CHECK(run.status == "completed");
    CHECK(run.final_metrics.count(suite.metric) == 1);
    // Every extra score, except the diffusion for the latent ODE, which has none.
    const bool ode = run.run_dir.find("latent_ode") != std::string::npos;
    for (const auto& m : suite.also_metrics) {
      INFO(m);
      CHECK(run.final_metrics.count(m) == (ode && m == "test_diffusion_mean" ? 0u : 1u));
    }
    CHECK(fs::exists(run.run_dir + "/best.pt"));
  }
  const std::string readme = read_text_file(r.report.dir + "/README.md");
  // Every extra score is a column of the score table: its header names them in order.
  REQUIRE(suite.also_metrics.size() == 4);
  std::string columns;
  for (const auto& m : suite.also_metrics) columns += " | " + m;
  CHECK_THAT(readme, Catch::Contains(suite.metric + ": mean ± 95% CI over seeds | mean per-run 95% half-width" + columns + " | published"));
  for (const char* method : {"| latent_sde |", "| latent_ode |", "| sde_matching |"}) CHECK_THAT(readme, Catch::Contains(method));
  // The latent ODE's row shows its missing diffusion as "-" right before the published value.
  CHECK_THAT(readme, Catch::Contains("| - | 5.98 ± 0.28"));
  CHECK_THAT(readme, Catch::Contains("4.03 ± 0.20"));
  CHECK_THAT(readme, Catch::Contains("## Every metric"));
}

// (The paper scale's specs run for 2 iterations in test_shipped_specs_run.cpp.)
TEST_CASE("the Lorenz suite runs in its short form and writes its claims", "[suite][lorenz]") {
  const std::string file = suite_path(std::string(SDEBENCH_SOURCE_DIR) + "/experiments", "lorenz");
  for (const std::string scale : {"small"}) {
    INFO("scale " << scale);
    testing::TempDir tmp;
    const Suite suite = load_suite(file, scale);
    ReproduceOptions options;
    options.seeds = 1;
    options.overrides = {"training.iterations=2", "training.eval_every=1",
                         "evaluation.num_samples=2", "evaluation.max_sequences=8",
                         "evaluation.path_samples=16"};
    options.output_root = tmp.path + "/runs";
    options.reports_root = tmp.path + "/reports";
    options.progress = false;
    options.command_line = "test";
    ReproduceResult r = reproduce(suite, options);
    CHECK(r.sweep.completed == 4);
    for (const auto& run : r.sweep.runs) {
      INFO(run.run_dir << " " << run.error);
      CHECK(run.status == "completed");
    }
    const std::string readme = read_text_file(r.report.dir + "/README.md");
    // The two latent SDE specs (one method) stay apart, and each baseline has its claim rows.
    CHECK_THAT(readme, Catch::Contains("| lorenz-latent_sde_adjoint | latent_sde |"));
    CHECK_THAT(readme, Catch::Contains("| lorenz-latent_sde_backprop | latent_sde |"));
    CHECK_THAT(readme, Catch::Contains("## Claims"));
    CHECK_THAT(readme, Catch::Contains("(scale `" + scale + "`)"));
    for (const char* baseline : {"`lorenz-latent_sde_adjoint` |", "`lorenz-latent_sde_backprop` |"})
      CHECK_THAT(readme, Catch::Contains("far less memory") && Catch::Contains(baseline));
    CHECK_THAT(readme, Catch::Contains("## Every run") && Catch::Contains(suite.description));

    // The report re-made from the recorded runs, training nothing, names their command.
    REQUIRE(fs::exists(options.output_root + "/paper-lorenz/reproduce.json"));
    fs::remove(r.report.dir + "/README.md");
    options.report_only = true;
    options.command_line = "test --report-only";
    const ReproduceResult again = reproduce(suite, options);
    CHECK(again.sweep.runs.empty());
    const std::string remade = read_text_file(again.report.dir + "/README.md");
    CHECK_THAT(remade, Catch::Contains("Runs made by `test`") &&
                           Catch::Contains("re-made from their directories by `test --report-only`"));
    // Everything from the score to the settings is the same (the generic part below is dated).
    auto tables = [](const std::string& md) {
      const auto from = md.find("## Score");
      return md.substr(from, md.find("## Every metric") - from);
    };
    CHECK(tables(remade) == tables(readme));
  }
}

TEST_CASE("the highdim suite: a grid of overrides, found under experiments/highdim/", "[suite][highdim]") {
  const std::string experiments = std::string(SDEBENCH_SOURCE_DIR) + "/experiments";
  const std::string file = suite_path(experiments, "highdim");
  CHECK_THAT(file, Catch::EndsWith("experiments/highdim/highdim.suite.toml"));
  for (const std::string scale : {"grid", "showcase"}) {
    INFO(scale);
    const Suite suite = load_suite(file, scale);
    CHECK(suite.frame_strips);
    CHECK(suite.centroid_angles);
    CHECK_FALSE(suite.grid.empty());
    for (const auto& spec : suite.specs) CHECK(expand_sweep(spec, suite.grid).size() == (scale == "grid" ? 9u : 1u));
  }
  const Suite grid = load_suite(file);
  CHECK(grid.report == "highdim");
  CHECK(grid.specs.size() == 3);
  CHECK(load_spec(grid.specs[0], {"dataset.frame_size=16", "dataset.num_frames=50"}).dataset_options.get_int("frame_size") == 16);

  testing::TempDir tmp;
  std::ofstream(tmp.path + "/a.toml") << "";
  const std::string path = tmp.path + "/g.suite.toml";
  std::ofstream(path) << "[suite]\nreport = \"x\"\nmetric = \"m\"\nseeds = 1\nspecs = [\"a.toml\"]\n"
                         "grid = [\"dataset.frame_size\"]\n";
  CHECK_THROWS_WITH(load_suite(path), Catch::Contains("g.suite.toml:6") && Catch::Contains("grid") &&
                                          Catch::Contains("KEY=V1,V2"));
  const std::string angles = tmp.path + "/c.suite.toml";
  std::ofstream(angles) << "[suite]\nreport = \"x\"\nmetric = \"m\"\nspecs = [\"a.toml\"]\n"
                           "centroid_angles = true\n";
  CHECK_THROWS_WITH(load_suite(angles), Catch::Contains("c.suite.toml:5") &&
                                            Catch::Contains("needs frame_strips = true"));
}

TEST_CASE("a grid suite on video frames runs every spec at every point and draws frames and latents",
          "[suite][highdim]") {
  testing::TempDir tmp;
  Suite suite = load_suite(suite_path(std::string(SDEBENCH_SOURCE_DIR) + "/experiments", "highdim"));
  suite.grid = {"dataset.frame_size=16", "dataset.num_frames=12,16"};
  suite.pictures_for = "dataset.num_frames=16";
  ReproduceOptions options;
  options.overrides = {"training.iterations=2", "training.max_seconds=0", "dataset.num_sequences=16",
                       "evaluation.num_samples=2", "evaluation.forecast_context=3",
                       "evaluation.max_sequences=4", "evaluation.path_samples=4"};
  options.output_root = tmp.path + "/runs";
  options.reports_root = tmp.path + "/reports";
  options.progress = false;
  options.command_line = "test";
  ReproduceResult r = reproduce(suite, options);
  REQUIRE(r.sweep.runs.size() == 6);  // 3 specs x 2 grid points
  for (const auto& run : r.sweep.runs) {
    INFO(run.run_dir << " " << run.error);
    CHECK(run.status == "completed");
    CHECK(fs::exists(run.run_dir + "/latents.csv"));
  }
  const std::string readme = read_text_file(r.report.dir + "/README.md");
  // A one-value grid key is not in the labels (as in a sweep), the swept one is.
  CHECK_THAT(readme, Catch::Contains("highdim-latent_sde_backprop dataset.num_frames=12"));
  CHECK_THAT(readme, Catch::Contains("## Frames and latent paths"));
  CHECK_THAT(readme, Catch::Contains("R^2 of the linear readout"));
  CHECK(fs::exists(r.report.dir + "/frames_highdim-sde_matching_dataset.num_frames-16.png"));
  CHECK(fs::exists(r.report.dir + "/angle_highdim-sde_matching_dataset.num_frames-16.png"));
  CHECK_THAT(readme, Catch::Contains("![angle_highdim-sde_matching_dataset.num_frames-16.png]"));
  CHECK(fs::exists(r.report.dir + "/latent_highdim-latent_sde_adjoint_dataset.num_frames-16.png"));
  CHECK_FALSE(fs::exists(r.report.dir + "/frames_highdim-sde_matching_dataset.num_frames-12.png"));
}
