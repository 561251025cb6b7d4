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

// Training windows (training.window_length): each row of `batch` replaced by `length`
// consecutive observations from its own random start (drawn from the default generator), on
// the grid's first `length` times. Re-timing every window to the grid's start is exact on an
// evenly spaced grid, which is the only kind accepted: a model with absolute time sees each
// window as a sequence that starts where forecasts start. More distinct training examples for
// an encoder of the first frames (16 MOCAP sequences give it 16 inputs; windows give it every
// phase of the gait).
Batch random_windows(const Batch& batch, std::int64_t length);
// Throws std::invalid_argument naming training.window_length unless windows of `length` fit
// the shared grid `times` (1 < length < T, evenly spaced).
void require_windows_fit(const torch::Tensor& times, std::int64_t length);

}  // namespace sdebench
