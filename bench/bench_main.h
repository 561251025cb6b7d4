#pragma once
// The main() shared by the method benchmarks: threads set and recorded in the output's context,
// the counting allocator installed (so peak tensor bytes can be reported as counters).
#include <benchmark/benchmark.h>

#include <string>

#include "core/threads.h"
#include "harness/memory.h"

namespace sdebench {

inline int run_benchmarks(int argc, char** argv) {
  const auto threads = configure_threads(0);
  benchmark::AddCustomContext("torch_threads", std::to_string(threads.torch_threads));
  benchmark::AddCustomContext("blas_threads", std::to_string(threads.blas_threads));
  install_counting_allocator();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace sdebench
