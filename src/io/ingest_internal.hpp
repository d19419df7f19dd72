// Internal: the machinery the readers share (not installed).
//
//   row_builder    applies the field rules of io/ingest.hpp to one row at a time
//                  and appends accepted rows to a chunk_out (or records a reject)
//   chunk_out      one chunk's accepted rows (a response_batch whose channel,
//                  segment and agent columns still hold chunk-local ids), its
//                  rejects and counts
//   session        the reader-wide state: global dictionaries, channel set,
//                  summary; delivers chunk_outs in input order (remapping the
//                  local ids, so ids are given in order of first accepted use
//                  whatever the chunking), enforces strict mode
//   byte_source    file (pread, so threads can fill their own slices), memory,
//                  std::istream
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/io/ingest.hpp"

#if defined(__GNUC__)
#define CXM_HOT_INLINE inline __attribute__((always_inline))
#else
#define CXM_HOT_INLINE inline
#endif

namespace cxm::detail {

inline constexpr std::size_t npos = static_cast<std::size_t>(-1);

/// Mutable access to a response_batch's columns for the readers.
struct batch_access {
  static void clear(response_batch& b) {
    b.first_row_ = 0;
    b.weighted_ = false;
    b.nps_.clear();
    b.csat_.clear();
    b.ces_.clear();
    b.time_.clear();
    b.channel_.clear();
    b.segment_.clear();
    b.agent_.clear();
    b.weight_.clear();
    b.resolved_.clear();
    b.line_.clear();
    b.id_text_.clear();
    b.why_text_.clear();
    b.id_end_.clear();
    b.why_end_.clear();
  }
  /// Keeps the first n rows.
  static void truncate(response_batch& b, std::size_t n);
  /// Rows the numeric columns have room for (rows past those stored are
  /// unwritten scratch until seal()).
  [[nodiscard]] static std::size_t room(const response_batch& b) noexcept { return b.nps_.size(); }
  /// Sets the row count of every column but the two text buffers.
  static void resize_rows(response_batch& b, std::size_t n);
  /// Doubles the room of every numeric column (at least 1024 rows).
  static void grow(response_batch& b);
  /// Trims every column to the first n rows stored, with id_bytes and
  /// why_bytes bytes of text: the batch's size() is then n.
  static void seal(response_batch& b, std::size_t n, std::size_t id_bytes, std::size_t why_bytes);
  static detail::column<std::uint8_t>& nps(response_batch& b) { return b.nps_; }
  static detail::column<std::uint8_t>& csat(response_batch& b) { return b.csat_; }
  static detail::column<std::uint8_t>& ces(response_batch& b) { return b.ces_; }
  static detail::column<std::int64_t>& time(response_batch& b) { return b.time_; }
  static detail::column<std::uint16_t>& channel(response_batch& b) { return b.channel_; }
  static detail::column<std::uint32_t>& segment(response_batch& b) { return b.segment_; }
  static detail::column<std::uint32_t>& agent(response_batch& b) { return b.agent_; }
  static detail::column<double>& weight(response_batch& b) { return b.weight_; }
  static detail::column<std::int8_t>& resolved(response_batch& b) { return b.resolved_; }
  static detail::column<std::uint64_t>& line(response_batch& b) { return b.line_; }
  static detail::column<char>& id_text(response_batch& b) { return b.id_text_; }
  static detail::column<char>& why_text(response_batch& b) { return b.why_text_; }
  static detail::column<std::uint64_t>& id_end(response_batch& b) { return b.id_end_; }
  static detail::column<std::uint64_t>& why_end(response_batch& b) { return b.why_end_; }
  /// Writes s at byte `at` of text (growing it when short); returns the end.
  static std::size_t put_text(detail::column<char>& text, std::size_t at, std::string_view s) {
    if (s.empty()) return at;
    if (text.size() - at < s.size()) text.resize(std::max(text.size() * 2, at + s.size() + 4096));
    std::memcpy(text.data() + at, s.data(), s.size());
    return at + s.size();
  }
  static void set_weighted(response_batch& b) { b.weighted_ = true; }
  static void bind(response_batch& b, std::uint64_t first_row, const channel_set* c, const string_dictionary* s,
                   const string_dictionary* a) {
    b.first_row_ = first_row;
    b.channels_ = c;
    b.segments_ = s;
    b.agents_ = a;
  }
};

// ---------------------------------------------------------------------------
// Small text helpers

inline bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

inline std::string_view trim_blanks(std::string_view s) noexcept {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

/// Lower case (ASCII), surrounding blanks removed.
std::string lower_trimmed(std::string_view s);

/// 0x80 in every byte of w that is an ASCII capital letter, 0 elsewhere
/// (SWAR byte compares without carries between bytes).
inline std::uint64_t ascii_upper_mask(std::uint64_t w) noexcept {
  constexpr std::uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  const std::uint64_t h = w & low7;
  const std::uint64_t ge_a = h + ones * (0x80 - 'A');      // high bit: byte >= 'A'
  const std::uint64_t gt_z = h + ones * (0x80 - 'Z' - 1);  // high bit: byte > 'Z'
  return ge_a & ~gt_z & ~w & (ones * 0x80);
}

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
  static std::uint64_t load64(const char* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  }
  static std::uint64_t load32(const char* p) noexcept {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    return w;
  }
  // Two words that, with the length, determine keys up to 16 bytes (and
  // the first 16 bytes of longer ones); overlapping loads, no byte loop.
  CXM_HOT_INLINE static key key_of(std::string_view s) noexcept {
    key k;
    const char* p = s.data();
    const std::size_t n = s.size();
    k.len = static_cast<std::uint32_t>(n);
    if (n >= 8) {
      k.w0 = load64(p);
      k.w1 = n >= 16 ? load64(p + 8) : load64(p + n - 8);
    } else if (n >= 4) {
      k.w0 = load32(p) | (load32(p + n - 4) << 32);
    } else if (n > 0) {
      k.w0 = static_cast<unsigned char>(p[0]) | (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) |
             (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16);
    }
    // Multiplicative hashing (Knuth, TAOCP vol. 3, 6.4): the table index is
    // taken from the top bits of the product, which every input bit reaches.
    std::uint64_t h = k.w0 ^ ((k.w1 << 32) | (k.w1 >> 32)) ^ n;
    if (n > 16) {
      for (std::size_t i = 16; i + 8 <= n; i += 8) h = (h ^ load64(p + i)) * 0x9FB21C651E98DF25ULL;
      h ^= load64(p + n - 8);
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

// ---------------------------------------------------------------------------
// Fast parsers of the common forms (the rest goes to the general code)

// Exact powers of ten: every one up to 1e22 is a double (Clinger 1990, "How to
// read floating point numbers accurately", PLDI: with a mantissa below 2^53
// one correctly rounded division gives the correctly rounded value).
inline constexpr double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Fast path of a weight: digits, optionally a decimal point and digits, at
// most 15 digits in all. False when the text has any other form.
CXM_HOT_INLINE bool fast_decimal(std::string_view t, char point, double& out) noexcept {
  std::uint64_t m = 0;
  std::size_t i = 0;
  const std::size_t n = t.size();
  int digits = 0;
  while (i < n && static_cast<unsigned>(t[i] - '0') < 10U) {
    m = m * 10 + static_cast<unsigned>(t[i] - '0');
    ++i;
    ++digits;
  }
  if (digits == 0) return false;
  int frac = 0;
  if (i < n && t[i] == point) {
    ++i;
    while (i < n && static_cast<unsigned>(t[i] - '0') < 10U) {
      m = m * 10 + static_cast<unsigned>(t[i] - '0');
      ++i;
      ++frac;
    }
    if (frac == 0) return false;
  }
  if (i != n || digits + frac > 15) return false;
  out = static_cast<double>(m) / pow10_exact[frac];
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant 2013,
// "chrono-Compatible Low-Level Date Algorithms", days_from_civil).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CXM_HOT_INLINE int two_digits(const char* p) noexcept {
  const unsigned a = static_cast<unsigned>(p[0] - '0');
  const unsigned b = static_cast<unsigned>(p[1] - '0');
  return (a < 10 && b < 10) ? static_cast<int>(a * 10 + b) : -1;
}

// "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM:SSZ", the forms exports write most; the
// rest goes to cxm::parse_timestamp. Same results as parse_timestamp.
/// 0x80 in every byte of w that is an ASCII digit, 0 elsewhere.
CXM_HOT_INLINE std::uint64_t ascii_digit_mask(std::uint64_t w) noexcept {
  constexpr std::uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  const std::uint64_t h = w & low7;
  const std::uint64_t ge0 = h + ones * (0x80 - '0');      // high bit: byte >= '0'
  const std::uint64_t gt9 = h + ones * (0x80 - '9' - 1);  // high bit: byte > '9'
  return ge0 & ~gt9 & ~w & (ones * 0x80);
}

/// Days since 1970-01-01 of the first day of each month from 1970-01 to
/// 2100-01 (so that month m lasts table[m + 1] - table[m] days).
struct month_starts {
  static constexpr int first_year = 1970;
  static constexpr int years = 130;
  std::int32_t day[years * 12 + 1] = {};
  constexpr month_starts() {
    for (int i = 0; i <= years * 12; ++i) {
      day[i] = static_cast<std::int32_t>(days_from_civil(first_year + i / 12, static_cast<unsigned>(i % 12 + 1), 1));
    }
  }
};
inline constexpr month_starts kMonthStarts{};

// "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM:SSZ", the forms exports write most, read
// with word-wide (SWAR) digit checks and a table of month starts; anything
// else goes to cxm::parse_timestamp. Same results as parse_timestamp.
CXM_HOT_INLINE bool fast_timestamp(std::string_view t, std::int64_t& out) noexcept {
  const std::size_t n = t.size();
  if (n != 10 && n != 20) return false;
  const char* p = t.data();
  constexpr std::uint64_t kDateDigits = 0x0080800080808080ULL;  // YYYY-MM-: bytes 0-3, 5-6
  const std::uint64_t a = load_u64(p);
  if ((ascii_digit_mask(a) & kDateDigits) != kDateDigits || ((a >> 32) & 0xFF) != '-' || (a >> 56) != '-') return false;
  // Digit values with the separators zeroed, then each byte plus ten times
  // the one before it: byte i holds the two-digit number at i, i + 1 (no
  // carries: every byte stays below 100).
  const std::uint64_t da = (a - 0x0030300030303030ULL) & 0x00FFFF00FFFFFFFFULL;
  const std::uint64_t pa = da * 10 + (da >> 8);
  const int y = static_cast<int>((pa & 0xFF) * 100 + ((pa >> 16) & 0xFF));
  const int mo = static_cast<int>((pa >> 40) & 0xFF);
  int d = 0;
  int secs_of_day = 0;
  if (n == 10) {
    d = two_digits(p + 8);
  } else {
    constexpr std::uint64_t kTimeDigits = 0x8080008080008080ULL;  // DDTHH:MM: bytes 0-1, 3-4, 6-7
    const std::uint64_t b = load_u64(p + 8);
    const std::uint64_t c = load_u32(p + 16);  // ":SSZ"
    if ((ascii_digit_mask(b) & kTimeDigits) != kTimeDigits || ((b >> 16) & 0xFF) != 'T' || ((b >> 40) & 0xFF) != ':' ||
        (ascii_digit_mask(c) & 0x00808000ULL) != 0x00808000ULL || (c & 0xFF) != ':' || (c >> 24) != 'Z') {
      return false;
    }
    const std::uint64_t db = (b - 0x3030003030003030ULL) & 0xFFFF00FFFF00FFFFULL;
    const std::uint64_t pb = db * 10 + (db >> 8);
    const std::uint64_t dc = c - 0x00303000ULL;
    d = static_cast<int>(pb & 0xFF);
    const int hh = static_cast<int>((pb >> 24) & 0xFF);
    const int mm = static_cast<int>((pb >> 48) & 0xFF);
    const int ss = static_cast<int>(((dc >> 8) & 0xFF) * 10 + ((dc >> 16) & 0xFF));
    if (hh > 23 || mm > 59 || ss > 60) return false;
    secs_of_day = hh * 3600 + mm * 60 + (ss == 60 ? 59 : ss);  // a leap second counts as :59
  }
  // Outside 1900..2200 (the range of core/timestamp.hpp) the general parser
  // writes the reject; inside, every date and time of these forms is in range.
  if (mo < 1 || mo > 12 || d < 1 || y < 1900 || y > 2200) return false;
  std::int64_t days = 0;
  if (y >= month_starts::first_year && y < month_starts::first_year + month_starts::years) {
    const int m = (y - month_starts::first_year) * 12 + mo - 1;
    const std::int32_t start = kMonthStarts.day[m];
    if (d > kMonthStarts.day[m + 1] - start) return false;
    days = start + d - 1;
  } else {
    static constexpr unsigned char mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] + ((mo == 2 && leap) ? 1 : 0)) return false;
    days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  }
  out = days * 86400 + secs_of_day;
  return true;
}

// ---------------------------------------------------------------------------
// Chunk output

/// A reject before it is given its file name and delivered.
struct pending_reject {
  std::uint64_t line = 0;
  std::uint64_t column = 0;
  std::optional<response_field> field;
  std::string value;
  std::string reason;
  reject_cause cause = reject_cause::invalid_value;
  std::uint64_t accepted_before = 0;  ///< accepted rows of the chunk before this one
};

/// Channel labels seen in one chunk.
struct channel_cache {
  static constexpr std::int32_t unknown = -1;  ///< not in a closed set
  static constexpr std::int32_t pending = -2;  ///< new label of an open set
  local_dict raw;                    ///< raw label → entry
  std::vector<std::int32_t> global;  ///< per entry: channel id, unknown or pending
  std::vector<std::int32_t> use;     ///< per entry: index in used, or -1
  std::vector<std::uint32_t> used;   ///< entries in order of first accepted use
  void clear() {
    raw.clear();
    global.clear();
    use.clear();
    used.clear();
  }
};

/// One chunk's accepted rows, rejects and counts. The row builder writes
/// into the batch's columns ahead of their size; seal() trims them, and
/// must come before anything reads the batch.
struct chunk_out {
  response_batch batch;
  std::size_t rows = 0;       ///< accepted rows stored in batch
  std::size_t id_bytes = 0;   ///< bytes of id text stored
  std::size_t why_bytes = 0;  ///< bytes of free text stored
  void seal() { batch_access::seal(batch, rows, id_bytes, why_bytes); }
  local_dict agents;
  local_dict segments;
  channel_cache channels;
  std::vector<pending_reject> rejects;
  std::uint64_t rows_read = 0;
  std::uint64_t empty_lines = 0;
  std::array<std::uint64_t, response_field_count> missing{};
  /// Line of the first row whose channel label found no batch id left
  /// (channel_set::max_labels distinct labels already in the chunk); 0: none.
  std::uint64_t channel_overflow_line = 0;
  void clear();
};

// ---------------------------------------------------------------------------
// Field rules

/// The options the row builder needs, compiled once per read.
struct row_plan {
  explicit row_plan(const ingest_options& o);
  scale nps;
  scale csat;
  scale ces;
  char decimal_point;
  bool validate_utf8;
  cxm::epoch_unit epoch_unit;
  const channel_set* channels = nullptr;  ///< the session's (read-only while chunks are parsed)
  struct token {
    std::string text;
    resolution value;
  };
  std::vector<token> tokens;     ///< resolved vocabulary, lower case
  struct packed_token {
    std::uint64_t word = 0;  ///< the token's bytes, zero-padded
    std::uint32_t len = 0;
    std::int8_t value = 0;
  };
  std::vector<packed_token> packed;  ///< tokens of at most 8 bytes
  /// The packed tokens placed by a multiplicative hash with no two in one
  /// slot, when token_mul != 0: a lookup is then one probe, with no loop
  /// whose length depends on the token.
  static constexpr unsigned token_bits = 6;
  std::array<packed_token, std::size_t{1} << token_bits> token_slot{};
  std::uint64_t token_mul = 0;
  [[nodiscard]] static std::size_t token_hash(std::uint64_t word, std::size_t len, std::uint64_t mul) noexcept {
    return static_cast<std::size_t>(((word ^ len) * mul) >> (64 - token_bits));
  }
  std::string vocabulary_text;   ///< for messages
  bool closed_channels = false;
};

/// Builds rows from field values and appends them to a chunk_out. Fields may
/// come in any order; the first bad one (in the order given) decides the
/// reject and later ones of the row are ignored.
class row_builder {
 public:
  explicit row_builder(const row_plan& plan) : plan_(plan) {}
  void attach(chunk_out* out) noexcept { out_ = out; }
  [[nodiscard]] chunk_out* output() const noexcept { return out_; }

  /// Starts a row; `ascii` says every byte of it is below 0x80 (no UTF-8 check needed).
  void begin(std::uint64_t line, bool ascii = false) noexcept {
    ascii_row_ = ascii;
    line_ = line;
    failed_ = false;
    missing_ = 0;
    nps_ = csat_ = ces_ = response_table::missing_score;
    time_ = response_table::missing_time;
    resolved_ = static_cast<std::int8_t>(resolution::unknown);
    weight_ = 1.0;
    weight_given_ = false;
    channel_entry_ = npos32;
    id_ = std::string_view();
    why_ = std::string_view();
    agent_ = std::string_view();
    segment_ = std::string_view();
  }
  [[nodiscard]] bool failed() const noexcept { return failed_; }

  /// A field given as text (CSV, JSON strings, SPSS strings). The view must
  /// stay valid until end(). The common forms are handled here, inline; the
  /// rest (and every error) by text_slow, which applies the whole rule.
  CXM_HOT_INLINE void text(response_field f, std::string_view s, std::uint64_t column) {
    if (failed_) return;
    switch (f) {
      case response_field::nps:
      case response_field::csat:
      case response_field::ces: {
        int v = -1;
        if (s.size() == 1) {
          const unsigned d = static_cast<unsigned>(s[0] - '0');
          if (d < 10) v = static_cast<int>(d);
        } else if (s.size() == 2) {
          v = two_digits(s.data());
        }
        if (v >= 0 && scale_of(f).contains(v)) {
          slot_of(f) = static_cast<std::uint8_t>(v);
          return;
        }
        break;
      }
      case response_field::weight: {
        double w = 0.0;
        if (fast_decimal(s, plan_.decimal_point, w)) {
          weight_ = w;
          weight_given_ = true;
          return;
        }
        break;
      }
      case response_field::timestamp: {
        std::int64_t t = 0;
        if (fast_timestamp(s, t)) {
          time_ = t;
          return;
        }
        break;
      }
      case response_field::resolved: {
        if (s.empty() || s.size() > 8) break;
        std::uint64_t w = pack_upto8(s.data(), s.size());
        w |= ascii_upper_mask(w) >> 2;  // capitals to lower case
        if (plan_.token_mul != 0) {
          const auto& t = plan_.token_slot[row_plan::token_hash(w, s.size(), plan_.token_mul)];
          if (t.len == s.size() && t.word == w) {
            resolved_ = t.value;
            return;
          }
          break;
        }
        for (const auto& t : plan_.packed) {
          if (t.len == s.size() && t.word == w) {
            resolved_ = t.value;
            return;
          }
        }
        break;
      }
      case response_field::channel: {
        if (s.empty() || !(ascii_row_ || !plan_.validate_utf8 || !has_non_ascii(s.data(), s.size()))) break;
        const channel_cache& cc = out_->channels;
        const std::uint32_t e = cc.raw.find(s);
        if (e != 0xFFFFFFFFU && e != 0 && e < cc.global.size() && cc.global[e] != channel_cache::unknown) {
          channel_entry_ = e;
          return;
        }
        break;
      }
      case response_field::id:
      case response_field::agent:
      case response_field::segment:
      case response_field::why: {
        if (!ascii_row_ && plan_.validate_utf8 && has_non_ascii(s.data(), s.size())) break;
        if (s.empty() || is_blank(s.front()) || is_blank(s.back())) {
          if (trim_blanks(s).empty()) mark_missing(f);
        }
        (f == response_field::id ? id_ : f == response_field::agent ? agent_ : f == response_field::segment ? segment_ : why_) = s;
        return;
      }
    }
    text_slow(f, s, column);
  }
  /// A JSON number, as its literal.
  void json_number(response_field f, std::string_view literal, std::uint64_t column);
  /// A JSON true/false.
  void json_bool(response_field f, bool v, std::uint64_t column);
  /// JSON null, a system-missing value: the field is missing.
  void missing(response_field f, std::uint64_t column);
  /// A JSON object or array where a value belongs.
  void json_structure(response_field f, std::string_view raw, std::uint64_t column);
  /// A number from a statistics file. `as_text` is what text fields get
  /// (the value label when there is one, else the number's text).
  void number(response_field f, double v, std::string_view as_text, std::uint64_t column);
  /// A timestamp already converted to Unix seconds (a date of a statistics
  /// file); outside 1900..2200 a timestamp_out_of_range reject.
  void time_seconds(std::int64_t secs, std::string_view as_text, std::uint64_t column);
  /// Rejects the row as a whole or for one field.
  void fail(reject_cause cause, std::string reason, std::string value, std::uint64_t column = 0,
            std::optional<response_field> field = std::nullopt);

  /// Commits the row (or its reject).
  void end();
  /// Forgets the row begun (and its reject, if one was recorded).
  void abandon() noexcept {
    if (failed_) out_->rejects.pop_back();
    failed_ = false;
  }

  /// Counts an empty line.
  void empty_line() noexcept { ++out_->empty_lines; }

 private:
  static constexpr std::uint32_t npos32 = 0xFFFFFFFFU;
  void text_slow(response_field f, std::string_view s, std::uint64_t column);
  void score(response_field f, std::string_view s, std::uint64_t column);
  void score_value(response_field f, long long v, std::string_view shown, std::uint64_t column);
  void score_number(response_field f, double d, std::string_view shown, std::uint64_t column);
  void weight_text(std::string_view s, std::uint64_t column, char decimal_point);
  void weight_value(double w, std::string_view shown, std::uint64_t column);
  void timestamp_text(std::string_view s, std::uint64_t column);
  void resolved_text(std::string_view s, std::uint64_t column);
  void channel_text(std::string_view s, std::uint64_t column);
  bool check_utf8(response_field f, std::string_view s, std::uint64_t column);
  const scale& scale_of(response_field f) const noexcept {
    return f == response_field::nps ? plan_.nps : (f == response_field::csat ? plan_.csat : plan_.ces);
  }
  std::uint8_t& slot_of(response_field f) noexcept {
    return f == response_field::nps ? nps_ : (f == response_field::csat ? csat_ : ces_);
  }
  void mark_missing(response_field f) noexcept { missing_ |= static_cast<std::uint16_t>(1U << static_cast<unsigned>(f)); }

  const row_plan& plan_;
  chunk_out* out_ = nullptr;
  std::uint64_t line_ = 0;
  bool failed_ = false;
  bool ascii_row_ = false;  // the caller checked that the row's bytes are all ASCII
  std::uint16_t missing_ = 0;
  std::uint8_t nps_ = 0, csat_ = 0, ces_ = 0;
  std::int64_t time_ = 0;
  std::int8_t resolved_ = 0;
  double weight_ = 1.0;
  bool weight_given_ = false;
  std::uint32_t channel_entry_ = npos32;
  std::string_view id_, why_, agent_, segment_;
};

// ---------------------------------------------------------------------------
// Session

struct header_mapping;

/// Reader-wide state and the delivery of chunks in input order.
class session {
 public:
  session(const ingest_options& options, const ingest_sink& sink, std::string source, ingest_format format);
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  [[nodiscard]] const row_plan& plan() const noexcept { return plan_; }
  [[nodiscard]] const ingest_options& options() const noexcept { return options_; }
  [[nodiscard]] const std::string& source() const noexcept { return source_; }

  /// Fields whose column the input has (sets missing_by_field to 0 for them).
  void set_present(const std::array<bool, response_field_count>& present);
  /// Header, the column each field was read from and the ignored columns, for the report.
  void set_header(std::vector<std::string> header, header_mapping&& m);
  /// CSV: the delimiter and decimal point used (and whether each was
  /// detected), for the report and the field rules. Before any chunk.
  void set_dialect(char delimiter, bool delimiter_detected, char decimal_point, bool decimal_point_detected);
  /// Counts empty lines outside chunks (before a header).
  void add_empty_lines(std::uint64_t n) noexcept { report_.summary.empty_lines += n; }
  /// Adds input bytes to the summary.
  void add_bytes(std::uint64_t n) noexcept { report_.summary.bytes_read += n; }

  /// Delivers one chunk (remaps its ids, calls the sink, counts; throws in
  /// strict mode at the first reject). The chunk is left for clear().
  void deliver(chunk_out& c);
  /// Delivers a reject that belongs to no chunk (a record too long to hold).
  void deliver_reject(pending_reject r);
  /// Brings the channel set the parsers read (plan().channels) up to the
  /// labels delivery has learnt. Call only while no chunk is parsed or
  /// delivered: parsers read that copy while deliver() extends the session's
  /// own set, so the two never race. A stale copy only means that a label
  /// learnt meanwhile is looked up again at delivery (same id).
  void sync_parse_channels();

  /// The final report.
  [[nodiscard]] ingest_report finish();

 private:
  ingest_reject make_reject(pending_reject&& p) const;
  void emit(pending_reject&& p);
  /// Strict mode: hands the reject to the sink, then throws its error.
  [[noreturn]] void raise_strict(pending_reject&& p);

  ingest_options options_;
  const ingest_sink& sink_;
  std::string source_;
  channel_set channels_;
  channel_set parse_channels_;  ///< what plan_.channels points to
  string_dictionary segments_;
  string_dictionary agents_;
  row_plan plan_;
  ingest_report report_;
  std::uint64_t accepted_ = 0;
  std::vector<std::uint16_t> channel_map_;
  std::vector<std::uint32_t> segment_map_;
  std::vector<std::uint32_t> agent_map_;
};

/// Checks options shared by every reader (delimiter, decimal point, column
/// names, sizes); throws invalid_argument.
void check_options(const ingest_options& o);

// ---------------------------------------------------------------------------
// Finding columns (the one matcher of CSV headers, JSON keys and variable
// names; the rules are in io/ingest.hpp, column_map)

/// column_key() written into `out` (no allocation once `out` has grown).
void column_key_into(std::string_view name, std::string& out);

/// Whether the field's name in the options is its own (aliases then apply).
[[nodiscard]] bool named_by_default(const ingest_options& o, response_field f);

/// The field of each column of a header, or the first problem found.
struct header_match {
  std::vector<std::optional<response_field>> column_field;
  std::array<std::optional<std::size_t>, response_field_count> field_column{};
  /// Two columns matched one field: their indexes, and whether by aliases.
  std::optional<std::pair<std::size_t, std::size_t>> twice;
  response_field twice_field = response_field::id;
  bool twice_by_alias = false;
  [[nodiscard]] bool has(response_field f) const noexcept { return field_column[static_cast<std::size_t>(f)].has_value(); }
  [[nodiscard]] bool has_score() const noexcept {
    return has(response_field::nps) || has(response_field::csat) || has(response_field::ces);
  }
};
/// Matches names to fields; never throws for a header's contents.
[[nodiscard]] header_match match_header(const std::vector<std::string>& names, const ingest_options& o);

/// Maps header names to fields; throws parse_error (duplicate column, two
/// aliases of a field, missing required column, no score column) located in
/// `source` at `line`. `what` is "column", "key" or "variable"; `hint`,
/// when not empty, ends the message of a missing required or score column
/// in parentheses (the CSV reader's "with --delimiter ';' ...").
struct header_mapping {
  std::vector<std::optional<response_field>> column_field;
  std::array<bool, response_field_count> present{};
  std::vector<std::string> ignored;
};
header_mapping map_header(const std::vector<std::string>& names, const ingest_options& o, const std::string& source,
                          std::uint64_t line, std::string_view what, std::string_view hint = {});

/// Keys (column_key) to fields, for readers that match names row by row
/// (JSON Lines): every name each field may have, or after narrow() the name
/// a header gave a field it has.
class name_index {
 public:
  name_index() = default;
  explicit name_index(const ingest_options& o);
  /// Fields the header has are found under the key of the header's name only.
  void narrow(const std::vector<std::string>& names, const std::vector<std::optional<response_field>>& column_field);
  /// The field of a name; `scratch` holds its key afterwards.
  [[nodiscard]] std::optional<response_field> find(std::string_view name, std::string& scratch) const;
  /// Remembers the header's names in order (after narrow()), so that a row
  /// whose k-th name is spelt as the header's k-th is answered by one compare.
  void remember_order(const std::vector<std::string>& names);
  /// find() of the k-th name of a row.
  [[nodiscard]] std::optional<response_field> find_at(std::string_view name, std::size_t k, std::string& scratch) const {
    if (k < order_.size() && order_[k].first == name) return order_[k].second;
    return find(name, scratch);
  }

 private:
  std::vector<std::pair<std::string, response_field>> keys_;  // sorted by key
  std::vector<std::pair<std::string, std::optional<response_field>>> order_;
};

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

// ---------------------------------------------------------------------------
// Byte sources

class byte_source {
 public:
  virtual ~byte_source() = default;
  /// True when read_at may be called (from several threads at once).
  [[nodiscard]] virtual bool positional() const noexcept = 0;
  /// Reads up to n bytes at `offset`; fewer only at the end. Positional only.
  virtual std::size_t read_at(std::uint64_t offset, char* dst, std::size_t n) = 0;
  /// Reads the next up to n bytes; fewer only at the end. Sequential only.
  virtual std::size_t read(char* dst, std::size_t n) = 0;
  /// The number of bytes the source holds, when known in advance: windows
  /// are then no larger than the input needs.
  [[nodiscard]] virtual std::optional<std::uint64_t> size_hint() const noexcept { return std::nullopt; }
};

/// A file; positional when it is a regular file. Throws parse_error naming
/// the file when it cannot be opened.
std::unique_ptr<byte_source> open_file_source(const std::filesystem::path& file);
std::unique_ptr<byte_source> memory_source(std::string_view data);
std::unique_ptr<byte_source> stream_source(std::istream& in);

}  // namespace cxm::detail
