#include "datasets/cache.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "datasets/seeding.h"
#include "datasets/sha256.h"

namespace sdebench {
namespace {

// Format 2 added the splits' per-sequence times and lengths (issue 19); a format-1 file is
// rejected (and regenerated) rather than read without them.
constexpr const char kMagic[] = "SDEBENCH-DATASET-CACHE 2\n";
constexpr const char kMagicPrefix[] = "SDEBENCH-DATASET-CACHE ";
constexpr std::size_t kMagicSize = sizeof(kMagic) - 1;
constexpr std::size_t kHeaderSize = kMagicSize + 8 + 64;

// ---- payload writing -------------------------------------------------------------------
void put_u64(std::string& out, std::uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }
void put_string(std::string& out, const std::string& s) {
  put_u64(out, s.size());
  out += s;
}
void put_tensor(std::string& out, const torch::Tensor& tensor) {
  auto t = tensor.to(torch::kFloat64).contiguous();
  put_u64(out, static_cast<std::uint64_t>(t.dim()));
  for (auto size : t.sizes()) put_u64(out, static_cast<std::uint64_t>(size));
  out.append(reinterpret_cast<const char*>(t.data_ptr<double>()), t.numel() * sizeof(double));
}

// ---- payload reading (bounds-checked: a corrupt payload must not crash) ------------------
class Reader {
 public:
  explicit Reader(const std::string& data) : data_(data) {}
  std::uint64_t u64() {
    need(8);
    std::uint64_t v;
    std::memcpy(&v, data_.data() + pos_, 8);
    pos_ += 8;
    return v;
  }
  std::string string() {
    auto size = u64();
    need(size);
    std::string s = data_.substr(pos_, size);
    pos_ += size;
    return s;
  }
  torch::Tensor tensor() {
    auto dims = u64();
    if (dims > 8) throw std::runtime_error("implausible tensor rank");
    std::vector<std::int64_t> sizes;
    std::uint64_t count = 1;
    for (std::uint64_t i = 0; i < dims; ++i) {
      sizes.push_back(static_cast<std::int64_t>(u64()));
      count *= static_cast<std::uint64_t>(sizes.back());
    }
    need(count * sizeof(double));
    auto t = torch::empty(sizes, torch::kFloat64);
    std::memcpy(t.data_ptr<double>(), data_.data() + pos_, count * sizeof(double));
    pos_ += count * sizeof(double);
    return t;
  }
  bool done() const { return pos_ == data_.size(); }

 private:
  void need(std::uint64_t bytes) const {
    if (bytes > data_.size() - pos_) throw std::runtime_error("payload ends early");
  }
  const std::string& data_;
  std::size_t pos_ = 0;
};

std::string hex64(std::uint64_t v) {
  std::ostringstream out;
  out << std::hex;
  out.width(16);
  out.fill('0');
  out << v;
  return out.str();
}

}  // namespace

std::string cache_config_text(const std::string& name, const std::string& version,
                              const Options& options, std::uint64_t seed) {
  std::string text = "dataset=" + name + "\nversion=" + version + "\nseed=" + std::to_string(seed);
  for (const auto& [key, value] : options.values())  // std::map: sorted, so order-independent
    text += "\n" + key + "=" + format_value(value);
  return text;
}

std::string cache_file_path(const std::string& cache_dir, const std::string& name,
                            const std::string& config_text) {
  return (std::filesystem::path(cache_dir) / (name + "-" + hex64(fnv1a64(config_text)) + ".sdeds"))
      .string();
}

void write_cached_dataset(const std::string& path, const std::string& config_text,
                          const TimeSeriesDataset& dataset) {
  std::string payload;
  put_string(payload, config_text);
  put_string(payload, dataset.name);
  for (const auto* t : {&dataset.times, &dataset.train.values, &dataset.train.mask,
                        &dataset.val.values, &dataset.val.mask, &dataset.test.values,
                        &dataset.test.mask, &dataset.norm_mean, &dataset.norm_std})
    put_tensor(payload, *t);
  // Per split: a flag, then its per-sequence times and lengths when it has them. Lengths go
  // through float64 like every tensor here: exact for any count below 2^53.
  for (const auto* split : {&dataset.train, &dataset.val, &dataset.test}) {
    const bool own_times = split->times.defined();
    put_u64(payload, own_times ? 1 : 0);
    if (!own_times) continue;
    put_tensor(payload, split->times);
    put_tensor(payload, split->lengths);
  }
  put_u64(payload, dataset.meta.size());
  for (const auto& [key, value] : dataset.meta) {
    put_string(payload, key);
    put_string(payload, value);
  }
  // The optional `truth` tensors follow, only when there are any, so the files of datasets
  // without them keep their bytes (and older files still read).
  std::uint64_t truths = 0;
  for (const auto& [split, tensors] : dataset.truth) truths += tensors.size();
  if (truths > 0) {
    put_u64(payload, truths);
    for (const auto& [split, tensors] : dataset.truth)
      for (const auto& [key, tensor] : tensors) {
        put_string(payload, split);
        put_string(payload, key);
        put_tensor(payload, tensor);
      }
  }
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  std::random_device entropy;
  const std::string temp = path + ".tmp-" + hex64((std::uint64_t(entropy()) << 32) | entropy());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    std::string header(kMagic, kMagicSize);
    put_u64(header, payload.size());
    header += sha256_hex(payload.data(), payload.size());
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temp, ignored);
      throw std::runtime_error("datasets: cannot write cache file '" + temp + "'");
    }
  }
  std::filesystem::rename(temp, target);  // atomic on POSIX within one file system
}

CacheRead read_cached_dataset(const std::string& path, const std::string& config_text) {
  CacheRead result;
  std::ifstream in(path, std::ios::binary);
  if (!in) return result;
  result.present = true;
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t prefix = sizeof(kMagicPrefix) - 1;
  if (file.size() >= kHeaderSize && file.compare(0, prefix, kMagicPrefix) == 0 &&
      file.compare(0, kMagicSize, kMagic) != 0) {
    result.problem = "written in another cache format ('" +
                     file.substr(0, file.find('\n')) + "', this build reads '" +
                     std::string(kMagic, kMagicSize - 1) + "')";
    return result;
  }
  if (file.size() < kHeaderSize || file.compare(0, kMagicSize, kMagic) != 0) {
    result.problem = "not a dataset cache file or truncated header (" +
                     std::to_string(file.size()) + " bytes)";
    return result;
  }
  std::uint64_t payload_size;
  std::memcpy(&payload_size, file.data() + kMagicSize, 8);
  const std::string checksum = file.substr(kMagicSize + 8, 64);
  if (file.size() - kHeaderSize != payload_size) {
    result.problem = "size mismatch: payload has " + std::to_string(file.size() - kHeaderSize) +
                     " bytes, header says " + std::to_string(payload_size) + " (truncated?)";
    return result;
  }
  const std::string payload = file.substr(kHeaderSize);
  if (sha256_hex(payload.data(), payload.size()) != checksum) {
    result.problem = "sha256 checksum mismatch (the file was altered or damaged)";
    return result;
  }
  try {
    Reader reader(payload);
    if (reader.string() != config_text) {
      result.problem = "written for another configuration (hash collision)";
      return result;
    }
    TimeSeriesDataset d;
    d.name = reader.string();
    for (auto* t : {&d.times, &d.train.values, &d.train.mask, &d.val.values, &d.val.mask,
                    &d.test.values, &d.test.mask, &d.norm_mean, &d.norm_std})
      *t = reader.tensor();
    for (auto* split : {&d.train, &d.val, &d.test}) {
      const auto own_times = reader.u64();
      if (own_times > 1) throw std::runtime_error("bad per-sequence times flag");
      if (own_times == 0) continue;
      split->times = reader.tensor();
      split->lengths = reader.tensor().to(torch::kLong);
    }
    const auto entries = reader.u64();
    for (std::uint64_t i = 0; i < entries; ++i) {
      auto key = reader.string();
      d.meta[key] = reader.string();
    }
    if (!reader.done()) {
      const auto truths = reader.u64();
      for (std::uint64_t i = 0; i < truths; ++i) {
        auto split = reader.string();
        auto key = reader.string();
        d.truth[split][key] = reader.tensor();
      }
    }
    if (!reader.done()) throw std::runtime_error("trailing bytes after the payload");
    result.dataset = std::move(d);
  } catch (const std::exception& e) {
    result.problem = std::string("malformed payload: ") + e.what();
  }
  return result;
}

TimeSeriesDataset cached_dataset(const std::string& name, const std::string& version,
                                 const Options& options, const DatasetContext& context,
                                 const std::function<TimeSeriesDataset()>& build) {
  if (context.cache_dir.empty()) {
    auto dataset = build();
    dataset.meta["cache"] = "disabled";
    return dataset;
  }
  const std::string config = cache_config_text(name, version, options, context.seed);
  const std::string path = cache_file_path(context.cache_dir, name, config);
  auto cached = read_cached_dataset(path, config);
  if (cached.dataset) {
    cached.dataset->meta["cache"] = "hit";
    cached.dataset->meta["cache_file"] = path;
    return *std::move(cached.dataset);
  }
  if (cached.present)
    std::cerr << "sdebench: dataset cache file '" << path << "' rejected: " << cached.problem
              << "; regenerating it\n";
  auto dataset = build();
  try {
    write_cached_dataset(path, config, dataset);
  } catch (const std::exception& e) {
    // A read-only cache must not stop a run: the data are still correct, only not stored.
    std::cerr << "sdebench: could not store dataset cache '" << path << "': " << e.what() << "\n";
  }
  dataset.meta["cache"] = cached.present ? "regenerated" : "generated";
  dataset.meta["cache_file"] = path;
  return dataset;
}

}  // namespace sdebench
