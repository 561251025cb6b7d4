#include "core/brownian.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace sdebench {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

namespace {

at::Generator generator_for(std::uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

torch::Tensor standard_normal(const BrownianShape& shape, at::Generator& gen) {
  return torch::randn({shape.batch, shape.dim}, gen, torch::TensorOptions().dtype(shape.dtype));
}

}  // namespace

// ---------------------------------------------------------------- BrownianPath

BrownianPath::BrownianPath(BrownianShape shape, std::uint64_t seed, bool levy_area)
    : shape_(shape), generator_(generator_for(splitmix64(seed))), levy_area_(levy_area) {}

BrownianIncrement BrownianPath::increment(double s, double t) {
  if (!(t > s))
    throw std::invalid_argument("BrownianPath: need s < t, got s=" + std::to_string(s) +
                                ", t=" + std::to_string(t));
  if (started_ && std::abs(s - last_t_) > 1e-12 * std::max(1.0, std::abs(s)))
    throw std::invalid_argument(
        "BrownianPath is forward-only: the query starts at " + std::to_string(s) +
        " but the previous one ended at " + std::to_string(last_t_) +
        "; use a BrownianInterval for arbitrary queries");
  started_ = true;
  last_t_ = t;
  const double h = t - s;
  BrownianIncrement inc;
  inc.W = standard_normal(shape_, generator_).mul_(std::sqrt(h));
  if (levy_area_) inc.H = standard_normal(shape_, generator_).mul_(std::sqrt(h / 12.0));
  return inc;
}

// ---------------------------------------------------------------- BrownianInterval

BrownianInterval::BrownianInterval(double t0, double t1, BrownianShape shape, std::uint64_t seed,
                                   BrownianIntervalOptions options)
    : t0_(t0), t1_(t1), shape_(shape), seed_(seed), options_(options) {
  if (!(t1 > t0)) throw std::invalid_argument("BrownianInterval: need t0 < t1");
  if (options_.depth < 1 || options_.depth > 52)
    throw std::invalid_argument("BrownianInterval: depth must be in [1, 52], got " +
                                std::to_string(options_.depth));
  if (options_.cache_size < static_cast<std::size_t>(2 * options_.depth + 4))
    options_.cache_size = 2 * options_.depth + 4;  // a root-to-leaf path must fit
  // The root interval's (W, H) from the root seed.
  auto gen = generator_for(splitmix64(seed_));
  const double T = t1_ - t0_;
  root_.W = standard_normal(shape_, gen).mul_(std::sqrt(T));
  if (options_.levy_area) root_.H = standard_normal(shape_, gen).mul_(std::sqrt(T / 12.0));
}

double BrownianInterval::resolution() const { return (t1_ - t0_) * std::ldexp(1.0, -options_.depth); }

std::int64_t BrownianInterval::grid_index(double t) const {
  const double tol = 1e-9 * (t1_ - t0_);
  if (t < t0_ - tol || t > t1_ + tol)
    throw std::invalid_argument("BrownianInterval: time " + std::to_string(t) + " is outside [" +
                                std::to_string(t0_) + ", " + std::to_string(t1_) + "]");
  const double cells = std::ldexp(1.0, options_.depth);
  double x = std::nearbyint((t - t0_) / (t1_ - t0_) * cells);
  if (x < 0) x = 0;
  if (x > cells) x = cells;
  return static_cast<std::int64_t>(x);
}

double BrownianInterval::snap(double t) const {
  return t0_ + static_cast<double>(grid_index(t)) * resolution();
}

void BrownianInterval::remember(Key key, const Value& value) {
  lru_.emplace_front(key, value);
  cache_[key] = lru_.begin();
  while (lru_.size() > options_.cache_size) {
    cache_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

// Value of the dyadic node (level, index): drawn from its parent by the exact Brownian
// bridge. With Levy area, for a parent of length h with increment W and space-time area H,
// the halves satisfy H = (H1 + H2)/2 + (W1 - W2)/4, and conditioning gives
//   W1 = W/2 + D,  W2 = W/2 - D,  D = 3/2 H + sqrt(h)/4 Z1,
//   H1 = S + A,    H2 = S - A,    S = H - D/2,  A = sqrt(h/48) Z2.
// Without Levy area: D = sqrt(h)/2 Z1 (the midpoint bridge).
BrownianInterval::Value BrownianInterval::node(int level, std::uint64_t index) {
  if (level == 0) return root_;
  const Key key = (static_cast<Key>(level) << 58) | index;
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    ++hits_;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->second;
  }
  ++misses_;
  const Value parent = node(level - 1, index >> 1);
  const Key parent_key = (static_cast<Key>(level - 1) << 58) | (index >> 1);
  auto gen = generator_for(splitmix64(seed_ ^ splitmix64(parent_key + 1)));
  const double h = (t1_ - t0_) * std::ldexp(1.0, -(level - 1));
  Value left, right;
  auto half_W = parent.W * 0.5;
  if (options_.levy_area) {
    auto D = standard_normal(shape_, gen).mul_(std::sqrt(h) / 4.0).add_(parent.H, 1.5);
    auto A = standard_normal(shape_, gen).mul_(std::sqrt(h / 48.0));
    auto S = parent.H - 0.5 * D;
    left = {half_W + D, S + A};
    right = {half_W - D, S - A};
  } else {
    auto D = standard_normal(shape_, gen).mul_(std::sqrt(h) / 2.0);
    left = {half_W + D, {}};
    right = {half_W - D, {}};
  }
  const std::uint64_t left_index = index & ~std::uint64_t{1};
  remember((static_cast<Key>(level) << 58) | left_index, left);
  remember((static_cast<Key>(level) << 58) | (left_index + 1), right);
  return (index & 1) ? right : left;
}

// Joins adjacent intervals [a, c] and [c, b] of lengths l1, l2 (h = l1 + l2):
//   W = W1 + W2,  H = (l1 H1 + l2 H2 + (l2 W1 - l1 W2) / 2) / h.
BrownianInterval::Value BrownianInterval::combine(const Value& left, double l1, const Value& right,
                                                  double l2) const {
  Value out;
  out.W = left.W + right.W;
  if (options_.levy_area) {
    const double h = l1 + l2;
    out.H = (left.H * l1 + right.H * l2 + (left.W * l2 - right.W * l1) * 0.5) / h;
  }
  return out;
}

BrownianIncrement BrownianInterval::increment(double s, double t) {
  if (!(t > s))
    throw std::invalid_argument("BrownianInterval: need s < t, got s=" + std::to_string(s) +
                                ", t=" + std::to_string(t));
  std::int64_t i = grid_index(s);
  const std::int64_t j = grid_index(t);
  if (i == j) {  // closer than the resolution: the snapped interval is empty
    auto zero = torch::zeros({shape_.batch, shape_.dim}, torch::TensorOptions().dtype(shape_.dtype));
    return {zero, options_.levy_area ? zero.clone() : torch::Tensor()};
  }
  // Cover [i, j) with the fewest canonical dyadic nodes (as in a segment tree) and fold them
  // left to right.
  const int D = options_.depth;
  Value acc;
  double acc_len = 0.0;
  bool single_node = true;
  while (i < j) {
    int k = (i == 0) ? D : __builtin_ctzll(static_cast<unsigned long long>(i));
    if (k > D) k = D;
    while ((std::int64_t{1} << k) > j - i) --k;
    const Value v = node(D - k, static_cast<std::uint64_t>(i >> k));
    const double len = std::ldexp(t1_ - t0_, k - D);
    if (acc_len == 0.0) {
      acc = v;
    } else {
      acc = combine(acc, acc_len, v, len);
      single_node = false;
    }
    acc_len += len;
    i += std::int64_t{1} << k;
  }
  // A single node is the cached tensor itself: copy it so callers may modify it in place.
  if (single_node) return {acc.W.clone(), acc.H.defined() ? acc.H.clone() : acc.H};
  return {acc.W, acc.H};
}

}  // namespace sdebench
