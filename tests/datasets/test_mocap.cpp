// MOCAP-35 through matio: the 16/3/4 split of 300 frames x 50 dims, dt = 0.1, checksum checked.
// Skips with a WARN (saying why) when the file is not beside the project.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "datasets/loaders.h"
#include "datasets/sha256.h"
#include "test_support.h"

using namespace sdebench;

namespace {
std::string mocap_path() {
  return std::string(SDEBENCH_SOURCE_DIR) + "/../shared/data/mocap35.mat";
}

// Options reading the file, or nothing (with a warning: the test has nothing to check) when the
// file is absent.
std::optional<Options> mocap_options() {
  const std::string path = mocap_path();
  if (!std::filesystem::exists(path)) {
    WARN("skipped: " << path << " is absent (CI keeps it at ../shared/data beside the repo)");
    return std::nullopt;
  }
  Options o;
  o.set("path", path);
  return o;
}
}  // namespace

TEST_CASE("sha256 matches the FIPS 180-4 test vectors", "[datasets][sha256]") {
  CHECK(sha256_hex("", 0) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc", 3) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  CHECK(sha256_hex(two_blocks.data(), two_blocks.size()) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("sha256_file streams a file larger than its read chunk", "[datasets][sha256]") {
  const std::string path = (std::filesystem::temp_directory_path() / "sdebench_sha256_million_a").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(1000000, 'a');  // FIPS 180-4's long test vector, ~15 reads of 64 KiB
  }
  CHECK(sha256_file(path) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  std::filesystem::remove(path);
  CHECK_THROWS_WITH(sha256_file(path), Catch::Contains(path));
}

TEST_CASE("MOCAP-35 loads with the 16/3/4 split", "[datasets][mocap]") {
  const auto given = mocap_options();
  if (!given) return;
  const Options& o = *given;
  const std::string path = mocap_path();
  auto d = make_mocap(o, test::no_cache(0));
  CHECK(d.train.values.sizes() == torch::IntArrayRef({16, 300, 50}));
  CHECK(d.val.values.sizes() == torch::IntArrayRef({3, 300, 50}));
  CHECK(d.test.values.sizes() == torch::IntArrayRef({4, 300, 50}));
  CHECK(d.times.size(0) == 300);
  CHECK(d.times[1].item<double>() == Approx(0.1));
  CHECK(d.times[-1].item<double>() == Approx(29.9));
  CHECK(d.meta.at("sha256") == kMocapSha256);
  CHECK(torch::all(d.train.mask == 1).item<bool>());
  if (!std::getenv("SDEBENCH_MOCAP")) {
    // Without a path the loader finds the file by itself (from the build directory the
    // current-directory candidate fails and the source-tree one is used).
    auto found = make_mocap(Options{}, test::no_cache(0));
    CHECK(std::filesystem::equivalent(found.meta.at("source_file"), path));
    CHECK(test::same_bytes(found.test.values, d.test.values));
  }
  // The README's facts about the content, which a wrong (row-major) reading would break:
  // every sequence is zero-mean per dimension, and 4 of the 50 dimensions are (near) constant
  // zero (measured with a matio probe: 1e-5 in Xtr, so their range over all splits is 1e-5,
  // while every other dimension varies by more than 0.1).
  auto per_sequence_mean = d.train.values.mean(1);  // [16, 50]
  CHECK(per_sequence_mean.abs().max().item<double>() < 1e-4);
  auto all = torch::cat({d.train.values, d.val.values, d.test.values}, 0);
  const std::vector<std::int64_t> over_sequences_and_time{0, 1};
  auto range = all.amax(over_sequences_and_time) - all.amin(over_sequences_and_time);
  INFO("per-dimension ranges: " << range);
  CHECK((range < 1e-4).sum().item<std::int64_t>() == 4);
  CHECK((range > 0.1).sum().item<std::int64_t>() == 46);
  CHECK(all.std().item<double>() > 0.1);
}

TEST_CASE("MOCAP with keep_probability < 1: each sequence on its own kept frames", "[datasets][mocap]") {
  auto given = mocap_options();
  if (!given) return;
  Options& o = *given;
  const auto full = make_mocap(o, test::no_cache(0));
  o.set("keep_probability", 0.25);
  const auto d = make_mocap(o, test::no_cache(3));
  REQUIRE(d.per_sequence_times());
  REQUIRE(d.times.size(0) == 2);  // the span
  CHECK(d.times[0].item<double>() == 0.0);
  CHECK(d.times[1].item<double>() == Approx(29.9));
  std::int64_t kept = 0;
  const TimeSeriesSplit& test = d.test;
  for (std::int64_t i = 0; i < test.size(); ++i) {
    const auto len = test.lengths[i].item<std::int64_t>();
    kept += len;
    for (std::int64_t k = 0; k < len; ++k) {
      const auto frame = std::llround(test.times[i][k].item<double>() / 0.1);
      if (k < 3) CHECK(frame == k);  // the conditioning frames are always kept
      CHECK(torch::equal(test.values[i][k], full.test.values[i][frame]));
    }
  }
  // 4 test sequences x (3 + 297 frames x 0.25): about 309 frames (binomial sd ~15).
  CHECK(kept > 240);
  CHECK(kept < 380);
  const auto again = make_mocap(o, test::no_cache(3));
  CHECK(torch::equal(again.test.times, d.test.times));
  const auto other = make_mocap(o, test::no_cache(4));
  CHECK_FALSE(torch::equal(other.train.lengths, d.train.lengths));
}

TEST_CASE("MOCAP: a missing file names every place looked and how to get it", "[datasets][mocap]") {
  Options o;
  o.set("path", "/nonexistent/dir/mocap35.mat");
  try {
    make_mocap(o, test::no_cache(0));
    FAIL("expected an error");
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    CHECK(msg.find("/nonexistent/dir/mocap35.mat") != std::string::npos);
    CHECK(msg.find("option 'path'") != std::string::npos);
    CHECK(msg.find("uncbiag/neuro_shooting") != std::string::npos);
    CHECK(msg.find("SDEBENCH_MOCAP") != std::string::npos);
  }
  // Without a path or environment variable the defaults are searched in order.
  if (!std::getenv("SDEBENCH_MOCAP")) {
    DatasetContext c = test::no_cache(0);
    c.data_dir = "/some/data";
    auto candidates = mocap_candidates(mocap_schema().defaults(), c);
    REQUIRE(candidates.size() >= 2);
    CHECK(candidates[0].path == "/some/data/mocap35.mat");
    CHECK(candidates[1].path == "../shared/data/mocap35.mat");
  }
}

TEST_CASE("MOCAP: a file with another checksum is refused", "[datasets][mocap]") {
  test::ScratchDir dir("mocap");
  const auto fake = (dir.path() / "mocap35.mat").string();
  std::ofstream(fake) << "not the real file";
  Options o;
  o.set("path", fake);
  CHECK_THROWS_WITH(make_mocap(o, test::no_cache(0)),
                    Catch::Contains("sha256") && Catch::Contains(kMocapSha256));
}

TEST_CASE("MOCAP cross-validation folds partition the training and validation sequences",
          "[datasets][mocap]") {
  auto given = mocap_options();
  if (!given) return;
  Options& o = *given;
  const auto file_split = make_mocap(o, test::no_cache(0));
  const auto pooled = torch::cat({file_split.train.values, file_split.val.values}, 0);  // [19, ...]
  o.set("validation_folds", std::int64_t{5});
  std::vector<int> seen(19, 0);
  for (std::int64_t fold = 0; fold < 5; ++fold) {
    o.set("validation_fold", fold);
    const auto d = make_mocap(o, test::no_cache(0));
    INFO("fold " << fold);
    CHECK(d.train.size() + d.val.size() == 19);
    CHECK(d.val.size() == (fold < 4 ? 4 : 3));  // 19 = 4 + 4 + 4 + 4 + 3
    CHECK(torch::equal(d.test.values, file_split.test.values));
    // Each sequence sits in the split its index mod 5 says, unchanged.
    std::int64_t v = 0, t = 0;
    for (std::int64_t i = 0; i < 19; ++i) {
      const bool validated = i % 5 == fold;
      const auto& got = validated ? d.val.values[v++] : d.train.values[t++];
      CHECK(torch::equal(got, pooled[i]));
      if (validated) ++seen[static_cast<std::size_t>(i)];
    }
    CHECK(d.meta.at("split").find("fold " + std::to_string(fold) + " of 5") == 0);
  }
  for (int count : seen) CHECK(count == 1);  // every sequence validated on exactly once
  o.set("validation_fold", std::int64_t{5});
  CHECK_THROWS_WITH(make_mocap(o, test::no_cache(0)), Catch::Contains("validation_fold = 5"));
  o.set("validation_folds", std::int64_t{1});
  o.set("validation_fold", std::int64_t{0});
  CHECK_THROWS_WITH(make_mocap(o, test::no_cache(0)), Catch::Contains("validation_folds = 1"));
}

TEST_CASE("MOCAP folds normalise by their own training sequences", "[datasets][mocap]") {
  auto given = mocap_options();
  if (!given) return;
  Options& o = *given;
  o.set("normalise", true);
  o.set("validation_folds", std::int64_t{4});
  o.set("validation_fold", std::int64_t{1});
  const auto d = make_mocap(o, test::no_cache(0));
  // Training values are divided by their own std: about 1 in every varying dimension.
  const std::vector<std::int64_t> over_sequences_and_time{0, 1};
  const auto train_std = d.train.values.std(over_sequences_and_time, /*unbiased=*/true, false);
  const auto varying = d.norm_std != 1.0;  // a dimension constant in training keeps std 1
  REQUIRE(varying.sum().item<std::int64_t>() >= 46);
  CHECK(torch::allclose(train_std.index({varying}), torch::ones_like(train_std.index({varying})),
                        1e-6, 1e-6));
}
