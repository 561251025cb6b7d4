// The claims arithmetic against hand computations: the geometric-mean ratio and its t-interval
// on the log scale, and time to target read from eval.csv rows.
#include <catch2/catch.hpp>

#include <cmath>

#include "harness/stats.h"
#include "harness/suite/claims.h"

using namespace sdebench;

TEST_CASE("ratio_interval_95 is the geometric mean with a t-interval of the log ratios",
          "[suite][claims]") {
  // ratios 2 and 8: logs ln 2 and 3 ln 2, mean 2 ln 2 (geometric mean 4), sample sd
  // sqrt(2) ln 2, half-width t_{0.975,1} sd / sqrt(2) = 12.7062 ln 2.
  const RatioInterval r = ratio_interval_95({2.0, 8.0});
  CHECK(r.n == 2);
  CHECK(r.mean == Approx(4.0));
  CHECK(r.low == Approx(4.0 * std::exp(-12.7062047 * std::log(2.0))).epsilon(1e-6));
  CHECK(r.high == Approx(4.0 * std::exp(12.7062047 * std::log(2.0))).epsilon(1e-6));
  // Equal ratios: a zero-width interval; non-positive and non-finite ratios are skipped.
  const RatioInterval same = ratio_interval_95({3.0, 3.0, 3.0, 0.0, std::nan("")});
  CHECK(same.n == 3);
  CHECK(same.mean == Approx(3.0));
  CHECK(same.low == Approx(3.0));
  CHECK(same.high == Approx(3.0));
  CHECK(ratio_interval_95({}).n == 0);
}

TEST_CASE("time_to_target is the training time of the first evaluation at or below the target",
          "[suite][claims]") {
  RunRecord run;
  run.evals.header = {"iteration", "time_s", "test_nelbo"};
  run.evals.rows = {{"100", "10.5", "900"}, {"200", "21", "450"}, {"300", "32", "400"},
                    {"400", "43", "500"}};
  CHECK(time_to_target(run, "test_nelbo", 450) == Approx(21));
  CHECK(time_to_target(run, "test_nelbo", 420) == Approx(32));
  CHECK(time_to_target(run, "test_nelbo", 1000) == Approx(10.5));
  CHECK(std::isnan(time_to_target(run, "test_nelbo", 100)));
  CHECK(std::isnan(time_to_target(run, "test_mse", 100)));  // a metric the run lacks
}
