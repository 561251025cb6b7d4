#pragma once
// Forward-mode (tangent) propagation of a time derivative through small layers.
//
// A Dual carries a value and its derivative along one direction (here d/dt). Every function
// below maps Duals to Duals with ordinary differentiable torch ops, so reverse-mode autograd
// can differentiate the tangent with respect to parameters: SDE Matching puts d mu/dt inside
// its loss and needs the parameter gradient of it. An undefined tangent means "zero" and is
// skipped (no wasted GEMM for inputs that do not depend on t).
#include <torch/types.h>

#include <vector>

#include "core/nn/activation.h"

namespace sdebench {

class MLPImpl;

struct Dual {
  torch::Tensor value;
  torch::Tensor tangent;  // same shape as value, or undefined = 0
  bool has_tangent() const { return tangent.defined(); }
};

// y = x W^T + b, dy = dx W^T. Works on any leading shape [..., in].
Dual dual_linear(const Dual& x, const torch::Tensor& weight, const torch::Tensor& bias);
// y = act(x), dy = act'(x) dx.
Dual dual_activate(const Dual& x, Activation act);
// Concatenation; parts without a tangent contribute zeros.
Dual dual_cat(const std::vector<Dual>& parts, std::int64_t dim);
// y = softmax(x) along dim, dy = y * (dx - sum(y * dx)).
Dual dual_softmax(const Dual& x, std::int64_t dim);
// The MLP's layers and activation applied to a Dual.
Dual dual_mlp(const MLPImpl& mlp, const Dual& x);

// The reference notebook's time attention, with query times as Duals:
//   ctx(t) = sum_j softmax_j(-(a (t_j - t))^2) values_j + last_weight * values_T
// query: [B, Q] (tangent: d t / d(direction), e.g. ones), keys: [T], values: [B, T, H]
// (constant in t). Returns [B, Q, H]. The notebook's "+ h_last" (last_weight = 1) is folded
// into the weights, and value and tangent share one contraction (small_batched_matmul).
Dual time_attention(const Dual& query, const torch::Tensor& keys, const torch::Tensor& values,
                    double scale, double last_weight = 0.0);

// The same attention when each sequence has its own times (issue 19): keys [B, T] with
// `lengths` [B] (int64) real keys per row (later slots are padding and get weight 0), a scale
// per row ([B]), and the last_weight on each row's last real key.
Dual time_attention(const Dual& query, const torch::Tensor& keys, const torch::Tensor& lengths,
                    const torch::Tensor& values, const torch::Tensor& scale,
                    double last_weight = 0.0);

}  // namespace sdebench
