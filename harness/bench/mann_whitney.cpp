#include "harness/bench/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace sdebench {

namespace {

// counts[u] = number of arrangements of n1 x's and n2 y's with U = u (no ties), from the
// recursion c(n1, n2, u) = c(n1 - 1, n2, u - n2) + c(n1, n2 - 1, u).
std::vector<double> u_counts(int n1, int n2) {
  std::vector<std::vector<std::vector<double>>> c(
      n1 + 1, std::vector<std::vector<double>>(n2 + 1));
  for (int a = 0; a <= n1; ++a)
    for (int b = 0; b <= n2; ++b) {
      c[a][b].assign(a * b + 1, 0.0);
      if (a == 0 || b == 0) {
        c[a][b][0] = 1.0;
        continue;
      }
      for (int u = 0; u <= a * b; ++u) {
        double v = 0.0;
        if (u - b >= 0 && u - b <= (a - 1) * b) v += c[a - 1][b][u - b];
        if (u <= a * (b - 1)) v += c[a][b - 1][u];
        c[a][b][u] = v;
      }
    }
  return c[n1][n2];
}

// P(U >= u) under the null, exact.
double exact_sf(int n1, int n2, double u) {
  auto counts = u_counts(n1, n2);
  const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  double tail = 0.0;
  for (size_t k = 0; k < counts.size(); ++k)
    if (static_cast<double>(k) >= u - 1e-9) tail += counts[k];
  return tail / total;
}

}  // namespace

UTestResult mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y) {
  const int n1 = static_cast<int>(x.size()), n2 = static_cast<int>(y.size());
  if (n1 == 0 || n2 == 0) throw std::invalid_argument("mann_whitney_u: empty sample");
  // Midranks of the pooled sample.
  std::vector<std::pair<double, int>> pooled;
  for (double v : x) pooled.push_back({v, 0});
  for (double v : y) pooled.push_back({v, 1});
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  const int n = n1 + n2;
  double rank_sum_x = 0.0, tie_term = 0.0;
  bool ties = false;
  for (int i = 0; i < n;) {
    int j = i;
    while (j + 1 < n && pooled[j + 1].first == pooled[i].first) ++j;
    const double t = j - i + 1;
    if (t > 1) ties = true;
    tie_term += t * t * t - t;
    const double midrank = (i + j) / 2.0 + 1.0;
    for (int k = i; k <= j; ++k)
      if (pooled[k].second == 0) rank_sum_x += midrank;
    i = j + 1;
  }
  UTestResult r;
  r.u = rank_sum_x - n1 * (n1 + 1) / 2.0;
  const double u_big = std::max(r.u, static_cast<double>(n1) * n2 - r.u);
  if (n1 <= 8 && n2 <= 8 && !ties) {
    r.exact = true;
    r.p_value = std::min(1.0, 2.0 * exact_sf(n1, n2, u_big));
    return r;
  }
  const double mu = n1 * n2 / 2.0;
  const double var = n1 * n2 / 12.0 * ((n + 1) - tie_term / (static_cast<double>(n) * (n - 1)));
  if (var <= 0) {  // every value equal
    r.p_value = 1.0;
    return r;
  }
  const double z = (u_big - mu - 0.5) / std::sqrt(var);
  r.p_value = std::min(1.0, std::erfc(z / std::sqrt(2.0)));  // 2 * normal sf(z)
  return r;
}

double mann_whitney_min_p(int n1, int n2) {
  if (n1 <= 0 || n2 <= 0) return 1.0;
  std::vector<double> x(n1), y(n2);
  std::iota(x.begin(), x.end(), 0.0);
  std::iota(y.begin(), y.end(), static_cast<double>(n1));
  return mann_whitney_u(x, y).p_value;
}

}  // namespace sdebench
