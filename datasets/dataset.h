#pragma once
// The dataset interface: a registered generator or loader turns its options into a
// TimeSeriesDataset. Register with SDEBENCH_REGISTER_DATASET (see README).
#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <string>

#include "core/options.h"
#include "core/registry.h"

namespace sdebench {

// Sequences on a shared time grid, or each on its own times (issue 19). Missing values are
// expressed by the mask (1 observed, 0 missing; values are 0 where missing). All tensors are
// float64.
struct TimeSeriesSplit {
  torch::Tensor values;  // [N, T, D], normalised
  torch::Tensor mask;    // [N, T, D]
  // Per-sequence observation times: [N, T], row i the increasing times of sequence i's
  // observations, padded after its last one by repeating that time (padding slots have mask
  // 0), with `lengths` [N] (int64) its number of observations. Undefined: every sequence is on
  // the dataset's shared grid `times`.
  torch::Tensor times, lengths;
  std::int64_t size() const { return values.defined() ? values.size(0) : 0; }
};

struct TimeSeriesDataset {
  std::string name;
  // [T] float64, strictly increasing: the shared grid. With per-sequence times (the splits'
  // `times`), [2]: the first and the last observation time over the dataset (its time span).
  torch::Tensor times;
  TimeSeriesSplit train, val, test;
  // normalised = (raw - norm_mean) / norm_std, per dimension ([D] each).
  torch::Tensor norm_mean, norm_std;
  // Generating parameters, seed, version, source file and checksum, ...
  std::map<std::string, std::string> meta;
  // Optional side information that the methods never see, e.g. a generator's latent state for
  // plots: split ("train", "val", "test") -> name -> float64 tensor whose first dimension is
  // that split's size (pendulum_video: truth["test"]["angle"] is [N_test, T]). Empty for most
  // datasets; stored by the cache.
  std::map<std::string, std::map<std::string, torch::Tensor>> truth;
  std::int64_t dims() const { return train.values.size(2); }
  bool per_sequence_times() const { return train.times.defined(); }
};

// Where a dataset may read and write, and its seed; filled by the harness.
struct DatasetContext {
  std::uint64_t seed = 0;
  std::string cache_dir = ".cache/datasets";  // empty: no cache
  std::string data_dir;                        // for loaders; empty: component default
};

using DatasetFactory =
    std::function<TimeSeriesDataset(const Options& options, const DatasetContext& context)>;
using DatasetRegistry = Registry<DatasetFactory>;

}  // namespace sdebench

#define SDEBENCH_DATASET_CONCAT_INNER(a, b) a##b
#define SDEBENCH_DATASET_CONCAT(a, b) SDEBENCH_DATASET_CONCAT_INNER(a, b)
// __COUNTER__, not __LINE__: a unity build puts several registering files in one unit.
#define SDEBENCH_REGISTER_DATASET(NAME, DESCRIPTION, SCHEMA, FACTORY)                       \
  static const bool SDEBENCH_DATASET_CONCAT(sdebench_dataset_registered_, __COUNTER__) =       \
      ::sdebench::DatasetRegistry::instance().add({NAME, DESCRIPTION, SCHEMA, FACTORY})
