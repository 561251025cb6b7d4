#pragma once
// Pictures for square-frame data (video, grids; issue 18), from a run's end files alone:
//  - a strip of frames from forecasts.csv: the data above the forecast mean and one forecast
//    sample, at a few evenly spaced times of test sequence 0;
//  - the angle of each of those frames' bright centroid against time (pendulum videos);
//  - the inferred latent path against the dataset's latent truth from latents.csv: the truth
//    regressed on the latent coordinates (least squares with an intercept, over every written
//    sequence and time), the fit's R^2, and the fitted readout against the truth for
//    sequence 0.
// No torch here.
#include <cstdint>
#include <string>
#include <vector>

namespace sdebench {

// Writes `png` from `forecasts_csv` (columns kind, sequence, time, x0..x{D-1}, D = side^2).
// `frames`: how many times the strip shows. Throws when the file holds no square frames.
void write_frame_strip(const std::string& forecasts_csv, const std::string& png,
                       const std::string& title, int frames = 16);

// The angle of a frame's intensity centroid about the frame's centre, in radians: 0 straight
// down, positive to the right (pendulum_video's convention, so for its frames the bob's angle).
// `frame` holds side x side values row by row from the top; NaN for a frame with no positive
// value.
double centroid_angle(const std::vector<double>& frame, std::int64_t side);

// Sequence 0's oracle angle from latents.csv's truth_oracle_angle_mean and
// truth_oracle_angle_std columns (pendulum_video's reruns from the exact state at frame
// oracle_from_frame): what a model that knew that state exactly would forecast. Empty when the
// file lacks them.
struct OracleAngles {
  std::vector<double> times, mean, std;
};
OracleAngles read_oracle_angles(const std::string& latents_csv);

// Plots sequence 0's centroid angle against time for the strip's three rows of
// `forecasts_csv` (data, forecast mean, one forecast sample): whether a forecast swings with
// the data over every time, not only the strip's few. With `latents_csv` holding the oracle's
// columns, also the oracle's mean and mean +- std: how far the noise alone takes the angle
// (the oracle's angle is unwrapped, the centroids' in (-pi, pi]: they part only for a pendulum
// that goes over the top).
void write_centroid_angle_plot(const std::string& forecasts_csv, const std::string& png,
                               const std::string& title, const std::string& latents_csv = "");

struct LatentTruthFit {
  std::string truth;            // the truth column's name without "truth_", e.g. "angle"
  double r_squared = 0.0;       // of the linear readout over every row
  std::size_t rows = 0;
  std::vector<double> weights;  // one per latent coordinate, then the intercept
};

// Fits the first truth column of `latents_csv` (columns sequence, time, z0.., truth_<name>..)
// and, when `png` is not empty, plots sequence 0's truth and readout against time. Throws when
// the file has no truth column.
LatentTruthFit fit_latent_truth(const std::string& latents_csv, const std::string& png,
                                const std::string& title);

}  // namespace sdebench
