#include "core/nn/tangent.h"

#include <limits>

#include <torch/torch.h>

#include "core/nn/mlp.h"
#include "core/nn/tangent_contract.h"

namespace sdebench {

Dual dual_linear(const Dual& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  Dual y;
  y.value = torch::nn::functional::linear(x.value, weight, bias);
  if (x.has_tangent()) y.tangent = torch::matmul(x.tangent, weight.t());
  return y;
}

Dual dual_activate(const Dual& x, Activation act) {
  Dual y;
  if (act == Activation::Identity) return x;
  if (!x.has_tangent()) {
    y.value = activate(x.value, act);
    return y;
  }
  // Share the sigmoid between value and derivative where the activation allows it.
  switch (act) {
    case Activation::SiLU: {
      auto s = torch::sigmoid(x.value);
      y.value = x.value * s;
      y.tangent = x.tangent * (s * (1 + x.value * (1 - s)));
      return y;
    }
    case Activation::Sigmoid: {
      auto s = torch::sigmoid(x.value);
      y.value = s;
      y.tangent = x.tangent * (s * (1 - s));
      return y;
    }
    case Activation::Tanh: {
      auto t = torch::tanh(x.value);
      y.value = t;
      y.tangent = x.tangent * (1 - t * t);
      return y;
    }
    default:
      y.value = activate(x.value, act);
      y.tangent = x.tangent * activate_derivative(x.value, act);
      return y;
  }
}

Dual dual_cat(const std::vector<Dual>& parts, std::int64_t dim) {
  std::vector<torch::Tensor> values, tangents;
  bool any = false;
  for (const auto& p : parts) {
    values.push_back(p.value);
    any = any || p.has_tangent();
  }
  Dual y;
  y.value = torch::cat(values, dim);
  if (any) {
    for (const auto& p : parts)
      tangents.push_back(p.has_tangent() ? p.tangent : torch::zeros_like(p.value));
    y.tangent = torch::cat(tangents, dim);
  }
  return y;
}

Dual dual_softmax(const Dual& x, std::int64_t dim) {
  Dual y;
  y.value = torch::softmax(x.value, dim);
  if (x.has_tangent()) {
    auto mean = (y.value * x.tangent).sum(dim, /*keepdim=*/true);
    y.tangent = y.value * (x.tangent - mean);
  }
  return y;
}

Dual dual_mlp(const MLPImpl& mlp, const Dual& x) {
  const auto& layers = mlp.layers();
  Dual h = x;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    h = dual_linear(h, layers[i]->weight, layers[i]->bias);
    if (i + 1 < layers.size()) h = dual_activate(h, mlp.activation());
  }
  return h;
}

namespace {

// The attention's context and its tangent, [B, Q, H]: weights w (with any fixed extra weight
// folded in) and their tangent share one contraction with the values.
Dual attention_context(const torch::Tensor& w, const torch::Tensor& w_tangent,
                       const torch::Tensor& values) {
  const auto Q = w.size(1);
  Dual ctx;
  if (!w_tangent.defined()) {
    ctx.value = small_batched_matmul(w, values);
    return ctx;
  }
  auto both = small_batched_matmul(torch::cat({w, w_tangent}, 1), values);
  ctx.value = both.narrow(1, 0, Q);
  ctx.tangent = both.narrow(1, Q, Q);
  return ctx;
}

}  // namespace

Dual time_attention(const Dual& query, const torch::Tensor& keys, const torch::Tensor& values,
                    double scale, double last_weight) {
  // score_j = -a^2 (t_j - t)^2, d score_j / dt = 2 a^2 (t_j - t).
  auto diff = keys.view({1, 1, -1}) - query.value.unsqueeze(-1);  // [B, Q, T]
  const double a2 = scale * scale;
  Dual score;
  score.value = diff.square() * (-a2);
  if (query.has_tangent()) score.tangent = diff * (2 * a2) * query.tangent.unsqueeze(-1);
  auto weights = dual_softmax(score, -1);
  auto w = weights.value;
  if (last_weight != 0.0) {
    auto last = torch::zeros({w.size(-1)}, w.options());
    last[-1] = last_weight;
    w = w + last;
  }
  return attention_context(w, weights.tangent, values);
}

Dual time_attention(const Dual& query, const torch::Tensor& keys, const torch::Tensor& lengths,
                    const torch::Tensor& values, const torch::Tensor& scale, double last_weight) {
  const auto B = keys.size(0), T = keys.size(1);
  auto diff = keys.unsqueeze(1) - query.value.unsqueeze(-1);  // [B, Q, T]
  auto a2 = scale.square().to(diff.scalar_type()).view({B, 1, 1});
  auto slot = torch::arange(T, lengths.options()).unsqueeze(0);           // [1, T]
  auto padding = (slot >= lengths.unsqueeze(1)).unsqueeze(1);           // [B, 1, T]
  Dual score;
  score.value = (diff.square() * (-a2)).masked_fill(padding, -std::numeric_limits<double>::infinity());
  if (query.has_tangent())
    score.tangent = (diff * (2 * a2) * query.tangent.unsqueeze(-1)).masked_fill(padding, 0.0);
  auto weights = dual_softmax(score, -1);
  auto w = weights.value;
  if (last_weight != 0.0) {
    auto last = torch::one_hot(lengths - 1, T).to(w.scalar_type()).unsqueeze(1);  // [B, 1, T]
    w = w + last * last_weight;
  }
  return attention_context(w, weights.tangent, values);
}

}  // namespace sdebench
