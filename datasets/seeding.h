#pragma once
// Per-sequence random streams derived from the dataset seed, so that a dataset's bytes do
// not depend on how many threads generate it or in which order. No torch here.
#include <cstdint>
#include <random>
#include <string>

namespace sdebench {

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Independent purposes draw from independent streams (paths, observation noise, masks...).
enum class RandomStream : std::uint64_t {
  Path = 1,
  ObservationNoise = 2,
  Mask = 3,
  Shuffle = 4,
  ObservationTimes = 5,  // per-sequence observation times (irregular_times = "continuous")
  Oracle = 6,            // reruns of a sequence from its state at a frame (pendulum_video oracle)
};

inline std::uint64_t derive_seed(std::uint64_t seed, RandomStream stream, std::uint64_t index) {
  return splitmix64(splitmix64(splitmix64(seed) ^ static_cast<std::uint64_t>(stream)) ^ index);
}

inline std::mt19937_64 make_rng(std::uint64_t seed, RandomStream stream, std::uint64_t index) {
  return std::mt19937_64(derive_seed(seed, stream, index));
}

// 64-bit FNV-1a: the cache key of a configuration string (not a checksum: see cache.h).
inline std::uint64_t fnv1a64(const std::string& text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace sdebench
