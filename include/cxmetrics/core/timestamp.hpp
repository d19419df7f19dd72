// Timestamps of responses: UTC seconds, parsed from the forms survey exports use.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/export.hpp"

namespace cxm {

/// A point in time, UTC, to the second.
using timestamp = std::chrono::sys_seconds;

/// Parses a timestamp. Accepted forms:
///   2024-03-05                      (a plain date: midnight UTC)
///   2024-03-05T14:07:09Z            (also with a space instead of 'T')
///   2024-03-05T14:07:09+02:00       (offset ±hh:mm, ±hhmm or ±hh; converted to UTC)
///   2024-03-05T14:07:09.250Z        (fractional seconds are truncated)
///   2024-03-05T14:07                (no seconds; no zone means UTC)
///   1709647629                      (Unix seconds, optionally negative)
/// Anything else, an impossible date (2023-02-29) or time (24:00:01) throws
/// malformed_timestamp naming `where` and the text.
[[nodiscard]] CXMETRICS_API timestamp parse_timestamp(std::string_view text, const location& where = {});

/// ISO 8601 in UTC: "2024-03-05T14:07:09Z".
[[nodiscard]] CXMETRICS_API std::string format_timestamp(timestamp t);

/// Months since January 1970 (0 = 1970-01), for monthly buckets.
[[nodiscard]] inline int month_index(timestamp t) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  return (static_cast<int>(ymd.year()) - 1970) * 12 + static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
}

/// "2024-03" for a month index.
[[nodiscard]] inline std::string month_label(int index) {
  const int y = 1970 + (index >= 0 ? index / 12 : (index - 11) / 12);
  const int m = index - (y - 1970) * 12 + 1;
  std::string s = std::to_string(y) + "-";
  if (m < 10) s += '0';
  return s + std::to_string(m);
}

}  // namespace cxm
