// Toy dataset and method registrations for the spec tests. The names are used by no real
// component, so the test stays valid when real plugins are linked into it.
#include "datasets/dataset.h"
#include "methods/method.h"

namespace {
using sdebench::Schema;

Schema toy_dataset_schema() {
  Schema s;
  s.add_int("n_sequences", 64, "sequences", 1);
  s.add_float("noise", 0.01, "observation noise", 0.0);
  s.add_string("variant", "paper", "which variant", {"paper", "torchsde"});
  s.add_bool("normalise", true, "normalise the data");
  s.add_floats("grid", {0.0, 1.0}, "time grid");
  s.add_int("shared", 1, "a key both toy datasets have");
  return s;
}

Schema toy_dataset_b_schema() {
  Schema s;
  s.add_int("length", 10, "length", 1);
  s.add_int("shared", 1, "a key both toy datasets have");
  return s;
}

Schema toy_method_schema() {
  Schema s;
  s.add_int("hidden", 16, "hidden units", 1);
  s.add_string("activation", "softplus", "activation", {"softplus", "silu"});
  s.add_float("noise_std", 0.01, "decoder noise", 0.0);
  s.add_int("shared", 1, "a key both toy methods have");
  return s;
}

Schema toy_method_b_schema() {
  Schema s;
  s.add_int("depth", 2, "layers", 1);
  s.add_int("shared", 1, "a key both toy methods have");
  return s;
}

sdebench::TimeSeriesDataset no_dataset(const sdebench::Options&, const sdebench::DatasetContext&) {
  return {};
}
std::shared_ptr<sdebench::Method> no_method(const sdebench::Options&, const sdebench::DataShape&) {
  return nullptr;
}
}  // namespace

SDEBENCH_REGISTER_DATASET("toy_dataset", "spec-test dataset", toy_dataset_schema(), no_dataset);
SDEBENCH_REGISTER_DATASET("toy_dataset_b", "spec-test dataset", toy_dataset_b_schema(), no_dataset);
SDEBENCH_REGISTER_METHOD("toy_method", "spec-test method", toy_method_schema(), no_method);
SDEBENCH_REGISTER_METHOD("toy_method_b", "spec-test method", toy_method_b_schema(), no_method);
