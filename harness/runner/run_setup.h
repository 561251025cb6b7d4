#pragma once
// Everything one run needs, built from its spec before any file is written: the dataset (checked
// against the evaluation options that depend on it), the method, the dtype and the device.
#include <torch/torch.h>

#include <memory>

#include "datasets/dataset.h"
#include "harness/config/spec.h"
#include "methods/method.h"

namespace sdebench {

struct RunSetup {
  TimeSeriesDataset data;
  std::shared_ptr<Method> method;
  torch::ScalarType dtype = torch::kFloat32;
  torch::Device device = torch::kCPU;
};

// Seeds the default generator with spec.seed before the dataset and again before the method's
// initialisation, so both are reproducible. Throws std::invalid_argument naming the key for a
// dtype or device this build cannot use and for evaluation options the data cannot satisfy.
RunSetup build_run_setup(const ResolvedSpec& spec);

}  // namespace sdebench
