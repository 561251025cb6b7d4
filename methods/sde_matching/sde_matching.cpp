#include "methods/sde_matching/sde_matching.h"

#include <stdexcept>

#include "core/solvers/stepper.h"

namespace sdebench {

Schema sde_matching_schema() {
  Schema s;
  s.add_int("latent_size", 4, "latent state dimension d", 1)
      .add_string("encoder", "gru",
                  "posterior sequence encoder: 'gru' (a GRU over the values) or 'conv' (each "
                  "frame through a convolutional encoder first: video and grid data)",
                  posterior_encoder_kinds())
      .add_int("encoder_hidden", 100, "GRU encoder hidden size (posterior context width)", 1)
      .add_int("posterior_width", 100, "width of the posterior MLP [ctx, t] -> (mu, log sigma)", 1)
      .add_int("posterior_layers", 2, "hidden layers of the posterior MLP", 1)
      .add_string("posterior_activation", "silu", "activation of the posterior MLP",
                  activation_names())
      .add_float("attention_sharpness", 41.0,
                 "L in the time attention softmax(-(L (t_j - t)/span)^2) over GRU states; 0 = "
                 "the number of observation times (of the whole sequence when forecasting with "
                 "time_normalisation = \"absolute\", so the width in time is training's)",
                 0.0)
      .add_bool("attention_last_state", true,
                "add the GRU's last state, which has read the whole sequence, to the context at "
                "every time (the notebook); false: the context at t is the attention over the "
                "GRU states near t, each of which has read the frames up to its own time, so "
                "forecasting from the first frames sees what training saw")
      .add_string("time_normalisation", "sequence",
                  "posterior time input s = (t - t0) / span: 'sequence' takes t0 and span from "
                  "the encoded sequence (the notebook), 'absolute' from the training time grid "
                  "(the same s when forecasting from a few frames)",
                  {"sequence", "absolute"})
      .add_int("encoder_frames", 0,
               "k > 0: q(z_0) from an MLP over the first k frames only (trained as forecasting "
               "from k frames uses it); the marginals at later times from the whole sequence "
               "(posterior_marginals = 'attention') or from the same MLP on later windows "
               "('windows'); "
               "0 = q(z_0) is the whole-sequence marginal at t0",
               0)
      .add_string("posterior_marginals", "attention",
                  "how q(z_t | X) is made: 'attention' = a GRU over the sequence, time attention "
                  "and an MLP (the notebook); 'windows' = the first-frames MLP on every window of "
                  "encoder_frames consecutive frames gives (mu, log sigma) at the window's first "
                  "time, averaged in t by the time attention (local; q(z_0)'s MLP trains on "
                  "every window; encoder_hidden, posterior_width, posterior_layers, "
                  "posterior_activation and attention_last_state do not apply: values other than "
                  "their defaults are refused)",
                  posterior_marginal_kinds())
      .add_float("posterior_sigma_min", 0.0,
                 "floor on the posterior's std: sigma = exp(raw) + floor, floor = "
                 "posterior_sigma_min at every time (q(z_0 | first frames) included) or, with "
                 "posterior_sigma_ramp > 0, rising from 0 at a sequence's first time; 0 = "
                 "exp(raw) (the notebook)",
                 0.0)
      .add_float("posterior_sigma_ramp", 0.0,
                 "> 0: the std's floor is posterior_sigma_min tanh((t - t_first) / ramp), in the "
                 "data's time unit, so q(z_0) has none and a forecast's z_0 is drawn as training "
                 "fitted it; 0: the same floor at every time",
                 0.0)
      .add_int("frames_hidden", 30, "hidden width of the first-frames encoder", 1)
      .add_int("frames_layers", 2, "hidden layers of the first-frames encoder", 1)
      .add_bool("encode_mask", false,
                "feed the missing-value mask to the GRU next to the values (changes its input size)")
      .add_int("prior_width", 100, "width of the prior drift MLP h(z)", 1)
      .add_int("prior_layers", 1, "hidden layers of the prior drift MLP", 1)
      .add_string("prior_activation", "softplus", "activation of the prior drift MLP",
                  activation_names())
      .add_bool("prior_time_input", false,
                "the prior drift also reads the time, h(t, z) (absolute time in the data's unit; "
                "refused for forecasts of per-sequence times, which run on times since each "
                "sequence's start)")
      .add_int("diffusion_width", 100, "hidden width of each per-dimension diffusion net 1->H->1", 1)
      .add_string("diffusion_activation", "softplus",
                  "hidden activation of the diffusion nets (output is a sigmoid)", activation_names());
  add_diffusion_max_option(s)
      .add_string("rec_estimator", "single",
                  "L_rec estimator: 'single' = -log p at one random observation, unscaled "
                  "(the reference notebook; not the ELBO's weight); 'unbiased' = the same times N "
                  "(number of observations); 'all' = every observation once (the ELBO's sum)",
                  {"single", "unbiased", "all"})
      .add_int("time_samples", 1,
               "K: times t ~ U[t0,t1] for L_diff and observation indices for L_rec per sequence", 1)
      .add_bool("anneal_kl", false,
                "weight L_prior + L_diff (the ELBO's KL terms) by the harness's KL-annealing "
                "schedule (training.kl_anneal_iterations), as the latent SDE weights kl0 + "
                "kl_path; false = the method's loss as published, every term at weight 1")
      .add_string("solver", "euler", "core SDE solver for sampling and forecasting (Ito prior)",
                  solver_names())
      .add_float("solver_dt", 1e-2, "maximum solver step for sampling and forecasting", 1e-9);
  add_frame_encoder_options(s, FrameEncoderConfig{});
  ObservationConfig decoder;
  decoder.hidden = 100;
  s.benchmark_solver_step("solver_dt", Schema::StepOption::Size);  // sampling only
  return add_observation_options(s, decoder);
}

SdeMatchingConfig SdeMatchingConfig::from_options(const Options& given, std::int64_t data_dims) {
  const auto schema = sde_matching_schema();
  const Options o = schema.resolve(given, "sde_matching");
  SdeMatchingConfig c;
  c.model.data_dims = data_dims;
  c.model.latent = o.get_int("latent_size");
  c.model.prior_width = o.get_int("prior_width");
  c.model.prior_layers = o.get_int("prior_layers");
  c.model.prior_activation = parse_activation(o.get_string("prior_activation"));
  c.model.prior_time_input = o.get_bool("prior_time_input");
  c.model.diffusion_width = o.get_int("diffusion_width");
  c.model.diffusion_max = o.get_float("diffusion_max");
  c.model.diffusion_activation = parse_activation(o.get_string("diffusion_activation"));
  c.model.observation = observation_options(o, c.model.prior_activation);
  c.posterior.data_dims = data_dims;
  c.posterior.latent = c.model.latent;
  c.posterior.encoder_hidden = o.get_int("encoder_hidden");
  c.posterior.width = o.get_int("posterior_width");
  c.posterior.layers = o.get_int("posterior_layers");
  c.posterior.activation = parse_activation(o.get_string("posterior_activation"));
  c.posterior.sharpness = o.get_float("attention_sharpness");
  c.posterior.last_state = o.get_bool("attention_last_state");
  c.posterior.encode_mask = o.get_bool("encode_mask");
  c.posterior.absolute_time = o.get_string("time_normalisation") == "absolute";
  c.posterior.encoder_frames = o.get_int("encoder_frames");
  c.posterior.frames_hidden = o.get_int("frames_hidden");
  c.posterior.frames_layers = o.get_int("frames_layers");
  c.posterior.encoder = o.get_string("encoder");
  c.posterior.marginals = o.get_string("posterior_marginals");
  c.posterior.sigma_min = o.get_float("posterior_sigma_min");
  c.posterior.sigma_ramp = o.get_float("posterior_sigma_ramp");
  // A resolved spec lists every key, so what is refused is a value other than the default.
  if (c.posterior.marginals == "windows")
    for (const char* unused : {"encoder_hidden", "posterior_width", "posterior_layers",
                               "posterior_activation", "attention_last_state"})
      if (o.values().at(unused) != schema.find(unused)->default_value)
        throw std::invalid_argument(std::string("sde_matching: ") + unused + " = " +
                                    format_value(o.values().at(unused)) +
                                    " does not apply with posterior_marginals = \"windows\" "
                                    "(there is no GRU or marginal MLP); remove it");
  c.posterior.frame_encoder = frame_encoder_options(o);
  c.rec_estimator = parse_rec_estimator(o.get_string("rec_estimator"));
  c.time_samples = o.get_int("time_samples");
  c.anneal_kl = o.get_bool("anneal_kl");
  c.solver = o.get_string("solver");
  c.solver_dt = o.get_float("solver_dt");
  return c;
}

SdeMatching::SdeMatching(const SdeMatchingConfig& config, const DataShape& shape)
    : config_(config), dtype_(shape.dtype) {
  if (shape.dims <= 0) throw std::invalid_argument("sde_matching: DataShape.dims must be > 0");
  config_.model.data_dims = config_.posterior.data_dims = shape.dims;
  if (config_.posterior.absolute_time) {
    if (!shape.times.defined() || shape.times.numel() < 2)
      throw std::invalid_argument(
          "sde_matching: time_normalisation = \"absolute\" needs the training time grid");
    auto tt = shape.times.to(torch::kFloat64);
    config_.posterior.time_origin = tt[0].item<double>();
    config_.posterior.time_span = tt[-1].item<double>() - tt[0].item<double>();
  }
  model = register_module("model", GenerativeModel(config_.model));
  posterior = register_module("posterior", Posterior(config_.posterior));
  to(dtype_);
}

Batch SdeMatching::to_dtype(const Batch& batch) const {
  Batch b = batch;  // times (and per-sequence lengths) as they are
  b.values = batch.values.to(dtype_);
  b.mask = batch.mask.to(dtype_);
  return b;
}

LossNoise SdeMatching::draw_noise(const Batch& batch) const {
  return draw_loss_noise(batch, config_.time_samples, config_.model.latent, dtype_,
                         config_.rec_estimator);
}

LossParts SdeMatching::loss(const Batch& batch, const LossNoise& noise) {
  return sde_matching_loss(*model, *posterior, to_dtype(batch), noise, config_.rec_estimator);
}

LossTerms SdeMatching::train_step(const Batch& batch, const StepContext& context) {
  auto parts = loss(batch, draw_noise(batch));
  auto prior = parts.prior.mean(), diff = parts.diff.mean(), rec = parts.rec.mean();
  const double kl_weight = config_.anneal_kl ? context.kl_weight : 1.0;
  auto total = kl_weight * (prior + diff) + rec;
  total.backward();
  LossTerms terms;
  terms.total = total.item<double>();
  terms.terms = {{"prior", prior.item<double>()},
                 {"diff", diff.item<double>()},
                 {"rec", rec.item<double>()}};
  return terms;
}

std::map<std::string, double> SdeMatching::evaluate(const Batch& batch,
                                                    const EvalOptions& options) {
  return evaluate_nelbo(*model, *posterior, to_dtype(batch), options.time_samples,
                        options.num_samples);
}

torch::Tensor SdeMatching::latent_path(const Batch& batch) {
  torch::NoGradGuard no_grad;
  auto b = to_dtype(batch);
  auto enc = posterior->encode(b.values, b.mask, b.times, b.lengths);
  auto t = b.per_sequence() ? b.times.to(dtype_)
                            : b.times.to(dtype_).unsqueeze(0).expand({b.values.size(0), b.times.size(0)});
  return posterior->marginal(enc, t, /*time_derivative=*/false).mu;
}

SDEBENCH_REGISTER_METHOD(
    "sde_matching",
    "SDE Matching (Bartosh et al. 2025): simulation-free latent SDE training with a Gaussian "
    "marginal posterior and exact d/dt by tangent propagation",
    sde_matching_schema(), [](const Options& options, const DataShape& shape) {
      return std::make_shared<SdeMatching>(SdeMatchingConfig::from_options(options, shape.dims),
                                           shape);
    });

}  // namespace sdebench
