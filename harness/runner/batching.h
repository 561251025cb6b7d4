#pragma once
// Training batches drawn from a split with the default generator (so checkpoints that save
// the generator state replay the same batches).
#include <torch/torch.h>

#include "datasets/dataset.h"
#include "methods/method.h"

namespace sdebench {

// Sequences `index` of `split` converted to `dtype` on `device`. A split with per-sequence
// times gives a batch with its own times [B, T] and lengths, T the batch's longest sequence.
Batch make_batch(const TimeSeriesSplit& split, const torch::Tensor& times, const torch::Tensor& index,
                 torch::ScalarType dtype, torch::Device device);
// The first min(n, size) sequences.
Batch leading_batch(const TimeSeriesSplit& split, const torch::Tensor& times, std::int64_t n,
                    torch::ScalarType dtype, torch::Device device);
// `batch_size` sequences without replacement (the whole split when batch_size >= size).
Batch sample_batch(const TimeSeriesSplit& split, const torch::Tensor& times, std::int64_t batch_size,
                   torch::ScalarType dtype, torch::Device device);

}  // namespace sdebench
