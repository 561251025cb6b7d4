#include "datasets/normalisation.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace sdebench {

Normalisation fit_normalisation(const torch::Tensor& values, const torch::Tensor& mask) {
  const std::int64_t D = values.size(-1);
  const auto x = values.to(torch::kFloat64).contiguous().reshape({-1, D});
  const auto m = mask.to(torch::kFloat64).contiguous().reshape({-1, D});
  const auto rows = x.size(0);
  const auto xa = x.accessor<double, 2>();
  const auto ma = m.accessor<double, 2>();
  // Plain loops in a fixed order rather than torch reductions: the generated datasets' numbers
  // (and the runs trained on them) stay identical to those made before this helper existed.
  std::vector<double> count(D, 0.0), mean(D, 0.0), squares(D, 0.0), stddev(D, 1.0);
  for (std::int64_t k = 0; k < rows; ++k)
    for (std::int64_t j = 0; j < D; ++j) count[j] += ma[k][j];
  for (std::int64_t k = 0; k < rows; ++k)
    for (std::int64_t j = 0; j < D; ++j)
      if (ma[k][j] != 0) mean[j] += xa[k][j] / count[j];
  for (std::int64_t k = 0; k < rows; ++k)
    for (std::int64_t j = 0; j < D; ++j)
      if (ma[k][j] != 0) {
        const double c = xa[k][j] - mean[j];
        squares[j] += c * c;
      }
  double largest = 0.0;
  for (std::int64_t j = 0; j < D; ++j) {
    stddev[j] = std::sqrt(squares[j] / std::max(1.0, count[j] - 1));
    largest = std::max(largest, stddev[j]);
  }
  for (std::int64_t j = 0; j < D; ++j)
    if (!(stddev[j] > 1e-8 * largest)) stddev[j] = 1.0;
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  return {torch::tensor(mean, options), torch::tensor(stddev, options)};
}

torch::Tensor normalise(const torch::Tensor& values, const torch::Tensor& mask, const Normalisation& n) {
  return (values - n.mean.to(values.dtype())) / n.std.to(values.dtype()) * mask;
}

Normalisation identity_normalisation(std::int64_t dims) {
  return {torch::zeros({dims}, torch::kFloat64), torch::ones({dims}, torch::kFloat64)};
}

void normalise_from_training(TimeSeriesDataset& d, bool enabled) {
  Normalisation normalisation = identity_normalisation(d.train.values.size(2));
  if (enabled) {
    normalisation = fit_normalisation(d.train.values, d.train.mask);
    for (auto* split : {&d.train, &d.val, &d.test})
      split->values = normalise(split->values, split->mask, normalisation);
  }
  d.norm_mean = normalisation.mean;
  d.norm_std = normalisation.std;
}

}  // namespace sdebench
