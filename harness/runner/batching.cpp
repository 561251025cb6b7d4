#include "harness/runner/batching.h"

namespace sdebench {

Batch make_batch(const TimeSeriesSplit& split, const torch::Tensor& times, const torch::Tensor& index,
                 torch::ScalarType dtype, torch::Device device) {
  Batch b;
  b.times = times.to(device, dtype);
  b.values = split.values.index_select(0, index).to(device, dtype);
  b.mask = split.mask.defined() ? split.mask.index_select(0, index).to(device, dtype)
                                : torch::ones_like(b.values);
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
