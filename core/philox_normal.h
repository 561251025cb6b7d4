#pragma once
// Counter-based standard normals: the randomness of the Brownian tree (core/brownian.h).
//
// Philox4x32-10 (the generator of curand and of LibTorch's CUDA side; at::Philox4_32 is its
// LibTorch implementation) maps a 128-bit counter under a 64-bit key to four random words. The
// counter here is (block, part, stream): block counts up within a tensor, `part` tells apart
// tensors drawn for the same stream (the Brownian tree's W and Levy area H), `stream` is the
// tree node. So every value is a pure function of (key, stream, part, position): there is no
// generator state to create, seed or keep in order. Words become uniforms (24 bits for float,
// 53 for double) and pairs of uniforms become normals by Box-Muller. Float, the training dtype,
// runs 16 counter blocks and then 8 Box-Muller pairs at a time in vector code (AVX2 where the
// CPU has it; core/nn/fast_math.h); double goes through at::Philox4_32 and libm.
#include <torch/types.h>

#include <cstdint>

namespace sdebench {

struct PhiloxStream {
  std::uint64_t key = 0;
  std::uint64_t stream = 0;
  std::uint32_t part = 0;
};

// Fills the contiguous float32 or float64 tensor `out` with standard normals: words from
// blocks 0, 1, ... of the counter (block, part, stream) in at::Philox4_32's order; normal pair
// p from words (2p, 2p + 1) for float (u1 = (w >> 8 + 1) / 2^24 in (0, 1], angle 2 pi (w >> 8) /
// 2^24; normals r cos, r sin) and from words (4p .. 4p + 3) for double. An odd count keeps the
// first normal of the last pair.
void philox_standard_normal(const PhiloxStream& stream, torch::Tensor& out);

}  // namespace sdebench
