// metrics.csv and eval.csv rows: columns fixed by the first row, later rows follow them.
#include <catch2/catch.hpp>

#include <cmath>

#include "harness/runner/metric_rows.h"

using namespace sdebench;

TEST_CASE("step rows keep the first row's term columns and fill gaps with NaN", "[harness][metrics]") {
  CsvTable metrics;
  StepRecord step;
  step.iteration = 1;
  step.kl_weight = 0.25;
  append_step_row(metrics, step, LossTerms{3.0, {{"rec", 2.0}, {"kl", 1.0}}});
  step.iteration = 2;
  append_step_row(metrics, step, LossTerms{4.0, {{"kl", 0.5}, {"extra", 9.0}}});
  REQUIRE(metrics.header.size() == 9);
  CHECK(metrics.column("rec") == 7);
  CHECK(metrics.column("extra") == -1);  // a term the first row did not have gets no column
  CHECK(metrics.number(0, "kl_weight") == 0.25);
  CHECK(metrics.number(1, "loss") == 4.0);
  CHECK(metrics.number(1, "kl") == 0.5);
  CHECK(std::isnan(metrics.number(1, "rec")));
}

TEST_CASE("a loss term named like a harness column is refused", "[harness][metrics]") {
  CsvTable metrics;
  CHECK_THROWS_WITH(append_step_row(metrics, StepRecord{}, LossTerms{1.0, {{"kl_weight", 1.0}}}),
                    Catch::Contains("'kl_weight'") && Catch::Contains("rename"));
}

TEST_CASE("eval rows name every metric in the progress line", "[harness][metrics]") {
  CsvTable evals;
  const std::string line = append_eval_row(evals, 10, 1.5, 0.25, {{"test_mse", 0.125}});
  CHECK(line == "[eval] iteration 10 test_mse 0.125");
  CHECK(evals.number(0, "test_mse") == 0.125);
  CHECK(evals.number(0, "eval_s") == 0.25);
}
