#pragma once
// Helpers shared by the dataset tests: sample moments with their Monte-Carlo standard errors,
// byte-level tensor comparison and a scratch directory.
#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>
#include <unistd.h>

#include "datasets/dataset.h"

namespace sdebench::test {

struct Moments {
  double mean, variance;
  double mean_se, variance_se;  // standard errors from the sample itself
};

// Moments of a 1-D sample; se(variance) = sqrt((m4 - var^2) / n), valid for any finite-m4 law.
inline Moments sample_moments(const torch::Tensor& sample) {
  auto x = sample.to(torch::kFloat64).flatten();
  const double n = static_cast<double>(x.numel());
  const double mean = x.mean().item<double>();
  auto centred = x - mean;
  const double var = centred.pow(2).sum().item<double>() / (n - 1);
  const double m4 = centred.pow(4).mean().item<double>();
  return {mean, var, std::sqrt(var / n), std::sqrt(std::max(0.0, m4 - var * var) / n)};
}

// A sample that should be N(0, 1) (e.g. standardized transition residuals): its mean and
// variance with their standard errors under N(0, 1), 1 / sqrt(n) and sqrt(2 / n). Errors from
// the null law, not the sample, so a heavy-tailed wrong sample cannot widen its own bounds.
struct StandardNormalCheck {
  double n, mean, variance, mean_se, variance_se;
};
inline StandardNormalCheck standard_normal_check(const std::vector<double>& sample) {
  const double n = static_cast<double>(sample.size());
  double sum = 0, squares = 0;
  for (double r : sample) sum += r;
  const double mean = sum / n;
  for (double r : sample) squares += (r - mean) * (r - mean);
  return {n, mean, squares / (n - 1), 1 / std::sqrt(n), std::sqrt(2 / n)};
}

inline bool same_bytes(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.sizes() != b.sizes() || a.scalar_type() != b.scalar_type()) return false;
  auto ca = a.contiguous(), cb = b.contiguous();
  return std::memcmp(ca.data_ptr(), cb.data_ptr(), ca.nbytes()) == 0;
}

// Both undefined, or the same bytes.
inline bool same_optional_bytes(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.defined() != b.defined()) return false;
  return !a.defined() || same_bytes(a, b);
}

inline bool same_split_bytes(const TimeSeriesSplit& a, const TimeSeriesSplit& b) {
  return same_bytes(a.values, b.values) && same_bytes(a.mask, b.mask) &&
         same_optional_bytes(a.times, b.times) && same_optional_bytes(a.lengths, b.lengths);
}

// Times, every split (with its per-sequence times and lengths when present) and normalisation.
inline bool same_dataset_bytes(const TimeSeriesDataset& a, const TimeSeriesDataset& b) {
  return same_bytes(a.times, b.times) && same_split_bytes(a.train, b.train) &&
         same_split_bytes(a.val, b.val) && same_split_bytes(a.test, b.test) &&
         same_bytes(a.norm_mean, b.norm_mean) && same_bytes(a.norm_std, b.norm_std);
}

// What is wrong with a split's per-sequence times (dataset.h), or "" when nothing is: times
// [N, T] and lengths [N] int64 with 1 <= length <= T, the longest exactly T; within a length the
// times strictly increase; after it they repeat the last time, and mask and values are 0.
inline std::string padding_problem(const TimeSeriesSplit& split) {
  if (!split.times.defined() || !split.lengths.defined()) return "no per-sequence times";
  const auto N = split.values.size(0), T = split.values.size(1), D = split.values.size(2);
  if (split.times.sizes() != torch::IntArrayRef({N, T})) return "times are not [N, T]";
  if (split.lengths.sizes() != torch::IntArrayRef({N}) || split.lengths.scalar_type() != torch::kLong)
    return "lengths are not [N] int64";
  if (split.mask.sizes() != split.values.sizes()) return "mask and values differ in shape";
  if (N > 0 && split.lengths.max().item<std::int64_t>() != T) return "T is not the longest length";
  auto t = split.times.accessor<double, 2>();
  auto v = split.values.accessor<double, 3>();
  auto m = split.mask.accessor<double, 3>();
  auto l = split.lengths.accessor<std::int64_t, 1>();
  for (std::int64_t i = 0; i < N; ++i) {
    const auto where = "sequence " + std::to_string(i) + ": ";
    if (l[i] < 1 || l[i] > T) return where + "length " + std::to_string(l[i]) + " out of range";
    for (std::int64_t k = 1; k < l[i]; ++k)
      if (!(t[i][k] > t[i][k - 1])) return where + "times not strictly increasing at " + std::to_string(k);
    for (std::int64_t k = 0; k < l[i]; ++k)
      for (std::int64_t j = 0; j < D; ++j)
        if (m[i][k][j] == 0 && v[i][k][j] != 0) return where + "a missing value is not 0";
    for (std::int64_t k = l[i]; k < T; ++k) {
      if (t[i][k] != t[i][l[i] - 1]) return where + "padding time at " + std::to_string(k) + " is not the last time";
      for (std::int64_t j = 0; j < D; ++j)
        if (m[i][k][j] != 0 || v[i][k][j] != 0)
          return where + "mask or value not 0 in padding slot " + std::to_string(k);
    }
  }
  return "";
}

// A fresh, empty directory removed when the object goes out of scope.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag)
      : path_(std::filesystem::temp_directory_path() /
              ("sdebench-test-" + tag + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string str() const { return path_.string(); }
  std::filesystem::path path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// All sequences in the training split, no cache: for statistics over the whole sample.
inline Options whole_sample(Options o, std::int64_t n) {
  o.set("num_sequences", std::int64_t(n));
  o.set("train_fraction", 1.0);
  o.set("val_fraction", 0.0);
  o.set("test_fraction", 0.0);
  return o;
}

inline DatasetContext no_cache(std::uint64_t seed) {
  DatasetContext c;
  c.seed = seed;
  c.cache_dir = "";
  return c;
}

}  // namespace sdebench::test
