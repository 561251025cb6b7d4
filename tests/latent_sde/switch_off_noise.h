#pragma once
// Switches a latent SDE's noise off for tests that compare a solve against a deterministic
// reference: q(z_0)'s log std at -30 (whichever encoder makes it) and the diffusion at
// sigmoid(-30), so every path is its drift's to ~1e-13.
#include <torch/torch.h>

#include "methods/latent_sde/latent_sde.h"

namespace sdebench::testing {

inline void switch_off_noise(LatentSde& m) {
  torch::NoGradGuard no_grad;
  auto& model = *m.model;
  const auto d = model.config().latent;
  // The first-frames encoder's output is [mean d, log std d, context C]; the GRU's q(z_0) net's
  // is [mean d, log std d].
  auto out = model.first_frames ? model.first_frames->net->layers().back() : model.qz0_net;
  out->weight.narrow(0, d, d).zero_();
  out->bias.narrow(0, d, d).fill_(-30.0);
  model.diffusion->w2.zero_();
  model.diffusion->b2.fill_(-30.0);
}

}  // namespace sdebench::testing
