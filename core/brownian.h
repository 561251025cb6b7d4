#pragma once
// Brownian motion sources for the solvers.
//
// BrownianPath: forward-only, the cheapest: each query must start where the previous one
// ended, and draws fresh normals. Use it for plain simulation.
//
// BrownianInterval: W(s, t) (and optionally the space-time Levy area H(s, t)) for any
// s < t in [t0, t1], queried in any order, always the same value for the same seed.
// It is a *canonical dyadic* Brownian tree: node (level l, index k) covers
// [t0 + k h_l, t0 + (k+1) h_l], h_l = (t1 - t0) 2^-l, and its value is drawn from its
// parent's by the exact Brownian bridge (jointly with the Levy area when requested), with
// normals seeded by splitmix64(seed, l, k). Because the tree never depends on the order of
// queries, neither do the values. Query times are snapped to the finest level
// (resolution (t1 - t0) 2^-depth, default depth 24): the path is an exact Brownian sample at
// the snapped times. A bounded LRU cache of node values keeps sequential and reverse sweeps
// cheap while memory stays O(cache size), independent of the number of queries.
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
  int depth = 24;              // finest level: time resolution (t1 - t0) 2^-depth
  std::size_t cache_size = 256;  // node values kept (LRU)
  bool levy_area = false;
};

class BrownianInterval : public BrownianSource {
 public:
  BrownianInterval(double t0, double t1, BrownianShape shape, std::uint64_t seed,
                   BrownianIntervalOptions options = {});

  BrownianIncrement increment(double s, double t) override;
  bool has_levy_area() const override { return options_.levy_area; }

  double t0() const { return t0_; }
  double t1() const { return t1_; }
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
  Value combine(const Value& left, double left_len, const Value& right, double right_len) const;

  double t0_, t1_;
  BrownianShape shape_;
  std::uint64_t seed_;
  BrownianIntervalOptions options_;
  Value root_;
  std::list<std::pair<Key, Value>> lru_;
  std::unordered_map<Key, std::list<std::pair<Key, Value>>::iterator> cache_;
  std::size_t hits_ = 0, misses_ = 0;
};

// splitmix64: the seed-splitting hash used by the Brownian tree (exposed for tests).
std::uint64_t splitmix64(std::uint64_t x);

}  // namespace sdebench
