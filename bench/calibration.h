#pragma once
// Calibration workloads: the yardsticks benchmark times are divided by.
//  - calibration/gemm256, in every benchmark program: a fixed 256x256 float32 matmul. Times
//    read as ratios to it ("GEMM units") carry over between machines. It is compute-bound, so
//    it does not move with the host's slow phases, which hit the many-small-ops steps (issue
//    17: a step 2.5x slower for minutes while the GEMM stayed within 2%).
//  - the net step, measured *inside* each step benchmark's repetition just before it is timed
//    (counter `calibration_ms`, median of a few calls), so it shares that repetition's phase:
//    a fixed small network's training step (batch 16, 3 -> 64 -> 64 -> 3, softplus, MSE,
//    Adam), the same kind of work as the methods' steps at the benchmarks' sizes. The bench
//    gate judges a step by its time over this (harness/bench/gate.h).
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace sdebench {

inline void gemm_calibration(benchmark::State& state) {
  constexpr std::int64_t n = 256;
  torch::manual_seed(0);
  auto a = torch::randn({n, n}), b = torch::randn({n, n}), c = torch::empty({n, n});
  for (auto _ : state) {
    torch::mm_out(c, a, b);
    benchmark::DoNotOptimize(c.data_ptr<float>());
  }
  state.counters["flops_per_s"] =
      benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate);
}

// Registers it as "calibration/gemm256" (the name the bench gate and the reports look for).
inline void register_gemm_calibration() {
  benchmark::RegisterBenchmark("calibration/gemm256", gemm_calibration)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->MinTime(0.1);
}

class NetStepCalibration {
 public:
  NetStepCalibration()
      : net_(torch::nn::Linear(3, 64), torch::nn::Softplus(), torch::nn::Linear(64, 64),
             torch::nn::Softplus(), torch::nn::Linear(64, 3)),
        optimizer_(net_->parameters(), torch::optim::AdamOptions(1e-3)) {
    torch::manual_seed(0);
    x_ = torch::randn({16, 3});
    y_ = torch::randn({16, 3});
  }

  void step() {
    optimizer_.zero_grad();
    auto loss = torch::mse_loss(net_->forward(x_), y_);
    loss.backward();
    optimizer_.step();
  }

  // Median wall time of `calls` steps, in ms.
  double median_ms(int calls = 15) {
    std::vector<double> ms;
    for (int i = 0; i < calls; ++i) {
      const auto start = std::chrono::steady_clock::now();
      step();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::nth_element(ms.begin(), ms.begin() + calls / 2, ms.end());
    return ms[calls / 2];
  }

 private:
  torch::nn::Sequential net_;
  torch::optim::Adam optimizer_;
  torch::Tensor x_, y_;
};

// The net step in the repetition now running, as the counter the gate reads.
inline void record_net_step_calibration(benchmark::State& state) {
  static NetStepCalibration calibration;
  state.counters["calibration_ms"] = calibration.median_ms();
}

}  // namespace sdebench
