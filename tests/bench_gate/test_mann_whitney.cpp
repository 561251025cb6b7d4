// The U test against values worked out by hand from its definition (and matching
// scipy.stats.mannwhitneyu(x, y, alternative='two-sided'), which compare.py uses).
#include <catch2/catch.hpp>

#include "harness/bench/mann_whitney.h"

using namespace sdebench;

TEST_CASE("U test: complete separation of 3 vs 3 is exact p = 2/20") {
  // 20 equally likely orderings, only one has every x below every y: P(U <= 0) = 1/20.
  auto r = mann_whitney_u({1, 2, 3}, {4, 5, 6});
  CHECK(r.exact);
  CHECK(r.u == 0.0);
  CHECK(r.p_value == Approx(0.1).epsilon(1e-12));
  CHECK(mann_whitney_u({4, 5, 6}, {1, 2, 3}).p_value == Approx(0.1).epsilon(1e-12));
  CHECK(mann_whitney_min_p(3, 3) == Approx(0.1));
}

TEST_CASE("U test: interleaved 3 vs 3, exact distribution 1,1,2,3,3,3,3,2,1,1 / 20") {
  // x = {1,3,5}, y = {2,4,6}: pairs with x > y: (3,2), (5,2), (5,4) -> U = 3, max(U, 9 - U) = 6,
  // P(U >= 6) = (3 + 2 + 1 + 1) / 20 = 0.35, two-sided p = 0.7.
  auto r = mann_whitney_u({1, 3, 5}, {2, 4, 6});
  CHECK(r.u == 3.0);
  CHECK(r.p_value == Approx(0.7).epsilon(1e-12));
}

TEST_CASE("U test: 9 vs 9 uses the normal approximation with continuity correction") {
  // U = 81 (max), mu = 40.5, var = 81 * 19 / 12 = 128.25, z = 40 / sqrt(128.25) = 3.53208,
  // p = erfc(z / sqrt 2) = 4.12295e-4.
  std::vector<double> x, y;
  for (int i = 1; i <= 9; ++i) x.push_back(i), y.push_back(i + 9);
  auto r = mann_whitney_u(y, x);
  CHECK_FALSE(r.exact);
  CHECK(r.u == 81.0);
  CHECK(r.p_value == Approx(4.122948e-4).epsilon(1e-5));
}

TEST_CASE("U test: ties use midranks and the tie-corrected variance") {
  // Pooled 1x 2x 2x 2y 3x 3y 3y 4y: midranks 1, 3, 3, 3, 6, 6, 6, 8; R_x = 13, U_x = 3,
  // max = 13, tie term 2 * (27 - 3) = 48, var = 16/12 (9 - 48/56) = 10.857143,
  // z = 4.5 / sqrt(var) = 1.365698, p = erfc(z / sqrt 2) = 0.1720337.
  auto r = mann_whitney_u({1, 2, 2, 3}, {2, 3, 3, 4});
  CHECK_FALSE(r.exact);
  CHECK(r.u == 3.0);
  CHECK(r.p_value == Approx(0.1720337).epsilon(1e-6));
}

TEST_CASE("U test: identical samples give p = 1") {
  CHECK(mann_whitney_u({1, 1, 1}, {1, 1, 1}).p_value == 1.0);
  CHECK_THROWS(mann_whitney_u({}, {1}));
}
