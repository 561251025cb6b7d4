// The CSV loader: union time grid and mask for sequences with different times, seeded
// shuffled splits, and errors that name the file and line of a bad row.
#include <catch2/catch.hpp>

#include <fstream>

#include "datasets/loaders.h"
#include "test_support.h"

using namespace sdebench;

namespace {
std::string write_file(const test::ScratchDir& dir, const std::string& name,
                       const std::string& text) {
  const auto path = (dir.path() / name).string();
  std::ofstream(path) << text;
  return path;
}

TimeSeriesDataset load(const std::string& path, double train = 1.0,
                       const std::string& time_grid = "auto") {
  Options o;
  o.set("path", path);
  o.set("time_grid", time_grid);
  o.set("train_fraction", train);
  o.set("val_fraction", 0.0);
  o.set("test_fraction", 1.0 - train);
  return make_csv(o, test::no_cache(5));
}
}  // namespace

TEST_CASE("CSV: with time_grid = union, sequences on different times share the union grid",
          "[datasets][csv]") {
  test::ScratchDir dir("csv");
  const auto path = write_file(dir, "good.csv",
                               "sequence_id,time,x,y\n"
                               "a,0.0,1.0,2.0\n"
                               "a,0.5,1.5,2.5\n"
                               "\n"
                               "b,0.25,3.0,\n"  // y missing
                               "b,0.0, 4.0 ,nan\n");
  auto d = load(path, 1.0, "union");
  CHECK_FALSE(d.per_sequence_times());
  REQUIRE(d.train.values.sizes() == torch::IntArrayRef({2, 3, 2}));
  CHECK(torch::equal(d.times, torch::tensor({0.0, 0.25, 0.5}, torch::kFloat64)));
  // Rows are in the seeded shuffle order; find each sequence by its first value.
  const auto ids = d.meta.at("sequences.train");
  const std::int64_t a = ids.rfind("a", 0) == 0 ? 0 : 1, b = 1 - a;
  auto v = d.train.values, m = d.train.mask;
  CHECK(v[a][0][0].item<double>() == 1.0);
  CHECK(v[a][2][1].item<double>() == 2.5);
  CHECK(m[a][1].sum().item<double>() == 0);  // a has no value at t = 0.25
  CHECK(v[b][0][0].item<double>() == 4.0);
  CHECK(m[b][0][1].item<double>() == 0);  // "nan" is missing
  CHECK(m[b][1][0].item<double>() == 1);
  CHECK(m[b][1][1].item<double>() == 0);  // empty cell is missing
  CHECK(m[b][2].sum().item<double>() == 0);
  CHECK(m.sum().item<double>() == 6);
  CHECK(d.meta.at("columns") == "sequence_id,time,x,y");
}

TEST_CASE("CSV: sequences on different times keep their own times, padded to the longest",
          "[datasets][csv][per_sequence]") {
  test::ScratchDir dir("csv-own");
  const auto path = write_file(dir, "own.csv",
                               "sequence_id,time,x\n"
                               "a,0.5,1.5\n"
                               "a,0.0,1.0\n"  // rows out of time order
                               "a,0.7,1.7\n"
                               "b,0.25,3.0\n"
                               "b,0.1,\n");   // missing value: still an observation slot
  auto d = load(path);
  REQUIRE(d.per_sequence_times());
  CHECK(torch::equal(d.times, torch::tensor({0.0, 0.7}, torch::kFloat64)));  // the span
  REQUIRE(d.train.values.sizes() == torch::IntArrayRef({2, 3, 1}));
  const auto ids = d.meta.at("sequences.train");
  const std::int64_t a = ids.rfind("a", 0) == 0 ? 0 : 1, b = 1 - a;
  CHECK(d.train.lengths[a].item<std::int64_t>() == 3);
  CHECK(d.train.lengths[b].item<std::int64_t>() == 2);
  CHECK(torch::equal(d.train.times[a], torch::tensor({0.0, 0.5, 0.7}, torch::kFloat64)));
  CHECK(torch::equal(d.train.times[b], torch::tensor({0.1, 0.25, 0.25}, torch::kFloat64)));
  CHECK(torch::equal(d.train.values[a].flatten(), torch::tensor({1.0, 1.5, 1.7}, torch::kFloat64)));
  CHECK(torch::equal(d.train.mask[b].flatten(), torch::tensor({0.0, 1.0, 0.0}, torch::kFloat64)));
  CHECK(d.meta.at("time_grid").find("per-sequence") != std::string::npos);

  // Every sequence on the same times: one shared grid, as before.
  const auto same = write_file(dir, "same.csv", "id,t,x\na,0,1\na,1,2\nb,1,3\nb,0,4\n");
  auto s = load(same);
  CHECK_FALSE(s.per_sequence_times());
  CHECK(torch::equal(s.times, torch::tensor({0.0, 1.0}, torch::kFloat64)));
  CHECK(s.meta.at("time_grid") == "shared");
}

TEST_CASE("CSV: splits are seeded and complete", "[datasets][csv]") {
  test::ScratchDir dir("csv-split");
  std::string text = "id,t,v\n";
  for (int s = 0; s < 10; ++s)
    for (int t = 0; t < 3; ++t)
      text += "s" + std::to_string(s) + "," + std::to_string(t) + "," + std::to_string(s) + "\n";
  const auto path = write_file(dir, "ten.csv", text);
  auto d = load(path, 0.7);
  CHECK(d.train.size() == 7);
  CHECK(d.test.size() == 3);
  auto again = load(path, 0.7);
  CHECK(test::same_dataset_bytes(d, again));
  // Every sequence appears exactly once across the splits.
  auto firsts = torch::cat({d.train.values, d.test.values}).select(1, 0).select(1, 0);
  CHECK(torch::equal(std::get<0>(firsts.sort()), torch::arange(10, torch::kFloat64)));
}

TEST_CASE("CSV: bad rows give errors naming the file and line", "[datasets][csv]") {
  test::ScratchDir dir("csv-bad");
  const std::string header = "sequence_id,time,x,y\n";
  SECTION("ragged row") {
    const auto path = write_file(dir, "ragged.csv", header + "a,0,1,2\na,1,1\n");
    CHECK_THROWS_WITH(load(path), Catch::Contains(path + ":3") && Catch::Contains("columns"));
  }
  SECTION("too many columns") {
    const auto path = write_file(dir, "wide.csv", header + "a,0,1,2\n\na,1,1,2,3\n");
    CHECK_THROWS_WITH(load(path), Catch::Contains(path + ":4"));
  }
  SECTION("non-numeric value") {
    const auto path = write_file(dir, "text.csv", header + "a,0,1,2\na,1,1,two\n");
    CHECK_THROWS_WITH(load(path), Catch::Contains(path + ":3") && Catch::Contains("'two'") &&
                                      Catch::Contains("'y'"));
  }
  SECTION("non-numeric time") {
    const auto path = write_file(dir, "time.csv", header + "a,zero,1,2\n");
    CHECK_THROWS_WITH(load(path), Catch::Contains(path + ":2") && Catch::Contains("time"));
  }
  SECTION("repeated time") {
    const auto path = write_file(dir, "dup.csv", header + "a,0,1,2\nb,0,1,2\na,0,3,4\n");
    CHECK_THROWS_WITH(load(path), Catch::Contains(path + ":4") && Catch::Contains("line 2"));
  }
  SECTION("missing file") {
    CHECK_THROWS_WITH(load((dir.path() / "absent.csv").string()), Catch::Contains("absent.csv"));
  }
}
