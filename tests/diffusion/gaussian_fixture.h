#pragma once
// A correlated Gaussian on windows of T = 2 frames and D = 2 dimensions (T*D = 4), with the
// closed-form VP-SDE score of its noised marginals:
//   x_t ~ N(m_t, Sigma_t),  m_t = alpha_t m,  Sigma_t = alpha_t^2 Sigma + (1 - alpha_t^2) I,
//   score(x, t) = -Sigma_t^{-1} (x - m_t).
#include <torch/torch.h>

#include "methods/diffusion/vp_schedule.h"

namespace sdebench::test {

struct GaussianWindows {
  static constexpr std::int64_t T = 2, D = 2, n = T * D;
  torch::Tensor mean;    // [n]
  torch::Tensor chol;    // [n, n] lower triangular, Sigma = chol chol^T
  torch::Tensor cov;     // [n, n]

  GaussianWindows() {
    auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    mean = torch::tensor({0.5, -1.0, 0.3, 1.2}, f64);
    chol = torch::tensor({1.0, 0.0, 0.0, 0.0,    //
                          0.6, 0.8, 0.0, 0.0,    //
                          -0.3, 0.4, 0.7, 0.0,   //
                          0.2, -0.5, 0.3, 0.6},
                         f64)
               .view({4, 4});
    cov = chol.matmul(chol.t());
  }

  // [N, n] samples.
  torch::Tensor sample(std::int64_t N) const {
    return mean + torch::randn({N, n}, torch::kFloat64).matmul(chol.t());
  }

  torch::Tensor marginal_mean(const VpSchedule& s, double t) const { return s.alpha(t) * mean; }
  torch::Tensor marginal_cov(const VpSchedule& s, double t) const {
    const double a = s.alpha(t);
    return a * a * cov + (1.0 - a * a) * torch::eye(n, torch::kFloat64);
  }
  // [N, n] samples of x_t.
  torch::Tensor sample_marginal(const VpSchedule& s, double t, std::int64_t N) const {
    auto L = torch::linalg::cholesky(marginal_cov(s, t));
    return marginal_mean(s, t) + torch::randn({N, n}, torch::kFloat64).matmul(L.t());
  }
  // score for rows x [N, n] (any float dtype; computed in float64).
  torch::Tensor score(const VpSchedule& s, const torch::Tensor& x, double t) const {
    auto prec = torch::linalg::inv(marginal_cov(s, t));
    auto centred = x.to(torch::kFloat64) - marginal_mean(s, t);
    return (-centred.matmul(prec)).to(x.scalar_type());  // prec is symmetric
  }
};

inline torch::Tensor sample_mean(const torch::Tensor& x) { return x.mean(0); }
inline torch::Tensor sample_cov(const torch::Tensor& x) {
  auto c = x - x.mean(0);
  return c.t().matmul(c) / static_cast<double>(x.size(0) - 1);
}

// Monte-Carlo standard errors for N samples from N(., cov): of the mean entries [n] and of
// the covariance entries [n, n] (Var(S_ij) = (S_ii S_jj + S_ij^2) / N for Gaussian data).
inline torch::Tensor mean_standard_error(const torch::Tensor& cov, std::int64_t N) {
  return torch::sqrt(cov.diagonal() / static_cast<double>(N));
}
inline torch::Tensor cov_standard_error(const torch::Tensor& cov, std::int64_t N) {
  auto d = cov.diagonal();
  return torch::sqrt((d.unsqueeze(1) * d.unsqueeze(0) + cov * cov) / static_cast<double>(N));
}

}  // namespace sdebench::test
