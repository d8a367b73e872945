// Seeded draws shared by the trainers in core/src (not installed): every random draw of an iteration comes from
// a generator seeded by mixing (seed, iteration, ...), so iterations are reproducible one by one (resumes) and
// rollouts are pure functions of their seed (any thread count).
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "vvc/core/env/study.hpp"

namespace vvc::core::detail {

/// SplitMix64 mixing of several integers into one well-spread 64-bit seed.
inline std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0, std::uint64_t d = 0) {
  std::uint64_t h = 0x9E3779B97F4A7C15ull;
  for (std::uint64_t x : {a, b, c, d}) {
    h ^= x + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h += 0x9E3779B97F4A7C15ull;
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
    h ^= h >> 31;
  }
  return h;
}

/// A standard normal draw truncated to [-beta, beta] (rejection).
inline double truncated_normal(std::mt19937_64& rng, double beta) {
  std::normal_distribution<double> normal(0.0, 1.0);
  for (;;) {
    const double e = normal(rng);
    if (std::abs(e) <= beta) return e;
  }
}

/// Seeds of iteration `iteration`'s batch: `count` draws, uniform over `training` (with replacement).
inline std::vector<long> training_batch(SeedRange training, std::uint64_t seed, int iteration, int count) {
  std::mt19937_64 pick(mix_seed(seed, static_cast<std::uint64_t>(iteration), 1));
  std::vector<long> out(static_cast<size_t>(count));
  for (auto& id : out) {
    id = training.first + static_cast<long>(pick() % static_cast<std::uint64_t>(training.size()));
  }
  return out;
}

}  // namespace vvc::core::detail
