// Scaling of one training step of every registered method, built exactly as a run builds it
// (MethodRegistry + a dataset-shaped Batch), plus a calibration GEMM in the same process. What
// varies comes from each method's schema (Schema::benchmark_solver_step / benchmark_each_choice),
// so a new method is benchmarked without editing this file.
// This is the program `sdebench bench` / `sdebench bench-check` run (see harness/bench/).
//
// Families (benchmark names are "<family>/<variant>/<x>"; the gate and the scaling report parse
// them, so keep the shape):
//  - steps/<variant>/<L>: batch 16, 5 observations on [0, 1], the method's solver step set to
//    1/L, so L solver steps span the data. Simulation-free methods (sde_matching, diffusion)
//    only use the solver for sampling: their training step must not grow with L.
//  - obs/<variant>/<T>: batch 16, T observations on [0, 1], one solver step per interval.
//  - times/<variant>_shared_times/<T> and times/<variant>_own_times/<T>: the obs batch, and the
//    same batch with each sequence's interior times moved by up to a quarter gap, so that no two
//    sequences share a time (per-sequence times, issue 19): the same number of observations.
//    T = 10 and 30, outside the gate's /40/ and /400/ filter. Methods that need one shared grid
//    are left out of the own_times variant.
//  - calibration/gemm256: a fixed 256x256 float32 matmul; times are read as ratios to it so
//    a slower or noisier machine does not look like a regression.
// Counters: peak_bytes (counting allocator: every live tensor, parameters and grads included),
// step_extra_bytes (the step's own peak above what was live before it), x (L or T),
// calibration_ms (the net step measured in the same repetition, bench/calibration.h), and for
// the GEMM flops_per_s (the only kernel whose FLOP count is known exactly).
// Threads: --sdebench_threads=N is passed to configure_threads(N) as a run would (0 = all
// cores). The default is 1: on the shared 2-core machines, two LibTorch threads next to any
// other busy process made single repetitions 10-80x slower (measured: backprop/400 steps 191 ms
// vs 3.2 s), which no gate can tell from a regression. Run with OPENBLAS_NUM_THREADS=1.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cstring>
#include <string>
#include <vector>

#include "bench/calibration.h"
#include "core/heap.h"
#include "core/threads.h"
#include "harness/memory.h"
#include "methods/method.h"

using namespace sdebench;

namespace {

constexpr std::int64_t kBatch = 16, kDims = 3, kStepsObs = 5;

// One benchmarked configuration of a registered method: its defaults, or one choice of the
// option its schema names with benchmark_each_choice (latent_sde: adjoint / backprop).
struct Variant {
  std::string name;  // used in the benchmark name
  std::string method;  // registry name
  Options options;
};

std::vector<Variant> variants() {
  std::vector<Variant> out;
  for (const auto& name : MethodRegistry::instance().names()) {
    const Schema& schema = MethodRegistry::instance().get(name).schema;
    if (schema.variant_key().empty()) {
      out.push_back({name, name, {}});
      continue;
    }
    for (const auto& choice : schema.find(schema.variant_key())->choices) {
      Options o;
      o.set(schema.variant_key(), choice);
      out.push_back({name + "_" + choice, name, o});
    }
  }
  return out;
}

// The variant's options for `steps` solver steps over [0, 1], through the option the method's
// schema names as its solver step. A step size a hair above 1/steps keeps floating point from
// adding an extra sliver step.
Options options_for(const Variant& v, std::int64_t steps) {
  Options o = v.options;
  const auto& step = MethodRegistry::instance().get(v.method).schema.solver_step();
  if (step && step->kind == Schema::StepOption::Size)
    o.set(step->key, (1.0 / static_cast<double>(steps)) * (1 + 1e-9));
  else if (step)
    o.set(step->key, steps);
  return o;
}

// The shape a method is built with: T observation times on [0, 1], shared or per sequence.
DataShape shape_for(std::int64_t obs, bool own_times) {
  if (own_times) return {kDims, torch::tensor({0.0, 1.0}, torch::kFloat64), torch::kFloat32, true};
  return {kDims, torch::linspace(0, 1, obs, torch::kFloat64), torch::kFloat32};
}

bool accepts_own_times(const Variant& v) {
  try {
    MethodRegistry::instance().get(v.method).factory(options_for(v, 10), shape_for(10, true));
    return true;
  } catch (const std::invalid_argument&) {
    return false;  // the method needs one shared grid
  }
}

void step_benchmark(benchmark::State& state, const Variant& v, std::int64_t obs,
                    std::int64_t steps, bool own_times = false) {
  record_net_step_calibration(state);  // this repetition's phase, for the gate
  torch::manual_seed(0);
  auto times = torch::linspace(0, 1, obs, torch::kFloat64);
  auto method = MethodRegistry::instance().get(v.method).factory(options_for(v, steps),
                                                                shape_for(obs, own_times));
  // Smooth synthetic paths: the step's cost does not depend on the values.
  auto row_times = times.view({1, obs}).expand({kBatch, obs}).clone();
  if (own_times && obs > 2) {
    auto jitter = (torch::rand({kBatch, obs - 2}, torch::kFloat64) - 0.5) * 0.5 / (obs - 1);
    row_times.narrow(1, 1, obs - 2).add_(jitter);
  }
  auto t = row_times.to(torch::kFloat32).unsqueeze(2);
  Batch batch{own_times ? row_times : times, torch::sin(6 * t + torch::rand({kBatch, 1, kDims}) * 6.28),
              torch::ones({kBatch, obs, kDims}),
              own_times ? torch::full({kBatch}, obs, torch::kLong) : torch::Tensor()};
  std::int64_t peak = 0, extra = 0;
  for (auto _ : state) {
    method->zero_grad();
    const auto base = memory_counters().current_bytes;
    reset_peak_memory();
    auto terms = method->train_step(batch, StepContext{0, 1.0});
    benchmark::DoNotOptimize(terms.total);
    const auto m = memory_counters();
    peak = std::max(peak, m.peak_bytes);
    extra = std::max(extra, m.peak_bytes - base);
  }
  state.counters["peak_bytes"] = static_cast<double>(peak);
  state.counters["step_extra_bytes"] = static_cast<double>(extra);
}

void register_all() {
  register_gemm_calibration();
  for (const auto& v : variants()) {
    const bool has_step = MethodRegistry::instance().get(v.method).schema.solver_step().has_value();
    for (std::int64_t steps : {40, 400, 4000}) {
      if (!has_step) break;  // the method states no solver step to vary
      benchmark::RegisterBenchmark(("steps/" + v.name + "/" + std::to_string(steps)).c_str(),
                                   [v, steps](benchmark::State& s) {
                                     step_benchmark(s, v, kStepsObs, steps);
                                     s.counters["x"] = static_cast<double>(steps);
                                   })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->MinTime(0.1);
    }
    for (std::int64_t obs : {40, 400}) {
      benchmark::RegisterBenchmark(("obs/" + v.name + "/" + std::to_string(obs)).c_str(),
                                   [v, obs](benchmark::State& s) {
                                     step_benchmark(s, v, obs, obs - 1);
                                     s.counters["x"] = static_cast<double>(obs);
                                   })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->MinTime(0.1);
    }
    const bool own = accepts_own_times(v);
    for (std::int64_t obs : {10, 30}) {
      for (const bool own_times : {false, true}) {
        if (own_times && !own) continue;
        const std::string variant = v.name + (own_times ? "_own_times" : "_shared_times");
        benchmark::RegisterBenchmark(("times/" + variant + "/" + std::to_string(obs)).c_str(),
                                     [v, obs, own_times](benchmark::State& s) {
                                       step_benchmark(s, v, obs, obs - 1, own_times);
                                       s.counters["x"] = static_cast<double>(obs);
                                     })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->MinTime(0.1);
      }
    }
  }
}

}  // namespace

// Takes --sdebench_threads=N out of argv (Google Benchmark rejects flags it does not know).
int take_threads_flag(int& argc, char** argv) {
  int threads = 1, out = 1;
  const char* prefix = "--sdebench_threads=";
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], prefix, std::strlen(prefix)) == 0)
      threads = std::atoi(argv[i] + std::strlen(prefix));
    else
      argv[out++] = argv[i];
  }
  argc = out;
  return threads;
}

int main(int argc, char** argv) {
  const int threads = take_threads_flag(argc, argv);
  const auto settings = configure_threads(threads);
  configure_heap();  // as a run does (core/heap.h)
  benchmark::AddCustomContext("torch_threads", std::to_string(settings.torch_threads));
  benchmark::AddCustomContext("blas_threads", std::to_string(settings.blas_threads));
  install_counting_allocator();
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
