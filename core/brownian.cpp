#include "core/brownian.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/philox_normal.h"

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

namespace {

// A node's key (the class's Key): level in the top 6 bits, index below.
constexpr std::uint64_t kRootStream = ~std::uint64_t{0};  // the root's own normals; a node's children use key + 1
std::uint64_t node_key(int level, std::uint64_t index) {
  return (static_cast<std::uint64_t>(level) << 58) | index;
}

// The exact bridge from a parent of length h with increment W (and space-time area H) to its
// halves, written over the children's buffers, which arrive holding standard normals Z1 (in
// left W) and Z2 (in left H). With Levy area, the halves satisfy H = (H1 + H2)/2 + (W1 - W2)/4,
// and conditioning gives
//   W1 = W/2 + D,  W2 = W/2 - D,  D = 3/2 H + sqrt(h)/4 Z1,
//   H1 = S + A,    H2 = S - A,    S = H - D/2,  A = sqrt(h/48) Z2.
// Without Levy area: D = sqrt(h)/2 Z1 (the midpoint bridge).
template <typename T>
void bridge(const T* W, const T* H, T* left_W, T* left_H, T* right_W, T* right_H, std::int64_t n,
            double h) {
  if (H) {
    const T c = static_cast<T>(std::sqrt(h) / 4.0), a = static_cast<T>(std::sqrt(h / 48.0));
    for (std::int64_t i = 0; i < n; ++i) {
      const T D = T(1.5) * H[i] + c * left_W[i];
      const T A = a * left_H[i];
      const T S = H[i] - T(0.5) * D;
      left_W[i] = T(0.5) * W[i] + D;
      right_W[i] = T(0.5) * W[i] - D;
      left_H[i] = S + A;
      right_H[i] = S - A;
    }
  } else {
    const T c = static_cast<T>(std::sqrt(h) / 2.0);
    for (std::int64_t i = 0; i < n; ++i) {
      const T D = c * left_W[i];
      left_W[i] = T(0.5) * W[i] + D;
      right_W[i] = T(0.5) * W[i] - D;
    }
  }
}

// Appends [c, b] (length l2, increment W2, area H2) to the running [a, c] (length l1) in place:
//   W = W1 + W2,  H = (l1 H1 + l2 H2 + (l2 W1 - l1 W2) / 2) / (l1 + l2).
template <typename T>
void append(T* W, T* H, const T* W2, const T* H2, std::int64_t n, double l1, double l2) {
  if (H) {
    const double h = l1 + l2;
    const T a = static_cast<T>(l1 / h), b = static_cast<T>(l2 / h);
    for (std::int64_t i = 0; i < n; ++i) {
      H[i] = a * H[i] + b * H2[i] + T(0.5) * (b * W[i] - a * W2[i]);
      W[i] += W2[i];
    }
  } else {
    for (std::int64_t i = 0; i < n; ++i) W[i] += W2[i];
  }
}

template <typename T>
T* data_or_null(const torch::Tensor& x) {
  return x.defined() ? x.data_ptr<T>() : nullptr;
}

}  // namespace

BrownianInterval::BrownianInterval(double t0, double t1, BrownianShape shape, std::uint64_t seed,
                                   BrownianIntervalOptions options)
    : t0_(t0), t1_(t1), span_(t1 - t0), shape_(shape), seed_(seed), options_(options) {
  if (!(t1 > t0)) throw std::invalid_argument("BrownianInterval: need t0 < t1");
  if (shape_.dtype != torch::kFloat32 && shape_.dtype != torch::kFloat64)
    throw std::invalid_argument("BrownianInterval: float32 or float64 only");
  if (options_.depth < 1 || options_.depth > 52)
    throw std::invalid_argument("BrownianInterval: depth must be in [1, 52], got " +
                                std::to_string(options_.depth));
  if (options_.aligned_step != 0.0) {
    if (!(options_.aligned_step > 0) || !std::isfinite(options_.aligned_step))
      throw std::invalid_argument("BrownianInterval: aligned_step must be positive (or 0: none), got " +
                                  std::to_string(options_.aligned_step));
    // The fewest doublings of the step that cover [t0, t1]; a step count a hair above a
    // power of two (rounding in t1 - t0) does not double the span.
    const double steps = (t1 - t0) / options_.aligned_step;
    int level = 0;
    while (std::ldexp(1.0, level) < steps * (1.0 - 1e-9)) ++level;
    if (level + 8 > 52)
      throw std::invalid_argument("BrownianInterval: aligned_step " + std::to_string(options_.aligned_step) +
                                  " is too fine for [" + std::to_string(t0) + ", " +
                                  std::to_string(t1) + "]");
    span_ = std::ldexp(options_.aligned_step, level);
    options_.depth = std::max(options_.depth, level + 8);
  }
  if (options_.cache_size < static_cast<std::size_t>(2 * options_.depth + 4))
    options_.cache_size = 2 * options_.depth + 4;  // a root-to-leaf path must fit
  root_.W = torch::empty({shape_.batch, shape_.dim}, torch::TensorOptions().dtype(shape_.dtype));
  philox_standard_normal({seed_, kRootStream, 0}, root_.W);
  root_.W.mul_(std::sqrt(span_));
  if (options_.levy_area) {
    root_.H = torch::empty_like(root_.W);
    philox_standard_normal({seed_, kRootStream, 1}, root_.H);
    root_.H.mul_(std::sqrt(span_ / 12.0));
  }
}

double BrownianInterval::resolution() const { return span_ * std::ldexp(1.0, -options_.depth); }

std::int64_t BrownianInterval::grid_index(double t) const {
  const double tol = 1e-9 * (t1_ - t0_);
  if (t < t0_ - tol || t > t1_ + tol)
    throw std::invalid_argument("BrownianInterval: time " + std::to_string(t) + " is outside [" +
                                std::to_string(t0_) + ", " + std::to_string(t1_) + "]");
  const double cells = std::ldexp(1.0, options_.depth);
  double x = std::nearbyint((t - t0_) / span_ * cells);
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

// Value of the dyadic node (level, index): both it and its sibling are drawn from the parent
// by the bridge, with normals from the Philox stream of the parent's key.
BrownianInterval::Value BrownianInterval::node(int level, std::uint64_t index) {
  if (level == 0) return root_;
  const Key key = node_key(level, index);
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    ++hits_;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->second;
  }
  ++misses_;
  const Value parent = node(level - 1, index >> 1);
  const auto options = torch::TensorOptions().dtype(shape_.dtype);
  Value left, right;
  left.W = torch::empty({shape_.batch, shape_.dim}, options);
  right.W = torch::empty_like(left.W);
  const Key stream = node_key(level - 1, index >> 1) + 1;  // the parent's
  philox_standard_normal({seed_, stream, 0}, left.W);
  if (options_.levy_area) {
    left.H = torch::empty_like(left.W);
    right.H = torch::empty_like(left.W);
    philox_standard_normal({seed_, stream, 1}, left.H);
  }
  const double h = std::ldexp(span_, -(level - 1));
  AT_DISPATCH_FLOATING_TYPES(shape_.dtype, "brownian_bridge", [&] {
    bridge<scalar_t>(parent.W.data_ptr<scalar_t>(), data_or_null<scalar_t>(parent.H),
                     left.W.data_ptr<scalar_t>(), data_or_null<scalar_t>(left.H),
                     right.W.data_ptr<scalar_t>(), data_or_null<scalar_t>(right.H),
                     left.W.numel(), h);
  });
  const std::uint64_t left_index = index & ~std::uint64_t{1};
  remember(node_key(level, left_index), left);
  remember(node_key(level, left_index + 1), right);
  return (index & 1) ? right : left;
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
  // left to right into a fresh result (the cached node tensors are never handed out).
  const int D = options_.depth;
  BrownianIncrement out;
  double covered = 0.0;
  while (i < j) {
    int k = (i == 0) ? D : __builtin_ctzll(static_cast<unsigned long long>(i));
    if (k > D) k = D;
    while ((std::int64_t{1} << k) > j - i) --k;
    const Value v = node(D - k, static_cast<std::uint64_t>(i >> k));
    const double len = std::ldexp(span_, k - D);
    if (covered == 0.0) {
      out.W = v.W.clone();
      if (v.H.defined()) out.H = v.H.clone();
    } else {
      AT_DISPATCH_FLOATING_TYPES(shape_.dtype, "brownian_append", [&] {
        append<scalar_t>(out.W.data_ptr<scalar_t>(), data_or_null<scalar_t>(out.H),
                         v.W.data_ptr<scalar_t>(), data_or_null<scalar_t>(v.H), out.W.numel(),
                         covered, len);
      });
    }
    covered += len;
    i += std::int64_t{1} << k;
  }
  return out;
}

}  // namespace sdebench
