// The counting allocator must also serve raw allocations (c10::Allocator::raw_allocate, used by
// MKL-DNN convolutions), which require a DataPtr whose context is its data pointer.
#include <c10/core/CPUAllocator.h>
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "harness/memory.h"

using namespace sdebench;

TEST_CASE("raw allocations through the counting allocator are counted and freed", "[memory]") {
  install_counting_allocator();
  const auto base = memory_counters().current_bytes;
  c10::Allocator* allocator = c10::GetCPUAllocator();
  void* p = allocator->raw_allocate(1000);
  REQUIRE(p != nullptr);
  REQUIRE(memory_counters().current_bytes - base == 1000);
  allocator->raw_deallocate(p);
  REQUIRE(memory_counters().current_bytes == base);
}

TEST_CASE("convolutions run with the counting allocator installed", "[memory]") {
  install_counting_allocator();
  torch::manual_seed(0);
  const auto base = memory_counters().current_bytes;
  {
    auto x = torch::randn({4, 8, 64});
    auto w = torch::randn({16, 8, 5}, torch::requires_grad());
    auto y = torch::conv1d(x, w, {}, 1, 2);
    y.sum().backward();
    REQUIRE(y.sizes() == torch::IntArrayRef({4, 16, 64}));
    // Same result as an explicit unfold-and-matmul convolution.
    auto xp = torch::constant_pad_nd(x, {2, 2});
    auto patches = xp.unfold(2, 5, 1);  // [4, 8, 64, 5]
    auto ref = torch::einsum("bctk,ock->bot", {patches, w.detach()});
    REQUIRE(torch::allclose(y.detach(), ref, 1e-4, 1e-4));
  }
  REQUIRE(memory_counters().current_bytes == base);
}
