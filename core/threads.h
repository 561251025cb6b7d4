#pragma once
// The one place where thread counts are set. LibTorch's intra-op pool gets `torch_threads`
// (0 = all cores) and OpenBLAS is held to one thread: measured on the 2-core machines, its
// own threads fight LibTorch's (GRU fwd+bwd 0.60 s with both at 2, 0.29 s with BLAS at 1).
// No torch include here.
namespace sdebench {

struct ThreadSettings {
  int torch_threads = 1;
  int blas_threads = 1;  // -1 when the BLAS library does not expose a thread setting
};

ThreadSettings configure_threads(int torch_threads = 0);
ThreadSettings current_threads();
int hardware_cores();

}  // namespace sdebench
