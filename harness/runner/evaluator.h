#pragma once
// Held-out accuracy, the same for every method:
//  - the method's own metrics (e.g. nelbo) on the evaluation split, prefixed "<split>_";
//  - forecast MSE under the MOCAP protocol: the first `forecast_context` frames are given and
//    `num_samples` forecasts are compared with the remaining frames, in data units (after
//    un-normalising), over observed entries only. "<split>_forecast_mse_samples" is the MSE of
//    each sample averaged over the samples (Li et al. 2020's score), with the half-width of its
//    95% t-interval over the samples in "<split>_forecast_mse_samples_ci95";
//    "<split>_forecast_mse" is the MSE of the samples' mean;
//  - the energy distance between `path_samples` generated prior paths and the held-out
//    sequences, per observation time (normalised units), averaged over times:
//    "<split>_energy_distance". Needs no ELBO, so every method is comparable.
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "core/options.h"
#include "datasets/dataset.h"
#include "methods/method.h"

namespace sdebench {

// Sets the default generator to `seed` and restores its previous state on destruction, so that
// evaluation noise neither depends on nor perturbs the training random stream.
class ScopedGeneratorSeed {
 public:
  explicit ScopedGeneratorSeed(std::uint64_t seed);
  ~ScopedGeneratorSeed();
  ScopedGeneratorSeed(const ScopedGeneratorSeed&) = delete;
  ScopedGeneratorSeed& operator=(const ScopedGeneratorSeed&) = delete;

 private:
  torch::Tensor saved_;
};

// Seed of a run's evaluation generator: fixed per run, so its evaluations use common random
// numbers and neither perturb nor depend on the training stream.
std::uint64_t evaluation_seed(std::int64_t run_seed);

const TimeSeriesSplit& evaluation_split(const TimeSeriesDataset& data, const std::string& split);

// Energy distance (V-statistic, Euclidean) between samples x [n, D] and y [m, D]:
// 2 E|X - Y| - E|X - X'| - E|Y - Y'|, computed in float64.
double energy_distance(const torch::Tensor& x, const torch::Tensor& y);

// Mean over times of the energy distance between paths [n, T, D] and data [m, T, D] (rows
// with any missing entry at a time are left out at that time). NaN when no time has data.
double path_energy_distance(const torch::Tensor& paths, const torch::Tensor& values,
                            const torch::Tensor& mask);

// MSE between the sample-mean forecast [B, T, D] and the data after frame `context`, in data
// units: both are un-normalised with the dataset's mean and std; masked entries are skipped.
double forecast_mse(const torch::Tensor& mean_forecast, const torch::Tensor& values,
                    const torch::Tensor& mask, std::int64_t context, const torch::Tensor& norm_mean,
                    const torch::Tensor& norm_std);

// The same MSE for each sample s of forecasts [S, B, T, D]: S values.
std::vector<double> forecast_mse_per_sample(const torch::Tensor& forecasts, const torch::Tensor& values,
                                            const torch::Tensor& mask, std::int64_t context,
                                            const torch::Tensor& norm_mean,
                                            const torch::Tensor& norm_std);

// Forecasts of the first `sequences` sequences of `split` next to the data, in data units, for
// the report's plots: columns kind (data|mean|sample|std), sequence, time, x0..x{D-1}; "std" is
// the samples' population standard deviation about their mean.
std::string forecast_csv(Method& method, const TimeSeriesDataset& data, const std::string& split,
                         std::int64_t sequences, std::int64_t context, std::int64_t num_samples,
                         torch::ScalarType dtype, torch::Device device);

// The method's inferred latent path (Method::latent_path) for the first `sequences` sequences
// of `split`, beside the dataset's latent truth where it has one: columns sequence, time,
// z0..z{d-1}, then truth_<name> for each truth series. Empty when the method has no latent.
std::string latent_csv(Method& method, const TimeSeriesDataset& data, const std::string& split,
                       std::int64_t sequences, torch::ScalarType dtype, torch::Device device);

// All metrics above for `method`. Problems (a method without forecasts, say) are appended to
// `warnings` and the metric is left out.
std::map<std::string, double> evaluate_model(Method& method, const TimeSeriesDataset& data,
                                             const Options& evaluation, torch::ScalarType dtype,
                                             torch::Device device, std::vector<std::string>& warnings);

// A small CSV of generated paths next to data paths, in data units, for the report's plot:
// columns kind (model|data), path, time, x0..x{D-1}.
std::string sample_paths_csv(Method& method, const TimeSeriesDataset& data, const std::string& split,
                             std::int64_t paths, torch::ScalarType dtype, torch::Device device);

}  // namespace sdebench
