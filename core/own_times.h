#pragma once
// Batches whose sequences each have their own observation times (issue 19): times [B, T]
// increasing within each row's length, padded after it. Latent models whose dynamics do not
// depend on absolute time (drifts and diffusions of z only; only the posterior's context
// changes at observations) can solve every row on one grid: the union over the batch of the
// rows' times measured from each row's own start. On data that shares one grid this is that
// grid, so per-sequence times cost no extra steps there; on jittered data it is at most the
// union over the batch (never over the dataset).
#include <torch/torch.h>

#include <vector>

namespace sdebench {

struct RelativeTimeGrid {
  std::vector<double> times;  // increasing, times.front() == 0 (each row's start)
  // [B, T] int64: the grid index of each slot's time since its row's start. Slots that do not
  // count (padding, or times before the row's start) get 0, the start.
  torch::Tensor slot;
  torch::Tensor last;  // [B] int64: the grid index of each row's last counted time
  std::int64_t size() const { return static_cast<std::int64_t>(times.size()); }
};

// `times` [B, T] (any float dtype), `lengths` [B]: observations per row, `start` [B]: each
// row's start time (typically its first observation). Slots at or after a row's length and
// slots before its start are left out of the grid.
RelativeTimeGrid relative_time_grid(const torch::Tensor& times, const torch::Tensor& lengths,
                                    const torch::Tensor& start);

// Solutions on the grid, [U, S*B, d] with sample s of row b at s*B + b, read at each row's
// slots: [S, B, T, d].
torch::Tensor gather_at_slots(const torch::Tensor& states, const torch::Tensor& slot,
                              std::int64_t samples = 1);

// Reverses each row's first lengths[b] entries along dim 1 and leaves its padding in place, so
// a recurrent encoder run backwards in time never sees padding before real data. Its own
// inverse. x [B, T, ...].
torch::Tensor reverse_within_lengths(const torch::Tensor& x, const torch::Tensor& lengths);

}  // namespace sdebench
