// Calendar periods (core/period.hpp): labels and indices against dates worked
// by hand and against a second method (ISO weeks from the ordinal date and
// weekday, as ISO 8601 defines them), offsets at local midnight, and the
// range rules.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_set>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/period.hpp"
#include "cxmetrics/core/timestamp.hpp"

namespace {

using namespace cxm;
using std::chrono::seconds;

timestamp at(std::int64_t unix_seconds) { return timestamp{seconds{unix_seconds}}; }

std::string label(std::int64_t unix_seconds, time_bucket b, seconds offset = seconds{0}) {
  return to_string(period_of(at(unix_seconds), b, offset));
}

TEST(Period, LabelsOfOneTimeInEveryBucket) {
  // 2024-03-05T14:07:09Z (Unix 1709647629, `date -u -d @1709647629`), a Tuesday.
  const std::int64_t t = 1709647629;
  EXPECT_EQ(label(t, time_bucket::day), "2024-03-05");
  EXPECT_EQ(label(t, time_bucket::iso_week), "2024-W10");
  EXPECT_EQ(label(t, time_bucket::month), "2024-03");
  EXPECT_EQ(label(t, time_bucket::quarter), "2024-Q1");
  EXPECT_EQ(label(t, time_bucket::year), "2024");
  // Indices: day 19787 (1709647629 / 86400 = 19787.6), month (2024 - 1970) · 12 + 2 = 650,
  // quarter 650 / 3 = 216, year 54, week (19787 + 3) / 7 = 2827.
  EXPECT_EQ(period_of(at(t), time_bucket::day).index, 19787);
  EXPECT_EQ(period_of(at(t), time_bucket::month).index, 650);
  EXPECT_EQ(period_of(at(t), time_bucket::quarter).index, 216);
  EXPECT_EQ(period_of(at(t), time_bucket::year).index, 54);
  EXPECT_EQ(period_of(at(t), time_bucket::iso_week).index, 2827);
}

TEST(Period, IsoWeeksAtYearEnds) {
  // Python: date(y, m, d).isocalendar() gives the ISO year and week.
  // 2021-01-03 (Sunday) is (2020, 53); 2024-12-30 (Monday) is (2025, 1);
  // 2008-12-29 is (2009, 1); 2010-01-03 is (2009, 53); 1970-01-01 is (1970, 1).
  EXPECT_EQ(label(1609632000, time_bucket::iso_week), "2020-W53");
  EXPECT_EQ(label(1735516800, time_bucket::iso_week), "2025-W01");
  EXPECT_EQ(label(1230508800, time_bucket::iso_week), "2009-W01");
  EXPECT_EQ(label(1262476800, time_bucket::iso_week), "2009-W53");
  EXPECT_EQ(label(0, time_bucket::iso_week), "1970-W01");
}

// ISO week by the definition: week = (ordinal − weekday + 10) / 7 with
// Monday = 1; week 0 belongs to the last week of the year before, and 53 in a
// year with 52 weeks to week 1 of the next.
std::string iso_week_by_ordinal(std::int64_t day) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{days{day}}};
  const auto ordinal = (sys_days{ymd} - sys_days{ymd.year() / January / 1}).count() + 1;
  const unsigned wday = weekday{sys_days{days{day}}}.iso_encoding();
  const auto weeks_in = [](year y) {
    // A year has 53 weeks when 1 January is a Thursday, or a Wednesday in a leap year.
    const unsigned jan1 = weekday{sys_days{y / January / 1}}.iso_encoding();
    return jan1 == 4 || (jan1 == 3 && y.is_leap()) ? 53 : 52;
  };
  int y = static_cast<int>(ymd.year());
  auto week = static_cast<int>((ordinal - wday + 10) / 7);
  if (week < 1) {
    --y;
    week = weeks_in(year{y});
  } else if (week > weeks_in(ymd.year())) {
    ++y;
    week = 1;
  }
  return std::to_string(y) + "-W" + (week < 10 ? "0" : "") + std::to_string(week);
}

TEST(Period, IsoWeeksAgreeWithTheOrdinalDefinitionOverThreeCenturies) {
  const std::int64_t first = local_day(earliest_timestamp, seconds{0});
  const std::int64_t last = local_day(latest_timestamp, seconds{0});
  for (std::int64_t d = first; d <= last; ++d) {
    ASSERT_EQ(to_string(period{time_bucket::iso_week, period_index(d, time_bucket::iso_week)}), iso_week_by_ordinal(d))
        << "day " << d;
  }
}

TEST(Period, PeriodsAreRunsOfDaysThatStartWhereFirstDaySays) {
  // Every bucket: consecutive days map to non-decreasing indices that step by
  // one, a period starts at first_day of its index, and labels are distinct.
  for (const auto b : {time_bucket::day, time_bucket::iso_week, time_bucket::month, time_bucket::quarter,
                       time_bucket::year}) {
    std::unordered_set<std::string> labels;
    std::int32_t prev = period_index(-25568, b);  // 1899-12-31
    for (std::int64_t d = -25567; d < 84000; ++d) {
      const std::int32_t p = period_index(d, b);
      ASSERT_TRUE(p == prev || p == prev + 1) << to_string(b) << " day " << d;
      if (p != prev) {
        ASSERT_EQ(first_day(p, b), d) << to_string(b) << " day " << d;
        ASSERT_TRUE(labels.insert(to_string(period{b, p})).second) << to_string(period{b, p});
      }
      prev = p;
    }
  }
}

TEST(Period, OffsetsMoveTimesAcrossLocalMidnight) {
  // 2024-02-29T22:30:00Z (Unix 1709245800): at +02:00 it is 00:30 on 1 March,
  // at -05:00 17:30 on 29 February; 2024-02-29T23:59:59Z at +00:00 is still February.
  EXPECT_EQ(label(1709245800, time_bucket::month, std::chrono::hours{2}), "2024-03");
  EXPECT_EQ(label(1709245800, time_bucket::month, std::chrono::hours{-5}), "2024-02");
  EXPECT_EQ(label(1709251199, time_bucket::day), "2024-02-29");
  EXPECT_EQ(label(1709251200, time_bucket::day), "2024-03-01");
  // One second before the epoch is day -1 (floor, not truncation).
  EXPECT_EQ(period_of(at(-1), time_bucket::day).index, -1);
  EXPECT_EQ(label(-1, time_bucket::year), "1969");
  // period_start: 1 March 2024 at +02:00 starts 2024-02-29T22:00:00Z.
  const auto march = period_of(at(1709245800), time_bucket::month, std::chrono::hours{2});
  EXPECT_EQ(period_start(march, std::chrono::hours{2}), at(1709244000));
}

TEST(Period, MissingTimesAndRanges) {
  EXPECT_EQ(to_string(period{time_bucket::month, period::no_time}), "(none)");
  EXPECT_LT((period{time_bucket::month, period::no_time}), (period{time_bucket::month, -840}));  // before 1900-01
  EXPECT_EQ(label(earliest_timestamp.time_since_epoch().count(), time_bucket::year), "1900");
  EXPECT_EQ(label(latest_timestamp.time_since_epoch().count(), time_bucket::day), "2200-12-31");
  EXPECT_THROW((void)period_of(earliest_timestamp - seconds{1}, time_bucket::day), invalid_value);
  EXPECT_THROW((void)period_of(at(0), time_bucket::day, std::chrono::hours{19}), invalid_argument);
  EXPECT_THROW((void)period_start(period{}), invalid_argument);
  EXPECT_EQ(time_bucket_from_name("week"), time_bucket::iso_week);
  EXPECT_EQ(time_bucket_from_name("quarter"), time_bucket::quarter);
  EXPECT_FALSE(time_bucket_from_name("fortnight"));
}

}  // namespace
