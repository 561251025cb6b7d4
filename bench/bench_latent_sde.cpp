// One latent SDE training step (encoder, solve, ELBO, all gradients) built through the
// registry as a run builds it, in both gradient modes.
//  - BM_LatentSdeLorenz: torchsde's latent_sde_lorenz.py configuration: batch 1024, 100
//    observations on [0, 2], Euler dt 1e-2, latent 4, context 64, hidden 128; on the fixed
//    grid (torchsde's rule: 200 steps of exactly 1e-2, outputs interpolated) and on the
//    observations grid (3 equal steps per interval of 2/99: 297 steps).
//    torchsde (Debian PyTorch 1.13, OpenBLAS 1 thread, 2 torch threads): 13.3 s backprop,
//    118 s adjoint per iteration.
//  - BM_LatentSdeDtSweep: batch 64, 100 observations, dt 1e-2 / 3e-3 / 1e-3: how time and
//    memory grow with the number of solver steps.
//  - BM_LatentSdeMemory: batch 16, 5 observations on [0, 2], 40 / 400 / 4000 Euler steps:
//    peak tensor memory of the adjoint must stay flat, backprop's grows linearly.
// Counters: peak_bytes (counting allocator: every live tensor, parameters and grads included)
// and step_extra_bytes (the step's own peak above what was live before it), steps.
// Run with OPENBLAS_NUM_THREADS=1; threads are set by configure_threads(0) as in every run.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cmath>

#include "bench/bench_main.h"
#include "core/sdeint.h"
#include "core/step_plan.h"
#include "core/threads.h"
#include "harness/memory.h"
#include "methods/method.h"

using namespace sdebench;

namespace {

struct Setup {
  std::shared_ptr<Method> method;
  Batch batch;
  std::int64_t steps = 0;
};

Setup make_setup(bool backprop, std::int64_t batch, std::int64_t obs, double dt,
                 TimeGrid grid = TimeGrid::Fixed) {
  torch::manual_seed(0);
  auto times = torch::linspace(0, 2, obs, torch::kFloat64);
  DataShape shape{3, times, torch::kFloat32};
  Options options;
  options.set("gradient", std::string(backprop ? "backprop" : "adjoint"));
  options.set("dt", dt);
  options.set("time_grid", time_grid_name(grid));
  Setup s;
  s.method = MethodRegistry::instance().get("latent_sde").factory(options, shape);
  // Smooth, Lorenz-scaled synthetic paths (the step's cost does not depend on the values).
  auto t = times.to(torch::kFloat32).view({1, obs, 1});
  auto phase = torch::rand({batch, 1, 3}) * 6.28;
  s.batch = {times, torch::sin(3 * t + phase), torch::ones({batch, obs, 3})};
  auto tv = times.contiguous();
  s.steps = plan_steps(std::vector<double>(tv.data_ptr<double>(), tv.data_ptr<double>() + obs), dt,
                       grid)
                .steps();
  return s;
}

void run_steps(benchmark::State& state, Setup& s) {
  std::int64_t peak = 0, extra = 0;
  for (auto _ : state) {
    s.method->zero_grad();
    const auto base = memory_counters().current_bytes;
    reset_peak_memory();
    auto terms = s.method->train_step(s.batch, StepContext{0, 1.0});
    benchmark::DoNotOptimize(terms.total);
    const auto m = memory_counters();
    peak = std::max(peak, m.peak_bytes);
    extra = std::max(extra, m.peak_bytes - base);
  }
  state.counters["peak_bytes"] = static_cast<double>(peak);
  state.counters["step_extra_bytes"] = static_cast<double>(extra);
  state.counters["steps"] = static_cast<double>(s.steps);
}

// Args: backprop (0/1), batch, time grid (0: fixed, torchsde's 200 steps; 1: observations,
// 297 steps).
void BM_LatentSdeLorenz(benchmark::State& state) {
  const auto grid = state.range(2) == 0 ? TimeGrid::Fixed : TimeGrid::Observations;
  auto s = make_setup(state.range(0) == 1, state.range(1), 100, 1e-2, grid);
  state.SetLabel(std::string(state.range(0) ? "backprop" : "adjoint") + ", " +
                 time_grid_name(grid) + " grid");
  // One untimed warm-up step: a training run is in steady state after its first step (heap
  // grown to the step's peak, core/heap.h); the first step's page faults are not per-step cost.
  s.method->zero_grad();
  s.method->train_step(s.batch, StepContext{0, 1.0});
  run_steps(state, s);
}

// Args: backprop (0/1), 1/dt.
void BM_LatentSdeDtSweep(benchmark::State& state) {
  auto s = make_setup(state.range(0) == 1, 64, 100, 1.0 / static_cast<double>(state.range(1)));
  state.SetLabel(state.range(0) ? "backprop" : "adjoint");
  run_steps(state, s);
}

// Args: backprop (0/1), total Euler steps on [0, 2] with 5 observations.
void BM_LatentSdeMemory(benchmark::State& state) {
  auto s = make_setup(state.range(0) == 1, 16, 5, 2.0 / static_cast<double>(state.range(1)));
  state.SetLabel(state.range(0) ? "backprop" : "adjoint");
  run_steps(state, s);
}

}  // namespace

BENCHMARK(BM_LatentSdeLorenz)
    ->Args({1, 1024, 0})
    ->Args({0, 1024, 0})
    ->Args({1, 1024, 1})
    ->Args({0, 1024, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
BENCHMARK(BM_LatentSdeDtSweep)
    ->ArgsProduct({{1, 0}, {100, 333, 1000}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);
BENCHMARK(BM_LatentSdeMemory)
    ->ArgsProduct({{1, 0}, {40, 400, 4000}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

int main(int argc, char** argv) { return sdebench::run_benchmarks(argc, argv); }
