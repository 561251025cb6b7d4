#pragma once
// Runs a Google Benchmark program (bench/bench_scaling by default) with JSON output, repetitions
// and random interleaving (so slow drifts of the machine hit every benchmark alike).
#include <string>

namespace sdebench {

struct BenchProgramOptions {
  std::string program = "build/bench/bench_scaling";
  int repetitions = 5;
  std::string filter;  // --benchmark_filter regex; empty = all
};

// Writes the JSON to `json_path`; throws std::runtime_error (with the command line) when the
// program is missing or fails. Sets OPENBLAS_NUM_THREADS=1 unless the caller set it.
void run_bench_program(const BenchProgramOptions& options, const std::string& json_path);

}  // namespace sdebench
