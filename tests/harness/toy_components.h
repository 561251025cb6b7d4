#pragma once
// A toy dataset and a toy method registered only in the harness tests, so the harness is tested
// independently of the real components.
//   toy_dataset: sequences x(t) = a sin(2 pi t + phase) + noise on [0, 1], seeded by the context.
//   toy_method: a linear map from time to the D outputs, trained by MSE with injected training
//     noise (so resume must restore the generator); option nan_at = k makes the loss NaN from
//     iteration k on (1-based), to test divergence.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "harness/config/spec.h"

namespace sdebench::testing {

// A complete spec for the toy components: small and fast, output under `root`.
ResolvedSpec toy_spec(const std::string& root, std::int64_t seed = 0, std::int64_t iterations = 20);

// The parameters of the checkpoint in `run_dir`, loaded into a fresh model of `spec`'s method on
// the toy dataset's shape; with `average_state`, the parameter average it carries too.
std::vector<torch::Tensor> checkpoint_parameters(const ResolvedSpec& spec, const std::string& run_dir,
                                                 std::vector<torch::Tensor>* average_state = nullptr);

}  // namespace sdebench::testing
