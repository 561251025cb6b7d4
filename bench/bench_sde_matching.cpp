// One SDE Matching training step (loss + backward) at the reference notebook's configuration
// (batch 1024, 41 observations, latent 4, hidden 100, data dim 3), and a sequence-length sweep
// at batch 128 (41, 164, 656 observations). The method is built through the registry exactly
// as a run builds it. Counters: peak tensor bytes during the step (counting allocator; the
// live parameters, grads and batch included) and the step's own extra bytes above them.
// Run with OPENBLAS_NUM_THREADS=1; threads are set by configure_threads(0) as in every run.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench/bench_main.h"
#include "core/nn/tangent_contract.h"
#include "core/threads.h"
#include "harness/memory.h"
#include "methods/method.h"
#include "methods/sde_matching/sde_matching.h"

using namespace sdebench;

namespace {

struct Setup {
  std::shared_ptr<Method> method;
  Batch batch;
};

Setup make_setup(std::int64_t batch, std::int64_t obs) {
  torch::manual_seed(0);
  auto times = torch::linspace(0, 1, obs, torch::kFloat64);
  DataShape shape{3, times, torch::kFloat32};
  Setup s;
  s.method = MethodRegistry::instance().get("sde_matching").factory(Options{}, shape);
  s.batch = {times, torch::randn({batch, obs, 3}), torch::ones({batch, obs, 3})};
  return s;
}

void BM_SdeMatchingTrainStep(benchmark::State& state) {
  auto s = make_setup(state.range(0), state.range(1));
  std::int64_t peak = 0, extra = 0;
  for (auto _ : state) {
    s.method->zero_grad();
    const auto base = memory_counters().current_bytes;
    reset_peak_memory();
    auto terms = s.method->train_step(s.batch, StepContext{});
    benchmark::DoNotOptimize(terms.total);
    const auto m = memory_counters();
    peak = std::max(peak, m.peak_bytes);
    extra = std::max(extra, m.peak_bytes - base);
  }
  state.counters["peak_bytes"] = static_cast<double>(peak);
  state.counters["step_extra_bytes"] = static_cast<double>(extra);
  state.counters["obs"] = static_cast<double>(state.range(1));
}

// The encoder alone (GRU forward + backward of a random linear functional of its states),
// to show where the step's time goes.
void BM_SdeMatchingEncoderOnly(benchmark::State& state) {
  auto s = make_setup(state.range(0), state.range(1));
  auto method = std::dynamic_pointer_cast<SdeMatching>(s.method);
  auto& gru = method->posterior->gru;
  auto weights = torch::randn({state.range(0), state.range(1), gru->hidden_size()});
  std::int64_t extra = 0;
  for (auto _ : state) {
    method->zero_grad();
    const auto base = memory_counters().current_bytes;
    reset_peak_memory();
    (gru->forward(s.batch.values) * weights).sum().backward();
    extra = std::max(extra, memory_counters().peak_bytes - base);
  }
  state.counters["step_extra_bytes"] = static_cast<double>(extra);
}

// The attention contraction at the notebook's size ([B, 2Q, T] weights and tangents against
// [B, T, H] states, forward + backward to the states): torch::bmm (arg 0) against the fused
// small_batched_matmul (arg 1).
void BM_AttentionContraction(benchmark::State& state) {
  torch::manual_seed(0);
  auto w = torch::rand({1024, 6, 41});
  auto states = torch::randn({1024, 41, 100}).requires_grad_(true);
  auto c = torch::randn({1024, 6, 100});
  for (auto _ : state) {
    auto out = state.range(0) ? small_batched_matmul(w, states) : torch::bmm(w, states);
    (out * c).sum().backward();
    states.mutable_grad().reset();
  }
}

}  // namespace

BENCHMARK(BM_AttentionContraction)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SdeMatchingTrainStep)
    ->Args({1024, 41})
    ->Args({128, 41})
    ->Args({128, 164})
    ->Args({128, 656})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK(BM_SdeMatchingEncoderOnly)
    ->Args({1024, 41})
    ->Args({128, 656})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

int main(int argc, char** argv) { return sdebench::run_benchmarks(argc, argv); }
