#pragma once
// The SDE Matching objective (Bartosh et al. 2025), per sequence:
//   L_prior = KL(q(z_0 | X) || p(z_0))                                   closed form
//   L_diff  = (t1 - t0) E_{t ~ U[t0, t1]} E_q 1/2 |(f_phi - h_theta) / g|^2   K samples of t
//   L_rec   = sum_i E_q[-log p(x_i | z_{t_i})] estimated at K random indices u:
//             "single": -log p(x_u | z_{t_u}) (the reference notebook, unscaled)
//             "unbiased": N * that (an unbiased estimate of the sum over all N observations)
//             "all": every observation, one posterior draw each (the sum itself, with the
//             least variance; costs N marginal evaluations per sequence instead of K)
// With per-sequence times (issue 19) t0, t1 and N are each sequence's own first and last
// observation time and number of observations; padding slots never enter.
// The randomness is drawn separately (LossNoise) so a test can hold it fixed.
#include <torch/torch.h>

#include <map>
#include <string>

#include "methods/method.h"
#include "methods/sde_matching/generative_model.h"
#include "methods/sde_matching/posterior.h"

namespace sdebench {

enum class RecEstimator { Single, Unbiased, All };

RecEstimator parse_rec_estimator(const std::string& name);

struct LossNoise {
  torch::Tensor t_diff;     // [B, K] times for L_diff
  torch::Tensor eps_diff;   // [B, K, d]
  torch::Tensor rec_index;  // [B, K] int64 observation indices for L_rec ([B, N] for "all")
  torch::Tensor eps_rec;    // [B, K, d] (or [B, N, d])
};

LossNoise draw_loss_noise(std::int64_t batch, std::int64_t time_samples, const torch::Tensor& times,
                          std::int64_t latent, torch::ScalarType dtype,
                          RecEstimator estimator = RecEstimator::Single);
// The noise for a batch: as above on a shared grid; with per-sequence times, t ~ U[each row's
// first, last time] and observation indices uniform over each row's own observations.
LossNoise draw_loss_noise(const Batch& batch, std::int64_t time_samples, std::int64_t latent,
                          torch::ScalarType dtype, RecEstimator estimator);

struct LossParts {
  torch::Tensor prior, diff, rec;  // [B] each
};

LossParts sde_matching_loss(GenerativeModelImpl& model, PosteriorImpl& posterior,
                            const Batch& batch, const LossNoise& noise, RecEstimator estimator);

// Held-out NELBO with full sums: L_diff by stratified sampling over `time_samples` points,
// L_rec over every observation, averaged over `num_samples` posterior draws. Batch means of
// "nelbo", "prior", "diff", "rec", plus "mse" of the decoded posterior mean on observed entries.
std::map<std::string, double> evaluate_nelbo(GenerativeModelImpl& model, PosteriorImpl& posterior,
                                             const Batch& batch, std::int64_t time_samples,
                                             std::int64_t num_samples);

}  // namespace sdebench
