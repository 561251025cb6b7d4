// fast_gru: the fused GRU forward and its hand-written backward as a custom autograd
// Function (the design and measured numbers are in core/nn/gru.cpp's header comment).
//
// Layout. Internal buffers are time-major, [T, B, ...], so that one step's rows of a batch
// block are contiguous matrices for the GEMMs. The output stays batch-first [B, T, H]; the
// gate kernels write it through a row stride.
//
// Threads. The recurrence is independent across batch rows, so each LibTorch thread owns
// a block of rows for the whole sequence (its own per-step GEMMs on one-thread OpenBLAS and
// its own gate passes): no synchronisation per step, and the GEMMs use both cores although
// OpenBLAS itself is held to one thread (core/threads.h). gru_detail::run_in_blocks
// (core/nn/gru_blocks.cpp) does the splitting.
#include <torch/torch.h>

#include <map>
#include <mutex>
#include <vector>

#include "core/nn/gru.h"
#include "core/nn/gru_kernels.h"

namespace sdebench {

namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Rows per block below which a batch is not split across threads.
constexpr std::int64_t kMinRowsPerThread = 16;

struct Dims {
  std::int64_t B, T, I, H;
};

Dims check_inputs(const Tensor& x, const Tensor& h0, const Tensor& w_ih, const Tensor& w_hh,
                  const Tensor& b_ih, const Tensor& b_hh) {
  TORCH_CHECK(x.dim() == 3, "fast_gru: x must be [batch, time, input], got ", x.sizes());
  TORCH_CHECK(w_hh.dim() == 2 && w_hh.size(0) == 3 * w_hh.size(1),
              "fast_gru: weight_hh must be [3H, H], got ", w_hh.sizes());
  const Dims d{x.size(0), x.size(1), x.size(2), w_hh.size(1)};
  TORCH_CHECK(w_ih.dim() == 2 && w_ih.size(0) == 3 * d.H && w_ih.size(1) == d.I,
              "fast_gru: weight_ih must be [3H, I] = [", 3 * d.H, ", ", d.I, "], got ",
              w_ih.sizes());
  TORCH_CHECK(b_ih.dim() == 1 && b_ih.size(0) == 3 * d.H, "fast_gru: bias_ih must be [3H]");
  TORCH_CHECK(b_hh.dim() == 1 && b_hh.size(0) == 3 * d.H, "fast_gru: bias_hh must be [3H]");
  TORCH_CHECK(!h0.defined() || (h0.dim() == 2 && h0.size(0) == d.B && h0.size(1) == d.H),
              "fast_gru: h0 must be [B, H] = [", d.B, ", ", d.H, "], got ", h0.sizes());
  TORCH_CHECK(d.B > 0 && d.T > 0, "fast_gru: empty batch or sequence: x ", x.sizes());
  const auto dtype = x.scalar_type();
  TORCH_CHECK(dtype == torch::kFloat || dtype == torch::kDouble,
              "fast_gru: float32 or float64 only, got ", dtype);
  for (const Tensor* t : {&h0, &w_ih, &w_hh, &b_ih, &b_hh}) {
    if (!t->defined()) continue;
    TORCH_CHECK(t->scalar_type() == dtype, "fast_gru: all tensors must share x's dtype ",
                dtype, ", got ", t->scalar_type());
    TORCH_CHECK(t->device().is_cpu(), "fast_gru: CPU tensors only");
  }
  TORCH_CHECK(x.device().is_cpu(), "fast_gru: CPU tensors only");
  return d;
}

// What the forward produces; hs and saved are only filled when saving for backward.
struct ForwardBuffers {
  Tensor out;    // [B, T, H], the result
  Tensor x_tm;   // [T*B, I], x time-major (for the W_ih gradient)
  Tensor hs;     // [T+1, B, H]: hs[t] is the state entering step t (hs[0] = h0)
  Tensor saved;  // [T, B, 4H]: (r, z, n, W_hn h + b_hn) per step
};

template <typename T>
ForwardBuffers forward_impl(const Dims& d, const Tensor& x, const Tensor& h0, const Tensor& w_ih,
                            const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh,
                            bool save) {
  const std::int64_t B = d.B, TT = d.T, I = d.I, H = d.H;
  const auto opts = x.options();
  ForwardBuffers f;
  f.x_tm = x.transpose(0, 1).contiguous().view({TT * B, I});
  if (save) {
    f.saved = torch::empty({TT, B, 4 * H}, opts);
    f.hs = torch::empty({TT + 1, B, H}, opts);
    f.hs[0].copy_(h0);
  }
  f.out = torch::empty({B, TT, H}, opts);
  const Tensor w_hh_t = w_hh.t(), w_ih_t = w_ih.t();
  T* out = f.out.data_ptr<T>();
  T* hs = save ? f.hs.data_ptr<T>() : nullptr;
  T* saved = save ? f.saved.data_ptr<T>() : nullptr;
  const T* b_ih_p = b_ih.data_ptr<T>();
  const T* b_hh_p = b_hh.data_ptr<T>();

  gru_detail::run_in_blocks(B, kMinRowsPerThread, [&](std::int64_t b0, std::int64_t b1) {
    torch::NoGradGuard no_grad;  // pool threads need not share the caller's grad mode
    const std::int64_t n = b1 - b0;
    Tensor gh = torch::empty({n, 3 * H}, opts);
    Tensor gi_block = save ? Tensor() : torch::empty({n, 3 * H}, opts);
    for (std::int64_t t = 0; t < TT; ++t) {
      // The input projection of this step's rows, x W_ih^T (biases are added by the kernel),
      // goes where the kernel reads it: when saving, the first 3H columns of the saved rows
      // (overwritten in place by (r, z, n, ghn)); it is still in cache when the kernel runs.
      Tensor gi = save ? f.saved[t].narrow(0, b0, n).narrow(1, 0, 3 * H) : gi_block;
      torch::mm_out(gi, f.x_tm.narrow(0, t * B + b0, n), w_ih_t);
      // Without saving, the states live only in `out` (read back with row stride T*H).
      Tensor h_prev = save ? f.hs[t].narrow(0, b0, n)
                           : (t == 0 ? h0.narrow(0, b0, n) : f.out.select(1, t - 1).narrow(0, b0, n));
      torch::mm_out(gh, h_prev, w_hh_t);
      gru_detail::ForwardStep<T> a;
      a.rows = n;
      a.hidden = H;
      a.gh = gh.data_ptr<T>();
      a.gh_ld = 3 * H;
      a.bias_ih = b_ih_p;
      a.bias_hh = b_hh_p;
      a.h_prev = h_prev.data_ptr<T>();
      a.h_prev_ld = h_prev.stride(0);
      a.out = out + b0 * TT * H + t * H;
      a.out_ld = TT * H;
      if (save) {
        a.saved = saved + (t * B + b0) * 4 * H;
        a.saved_ld = 4 * H;
        a.h_next = hs + ((t + 1) * B + b0) * H;
        a.h_next_ld = H;
      } else {
        a.gi = gi_block.data_ptr<T>();
        a.gi_ld = 3 * H;
        a.h_next = a.out;
        a.h_next_ld = a.out_ld;
      }
      gru_detail::forward_step<T>(a);
    }
  });
  return f;
}

struct Grads {
  Tensor x, h0, w_ih, w_hh, b_ih, b_hh;
};

// Each thread's block of rows runs the steps in reverse: a fused pass writes the step's
// pre-activation gradients G = (da_r, da_z, da_n r, da_n) into a [rows, 4H] buffer reused
// across steps, and GEMMs consume it while it is still in cache: dh += G_h W_hh,
// dW_hh += G_h^T h_{t-1}, dW_ih += G_i^T x_t, dx_t = G_i W_ih, where G_h = G[:, 0:3H] (the
// W_hh side) and G_i = G[:, (0:2H, 3H:4H)] (the W_ih side). Stacking all steps' G into one
// [T*B, 4H] buffer and forming the weight gradients as single GEMMs afterwards measured
// 118 ms fwd+bwd against 95 ms for this: the 67 MB buffer's page faults and the second pass
// over it cost more than the per-step GEMMs lose to their smaller K (= rows per block).
template <typename T>
Grads backward_impl(const Dims& d, const Tensor& grad_out, const Tensor& x_tm, const Tensor& hs,
                    const Tensor& saved, const Tensor& w_ih, const Tensor& w_hh, bool need_x,
                    bool need_w_ih) {
  const std::int64_t B = d.B, TT = d.T, I = d.I, H = d.H;
  const auto opts = grad_out.options();
  const Tensor g = grad_out.contiguous();
  Tensor dh = torch::zeros({B, H}, opts);
  Tensor dx_tm = need_x ? torch::empty({TT * B, I}, opts) : Tensor();
  const T* g_p = g.data_ptr<T>();
  const T* saved_p = saved.data_ptr<T>();
  const T* hs_p = hs.data_ptr<T>();
  T* dh_p = dh.data_ptr<T>();
  const Tensor w_ih_rz = w_ih.narrow(0, 0, 2 * H), w_ih_n = w_ih.narrow(0, 2 * H, H);

  // Per-block partial sums, added in block order afterwards so results are deterministic.
  struct Partial {
    std::vector<double> bias;  // column sums of G
    Tensor w_hh, w_ih;
  };
  std::mutex mutex;
  std::map<std::int64_t, Partial> partials;
  gru_detail::run_in_blocks(B, kMinRowsPerThread, [&](std::int64_t b0, std::int64_t b1) {
    torch::NoGradGuard no_grad;
    const std::int64_t n = b1 - b0;
    Partial part;
    part.bias.assign(4 * H, 0.0);
    // Written by the first (t = T-1) GEMM, accumulated by the others: no zero fill, which
    // for large tensors would start a nested OpenMP team from this pool thread.
    part.w_hh = torch::empty({3 * H, H}, opts);
    if (need_w_ih) part.w_ih = torch::empty({3 * H, I}, opts);
    Tensor G = torch::empty({n, 4 * H}, opts);
    const Tensor G_h = G.narrow(1, 0, 3 * H), G_rz = G.narrow(1, 0, 2 * H),
                 G_n = G.narrow(1, 3 * H, H);
    Tensor dh_block = dh.narrow(0, b0, n);
    Tensor w_ih_rz_part = need_w_ih ? part.w_ih.narrow(0, 0, 2 * H) : Tensor();
    Tensor w_ih_n_part = need_w_ih ? part.w_ih.narrow(0, 2 * H, H) : Tensor();
    for (std::int64_t t = TT - 1; t >= 0; --t) {
      gru_detail::BackwardStep<T> a;
      a.rows = n;
      a.hidden = H;
      a.grad_out = g_p + b0 * TT * H + t * H;
      a.grad_out_ld = TT * H;
      a.dh = dh_p + b0 * H;
      a.dh_ld = H;
      a.saved = saved_p + (t * B + b0) * 4 * H;
      a.saved_ld = 4 * H;
      a.h_prev = hs_p + (t * B + b0) * H;
      a.h_prev_ld = H;
      a.grads = G.data_ptr<T>();
      a.grads_ld = 4 * H;
      a.bias_acc = part.bias.data();
      gru_detail::backward_step<T>(a);
      // dL/dh_{t-1} = d z (left in dh by the kernel) + G_h W_hh.
      dh_block.addmm_(G_h, w_hh);
      const Tensor h_prev = hs[t].narrow(0, b0, n), x_t = x_tm.narrow(0, t * B + b0, n);
      const bool first = t == TT - 1;
      if (first) {
        torch::mm_out(part.w_hh, G_h.t(), h_prev);
      } else {
        part.w_hh.addmm_(G_h.t(), h_prev);
      }
      if (need_w_ih && first) {
        torch::mm_out(w_ih_rz_part, G_rz.t(), x_t);
        torch::mm_out(w_ih_n_part, G_n.t(), x_t);
      } else if (need_w_ih) {
        w_ih_rz_part.addmm_(G_rz.t(), x_t);
        w_ih_n_part.addmm_(G_n.t(), x_t);
      }
      if (need_x) {
        Tensor dx_t = dx_tm.narrow(0, t * B + b0, n);
        torch::mm_out(dx_t, G_rz, w_ih_rz);
        dx_t.addmm_(G_n, w_ih_n);
      }
    }
    std::lock_guard<std::mutex> lock(mutex);
    partials.emplace(b0, std::move(part));
  });

  Grads grads;
  grads.h0 = dh;
  std::vector<double> total(4 * H, 0.0);
  for (const auto& [b0, part] : partials) {
    for (std::int64_t k = 0; k < 4 * H; ++k) total[k] += part.bias[k];
    grads.w_hh = grads.w_hh.defined() ? grads.w_hh + part.w_hh : part.w_hh;
    if (need_w_ih) grads.w_ih = grads.w_ih.defined() ? grads.w_ih + part.w_ih : part.w_ih;
  }
  const auto dbl = torch::TensorOptions().dtype(torch::kDouble);
  Tensor sums = torch::from_blob(total.data(), {4 * H}, dbl).to(opts.dtype());
  grads.b_hh = sums.narrow(0, 0, 3 * H).clone();
  grads.b_ih = torch::cat({sums.narrow(0, 0, 2 * H), sums.narrow(0, 3 * H, H)});
  if (need_x) grads.x = dx_tm.view({TT, B, I}).transpose(0, 1).contiguous();
  return grads;
}

template <typename F>
auto dispatch_float(torch::ScalarType dtype, F&& f) {
  if (dtype == torch::kFloat) return f(float{});
  return f(double{});
}

class FusedGRUFunction : public torch::autograd::Function<FusedGRUFunction> {
 public:
  static Tensor forward(AutogradContext* ctx, const Tensor& x, const Tensor& h0,
                        const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                        const Tensor& b_hh) {
    const Dims d = check_inputs(x, h0, w_ih, w_hh, b_ih, b_hh);
    ForwardBuffers f = dispatch_float(x.scalar_type(), [&](auto tag) {
      using T = decltype(tag);
      return forward_impl<T>(d, x, h0.contiguous(), w_ih, w_hh, b_ih.contiguous(),
                             b_hh.contiguous(), true);
    });
    ctx->save_for_backward({w_ih, w_hh});
    ctx->saved_data["x_tm"] = f.x_tm;
    ctx->saved_data["hs"] = f.hs;
    ctx->saved_data["saved"] = f.saved;
    ctx->saved_data["dims"] = std::vector<std::int64_t>{d.B, d.T, d.I, d.H};
    return f.out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    TORCH_CHECK(!torch::GradMode::is_enabled(),
                "fast_gru: double backward (create_graph=true) is not supported; use "
                "gru_reference for higher-order gradients");
    const auto saved_vars = ctx->get_saved_variables();
    const Tensor &w_ih = saved_vars[0], &w_hh = saved_vars[1];
    const auto dims = ctx->saved_data["dims"].toIntVector();
    const Dims d{dims[0], dims[1], dims[2], dims[3]};
    Grads g = dispatch_float(w_hh.scalar_type(), [&](auto tag) {
      using T = decltype(tag);
      return backward_impl<T>(d, grad_outputs[0], ctx->saved_data["x_tm"].toTensor(),
                              ctx->saved_data["hs"].toTensor(),
                              ctx->saved_data["saved"].toTensor(), w_ih, w_hh,
                              ctx->needs_input_grad(0), ctx->needs_input_grad(2));
    });
    return {g.x,
            ctx->needs_input_grad(1) ? g.h0 : Tensor(),
            g.w_ih,
            ctx->needs_input_grad(3) ? g.w_hh : Tensor(),
            ctx->needs_input_grad(4) ? g.b_ih : Tensor(),
            ctx->needs_input_grad(5) ? g.b_hh : Tensor()};
  }
};

}  // namespace

Tensor fast_gru(const Tensor& x, const Tensor& h0, const Tensor& weight_ih,
                const Tensor& weight_hh, const Tensor& bias_ih, const Tensor& bias_hh) {
  const Tensor h = h0.defined() ? h0 : torch::zeros({x.size(0), weight_hh.size(1)}, x.options());
  bool any_grad = false;
  for (const Tensor* t : {&x, &h, &weight_ih, &weight_hh, &bias_ih, &bias_hh})
    any_grad = any_grad || t->requires_grad();
  if (torch::GradMode::is_enabled() && any_grad)
    return FusedGRUFunction::apply(x, h, weight_ih, weight_hh, bias_ih, bias_hh);
  // Inference: same kernels, nothing kept for backward.
  const Dims d = check_inputs(x, h, weight_ih, weight_hh, bias_ih, bias_hh);
  return dispatch_float(x.scalar_type(), [&](auto tag) {
    using T = decltype(tag);
    return forward_impl<T>(d, x, h.contiguous(), weight_ih, weight_hh, bias_ih.contiguous(),
                           bias_hh.contiguous(), false)
        .out;
  });
}

}  // namespace sdebench
