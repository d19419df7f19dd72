// Internal (not installed): the small text helpers of the readers (blanks,
// ASCII case and digits a word at a time, UTF-8 checks) and the text of
// messages (values and lists of names shortened, the distance of two names).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#if defined(__GNUC__)
#define CXM_HOT_INLINE inline __attribute__((always_inline))
#else
#define CXM_HOT_INLINE inline
#endif

namespace cxm::inline v0_1::detail {

inline constexpr std::size_t npos = static_cast<std::size_t>(-1);

inline bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

inline std::string_view trim_blanks(std::string_view s) noexcept {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

/// Lower case (ASCII), surrounding blanks removed.
std::string lower_trimmed(std::string_view s);

/// 0x80 in every byte of w that lies in lo..hi (ASCII, lo <= hi), 0
/// elsewhere (SWAR byte compares without carries between bytes).
CXM_HOT_INLINE std::uint64_t ascii_range_mask(std::uint64_t w, char lo, char hi) noexcept {
  constexpr std::uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  const std::uint64_t h = w & low7;
  const std::uint64_t ge = h + ones * static_cast<std::uint64_t>(0x80 - lo);      // high bit: byte >= lo
  const std::uint64_t gt = h + ones * static_cast<std::uint64_t>(0x80 - hi - 1);  // high bit: byte > hi
  return ge & ~gt & ~w & (ones * 0x80);
}

/// 0x80 in every byte of w that is an ASCII capital letter, 0 elsewhere.
CXM_HOT_INLINE std::uint64_t ascii_upper_mask(std::uint64_t w) noexcept { return ascii_range_mask(w, 'A', 'Z'); }

/// 0x80 in every byte of w that is an ASCII digit, 0 elsewhere.
CXM_HOT_INLINE std::uint64_t ascii_digit_mask(std::uint64_t w) noexcept { return ascii_range_mask(w, '0', '9'); }

inline std::uint64_t load_u64(const char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
inline std::uint64_t load_u32(const char* p) noexcept {
  std::uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

/// Up to 8 bytes as one word that, with n, determines them (overlapping
/// loads instead of a byte loop; bytes keep their values, so a byte-wise
/// transformation of the word equals that of the bytes).
CXM_HOT_INLINE std::uint64_t pack_upto8(const char* p, std::size_t n) noexcept {
  if (n >= 8) return load_u64(p);
  if (n >= 4) return load_u32(p) | (load_u32(p + n - 4) << 32);
  if (n == 0) return 0;
  return static_cast<unsigned char>(p[0]) | (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) |
         (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16);
}

/// True when any byte has the high bit set.
CXM_HOT_INLINE bool has_non_ascii(const char* p, std::size_t n) noexcept {
  std::uint64_t acc = 0;
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 <= n; i += 8) acc |= load_u64(p + i);
    acc |= load_u64(p + n - 8);
  } else {
    acc = pack_upto8(p, n);
  }
  return (acc & 0x8080808080808080ULL) != 0;
}

/// Offset of the first byte that breaks UTF-8 well-formedness (Unicode 15,
/// table 3-7; RFC 3629: no overlongs, surrogates or code points past
/// U+10FFFF), or npos when `s` is well-formed.
std::size_t utf8_error(std::string_view s) noexcept;

/// `s` with every byte of an ill-formed sequence written as \xHH.
std::string escape_non_utf8(std::string_view s);

// ---------------------------------------------------------------------------
// Messages

/// Longest value (bytes) shown in a message by shorten().
inline constexpr std::size_t kShownValueBytes = 80;
/// Longest list of names shown in a message by list_names().
inline constexpr std::size_t kShownListBytes = 400;

/// `s` for a message: bytes that are not UTF-8 as \xHH, and when longer than
/// max_bytes, its first bytes up to a character boundary, then
/// "… (N bytes)".
std::string shorten(std::string_view s, std::size_t max_bytes = kShownValueBytes);

/// "'a', 'b', 'c'" (each name shortened), or "(none)"; a list longer than
/// max_bytes ends in "… and K more".
std::string list_names(const std::vector<std::string>& names, std::size_t max_bytes = kShownListBytes);

/// Restricted Damerau–Levenshtein distance (optimal string alignment:
/// insertions, deletions, substitutions and transpositions of adjacent
/// bytes, each 1; Damerau 1964, CACM 7(3)) of two keys, or `cap` + 1 when
/// it is larger than `cap`.
std::size_t name_distance(std::string_view a, std::string_view b, std::size_t cap);

}  // namespace cxm::detail
