#pragma once
// Per-dimension normalisation, the same for every dataset: statistics from the observed entries
// of the sequences a dataset chooses (generators: all noiseless paths; loaders: the training
// split), applied to every split and recorded in norm_mean / norm_std so metrics can be reported
// in data units.
#include <torch/torch.h>

#include "datasets/dataset.h"

namespace sdebench {

struct Normalisation {
  torch::Tensor mean;  // [D], float64
  torch::Tensor std;   // [D], float64
};

// Mean and unbiased std per dimension of `values` [N, T, D] over the entries where `mask` is 1,
// accumulated in float64 in two passes. A dimension whose std is below 1e-8 of the largest one
// is constant up to rounding (MOCAP's are ~1e-16, not 0) and keeps std 1.
Normalisation fit_normalisation(const torch::Tensor& values, const torch::Tensor& mask);

// (values - mean) / std on the observed entries; unobserved entries are 0.
torch::Tensor normalise(const torch::Tensor& values, const torch::Tensor& mask, const Normalisation& n);

// mean 0 and std 1 for D dimensions: what a dataset without normalisation records.
Normalisation identity_normalisation(std::int64_t dims);

// What the loaders do: with `enabled`, fit on the training split's observed entries and
// normalise every split; either way record the statistics in norm_mean / norm_std.
void normalise_from_training(TimeSeriesDataset& dataset, bool enabled);

}  // namespace sdebench
