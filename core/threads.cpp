#include "core/threads.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

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

ThreadSettings configure_threads(int torch_threads) {
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
