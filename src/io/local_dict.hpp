// Internal (not installed): the dictionary a chunk interns its strings in
// (channel labels, segments, agents) before delivery gives them global ids.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "io/text.hpp"

namespace cxm::inline v0_1::detail {

/// Interns byte strings as dense ids 0, 1, ... in order of insertion
/// (open addressing, linear probing). Id 0 is always "". A slot keeps a
/// 16-byte digest of its key (the whole key up to 16 bytes), so short keys
/// compare without touching the key store.
class local_dict {
 public:
  local_dict() { clear(); }
  void clear();
  [[nodiscard]] std::size_t size() const noexcept { return ends_.size(); }
  [[nodiscard]] std::string_view at(std::uint32_t id) const noexcept {
    const std::uint64_t b = id == 0 ? 0 : ends_[id - 1];
    return std::string_view(bytes_.data() + b, static_cast<std::size_t>(ends_[id] - b));
  }
  /// Id of s, adding it when new.
  CXM_HOT_INLINE std::uint32_t intern(std::string_view s) {
    const key k = key_of(s);
    std::uint64_t j = k.hash >> shift_;
    for (;;) {
      const slot& sl = slots_[j];
      if (sl.id1 == 0) return add(s, k, j);
      if (sl.len == k.len && sl.w0 == k.w0 && sl.w1 == k.w1 && (k.len <= 16 || at(sl.id1 - 1) == s)) return sl.id1 - 1;
      j = (j + 1) & mask_;
    }
  }
  /// Id of s, or 0xFFFFFFFF when absent.
  [[nodiscard]] CXM_HOT_INLINE std::uint32_t find(std::string_view s) const noexcept {
    const key k = key_of(s);
    std::uint64_t j = k.hash >> shift_;
    for (;;) {
      const slot& sl = slots_[j];
      if (sl.id1 == 0) return 0xFFFFFFFFU;
      if (sl.len == k.len && sl.w0 == k.w0 && sl.w1 == k.w1 && (k.len <= 16 || at(sl.id1 - 1) == s)) return sl.id1 - 1;
      j = (j + 1) & mask_;
    }
  }

 private:
  struct key {
    std::uint64_t w0 = 0, w1 = 0, hash = 0;
    std::uint32_t len = 0;
  };
  struct slot {
    std::uint64_t w0 = 0, w1 = 0;
    std::uint32_t len = 0;
    std::uint32_t id1 = 0;  // id + 1; 0 empty
  };
  // Two words that, with the length, determine keys up to 16 bytes (and
  // the first 16 bytes of longer ones); overlapping loads, no byte loop.
  CXM_HOT_INLINE static key key_of(std::string_view s) noexcept {
    key k;
    const char* p = s.data();
    const std::size_t n = s.size();
    k.len = static_cast<std::uint32_t>(n);
    k.w0 = pack_upto8(p, n);
    if (n >= 8) k.w1 = n >= 16 ? load_u64(p + 8) : load_u64(p + n - 8);
    // Multiplicative hashing (Knuth, TAOCP vol. 3, 6.4): the table index is
    // taken from the top bits of the product, which every input bit reaches.
    std::uint64_t h = k.w0 ^ ((k.w1 << 32) | (k.w1 >> 32)) ^ n;
    if (n > 16) {
      for (std::size_t i = 16; i + 8 <= n; i += 8) h = (h ^ load_u64(p + i)) * 0x9FB21C651E98DF25ULL;
      h ^= load_u64(p + n - 8);
    }
    h *= 0x9E3779B97F4A7C15ULL;
    k.hash = h;
    return k;
  }
  std::uint32_t add(std::string_view s, const key& k, std::uint64_t j);
  void grow();
  std::vector<char> bytes_;
  std::vector<std::uint64_t> ends_;
  std::vector<slot> slots_;
  std::uint64_t mask_ = 0;
  unsigned shift_ = 58;  // 64 - log2(slots)
};

}  // namespace cxm::detail
