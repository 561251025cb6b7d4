#include "core/own_times.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sdebench {

RelativeTimeGrid relative_time_grid(const torch::Tensor& times, const torch::Tensor& lengths,
                                    const torch::Tensor& start) {
  if (times.dim() != 2 || lengths.numel() != times.size(0) || start.numel() != times.size(0))
    throw std::invalid_argument("relative_time_grid: need times [B, T], lengths [B] and start [B]");
  const auto B = times.size(0), T = times.size(1);
  auto t = times.to(torch::kFloat64).cpu().contiguous();
  auto t0 = start.to(torch::kFloat64).cpu().contiguous();
  auto len = lengths.to(torch::kLong).cpu().contiguous();
  auto ta = t.accessor<double, 2>();
  auto t0a = t0.accessor<double, 1>();
  auto la = len.accessor<std::int64_t, 1>();
  // Relative times of the counted slots; -1 marks a slot left out.
  std::vector<double> relative(static_cast<std::size_t>(B * T), -1.0);
  RelativeTimeGrid grid;
  grid.times.push_back(0.0);
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t i = 0; i < std::min(la[b], T); ++i) {
      const double r = ta[b][i] - t0a[b];
      if (r < 0) continue;
      relative[static_cast<std::size_t>(b * T + i)] = r;
      grid.times.push_back(r);
    }
  std::sort(grid.times.begin(), grid.times.end());
  grid.times.erase(std::unique(grid.times.begin(), grid.times.end()), grid.times.end());
  grid.slot = torch::zeros({B, T}, torch::kLong);
  grid.last = torch::zeros({B}, torch::kLong);
  auto sa = grid.slot.accessor<std::int64_t, 2>();
  auto lasta = grid.last.accessor<std::int64_t, 1>();
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t i = 0; i < T; ++i) {
      const double r = relative[static_cast<std::size_t>(b * T + i)];
      if (r < 0) continue;
      sa[b][i] = std::lower_bound(grid.times.begin(), grid.times.end(), r) - grid.times.begin();
      lasta[b] = std::max(lasta[b], sa[b][i]);
    }
  return grid;
}

torch::Tensor gather_at_slots(const torch::Tensor& states, const torch::Tensor& slot,
                              std::int64_t samples) {
  const auto U = states.size(0), B = slot.size(0), T = slot.size(1), d = states.size(2);
  if (states.dim() != 3 || states.size(1) != samples * B)
    throw std::invalid_argument("gather_at_slots: states must be [U, " +
                                std::to_string(samples * B) + ", d]");
  auto by_row = states.view({U, samples, B, d}).permute({1, 2, 0, 3});  // [S, B, U, d]
  auto index = slot.to(states.device()).view({1, B, T, 1}).expand({samples, B, T, d});
  return torch::gather(by_row, 2, index);
}

torch::Tensor reverse_within_lengths(const torch::Tensor& x, const torch::Tensor& lengths) {
  const auto B = x.size(0), T = x.size(1);
  auto k = torch::arange(T, torch::kLong).unsqueeze(0).expand({B, T});
  auto len = lengths.to(torch::kLong).cpu().unsqueeze(1);
  auto index = torch::where(k < len, len - 1 - k, k).to(x.device());  // [B, T]
  std::vector<std::int64_t> shape{B, T};
  for (std::int64_t i = 2; i < x.dim(); ++i) shape.push_back(1);
  index = index.view(shape).expand(x.sizes());
  return torch::gather(x, 1, index);
}

}  // namespace sdebench
