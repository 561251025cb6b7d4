#include <string>
#include <vector>

#include "datasets/generators.h"
#include "datasets/loaders.h"

namespace sdebench {

// An object with external linkage that holds every factory's address: a static link that
// pulls in this file (through builtin_dataset_names) must then keep every dataset's object
// file, and with it the SDEBENCH_REGISTER_DATASET initialiser beside the factory. (A local
// array would be optimised away, and the registrations with it.)
using FactoryFunction = TimeSeriesDataset (*)(const Options&, const DatasetContext&);
extern const FactoryFunction kBuiltinDatasetFactories[8];
const FactoryFunction kBuiltinDatasetFactories[8] = {
    &make_lorenz,         &make_ou,    &make_gbm, &make_double_well, &make_time_dependent_ou,
    &make_lotka_volterra, &make_mocap, &make_csv};

std::vector<std::string> builtin_dataset_names() {
  (void)kBuiltinDatasetFactories;
  return {"lorenz", "ou", "gbm", "double_well", "time_dependent_ou", "lotka_volterra", "mocap", "csv"};
}

}  // namespace sdebench
