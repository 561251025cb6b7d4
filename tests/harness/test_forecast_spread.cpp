// harness/report/forecast_spread: the curve is each std row's mean square, for the chosen
// sequence only, and empty for files without std rows.
#include <catch2/catch.hpp>

#include "harness/report/forecast_spread.h"

using namespace sdebench;

TEST_CASE("the forecast spread is the mean over dimensions of std squared, per time",
          "[report][spread]") {
  const CsvTable table = parse_csv(
      "kind,sequence,time,x0,x1,x2\n"
      "data,0,0,9,9,9\n"
      "mean,0,0,1,2,3\n"
      "std,0,0,1,2,2\n"
      "std,0,0.5,0,3,0\n"
      "std,1,0,7,7,7\n"
      "sample,0,0.5,4,4,4\n");
  const auto curve = forecast_spread(table);
  REQUIRE(curve.size() == 2);
  CHECK(curve[0].first == 0.0);
  CHECK(curve[0].second == Approx((1.0 + 4.0 + 4.0) / 3));
  CHECK(curve[1].first == 0.5);
  CHECK(curve[1].second == Approx(9.0 / 3));
  const auto other = forecast_spread(table, "1");
  REQUIRE(other.size() == 1);
  CHECK(other[0].second == Approx(49.0));
  CHECK(forecast_spread(parse_csv("kind,sequence,time,x0\ndata,0,0,1\nmean,0,0,1\n")).empty());
}
