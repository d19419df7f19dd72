// Internal (not installed): fast parsers of the common forms of a weight and
// a timestamp, used inline by the row builder; anything else goes to the
// general rules (src/io/field_rules.cpp), with the same results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/text.hpp"

namespace cxm::inline v0_1::detail {

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

}  // namespace cxm::detail
