// The harness-owned sections of a spec: training, evaluation, output. The runner reads
// exactly these keys; datasets and methods bring their own schemas through the registries.
#include "harness/config/spec.h"
#include "harness/config/spec_internal.h"

namespace sdebench {

Schema training_schema() {
  Schema s;
  s.add_int("iterations", 1000, "optimiser steps", 1);
  s.add_int("batch_size", 128, "sequences per step", 1);
  s.add_float("lr", 1e-3, "Adam learning rate (> 0)", 0.0);
  s.add_float("lr_decay", 1.0, "ExponentialLR gamma applied every iteration (0 < gamma <= 1)", 0.0,
              1.0);
  s.add_float("grad_clip", 0.0, "max global gradient norm; 0 = off", 0.0);
  s.add_float("ema_decay", 0.0,
              "evaluate an exponential moving average of the parameters (Polyak averaging, "
              "updated after every step with weight min(ema_decay, (1 + t) / (10 + t)) on the "
              "average): every evaluation, the model selection and the end files use it, "
              "training continues from the raw parameters; 0 = off (the last iterate)",
              0.0, 0.9999);
  s.add_int("kl_anneal_iterations", 0,
            "KL weight rises linearly from 0 to 1 over this many iterations (methods with a KL "
            "term only); 0 = off",
            0);
  s.add_int("window_length", 0,
            "train on windows of this many consecutive observations, each sequence of a batch "
            "from its own random start, re-timed to start at the grid's first time (data on one "
            "evenly spaced grid only); 0 = whole sequences. Evaluation always sees whole sequences",
            0);
  s.add_int("eval_every", 0, "evaluate every N iterations; 0 = only at the end", 0);
  s.add_int("checkpoint_every", 100, "checkpoint every N iterations; 0 = off", 0);
  s.add_float("max_seconds", 0.0, "wall-time budget for training; 0 = none", 0.0);
  s.add_float("max_step_memory_mb", 0.0,
              "tensor-memory budget of one training step (MB, as the step's peak_train_step_bytes "
              "counts it): the first step above it ends training with status memory_budget; "
              "0 = none",
              0.0);
  s.add_int("threads", 0, "LibTorch intra-op threads; 0 = all cores", 0);
  s.add_string("dtype", "float32", "floating-point type of the model", {"float32", "float64"});
  s.add_string("device", "cpu", "where the model runs (cuda needs a CUDA LibTorch)",
               {"cpu", "cuda"});
  s.add_int("log_every", 10, "a metrics row / log line every N iterations", 1);
  s.add_string("target_metric", "",
               "metric for time-to-target, e.g. \"test_nelbo\"; empty = none");
  s.add_float("target_value", 0.0,
              "time-to-target is recorded when target_metric first goes at or below this");
  return s;
}

Schema evaluation_schema() {
  Schema s;
  s.add_string("split", "test", "held-out split evaluated", {"test", "val"});
  s.add_int("num_samples", 8, "samples per sequence for forecasts and paths", 1);
  s.add_int("time_samples", 64, "stratified time points for integrals over t", 1);
  s.add_int("forecast_context", 0,
            "observations given before forecasting (MOCAP protocol: 3); 0 = no forecast metric",
            0);
  s.add_int("max_sequences", 256, "cap on evaluated sequences", 1);
  s.add_int("path_samples", 256, "prior paths drawn for the sample distance", 1);
  s.add_string("select_metric", "",
               "model selection: at every evaluation this metric (lower is better, e.g. "
               "\"forecast_mse_samples\") is also measured on the val split, the best parameters "
               "are kept in best.pt, and the run ends by evaluating them on `split` "
               "(metrics prefixed best_); empty = off");
  s.add_int("forecast_plot_sequences", 2,
            "sequences whose forecasts are written to forecasts.csv at the end (when "
            "forecast_context > 0); 0 = none",
            0);
  s.add_int("latent_sequences", 16,
            "sequences whose inferred latent paths (and the dataset's latent truth, where it "
            "has one) are written to latents.csv at the end; 0 = none",
            0);
  return s;
}

Schema output_schema() {
  Schema s;
  s.add_string("dir", "results/runs", "where run directories are created");
  s.add_bool("checkpoint", true, "write checkpoints (needed for --resume)");
  return s;
}

namespace spec_detail {

const std::vector<std::string>& section_names() {
  static const std::vector<std::string> names = {"dataset", "model",      "method",
                                                 "training", "evaluation", "output"};
  return names;
}

const std::vector<std::string>& shared_model_keys() {
  // p(z_0) is learned by every method; what varies between models is below. Activations are
  // not shared: every method's default is softplus for the prior drift and the diffusion.
  static const std::vector<std::string> keys = {
      "latent_size",    "prior_width",    "prior_layers",    "diffusion_width", "decoder",
      "decoder_hidden", "decoder_layers", "decoder_channels", "likelihood", "learn_noise_std",
      "noise_std"};
  return keys;
}

const std::vector<std::string>& top_level_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k = {"name", "seed", "include"};
    for (const auto& s : section_names()) k.push_back(s);
    return k;
  }();
  return keys;
}

bool must_be_positive(const std::string& dotted_key) {
  return dotted_key == "training.lr" || dotted_key == "training.lr_decay";
}

}  // namespace spec_detail
}  // namespace sdebench
