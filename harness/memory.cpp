#include "harness/memory.h"

#include <c10/core/CPUAllocator.h>
#include <sys/resource.h>

#include <atomic>

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

void counted_delete(void* ctx) {
  auto* a = static_cast<Allocation*>(ctx);
  g_current.fetch_sub(a->bytes, std::memory_order_relaxed);
  if (a->deleter) a->deleter(a->context);
  delete a;
}

class CountingAllocator final : public c10::Allocator {
 public:
  explicit CountingAllocator(c10::Allocator* inner) : inner_(inner) {}

  c10::DataPtr allocate(size_t bytes) const override {
    c10::DataPtr inner = inner_->allocate(bytes);
    const auto n = static_cast<std::int64_t>(bytes);
    auto now = g_current.fetch_add(n, std::memory_order_relaxed) + n;
    auto peak = g_peak.load(std::memory_order_relaxed);
    while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
    }
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    void* data = inner.get();
    auto* record = new Allocation{inner.get_context(), inner.get_deleter(), n};
    // Take ownership away from the inner DataPtr: our deleter frees through its deleter.
    inner.release_context();
    return c10::DataPtr(data, record, &counted_delete, inner.device());
  }

  c10::DeleterFnPtr raw_deleter() const override { return nullptr; }

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
