#pragma once
// vitals: synthetic bedside monitoring with truly irregular, multi-rate sampling (issue 19).
// See vitals.cpp for the model; each sequence keeps its own observation times.
#include "datasets/dataset.h"

namespace sdebench {

Schema vitals_schema();
TimeSeriesDataset make_vitals(const Options& options, const DatasetContext& context);

// The channels' loadings on the two latent processes (fast, slow) and their baselines.
struct VitalsChannel {
  const char* name;
  double baseline, fast, slow;
};
inline constexpr VitalsChannel kVitalsChannels[3] = {
    {"heart_rate", 70.0, 10.0, 5.0},
    {"blood_pressure", 120.0, -5.0, 15.0},
    {"temperature", 37.0, 0.0, 0.5},
};

}  // namespace sdebench
