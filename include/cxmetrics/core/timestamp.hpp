// Timestamps of responses: UTC seconds, parsed from the forms survey exports use.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/export.hpp"

namespace cxm::inline v0_1 {

/// A point in time, UTC, to the second.
using timestamp = std::chrono::sys_seconds;

/// The earliest and the latest timestamp a response may have:
/// 1900-01-01T00:00:00Z and 2200-12-31T23:59:59Z (Unix seconds -2208988800 and
/// 7289654399; Python: datetime(1900, 1, 1, tzinfo=timezone.utc).timestamp()).
/// A time outside them is a typing or unit error (a millisecond epoch read as
/// seconds is in the year 56000), never a survey answer.
inline constexpr timestamp earliest_timestamp{std::chrono::seconds{-2208988800}};
inline constexpr timestamp latest_timestamp{std::chrono::seconds{7289654399}};

/// True when `t` lies in [earliest_timestamp, latest_timestamp].
[[nodiscard]] constexpr bool timestamp_in_range(timestamp t) noexcept {
  return t >= earliest_timestamp && t <= latest_timestamp;
}

/// The unit of a timestamp written as a bare number (a Unix epoch).
enum class epoch_unit : std::uint8_t {
  /// Seconds, unless the integer part's magnitude is at least 10^11: then
  /// milliseconds. 10^11 seconds is past the year 5000 (out of range anyway),
  /// and 10^11 milliseconds is 1973-03-03T09:46:40Z, so every millisecond
  /// epoch from March 1973 to 2200 and every second epoch from 1900 to 2200
  /// is read as meant. Millisecond epochs before March 1973 need `milliseconds`.
  automatic,
  seconds,       ///< always seconds
  milliseconds,  ///< always milliseconds
};

/// The magnitude from which epoch_unit::automatic reads milliseconds.
inline constexpr std::int64_t epoch_milliseconds_from = 100'000'000'000;

/// What try_parse_timestamp found.
struct timestamp_parse {
  enum class status : std::uint8_t {
    ok,            ///< `value` holds the time
    malformed,     ///< not one of the accepted forms, or a day or time that does not exist
    out_of_range,  ///< a well-formed time outside [earliest_timestamp, latest_timestamp]
  };
  status state = status::ok;
  timestamp value{};
  std::string reason;  ///< what was wrong ("timestamp '...' names a day that does not exist"); empty when ok
};

/// Reads a timestamp without throwing. Accepted forms:
///   2024-03-05                      (a plain date: midnight UTC)
///   2024-03-05T14:07:09Z            (also with a space instead of 'T'; 'z' and 't' too)
///   2024-03-05T14:07:09+02:00       (offset ±hh:mm, ±hhmm or ±hh; converted to UTC)
///   2024-03-05T14:07:09.250Z        (fractional seconds, after '.' or ','; the second is kept)
///   2024-03-05T14:07                (no seconds; no zone means UTC)
///   1709647629                      (Unix epoch seconds, optionally signed and with a fraction)
///   1709647629250                   (Unix epoch milliseconds: see epoch_unit)
/// Blanks around the text are ignored. A fraction of a second keeps the
/// second it falls in (floor: "-1.5" is -2 s). A leap second (:60) counts as
/// :59 of its minute. Every result must lie in [earliest_timestamp,
/// latest_timestamp]; outside, the status is out_of_range and the reason
/// names the time read and the range.
[[nodiscard]] CXMETRICS_API timestamp_parse try_parse_timestamp(std::string_view text,
                                                                epoch_unit unit = epoch_unit::automatic);

/// Parses a timestamp (the forms and rules of try_parse_timestamp). Anything
/// else, an impossible date (2023-02-29) or time (24:00:01), or a time
/// outside 1900-01-01T00:00:00Z .. 2200-12-31T23:59:59Z throws
/// malformed_timestamp naming `where` and the text.
[[nodiscard]] CXMETRICS_API timestamp parse_timestamp(std::string_view text, const location& where = {},
                                                      epoch_unit unit = epoch_unit::automatic);

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
