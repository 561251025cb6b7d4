#include "core/nn/fast_layers.h"

#include <ATen/Parallel.h>

#include "core/nn/softplus_kernels.h"

namespace sdebench {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

bool fast_float(const torch::Tensor& x) {
  return x.scalar_type() == torch::kFloat32 && x.device().is_cpu();
}

// Elementwise kernels over n floats, split over the intra-op threads in large blocks.
void elementwise_in_blocks(std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& fn) {
  at::parallel_for(0, n, 16384, fn);
}

struct SoftplusSavingOutput : public torch::autograd::Function<SoftplusSavingOutput> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x) {
    torch::Tensor a;
    if (fast_float(x)) {
      auto xc = x.contiguous();
      a = torch::empty_like(xc);
      const float* in = xc.data_ptr<float>();
      float* out = a.data_ptr<float>();
      elementwise_in_blocks(xc.numel(), [&](std::int64_t lo, std::int64_t hi) {
        kernels::softplus_forward(in + lo, out + lo, hi - lo);
      });
    } else {
      a = torch::softplus(x);
    }
    ctx->save_for_backward({a});
    return a;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto a = ctx->get_saved_variables()[0];
    if (!fast_float(a)) return {grads[0] * torch::expm1(-a).neg_()};  // sigmoid = 1 - e^-a
    auto g = grads[0].contiguous();
    auto out = torch::empty_like(a);
    const float *gp = g.data_ptr<float>(), *ap = a.data_ptr<float>();
    float* op = out.data_ptr<float>();
    elementwise_in_blocks(a.numel(), [&](std::int64_t lo, std::int64_t hi) {
      kernels::softplus_backward(gp + lo, ap + lo, op + lo, hi - lo);
    });
    return {out};
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

// The float32 diffusion nets, fused: weights copied into [d, H rounded up to 8] with zero
// padding, rows split over the intra-op threads; the backward's weight gradients are summed
// per thread and then over threads in a fixed order (same numbers for the same threads).
struct PaddedDiffusionWeights {
  torch::Tensor w1, b1, w2, b2;
  std::int64_t hidden = 0;
  kernels::DiffusionWeights view() const {
    return {w1.data_ptr<float>(), b1.data_ptr<float>(), w2.data_ptr<float>(),
            b2.data_ptr<float>(), w1.size(0), w1.size(1)};
  }
};

PaddedDiffusionWeights pad_weights(const torch::Tensor& w1, const torch::Tensor& b1,
                                   const torch::Tensor& w2, const torch::Tensor& b2) {
  const auto H = w1.size(1), Hp = (H + 7) / 8 * 8;
  auto pad = [&](const torch::Tensor& w) {
    auto p = torch::zeros({w.size(0), Hp}, w.options());
    p.narrow(1, 0, H).copy_(w);
    return p;
  };
  return {pad(w1.detach()), pad(b1.detach()), pad(w2.detach()), b2.detach().contiguous(), H};
}

constexpr std::int64_t kDiffusionRowsPerTask = 64;

struct FusedDiagonalDiffusion : public torch::autograd::Function<FusedDiagonalDiffusion> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& z,
                               const torch::Tensor& w1, const torch::Tensor& b1,
                               const torch::Tensor& w2, const torch::Tensor& b2) {
    auto zc = z.contiguous();
    const auto weights = pad_weights(w1, b1, w2, b2);
    const auto view = weights.view();
    auto g = torch::empty_like(zc);
    const float* zp = zc.data_ptr<float>();
    float* gp = g.data_ptr<float>();
    at::parallel_for(0, zc.size(0), kDiffusionRowsPerTask, [&](std::int64_t lo, std::int64_t hi) {
      kernels::diagonal_diffusion_forward(view, zp, gp, lo, hi);
    });
    ctx->save_for_backward({zc, w1, b1, w2, b2, g});
    return g;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &z = saved[0], &g = saved[5];
    const auto weights = pad_weights(saved[1], saved[2], saved[3], saved[4]);
    const auto view = weights.view();
    const auto d = view.dims, Hp = view.hidden_padded, H = weights.hidden;
    auto grad_g = grads[0].contiguous();
    auto grad_z = torch::empty_like(z);
    // Per-thread partial sums [threads, 3, d, Hp] (w1, b1, w2) and [threads, d] (b2).
    const auto threads = static_cast<std::int64_t>(at::get_num_threads());
    auto partial = torch::zeros({threads, 3, d, Hp}, z.options());
    auto partial_b2 = torch::zeros({threads, d}, z.options());
    const float *zp = z.data_ptr<float>(), *gp = g.data_ptr<float>(),
                *ggp = grad_g.data_ptr<float>();
    float* gzp = grad_z.data_ptr<float>();
    at::parallel_for(0, z.size(0), kDiffusionRowsPerTask, [&](std::int64_t lo, std::int64_t hi) {
      const auto tid = std::min<std::int64_t>(at::get_thread_num(), threads - 1);
      float* acc = partial[tid].data_ptr<float>();
      kernels::diagonal_diffusion_backward(view, zp, gp, ggp, gzp, acc, acc + d * Hp,
                                           acc + 2 * d * Hp,
                                           partial_b2[tid].data_ptr<float>(), lo, hi);
    });
    auto total = partial.sum(0).narrow(2, 0, H);  // [3, d, H]
    return {grad_z, total[0].contiguous(), total[1].contiguous(), total[2].contiguous(),
            partial_b2.sum(0)};
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
  if (fast_float(z) && fast_float(w1)) return FusedDiagonalDiffusion::apply(z, w1, b1, w2, b2);
  return DiagonalDiffusionRecompute::apply(z, w1, b1, w2, b2);
}

}  // namespace sdebench
