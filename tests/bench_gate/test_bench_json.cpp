// Reading Google Benchmark JSON, names, calibrated ratios and the log-log slopes.
#include <catch2/catch.hpp>

#include <cmath>

#include "harness/bench/bench_json.h"
#include "harness/bench/scaling.h"

using namespace sdebench;

namespace {
const char* kJson = R"({
  "context": {"date": "x"},
  "benchmarks": [
    {"name": "calibration/gemm256/min_time:0.100/real_time", "run_name": "calibration/gemm256/min_time:0.100/real_time",
     "run_type": "iteration", "repetitions": 2, "repetition_index": 0, "iterations": 10,
     "real_time": 300.0, "cpu_time": 300.0, "time_unit": "us", "flops_per_s": 1e11},
    {"name": "steps/m/40/real_time", "run_name": "steps/m/40/real_time", "run_type": "iteration",
     "repetition_index": 0, "iterations": 1, "real_time": 3.0, "cpu_time": 3.0, "time_unit": "ms",
     "peak_bytes": 1000, "step_extra_bytes": 500, "x": 40},
    {"name": "calibration/gemm256/min_time:0.100/real_time", "run_name": "calibration/gemm256/min_time:0.100/real_time",
     "run_type": "iteration", "repetition_index": 1, "iterations": 10,
     "real_time": 500000.0, "cpu_time": 500000.0, "time_unit": "ns"},
    {"name": "steps/m/40/real_time", "run_name": "steps/m/40/real_time", "run_type": "iteration",
     "repetition_index": 1, "iterations": 1, "real_time": 0.005, "cpu_time": 0.005, "time_unit": "s",
     "peak_bytes": 1200, "step_extra_bytes": 500, "x": 40},
    {"name": "steps/m/40/real_time_median", "run_name": "steps/m/40/real_time", "run_type": "aggregate",
     "aggregate_name": "median", "real_time": 99.0, "time_unit": "ms"}
  ]})";
}  // namespace

TEST_CASE("benchmark JSON: repetitions, units, aggregates skipped, names cleaned") {
  auto f = parse_benchmark_json(kJson);
  REQUIRE(f.entries.size() == 2);
  CHECK(f.order == std::vector<std::string>{"calibration/gemm256", "steps/m/40"});
  const auto& cal = f.entries.at("calibration/gemm256");
  REQUIRE(cal.times_ms.size() == 2);
  CHECK(cal.times_ms[0] == Approx(0.3));
  CHECK(cal.times_ms[1] == Approx(0.5));
  const auto& m = f.entries.at("steps/m/40");
  REQUIRE(m.times_ms.size() == 2);  // the aggregate (99 ms) is not a repetition
  CHECK(m.times_ms[1] == Approx(5.0));
  CHECK(m.counters.at("peak_bytes") == 1200);  // byte counters: max over repetitions
  // Ratios to the calibration median (0.4 ms).
  auto r = calibrated_ratios(f, "steps/m/40", "calibration/gemm256");
  CHECK(r[0] == Approx(7.5));
  CHECK(r[1] == Approx(12.5));
  CHECK_THROWS_WITH(calibrated_ratios(f, "steps/m/40", "nope"), Catch::Contains("nope"));
}

TEST_CASE("benchmark JSON: malformed input names the source") {
  CHECK_THROWS_WITH(parse_benchmark_json("{", "f.json"), Catch::Contains("f.json"));
  CHECK_THROWS_WITH(parse_benchmark_json("{\"a\": 1}", "g.json"), Catch::Contains("benchmarks"));
}

TEST_CASE("benchmark names split into family, variant, x") {
  BenchName n;
  REQUIRE(split_bench_name("steps/latent_sde_adjoint/4000", n));
  CHECK(n.family == "steps");
  CHECK(n.variant == "latent_sde_adjoint");
  CHECK(n.x == 4000);
  CHECK_FALSE(split_bench_name("calibration/gemm256", n));
  CHECK(clean_bench_name("a/b/40/min_time:0.100/repeats:3/real_time") == "a/b/40");
}

TEST_CASE("log-log slope recovers power laws") {
  std::vector<double> x{40, 400, 4000}, lin, flat, sq;
  for (double v : x) lin.push_back(3 * v + 0.0), flat.push_back(7.0), sq.push_back(2 * std::sqrt(v));
  CHECK(log_log_slope(x, lin) == Approx(1.0));
  CHECK(log_log_slope(x, flat) == Approx(0.0).margin(1e-12));
  CHECK(log_log_slope(x, sq) == Approx(0.5));
  CHECK(std::isnan(log_log_slope({1}, {1})));
}
