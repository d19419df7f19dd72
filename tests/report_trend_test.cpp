// The report's trend chart (report/trend_charts.hpp) and section
// (report/trend_section.hpp): marks per input, the checks of the chart's
// input, and the section's rules (period by span, the trend, the run a
// forecast is fitted on) on tables whose numbers are worked out by hand.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/period.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/report/trend_charts.hpp"
#include "cxmetrics/report/trend_section.hpp"

namespace {

using cxm::report::fan_step;
using cxm::report::trend_fan_chart;

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

trend_fan_chart five_points() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  trend_fan_chart c;
  c.id = "t";
  c.title = "NPS";
  c.thin_below = 10;
  const double v[] = {1, 2, nan, 4, 5};
  const std::uint64_t n[] = {20, 5, 0, 20, 20};
  for (int i = 0; i < 5; ++i) {
    cxm::report::series_point p;
    p.label = "2024-0" + std::to_string(i + 1);
    p.value = v[i];
    if (!std::isnan(v[i])) {
      p.lower = v[i] - 1;
      p.upper = v[i] + 1;
    }
    p.n = n[i];
    c.points.push_back(p);
  }
  c.trend_intercept = 1;
  c.trend_slope = 1;
  c.trend_from = 0;
  c.trend_to = 4;
  c.origin = 4;
  for (int h = 1; h <= 3; ++h) c.forecast.push_back({"2024-0" + std::to_string(5 + h), 5, 4, 6, 3, 7});
  return c;
}

TEST(TrendFan, MarksOfEachPart) {
  const auto svg = cxm::report::render_trend_fan(five_points());
  // Values 1, 2, -, 4, 5: two runs, so two bands and two lines; four points,
  // one of them thin (n 5 < 10); one trend; both fans, the mean line and a
  // dot per step.
  EXPECT_EQ(count(svg, "class=\"mark band\""), 2u);
  EXPECT_EQ(count(svg, "class=\"mark line\""), 2u);
  EXPECT_EQ(count(svg, "class=\"mark point\""), 3u);
  EXPECT_EQ(count(svg, "class=\"mark point thin\""), 1u);
  EXPECT_EQ(count(svg, "class=\"mark trend\""), 1u);
  EXPECT_EQ(count(svg, "class=\"mark fan fan95\""), 1u);
  EXPECT_EQ(count(svg, "class=\"mark fan fan80\""), 1u);
  EXPECT_EQ(count(svg, "class=\"mark forecast\""), 1u);
  EXPECT_EQ(count(svg, "class=\"mark step\""), 3u);
  // The trend's ends: 1 + 1·0 and 1 + 1·4; a step's tooltip.
  EXPECT_NE(svg.find("trend, 2024-01 1.00 to 2024-05 5.00"), std::string::npos);
  EXPECT_NE(svg.find("2024-08: forecast 5.00, 80% prediction interval [4.00, 6.00], 95% [3.00, 7.00] (step 3)"),
            std::string::npos);
  // The forecast months beyond the history are labelled on the axis.
  EXPECT_NE(svg.find(">2024-08</text>"), std::string::npos);
  EXPECT_EQ(svg, cxm::report::render_trend_fan(five_points()));  // pure
  // Without trend and forecast: the history only.
  auto bare = five_points();
  bare.trend_slope = std::numeric_limits<double>::quiet_NaN();
  bare.forecast.clear();
  const auto b = cxm::report::render_trend_fan(bare);
  EXPECT_EQ(count(b, "mark trend"), 0u);
  EXPECT_EQ(count(b, "mark fan"), 0u);
  EXPECT_EQ(count(b, "mark step"), 0u);
  trend_fan_chart none;
  EXPECT_NE(cxm::report::render_trend_fan(none).find("no data"), std::string::npos);
}

TEST(TrendFan, BadInputIsRefused) {
  auto c = five_points();
  c.forecast[1].lo80 = 5.5;  // above the mean
  EXPECT_THROW((void)cxm::report::render_trend_fan(c), cxm::invalid_argument);
  c = five_points();
  c.origin = 2;  // no value there
  EXPECT_THROW((void)cxm::report::render_trend_fan(c), cxm::invalid_argument);
  c = five_points();
  c.trend_to = 9;  // 5 history + 3 steps = 8 slots
  EXPECT_THROW((void)cxm::report::render_trend_fan(c), cxm::invalid_argument);
  c = five_points();
  c.decimals = 11;
  EXPECT_THROW((void)cxm::report::render_trend_fan(c), cxm::invalid_argument);
}

/// `answers` a month from 2024-01 on: k promoters (10) and answers − k
/// passives (8), so the month's NPS is 100·k/answers (k = ks[month]); a
/// month of 5 answers where `short_month` says so.
cxm::response_table months(std::initializer_list<int> ks, int answers = 10, int short_month = -1) {
  cxm::response_table t;
  int m = 0;
  for (const int k : ks) {
    const cxm::period p{cxm::time_bucket::month, 648 + m};  // 2024-01 + m
    for (int i = 0; i < (m == short_month ? 5 : answers); ++i) {
      cxm::response r;
      r.nps = i < k ? 10 : 8;
      r.time = cxm::period_start(p) + std::chrono::hours{12 + i};
      t.append(r);
    }
    ++m;
  }
  return t;
}

TEST(TrendSection, LinearMonthsGiveTheirSlopeAndAForecastAfterThem) {
  // NPS 10, 20, ..., 80 in eight months: every point on the line 10 + 10·i,
  // so WLS has slope 10 whatever the weights.
  const auto s = cxm::report::build_trend_section(months({1, 2, 3, 4, 5, 6, 7, 8}), {}, 0.95, false, {}, 1);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->period, "month");
  ASSERT_EQ(s->points.size(), 8u);
  EXPECT_NEAR(s->slope.value(), 10.0, 1e-9);
  EXPECT_NEAR(s->intercept, 10.0, 1e-9);
  EXPECT_EQ(s->trend_from, 0u);
  EXPECT_EQ(s->trend_to, 7u);
  EXPECT_EQ(s->fitted_points, 8u);
  ASSERT_EQ(s->forecast.size(), 6u);
  EXPECT_EQ(s->forecast.front().label, "2024-09");
  EXPECT_EQ(s->forecast.back().label, "2025-02");
  for (const auto& f : s->forecast) {
    EXPECT_TRUE(-100 < f.lo95 && f.lo95 <= f.lo80 && f.lo80 <= f.mean && f.mean <= f.hi80 && f.hi80 <= f.hi95 &&
                f.hi95 < 100);
  }
}

TEST(TrendSection, ThinMonthsAtTheEndMoveTheForecastsStart) {
  // Ten months; the last two have 5 answers (thin below 8): the run is the
  // first eight, step 1 is the ninth month (2024-09).
  auto t = months({1, 2, 3, 4, 5, 6, 7, 8});
  const auto tail = months({1, 1, 1, 1, 1, 1, 1, 1, 2, 3}, 5);  // months 9 and 10 only are used below
  for (std::size_t i = 0; i < tail.size(); ++i) {
    const auto r = tail.row(i);
    if (*r.time >= cxm::period_start(cxm::period{cxm::time_bucket::month, 656})) t.append(r);
  }
  const auto s = cxm::report::build_trend_section(t, {}, 0.95, false, {}, 8);
  ASSERT_TRUE(s.has_value());
  ASSERT_EQ(s->points.size(), 10u);
  EXPECT_TRUE(s->points[8].thin && s->points[9].thin);
  EXPECT_EQ(s->fitted_points, 8u);
  EXPECT_EQ(s->forecast_origin, 7u);
  ASSERT_FALSE(s->forecast.empty());
  EXPECT_EQ(s->forecast.front().label, "2024-09");
  EXPECT_NE(s->forecast_note.find("forecast starts after 2024-08"), std::string::npos) << s->forecast_note;
}

TEST(TrendSection, ShortSpansAndShortRuns) {
  std::string why;
  // Three weeks of data: no period gives 8.
  cxm::response_table t;
  for (int d = 0; d < 21; ++d) {
    cxm::response r;
    r.nps = 9;
    r.time = cxm::period_start(cxm::period{cxm::time_bucket::day, 19723 + d});  // from 2024-01-01
    t.append(r);
  }
  EXPECT_FALSE(cxm::report::build_trend_section(t, {}, 0.95, false, {}, 1, &why).has_value());
  EXPECT_NE(why.find("No trend section"), std::string::npos) << why;
  // Eight months with a thin one in the middle: the last run has 4 months,
  // fewer than 6: no forecast, the rest stays.
  auto broken = months({1, 2, 3, 4, 5, 6, 7, 8});
  cxm::report::trend_options o;
  o.min_forecast_points = 6;
  const auto s = cxm::report::build_trend_section(broken, o, 0.95, false, {}, 1);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->forecast.size(), 6u);  // all ok
  const auto s2 = cxm::report::build_trend_section(months({1, 2, 3, 2, 5, 6, 7, 8}, 10, 3), o, 0.95, false, {}, 8);
  // Month 4 has 5 answers, below 8: thin.
  ASSERT_TRUE(s2.has_value());
  EXPECT_TRUE(s2->points[3].thin);
  EXPECT_EQ(s2->fitted_points, 4u);
  EXPECT_TRUE(s2->forecast.empty());
  EXPECT_NE(s2->forecast_note.find("only 4 ok months in a row (2024-05 to 2024-08)"), std::string::npos)
      << s2->forecast_note;
  EXPECT_EQ(s2->trend_points, 7u);
}

}  // namespace
