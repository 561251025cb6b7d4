#include "methods/latent_sde/fast_layers.h"

#include <ATen/Parallel.h>

namespace sdebench {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct SoftplusSavingOutput : public torch::autograd::Function<SoftplusSavingOutput> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x) {
    auto a = torch::softplus(x);
    ctx->save_for_backward({a});
    return a;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto a = ctx->get_saved_variables()[0];
    return {grads[0] * torch::expm1(-a).neg_()};  // sigmoid(x) = 1 - exp(-softplus(x))
  }
};

// Pre-activations in [d, B, H] layout, so each dimension's block is one GEMM operand.
torch::Tensor pre_activation(const torch::Tensor& z, const torch::Tensor& w1,
                             const torch::Tensor& b1) {
  return torch::addcmul(b1.unsqueeze(1), z.t().unsqueeze(2), w1.unsqueeze(1));
}

struct DiagonalDiffusionRecompute : public torch::autograd::Function<DiagonalDiffusionRecompute> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& z,
                               const torch::Tensor& w1, const torch::Tensor& b1,
                               const torch::Tensor& w2, const torch::Tensor& b2) {
    auto act = torch::softplus(pre_activation(z, w1, b1));           // [d, B, H]
    auto u = torch::bmm(act, w2.unsqueeze(2)).squeeze(2).t();          // [B, d]
    auto g = torch::sigmoid(u + b2);
    ctx->save_for_backward({z, w1, b1, w2, g});
    return g;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &z = saved[0], &w1 = saved[1], &b1 = saved[2], &w2 = saved[3], &g = saved[4];
    auto du = (grads[0] * g * (1 - g)).t().contiguous();  // [d, B]
    auto act = torch::softplus(pre_activation(z, w1, b1));  // [d, B, H]
    auto slope = torch::expm1(-act).neg_();                  // sigmoid(pre)
    auto dw2 = torch::bmm(du.unsqueeze(1), act).squeeze(1);  // [d, H]
    auto coeffs = torch::stack({du, du * z.t()}, 1);         // [d, 2, B]
    auto m = torch::bmm(coeffs, slope);                      // [d, 2, H]
    auto db1 = w2 * m.select(1, 0);
    auto dw1 = w2 * m.select(1, 1);
    auto dz = (du * torch::bmm(slope, (w1 * w2).unsqueeze(2)).squeeze(2)).t();
    auto db2 = du.sum(1);
    return {dz, dw1, db1, dw2, db2};
  }
};

// Runs fn on two halves of [0, rows) on the intra-op threads (or whole, when small).
void split_rows(std::int64_t rows, std::int64_t min_rows,
                const std::function<void(std::int64_t, std::int64_t)>& fn) {
  const std::int64_t half = (rows + 1) / 2;
  if (rows < min_rows || at::get_num_threads() < 2 || at::in_parallel_region())
    return fn(0, rows);
  at::parallel_for(0, 2, 1, [&](std::int64_t begin, std::int64_t end) {
    // Grad mode is thread-local and the OpenMP worker does not inherit the caller's: the
    // blocks are raw kernels inside a custom Function, so no graph is wanted on any thread.
    torch::NoGradGuard no_grad;
    for (std::int64_t i = begin; i < end; ++i) {
      const std::int64_t lo = i * half, hi = std::min(rows, lo + half);
      if (hi > lo) fn(lo, hi);
    }
  });
}

struct ParallelLinear : public torch::autograd::Function<ParallelLinear> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias) {
    auto xc = x.contiguous();
    auto y = torch::empty({xc.size(0), weight.size(0)}, xc.options());
    auto wt = weight.t();
    split_rows(xc.size(0), 256, [&](std::int64_t lo, std::int64_t hi) {
      auto out = y.narrow(0, lo, hi - lo);
      at::addmm_out(out, bias, xc.narrow(0, lo, hi - lo), wt);
    });
    ctx->save_for_backward({xc, weight});
    return y;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &weight = saved[1];
    auto gy = grads[0].contiguous();
    auto gx = torch::empty_like(x);
    auto gw = torch::empty_like(weight);
    auto gyt = gy.t();
    // dX rows split over the batch; dW rows split over the output features.
    split_rows(gy.size(0), 256, [&](std::int64_t lo, std::int64_t hi) {
      auto out = gx.narrow(0, lo, hi - lo);
      at::mm_out(out, gy.narrow(0, lo, hi - lo), weight);
    });
    split_rows(weight.size(0), 64, [&](std::int64_t lo, std::int64_t hi) {
      auto out = gw.narrow(0, lo, hi - lo);
      at::mm_out(out, gyt.narrow(0, lo, hi - lo), x);
    });
    return {gx, gw, gy.sum(0)};
  }
};

}  // namespace

torch::Tensor parallel_linear(const torch::Tensor& x, const torch::Tensor& weight,
                              const torch::Tensor& bias) {
  return ParallelLinear::apply(x, weight, bias);
}

torch::Tensor softplus_saving_output(const torch::Tensor& x) {
  return SoftplusSavingOutput::apply(x);
}

torch::Tensor diagonal_diffusion_recompute(const torch::Tensor& z, const torch::Tensor& w1,
                                           const torch::Tensor& b1, const torch::Tensor& w2,
                                           const torch::Tensor& b2) {
  return DiagonalDiffusionRecompute::apply(z, w1, b1, w2, b2);
}

}  // namespace sdebench
