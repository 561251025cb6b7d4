#include "core/nn/tangent_contract.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <stdexcept>

namespace sdebench {

namespace {

template <class T>
void kernel(const T* a, const T* m, T* out, std::int64_t B, std::int64_t M, std::int64_t K,
            std::int64_t N, bool transpose_m) {
  at::parallel_for(0, B, 8, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t b = begin; b < end; ++b) {
      const T* A = a + b * M * K;
      const T* X = m + b * K * N;
      T* O = out + b * M * N;
      if (!transpose_m) {
        // Row m of out is sum_k A[m, k] X[k, :]: contiguous axpys that vectorise.
        for (std::int64_t i = 0; i < M; ++i) {
          T* __restrict__ o = O + i * N;
          for (std::int64_t n = 0; n < N; ++n) o[n] = T(0);
          for (std::int64_t k = 0; k < K; ++k) {
            const T s = A[i * K + k];
            const T* __restrict__ x = X + k * N;
            for (std::int64_t n = 0; n < N; ++n) o[n] += s * x[n];
          }
        }
      } else {
        // out[i, n] = <A[i, :], X[n, :]>: dot products with 8 independent partial sums so the
        // compiler can vectorise without reassociating.
        for (std::int64_t i = 0; i < M; ++i) {
          const T* ar = A + i * K;
          for (std::int64_t n = 0; n < N; ++n) {
            const T* x = X + n * K;
            T acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            std::int64_t k = 0;
            for (; k + 8 <= K; k += 8)
              for (int j = 0; j < 8; ++j) acc[j] += ar[k + j] * x[k + j];
            T s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
            for (; k < K; ++k) s += ar[k] * x[k];
            O[i * N + n] = s;
          }
        }
      }
    }
  });
}

torch::Tensor contract(const torch::Tensor& a_in, const torch::Tensor& m_in, bool transpose_m) {
  if (a_in.dim() != 3 || m_in.dim() != 3 || a_in.size(0) != m_in.size(0))
    throw std::invalid_argument("small_batched_matmul: expected [B, M, K] and [B, K, N] tensors");
  const auto K = a_in.size(2);
  if ((transpose_m ? m_in.size(2) : m_in.size(1)) != K)
    throw std::invalid_argument("small_batched_matmul: inner sizes differ");
  if (a_in.scalar_type() != m_in.scalar_type())
    throw std::invalid_argument("small_batched_matmul: dtypes differ");
  auto a = a_in.contiguous(), m = m_in.contiguous();
  const auto B = a.size(0), M = a.size(1), N = transpose_m ? m.size(1) : m.size(2);
  auto out = torch::empty({B, M, N}, a.options());
  AT_DISPATCH_FLOATING_TYPES(a.scalar_type(), "small_batched_matmul", [&] {
    kernel<scalar_t>(a.data_ptr<scalar_t>(), m.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(),
                     B, M, K, N, transpose_m);
  });
  return out;
}

class SmallBatchedMatmul : public torch::autograd::Function<SmallBatchedMatmul> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& a,
                               const torch::Tensor& m, bool transpose_m) {
    ctx->save_for_backward({a, m});
    ctx->saved_data["transpose_m"] = transpose_m;
    return contract(a, m, transpose_m);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto& a = saved[0];
    const auto& m = saved[1];
    const bool tm = ctx->saved_data["transpose_m"].toBool();
    const auto& g = grads[0];  // [B, M, N]
    torch::Tensor da, dm;
    // out = a @ op(m): da = g @ op(m)^T; d op(m) = a^T g. The transposed copies are of the
    // small tensors (a, g carry the few query rows), never of m.
    if (ctx->needs_input_grad(0)) da = SmallBatchedMatmul::apply(g, m, !tm);
    if (ctx->needs_input_grad(1))
      dm = tm ? SmallBatchedMatmul::apply(g.transpose(1, 2), a, false)
              : SmallBatchedMatmul::apply(a.transpose(1, 2), g, false);
    return {da, dm, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor small_batched_matmul(const torch::Tensor& a, const torch::Tensor& m,
                                   bool transpose_m) {
  return SmallBatchedMatmul::apply(a, m, transpose_m);
}

}  // namespace sdebench
