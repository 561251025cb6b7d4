#pragma once
// Checkpoints: model parameters and buffers, optimiser state, the default generator's state and
// the harness's own state (iteration, LR, metrics so far) as JSON text. Written atomically.
#include <torch/torch.h>

#include <string>

namespace sdebench {

void save_checkpoint(const std::string& path, torch::nn::Module& model,
                     torch::optim::Optimizer& optimizer, const std::string& harness_state);
// Restores model, optimiser and the default generator; returns the harness state text.
std::string load_checkpoint(const std::string& path, torch::nn::Module& model,
                            torch::optim::Optimizer& optimizer);

// The model alone (the "best" checkpoint kept beside the last one for model selection).
void save_parameters(const std::string& path, torch::nn::Module& model);
void load_parameters(const std::string& path, torch::nn::Module& model);

}  // namespace sdebench
