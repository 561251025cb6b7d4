#pragma once
// Loaders for recorded data: CMU MOCAP subject 35 (mocap35.mat, via matio) and a researcher's
// own CSV in long format. Both validate their input and say what is wrong and where.
#include <string>
#include <vector>

#include "datasets/dataset.h"

namespace sdebench {

// mocap35.mat as published (uncbiag/neuro_shooting data/mocap/mocap35.mat).
constexpr const char* kMocapSha256 =
    "105484f138487f10209cce883d26e2e030d10a6df6f10159f4e6e253f9b03b8d";

Schema mocap_schema();
TimeSeriesDataset make_mocap(const Options& options, const DatasetContext& context);
// Where the loader looks, in order, with a note on where each candidate came from.
struct PathCandidate {
  std::string path;
  std::string origin;
};
std::vector<PathCandidate> mocap_candidates(const Options& options, const DatasetContext& context);

Schema csv_schema();
TimeSeriesDataset make_csv(const Options& options, const DatasetContext& context);

}  // namespace sdebench
