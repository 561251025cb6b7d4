// run_in_blocks: the batch-row parallelism of fast_gru.
//
// Why not at::parallel_for: written when this project was not yet compiled with -fopenmp,
// where at::parallel_for (an OpenMP template in the header) ran serially in our translation
// units. It now compiles with OpenMP (top CMakeLists.txt); the GRU keeps its blocks on
// LibTorch's inter-op pool (at::launch), as measured and tested then. A block a pool thread has not
// started yet is run by the caller itself (each block is claimed once through an atomic
// flag), so a busy or exhausted pool can delay but never deadlock the caller.
#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <vector>

#include "core/nn/gru_kernels.h"

namespace sdebench::gru_detail {

void run_in_blocks(std::int64_t n, std::int64_t min_block,
                   const std::function<void(std::int64_t, std::int64_t)>& f) {
  if (n <= 0) return;
  const std::int64_t by_size = n / std::max<std::int64_t>(1, min_block);
  const std::int64_t blocks =
      std::min<std::int64_t>(std::max(1, at::get_num_threads()), std::max<std::int64_t>(1, by_size));
  if (blocks <= 1 || at::in_parallel_region()) {
    f(0, n);
    return;
  }
  const std::int64_t chunk = (n + blocks - 1) / blocks;

  struct Shared {
    explicit Shared(std::int64_t k) : claimed(k) {
      for (auto& c : claimed) c.store(false);
    }
    std::vector<std::atomic<bool>> claimed;
    std::mutex mutex;
    std::condition_variable cv;
    std::int64_t finished = 0;
    std::exception_ptr error;
  };
  // Pool tasks that start after the caller has returned only touch `shared` (their block
  // is already claimed), so it is reference-counted; `f` is used only by claimed blocks.
  auto shared = std::make_shared<Shared>(blocks);
  auto run_block = [shared, &f, n, chunk](std::int64_t k) {
    if (shared->claimed[k].exchange(true)) return;
    std::exception_ptr error;
    try {
      const std::int64_t begin = k * chunk, end = std::min(n, (k + 1) * chunk);
      if (begin < end) f(begin, end);
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(shared->mutex);
    if (error && !shared->error) shared->error = error;
    ++shared->finished;
    shared->cv.notify_all();
  };
  for (std::int64_t k = 1; k < blocks; ++k) at::launch([run_block, k] { run_block(k); });
  for (std::int64_t k = 0; k < blocks; ++k) run_block(k);
  std::unique_lock<std::mutex> lock(shared->mutex);
  shared->cv.wait(lock, [&] { return shared->finished == blocks; });
  if (shared->error) std::rethrow_exception(shared->error);
}

}  // namespace sdebench::gru_detail
