#pragma once
// The synthetic generators, callable directly (tests, benchmarks) as well as by name through
// the DatasetRegistry. Each takes options resolved against its schema.
#include "datasets/dataset.h"

namespace sdebench {

Schema lorenz_schema();
TimeSeriesDataset make_lorenz(const Options& options, const DatasetContext& context);
Schema ou_schema();
TimeSeriesDataset make_ou(const Options& options, const DatasetContext& context);
Schema gbm_schema();
TimeSeriesDataset make_gbm(const Options& options, const DatasetContext& context);
Schema double_well_schema();
TimeSeriesDataset make_double_well(const Options& options, const DatasetContext& context);
Schema time_dependent_ou_schema();
TimeSeriesDataset make_time_dependent_ou(const Options& options, const DatasetContext& context);
Schema lotka_volterra_schema();
TimeSeriesDataset make_lotka_volterra(const Options& options, const DatasetContext& context);

}  // namespace sdebench
