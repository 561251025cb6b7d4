#include "harness/runner/evaluator.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <mutex>
#include <stdexcept>

#include "harness/results/csv.h"
#include "harness/stats.h"
#include "harness/runner/batching.h"

namespace sdebench {

ScopedGeneratorSeed::ScopedGeneratorSeed(std::uint64_t seed) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  saved_ = gen.get_state();
  gen.set_current_seed(seed);
}

ScopedGeneratorSeed::~ScopedGeneratorSeed() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(saved_);
}

std::uint64_t evaluation_seed(std::int64_t run_seed) {
  return static_cast<std::uint64_t>(run_seed) * 0x9E3779B97F4A7C15ULL + 0x5EED;
}

const TimeSeriesSplit& evaluation_split(const TimeSeriesDataset& data, const std::string& split) {
  const TimeSeriesSplit& s = split == "val" ? data.val : data.test;
  if (s.size() == 0)
    throw std::invalid_argument("evaluation.split = \"" + split + "\": dataset '" + data.name +
                                "' has no sequences in that split");
  return s;
}

double energy_distance(const torch::Tensor& x, const torch::Tensor& y) {
  auto a = x.to(torch::kFloat64);
  auto b = y.to(torch::kFloat64);
  const double xy = torch::cdist(a, b).mean().item<double>();
  const double xx = torch::cdist(a, a).mean().item<double>();
  const double yy = torch::cdist(b, b).mean().item<double>();
  return 2.0 * xy - xx - yy;
}

double path_energy_distance(const torch::Tensor& paths, const torch::Tensor& values,
                            const torch::Tensor& mask) {
  const auto T = values.size(1);
  double sum = 0.0;
  std::int64_t counted = 0;
  for (std::int64_t t = 0; t < T; ++t) {
    auto observed = std::get<0>(mask.select(1, t).to(torch::kFloat64).min(/*dim=*/1)) > 0.5;  // [m]
    auto rows = values.select(1, t).index_select(0, observed.nonzero().squeeze(1));
    if (rows.size(0) == 0) continue;
    sum += energy_distance(paths.select(1, t), rows);
    ++counted;
  }
  return counted ? sum / static_cast<double>(counted) : std::nan("");
}

double forecast_mse(const torch::Tensor& mean_forecast, const torch::Tensor& values,
                    const torch::Tensor& mask, std::int64_t context, const torch::Tensor& norm_mean,
                    const torch::Tensor& norm_std) {
  auto m = norm_mean.to(torch::kFloat64);
  auto s = norm_std.to(torch::kFloat64);
  auto pred = mean_forecast.to(torch::kFloat64).slice(1, context) * s + m;
  auto truth = values.to(torch::kFloat64).slice(1, context) * s + m;
  auto w = mask.to(torch::kFloat64).slice(1, context);
  const double count = w.sum().item<double>();
  if (count <= 0) return std::nan("");
  return ((pred - truth).pow(2) * w).sum().item<double>() / count;
}

std::vector<double> forecast_mse_per_sample(const torch::Tensor& forecasts, const torch::Tensor& values,
                                            const torch::Tensor& mask, std::int64_t context,
                                            const torch::Tensor& norm_mean,
                                            const torch::Tensor& norm_std) {
  std::vector<double> out;
  for (std::int64_t s = 0; s < forecasts.size(0); ++s)
    out.push_back(forecast_mse(forecasts[s], values, mask, context, norm_mean, norm_std));
  return out;
}

namespace {

// Slot t of sequence b: padding (per-sequence times only), and its time.
bool is_padding(const Batch& batch, std::int64_t b, std::int64_t t) {
  return batch.per_sequence() && t >= batch.lengths[b].item<std::int64_t>();
}
double batch_time(const Batch& batch, const torch::Tensor& shared, std::int64_t b, std::int64_t t) {
  return batch.per_sequence() ? batch.times[b][t].item<double>() : shared[t].item<double>();
}

}  // namespace

std::map<std::string, double> evaluate_model(Method& method, const TimeSeriesDataset& data,
                                             const Options& evaluation, torch::ScalarType dtype,
                                             torch::Device device, std::vector<std::string>& warnings) {
  const std::string split_name = evaluation.get_string("split");
  const TimeSeriesSplit& split = evaluation_split(data, split_name);
  const std::string prefix = split_name + "_";
  Batch batch = leading_batch(split, data.times, evaluation.get_int("max_sequences"), dtype, device);
  std::map<std::string, double> out;

  EvalOptions eo;
  eo.time_samples = evaluation.get_int("time_samples");
  eo.num_samples = evaluation.get_int("num_samples");
  for (const auto& kv : method.evaluate(batch, eo)) out[prefix + kv.first] = kv.second;

  torch::NoGradGuard no_grad;
  const auto context = evaluation.get_int("forecast_context");
  if (context > 0) {
    try {
      const auto shortest = batch.per_sequence() ? batch.lengths.min().item<std::int64_t>()
                                                 : batch.times.size(0);
      if (context >= shortest)
        throw std::invalid_argument("evaluation.forecast_context = " + std::to_string(context) +
                                    " leaves no frame to forecast (the shortest series has " +
                                    std::to_string(shortest) + " times)");
      auto forecasts = method.forecast(batch, context, batch.times, eo.num_samples).cpu();  // [S, B, T, D]
      auto values = batch.values.cpu(), mask = batch.mask.cpu();
      out[prefix + "forecast_mse"] =
          forecast_mse(forecasts.mean(0), values, mask, context, data.norm_mean, data.norm_std);
      const MeanInterval per_sample = mean_interval_95(
          forecast_mse_per_sample(forecasts, values, mask, context, data.norm_mean, data.norm_std));
      out[prefix + "forecast_mse_samples"] = per_sample.mean;
      out[prefix + "forecast_mse_samples_ci95"] = per_sample.half_width;
    } catch (const std::exception& e) {
      warnings.push_back(std::string("forecast metric skipped: ") + e.what());
    }
  }
  const auto path_samples = evaluation.get_int("path_samples");
  // The energy distance compares whole paths on one grid: per-sequence times have none.
  if (path_samples > 0 && !batch.per_sequence()) {
    try {
      auto paths = method.sample(batch.times, path_samples).cpu();  // [n, T, D]
      out[prefix + "energy_distance"] =
          path_energy_distance(paths, batch.values.cpu(), batch.mask.cpu());
    } catch (const std::exception& e) {
      warnings.push_back(std::string("energy distance skipped: ") + e.what());
    }
  }
  return out;
}

std::string sample_paths_csv(Method& method, const TimeSeriesDataset& data, const std::string& split_name,
                             std::int64_t paths, torch::ScalarType dtype, torch::Device device) {
  torch::NoGradGuard no_grad;
  const TimeSeriesSplit& split = evaluation_split(data, split_name);
  Batch batch = leading_batch(split, data.times, paths, dtype, device);
  auto mean = data.norm_mean.to(torch::kFloat64);
  auto std = data.norm_std.to(torch::kFloat64);
  // Per-sequence times: the model's paths on an even grid over the data's span, as many
  // points as the longest sequence has; each data path at its own times.
  const auto model_times =
      batch.per_sequence()
          ? torch::linspace(data.times[0].item<double>(), data.times[-1].item<double>(),
                            std::max<std::int64_t>(2, batch.values.size(1)), torch::kFloat64)
          : data.times.to(torch::kFloat64);
  auto generated = method.sample(model_times.to(batch.values.scalar_type()), paths).cpu().to(torch::kFloat64) * std + mean;
  auto observed = batch.values.cpu().to(torch::kFloat64) * std + mean;
  auto mask = batch.mask.cpu();

  CsvTable table;
  table.header = {"kind", "path", "time"};
  const auto D = observed.size(2);
  for (std::int64_t d = 0; d < D; ++d) table.header.push_back("x" + std::to_string(d));
  auto emit = [&](const std::string& kind, const torch::Tensor& values, const torch::Tensor* m) {
    auto acc = values.accessor<double, 3>();
    const bool own = m && batch.per_sequence();
    for (std::int64_t p = 0; p < values.size(0); ++p) {
      for (std::int64_t t = 0; t < values.size(1); ++t) {
        if (own && is_padding(batch, p, t)) continue;
        const double time = own ? batch_time(batch, model_times, p, t) : model_times[t].item<double>();
        std::vector<std::string> row{kind, std::to_string(p), format_number(time)};
        for (std::int64_t d = 0; d < D; ++d) {
          const bool missing = m && (*m)[p][t][d].item<double>() < 0.5;
          row.push_back(missing ? "nan" : format_number(acc[p][t][d]));
        }
        table.rows.push_back(std::move(row));
      }
    }
  };
  emit("model", generated, nullptr);
  emit("data", observed, &mask);
  return format_csv(table);
}

std::string forecast_csv(Method& method, const TimeSeriesDataset& data, const std::string& split_name,
                         std::int64_t sequences, std::int64_t context, std::int64_t num_samples,
                         torch::ScalarType dtype, torch::Device device) {
  torch::NoGradGuard no_grad;
  const TimeSeriesSplit& split = evaluation_split(data, split_name);
  Batch batch = leading_batch(split, data.times, sequences, dtype, device);
  auto mean = data.norm_mean.to(torch::kFloat64);
  auto std = data.norm_std.to(torch::kFloat64);
  auto forecasts = method.forecast(batch, context, batch.times, num_samples).cpu().to(torch::kFloat64) * std + mean;
  auto observed = batch.values.cpu().to(torch::kFloat64) * std + mean;
  auto mask = batch.mask.cpu();
  const auto times = data.times.to(torch::kFloat64);
  CsvTable table;
  table.header = {"kind", "sequence", "time"};
  const auto D = observed.size(2);
  for (std::int64_t d = 0; d < D; ++d) table.header.push_back("x" + std::to_string(d));
  auto emit = [&](const std::string& kind, const torch::Tensor& values, const torch::Tensor* m) {
    auto acc = values.accessor<double, 3>();
    for (std::int64_t b = 0; b < values.size(0); ++b)
      for (std::int64_t t = 0; t < values.size(1); ++t) {
        if (is_padding(batch, b, t)) continue;
        std::vector<std::string> row{kind, std::to_string(b), format_number(batch_time(batch, times, b, t))};
        for (std::int64_t d = 0; d < D; ++d) {
          const bool missing = m && (*m)[b][t][d].item<double>() < 0.5;
          row.push_back(missing ? "nan" : format_number(acc[b][t][d]));
        }
        table.rows.push_back(std::move(row));
      }
  };
  emit("data", observed, &mask);
  emit("mean", forecasts.mean(0), nullptr);
  emit("sample", forecasts[0], nullptr);
  // The spread of the samples about their mean (population std, data units): the per-sample
  // MSE exceeds the mean's MSE by the average of its square, so these rows show where in time
  // and in which dimensions a forecast's score is lost to spread rather than to its mean.
  emit("std", forecasts.std(0, /*unbiased=*/false), nullptr);
  return format_csv(table);
}

std::string latent_csv(Method& method, const TimeSeriesDataset& data, const std::string& split_name,
                       std::int64_t sequences, torch::ScalarType dtype, torch::Device device) {
  torch::NoGradGuard no_grad;
  const TimeSeriesSplit& split = evaluation_split(data, split_name);
  Batch batch = leading_batch(split, data.times, sequences, dtype, device);
  auto latent = method.latent_path(batch);
  if (!latent.defined()) return "";
  latent = latent.cpu().to(torch::kFloat64);
  const auto B = latent.size(0), T = latent.size(1), d = latent.size(2);
  std::vector<std::pair<std::string, torch::Tensor>> truth;
  auto found = data.truth.find(split_name);
  if (found != data.truth.end())
    for (const auto& [name, series] : found->second)
      truth.emplace_back(name, series.narrow(0, 0, B).cpu().to(torch::kFloat64));
  CsvTable table;
  table.header = {"sequence", "time"};
  for (std::int64_t k = 0; k < d; ++k) table.header.push_back("z" + std::to_string(k));
  for (const auto& [name, series] : truth) table.header.push_back("truth_" + name);
  const auto times = data.times.to(torch::kFloat64);
  auto acc = latent.accessor<double, 3>();
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t t = 0; t < T; ++t) {
      if (is_padding(batch, b, t)) continue;
      std::vector<std::string> row{std::to_string(b), format_number(batch_time(batch, times, b, t))};
      for (std::int64_t k = 0; k < d; ++k) row.push_back(format_number(acc[b][t][k]));
      for (const auto& [name, series] : truth) row.push_back(format_number(series[b][t].item<double>()));
      table.rows.push_back(std::move(row));
    }
  return format_csv(table);
}

}  // namespace sdebench
