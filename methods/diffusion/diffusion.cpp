#include "methods/diffusion/diffusion.h"

#include <stdexcept>

#include "core/solvers/stepper.h"

namespace sdebench {

Schema diffusion_schema() {
  std::vector<std::string> solvers{"auto"};
  for (const auto& name : solver_names()) solvers.push_back(name);
  Schema s;
  s.add_string("network", "conv",
               "score network: 'conv' = 1-D convolutions over time (channels D -> hidden) with "
               "residual blocks; 'mlp' = MLP over the flattened window (tiny T*D only)",
               {"conv", "mlp"})
      .add_int("hidden_width", 64, "hidden channels (conv) or units (mlp)", 1)
      .add_int("layers", 3, "residual blocks (conv) or hidden layers (mlp)", 1)
      .add_int("kernel_size", 5, "temporal kernel size of the conv network (odd)", 1)
      .add_int("embedding_size", 32, "sinusoidal noise-level features of t (even)", 2)
      .add_string("activation", "silu", "activation of the score network", activation_names())
      .add_float("beta_min", 0.1, "VP-SDE beta(t) = beta_min + t (beta_max - beta_min): at t = 0",
                 0.0)
      .add_float("beta_max", 20.0, "VP-SDE noise rate at t = 1", 0.0)
      .add_float("t_min", 1e-3,
                 "smallest noise level: training draws t ~ U[t_min, 1], sampling stops at t_min",
                 1e-6, 0.5)
      .add_int("noise_levels", 1, "noise levels drawn per sequence in each training step", 1)
      .add_string("sampler", "sde",
                  "'sde' = reverse-time SDE; 'ode' = probability-flow ODE (deterministic given "
                  "the N(0, I) start)",
                  {"sde", "ode"})
      .add_int("sampling_steps", 100, "equal solver steps from t = 1 to t = t_min", 1)
      .add_string("solver", "auto",
                  "core solver for sampling; 'auto' = euler for the SDE, heun for the ODE",
                  solvers)
      .add_bool("denoise_final", true,
                "finish with the Tweedie step x0 = (x + sigma^2 score) / alpha at t_min")
      .add_string("conditioning", "mask",
                  "forecast conditioning on the first k frames: 'replacement' = unconditional "
                  "score net, the given entries overwritten with their forward-noised "
                  "observation after every solver step (approximate); 'mask' = conditional "
                  "score net with the clean given entries and their mask as input (CSDI-style), "
                  "trained on random prefixes",
                  {"replacement", "mask"})
      .add_float("condition_prob", 0.5,
                 "conditioning = 'mask': fraction of training windows given a random prefix of "
                 "k ~ U{1..T-1} frames (the rest train the unconditional score)",
                 0.0, 1.0);
  s.benchmark_solver_step("sampling_steps", Schema::StepOption::Count);  // sampling only
  return s;
}

DiffusionConfig DiffusionConfig::from_options(const Options& given, const DataShape& shape) {
  const auto schema = diffusion_schema();
  const Options o = schema.resolve(given, "diffusion");
  if (!shape.times.defined() || shape.times.dim() != 1 || shape.times.size(0) < 1)
    throw std::invalid_argument("diffusion: DataShape.times must be a non-empty [T] tensor "
                                "(the window length T is fixed by the data)");
  DiffusionConfig c;
  c.net.architecture = o.get_string("network");
  c.net.times = shape.times.size(0);
  c.net.dims = shape.dims;
  c.net.hidden = o.get_int("hidden_width");
  c.net.layers = o.get_int("layers");
  c.net.kernel_size = o.get_int("kernel_size");
  c.net.embedding_size = o.get_int("embedding_size");
  c.net.activation = parse_activation(o.get_string("activation"));
  c.schedule.beta_min = o.get_float("beta_min");
  c.schedule.beta_max = o.get_float("beta_max");
  if (c.schedule.beta_max < c.schedule.beta_min)
    throw std::invalid_argument("diffusion: beta_max (" + std::to_string(c.schedule.beta_max) +
                                ") must be >= beta_min (" + std::to_string(c.schedule.beta_min) +
                                ")");
  if (c.schedule.beta_min + c.schedule.beta_max <= 0.0)
    throw std::invalid_argument("diffusion: beta_min + beta_max must be positive");
  c.t_min = o.get_float("t_min");
  c.noise_levels = o.get_int("noise_levels");
  c.sampler = o.get_string("sampler");
  c.solver = o.get_string("solver");
  if (c.solver == "auto") c.solver = c.sampler == "ode" ? "heun" : "euler";
  c.sampling_steps = o.get_int("sampling_steps");
  c.denoise_final = o.get_bool("denoise_final");
  c.conditioning = o.get_string("conditioning");
  c.condition_prob = o.get_float("condition_prob");
  c.net.conditional = c.conditioning == "mask";
  return c;
}

Diffusion::Diffusion(const DiffusionConfig& config, const DataShape& shape)
    : config_(config), dtype_(shape.dtype) {
  if (shape.per_sequence_times) reject_per_sequence_times("diffusion");
  if (shape.dims <= 0) throw std::invalid_argument("diffusion: DataShape.dims must be > 0");
  config_.net.dims = shape.dims;
  net = register_module("net", ScoreNet(config_.net));
  to(dtype_);
}

Batch Diffusion::to_dtype(const Batch& batch) const {
  require_shared_times(batch, "diffusion");
  return {batch.times, batch.values.to(dtype_), batch.mask.to(dtype_)};
}

void Diffusion::check_times(const torch::Tensor& times, const char* where) const {
  if (!times.defined() || times.dim() != 1 || times.size(0) != window_times())
    throw std::invalid_argument(std::string("diffusion::") + where +
                                ": the model generates whole windows of T = " +
                                std::to_string(window_times()) + " frames, got " +
                                (times.defined() ? std::to_string(times.numel()) : "no") +
                                " times");
}

torch::Tensor Diffusion::score(const torch::Tensor& x, const torch::Tensor& t,
                               const torch::Tensor& known) {
  auto sigma = config_.schedule.sigma(t).view({-1, 1, 1});
  return -net->forward(x, t, known) / sigma;
}

torch::Tensor Diffusion::denoising_loss(const Batch& batch, const torch::Tensor& t,
                                        const torch::Tensor& noise, const torch::Tensor& known) {
  const auto& x0 = batch.values;
  auto alpha = config_.schedule.alpha(t).view({-1, 1, 1});
  auto sigma = config_.schedule.sigma(t).view({-1, 1, 1});
  // Missing entries hold 0 in x0: they still get noised (so the input has the right
  // marginal scale) but the network is not asked to predict their noise.
  auto x_t = alpha * x0 + sigma * noise;
  auto weight = batch.mask;
  if (known.defined()) {
    x_t = known * x0 + (1.0 - known) * x_t;  // given entries enter clean
    weight = weight * (1.0 - known);
  }
  auto eps_hat = net->forward(x_t, t, known);
  return (weight * (eps_hat - noise).pow(2)).sum() / weight.sum().clamp_min(1.0);
}

torch::Tensor Diffusion::draw_known(const Batch& batch) const {
  const auto B = batch.values.size(0), T = window_times();
  auto opts = batch.values.options();
  if (T < 2) return torch::zeros_like(batch.values);
  // k = 0 (nothing given) with probability 1 - condition_prob, else uniform on 1..T-1.
  auto k = torch::randint(1, T, {B}, opts.dtype(torch::kLong));
  auto given = torch::rand({B}, opts) < config_.condition_prob;
  k = torch::where(given, k, torch::zeros_like(k));
  auto frame = torch::arange(T, opts.dtype(torch::kLong)).unsqueeze(0);  // [1, T]
  auto prefix = (frame < k.unsqueeze(1)).to(opts.dtype()).unsqueeze(-1);  // [B, T, 1]
  return prefix * batch.mask;
}

LossTerms Diffusion::train_step(const Batch& given, const StepContext&) {
  auto batch = to_dtype(given);
  if (batch.values.dim() != 3 || batch.values.size(1) != window_times())
    throw std::invalid_argument("diffusion::train_step: batches must be whole windows [B, " +
                                std::to_string(window_times()) + ", D]");
  if (config_.noise_levels > 1) {
    const auto K = config_.noise_levels;
    batch.values = batch.values.repeat({K, 1, 1});
    batch.mask = batch.mask.repeat({K, 1, 1});
  }
  const auto B = batch.values.size(0);
  auto t = config_.t_min +
           (1.0 - config_.t_min) * torch::rand({B}, batch.values.options());
  torch::Tensor known;
  if (config_.net.conditional) known = draw_known(batch);
  auto loss = denoising_loss(batch, t, torch::randn_like(batch.values), known);
  loss.backward();
  LossTerms terms;
  terms.total = loss.item<double>();
  terms.terms = {{"dsm", terms.total}};
  return terms;
}

std::map<std::string, double> Diffusion::evaluate(const Batch& given,
                                                  const EvalOptions& options) {
  torch::NoGradGuard no_grad;
  auto batch = to_dtype(given);
  const auto B = batch.values.size(0);
  const auto K = std::max<std::int64_t>(1, options.time_samples);
  double total = 0.0;
  // Stratified noise levels: one per stratum of [t_min, 1], jittered per sequence. One
  // level at a time keeps memory at one batch's activations.
  for (std::int64_t k = 0; k < K; ++k) {
    auto u = (static_cast<double>(k) + torch::rand({B}, batch.values.options())) /
             static_cast<double>(K);
    auto t = config_.t_min + (1.0 - config_.t_min) * u;
    total += denoising_loss(batch, t, torch::randn_like(batch.values)).item<double>();
  }
  return {{"dsm", total / static_cast<double>(K)}};
}

SDEBENCH_REGISTER_METHOD(
    "diffusion",
    "Score-based diffusion baseline (VP-SDE, Song et al. 2021) on whole windows: denoising "
    "score matching, sampling by the reverse SDE or the probability-flow ODE, forecasts by "
    "replacement or a mask-conditioned score net on the first frames. No ELBO is defined for it, so it reports "
    "no nelbo",
    diffusion_schema(), [](const Options& options, const DataShape& shape) {
      return std::make_shared<Diffusion>(DiffusionConfig::from_options(options, shape), shape);
    });

}  // namespace sdebench
