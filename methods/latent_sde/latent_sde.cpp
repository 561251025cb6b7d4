#include "methods/latent_sde/latent_sde.h"

#include <stdexcept>

#include "core/brownian.h"
#include "core/solvers/stepper.h"
#include "methods/latent_sde/latent_sde_sde.h"

namespace sdebench {

std::vector<double> to_time_vector(const torch::Tensor& times) {
  auto t = times.to(torch::kFloat64).contiguous();
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

Schema LatentSde::schema() {
  Schema s;
  s.add_string("gradient", "adjoint",
               "how gradients are taken: 'adjoint' (stochastic adjoint, O(1) memory in the "
               "number of solver steps) or 'backprop' (through the solver steps)",
               gradient_names())
      .add_string("solver", "euler",
                  "core solver; heun/midpoint/reversible_heun solve the equivalent "
                  "Stratonovich form",
                  solver_names())
      .add_float("dt", 1e-2, "solver step (the maximum step on the 'observations' grid)", 1e-9)
      .add_string("time_grid", "observations",
                  "where the solver steps: 'observations' (fewest equal steps <= dt between "
                  "observation times, which are hit exactly) or 'fixed' (torchsde's rule: "
                  "steps of exactly dt from the first time, states at the observation times "
                  "interpolated linearly)",
                  time_grid_names())
      .add_int("adjoint_iterations", 1,
               "adjoint: fixed-point iterations reconstructing each earlier state backwards "
               "(>= 1: with 0 the O(dt) Ito-Stratonovich bias of the explicit reverse step "
               "does not vanish as dt -> 0; ignored by reversible_heun, whose reversal is exact)",
               1, 100)
      .add_int("latent_size", 4, "latent state dimension d", 1)
      .add_int("context_size", 64, "encoder output (context) width C", 1)
      .add_int("hidden_size", 128,
               "GRU hidden size and width of the posterior drift MLP (and of the mlp_first_k / "
               "mlp_windows encoder)",
               1)
      .add_int("drift_layers", 2, "hidden layers of the posterior drift MLP", 1)
      .add_int("prior_width", 128, "width of the prior drift MLP h(z)", 1)
      .add_int("prior_layers", 2, "hidden layers of the prior drift MLP", 1)
      .add_bool("prior_time_input", false,
                "the prior drift also reads the time, h(t, z) (absolute time in the data's unit; "
                "refused for per-sequence times, which are solved on times since each "
                "sequence's start)")
      .add_int("diffusion_width", 128, "hidden width of each per-dimension diffusion net 1->H->1",
               1);
  add_diffusion_max_option(s)
      .add_string("encoder", "gru",
                  "'gru' (reversed-time GRU over the whole sequence, torchsde), 'conv' (the same "
                  "GRU over each frame's convolutional features: video and grid data), "
                  "'mlp_first_k' (an MLP over the first encoder_frames frames gives q(z_0) and a context "
                  "constant in time: the MOCAP model of Li et al. 2020) or 'mlp_windows' (the same "
                  "MLP on every window of encoder_frames frames: q(z_0) from the first, and each "
                  "observation's context from the window ending at it)",
                  latent_encoder_kinds())
      .add_int("encoder_frames", 3, "frames the mlp_first_k / mlp_windows encoder sees at once", 1)
      .add_int("encoder_layers", 2, "hidden layers of the mlp_first_k / mlp_windows encoder", 1)
      .add_string("activation", "softplus", "activation of the drift and diffusion nets",
                  activation_names())
      .add_string("forecast_with", "prior",
                  "what a forecast simulates past the context frames: 'prior' (the generative "
                  "model's SDE from the posterior's state at the last context time) or "
                  "'posterior' (the posterior SDE over the whole horizon, its context read from "
                  "the context frames: encoder 'mlp_first_k' only; not for per-sequence times)",
                  {"prior", "posterior"});
  add_frame_encoder_options(s, FrameEncoderConfig{});
  ObservationConfig decoder;
  decoder.hidden = 128;
  s.benchmark_solver_step("dt", Schema::StepOption::Size).benchmark_each_choice("gradient");
  return add_observation_options(s, decoder);
}

LatentSdeMethodConfig LatentSde::parse(const Options& o, const DataShape& shape) {
  LatentSdeMethodConfig c;
  c.model.data_dims = shape.dims;
  c.model.latent = o.get_int("latent_size");
  c.model.context = o.get_int("context_size");
  c.model.hidden = o.get_int("hidden_size");
  c.model.drift_layers = o.get_int("drift_layers");
  c.model.prior_width = o.get_int("prior_width");
  c.model.prior_layers = o.get_int("prior_layers");
  c.model.prior_time_input = o.get_bool("prior_time_input");
  c.model.diffusion_width = o.get_int("diffusion_width");
  c.model.diffusion_max = o.get_float("diffusion_max");
  c.model.encoder = o.get_string("encoder");
  c.model.encoder_frames = o.get_int("encoder_frames");
  c.model.encoder_layers = o.get_int("encoder_layers");
  c.model.frame_encoder = frame_encoder_options(o);
  c.model.activation = parse_activation(o.get_string("activation"));
  c.model.observation = observation_options(o, c.model.activation);
  c.solver.gradient = parse_gradient(o.get_string("gradient"));
  c.solver.method = o.get_string("solver");
  c.solver.dt = o.get_float("dt");
  c.solver.grid = parse_time_grid(o.get_string("time_grid"));
  c.solver.adjoint_iterations = static_cast<int>(o.get_int("adjoint_iterations"));
  c.forecast_with = o.get_string("forecast_with");
  return c;
}

LatentSde::LatentSde(const LatentSdeMethodConfig& config, const DataShape& shape)
    : config_(config), dtype_(shape.dtype) {
  if (config.model.data_dims < 1)
    throw std::invalid_argument("latent_sde: the data must have at least one dimension");
  make_stepper(config.solver.method);  // throws on an unknown name
  if (config.forecast_with != "prior" && config.forecast_with != "posterior")
    throw std::invalid_argument("latent_sde: forecast_with must be 'prior' or 'posterior', got '" +
                                config.forecast_with + "'");
  // Any other encoder's context at later times reads frames a forecast has not seen.
  if (config.forecast_with == "posterior" && config.model.encoder != "mlp_first_k")
    throw std::invalid_argument("latent_sde: forecast_with = \"posterior\" needs encoder = "
                                "\"mlp_first_k\" (a context read from the first frames alone), "
                                "got encoder = \"" + config.model.encoder + "\"");
  model = register_module("model", LatentSdeModel(config.model));
  to(dtype_);
}

Batch LatentSde::to_dtype(const Batch& batch) const {
  if (batch.per_sequence() && config_.model.prior_time_input)
    throw std::invalid_argument("latent_sde: prior_time_input = true cannot take a batch with "
                                "per-sequence times (each row is solved on times since its own "
                                "start, which a time-dependent prior drift cannot)");
  if (batch.per_sequence() && config_.model.first_frames_encoder() &&
      batch.lengths.min().item<std::int64_t>() < config_.model.encoder_frames)
    throw std::invalid_argument("latent_sde: the " + config_.model.encoder + " encoder reads " +
                                std::to_string(config_.model.encoder_frames) +
                                " observations, but a sequence of the batch has only " +
                                std::to_string(batch.lengths.min().item<std::int64_t>()));
  return {batch.times, batch.values.to(dtype_), batch.mask.to(dtype_), batch.lengths};
}

SdeintOptions LatentSde::solve_options(std::uint64_t seed) const {
  SdeintOptions options;
  static_cast<SolverConfig&>(options) = config_.solver;
  options.seed = seed;
  return options;
}

std::uint64_t LatentSde::next_seed() const {
  // From torch's generator, so torch::manual_seed makes a step reproducible.
  return static_cast<std::uint64_t>(torch::randint(1LL << 62, {1}, torch::kLong).item<int64_t>());
}

LatentSde::Encoded LatentSde::encode(const Batch& batch) {
  Encoded e;
  auto code = model->encode(batch.values, batch.mask,
                            batch.per_sequence() ? batch.lengths : torch::Tensor());
  e.mean = code.mean;
  e.log_std = code.log_std;
  e.z0 = e.mean + torch::exp(e.log_std) * torch::randn_like(e.mean);
  e.projection = model->context_projection(code.context);
  return e;
}

LatentSde::SolveGrid LatentSde::solve_grid(const Batch& batch) const {
  SolveGrid grid;
  if (!batch.per_sequence()) {
    grid.times = to_time_vector(batch.times);
    return grid;
  }
  grid.own = relative_time_grid(batch.times, batch.lengths, batch.times.select(1, 0));
  grid.times = grid.own.times;
  return grid;
}

LatentPosteriorSde LatentSde::posterior_sde(const Batch& batch, const SolveGrid& grid,
                                            const Encoded& enc) {
  const auto type = solver_calculus(config_.solver.method);
  if (!batch.per_sequence()) return LatentPosteriorSde(*model, grid.times, enc.projection.unbind(0), type);
  // On the grid interval ending at grid time k, row b reads the context of its first
  // observation at or after k (torchsde's rule, on its own times) and is active while k is at
  // or before its last observation.
  const auto U = static_cast<std::int64_t>(grid.times.size()), B = batch.values.size(0);
  auto piece = torch::zeros({U, B}, torch::kLong);
  auto active = torch::zeros({U, B, 1}, torch::kFloat64);
  auto pa = piece.accessor<std::int64_t, 2>();
  auto aa = active.accessor<double, 3>();
  auto slot = grid.own.slot.accessor<std::int64_t, 2>();
  auto lengths = batch.lengths.to(torch::kLong).cpu();
  auto la = lengths.accessor<std::int64_t, 1>();
  bool all_active = true;
  for (std::int64_t b = 0; b < B; ++b) {
    const auto L = la[b], last = slot[b][L - 1];
    std::int64_t next = 0;  // the row's first observation at or after grid time k
    for (std::int64_t k = 0; k < U; ++k) {
      while (next < L && slot[b][next] < k) ++next;
      pa[k][b] = std::min(next, L - 1);
      aa[k][b][0] = k <= last ? 1.0 : 0.0;
    }
    all_active = all_active && last == U - 1;
  }
  const auto H = enc.projection.size(2);
  auto pieces = enc.projection.gather(
      0, piece.to(enc.projection.device()).unsqueeze(2).expand({U, B, H}));
  std::vector<torch::Tensor> activity;
  if (!all_active) activity = active.to(enc.projection.options()).unbind(0);
  return LatentPosteriorSde(*model, grid.times, pieces.unbind(0), type, std::move(activity));
}

torch::Tensor LatentSde::at_observations(const Batch& batch, const SolveGrid& grid,
                                         const torch::Tensor& states) {
  if (!batch.per_sequence()) return states;
  return gather_at_slots(states, grid.own.slot).squeeze(0).transpose(0, 1);
}

LossTerms LatentSde::train_step(const Batch& batch, const StepContext& context) {
  if (batch.values.dim() != 3 || batch.values.size(2) != config_.model.data_dims)
    throw std::invalid_argument("latent_sde: batch values must be [B, T, " +
                                std::to_string(config_.model.data_dims) + "]");
  if (batch.values.size(1) < 2)
    throw std::invalid_argument("latent_sde: need at least two observation times");
  const auto b = to_dtype(batch);
  const auto grid = solve_grid(b);
  auto enc = encode(b);
  auto kl0 = model->kl_initial(enc.mean, enc.log_std).mean();
  // A Brownian interval whichever the gradient, so both modes see the same path for a seed
  // (the adjoint needs one that answers queries backwards).
  const bool levy = make_stepper(config_.solver.method)->needs_levy_area();
  BrownianInterval brownian =
      make_brownian_interval(grid.times, config_.solver,
                             {b.values.size(0), config_.model.latent, dtype_}, next_seed(), levy);
  auto sde = posterior_sde(b, grid, enc);
  SdeintOptions options = solve_options(/*seed, unused: the path is given*/ 0);
  options.brownian = &brownian;
  auto solution = sdeint(sde, enc.z0, grid.times, options);

  auto rec = model
                 ->neg_log_likelihood(b.values.transpose(0, 1), b.mask.transpose(0, 1),
                                      at_observations(b, grid, solution.states))
                 .sum(0)
                 .mean();
  auto kl_path = solution.extras[-1].sum(-1).mean();
  auto loss = rec + context.kl_weight * (kl0 + kl_path);
  loss.backward();
  const double r = rec.item<double>(), k0 = kl0.item<double>(), kp = kl_path.item<double>();
  LossTerms terms;
  terms.total = r + context.kl_weight * (k0 + kp);
  terms.terms = {{"rec", r}, {"kl0", k0}, {"kl_path", kp}, {"nelbo", r + k0 + kp}};
  return terms;
}

}  // namespace sdebench

namespace {
using namespace sdebench;
SDEBENCH_REGISTER_METHOD(
    "latent_sde",
    "latent SDE (Li et al. 2020, torchsde) trained by backprop through the solver or by the "
    "stochastic adjoint",
    LatentSde::schema(), [](const Options& options, const DataShape& shape) {
      return std::make_shared<LatentSde>(
          LatentSde::parse(LatentSde::schema().resolve(options, "latent_sde"), shape), shape);
    });
}  // namespace
