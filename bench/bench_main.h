#pragma once
// The main() shared by the method benchmarks: threads set and recorded in the output's context,
// the heap policy of a run (core/heap.h),
// the counting allocator installed (so peak tensor bytes can be reported as counters), and the
// calibration GEMM registered beside the program's own benchmarks (times in GEMM units).
#include <benchmark/benchmark.h>

#include <string>

#include "bench/calibration.h"
#include "core/heap.h"
#include "core/threads.h"
#include "harness/memory.h"

namespace sdebench {

inline int run_benchmarks(int argc, char** argv) {
  const auto threads = configure_threads(0);
  configure_heap();  // as a run does (core/heap.h)
  benchmark::AddCustomContext("torch_threads", std::to_string(threads.torch_threads));
  benchmark::AddCustomContext("blas_threads", std::to_string(threads.blas_threads));
  install_counting_allocator();
  register_gemm_calibration();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace sdebench
