#pragma once
// heat_grid: a stochastic advection-diffusion equation on a periodic N x N grid (see
// heat_grid.cpp).
#include "datasets/dataset.h"

namespace sdebench {

Schema heat_grid_schema();
TimeSeriesDataset make_heat_grid(const Options& options, const DatasetContext& context);

// The largest stable inner step of the explicit scheme (heat_grid.cpp states the rule):
// 0.9 / (4 kappa / h^2 + (|cx| + |cy|) / h), h = domain_length / grid_size; +infinity when
// kappa = cx = cy = 0.
double heat_grid_stable_step(double kappa, double cx, double cy, double h);

}  // namespace sdebench
