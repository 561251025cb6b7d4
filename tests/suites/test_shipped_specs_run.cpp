// Every spec shipped under experiments/ (the suites' specs, their small scales and the
// top-level examples; defaults/ files are fragments that these include) resolves against the
// real registries and trains for 2 iterations with a short evaluation, so a key renamed in a
// method or a dataset breaks a test, not a user's run.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "harness/config/spec.h"
#include "harness/runner/runner.h"
#include "harness/runner/sweep.h"
#include "../harness/temp_dir.h"

using namespace sdebench;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> runnable_specs() {
  std::vector<std::string> out;
  const fs::path root = fs::path(SDEBENCH_SOURCE_DIR) / "experiments";
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string path = entry.path().string();
    if (entry.is_regular_file() && entry.path().extension() == ".toml" &&
        path.find(".suite.toml") == std::string::npos && path.find("/defaults/") == std::string::npos)
      out.push_back(path);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("every shipped spec resolves against the real registries and trains 2 iterations",
          "[experiments][slow]") {
  const auto files = runnable_specs();
  REQUIRE(files.size() >= 18);
  testing::TempDir tmp;
  std::vector<ResolvedSpec> specs;
  for (const auto& file : files) {
    INFO(file);
    REQUIRE_NOTHROW(specs.push_back(load_spec(
        file, {"training.iterations=2", "training.eval_every=0", "training.checkpoint_every=0",
               "training.max_seconds=0", "evaluation.num_samples=2", "evaluation.max_sequences=8",
               "evaluation.path_samples=16", "training.threads=1"})));
  }
  SweepOptions options;
  options.run.output_root = tmp.path + "/runs";
  options.run.progress = false;
  const SweepResult result = run_sweep(specs, options);
  REQUIRE(result.runs.size() == files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    INFO(files[i] << ": " << result.runs[i].error);
    CHECK(result.runs[i].status == "completed");
    CHECK(result.runs[i].iterations == 2);
  }
}

TEST_CASE("an evaluation split the data leaves empty stops the run before its directory exists",
          "[experiments][validate]") {
  testing::TempDir tmp;
  const auto spec = load_spec(std::string(SDEBENCH_SOURCE_DIR) + "/experiments/quickstart.toml",
                              {"dataset.test_fraction=0", "dataset.val_fraction=0.2",
                               "output.dir=" + tmp.path + "/runs"});
  RunOptions options;
  options.progress = false;
  CHECK_THROWS_WITH(run_experiment(spec, options),
                    Catch::Contains("evaluation.split = \"test\"") &&
                        Catch::Contains("empty test split"));
  CHECK_FALSE(fs::exists(tmp.path + "/runs"));
}
