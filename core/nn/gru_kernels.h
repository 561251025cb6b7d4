#pragma once
// Elementwise GRU gate kernels and the block runner used by core/nn/gru_fused.cpp
// (internal; not a public API). The kernels work on a block of `rows` batch rows of one
// time step through raw pointers with explicit leading dimensions (`*_ld`, in elements), so
// the caller can hand them views of time-major buffers and of the batch-first output
// without copies. No torch here.
#include <cstdint>
#include <functional>

namespace sdebench::gru_detail {

// Forward of one step for `rows` rows. Per row (j < H, gate blocks r|z|n of width H):
//   r = sigmoid(gi_r + bih_r + gh_r + bhh_r), z = sigmoid(gi_z + bih_z + gh_z + bhh_z),
//   ghn = gh_n + bhh_n,  n = tanh(gi_n + bih_n + r * ghn),  h' = (1 - z) n + z h.
// gi = x W_ih^T and gh = h W_hh^T come without biases (the kernel adds both). h' goes to
// h_next and, if out differs from h_next, also to out.
// Two modes: without saving, gi is its own [rows, 3H] array and saved is null. When saving
// for backward, gi must be null: `saved` rows (width 4H) hold gi in their first 3H entries
// on entry and (r, z, n, ghn) on exit (in place, so no separate gi buffer is needed).
template <typename T>
struct ForwardStep {
  std::int64_t rows = 0, hidden = 0;
  const T* gi = nullptr;  std::int64_t gi_ld = 0;          // [rows, 3H] or null
  T* saved = nullptr;  std::int64_t saved_ld = 0;          // [rows, 4H] or null
  const T* gh = nullptr;  std::int64_t gh_ld = 0;          // [rows, 3H]
  const T* bias_ih = nullptr;                              // [3H]
  const T* bias_hh = nullptr;                              // [3H]
  const T* h_prev = nullptr;  std::int64_t h_prev_ld = 0;  // [rows, H]
  T* h_next = nullptr;  std::int64_t h_next_ld = 0;        // [rows, H]
  T* out = nullptr;  std::int64_t out_ld = 0;              // [rows, H], may equal h_next
};

// Backward of one step for `rows` rows. On entry dh holds the gradient reaching h' from
// later steps (through W_hh and the z h term); grad_out is dL/dh' from the output. Writes
// the pre-activation gradients (da_r, da_z, da_n r, da_n) into `grads` (width 4H): the
// first 3H are the gradient of h W_hh^T + b_hh (so the per-step dh GEMM reads one block),
// entries (0..2H, 3H..4H) that of x W_ih^T + b_ih. Leaves dh = d z, so the caller adds
// grads[:, :3H] W_hh to get dL/dh. bias_acc (double, length 4H) accumulates the column
// sums of `grads`.
template <typename T>
struct BackwardStep {
  std::int64_t rows = 0, hidden = 0;
  const T* grad_out = nullptr;  std::int64_t grad_out_ld = 0;  // [rows, H]
  T* dh = nullptr;  std::int64_t dh_ld = 0;                    // [rows, H], in/out
  const T* saved = nullptr;  std::int64_t saved_ld = 0;        // [rows, 4H] (r, z, n, ghn)
  const T* h_prev = nullptr;  std::int64_t h_prev_ld = 0;      // [rows, H]
  T* grads = nullptr;  std::int64_t grads_ld = 0;              // [rows, 4H]
  double* bias_acc = nullptr;                                  // [4H]
};

template <typename T>
void forward_step(const ForwardStep<T>& a);
template <typename T>
void backward_step(const BackwardStep<T>& a);

// Runs f(begin, end) over [0, n) in contiguous blocks of at least `min_block` items, one
// block per LibTorch thread (at::get_num_threads()), the caller running one of them; returns
// when all are done and rethrows the first exception. (core/nn/gru_blocks.cpp says why not
// at::parallel_for.)
void run_in_blocks(std::int64_t n, std::int64_t min_block,
                   const std::function<void(std::int64_t, std::int64_t)>& f);

}  // namespace sdebench::gru_detail
