// Result files and metrics: JSON/CSV round trips, statistics, energy distance, forecast MSE.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "harness/results/atomic_write.h"
#include "harness/results/csv.h"
#include "harness/results/json.h"
#include "harness/runner/evaluator.h"
#include "harness/runner/summary.h"
#include "harness/stats.h"
#include "temp_dir.h"

using namespace sdebench;

TEST_CASE("a summary-shaped file round-trips: exact numbers, non-finite as null read as NaN, "
          "keys in written order", "[results][json]") {
  testing::TempDir tmp;
  Json j = Json::object();
  j["status"] = "diverged";
  j["iterations"] = std::int64_t{123456789012};
  j["final_metrics"]["test_nelbo"] = 0.1;
  j["final_metrics"]["third"] = 1.0 / 3.0;
  j["final_metrics"]["tiny"] = -1.5e-300;
  j["final_metrics"]["nan"] = std::numeric_limits<double>::quiet_NaN();
  j["final_metrics"]["inf"] = std::numeric_limits<double>::infinity();
  j["error"] = "quote \" newline \n";
  const std::string path = tmp.path + "/summary.json";
  write_file_atomic(path, to_file_text(j));
  REQUIRE(read_text_file(path).back() == '\n');

  const Json back = read_json_file(path);
  REQUIRE(number_or(back, "iterations", 0) == 123456789012.0);
  REQUIRE(back.at("iterations").get<std::int64_t>() == 123456789012);
  REQUIRE(string_or(back, "error", "") == "quote \" newline \n");
  const Json& m = back.at("final_metrics");
  REQUIRE(as_number(m.at("test_nelbo")) == 0.1);
  REQUIRE(as_number(m.at("third")) == 1.0 / 3.0);
  REQUIRE(as_number(m.at("tiny")) == -1.5e-300);
  REQUIRE(m.at("nan").is_null());
  REQUIRE(std::isnan(as_number(m.at("nan"))));
  REQUIRE(std::isnan(as_number(m.at("inf"))));
  std::vector<std::string> keys;
  for (const auto& [key, value] : back.items()) keys.push_back(key);
  REQUIRE(keys == std::vector<std::string>{"status", "iterations", "final_metrics", "error"});
  keys.clear();
  for (const auto& [key, value] : m.items()) keys.push_back(key);
  REQUIRE(keys == std::vector<std::string>{"test_nelbo", "third", "tiny", "nan", "inf"});
  // An error message that is not UTF-8 still gets written.
  REQUIRE(Json::parse(to_file_text(Json("caf\xe9"))).get<std::string>() == "caf\xef\xbf\xbd");
}

TEST_CASE("lenient JSON reads fall back on absent, null and mistyped values", "[results][json]") {
  const Json j = Json::parse(R"({"n": 2, "x": 0.5, "s": "a", "null": null, "list": [1]})");
  REQUIRE(number_or(j, "n", -1) == 2);  // integers and floats both read as numbers
  REQUIRE(number_or(j, "x", -1) == 0.5);
  REQUIRE(number_or(j, "missing", -1) == -1);
  REQUIRE(number_or(j, "null", -1) == -1);
  REQUIRE(number_or(j, "s", -1) == -1);
  REQUIRE(number_or(j.at("list"), "n", -1) == -1);  // not an object
  REQUIRE(string_or(j, "s", "?") == "a");
  REQUIRE(string_or(j, "n", "?") == "?");
  REQUIRE(string_or(j, "missing", "?") == "?");
  REQUIRE_THROWS(as_number(j.at("s")));
}

TEST_CASE("a JSON file that does not parse is named in the error", "[results][json]") {
  testing::TempDir tmp;
  const std::string path = tmp.path + "/summary.json";
  write_file_atomic(path, "{\"status\": }");
  REQUIRE_THROWS_WITH(read_json_file(path), Catch::Contains("cannot read '" + path + "'"));
  REQUIRE_THROWS_WITH(read_json_file(tmp.path + "/absent.json"), Catch::Contains("absent.json"));
}

TEST_CASE("csv round-trips quoted fields and exact numbers", "[results][csv]") {
  CsvTable t;
  t.header = {"name", "value"};
  t.rows = {{"plain", format_number(0.1)},
            {"with, comma", format_number(std::nan(""))},
            {"with \"quote\"", format_number(-std::numeric_limits<double>::infinity())},
            {"x", format_number(1.0 / 3.0)}};
  CsvTable back = parse_csv(format_csv(t));
  REQUIRE(back.header == t.header);
  REQUIRE(back.rows == t.rows);
  REQUIRE(back.number(0, "value") == 0.1);
  REQUIRE(std::isnan(back.number(1, "value")));
  REQUIRE(back.number(2, "value") == -std::numeric_limits<double>::infinity());
  REQUIRE(back.number(3, "value") == 1.0 / 3.0);
  REQUIRE(std::isnan(back.number(0, "missing")));
  // An empty table survives a round trip as an empty table (a resumed run relies on it).
  CsvTable empty = parse_csv(format_csv(CsvTable{}));
  REQUIRE(empty.header.empty());
  REQUIRE(empty.rows.empty());
  REQUIRE(parse_csv("\n").header.empty());
}

TEST_CASE("quantiles interpolate like numpy; t-intervals use Student's t", "[stats]") {
  REQUIRE(median({3.0, 1.0, 2.0}) == 2.0);
  REQUIRE(median({4.0, 1.0, 2.0, 3.0}) == 2.5);
  // numpy.quantile([1..10], 0.9) = 9.1
  REQUIRE(quantile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9) == Approx(9.1));
  // Table values of t_{0.975, df}.
  REQUIRE(student_t_975(1) == Approx(12.706204736174707).epsilon(1e-10));
  REQUIRE(student_t_975(2) == Approx(4.302652729911275).epsilon(1e-10));
  REQUIRE(student_t_975(10) == Approx(2.2281388519649385).epsilon(1e-10));
  MeanInterval m = mean_interval_95({1.0, 2.0, 6.0, std::nan("")});
  REQUIRE(m.n == 3);
  REQUIRE(m.mean == Approx(3.0));
  REQUIRE(m.std == Approx(std::sqrt(7.0)));  // ((4 + 1 + 9) / 2)
  REQUIRE(m.half_width == Approx(4.302652729911275 * std::sqrt(7.0) / std::sqrt(3.0)));
  REQUIRE(std::isnan(mean_interval_95({5.0}).half_width));
}

TEST_CASE("energy distance matches a direct double loop and is zero for identical samples", "[metrics]") {
  torch::manual_seed(0);
  auto x = torch::randn({7, 3}, torch::kFloat64);
  auto y = torch::randn({5, 3}, torch::kFloat64) + 0.5;
  auto dist = [](const torch::Tensor& a, const torch::Tensor& b, int i, int j) {
    return (a[i] - b[j]).pow(2).sum().sqrt().item<double>();
  };
  double xy = 0, xx = 0, yy = 0;
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 5; ++j) xy += dist(x, y, i, j);
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 7; ++j) xx += dist(x, x, i, j);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) yy += dist(y, y, i, j);
  const double expected = 2 * xy / 35 - xx / 49 - yy / 25;
  REQUIRE(energy_distance(x, y) == Approx(expected).epsilon(1e-12));
  REQUIRE(energy_distance(x, x) == Approx(0.0).margin(1e-12));
  // Path version: the mean over times, skipping sequences with missing values at a time.
  auto paths = torch::randn({6, 2, 3}, torch::kFloat64);
  auto values = torch::randn({4, 2, 3}, torch::kFloat64);
  auto mask = torch::ones_like(values);
  mask[0][1][2] = 0;  // sequence 0 is left out at time 1
  const double t0 = energy_distance(paths.select(1, 0), values.select(1, 0));
  const double t1 = energy_distance(paths.select(1, 1), values.select(1, 1).slice(0, 1));
  REQUIRE(path_energy_distance(paths, values, mask) == Approx((t0 + t1) / 2).epsilon(1e-12));
}

TEST_CASE("forecast MSE is computed after the context frames, in data units, over observed entries", "[metrics]") {
  // One sequence, 4 times, 1 dim; normalisation mean 10, std 2.
  auto forecast = torch::tensor({0.0, 0.0, 1.0, 2.0}, torch::kFloat64).view({1, 4, 1});
  auto values = torch::tensor({5.0, 5.0, 0.0, 0.5}, torch::kFloat64).view({1, 4, 1});
  auto mask = torch::ones({1, 4, 1}, torch::kFloat64);
  auto mean = torch::full({1}, 10.0, torch::kFloat64), std = torch::full({1}, 2.0, torch::kFloat64);
  // Context 2: errors (1 - 0) * 2 = 2 and (2 - 0.5) * 2 = 3 -> (4 + 9) / 2.
  REQUIRE(forecast_mse(forecast, values, mask, 2, mean, std) == Approx(6.5));
  mask[0][3][0] = 0;
  REQUIRE(forecast_mse(forecast, values, mask, 2, mean, std) == Approx(4.0));
}

TEST_CASE("the seed is dropped from sweep labels for grouping", "[results]") {
  REQUIRE(label_without_seed("method.name=a seed=3 training.lr=0.1") == "method.name=a training.lr=0.1");
  REQUIRE(label_without_seed("seed=0") == "");
  REQUIRE(group_label("method.name=a seed=3 dataset.name=b training.lr=0.1") == "training.lr=0.1");
}
