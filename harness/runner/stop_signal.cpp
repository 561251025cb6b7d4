#include "harness/runner/stop_signal.h"

#include <atomic>
#include <csignal>

namespace sdebench {

namespace {
// Lock-free, so reading and writing it from a signal handler is well defined.
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the stop flag must be lock-free");

extern "C" void on_sigterm(int) { g_stop.store(true, std::memory_order_relaxed); }
}  // namespace

void install_sigterm_checkpoint() {
  struct sigaction action {};
  action.sa_handler = on_sigterm;
  sigemptyset(&action.sa_mask);
  // SA_RESTART: a write or read in progress when the signal lands continues instead of failing.
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);
}

bool stop_requested() { return g_stop.load(std::memory_order_relaxed); }
void request_stop() { g_stop.store(true, std::memory_order_relaxed); }
void clear_stop_request() { g_stop.store(false, std::memory_order_relaxed); }

}  // namespace sdebench
