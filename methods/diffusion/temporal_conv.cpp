#include "methods/diffusion/temporal_conv.h"

#include <cmath>
#include <stdexcept>

namespace sdebench {

TemporalConvImpl::TemporalConvImpl(std::int64_t in, std::int64_t out, std::int64_t kernel_size)
    : kernel_(kernel_size) {
  if (kernel_size < 1 || kernel_size % 2 == 0)
    throw std::invalid_argument("TemporalConv: kernel_size must be odd, got " +
                                std::to_string(kernel_size));
  const double bound = 1.0 / std::sqrt(static_cast<double>(in * kernel_size));
  weight = register_parameter("weight",
                              torch::empty({out, in, kernel_size}).uniform_(-bound, bound));
  bias = register_parameter("bias", torch::empty({out}).uniform_(-bound, bound));
}

torch::Tensor TemporalConvImpl::forward(const torch::Tensor& x) {
  const auto B = x.size(0), T = x.size(1), C = x.size(2);
  const auto pad = kernel_ / 2;
  // Zero-pad time on both sides, then gather the k neighbours of every frame.
  auto padded = torch::constant_pad_nd(x, {0, 0, pad, pad});  // [B, T + 2 pad, C]
  auto windows = padded.unfold(1, kernel_, 1);                 // [B, T, C, k]
  auto columns = windows.reshape({B, T, C * kernel_});         // index c * k + j
  return torch::addmm(bias, columns.reshape({B * T, C * kernel_}),
                      weight.reshape({weight.size(0), C * kernel_}).t())
      .view({B, T, -1});
}

}  // namespace sdebench
