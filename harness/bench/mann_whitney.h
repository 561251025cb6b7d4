#pragma once
// Two-sided Mann-Whitney U test, computed as scipy.stats.mannwhitneyu(x, y,
// alternative='two-sided') does (what Google Benchmark's compare.py calls): the exact null
// distribution when both samples have at most 8 values and there are no ties, otherwise the
// normal approximation with tie and continuity corrections.
#include <vector>

namespace sdebench {

struct UTestResult {
  double u = 0.0;        // U statistic of x (number of pairs with x > y, ties count 1/2)
  double p_value = 1.0;  // two-sided
  bool exact = false;
};

UTestResult mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y);

// The smallest two-sided p-value samples of these sizes can reach (complete separation).
double mann_whitney_min_p(int n1, int n2);

}  // namespace sdebench
