// The Slurm launcher without a cluster: --array lists, shell quoting, the job-array script, the
// sweep directory's manifest, and SIGTERM turning into a checkpoint that resumes exactly.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include "harness/launch/slurm.h"
#include "harness/launch/slurm_script.h"
#include "harness/launch/sweep_dir.h"
#include "harness/results/atomic_write.h"
#include "harness/results/csv.h"
#include "harness/results/json.h"
#include "harness/results/run_dir.h"
#include "harness/runner/runner.h"
#include "harness/runner/stop_signal.h"
#include "tests/harness/temp_dir.h"
#include "tests/harness/toy_components.h"

using namespace sdebench;
namespace fs = std::filesystem;

namespace {

SweepManifest two_run_sweep(const std::string& dir) {
  SweepManifest m;
  m.dir = dir;
  m.name = "toy";
  m.sweep_id = "20260101-000000-1-abcdef";
  m.launcher = "slurm";
  m.executable = "/opt/sdebench";
  m.max_parallel = 3;
  for (int i = 0; i < 2; ++i) {
    PlannedRun r;
    r.index = i;
    r.label = i == 0 ? "seed=0" : "method.name=it's seed=1";
    r.spec_file = dir + "/specs/" + std::to_string(i) + ".toml";
    r.run_dir = dir + "/runs/" + std::to_string(i);
    m.runs.push_back(r);
  }
  return m;
}

}  // namespace

TEST_CASE("sbatch array lists are sorted ranges", "[launch]") {
  REQUIRE(array_ranges({0, 1, 2, 3}) == "0-3");
  REQUIRE(array_ranges({3, 1}) == "1,3");
  REQUIRE(array_ranges({7, 0, 1, 5, 6, 1}) == "0-1,5-7");
  REQUIRE(array_ranges({4}) == "4");
  REQUIRE(parse_array_ranges("1-3%1") == std::vector<int>{1, 2, 3});
  REQUIRE(parse_array_ranges("0-1,5-7") == std::vector<int>{0, 1, 5, 6, 7});
  REQUIRE(parse_array_ranges("0-6:2") == std::vector<int>{0, 2, 4, 6});
  REQUIRE(parse_array_ranges("4") == std::vector<int>{4});
  REQUIRE(parse_array_ranges("N/A").empty());
}

TEST_CASE("shell quoting survives single quotes and spaces", "[launch]") {
  REQUIRE(shell_quote("a b") == "'a b'");
  REQUIRE(shell_quote("it's") == "'it'\\''s'");
}

TEST_CASE("the job-array script runs each task's run, resumes from a checkpoint, and lets SIGTERM reach it",
          "[launch][script]") {
  SweepManifest m = two_run_sweep("/shared/sweeps/toy/x");
  SlurmOptions o;
  o.cpus_per_task = 4;
  o.time = "01:00:00";
  o.partition = "cpu";
  o.sbatch_args = {"--account=lab"};
  const std::string s = array_script(m, o);
  CHECK(s.rfind("#!/bin/bash\n", 0) == 0);
  CHECK(s.find("#SBATCH --output=/shared/sweeps/toy/x/logs/%A_%a.out\n") != std::string::npos);
  CHECK(s.find("#SBATCH --cpus-per-task=4\n") != std::string::npos);
  CHECK(s.find("#SBATCH --time=01:00:00\n") != std::string::npos);
  CHECK(s.find("#SBATCH --partition=cpu\n") != std::string::npos);
  CHECK(s.find("#SBATCH --account=lab\n") != std::string::npos);
  CHECK(s.find("#SBATCH --signal=B:TERM@60\n") != std::string::npos);
  CHECK(s.find("'method.name=it'\\''s seed=1'") != std::string::npos);
  CHECK(s.find("threads=${SLURM_CPUS_PER_TASK:-1}") != std::string::npos);
  CHECK(s.find("exec \"$SDEBENCH\" run --resume \"${RUN_DIRS[$i]}\"") != std::string::npos);
  CHECK(s.find("exec \"$SDEBENCH\" run \"${SPECS[$i]}\" \"training.threads=$threads\"") != std::string::npos);
  // --array is given at submission, so resume can resubmit a subset with the same script.
  CHECK(s.find("#SBATCH --array") == std::string::npos);
  o.sbatch_args = {"account=lab"};
  REQUIRE_THROWS_WITH(array_script(m, o), Catch::Contains("expected an sbatch option"));

  const std::string r = report_script(m, SlurmOptions{});
  CHECK(r.find("'/opt/sdebench' report") != std::string::npos);
  CHECK(r.find("'/shared/sweeps/toy/x/runs/1'") != std::string::npos);
  CHECK(r.find("--name report --reports-dir '/shared/sweeps/toy/x'") != std::string::npos);
}

TEST_CASE("the sweep manifest reads back what was written", "[launch][manifest]") {
  testing::TempDir tmp;
  SweepManifest m = two_run_sweep(tmp.path);
  Submission first;
  first.array_job = "12";
  first.report_job = "13";
  first.tasks = {0, 1};
  Submission again;
  again.array_job = "20";
  again.report_job = "21";
  again.tasks = {1};
  m.submissions = {first, again};
  write_manifest(m);
  SweepManifest back = read_manifest(tmp.path);
  REQUIRE(back.name == "toy");
  REQUIRE(back.max_parallel == 3);
  REQUIRE(back.runs.size() == 2);
  REQUIRE(back.runs[1].label == m.runs[1].label);
  REQUIRE(back.runs[1].run_dir == m.runs[1].run_dir);
  REQUIRE(back.latest_submission(0)->array_job == "12");
  REQUIRE(back.latest_submission(1)->array_job == "20");
  REQUIRE(task_log(back, "20", 1) == fs::path(tmp.path).lexically_normal().string() + "/logs/20_1.out");
  REQUIRE_THROWS_WITH(read_manifest(tmp.path + "/nothing"), Catch::Contains("is not a sweep directory"));
}

TEST_CASE("planned run directories are created empty and claimed once", "[launch][run_dir]") {
  testing::TempDir tmp;
  const std::string dir = create_run_dir(tmp.path, "toy");
  REQUIRE(claim_planned_run_dir(dir) == dir);
  write_file_atomic(join_path(dir, run_files::checkpoint), "x");
  REQUIRE_THROWS_WITH(claim_planned_run_dir(dir), Catch::Contains("sdebench run --resume"));
  REQUIRE_THROWS_WITH(claim_planned_run_dir(tmp.path + "/missing"), Catch::Contains("does not exist"));
}

TEST_CASE("SIGTERM mid-run writes a checkpoint, and the resumed run ends with the uninterrupted numbers",
          "[launch][sigterm]") {
  testing::TempDir tmp;
  // Long enough that the signal lands mid-training; only SIGTERM writes a checkpoint.
  auto spec = testing::toy_spec(tmp.path, 3, 3000);
  spec.training.set("checkpoint_every", std::int64_t{0});
  spec.training.set("eval_every", std::int64_t{0});
  RunOptions quiet;
  quiet.progress = false;
  RunResult full = run_experiment(spec, quiet);
  REQUIRE(full.status == "completed");

  install_sigterm_checkpoint();
  clear_stop_request();
  RunOptions options = quiet;
  options.run_dir = create_run_dir(tmp.path, "planned");
  RunResult part;
  std::thread training([&] { part = run_experiment(spec, options); });
  // The summary appears when training starts; the signal goes to the whole process.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(join_path(options.run_dir, run_files::summary)) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::raise(SIGTERM);
  training.join();
  REQUIRE(stop_requested());
  clear_stop_request();
  REQUIRE(part.status == "terminated");
  REQUIRE(part.run_dir == options.run_dir);
  REQUIRE(part.iterations < 3000);
  REQUIRE(fs::exists(join_path(part.run_dir, run_files::checkpoint)));
  REQUIRE(string_or(read_json_file(join_path(part.run_dir, run_files::summary)), "status", "") ==
          "terminated");

  RunOptions resume = quiet;
  resume.resume_dir = part.run_dir;
  RunResult resumed = run_experiment(load_run_spec(part.run_dir), resume);
  REQUIRE(resumed.status == "completed");
  REQUIRE(resumed.iterations == 3000);
  REQUIRE(resumed.final_metrics == full.final_metrics);  // exact double equality
  // Every metrics row but the clock columns (time_s, step_s).
  const CsvTable a = read_csv(join_path(full.run_dir, run_files::metrics));
  const CsvTable b = read_csv(join_path(resumed.run_dir, run_files::metrics));
  REQUIRE(a.header == b.header);
  REQUIRE(a.rows.size() == b.rows.size());
  for (size_t r = 0; r < a.rows.size(); ++r)
    for (size_t c = 0; c < a.header.size(); ++c)
      if (a.header[c] != "time_s" && a.header[c] != "step_s") REQUIRE(a.rows[r][c] == b.rows[r][c]);
}
