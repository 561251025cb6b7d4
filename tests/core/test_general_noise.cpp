// General (matrix) noise against a closed form: dy = G dW with a constant, non-symmetric
// 2 x 2 G has Cov[y_T] = G G^T T, which Euler reproduces exactly in distribution. A transposed
// noise term (G^T dW) would give G^T G, here a different matrix; so would a mixed-up Brownian
// dimension.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "core/sde.h"
#include "core/sdeint.h"

using namespace sdebench;

namespace {

class ConstantMatrixNoise : public Sde {
 public:
  explicit ConstantMatrixNoise(torch::Tensor g) : Sde(NoiseType::General, SdeType::Ito, true), g_(g) {}
  std::int64_t state_size() const override { return g_.size(0); }
  std::int64_t brownian_size() const override { return g_.size(1); }
  torch::Tensor drift(double, const torch::Tensor& y) override { return torch::zeros_like(y); }
  torch::Tensor diffusion(double, const torch::Tensor& y) override {
    return g_.unsqueeze(0).expand({y.size(0), g_.size(0), g_.size(1)});
  }

 private:
  torch::Tensor g_;
};

}  // namespace

TEST_CASE("general noise: Cov[y_T] = G G^T T for dy = G dW with a non-symmetric G",
          "[sdeint][general_noise]") {
  const auto g = torch::tensor({{1.0, 0.8}, {0.0, 0.3}}, torch::kFloat64);
  const double T = 2.0;
  const auto expected = g.matmul(g.t()) * T;  // [[3.28, 0.48], [0.48, 0.18]]
  REQUIRE_FALSE(torch::allclose(expected, g.t().matmul(g) * T));
  ConstantMatrixNoise sde(g);
  const std::int64_t n = 40000;
  SdeintOptions options;
  options.dt = 0.1;
  options.seed = 5;
  const auto y = sdeint(sde, torch::zeros({n, 2}, torch::kFloat64), {0.0, T}, options).states[1];
  const auto centred = y - y.mean(0);
  const auto cov = centred.t().matmul(centred) / double(n - 1);
  // Sampling error of a covariance entry: sqrt((S_ii S_jj + S_ij^2) / n), about 0.016 for the
  // largest entry; 4 of them.
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      const double sii = expected[i][i].item<double>(), sjj = expected[j][j].item<double>(),
                   sij = expected[i][j].item<double>();
      const double se = std::sqrt((sii * sjj + sij * sij) / double(n));
      INFO("entry " << i << "," << j << ": " << cov[i][j].item<double>() << " vs " << sij);
      CHECK(std::fabs(cov[i][j].item<double>() - sij) < 4 * se);
    }
}
