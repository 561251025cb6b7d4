#pragma once
// pendulum_video: a stochastic damped pendulum rendered as grayscale frames (see
// pendulum_video.cpp). The renderer is exposed for tests.
#include <cstdint>

#include "datasets/dataset.h"

namespace sdebench {

Schema pendulum_video_schema();
TimeSeriesDataset make_pendulum_video(const Options& options, const DatasetContext& context);

// Adds the bob, a disc of `radius` pixels centred at (x, y) in pixel coordinates (pixel (r, c)
// covers [c, c + 1] x [r, r + 1]; x along columns, y down the rows), to a zeroed row-major
// size x size frame. Each pixel gets the fraction of its area the disc covers, estimated on a
// supersample x supersample grid of points per pixel (supersample = 1: 1 where the pixel's
// centre is inside, else 0).
void render_pendulum_bob(double x, double y, double radius, std::int64_t size,
                         std::int64_t supersample, double* frame);

}  // namespace sdebench
