#pragma once
// Small SDEs with known solutions for the core tests.
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "core/sde.h"

namespace sdebench::testing {

// dX = mu X dt + sigma X dW (Ito) or o dW (Stratonovich). Closed form given W_T:
//   Ito:  X_T = X_0 exp((mu - sigma^2/2) T + sigma W_T);  Stratonovich: X_T = X_0 exp(mu T + sigma W_T).
struct GeometricBrownianMotion : Sde {
  double mu, sigma;
  GeometricBrownianMotion(double mu, double sigma, SdeType type)
      : Sde(NoiseType::Diagonal, type), mu(mu), sigma(sigma) {}
  torch::Tensor drift(double, const torch::Tensor& y) override { return mu * y; }
  torch::Tensor diffusion(double, const torch::Tensor& y) override { return sigma * y; }
  torch::Tensor exact(const torch::Tensor& y0, double T, const torch::Tensor& W) const {
    const double a = sde_type() == SdeType::Ito ? mu - 0.5 * sigma * sigma : mu;
    return y0 * torch::exp(a * T + sigma * W);
  }
};

// dX = -sin(X) dt + s (1 + t) dW: additive, time-dependent noise, nonlinear drift.
struct AdditiveSine : Sde {
  double s;
  explicit AdditiveSine(double s, SdeType type = SdeType::Ito)
      : Sde(NoiseType::Diagonal, type, /*additive=*/true), s(s) {}
  torch::Tensor drift(double, const torch::Tensor& y) override { return -torch::sin(y); }
  torch::Tensor diffusion(double t, const torch::Tensor& y) override {
    return torch::full_like(y, s * (1.0 + t));
  }
};

// Ornstein-Uhlenbeck dX = theta (m - X) dt + sigma dW.
struct OrnsteinUhlenbeck : Sde {
  double theta, m, sigma;
  OrnsteinUhlenbeck(double theta, double m, double sigma)
      : Sde(NoiseType::Diagonal, SdeType::Ito, true), theta(theta), m(m), sigma(sigma) {}
  torch::Tensor drift(double, const torch::Tensor& y) override { return theta * (m - y); }
  torch::Tensor diffusion(double, const torch::Tensor& y) override {
    return torch::full_like(y, sigma);
  }
  double mean(double x0, double t) const { return m + (x0 - m) * std::exp(-theta * t); }
  double variance(double t) const {
    return sigma * sigma * (1 - std::exp(-2 * theta * t)) / (2 * theta);
  }
};

// Least-squares slope of log(err) against log(dt).
inline double loglog_slope(const std::vector<double>& dts, const std::vector<double>& errs) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double n = static_cast<double>(dts.size());
  for (std::size_t i = 0; i < dts.size(); ++i) {
    const double x = std::log(dts[i]), y = std::log(errs[i]);
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

}  // namespace sdebench::testing
