#pragma once
// On-disk cache of generated datasets.
//
// A file <cache_dir>/<name>-<key>.sdeds is keyed by a hash of the dataset name, the generator
// version, the seed and every resolved option. Layout: a magic line, the payload size (uint64),
// the payload's sha256 (64 hex chars), then the payload (key, tensors as raw float64, each
// split's per-sequence times and lengths when it has them, meta, then any `truth` tensors).
// The magic line carries the format number; a file of another format is regenerated.
// A file whose size, checksum or key does not match is reported on stderr, naming it, and
// regenerated, never used. Files are written to a temporary name and renamed into place, so a
// reader never sees a half-written file.
#include <functional>
#include <optional>
#include <string>

#include "datasets/dataset.h"

namespace sdebench {

// The full configuration text that is hashed (kept in the file to rule out hash collisions).
std::string cache_config_text(const std::string& name, const std::string& version,
                              const Options& options, std::uint64_t seed);
std::string cache_file_path(const std::string& cache_dir, const std::string& name,
                            const std::string& config_text);

struct CacheRead {
  std::optional<TimeSeriesDataset> dataset;  // set when the file was present and valid
  bool present = false;                      // a file existed at the path
  std::string problem;                       // why a present file was rejected
};
CacheRead read_cached_dataset(const std::string& path, const std::string& config_text);
void write_cached_dataset(const std::string& path, const std::string& config_text,
                          const TimeSeriesDataset& dataset);

// Returns the cached dataset when valid, else builds, stores and returns it. meta gains
// "cache" (hit | generated | regenerated | disabled) and "cache_file".
TimeSeriesDataset cached_dataset(const std::string& name, const std::string& version,
                                 const Options& options, const DatasetContext& context,
                                 const std::function<TimeSeriesDataset()>& build);

}  // namespace sdebench
