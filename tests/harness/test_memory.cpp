#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "harness/memory.h"

using namespace sdebench;

TEST_CASE("counting allocator reports exact live and peak tensor bytes", "[memory]") {
  install_counting_allocator();
  reset_peak_memory();
  const auto base = memory_counters().current_bytes;
  {
    auto a = torch::empty({1000, 1000}, torch::kFloat32);
    auto b = torch::empty({1000, 1000}, torch::kFloat32);
    REQUIRE(memory_counters().current_bytes - base == 8'000'000);
  }
  REQUIRE(memory_counters().current_bytes == base);
  REQUIRE(memory_counters().peak_bytes - base == 8'000'000);
  reset_peak_memory();
  { auto c = torch::empty({250, 1000}, torch::kFloat64); }
  REQUIRE(memory_counters().peak_bytes - base == 2'000'000);
  REQUIRE(memory_counters().allocations == 1);
}
