// Calendar periods of response times: day, ISO week, month, quarter or year,
// in a fixed offset from UTC.
//
//   const auto p = cxm::period_of(t, cxm::time_bucket::month, std::chrono::hours{2});
//   cxm::to_string(p);                       // "2024-03"
//   cxm::period_start(p, std::chrono::hours{2});   // 2024-02-29T22:00:00Z
//
// A time t belongs to the local day floor((t + offset) / 86400 s) (days since
// 1970-01-01) and a period is a run of local days:
//
//   bucket     index                                     label
//   day        the day number                            2024-03-05
//   iso_week   weeks since Monday 1969-12-29 (ISO 8601:  2024-W10 (ISO week-year and week: the
//              weeks start on Monday)                    year of the week's Thursday)
//   month      months since 1970-01                      2024-03
//   quarter    quarters since 1970-Q1                    2024-Q1
//   year       years since 1970                          2024
//
// A response without a time has period{bucket, period::no_time}, labelled
// "(none)", which sorts before every other period of its bucket. Periods
// order by (bucket, index), so by time within a bucket.
//
// Offsets lie within ±18 hours (max_utc_offset), as ISO 8601 zone offsets do;
// times within [earliest_timestamp, latest_timestamp] (core/timestamp.hpp).
//
// Header: cxmetrics/core/period.hpp. Complexity: O(1) per call.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/timestamp.hpp"

namespace cxm::inline v0_1 {

/// A kind of calendar period (see the header comment).
enum class time_bucket : std::uint8_t { day, iso_week, month, quarter, year };

/// Periods in one season of a bucket: 7 days in a week, 52 ISO weeks, 12
/// months and 4 quarters in a year; 1 for years (no season). The season
/// length `cxm trend`, `cxm forecast --frequency` and the report's forecast use.
[[nodiscard]] constexpr int season_length(time_bucket b) noexcept {
  switch (b) {
    case time_bucket::day: return 7;
    case time_bucket::iso_week: return 52;
    case time_bucket::month: return 12;
    case time_bucket::quarter: return 4;
    case time_bucket::year: return 1;
  }
  return 1;
}

/// "day", "iso_week", "month", "quarter" or "year".
[[nodiscard]] constexpr const char* to_string(time_bucket b) noexcept {
  switch (b) {
    case time_bucket::day: return "day";
    case time_bucket::iso_week: return "iso_week";
    case time_bucket::month: return "month";
    case time_bucket::quarter: return "quarter";
    case time_bucket::year: return "year";
  }
  return "month";
}

/// The bucket of a name: to_string's names, and "week" for iso_week.
[[nodiscard]] constexpr std::optional<time_bucket> time_bucket_from_name(std::string_view name) noexcept {
  for (const auto b : {time_bucket::day, time_bucket::iso_week, time_bucket::month, time_bucket::quarter,
                       time_bucket::year}) {
    if (name == to_string(b)) return b;
  }
  if (name == "week") return time_bucket::iso_week;
  return std::nullopt;
}

/// Largest offset from UTC of a local calendar (ISO 8601 allows ±18:00).
inline constexpr std::chrono::seconds max_utc_offset{18 * 3600};

/// Throws invalid_argument unless |offset| <= max_utc_offset.
inline void check_utc_offset(std::chrono::seconds offset) {
  if (offset > max_utc_offset || offset < -max_utc_offset) {
    throw invalid_argument("a UTC offset lies within -18:00 .. +18:00, got " + std::to_string(offset.count()) +
                           " seconds");
  }
}

/// An offset as ISO 8601 writes it: "+02:00" for two hours east of UTC,
/// "-05:30", "+00:00" for UTC.
[[nodiscard]] inline std::string format_utc_offset(std::chrono::seconds offset) {
  const long long s = offset.count();
  const long long a = s < 0 ? -s : s;
  const long long h = a / 3600, m = (a % 3600) / 60;
  std::string out = s < 0 ? "-" : "+";
  out += (h < 10 ? "0" : "") + std::to_string(h) + ":" + (m < 10 ? "0" : "") + std::to_string(m);
  return out;
}

/// One calendar period (see the header comment).
struct period {
  /// Index of the period of a response without a time.
  static constexpr std::int32_t no_time = std::numeric_limits<std::int32_t>::min();

  time_bucket bucket = time_bucket::month;
  std::int32_t index = no_time;

  [[nodiscard]] constexpr bool has_time() const noexcept { return index != no_time; }
  friend constexpr auto operator<=>(const period&, const period&) = default;
};

namespace detail {

/// floor(a / b) for b > 0.
[[nodiscard]] constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  const std::int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

[[nodiscard]] inline std::chrono::year_month_day civil(std::int64_t day) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}};
}

[[nodiscard]] inline std::int64_t day_of(std::chrono::year_month_day ymd) {
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

}  // namespace detail

/// The local day (days since 1970-01-01) of `t` at `utc_offset`.
[[nodiscard]] constexpr std::int64_t local_day(timestamp t, std::chrono::seconds utc_offset) noexcept {
  return detail::floor_div(t.time_since_epoch().count() + utc_offset.count(), 86400);
}

/// Index of the period of `bucket` that holds the local day `day`.
[[nodiscard]] inline std::int32_t period_index(std::int64_t day, time_bucket bucket) {
  std::int64_t index = day;
  if (bucket == time_bucket::iso_week) {
    index = detail::floor_div(day + 3, 7);
  } else if (bucket != time_bucket::day) {
    const auto ymd = detail::civil(day);
    const std::int64_t years = static_cast<int>(ymd.year()) - 1970;
    const std::int64_t months = years * 12 + static_cast<unsigned>(ymd.month()) - 1;
    index = bucket == time_bucket::month ? months : bucket == time_bucket::quarter ? detail::floor_div(months, 3) : years;
  }
  return static_cast<std::int32_t>(index);
}

/// First local day of the period `index` of `bucket` (the inverse of period_index).
[[nodiscard]] inline std::int64_t first_day(std::int32_t index, time_bucket bucket) {
  using namespace std::chrono;
  switch (bucket) {
    case time_bucket::day: return index;
    case time_bucket::iso_week: return std::int64_t{index} * 7 - 3;
    case time_bucket::year: return detail::day_of(year{1970 + index} / January / 1);
    case time_bucket::month:
    case time_bucket::quarter: break;
  }
  const std::int64_t months = bucket == time_bucket::quarter ? std::int64_t{index} * 3 : index;
  const std::int64_t y = 1970 + detail::floor_div(months, 12);
  const auto m = static_cast<unsigned>(months - (y - 1970) * 12 + 1);
  return detail::day_of(year{static_cast<int>(y)} / month{m} / 1);
}

/// The period of `bucket` holding `t` at `utc_offset`. Throws invalid_value
/// (naming `where`) for a time outside [earliest_timestamp,
/// latest_timestamp] and invalid_argument for an offset beyond ±18 hours.
[[nodiscard]] inline period period_of(timestamp t, time_bucket bucket, std::chrono::seconds utc_offset = {},
                                      const location& where = {}) {
  check_utc_offset(utc_offset);
  if (!timestamp_in_range(t)) {
    throw invalid_value("time " + std::to_string(t.time_since_epoch().count()) +
                            " (Unix seconds) lies outside 1900-01-01T00:00:00Z .. 2200-12-31T23:59:59Z",
                        where);
  }
  return period{bucket, period_index(local_day(t, utc_offset), bucket)};
}

/// The first second (UTC) of `p` at `utc_offset`. Throws invalid_argument for
/// a period without a time.
[[nodiscard]] inline timestamp period_start(const period& p, std::chrono::seconds utc_offset = {}) {
  if (!p.has_time()) throw invalid_argument("the period of responses without a time has no start");
  return timestamp{std::chrono::seconds{first_day(p.index, p.bucket) * 86400 - utc_offset.count()}};
}

/// The label of `p` (see the header comment).
[[nodiscard]] inline std::string to_string(const period& p) {
  if (!p.has_time()) return "(none)";
  const auto two = [](unsigned v) { return std::string(v < 10 ? "0" : "") + std::to_string(v); };
  const auto ymd = detail::civil(first_day(p.index, p.bucket));
  const std::string year = std::to_string(static_cast<int>(ymd.year()));
  switch (p.bucket) {
    case time_bucket::day:
      return year + "-" + two(static_cast<unsigned>(ymd.month())) + "-" + two(static_cast<unsigned>(ymd.day()));
    case time_bucket::iso_week: {
      // The ISO week-year is the year of the week's Thursday; week 1 holds its 4 January.
      const auto thursday = detail::civil(first_day(p.index, p.bucket) + 3);
      const std::int64_t jan1 = detail::day_of(thursday.year() / std::chrono::January / 1);
      const auto week = static_cast<unsigned>((first_day(p.index, p.bucket) + 3 - jan1) / 7 + 1);
      return std::to_string(static_cast<int>(thursday.year())) + "-W" + two(week);
    }
    case time_bucket::month: return year + "-" + two(static_cast<unsigned>(ymd.month()));
    case time_bucket::quarter: return year + "-Q" + std::to_string((static_cast<unsigned>(ymd.month()) - 1) / 3 + 1);
    case time_bucket::year: return year;
  }
  return year;
}

}  // namespace cxm

/// Hash of a period, so that it can key a group_by.
template <>
struct std::hash<cxm::period> {
  std::size_t operator()(const cxm::period& p) const noexcept {
    return std::hash<std::int64_t>{}((std::int64_t{p.index} << 8) | static_cast<std::int64_t>(p.bucket));
  }
};
