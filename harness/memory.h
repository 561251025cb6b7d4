#pragma once
// Exact tensor-memory accounting: a CPU allocator installed into LibTorch that wraps the
// default one and counts live and peak bytes of every tensor allocation. Deterministic for a
// given program and input (unlike RSS), so a benchmark can assert on it. No torch here.
#include <cstddef>
#include <cstdint>

namespace sdebench {

struct MemoryCounters {
  std::int64_t current_bytes = 0;  // live tensor bytes now
  std::int64_t peak_bytes = 0;     // maximum of current_bytes since the last reset
  std::int64_t allocations = 0;    // number of allocations since the last reset
};

// Installs the counting allocator (idempotent). Tensors allocated before installation are
// freed through their own deleter and are never counted.
void install_counting_allocator();
bool counting_allocator_installed();
MemoryCounters memory_counters();
// Starts a new phase: the peak restarts from the live bytes now, allocation count from 0.
void reset_peak_memory();

// Peak resident set size of the process in bytes (from getrusage), or -1.
std::int64_t peak_rss_bytes();

}  // namespace sdebench
