#pragma once
// The benchmark regression gate: a fresh Google Benchmark run against a committed baseline.
//  - Time is compared as calibrated ratios, so a uniformly slower or faster machine cancels out:
//    each repetition's time over the net-step calibration measured inside that very repetition
//    (counter calibration_ms, bench/calibration.h) when the benchmark and its baseline both
//    record it, else over the median time of the calibration GEMM in the same file. The in-situ
//    calibration moves with the host's slow phases, which leave the GEMM unchanged but make the
//    steps up to 2.3x slower for minutes (issue 17): against the GEMM such a phase reads as a
//    regression of every step.
//    A benchmark regresses when the two-sided Mann-Whitney U test on the ratios is significant
//    (p < alpha) AND the median ratio grew by more than `time_tolerance` (1.5x by default): the
//    test alone would flag tiny but consistent shifts, the threshold alone would flake on noise.
//    With too few repetitions for the test to ever reach alpha, the threshold alone decides.
//  - Memory counters (*bytes) are deterministic; they regress when they grow by more than
//    `memory_tolerance` (relative) plus `memory_slack_bytes`.
//  - A baseline benchmark missing from the fresh run fails the gate (a deleted or renamed
//    benchmark must be deleted from the baseline too), except those outside `filter`, the
//    regex the fresh run was restricted to. A benchmark only in the fresh run is listed.
//  - The calibrations themselves are not judged; the output states the phase: each one's median
//    time against the baseline's. A GEMM change of more than `calibration_warning` (relative)
//    is flagged: the machine differs from the baseline's, and ratios may not carry over.
#include <string>
#include <vector>

#include "harness/bench/bench_json.h"

namespace sdebench {

struct GateOptions {
  std::string calibration = "calibration/gemm256";
  double alpha = 0.05;
  double time_tolerance = 0.5;      // regression when fresh / base median ratio > 1 + this
  double memory_tolerance = 0.05;   // regression when fresh > base * (1 + this) + slack
  double memory_slack_bytes = 4096;
  std::string filter;               // ECMAScript regex; empty: every baseline benchmark is expected
  double calibration_warning = 0.3;
};

struct GateRow {
  std::string name;
  int base_reps = 0, fresh_reps = 0;
  double base_ratio = 0.0, fresh_ratio = 0.0;  // median calibrated ratios
  double time_change = 1.0;                    // fresh / base
  double p_value = 1.0;
  bool test_usable = true;  // false when the sample sizes cannot reach alpha
  bool in_situ = false;     // judged against its in-situ calibration (else the GEMM)
  bool time_regression = false, memory_regression = false;
  std::vector<std::string> reasons;  // why it failed (empty when it passed)
};

struct GateResult {
  std::vector<GateRow> rows;
  std::vector<std::string> missing;  // in the baseline (and the filter), not in the fresh run: fail
  std::vector<std::string> added;    // in the fresh run, not in the baseline (not judged)
  double calibration_change = 1.0;   // fresh / baseline median time of the calibration GEMM
  // Median over the in-situ calibrated benchmarks of fresh / baseline median calibration_ms
  // (NaN when none): how much slower this run's phase is than the baseline's.
  double in_situ_change = 0.0;
  int in_situ_benchmarks = 0;
  std::string calibration_note;      // set when it moved by more than calibration_warning
  bool passed() const;
  std::string table() const;   // one line per benchmark, plus the verdict
  std::string reasons() const;  // one line per failure
};

GateResult compare_benchmarks(const BenchFile& baseline, const BenchFile& fresh,
                              const GateOptions& options = {});

}  // namespace sdebench
