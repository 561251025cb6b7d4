#pragma once
// Elementwise GRU gate kernels used by core/nn/gru.cpp (internal; not a public API).
// They work on a block of `rows` batch rows of one time step through raw pointers with
// explicit leading dimensions (`*_ld`, in elements), so the caller can hand them views of
// time-major buffers and of the batch-first output without copies. No torch here.
#include <cstdint>

namespace sdebench::gru_detail {

// Forward of one step for `rows` rows. Per row (j < H, gate blocks r|z|n of width H):
//   r = sigmoid(gi_r + gh_r + bhh_r), z = sigmoid(gi_z + gh_z + bhh_z),
//   ghn = gh_n + bhh_n,  n = tanh(gi_n + r * ghn),  h' = (1 - z) n + z h.
// gi already holds x W_ih^T + b_ih; gh holds h W_hh^T (no bias).
// h' is written to h_next and to out; if `saved` is non-null, (r, z, n, ghn) go there
// (row width 4H), which is all the backward needs besides h.
template <typename T>
struct ForwardStep {
  std::int64_t rows = 0, hidden = 0;
  const T* gi = nullptr;  std::int64_t gi_ld = 0;      // [rows, 3H]
  const T* gh = nullptr;  std::int64_t gh_ld = 0;      // [rows, 3H]
  const T* bias_hh = nullptr;                          // [3H]
  const T* h_prev = nullptr;  std::int64_t h_prev_ld = 0;  // [rows, H]
  T* h_next = nullptr;  std::int64_t h_next_ld = 0;    // [rows, H]
  T* out = nullptr;  std::int64_t out_ld = 0;          // [rows, H], may equal h_next
  T* saved = nullptr;  std::int64_t saved_ld = 0;      // [rows, 4H] or null
};

// Backward of one step for `rows` rows. On entry dh holds the gradient reaching h'
// from later steps (dh_{t+1} W_hh path plus the z h term); grad_out is dL/dh' from the
// output. Writes the pre-activation gate gradients
//   dgi = (da_r, da_z, da_n)   (gradient of x W_ih^T + b_ih)
//   dgh = (da_r, da_z, da_n r) (gradient of h W_hh^T + b_hh)
// and leaves dh = d z, so the caller only has to add dgh W_hh to get dL/dh.
// bias_acc (double, length 4H) accumulates the column sums of (da_r, da_z, da_n, da_n r):
// the first 3H are the b_ih gradient; the b_hh gradient is (first 2H, last H).
template <typename T>
struct BackwardStep {
  std::int64_t rows = 0, hidden = 0;
  const T* grad_out = nullptr;  std::int64_t grad_out_ld = 0;  // [rows, H]
  T* dh = nullptr;  std::int64_t dh_ld = 0;                    // [rows, H], in/out
  const T* saved = nullptr;  std::int64_t saved_ld = 0;        // [rows, 4H] (r, z, n, ghn)
  const T* h_prev = nullptr;  std::int64_t h_prev_ld = 0;      // [rows, H]
  T* dgi = nullptr;  std::int64_t dgi_ld = 0;                  // [rows, 3H]
  T* dgh = nullptr;  std::int64_t dgh_ld = 0;                  // [rows, 3H]
  double* bias_acc = nullptr;                                  // [4H]
};

template <typename T>
void forward_step(const ForwardStep<T>& a);
template <typename T>
void backward_step(const BackwardStep<T>& a);

}  // namespace sdebench::gru_detail
