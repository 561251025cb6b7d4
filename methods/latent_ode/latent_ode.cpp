#include "methods/latent_ode/latent_ode.h"

#include <stdexcept>
#include <vector>

#include "core/nn/gaussian_kl.h"
#include "core/own_times.h"

namespace sdebench {

namespace {

std::vector<double> time_vector(const torch::Tensor& times) {
  auto t = times.to(torch::kFloat64).contiguous();
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

}  // namespace

Schema LatentOde::schema() {
  Schema s;
  s.add_int("latent_size", 6, "latent state dimension d", 1)
      .add_int("hidden_size", 30, "width of the encoder and drift MLPs", 1)
      .add_int("drift_layers", 1, "hidden layers of the drift MLP", 1)
      .add_int("encoder_frames", 3, "frames the encoder sees (q(z_0) from x_0 .. x_{k-1})", 1)
      .add_int("encoder_layers", 2, "hidden layers of the encoder MLP", 1)
      .add_int("context_size", 0,
               "extra encoder outputs nothing reads (3 gives the published MOCAP parameter "
               "count of 10,573)",
               0)
      .add_string("activation", "softplus", "activation of every MLP", activation_names())
      .add_string("solver", "rk4", "fixed-step ODE solver", ode_method_names())
      .add_float("dt", 0.02, "solver step (the largest step between observation times)", 1e-9);
  ObservationConfig decoder;
  decoder.kind = "mlp";
  decoder.learn_std = true;
  s.benchmark_solver_step("dt", Schema::StepOption::Size);
  return add_observation_options(s, decoder);
}

LatentOdeConfig LatentOde::parse(const Options& o, std::int64_t data_dims) {
  LatentOdeConfig c;
  c.data_dims = data_dims;
  c.latent = o.get_int("latent_size");
  c.hidden = o.get_int("hidden_size");
  c.drift_layers = o.get_int("drift_layers");
  c.encoder_frames = o.get_int("encoder_frames");
  c.encoder_layers = o.get_int("encoder_layers");
  c.context = o.get_int("context_size");
  c.activation = parse_activation(o.get_string("activation"));
  c.observation = observation_options(o, c.activation);
  c.solver.method = o.get_string("solver");
  c.solver.dt = o.get_float("dt");
  return c;
}

LatentOde::LatentOde(const LatentOdeConfig& config, const DataShape& shape)
    : config_(config), dtype_(shape.dtype) {
  const auto d = config.latent;
  encoder = register_module(
      "encoder", FirstFramesEncoder(FirstFramesEncoderConfig{
                     config.data_dims, config.encoder_frames, d, config.context, config.hidden,
                     config.encoder_layers, config.activation}));
  drift = register_module(
      "drift", MLP(d, std::vector<std::int64_t>(static_cast<std::size_t>(config.drift_layers),
                                                config.hidden),
                   d, config.activation));
  observation = register_module(
      "observation", ObservationModel(with_sizes(config.observation, d, config.data_dims)));
  pz0_mean = register_parameter("pz0_mean", torch::zeros({d}));
  pz0_log_std = register_parameter("pz0_log_std", torch::zeros({d}));
  to(dtype_);
}

torch::Tensor LatentOde::solve(const torch::Tensor& z0, const torch::Tensor& times) {
  return odeint([this](double, const torch::Tensor& z) { return drift->forward(z); }, z0,
                time_vector(times), config_.solver);
}

torch::Tensor LatentOde::solve_from_starts(const torch::Tensor& z_start, const torch::Tensor& times,
                                           const torch::Tensor& lengths, const torch::Tensor& start,
                                           std::int64_t samples) {
  const auto grid = relative_time_grid(times, lengths, start);
  auto path = grid.size() > 1 ? odeint([this](double, const torch::Tensor& z) { return drift->forward(z); },
                                       z_start, grid.times, config_.solver)
                              : z_start.unsqueeze(0);
  return gather_at_slots(path, grid.slot, samples);
}

void LatentOde::check_lengths(const Batch& batch) const {
  if (batch.per_sequence() && batch.lengths.min().item<std::int64_t>() < config_.encoder_frames)
    throw std::invalid_argument("latent_ode: the encoder reads " +
                                std::to_string(config_.encoder_frames) +
                                " observations, but a sequence of the batch has only " +
                                std::to_string(batch.lengths.min().item<std::int64_t>()));
}

LatentOde::Terms LatentOde::terms(const Batch& batch) {
  check_lengths(batch);
  auto values = batch.values.to(dtype_), mask = batch.mask.to(dtype_);
  auto code = encoder->forward(values, mask);
  auto z0 = code.mean + torch::exp(code.log_std) * torch::randn_like(code.mean);
  // The ODE has no absolute time: with per-sequence times each row runs from its own first one.
  auto path = batch.per_sequence()
                  ? solve_from_starts(z0, batch.times, batch.lengths, batch.times.select(1, 0))
                        .squeeze(0)
                        .transpose(0, 1)
                  : solve(z0, batch.times);  // [T, B, d]
  auto rec = observation->neg_log_likelihood(values.transpose(0, 1), mask.transpose(0, 1), path)
                 .sum(0);
  return {rec, diagonal_gaussian_kl(code.mean, code.log_std, pz0_mean, pz0_log_std)};
}

LossTerms LatentOde::train_step(const Batch& batch, const StepContext& context) {
  if (batch.values.dim() != 3 || batch.values.size(2) != config_.data_dims)
    throw std::invalid_argument("latent_ode: batch values must be [B, T, " +
                                std::to_string(config_.data_dims) + "]");
  auto t = terms(batch);
  auto rec = t.rec.mean(), kl0 = t.kl0.mean();
  auto loss = rec + context.kl_weight * kl0;
  loss.backward();
  LossTerms out;
  out.total = loss.item<double>();
  const double r = rec.item<double>(), k = kl0.item<double>();
  out.terms = {{"rec", r}, {"kl0", k}, {"nelbo", r + k}};
  return out;
}

std::map<std::string, double> LatentOde::evaluate(const Batch& batch, const EvalOptions& options) {
  torch::NoGradGuard no_grad;
  const auto S = std::max<std::int64_t>(1, options.num_samples);
  const bool own = batch.per_sequence();
  Batch repeated{own ? batch.times.repeat_interleave(S, 0) : batch.times,
                 batch.values.repeat_interleave(S, 0), batch.mask.repeat_interleave(S, 0),
                 own ? batch.lengths.repeat_interleave(S, 0) : batch.lengths};
  auto t = terms(repeated);
  return {{"nelbo", (t.rec + t.kl0).mean().item<double>()},
          {"rec", t.rec.mean().item<double>()},
          {"kl0", t.kl0.mean().item<double>()}};
}

torch::Tensor LatentOde::sample(const torch::Tensor& times, std::int64_t n) {
  torch::NoGradGuard no_grad;
  auto z0 = pz0_mean + torch::exp(pz0_log_std) * torch::randn({n, config_.latent}, pz0_mean.options());
  return observation->mean(solve(z0, times)).permute({1, 0, 2}).contiguous();  // [n, T, D]
}

torch::Tensor LatentOde::forecast(const Batch& observed, std::int64_t context,
                                  const torch::Tensor& times, std::int64_t num_samples) {
  torch::NoGradGuard no_grad;
  const bool own = observed.per_sequence();
  const auto longest = own ? observed.lengths.min().item<std::int64_t>() : observed.values.size(1);
  if (context < config_.encoder_frames || context > longest)
    throw std::invalid_argument("latent_ode::forecast: context must be in [" +
                                std::to_string(config_.encoder_frames) + ", " +
                                std::to_string(longest) + "], got " + std::to_string(context));
  const auto B = observed.values.size(0);
  const auto S = std::max<std::int64_t>(1, num_samples);
  if (own) {
    if (times.dim() != 2 || times.size(0) != B)
      throw std::invalid_argument("latent_ode::forecast: a batch with per-sequence times needs "
                                  "query times [B, T]");
    // Sample s of row b at s B + b; z_0 at each row's first time, then the ODE over its queries.
    auto code = encoder->forward(observed.values.narrow(1, 0, context).to(dtype_),
                                 observed.mask.narrow(1, 0, context).to(dtype_));
    auto eps = torch::randn({S, B, config_.latent}, code.mean.options());
    auto z0 = (code.mean.unsqueeze(0) + torch::exp(code.log_std).unsqueeze(0) * eps).reshape({S * B, -1});
    auto path = solve_from_starts(z0, times, observed.lengths, observed.times.select(1, 0), S);
    return observation->mean(path).contiguous();  // [S, B, T, D]
  }
  auto values = observed.values.narrow(1, 0, context).to(dtype_).repeat_interleave(S, 0);
  auto mask = observed.mask.narrow(1, 0, context).to(dtype_).repeat_interleave(S, 0);
  auto code = encoder->forward(values, mask);
  auto z0 = code.mean + torch::exp(code.log_std) * torch::randn_like(code.mean);
  // z_0 lives at the first observation time; the ODE runs from there over the query times.
  auto t0 = observed.times.narrow(0, 0, 1).to(torch::kFloat64);
  auto query = times.to(torch::kFloat64);
  const bool starts_at_t0 = query[0].item<double>() == t0[0].item<double>();
  auto grid = starts_at_t0 ? query : torch::cat({t0, query});
  auto x = observation->mean(solve(z0, grid));
  if (!starts_at_t0) x = x.narrow(0, 1, query.size(0));
  const auto T = x.size(0), D = x.size(2);
  return x.view({T, B, S, D}).permute({2, 1, 0, 3}).contiguous();  // [S, B, T, D]
}

}  // namespace sdebench

namespace {
using namespace sdebench;
SDEBENCH_REGISTER_METHOD(
    "latent_ode",
    "latent ODE: the latent SDE's model without noise, z_0 from the first frames, trained by "
    "backprop through a fixed-step ODE solver (the deterministic row of Li et al. 2020's MOCAP "
    "table)",
    LatentOde::schema(), [](const Options& options, const DataShape& shape) {
      return std::make_shared<LatentOde>(
          LatentOde::parse(LatentOde::schema().resolve(options, "latent_ode"), shape.dims), shape);
    });
}  // namespace
