// training.window_length: each training row becomes a run of consecutive observations of its
// own sequence, from its own random start, on the grid's first times; bad lengths and grids
// are refused naming the key, and a run with windows trains and resumes like any other.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <set>

#include "harness/results/csv.h"
#include "harness/results/run_dir.h"
#include "harness/runner/batching.h"
#include "harness/runner/runner.h"
#include "temp_dir.h"
#include "toy_components.h"

using namespace sdebench;

namespace {

// Row r, time j, dimension k holds 1000 r + 10 j + k: every value says where it came from.
Batch labelled_batch(std::int64_t B, std::int64_t T, std::int64_t D) {
  Batch b;
  auto r = torch::arange(B, torch::kFloat64).view({B, 1, 1});
  auto j = torch::arange(T, torch::kFloat64).view({1, T, 1});
  auto k = torch::arange(D, torch::kFloat64).view({1, 1, D});
  b.values = 1000 * r + 10 * j + k;
  b.mask = (b.values.fmod(3) != 0).to(torch::kFloat64);  // a mask that differs from all-ones
  b.times = 0.5 + 0.1 * torch::arange(T, torch::kFloat64);
  return b;
}

RunOptions no_progress() {
  RunOptions o;
  o.progress = false;
  return o;
}

}  // namespace

TEST_CASE("each window is consecutive observations of its own row, on the grid's first times",
          "[windows]") {
  const std::int64_t B = 6, T = 20, D = 3, L = 7;
  auto batch = labelled_batch(B, T, D);
  torch::manual_seed(5);
  std::set<std::int64_t> starts;
  for (int draw = 0; draw < 10; ++draw) {
    auto w = random_windows(batch, L);
    REQUIRE(w.values.sizes() == torch::IntArrayRef({B, L, D}));
    REQUIRE(w.mask.sizes() == w.values.sizes());
    REQUIRE(!w.per_sequence());
    REQUIRE(torch::equal(w.times, batch.times.narrow(0, 0, L)));
    for (std::int64_t r = 0; r < B; ++r) {
      const auto first = w.values[r][0][0].item<double>();
      const auto row = static_cast<std::int64_t>(first) / 1000;
      const auto start = (static_cast<std::int64_t>(first) % 1000) / 10;
      REQUIRE(row == r);
      REQUIRE(start + L <= T);
      starts.insert(start);
      REQUIRE(torch::equal(w.values[r], batch.values[r].narrow(0, start, L)));
      REQUIRE(torch::equal(w.mask[r], batch.mask[r].narrow(0, start, L)));
    }
  }
  // 60 draws over 14 possible starts: the first and the last start both come up.
  REQUIRE(starts.count(0) == 1);
  REQUIRE(starts.count(T - L) == 1);
  REQUIRE(starts.size() > 10);

  SECTION("the same generator state gives the same windows") {
    torch::manual_seed(11);
    auto a = random_windows(batch, L);
    torch::manual_seed(11);
    auto b = random_windows(batch, L);
    REQUIRE(torch::equal(a.values, b.values));
  }
}

TEST_CASE("windows that do not fit the grid are refused naming the key", "[windows]") {
  auto batch = labelled_batch(2, 10, 1);
  for (std::int64_t bad : {1, 10, 11})
    REQUIRE_THROWS_WITH(random_windows(batch, bad), Catch::Contains("training.window_length = " +
                                                                    std::to_string(bad)));
  auto uneven = batch;
  uneven.times = batch.times.clone();
  uneven.times[9] = 5.0;  // the last gap differs
  REQUIRE_THROWS_WITH(random_windows(uneven, 4), Catch::Contains("not evenly spaced"));
  auto own = batch;
  own.times = batch.times.unsqueeze(0).repeat({2, 1});
  own.lengths = torch::full({2}, 10, torch::kLong);
  REQUIRE_THROWS_WITH(random_windows(own, 4), Catch::Contains("per-sequence times"));
}

TEST_CASE("a run with training windows trains on them and resumes bit for bit", "[windows][runner]") {
  testing::TempDir dir;
  auto spec = testing::toy_spec(dir.path, 3, 10);
  spec.training.set("window_length", std::int64_t{5});

  SECTION("a window as long as the data is refused before the run starts") {
    spec.training.set("window_length", spec.dataset_options.get_int("times"));
    REQUIRE_THROWS_WITH(run_experiment(spec, no_progress()),
                        Catch::Contains("training.window_length = 8"));
  }
  SECTION("resume replays the same windows") {
    auto full = run_experiment(spec, no_progress());
    REQUIRE(full.status == "completed");
    // Killed 2 iterations after the checkpoint at 5: the resumed run redraws windows 6 and 7.
    RunOptions stop = no_progress();
    stop.stop_after = 7;
    auto part = run_experiment(spec, stop);
    REQUIRE(part.status == "interrupted");
    RunOptions resume = no_progress();
    resume.resume_dir = part.run_dir;
    auto resumed = run_experiment(load_run_spec(part.run_dir), resume);
    REQUIRE(resumed.status == "completed");
    REQUIRE(resumed.final_metrics == full.final_metrics);  // exact double equality
    // Windows change the training batches, so the run differs from one on whole sequences.
    auto whole = testing::toy_spec(dir.path, 3, 10);
    REQUIRE(run_experiment(whole, no_progress()).final_metrics != full.final_metrics);
  }
}
