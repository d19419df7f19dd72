// Hashing of keys: the SplitMix64 finaliser as a mixer of 64-bit values, and
// a combiner built on it. Used by group_by's hashed keys and by the readers'
// token tables; any layer may include it.
//
// The mixer is the output function of SplitMix64 (Steele, Lea & Flood,
// "Fast splittable pseudorandom number generators", OOPSLA 2014): an
// increment by the golden-ratio constant, then two xor-shift-multiply rounds
// and a final xor-shift. It is a bijection of 64-bit values whose output bits
// each depend on every input bit.
//
// Header: cxmetrics/core/hash.hpp. Complexity: O(1).
#pragma once

#include <cstdint>
#include <string_view>

namespace cxm::inline v0_1::detail {

/// Seed of a combined hash (2^64 / golden ratio).
inline constexpr std::uint64_t hash_seed = 0x9e3779b97f4a7c15ULL;

/// SplitMix64's output function applied to `x` (see the header comment).
[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// The hash `h` extended by the value `v`: mix64(h ^ v). Start from hash_seed.
[[nodiscard]] constexpr std::uint64_t hash_combine(std::uint64_t h, std::uint64_t v) noexcept { return mix64(h ^ v); }

}  // namespace cxm::detail

namespace cxm::inline v0_1 {

/// A stable 64-bit hash of a text (the same on every platform and run, unlike
/// std::hash): FNV-1a over its bytes (Fowler, Noll & Vo), then mix64, so
/// every output bit depends on every byte. E.g. the journey id that picks a
/// journey's cross-validation fold (journey/memory_models.hpp).
[[nodiscard]] constexpr std::uint64_t hash_text(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return detail::mix64(h);
}

}  // namespace cxm
