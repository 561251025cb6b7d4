// The benchmark gate end to end: the real `sdebench bench-check` program on real benchmark
// output (the committed short-form baseline, results/benchmarks/baseline_ci.json, as the fresh
// run) against baselines doctored from it. A gate that passes these would pass real regressions.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <functional>

#include "harness/results/atomic_write.h"
#include "harness/results/json.h"
#include "../harness/temp_dir.h"

using namespace sdebench;

namespace {

const std::string kRealRun = std::string(SDEBENCH_SOURCE_DIR) + "/results/benchmarks/baseline_ci.json";

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// The real run with `change` applied to every benchmark entry (a JSON object) of it.
std::string doctored(const testing::TempDir& tmp, const std::string& file,
                     const std::function<void(Json&)>& change,
                     const std::function<void(Json&)>& append = nullptr) {
  Json doc = Json::parse(read_text_file(kRealRun));
  Json entries = Json::array();
  for (Json entry : doc["benchmarks"]) {
    change(entry);
    entries.push_back(entry);
  }
  if (append) append(entries);
  doc["benchmarks"] = entries;
  const std::string path = tmp.path + "/" + file;
  write_file_atomic(path, to_file_text(doc));
  return path;
}

// Exit status and output of `sdebench bench-check --fresh <real run> --baseline <baseline>`.
int bench_check(const testing::TempDir& tmp, const std::string& baseline, std::string& output) {
  const std::string out = tmp.path + "/out.txt";
  const std::string command = std::string(SDEBENCH_PROGRAM) + " bench-check --fresh " + kRealRun +
                              " --baseline " + baseline + " > " + out + " 2>&1";
  const int status = std::system(command.c_str());
  output = read_text_file(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const std::string kStep = "steps/sde_matching/40/";

}  // namespace

TEST_CASE("bench-check passes the run against itself and fails a baseline doctored 2x faster",
          "[bench_check]") {
  testing::TempDir tmp;
  std::string output;
  CHECK(bench_check(tmp, doctored(tmp, "same.json", [](Json&) {}), output) == 0);
  CHECK_THAT(output, Catch::Contains("bench-check: PASS"));

  const auto faster = doctored(tmp, "faster.json", [](Json& e) {
    if (starts_with(e["name"].get<std::string>(), kStep)) e["real_time"] = e["real_time"].get<double>() / 2;
  });
  INFO(output);
  CHECK(bench_check(tmp, faster, output) == 1);
  CHECK_THAT(output, Catch::Contains("steps/sde_matching/40: time:"));
  CHECK_THAT(output, Catch::Contains("REGRESSION"));
}

TEST_CASE("bench-check fails a baseline with 10% less memory and one with a benchmark not run",
          "[bench_check]") {
  testing::TempDir tmp;
  std::string output;
  const auto leaner = doctored(tmp, "leaner.json", [](Json& e) {
    if (starts_with(e["name"].get<std::string>(), kStep) && e.contains("peak_bytes"))
      e["peak_bytes"] = e["peak_bytes"].get<double>() * 0.9;
  });
  CHECK(bench_check(tmp, leaner, output) == 1);
  CHECK_THAT(output, Catch::Contains("steps/sde_matching/40: memory: peak_bytes"));

  const auto retired = doctored(
      tmp, "retired.json", [](Json&) {},
      [](Json& entries) {
        // A copy of the first repetition entry (the file ends with aggregates, which the gate
        // skips) under a name this run does not have.
        Json extra = entries.front();
        extra["name"] = "steps/retired_method/40/min_time:0.100/real_time";
        extra["run_name"] = "steps/retired_method/40/min_time:0.100/real_time";
        entries.push_back(extra);
      });
  CHECK(bench_check(tmp, retired, output) == 1);
  CHECK_THAT(output, Catch::Contains("steps/retired_method/40: in the baseline but not run"));
}

TEST_CASE("bench-check reports a calibration GEMM that moved by more than 30%, and still "
          "compares the calibrated ratios", "[bench_check]") {
  testing::TempDir tmp;
  std::string output;
  // The whole baseline machine 1.5x slower: every ratio is unchanged, the GEMM moved by 33%.
  const auto slower_machine = doctored(tmp, "slower_machine.json", [](Json& e) {
    if (e.contains("real_time")) e["real_time"] = e["real_time"].get<double>() * 1.5;
  });
  CHECK(bench_check(tmp, slower_machine, output) == 0);
  CHECK_THAT(output, Catch::Contains("note: calibration/gemm256 took 0.67x its baseline time"));
  // Within 30%: no note.
  const auto similar = doctored(tmp, "similar.json", [](Json& e) {
    if (e.contains("real_time")) e["real_time"] = e["real_time"].get<double>() * 1.2;
  });
  CHECK(bench_check(tmp, similar, output) == 0);
  CHECK_THAT(output, !Catch::Contains("note: calibration"));
}
