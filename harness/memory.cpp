#include "harness/memory.h"

#include <c10/core/CPUAllocator.h>
#include <sys/resource.h>

#include <atomic>
#include <mutex>
#include <unordered_map>

namespace sdebench {

namespace {

std::atomic<std::int64_t> g_current{0};
std::atomic<std::int64_t> g_peak{0};
std::atomic<std::int64_t> g_allocations{0};

struct Allocation {
  void* context;
  c10::DeleterFnPtr deleter;
  std::int64_t bytes;
};

// Live allocations by data pointer. The DataPtr we hand out has context == data (as the
// default CPU allocator's do) because c10::Allocator::raw_allocate, used by e.g. MKL-DNN
// convolutions, asserts exactly that; the inner context and deleter are found here instead.
// Leaked on purpose: tensors may be freed during static destruction.
std::mutex& live_mutex() {
  static auto* m = new std::mutex;
  return *m;
}
std::unordered_map<void*, Allocation>& live_allocations() {
  static auto* live = new std::unordered_map<void*, Allocation>;
  return *live;
}

void counted_delete(void* data) {
  Allocation a{nullptr, nullptr, 0};
  {
    std::lock_guard<std::mutex> lock(live_mutex());
    auto it = live_allocations().find(data);
    if (it == live_allocations().end()) return;
    a = it->second;
    live_allocations().erase(it);
  }
  g_current.fetch_sub(a.bytes, std::memory_order_relaxed);
  if (a.deleter) a.deleter(a.context);
}

class CountingAllocator final : public c10::Allocator {
 public:
  explicit CountingAllocator(c10::Allocator* inner) : inner_(inner) {}

  c10::DataPtr allocate(size_t bytes) const override {
    c10::DataPtr inner = inner_->allocate(bytes);
    void* data = inner.get();
    if (data == nullptr) return inner;  // zero-byte allocation: nothing to count
    const auto n = static_cast<std::int64_t>(bytes);
    auto now = g_current.fetch_add(n, std::memory_order_relaxed) + n;
    auto peak = g_peak.load(std::memory_order_relaxed);
    while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
    }
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(live_mutex());
      live_allocations()[data] = Allocation{inner.get_context(), inner.get_deleter(), n};
    }
    // Take ownership away from the inner DataPtr: our deleter frees through its deleter.
    inner.release_context();
    return c10::DataPtr(data, data, &counted_delete, inner.device());
  }

  c10::DeleterFnPtr raw_deleter() const override { return &counted_delete; }

 private:
  c10::Allocator* inner_;
};

std::atomic<bool> g_installed{false};

}  // namespace

void install_counting_allocator() {
  if (g_installed.exchange(true)) return;
  static CountingAllocator allocator(c10::GetCPUAllocator());
  // Priority above the default (0) so LibTorch keeps ours.
  c10::SetCPUAllocator(&allocator, /*priority=*/100);
}

bool counting_allocator_installed() { return g_installed.load(); }

MemoryCounters memory_counters() {
  return {g_current.load(), g_peak.load(), g_allocations.load()};
}

void reset_peak_memory() {
  g_peak.store(g_current.load());
  g_allocations.store(0);
}

std::int64_t peak_rss_bytes() {
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return -1;
  return static_cast<std::int64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

}  // namespace sdebench
