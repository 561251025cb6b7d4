#pragma once
// Brownian motion sources for the solvers.
//
// BrownianPath: forward-only, the cheapest: each query must start where the previous one
// ended, and draws fresh normals. Use it for plain simulation.
//
// BrownianInterval: W(s, t) (and optionally the space-time Levy area H(s, t)) for any
// s < t in [t0, t1], queried in any order, always the same value for the same seed.
// It is a *canonical dyadic* Brownian tree over a span [t0, t0 + S] containing [t0, t1]: node
// (level l, index k) covers [t0 + k h_l, t0 + (k+1) h_l], h_l = S 2^-l, and its children are
// drawn from it by the exact Brownian bridge (jointly with the Levy area when requested), with
// normals from the counter-based Philox generator keyed by (seed, node): no generator state,
// so the tree, and with it every value, never depends on the order of queries or on what the
// cache holds. Query times are snapped to the finest level (resolution S 2^-depth, default
// depth 24): the path is an exact Brownian sample at the snapped times. A bounded LRU cache of
// node values keeps sequential and reverse sweeps cheap while memory stays O(cache size).
//
// Cost: a query draws one node per tree level between the deepest cached ancestor and the
// level its end points need. Times that are not dyadic in the span need all `depth` levels
// (~16 fresh nodes per query of a 200-step sweep); with options.aligned_step = h, the solver's
// step, the span is h 2^L, so the solver's times t0 + k h are level-L boundaries and a sweep
// draws about one node per step. The alignment changes which path a seed gives, never its law.
#include <torch/types.h>

#include <cstdint>
#include <list>
#include <unordered_map>

namespace sdebench {

struct BrownianIncrement {
  torch::Tensor W;  // [batch, m]
  torch::Tensor H;  // space-time Levy area, same shape; undefined unless requested
};

class BrownianSource {
 public:
  virtual ~BrownianSource() = default;
  virtual BrownianIncrement increment(double s, double t) = 0;
  virtual bool has_levy_area() const = 0;
};

struct BrownianShape {
  std::int64_t batch = 1;
  std::int64_t dim = 1;
  torch::ScalarType dtype = torch::kFloat32;
};

class BrownianPath : public BrownianSource {
 public:
  BrownianPath(BrownianShape shape, std::uint64_t seed, bool levy_area = false);
  BrownianIncrement increment(double s, double t) override;
  bool has_levy_area() const override { return levy_area_; }

 private:
  BrownianShape shape_;
  at::Generator generator_;
  bool levy_area_;
  double last_t_;
  bool started_ = false;
};

struct BrownianIntervalOptions {
  int depth = 24;              // finest level: time resolution span 2^-depth
  std::size_t cache_size = 256;  // node values kept (LRU)
  bool levy_area = false;
  // The solver's step h, when its times are t0 + k h (0: none): aligns the tree with it.
  // The span becomes h 2^L >= t1 - t0, and depth is raised to at least L + 8.
  double aligned_step = 0.0;
};

class BrownianInterval : public BrownianSource {
 public:
  BrownianInterval(double t0, double t1, BrownianShape shape, std::uint64_t seed,
                   BrownianIntervalOptions options = {});

  BrownianIncrement increment(double s, double t) override;
  bool has_levy_area() const override { return options_.levy_area; }

  double t0() const { return t0_; }
  double t1() const { return t1_; }
  double span() const { return span_; }  // the root node covers [t0, t0 + span]
  double resolution() const;
  // The time a query at t actually refers to (t snapped to the finest level).
  double snap(double t) const;

  std::size_t cache_hits() const { return hits_; }
  std::size_t cache_misses() const { return misses_; }

 private:
  struct Value {
    torch::Tensor W, H;
  };
  using Key = std::uint64_t;  // level (6 bits) and index (58 bits)
  std::int64_t grid_index(double t) const;
  Value node(int level, std::uint64_t index);
  void remember(Key key, const Value& value);

  double t0_, t1_, span_;
  BrownianShape shape_;
  std::uint64_t seed_;
  BrownianIntervalOptions options_;
  Value root_;
  std::list<std::pair<Key, Value>> lru_;
  std::unordered_map<Key, std::list<std::pair<Key, Value>>::iterator> cache_;
  std::size_t hits_ = 0, misses_ = 0;
};

// splitmix64: the seed-splitting hash used for Brownian seeds (exposed for tests).
std::uint64_t splitmix64(std::uint64_t x);

}  // namespace sdebench
