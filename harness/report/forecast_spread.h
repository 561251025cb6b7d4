#pragma once
// How far a run's forecast samples spread about their mean over time, from the rows of kind
// `std` in forecasts.csv (harness/runner/evaluator.h). The per-sample forecast MSE is the mean
// forecast's MSE plus the samples' variance, so this curve shows where in the forecast horizon a
// method's score is lost to spread rather than to its mean. No torch here.
#include <string>
#include <utility>
#include <vector>

#include "harness/results/csv.h"

namespace sdebench {

// (time, mean over the value columns x0.. of std^2) for each std row of `sequence`, in file
// order. Empty when the table has no std rows (files written before those rows existed).
std::vector<std::pair<double, double>> forecast_spread(const CsvTable& forecasts,
                                                       const std::string& sequence = "0");

}  // namespace sdebench
