// GRU encoder forward+backward at SDE Matching's size (batch 1024, 41 steps, 3 -> 100,
// float32): LibTorch's torch::nn::GRU, the unfused-ops reference (gru_reference) and the
// fused FastGRU, plus forward-only (no grad) timings. peak_MB is the peak of live tensor
// bytes during one iteration (harness/memory.h's counting allocator).
// Run: cmake --build build --target bench_gru -j2 && OPENBLAS_NUM_THREADS=1 ./build/bench/bench_gru
// Measured 2026-11-28 on the 2-core AMD EPYC machine (2 LibTorch threads, OpenBLAS 1), two
// runs: fwd+bwd torch::nn::GRU 170-201 ms (peak 186 MB), reference 1.6 s (298 MB), FastGRU
// 71-73 ms (121 MB); no-grad forward 52-55 / 51-55 / 26 ms. With
// GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295
// (no page faults on re-allocated large buffers) and OMP_WAIT_POLICY=passive FastGRU fwd+bwd
// took 58 ms.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench/bench_main.h"
#include "core/nn/gru.h"
#include "core/threads.h"
#include "harness/memory.h"

using namespace sdebench;

namespace {

constexpr std::int64_t kBatch = 1024, kSteps = 41, kInput = 3, kHidden = 100;

struct Setup {
  torch::Tensor x = torch::randn({kBatch, kSteps, kInput});
  FastGRU fast{kInput, kHidden};
  torch::nn::GRU torch_gru{torch::nn::GRUOptions(kInput, kHidden).batch_first(true)};
};

Setup& setup() {
  static Setup s;
  return s;
}

torch::Tensor run_torch(Setup& s) { return std::get<0>(s.torch_gru->forward(s.x)); }
torch::Tensor run_reference(Setup& s) {
  auto& m = *s.fast;
  return gru_reference(s.x, {}, m.weight_ih, m.weight_hh, m.bias_ih, m.bias_hh);
}
torch::Tensor run_fast(Setup& s) { return s.fast->forward(s.x); }

void zero_grads(Setup& s) {
  for (auto& p : s.fast->parameters()) p.mutable_grad() = torch::Tensor();
  for (auto& p : s.torch_gru->parameters()) p.mutable_grad() = torch::Tensor();
}

template <torch::Tensor (*Run)(Setup&)>
void BM_ForwardBackward(benchmark::State& state) {
  Setup& s = setup();
  std::int64_t peak = 0;
  for (auto _ : state) {
    zero_grads(s);
    reset_peak_memory();
    Run(s).sum().backward();
    peak = std::max(peak, memory_counters().peak_bytes - memory_counters().current_bytes);
  }
  state.counters["peak_MB"] = static_cast<double>(peak) / 1e6;
}

template <torch::Tensor (*Run)(Setup&)>
void BM_ForwardNoGrad(benchmark::State& state) {
  Setup& s = setup();
  torch::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(Run(s));
}

}  // namespace

BENCHMARK_TEMPLATE(BM_ForwardBackward, run_torch)->Name("fwd_bwd/torch_nn_GRU")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_TEMPLATE(BM_ForwardBackward, run_reference)->Name("fwd_bwd/reference")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_TEMPLATE(BM_ForwardBackward, run_fast)->Name("fwd_bwd/FastGRU")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_TEMPLATE(BM_ForwardNoGrad, run_torch)->Name("fwd_nograd/torch_nn_GRU")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_ForwardNoGrad, run_reference)->Name("fwd_nograd/reference")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_ForwardNoGrad, run_fast)->Name("fwd_nograd/FastGRU")->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) { return sdebench::run_benchmarks(argc, argv); }
