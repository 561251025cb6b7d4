#include "harness/runner/batching.h"

namespace sdebench {

Batch make_batch(const TimeSeriesSplit& split, const torch::Tensor& times, const torch::Tensor& index,
                 torch::ScalarType dtype, torch::Device device) {
  Batch b;
  b.values = split.values.index_select(0, index).to(device, dtype);
  b.mask = split.mask.defined() ? split.mask.index_select(0, index).to(device, dtype)
                                : torch::ones_like(b.values);
  if (!split.times.defined()) {
    b.times = times.to(device, dtype);
    return b;
  }
  // Each sequence on its own times: as many slots as the batch's longest sequence needs.
  b.lengths = split.lengths.index_select(0, index).to(device);
  const auto slots = b.lengths.numel() ? b.lengths.max().item<std::int64_t>() : 0;
  b.times = split.times.index_select(0, index).narrow(1, 0, slots).to(device, dtype);
  b.values = b.values.narrow(1, 0, slots).contiguous();
  b.mask = b.mask.narrow(1, 0, slots).contiguous();
  return b;
}

Batch leading_batch(const TimeSeriesSplit& split, const torch::Tensor& times, std::int64_t n,
                    torch::ScalarType dtype, torch::Device device) {
  const auto count = std::min<std::int64_t>(n, split.size());
  return make_batch(split, times, torch::arange(count, torch::kLong), dtype, device);
}

Batch sample_batch(const TimeSeriesSplit& split, const torch::Tensor& times, std::int64_t batch_size,
                   torch::ScalarType dtype, torch::Device device) {
  const auto n = split.size();
  if (batch_size >= n) return leading_batch(split, times, n, dtype, device);
  auto index = torch::randperm(n, torch::kLong).slice(0, 0, batch_size);
  return make_batch(split, times, index, dtype, device);
}

}  // namespace sdebench
