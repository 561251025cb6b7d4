#pragma once
// Test batches whose sequences each have their own observation times (issue 19), shared by the
// methods' per-sequence tests.
#include <torch/torch.h>

#include "methods/method.h"

namespace sdebench::testing {

// Three sequences of 5, 3 and 4 observations at their own (irregular) times, padded to 5: row b
// starts at 0.1 b and its gaps are 0.05 + U(0, 1). One value inside row 0 is missing.
inline Batch padded_batch(std::int64_t D, std::uint64_t seed = 11) {
  torch::manual_seed(seed);
  const std::int64_t B = 3, T = 5;
  auto lengths = torch::tensor({5, 3, 4}, torch::kLong);
  auto times = torch::zeros({B, T}, torch::kFloat64);
  auto values = torch::randn({B, T, D}, torch::kFloat64);
  auto mask = torch::ones({B, T, D}, torch::kFloat64);
  mask[0][2][D - 1] = 0;  // a missing value inside a sequence
  for (std::int64_t b = 0; b < B; ++b) {
    const auto n = lengths[b].item<std::int64_t>();
    auto own = torch::cumsum(0.05 + torch::rand({n}, torch::kFloat64), 0) + 0.1 * b;
    times[b].narrow(0, 0, n).copy_(own);
    times[b].narrow(0, n, T - n).fill_(own[-1].item<double>());  // padding repeats the last time
    values[b].narrow(0, n, T - n).zero_();
    mask[b].narrow(0, n, T - n).zero_();
  }
  values = values * mask;
  return {times, values, mask, lengths};
}

// Sequence b of `batch` alone, without its padding.
inline Batch row(const Batch& batch, std::int64_t b) {
  const auto n = batch.lengths[b].item<std::int64_t>();
  return {batch.times.narrow(0, b, 1).narrow(1, 0, n), batch.values.narrow(0, b, 1).narrow(1, 0, n),
          batch.mask.narrow(0, b, 1).narrow(1, 0, n), batch.lengths.narrow(0, b, 1)};
}

// The same batch with different values in its padding slots (their mask stays 0).
inline Batch with_other_padding(const Batch& batch) {
  Batch out = batch;
  const auto T = batch.values.size(1);
  auto slot = torch::arange(T, torch::kLong).view({1, T, 1});
  auto padding = slot >= batch.lengths.view({-1, 1, 1});
  out.values = torch::where(padding, 1e3 * torch::randn_like(batch.values), batch.values);
  return out;
}

// Every sequence on the same times `times` [T] (starting at 0), as a per-sequence batch.
inline Batch as_per_sequence(const Batch& shared) {
  const auto B = shared.values.size(0), T = shared.values.size(1);
  return {shared.times.to(torch::kFloat64).unsqueeze(0).expand({B, T}).contiguous(), shared.values,
          shared.mask, torch::full({B}, T, torch::kLong)};
}

}  // namespace sdebench::testing
