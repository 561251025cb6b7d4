#pragma once
// Batched products of small matrices, out[b] = a[b] @ op(m[b]) with op = identity or transpose,
// as one multithreaded loop over the batch. Why: the time attention contracts [B, Q, T]
// weights with [B, T, H] GRU states for a handful of query times Q. In an early profile of the
// training step torch::bmm took ~13 ms per call there (B = 1024, Q = 3, T = 41, H = 100; the
// GRU states were then a non-contiguous view); on contiguous inputs bmm and this loop are on
// par (bench_sde_matching BM_AttentionContraction), and the whole step measured 116 ms with
// this op against 125 ms with bmm. Differentiable to any order: the backward is the same op,
// and it never transposes the large operand.
#include <torch/types.h>

namespace sdebench {

// a: [B, M, K]; m: [B, K, N] (or [B, N, K] with transpose_m). Float32 or float64.
torch::Tensor small_batched_matmul(const torch::Tensor& a, const torch::Tensor& m,
                                   bool transpose_m = false);

}  // namespace sdebench
