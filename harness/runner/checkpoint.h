#pragma once
// Checkpoints: model parameters and buffers, optimiser state, the default generator's state,
// the harness's own state (iteration, LR, metrics so far) as JSON text and, when training
// averages the parameters (parameter_average.h), that average's state. Written atomically.
#include <torch/torch.h>

#include <string>
#include <vector>

namespace sdebench {

void save_checkpoint(const std::string& path, torch::nn::Module& model,
                     torch::optim::Optimizer& optimizer, const std::string& harness_state,
                     const std::vector<torch::Tensor>& average_state = {});
// Restores model, optimiser and the default generator; returns the harness state text. With
// `average_state`, also the saved average's state (an error if the checkpoint has none).
std::string load_checkpoint(const std::string& path, torch::nn::Module& model,
                            torch::optim::Optimizer& optimizer,
                            std::vector<torch::Tensor>* average_state = nullptr);

// The model alone (the "best" checkpoint kept beside the last one for model selection).
void save_parameters(const std::string& path, torch::nn::Module& model);
void load_parameters(const std::string& path, torch::nn::Module& model);

}  // namespace sdebench
