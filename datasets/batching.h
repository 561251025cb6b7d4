#pragma once
// Random mini-batches of sequences from a split, for the harness's training loop. Returns a
// plain struct (datasets/ does not depend on methods/; the harness wraps it into a Batch).
#include <torch/types.h>

#include <cstdint>

#include "datasets/dataset.h"

namespace sdebench {

struct SequenceBatch {
  torch::Tensor values;   // [B, T, D] in the requested dtype
  torch::Tensor mask;     // [B, T, D] in the requested dtype
  torch::Tensor indices;  // [B] int64: rows of the split that were drawn
};

// Draws `batch_size` sequences without replacement when batch_size <= split size, else with
// replacement. Throws std::invalid_argument for an empty split or batch_size < 1.
SequenceBatch sample_sequences(const TimeSeriesSplit& split, std::int64_t batch_size,
                               at::Generator& generator,
                               torch::ScalarType dtype = torch::kFloat32);
SequenceBatch sample_sequences(const TimeSeriesSplit& split, std::int64_t batch_size,
                               std::uint64_t seed, torch::ScalarType dtype = torch::kFloat32);

}  // namespace sdebench
