// Seeds, threads and the cache: the same seed gives identical bytes (also from the cache and
// with another thread count), different seeds differ, a damaged cache file is caught.
#include <catch2/catch.hpp>

#include <ATen/Parallel.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "datasets/cache.h"
#include "datasets/generator.h"
#include "datasets/generators.h"
#include "test_support.h"

using namespace sdebench;

namespace {
Options small_lorenz() {
  Options o;
  o.set("num_sequences", std::int64_t(64));
  o.set("irregular", true);
  o.set("missing", 0.1);
  return o;
}

// Runs `f` with std::cerr captured.
template <class F>
std::string capture_stderr(F&& f) {
  std::ostringstream captured;
  auto* old = std::cerr.rdbuf(captured.rdbuf());
  try {
    f();
  } catch (...) {
    std::cerr.rdbuf(old);
    throw;
  }
  std::cerr.rdbuf(old);
  return captured.str();
}
}  // namespace

TEST_CASE("the same seed gives identical bytes, different seeds differ", "[datasets][seed]") {
  auto a = make_lorenz(small_lorenz(), test::no_cache(7));
  auto b = make_lorenz(small_lorenz(), test::no_cache(7));
  auto c = make_lorenz(small_lorenz(), test::no_cache(8));
  CHECK(test::same_dataset_bytes(a, b));
  CHECK_FALSE(test::same_bytes(a.train.values, c.train.values));
  CHECK_FALSE(test::same_bytes(a.train.mask, c.train.mask));
  // Different seeds are different draws, not shifted copies of one stream.
  CHECK_FALSE(test::same_bytes(a.train.values.narrow(0, 1, 10), c.train.values.narrow(0, 0, 10)));
}

TEST_CASE("the result does not depend on the number of threads", "[datasets][seed]") {
  const int before = at::get_num_threads();
  at::set_num_threads(1);
  auto one = make_ou(test::whole_sample({}, 200), test::no_cache(9));
  at::set_num_threads(2);
  auto two = make_ou(test::whole_sample({}, 200), test::no_cache(9));
  at::set_num_threads(before);
  CHECK(test::same_dataset_bytes(one, two));
}

TEST_CASE("irregular sampling and missing values follow their probabilities", "[datasets]") {
  Options o = test::whole_sample({}, 2000);
  o.set("irregular", true);
  o.set("keep_probability", 0.3);
  o.set("missing", 0.2);
  auto d = make_ou(o, test::no_cache(4));
  const double n = d.train.mask.numel();
  const double observed = d.train.mask.sum().item<double>();
  // Each value kept with probability 0.3 * 0.8 (plus a tiny boost from "keep at least one").
  const double p = 0.3 * 0.8;
  CHECK(std::abs(observed / n - p) <= 4 * std::sqrt(p * (1 - p) / n) + 1e-3);
  CHECK(torch::all(d.train.values.masked_select(d.train.mask == 0) == 0).item<bool>());

  // With a tiny keep probability many sequences would keep no time at all: each keeps one.
  Options sparse = test::whole_sample({}, 500);
  sparse.set("irregular", true);
  sparse.set("keep_probability", 0.01);
  auto s = make_ou(sparse, test::no_cache(4));
  auto per_sequence = s.train.mask.sum(std::vector<std::int64_t>{1, 2});
  CHECK(per_sequence.min().item<double>() == 1.0);
  // Mask rows are whole time points: every dimension of a kept time is observed.
  Options lorenz = small_lorenz();
  lorenz.set("missing", 0.0);
  auto l = make_lorenz(lorenz, test::no_cache(4));
  auto kept = l.train.mask.sum(2);  // [N, T]: 0 or 3
  CHECK(torch::all((kept == 0) | (kept == 3)).item<bool>());
  CHECK(kept.mean().item<double>() / 3 == Approx(0.5).margin(0.05));
}

TEST_CASE("the cache is reused, and a damaged cache file is caught and regenerated",
          "[datasets][cache]") {
  test::ScratchDir dir("cache");
  DatasetContext context;
  context.seed = 21;
  context.cache_dir = dir.str();
  const auto fresh = make_lorenz(small_lorenz(), test::no_cache(21));

  auto first = make_lorenz(small_lorenz(), context);
  CHECK(first.meta.at("cache") == "generated");
  const std::string file = first.meta.at("cache_file");
  REQUIRE(std::filesystem::exists(file));
  CHECK(std::filesystem::path(file).parent_path() == dir.path());
  CHECK(test::same_dataset_bytes(first, fresh));
  {
    // The cache file itself is reproducible: the same configuration writes the same bytes.
    test::ScratchDir other_dir("cache-copy");
    DatasetContext copy = context;
    copy.cache_dir = other_dir.str();
    const std::string twin = make_lorenz(small_lorenz(), copy).meta.at("cache_file");
    std::ifstream fa(file, std::ios::binary), fb(twin, std::ios::binary);
    const std::string bytes_a((std::istreambuf_iterator<char>(fa)), std::istreambuf_iterator<char>());
    const std::string bytes_b((std::istreambuf_iterator<char>(fb)), std::istreambuf_iterator<char>());
    CHECK(bytes_a.size() > 1000);
    CHECK(bytes_a == bytes_b);
  }

  auto second = make_lorenz(small_lorenz(), context);
  CHECK(second.meta.at("cache") == "hit");
  CHECK(test::same_dataset_bytes(second, fresh));
  CHECK(second.meta.at("option.missing") == "0.10000000000000001");

  // Another option or seed is another file.
  DatasetContext other_seed = context;
  other_seed.seed = 22;
  auto other = make_lorenz(small_lorenz(), other_seed);
  CHECK(other.meta.at("cache") == "generated");
  CHECK(other.meta.at("cache_file") != file);

  const auto size = std::filesystem::file_size(file);
  SECTION("truncated") { std::filesystem::resize_file(file, size - 100); }
  SECTION("one bit flipped in the payload") {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(size / 2));
    char byte;
    f.read(&byte, 1);
    byte ^= 0x10;
    f.seekp(static_cast<std::streamoff>(size / 2));
    f.write(&byte, 1);
  }
  SECTION("payload size field altered") {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(30);
    f.put('\x7f');
  }
  const auto config = cache_config_text(
      "lorenz", kGeneratorVersion, lorenz_schema().resolve(small_lorenz(), "dataset 'lorenz'"), 21);
  CHECK(cache_file_path(dir.str(), "lorenz", config) == file);
  auto probe = read_cached_dataset(file, config);
  CHECK(probe.present);
  CHECK_FALSE(probe.dataset.has_value());
  INFO("problem: " << probe.problem);
  CHECK_FALSE(probe.problem.empty());

  TimeSeriesDataset regenerated;
  const std::string report =
      capture_stderr([&] { regenerated = make_lorenz(small_lorenz(), context); });
  CHECK(report.find(file) != std::string::npos);
  CHECK(report.find("regenerating") != std::string::npos);
  CHECK(regenerated.meta.at("cache") == "regenerated");
  CHECK(test::same_dataset_bytes(regenerated, fresh));
  // The rewritten file is whole again, and no temporary file was left behind.
  CHECK(std::filesystem::file_size(file) == size);
  CHECK(make_lorenz(small_lorenz(), context).meta.at("cache") == "hit");
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++files;
  }
  CHECK(files == 2);  // seed 21 and seed 22
}

TEST_CASE("a valid cache file reads back exactly", "[datasets][cache]") {
  test::ScratchDir dir("cache-valid");
  auto d = make_ou(test::whole_sample({}, 10), test::no_cache(2));
  const std::string path = (dir.path() / "x.sdeds").string();
  write_cached_dataset(path, "config A", d);
  auto read = read_cached_dataset(path, "config A");
  REQUIRE(read.dataset.has_value());
  CHECK(test::same_dataset_bytes(*read.dataset, d));
  CHECK(read.dataset->meta == d.meta);
  auto wrong = read_cached_dataset(path, "config B");
  CHECK_FALSE(wrong.dataset.has_value());
  CHECK(wrong.problem.find("another configuration") != std::string::npos);
  CHECK_FALSE(read_cached_dataset((dir.path() / "absent").string(), "config A").present);
}
