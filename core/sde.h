#pragma once
// The SDE interface: batched states y of shape [batch, d] (float32 or float64).
//
//   dy = f(t, y) dt + g(t, y) o dW,   W in R^m,
//
// where "o" is Ito or Stratonovich. The shape of g depends on the noise type:
//   Diagonal: g is [batch, d], m = d, g_i depends on y_i only; the noise term is g * dW.
//   Scalar:   g is [batch, d], m = 1; the noise term is g * dW with dW of shape [batch, 1].
//   General:  g is [batch, d, m]; the noise term is g @ dW.
// `additive()` says g does not depend on y (any noise type): SRK's additive scheme and
// reversible Heun's order-1 result need it.
#include <torch/types.h>

#include <string>
#include <vector>

namespace sdebench {

enum class NoiseType { Diagonal, Scalar, General };
enum class SdeType { Ito, Stratonovich };

const char* to_string(NoiseType type);
const char* to_string(SdeType type);

// One evaluation of the coefficients at (t, y). `extra_rate` is the time derivative of
// quantities integrated alongside the state (e.g. the latent SDE's KL integrand); solvers
// integrate it with the same quadrature as the drift. It is undefined when the SDE has none.
struct SdeEvaluation {
  torch::Tensor drift;       // [batch, d]
  torch::Tensor diffusion;   // see the noise type
  torch::Tensor extra_rate;  // [batch, e] or undefined
};

class Sde {
 public:
  Sde(NoiseType noise, SdeType type, bool additive = false)
      : noise_(noise), type_(type), additive_(additive) {}
  virtual ~Sde() = default;

  NoiseType noise_type() const { return noise_; }
  SdeType sde_type() const { return type_; }
  bool additive() const { return additive_; }

  // State dimension d, or -1 if any width is accepted.
  virtual std::int64_t state_size() const { return -1; }
  // Brownian dimension m for General noise (Diagonal: d, Scalar: 1).
  virtual std::int64_t brownian_size() const { return -1; }
  // Width e of the extra quantities (0 = none).
  virtual std::int64_t extra_size() const { return 0; }

  virtual torch::Tensor drift(double t, const torch::Tensor& y) = 0;
  virtual torch::Tensor diffusion(double t, const torch::Tensor& y) = 0;
  // Override to share work between drift, diffusion and the extras.
  virtual SdeEvaluation evaluate(double t, const torch::Tensor& y, bool with_extras);
  virtual torch::Tensor extra_rate(double t, const torch::Tensor& y);

  // Tensors other than module parameters that the SDE reads and that may carry a graph (e.g.
  // an encoder's output). The stochastic adjoint swaps each for a detached leaf for its two
  // sweeps and hands the leaf's gradient back to that graph; parameters get theirs in .grad.
  virtual std::vector<torch::Tensor*> graph_inputs() { return {}; }

  // Diagonal noise only: elementwise dg_i/dy_i (Milstein's correction). The default uses
  // reverse-mode autograd on sum(g), valid because g_i depends on y_i alone.
  virtual torch::Tensor diffusion_derivative(double t, const torch::Tensor& y);

  // The noise term g o dW for this noise type.
  torch::Tensor noise_term(const torch::Tensor& g, const torch::Tensor& dW) const;

  // Brownian dimension for a state of width d.
  std::int64_t brownian_dim(std::int64_t d) const;

 private:
  NoiseType noise_;
  SdeType type_;
  bool additive_;
};

}  // namespace sdebench
