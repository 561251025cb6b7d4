#pragma once
// An encoder that sees only the first k frames of a sequence (the MOCAP protocol of Yildiz et
// al. 2019 and Li et al. 2020): the frames are flattened and an MLP k D -> H .. H -> 2 d + C
// gives the mean and log std of q(z_0 | x_{0..k-1}) and a context vector of width C, constant
// in time, for a posterior drift. Training and forecasting then condition on the same frames.
// forward_windows runs the same MLP on every window of k consecutive frames (SDE Matching's
// windows posterior, the latent SDE's "mlp_windows" context).
#include <torch/torch.h>

#include "core/nn/activation.h"
#include "core/nn/mlp.h"

namespace sdebench {

struct FirstFramesEncoderConfig {
  std::int64_t data_dims = 1;
  std::int64_t frames = 3;   // k
  std::int64_t latent = 4;   // d
  std::int64_t context = 0;  // C
  std::int64_t hidden = 30;
  std::int64_t layers = 2;
  Activation activation = Activation::Softplus;
};

struct FirstFramesCode {
  torch::Tensor mean, log_std;  // [B, d] (forward_windows: [B, W, d])
  torch::Tensor context;        // [B, C], C may be 0 (forward_windows: [B, W, C])
};

class FirstFramesEncoderImpl : public torch::nn::Module {
 public:
  explicit FirstFramesEncoderImpl(const FirstFramesEncoderConfig& config);
  // values [B, T, D] with T >= k; missing entries (mask 0) enter as zeros.
  FirstFramesCode forward(const torch::Tensor& values, const torch::Tensor& mask);
  // The same MLP on every window of k consecutive frames (frames j .. j+k-1 for window j):
  // each output [B, W, .] with W = T - k + 1, window j's code as forward() gives it for a
  // sequence starting at frame j. `mask` has the shape of `values`.
  FirstFramesCode forward_windows(const torch::Tensor& values, const torch::Tensor& mask);
  const FirstFramesEncoderConfig& config() const { return config_; }
  MLP net{nullptr};

 private:
  FirstFramesEncoderConfig config_;
};
TORCH_MODULE(FirstFramesEncoder);

}  // namespace sdebench
