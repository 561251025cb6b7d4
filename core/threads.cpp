#include "core/threads.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <malloc.h>

#include <thread>

namespace sdebench {

namespace {
// OpenBLAS exposes these; looked up at run time so any BLAS library links.
using SetThreads = void (*)(int);
using GetThreads = int (*)();

int blas_threads() {
  auto get = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return get ? get() : -1;
}
}  // namespace

int hardware_cores() {
  unsigned n = std::thread::hardware_concurrency();
  return n ? static_cast<int>(n) : 1;
}

namespace {
// Training steps free and re-allocate the same large activation buffers every iteration.
// glibc serves blocks above its mmap threshold with fresh mmaps, so every step page-faults
// them in again; keeping such blocks in the heap measured 93-100 ms instead of 114-120 ms per
// SDE Matching step (batch 1024; bench_sde_matching, OPENBLAS_NUM_THREADS=1). Tensor-byte
// accounting is unaffected; the process keeps up to one step's peak as free heap.
void keep_large_blocks_in_heap() {
  static bool done = false;
  if (done) return;
  done = true;
  if (mallopt(M_MMAP_THRESHOLD, 1 << 30) == 0) mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}
}  // namespace

ThreadSettings configure_threads(int torch_threads) {
  keep_large_blocks_in_heap();
  if (torch_threads <= 0) torch_threads = hardware_cores();
  at::set_num_threads(torch_threads);
  if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
    set(1);
  return current_threads();
}

ThreadSettings current_threads() {
  ThreadSettings s;
  s.torch_threads = at::get_num_threads();
  s.blas_threads = blas_threads();
  return s;
}

}  // namespace sdebench
