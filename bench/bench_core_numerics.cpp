// core/ micro-benchmarks: Brownian queries (forward and reverse sweeps over a grid) and one
// step of each solver on a neural SDE of the reference size (batch 1024, d = 4, hidden 128),
// beside the calibration GEMM (bench/calibration.h) of the same process.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench/calibration.h"
#include "core/brownian.h"
#include "core/nn/diagonal_diffusion.h"
#include "core/nn/mlp.h"
#include "core/sdeint.h"
#include "core/solvers/stepper.h"
#include "core/threads.h"

using namespace sdebench;

namespace {

constexpr int kSteps = 200;  // dt = 1e-2 on [0, 2]
const BrownianShape kShape{1024, 4, torch::kFloat32};

void BM_BrownianPathForward(benchmark::State& state) {
  torch::NoGradGuard no_grad;
  for (auto _ : state) {
    BrownianPath bm(kShape, 1);
    for (int i = 0; i < kSteps; ++i) benchmark::DoNotOptimize(bm.increment(i * 0.01, (i + 1) * 0.01));
  }
  state.SetItemsProcessed(state.iterations() * kSteps);
}

// Args: Levy area (0/1), tree aligned with the step (0/1: what sdeint does; 0 is the cost of
// queries at arbitrary times).
void BM_BrownianIntervalForward(benchmark::State& state) {
  torch::NoGradGuard no_grad;
  BrownianIntervalOptions opts;
  opts.levy_area = state.range(0) != 0;
  opts.aligned_step = state.range(1) != 0 ? 0.01 : 0.0;
  for (auto _ : state) {
    BrownianInterval bm(0.0, 2.0, kShape, 1, opts);
    for (int i = 0; i < kSteps; ++i) benchmark::DoNotOptimize(bm.increment(i * 0.01, (i + 1) * 0.01));
  }
  state.SetItemsProcessed(state.iterations() * kSteps);
}

// The adjoint's pattern: a forward sweep, then the same queries in reverse.
void BM_BrownianIntervalReverse(benchmark::State& state) {
  torch::NoGradGuard no_grad;
  BrownianIntervalOptions opts;
  opts.aligned_step = state.range(0) != 0 ? 0.01 : 0.0;
  for (auto _ : state) {
    BrownianInterval bm(0.0, 2.0, kShape, 1, opts);
    for (int i = 0; i < kSteps; ++i) benchmark::DoNotOptimize(bm.increment(i * 0.01, (i + 1) * 0.01));
    for (int i = kSteps; i-- > 0;) benchmark::DoNotOptimize(bm.increment(i * 0.01, (i + 1) * 0.01));
  }
  state.SetItemsProcessed(state.iterations() * 2 * kSteps);
}

// A neural SDE like the latent SDE's prior: MLP drift, per-dimension diagonal diffusion.
struct NeuralSde : Sde {
  MLP drift_net{MLPImpl(4, {128, 128}, 4, Activation::Softplus)};
  DiagonalDiffusion diffusion_net{DiagonalDiffusionImpl(4, 128, Activation::Softplus)};
  NeuralSde() : Sde(NoiseType::Diagonal, SdeType::Stratonovich) {}
  torch::Tensor drift(double, const torch::Tensor& y) override { return drift_net->forward(y); }
  torch::Tensor diffusion(double, const torch::Tensor& y) override {
    return diffusion_net->forward(y);
  }
  torch::Tensor diffusion_derivative(double, const torch::Tensor& y) override {
    return diffusion_net->forward_with_derivative(y).second;
  }
};

void BM_SolverStep(benchmark::State& state, const std::string& method) {
  torch::NoGradGuard no_grad;
  NeuralSde sde;
  auto stepper = make_stepper(method);
  auto y = torch::randn({kShape.batch, kShape.dim});
  BrownianPath bm(kShape, 3, stepper->needs_levy_area());
  torch::Tensor extras;
  stepper->reset(sde, 0.0, y);
  double t = 0.0;
  for (auto _ : state) {
    auto dW = bm.increment(t, t + 0.01);
    stepper->step(sde, t, 0.01, dW, y, extras);
    t += 0.01;
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_BrownianPathForward)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BrownianIntervalForward)
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->ArgNames({"levy", "aligned"})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BrownianIntervalReverse)->Arg(0)->Arg(1)->ArgName("aligned")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SolverStep, euler, std::string("euler"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_SolverStep, milstein, std::string("milstein"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_SolverStep, heun, std::string("heun"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_SolverStep, midpoint, std::string("midpoint"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_SolverStep, reversible_heun, std::string("reversible_heun"))->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
  const auto threads = configure_threads(0);
  benchmark::AddCustomContext("torch_threads", std::to_string(threads.torch_threads));
  benchmark::AddCustomContext("blas_threads", std::to_string(threads.blas_threads));
  register_gemm_calibration();  // Brownian queries are judged in its units (issue 17)
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
