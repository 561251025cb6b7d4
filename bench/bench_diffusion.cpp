// The diffusion baseline at the paper-Lorenz window shape (T = 41, D = 3), built through the
// registry with its default options (conv net, hidden 64, 3 blocks): one training step
// (loss + backward) at batch 256 and 1024, and sampling 256 windows by the reverse SDE
// (euler, 1 net call per step) and the probability-flow ODE (heun, 2 calls per step) at 50,
// 100 and 200 steps. Counters: peak tensor bytes (counting allocator, live parameters
// included) and the step's extra bytes above what was live before it.
// Run with OPENBLAS_NUM_THREADS=1; threads are set by configure_threads(0) as in every run.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench/bench_main.h"
#include "core/threads.h"
#include "harness/memory.h"
#include "methods/method.h"

using namespace sdebench;

namespace {

constexpr std::int64_t kTimes = 41, kDims = 3;

std::shared_ptr<Method> make_method(const Options& options) {
  torch::manual_seed(0);
  DataShape shape{kDims, torch::linspace(0, 1, kTimes, torch::kFloat64), torch::kFloat32};
  return MethodRegistry::instance().get("diffusion").factory(options, shape);
}

template <class F>
void measure(benchmark::State& state, F&& body) {
  std::int64_t peak = 0, extra = 0;
  for (auto _ : state) {
    const auto base = memory_counters().current_bytes;
    reset_peak_memory();
    body();
    const auto m = memory_counters();
    peak = std::max(peak, m.peak_bytes);
    extra = std::max(extra, m.peak_bytes - base);
  }
  state.counters["peak_bytes"] = static_cast<double>(peak);
  state.counters["step_extra_bytes"] = static_cast<double>(extra);
}

void BM_DiffusionTrainStep(benchmark::State& state) {
  auto method = make_method(Options{});
  const auto B = state.range(0);
  auto times = torch::linspace(0, 1, kTimes, torch::kFloat64);
  Batch batch{times, torch::randn({B, kTimes, kDims}), torch::ones({B, kTimes, kDims})};
  measure(state, [&] {
    method->zero_grad();
    auto terms = method->train_step(batch, StepContext{});
    benchmark::DoNotOptimize(terms.total);
  });
}

void BM_DiffusionSample(benchmark::State& state) {
  const bool ode = state.range(1) != 0;
  Options o;
  o.set("sampling_steps", state.range(0));
  o.set("sampler", std::string(ode ? "ode" : "sde"));
  auto method = make_method(o);
  auto times = torch::linspace(0, 1, kTimes, torch::kFloat64);
  measure(state, [&] { benchmark::DoNotOptimize(method->sample(times, 256)); });
  state.counters["steps"] = static_cast<double>(state.range(0));
  state.SetLabel(ode ? "ode/heun" : "sde/euler");
}

}  // namespace

BENCHMARK(BM_DiffusionTrainStep)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond)
    ->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_DiffusionSample)
    ->Args({50, 0})->Args({100, 0})->Args({200, 0})
    ->Args({50, 1})->Args({100, 1})->Args({200, 1})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

int main(int argc, char** argv) { return sdebench::run_benchmarks(argc, argv); }
