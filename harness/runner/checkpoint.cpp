#include "harness/runner/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>
#include <stdexcept>

#include "harness/results/atomic_write.h"

namespace sdebench {

void save_checkpoint(const std::string& path, torch::nn::Module& model,
                     torch::optim::Optimizer& optimizer, const std::string& harness_state,
                     const std::vector<torch::Tensor>& average_state) {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive model_archive, optimizer_archive;
  model.save(model_archive);
  optimizer.save(optimizer_archive);
  archive.write("model", model_archive);
  archive.write("optimizer", optimizer_archive);
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    archive.write("generator_state", gen.get_state());
  }
  archive.write("harness_state", c10::IValue(harness_state));
  if (!average_state.empty())
    archive.write("parameter_average", c10::IValue(c10::List<at::Tensor>(average_state)));
  const std::string tmp = temporary_path_for(path);
  archive.save_to(tmp);
  replace_file(tmp, path);
}

std::string load_checkpoint(const std::string& path, torch::nn::Module& model,
                            torch::optim::Optimizer& optimizer,
                            std::vector<torch::Tensor>* average_state) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read checkpoint '" + path + "': " + e.what());
  }
  torch::serialize::InputArchive model_archive, optimizer_archive;
  archive.read("model", model_archive);
  archive.read("optimizer", optimizer_archive);
  model.load(model_archive);
  optimizer.load(optimizer_archive);
  torch::Tensor state;
  archive.read("generator_state", state);
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(state);
  }
  if (average_state != nullptr) {
    c10::IValue average;
    if (!archive.try_read("parameter_average", average))
      throw std::runtime_error("checkpoint '" + path +
                               "' has no parameter average, but training.ema_decay > 0 (it was "
                               "written by a run without one)");
    *average_state = average.toTensorVector();
  }
  c10::IValue text;
  archive.read("harness_state", text);
  return text.toStringRef();
}

void save_parameters(const std::string& path, torch::nn::Module& model) {
  torch::serialize::OutputArchive archive;
  model.save(archive);
  const std::string tmp = temporary_path_for(path);
  archive.save_to(tmp);
  replace_file(tmp, path);
}

void load_parameters(const std::string& path, torch::nn::Module& model) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read parameters '" + path + "': " + e.what());
  }
  model.load(archive);
}

}  // namespace sdebench
