// The shared training loop (see runner.h). Order inside one iteration, which a resumed run
// replays exactly: sample batch -> train_step -> finite check -> clip -> Adam step -> LR decay
// -> parameter average (training.ema_decay) -> metrics row -> evaluation (own generator seed, of
// the averaged parameters when there is an average) -> checkpoint (saves the generator state).
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cmath>
#include <filesystem>
#include <limits>
#include <stdexcept>

#include "core/heap.h"
#include "core/threads.h"
#include "harness/memory.h"
#include "harness/progress.h"
#include "harness/results/atomic_write.h"
#include "harness/results/run_dir.h"
#include "harness/runner/batching.h"
#include "harness/runner/checkpoint.h"
#include "harness/runner/end_files.h"
#include "harness/runner/evaluator.h"
#include "harness/runner/metric_rows.h"
#include "harness/runner/parameter_average.h"
#include "harness/runner/run_setup.h"
#include "harness/runner/runner.h"
#include "harness/runner/stop_signal.h"
#include "harness/runner/summary.h"
#include "harness/runner/train_state.h"

namespace sdebench {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void set_learning_rate(torch::optim::Adam& adam, double lr) {
  for (auto& group : adam.param_groups())
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
}

bool finite_terms(const LossTerms& terms) {
  if (!std::isfinite(terms.total)) return false;
  for (const auto& kv : terms.terms)
    if (!std::isfinite(kv.second)) return false;
  return true;
}

class Trainer {
 public:
  Trainer(const ResolvedSpec& spec, const RunOptions& options)
      : spec_(spec), options_(options), tr_(spec.training), setup_(build_run_setup(spec)),
        adam_(setup_.method->parameters(), torch::optim::AdamOptions(tr_.get_float("lr"))) {
    if (const double decay = tr_.get_float("ema_decay"); decay > 0)
      average_ = std::make_unique<ParameterAverage>(decay, setup_.method->parameters());
  }

  RunResult run();

 private:
  void open_run_dir();
  void step_once(bool& diverged);
  void evaluate();
  void select_best(std::map<std::string, double>& metrics);
  void evaluate_best();
  void write_files(bool with_checkpoint);
  void write_summary();

  const ResolvedSpec& spec_;
  RunOptions options_;
  const Options& tr_;
  RunSetup setup_;
  torch::optim::Adam adam_;
  TrainState state_;
  RunInfo info_;
  std::unique_ptr<Progress> progress_;
  std::unique_ptr<ParameterAverage> average_;  // training.ema_decay > 0
  std::vector<std::string> term_names_;
};

void Trainer::open_run_dir() {
  info_.sweep_label = spec_.sweep_label;
  if (!options_.resume_dir.empty()) {
    info_.run_dir = options_.resume_dir;
    const std::string ckpt = join_path(info_.run_dir, run_files::checkpoint);
    if (!std::filesystem::exists(ckpt))
      throw std::runtime_error("cannot resume '" + info_.run_dir + "': it has no " +
                               run_files::checkpoint +
                               " (output.checkpoint = false, training.checkpoint_every = 0, or the "
                               "run stopped before its first checkpoint)");
    std::vector<torch::Tensor> average_state;
    state_ = TrainState::from_json_text(
        load_checkpoint(ckpt, *setup_.method, adam_, average_ ? &average_state : nullptr));
    if (average_) average_->load_state(average_state);
    set_learning_rate(adam_, state_.lr);
    if (!options_.run_dir_file.empty()) write_file_atomic(options_.run_dir_file, info_.run_dir);
    return;
  }
  state_.lr = tr_.get_float("lr");
  const std::string root =
      options_.output_root.empty() ? spec_.output.get_string("dir") : options_.output_root;
  // A launcher (Slurm) decides the directory at submission time and creates it empty.
  info_.run_dir = options_.run_dir.empty() ? create_run_dir(root, spec_.name)
                                            : claim_planned_run_dir(options_.run_dir);
  if (!options_.run_dir_file.empty()) write_file_atomic(options_.run_dir_file, info_.run_dir);
  write_file_atomic(join_path(info_.run_dir, run_files::spec), spec_.to_toml());
}

void Trainer::step_once(bool& diverged) {
  Method& method = *setup_.method;
  const auto start = Clock::now();
  reset_peak_memory();
  const auto base = memory_counters().current_bytes;

  Batch batch = sample_batch(setup_.data.train, setup_.data.times, tr_.get_int("batch_size"),
                             setup_.dtype, setup_.device);
  if (const auto window = tr_.get_int("window_length"); window > 0) batch = random_windows(batch, window);
  StepContext context;
  context.iteration = state_.iteration;
  const auto anneal = tr_.get_int("kl_anneal_iterations");
  if (method.uses_kl_annealing() && anneal > 0)
    context.kl_weight = std::min(1.0, static_cast<double>(state_.iteration) / static_cast<double>(anneal));
  adam_.zero_grad();
  LossTerms terms = method.train_step(batch, context);
  double grad_norm = std::numeric_limits<double>::quiet_NaN();
  if (finite_terms(terms)) {
    const double clip = tr_.get_float("grad_clip");
    grad_norm = torch::nn::utils::clip_grad_norm_(
        method.parameters(), clip > 0 ? clip : std::numeric_limits<double>::infinity());
  }
  if (!finite_terms(terms) || !std::isfinite(grad_norm)) {
    // Leave the parameters as they were: the last good state is what the run reports.
    diverged = true;
    info_.diverged_at = state_.iteration + 1;
    return;
  }
  adam_.step();
  if (average_) average_->update(method.parameters());
  state_.lr *= tr_.get_float("lr_decay");
  set_learning_rate(adam_, state_.lr);

  const double step_s = seconds_since(start);
  const auto counters = memory_counters();
  state_.peak_train_bytes = std::max(state_.peak_train_bytes, counters.peak_bytes - base);
  state_.peak_tensor_bytes = std::max(state_.peak_tensor_bytes, counters.peak_bytes);
  state_.iteration += 1;
  state_.train_seconds += step_s;
  state_.step_seconds.push_back(step_s);

  StepRecord record;
  record.iteration = state_.iteration;
  record.train_seconds = state_.train_seconds;
  record.step_seconds = step_s;
  record.lr = state_.lr;
  record.kl_weight = context.kl_weight;
  record.grad_norm = grad_norm;
  append_step_row(state_.metrics, record, terms);
  if (progress_) progress_->update(state_.iteration, terms.total, terms.terms);
}

void Trainer::evaluate() {
  Method& method = *setup_.method;
  const auto start = Clock::now();
  reset_peak_memory();
  const auto base = memory_counters().current_bytes;
  std::map<std::string, double> metrics;
  {
    ScopedGeneratorSeed seed(evaluation_seed(spec_.seed));
    ScopedAveragedParameters averaged(average_.get(), method.parameters());
    method.eval();
    std::vector<std::string> warnings;
    metrics = evaluate_model(method, setup_.data, spec_.evaluation, setup_.dtype, setup_.device, warnings);
    select_best(metrics);
    method.train();
    for (const auto& w : warnings) {
      bool seen = false;
      for (const auto& old : info_.warnings) seen = seen || old == w;
      if (!seen) {
        info_.warnings.push_back(w);
        if (progress_) progress_->message("[eval] warning: " + w);
      }
    }
  }
  const double eval_s = seconds_since(start);
  const auto counters = memory_counters();
  state_.peak_eval_bytes = std::max(state_.peak_eval_bytes, counters.peak_bytes - base);
  state_.peak_tensor_bytes = std::max(state_.peak_tensor_bytes, counters.peak_bytes);
  state_.eval_seconds += eval_s;
  state_.last_eval = metrics;
  state_.last_eval_iteration = state_.iteration;

  const std::string line =
      append_eval_row(state_.evals, state_.iteration, state_.train_seconds, eval_s, metrics);
  if (progress_) progress_->message(line);

  const std::string target = tr_.get_string("target_metric");
  if (!target.empty() && state_.time_to_target_iteration < 0) {
    auto it = metrics.find(target);
    if (it != metrics.end() && it->second <= tr_.get_float("target_value")) {
      state_.time_to_target_s = state_.train_seconds;
      state_.time_to_target_iteration = state_.iteration;
    }
  }
}

// Model selection on the val split: measured inside evaluate(), under its generator seed.
void Trainer::select_best(std::map<std::string, double>& metrics) {
  const std::string metric = spec_.evaluation.get_string("select_metric");
  if (metric.empty()) return;
  const std::string key = "val_" + metric;
  if (!metrics.count(key)) {
    Options on_val = spec_.evaluation;
    on_val.set("split", std::string("val"));
    std::vector<std::string> ignored;
    for (const auto& kv : evaluate_model(*setup_.method, setup_.data, on_val, setup_.dtype,
                                         setup_.device, ignored))
      metrics.insert(kv);
  }
  auto it = metrics.find(key);
  if (it == metrics.end())
    throw std::runtime_error("evaluation.select_metric = \"" + metric +
                             "\": the val split has no metric '" + key + "'");
  if (!std::isfinite(it->second)) return;
  if (state_.best_iteration < 0 || it->second < state_.best_value) {
    state_.best_value = it->second;
    state_.best_iteration = state_.iteration;
    save_parameters(join_path(info_.run_dir, run_files::best), *setup_.method);
  }
}

// The best parameters on `split`, reported as best_<metric> beside the last parameters'.
void Trainer::evaluate_best() {
  if (spec_.evaluation.get_string("select_metric").empty() || state_.best_iteration < 0) return;
  Method& method = *setup_.method;
  load_parameters(join_path(info_.run_dir, run_files::best), method);
  ScopedGeneratorSeed seed(evaluation_seed(spec_.seed));
  method.eval();
  std::vector<std::string> warnings;
  for (const auto& kv :
       evaluate_model(method, setup_.data, spec_.evaluation, setup_.dtype, setup_.device, warnings))
    state_.last_eval["best_" + kv.first] = kv.second;
  state_.last_eval["best_iteration"] = static_cast<double>(state_.best_iteration);
  state_.last_eval["best_val_" + spec_.evaluation.get_string("select_metric")] = state_.best_value;
  if (progress_)
    progress_->message("[eval] best parameters from iteration " +
                       std::to_string(state_.best_iteration));
}

void Trainer::write_summary() {
  write_file_atomic(join_path(info_.run_dir, run_files::summary),
                    to_file_text(build_summary(spec_, info_, state_)));
}

void Trainer::write_files(bool with_checkpoint) {
  write_file_atomic(join_path(info_.run_dir, run_files::metrics), format_csv(state_.metrics));
  write_file_atomic(join_path(info_.run_dir, run_files::eval), format_csv(state_.evals));
  if (with_checkpoint && spec_.output.get_bool("checkpoint"))
    save_checkpoint(join_path(info_.run_dir, run_files::checkpoint), *setup_.method, adam_,
                    state_.to_json_text(),
                    average_ ? average_->state() : std::vector<torch::Tensor>{});
  info_.provenance.end_time = iso_time_utc_now();
  write_summary();
}

RunResult Trainer::run() {
  const ThreadSettings threads = configure_threads(static_cast<int>(tr_.get_int("threads")));
  configure_heap();
  install_counting_allocator();
  info_.provenance = collect_provenance();
  info_.provenance.start_time = iso_time_utc_now();
  info_.provenance.torch_threads = threads.torch_threads;
  info_.provenance.blas_threads = threads.blas_threads;
  std::int64_t parameters = 0;
  for (const auto& p : setup_.method->parameters()) parameters += p.numel();
  info_.parameters = parameters;
  info_.num_times = setup_.data.train.values.size(1);  // slots per sequence (the grid, or the longest)
  info_.dims = setup_.data.dims();
  info_.train_size = setup_.data.train.size();
  info_.eval_size = evaluation_split(setup_.data, spec_.evaluation.get_string("split")).size();

  open_run_dir();
  write_summary();  // status "running": a killed run is recognisable

  const auto iterations = tr_.get_int("iterations");
  const auto eval_every = tr_.get_int("eval_every");
  const auto checkpoint_every = spec_.output.get_bool("checkpoint") ? tr_.get_int("checkpoint_every") : 0;
  const double max_seconds = tr_.get_float("max_seconds");
  progress_ = std::make_unique<Progress>(state_.iteration, iterations, tr_.get_int("log_every"),
                                         options_.progress);
  if (tr_.get_int("batch_size") >= info_.train_size)
    progress_->message("[train] batch_size " + std::to_string(tr_.get_int("batch_size")) + " >= the " +
                       std::to_string(info_.train_size) +
                       " training sequences: every step uses the whole training split");
  RunResult result;
  result.run_dir = info_.run_dir;
  bool diverged = false, out_of_time = false, over_memory = false;
  const double max_step_bytes = tr_.get_float("max_step_memory_mb") * 1e6;
  std::int64_t session_iterations = 0;
  try {
    setup_.method->train();
    while (state_.iteration < iterations) {
      if (max_seconds > 0 && state_.train_seconds + state_.eval_seconds >= max_seconds) {
        out_of_time = true;
        break;
      }
      if (stop_requested()) {  // SIGTERM (stop_signal.h): checkpoint now, do not complete
        progress_->finish();
        info_.status = "terminated";
        write_files(/*with_checkpoint=*/true);
        result.status = info_.status;
        result.iterations = state_.iteration;
        return result;
      }
      if (options_.stop_after > 0 && session_iterations >= options_.stop_after) {
        progress_->finish();
        result.status = "interrupted";
        result.iterations = state_.iteration;
        return result;  // as if killed: nothing more is written
      }
      step_once(diverged);
      if (diverged) break;
      if (max_step_bytes > 0 && static_cast<double>(state_.peak_train_bytes) > max_step_bytes) {
        over_memory = true;
        progress_->message("[train] a step needed " +
                           std::to_string(state_.peak_train_bytes / 1000000) +
                           " MB of tensors, over training.max_step_memory_mb: run recorded as "
                           "memory_budget");
        break;
      }
      ++session_iterations;
      if (eval_every > 0 && state_.iteration % eval_every == 0) evaluate();
      if (checkpoint_every > 0 && state_.iteration % checkpoint_every == 0 && state_.iteration < iterations)
        write_files(/*with_checkpoint=*/true);
    }
    progress_->finish();
    if (diverged) {
      info_.status = "diverged";
      progress_->message("[train] loss or gradient not finite at iteration " +
                         std::to_string(info_.diverged_at) + ": run recorded as diverged");
    } else {
      if (state_.last_eval_iteration != state_.iteration) evaluate();
      info_.status = over_memory ? "memory_budget" : out_of_time ? "time_budget" : "completed";
    }
    // The last parameters are checkpointed first; then the best ones (if selected) are
    // evaluated and the end files come from whichever parameters the run reports.
    write_files(/*with_checkpoint=*/!diverged);
    // The checkpoint keeps the raw parameters to resume from; what the run reports from here
    // on (best parameters aside) is the average it evaluated.
    if (average_) average_->copy_into(setup_.method->parameters());
    evaluate_best();
    if (!diverged || state_.best_iteration >= 0)
      for (auto& warning : write_end_files(setup_, spec_.evaluation, info_.run_dir, evaluation_seed(spec_.seed)))
        info_.warnings.push_back(std::move(warning));
    write_files(/*with_checkpoint=*/false);
  } catch (const std::exception& e) {
    progress_->finish();
    info_.status = "failed";
    info_.error = e.what();
    try {
      write_files(false);
    } catch (...) {
    }
    throw;
  }
  result.status = info_.status;
  result.iterations = state_.iteration;
  result.final_metrics = state_.last_eval;
  return result;
}

}  // namespace

RunResult run_experiment(const ResolvedSpec& spec, const RunOptions& options) {
  // Before the dataset and model exist, so that peak_tensor_bytes counts them too.
  install_counting_allocator();
  Trainer trainer(spec, options);
  return trainer.run();
}

}  // namespace sdebench
