// The regression gate on synthetic benchmark JSON: it catches an injected 2x slowdown and a 2x
// memory increase, and passes reruns that differ only by realistic noise (10-20% per
// repetition, and a whole machine up to 25% slower or faster).
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <sstream>

#include "harness/bench/gate.h"

using namespace sdebench;

namespace {

struct Synthetic {
  std::string name;
  double time_ms;
  double peak_bytes;
};

const std::vector<Synthetic> kTruth = {{"calibration/gemm256", 0.32, 0},
                                       {"steps/sde_matching/40", 1.7, 1148860},
                                       {"steps/latent_sde_adjoint/400", 398, 1286500},
                                       {"steps/latent_sde_backprop/400", 192, 14647400},
                                       {"obs/diffusion/40", 8.0, 8949070}};

// Google Benchmark JSON with `reps` repetitions of each benchmark; times get a log-normal
// per-repetition noise of relative size `noise` and a common machine `speed` factor. The
// calibration GEMM gets a third of that noise (at least 3%): each of its repetitions averages
// hundreds of iterations (430 at 0.32 ms in bench_scaling's 0.1 s), while a step benchmark
// repetition is often one iteration.
std::string synthetic_json(std::uint32_t seed, int reps, double noise, double speed,
                           const std::string& slow = "", double slow_factor = 1.0,
                           const std::string& fat = "", double fat_factor = 1.0) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, noise);
  std::ostringstream out;
  out.precision(12);
  out << "{\"context\": {}, \"benchmarks\": [";
  bool first = true;
  for (int r = 0; r < reps; ++r)
    for (const auto& b : kTruth) {
      const bool calibration = b.name == "calibration/gemm256";
      const double z = normal(rng) * (calibration ? std::max(1.0 / 3.0, 0.03 / noise) : 1.0);
      double t = b.time_ms * speed * std::exp(z);
      if (b.name == slow) t *= slow_factor;
      double bytes = b.peak_bytes * (b.name == fat ? fat_factor : 1.0);
      out << (first ? "" : ",") << "{\"name\": \"" << b.name << "/real_time\", \"run_name\": \""
          << b.name << "/real_time\", \"run_type\": \"iteration\", \"repetition_index\": " << r
          << ", \"iterations\": 1, \"real_time\": " << t << ", \"cpu_time\": " << t
          << ", \"time_unit\": \"ms\"";
      if (bytes > 0) out << ", \"peak_bytes\": " << bytes;
      out << "}";
      first = false;
    }
  out << "]}";
  return out.str();
}

const GateRow& row(const GateResult& r, const std::string& name) {
  for (const auto& x : r.rows)
    if (x.name == name) return x;
  FAIL("no row " << name);
  return r.rows.front();
}

}  // namespace

TEST_CASE("gate: an unchanged tree with realistic noise passes 10 of 10 reruns") {
  auto baseline = parse_benchmark_json(synthetic_json(1000, 9, 0.15, 1.0));
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> speed(0.8, 1.25);
  int passed = 0;
  for (std::uint32_t seed = 1; seed <= 10; ++seed) {
    const double noise = seed % 2 ? 0.10 : 0.20;
    auto fresh = parse_benchmark_json(synthetic_json(seed, 5, noise, speed(rng)));
    auto result = compare_benchmarks(baseline, fresh);
    INFO(result.table() << result.reasons());
    CHECK(result.rows.size() == kTruth.size());
    if (result.passed()) ++passed;
  }
  CHECK(passed == 10);
}

TEST_CASE("gate: an injected 2x slowdown of one benchmark fails, with the reason") {
  auto baseline = parse_benchmark_json(synthetic_json(1000, 9, 0.15, 1.0));
  for (std::uint32_t seed = 1; seed <= 10; ++seed) {
    // On a machine 20% slower overall, with 20% noise: still caught, and only that one.
    auto fresh = parse_benchmark_json(
        synthetic_json(seed, 5, 0.20, 1.2, "steps/latent_sde_adjoint/400", 2.0));
    auto result = compare_benchmarks(baseline, fresh);
    INFO(result.table());
    CHECK_FALSE(result.passed());
    const auto& slow = row(result, "steps/latent_sde_adjoint/400");
    CHECK(slow.time_regression);
    CHECK_FALSE(slow.memory_regression);
    CHECK(slow.p_value < 0.05);
    CHECK(slow.time_change == Approx(2.0).epsilon(0.35));
    CHECK_THAT(result.reasons(), Catch::Contains("steps/latent_sde_adjoint/400: time"));
    CHECK_FALSE(row(result, "steps/sde_matching/40").time_regression);
  }
}

TEST_CASE("gate: a 2x memory increase fails; a 3% one is within tolerance") {
  auto baseline = parse_benchmark_json(synthetic_json(1000, 9, 0.15, 1.0));
  auto fat = parse_benchmark_json(
      synthetic_json(3, 5, 0.15, 1.0, "", 1.0, "steps/latent_sde_backprop/400", 2.0));
  auto result = compare_benchmarks(baseline, fat);
  CHECK_FALSE(result.passed());
  CHECK(row(result, "steps/latent_sde_backprop/400").memory_regression);
  CHECK_FALSE(row(result, "steps/latent_sde_backprop/400").time_regression);
  CHECK_THAT(result.reasons(), Catch::Contains("peak_bytes"));

  auto slightly = parse_benchmark_json(
      synthetic_json(3, 5, 0.15, 1.0, "", 1.0, "steps/latent_sde_backprop/400", 1.03));
  CHECK(compare_benchmarks(baseline, slightly).passed());
}

TEST_CASE("gate: a consistent but small slowdown is below the threshold; a big noisy one with "
          "a non-significant test is not flagged") {
  auto baseline = parse_benchmark_json(synthetic_json(1000, 9, 0.05, 1.0));
  auto small = parse_benchmark_json(synthetic_json(5, 5, 0.05, 1.0, "obs/diffusion/40", 1.2));
  auto r = compare_benchmarks(baseline, small);
  CHECK(row(r, "obs/diffusion/40").p_value < 0.05);  // detectable ...
  CHECK(r.passed());                                  // ... but not a regression at 1.5x

  // Only one fresh repetition cannot reach p < 0.05 with 9 baseline ones (min p = 0.2): the
  // threshold alone decides, so a 2x slowdown is still caught.
  auto single = parse_benchmark_json(synthetic_json(6, 1, 0.05, 1.0, "obs/diffusion/40", 2.0));
  auto s = compare_benchmarks(baseline, single);
  CHECK_FALSE(row(s, "obs/diffusion/40").test_usable);
  CHECK(row(s, "obs/diffusion/40").time_regression);
}

TEST_CASE("gate: a baseline benchmark missing from the run fails unless the filter left it out; "
          "a new one is listed; no calibration is an error") {
  auto baseline = parse_benchmark_json(synthetic_json(1000, 3, 0.1, 1.0));
  std::string text = synthetic_json(2, 3, 0.1, 1.0);
  auto fresh = parse_benchmark_json(text);
  fresh.entries.erase("obs/diffusion/40");
  fresh.order.pop_back();
  auto r = compare_benchmarks(baseline, fresh);
  CHECK(r.missing == std::vector<std::string>{"obs/diffusion/40"});
  CHECK_FALSE(r.passed());
  CHECK_THAT(r.reasons(), Catch::Contains("obs/diffusion/40: in the baseline but not run"));
  GateOptions filtered;
  filtered.filter = "calibration|steps/";
  auto f = compare_benchmarks(baseline, fresh, filtered);
  CHECK(f.missing.empty());
  CHECK(f.passed());
  auto added = compare_benchmarks(fresh, baseline);
  CHECK(added.added == std::vector<std::string>{"obs/diffusion/40"});
  CHECK(added.passed());
  fresh.entries.erase("calibration/gemm256");
  fresh.order.erase(fresh.order.begin());
  CHECK_THROWS_WITH(compare_benchmarks(baseline, fresh), Catch::Contains("calibration"));
}

namespace {

// A run in a host phase: every step and its in-situ net-step calibration (calibration_ms) take
// `phase` times as long, the compute-bound GEMM does not (what issue 17 measured: steps 2.3x
// slower for minutes, the GEMM within 2%). Without `in_situ` the file has no calibration_ms
// (the gate then judges against the GEMM, as before the in-situ calibration existed).
std::string phase_json(std::uint32_t seed, double phase, bool in_situ, const std::string& slow = "",
                       double slow_factor = 1.0) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> step_noise(0.0, 0.10), calibration_noise(0.0, 0.03);
  std::ostringstream out;
  out.precision(12);
  out << "{\"context\": {}, \"benchmarks\": [";
  bool first = true;
  for (int r = 0; r < 5; ++r)
    for (const auto& b : kTruth) {
      const bool gemm = b.name == "calibration/gemm256";
      // The phase moves a repetition's step and its calibration together (same moment).
      const double moment = std::exp(calibration_noise(rng));
      double t = b.time_ms * moment * (gemm ? 1.0 : phase * std::exp(step_noise(rng)));
      if (b.name == slow) t *= slow_factor;
      out << (first ? "" : ",") << "{\"name\": \"" << b.name << "\", \"run_name\": \"" << b.name
          << "\", \"run_type\": \"iteration\", \"iterations\": 1, \"real_time\": " << t
          << ", \"time_unit\": \"ms\"";
      if (in_situ && !gemm) out << ", \"calibration_ms\": " << 0.21 * phase * moment;
      out << "}";
      first = false;
    }
  out << "]}";
  return out.str();
}

}  // namespace

TEST_CASE("gate: a slow host phase passes against the in-situ calibration, a slow step fails") {
  const auto baseline = parse_benchmark_json(phase_json(1, 1.0, true));
  const auto baseline_gemm_only = parse_benchmark_json(phase_json(1, 1.0, false));
  for (std::uint32_t seed = 2; seed < 7; ++seed) {
    // Against the GEMM alone, a 2.3x phase reads as a regression of every step...
    const auto phase_gemm_only =
        compare_benchmarks(baseline_gemm_only, parse_benchmark_json(phase_json(seed, 2.3, false)));
    CHECK_FALSE(phase_gemm_only.passed());
    CHECK_FALSE(row(phase_gemm_only, "steps/sde_matching/40").in_situ);
    // ...against the calibration measured in the same repetition it does not,
    const auto phase = compare_benchmarks(baseline, parse_benchmark_json(phase_json(seed, 2.3, true)));
    INFO(phase.table() << phase.reasons());
    CHECK(phase.passed());
    CHECK(row(phase, "steps/sde_matching/40").in_situ);
    CHECK(phase.in_situ_change == Approx(2.3).epsilon(0.05));
    CHECK(phase.calibration_change == Approx(1.0).epsilon(0.05));
    CHECK_THAT(phase.table(), Catch::Contains("the in-situ net step at 2."));
    // ...while a step made 2x slower fails, in the slow phase as in the fast one.
    for (double host : {1.0, 2.3}) {
      const auto slow = compare_benchmarks(
          baseline, parse_benchmark_json(phase_json(seed, host, true, "steps/latent_sde_adjoint/400", 2.0)));
      CHECK_FALSE(slow.passed());
      CHECK(row(slow, "steps/latent_sde_adjoint/400").time_regression);
      CHECK_FALSE(row(slow, "steps/sde_matching/40").time_regression);
    }
  }
}
