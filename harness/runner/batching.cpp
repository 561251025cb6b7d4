#include "harness/runner/batching.h"

#include <cmath>
#include <stdexcept>
#include <string>

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

void require_windows_fit(const torch::Tensor& times, std::int64_t length) {
  const auto T = times.size(0);
  const std::string key = "training.window_length = " + std::to_string(length) + ": ";
  if (length < 2 || length >= T)
    throw std::invalid_argument(key + "a window needs at least 2 observations and fewer than the " +
                                std::to_string(T) + " times of the grid (0 trains on whole sequences)");
  auto gaps = times.to(torch::kFloat64).diff();
  const double first = gaps[0].item<double>();
  const double spread = (gaps - first).abs().max().item<double>();
  // Float32 grids such as 0.1 k carry rounding of ~1e-5 of a gap; 1e-4 of a gap is still even.
  if (!(spread <= 1e-4 * std::abs(first)))
    throw std::invalid_argument(key + "the observation times are not evenly spaced (gaps differ by " +
                                std::to_string(spread) +
                                "), so a window moved to the grid's start would change its gaps");
}

Batch random_windows(const Batch& batch, std::int64_t length) {
  if (batch.per_sequence())
    throw std::invalid_argument("training.window_length: windows need data on one shared grid, "
                                "but this batch has per-sequence times");
  require_windows_fit(batch.times, length);
  const auto B = batch.values.size(0), T = batch.values.size(1);
  auto starts = torch::randint(0, T - length + 1, {B, 1}, torch::kLong);
  auto rows = (starts + torch::arange(length, torch::kLong).unsqueeze(0)).to(batch.values.device());
  auto take = [&](const torch::Tensor& x) {
    auto flat = x.flatten(2);  // [B, T, D...] -> [B, T, D]
    auto index = rows.unsqueeze(2).expand({B, length, flat.size(2)});
    auto out_sizes = x.sizes().vec();
    out_sizes[1] = length;
    return flat.gather(1, index).view(out_sizes);
  };
  Batch w;
  w.values = take(batch.values);
  w.mask = take(batch.mask);
  w.times = batch.times.narrow(0, 0, length).contiguous();
  return w;
}

}  // namespace sdebench
