#pragma once
// Helpers shared by the dataset tests: sample moments with their Monte-Carlo standard errors,
// byte-level tensor comparison and a scratch directory.
#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
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

inline bool same_bytes(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.sizes() != b.sizes() || a.scalar_type() != b.scalar_type()) return false;
  auto ca = a.contiguous(), cb = b.contiguous();
  return std::memcmp(ca.data_ptr(), cb.data_ptr(), ca.nbytes()) == 0;
}

inline bool same_dataset_bytes(const TimeSeriesDataset& a, const TimeSeriesDataset& b) {
  return same_bytes(a.times, b.times) && same_bytes(a.train.values, b.train.values) &&
         same_bytes(a.train.mask, b.train.mask) && same_bytes(a.val.values, b.val.values) &&
         same_bytes(a.val.mask, b.val.mask) && same_bytes(a.test.values, b.test.values) &&
         same_bytes(a.test.mask, b.test.mask) && same_bytes(a.norm_mean, b.norm_mean) &&
         same_bytes(a.norm_std, b.norm_std);
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
