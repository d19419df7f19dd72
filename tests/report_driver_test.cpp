// The key-driver section of the report: the importance × performance chart,
// the section built from a table, and the section in the HTML and Markdown
// writers.
//
// References: quadrants by the rule of drivers::quadrants (medians, at or
// above high) worked by hand for the points below, and checked against
// drivers::quadrants itself for a further set; the section's measures worked
// by hand for two uncorrelated drivers (see `drivers_csv`).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/drivers/key_drivers.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/report/driver_charts.hpp"
#include "cxmetrics/report/driver_section.hpp"
#include "cxmetrics/report/html.hpp"
#include "cxmetrics/report/model.hpp"

namespace {

using namespace cxm;
using namespace cxm::report;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::size_t count(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string_view::npos; pos = text.find(what, pos + what.size())) ++n;
  return n;
}

// The class of the point mark whose tooltip starts with `label` + ":".
std::string point_class(const std::string& svg, const std::string& label) {
  const std::regex re("<circle class=\"mark point ([a-z_]+)\"[^>]*><title>" + label + ":");
  std::smatch m;
  return std::regex_search(svg, m, re) ? m[1].str() : std::string();
}

driver_point point(const std::string& label, double perf, double imp) {
  driver_point p;
  p.label = label;
  p.performance = perf;
  p.performance_lower = perf - 5;
  p.performance_upper = perf + 5;
  p.importance = imp;
  p.importance_lower = imp - 0.02;
  p.importance_upper = imp + 0.02;
  p.n = 100;
  return p;
}

// One point per quadrant: importance median (0.1 + 0.3)/2 = 0.2, performance
// median (20 + 80)/2 = 50.
importance_performance_chart four_quadrants() {
  importance_performance_chart c;
  c.id = "d";
  c.title = "Drivers";
  c.points = {point("alpha", 20, 0.3), point("beta", 80, 0.3), point("gamma", 80, 0.1), point("delta", 20, 0.1)};
  return c;
}

TEST(ImportancePerformance, OnePointPerQuadrantSplitAtTheMedians) {
  const std::string svg = render_importance_performance(four_quadrants());
  EXPECT_EQ(count(svg, "class=\"mark point "), 4u);
  EXPECT_EQ(point_class(svg, "alpha"), "fix_first");
  EXPECT_EQ(point_class(svg, "beta"), "keep_up");
  EXPECT_EQ(point_class(svg, "gamma"), "possible_overkill");
  EXPECT_EQ(point_class(svg, "delta"), "low_priority");
  EXPECT_EQ(count(svg, "class=\"mark whisker performance\""), 4u);
  EXPECT_EQ(count(svg, "class=\"mark whisker importance\""), 4u);
  EXPECT_EQ(count(svg, "class=\"quadrant-name\""), 4u);
  for (const char* name : {">fix first<", ">keep up<", ">possible overkill<", ">low priority<"}) {
    EXPECT_EQ(count(svg, name), 2u) << name;  // the corner and the legend
  }
  EXPECT_EQ(count(svg, "class=\"label point-label\""), 4u);
  EXPECT_NE(svg.find("<title>performance split: top box 50.00%</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>importance split: LMG 0.2000</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>alpha: LMG 0.300, 95% interval [0.280, 0.320]; top box 20.0%, 95% interval [15.0, "
                     "25.0]; fix first; n = 100</title>"),
            std::string::npos);
  EXPECT_EQ(svg.find("NaN"), std::string::npos);
}

TEST(ImportancePerformance, QuadrantsAreThoseOfTheLibrary) {
  // Seven drivers, ties at the medians included (at or above is high).
  const std::vector<double> imp{0.05, 0.2, 0.11, 0.2, 0.01, 0.3, 0.11};
  const std::vector<double> perf{0.4, 0.7, 0.55, 0.2, 0.55, 0.9, 0.1};
  const auto want = drivers::quadrants(imp, perf);
  importance_performance_chart c;
  for (std::size_t j = 0; j < imp.size(); ++j) {
    driver_point p;
    p.label = "d" + std::to_string(j);
    p.importance = imp[j];
    p.performance = 100 * perf[j];
    c.points.push_back(p);
  }
  const std::string svg = render_importance_performance(c);
  for (std::size_t j = 0; j < imp.size(); ++j) {
    EXPECT_EQ(point_class(svg, "d" + std::to_string(j)), drivers::to_string(want[j])) << j;
  }
  // Without intervals, no whiskers.
  EXPECT_EQ(count(svg, "mark whisker"), 0u);
}

TEST(ImportancePerformance, GivenSplitsAndMissingValues) {
  auto c = four_quadrants();
  c.importance_split = 0.35;  // every point below: low importance
  c.performance_split = 10;   // every point above: high performance
  c.points.push_back(point("no importance", 50, nan));
  c.points[0].importance_lower = nan;  // alpha without an importance interval
  const std::string svg = render_importance_performance(c);
  EXPECT_EQ(count(svg, "class=\"mark point possible_overkill\""), 4u);
  EXPECT_EQ(count(svg, "class=\"mark point "), 4u);  // the point without importance is not drawn
  EXPECT_EQ(count(svg, "class=\"mark whisker importance\""), 3u);
  EXPECT_EQ(svg.find("no importance"), std::string::npos);
}

TEST(ImportancePerformance, LabelsEscapedAndShortenedTooltipsWhole) {
  auto c = four_quadrants();
  c.points[0].label = "<fast & friendly> response from the account team";
  const std::string svg = render_importance_performance(c);
  // 24 code points: 23 of the name and "…".
  EXPECT_NE(svg.find(">&lt;fast &amp; friendly&gt; respo\xE2\x80\xA6</text>"), std::string::npos);
  EXPECT_NE(svg.find("<title>&lt;fast &amp; friendly&gt; response from the account team: LMG"), std::string::npos);
}

TEST(ImportancePerformance, SameInputSameBytesAndNoData) {
  EXPECT_EQ(render_importance_performance(four_quadrants()), render_importance_performance(four_quadrants()));
  importance_performance_chart empty;
  empty.title = "Nothing";
  const std::string svg = render_importance_performance(empty);
  EXPECT_NE(svg.find(">no data</text>"), std::string::npos);
  EXPECT_EQ(count(svg, "class=\"mark"), 0u);
}

TEST(ImportancePerformance, RejectsBadDecimalsLevelsAndSplits) {
  auto c = four_quadrants();
  c.importance_decimals = 11;
  EXPECT_THROW((void)render_importance_performance(c), cxm::invalid_argument);
  c = four_quadrants();
  c.level = 1.0;
  EXPECT_THROW((void)render_importance_performance(c), cxm::invalid_argument);
  c = four_quadrants();
  c.performance_split = std::numeric_limits<double>::infinity();
  EXPECT_THROW((void)render_importance_performance(c), cxm::invalid_argument);
  c.points.clear();
  EXPECT_THROW((void)render_importance_performance(c), cxm::invalid_argument);
}

TEST(ImportancePerformance, QuadrantNames) {
  EXPECT_STREQ(quadrant_name(drivers::quadrant::fix_first), "fix first");
  EXPECT_STREQ(quadrant_name(drivers::quadrant::keep_up), "keep up");
  EXPECT_STREQ(quadrant_name(drivers::quadrant::possible_overkill), "possible overkill");
  EXPECT_STREQ(quadrant_name(drivers::quadrant::low_priority), "low priority");
}

// Two uncorrelated drivers on 1–5 (top box 4–5). Centred, q1 and q2 are ±2
// in a balanced design (Σ q1c·q2c = 0) and
//   nps = 5 + q1c + ½·q2c + e,  e = (1, −1, −1, 1, −1, 1, 1, −1),
// with e orthogonal to both and of mean 0. Sums of squares: q1 32, q2 32,
// nps 32 + ¼·32 + 8 = 48; Σ nps·q1c = 32, Σ nps·q2c = 16, so r1² = 32²/(48·32)
// = 2/3 and r2² = 16²/(48·32) = 1/6. Uncorrelated drivers: R² = r1² + r2² = 5/6,
// and LMG = relative weight = Pratt = first R² = last R² = r²; β = r, VIF 1.
// Two more rows: one without q2 and one with q1 alone: rows 10, dropped
// listwise 2, dropped pairwise 1 (fewer than two values), n 8.
// Top box: q1 5 in 4 of the 8 rows, q2 the same: 0.5 each. Quadrants:
// importance median 5/12, so q1 high and q2 low; performance median 0.5, both
// high: q1 keep up, q2 possible overkill.
const char* const drivers_csv =
    "nps,q1,q2\n"
    "3,1,1\n3,1,5\n5,5,1\n9,5,5\n1,1,1\n5,1,5\n7,5,1\n7,5,5\n"
    "6,3,\n,4,\n";

response_table drivers_table(bool numeric_q2 = false) {
  // One file per test: ctest runs the tests of this file in parallel processes.
  const auto path = std::filesystem::temp_directory_path() /
                    ("cxm_report_driver_test_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".csv");
  std::ofstream(path) << drivers_csv;
  ingest_options o;
  schema_builder b;
  b.score("q1", scale::custom(1, 5, 4, 2));
  if (numeric_q2) {
    b.numeric("q2");
  } else {
    b.score("q2", scale::custom(1, 5, 4, 2));
  }
  o.schema = std::move(b).build();
  auto read = read_responses(path, o);
  std::filesystem::remove(path);
  return std::move(read.table);
}

driver_report_options two_drivers() {
  driver_report_options o;
  o.drivers = {"q1", "q2"};
  return o;
}

TEST(DriverSection, BuiltFromTheRowsByHand) {
  const auto s = build_driver_section(drivers_table(), two_drivers());
  const auto& a = s.analysis;
  EXPECT_EQ(s.title, "Key drivers of nps");
  EXPECT_EQ(a.rows, 10u);
  EXPECT_EQ(a.n, 8u);
  EXPECT_EQ(a.dropped_listwise, 2u);
  EXPECT_EQ(a.dropped_pairwise, 1u);
  EXPECT_NEAR(a.r2, 5.0 / 6.0, 1e-12);
  ASSERT_EQ(a.drivers.size(), 2u);
  for (std::size_t j = 0; j < 2; ++j) {
    const double r2 = j == 0 ? 2.0 / 3.0 : 1.0 / 6.0;
    EXPECT_NEAR(a.drivers[j].lmg, r2, 1e-12);
    EXPECT_NEAR(a.drivers[j].relweight, r2, 1e-12);
    EXPECT_NEAR(a.drivers[j].pratt, r2, 1e-12);
    EXPECT_NEAR(a.drivers[j].last_r2, r2, 1e-12);
    EXPECT_NEAR(a.drivers[j].beta_std, std::sqrt(r2), 1e-12);
    ASSERT_TRUE(s.performance[j].top_box.has_value());
    EXPECT_DOUBLE_EQ(s.performance[j].top_box->value(), 0.5);
    EXPECT_EQ(s.performance[j].top_box->n(), 8u);
    EXPECT_EQ(s.performance[j].scale, "1-5");
    EXPECT_DOUBLE_EQ(s.performance[j].mean.value(), 3.0);
  }
  EXPECT_EQ(s.performance[0].quadrant, drivers::quadrant::keep_up);
  EXPECT_EQ(s.performance[1].quadrant, drivers::quadrant::possible_overkill);
  EXPECT_FALSE(s.boot.has_value());

  const auto chart = driver_chart(s, 0.95);
  ASSERT_EQ(chart.points.size(), 2u);
  EXPECT_DOUBLE_EQ(chart.points[0].performance, 50.0);  // percent
  EXPECT_NEAR(chart.points[0].importance, 2.0 / 3.0, 1e-12);
  EXPECT_TRUE(std::isnan(chart.points[0].importance_lower));  // no bootstrap
  EXPECT_TRUE(std::isfinite(chart.points[0].performance_lower));
}

TEST(DriverSection, BootstrapIntervalsRepeatWithTheSeed) {
  auto o = two_drivers();
  o.bootstrap = 50;
  o.seed = 3;
  const auto s = build_driver_section(drivers_table(), o);
  ASSERT_TRUE(s.boot.has_value());
  EXPECT_EQ(s.boot->replicates, 50u);
  const std::string svg = render_importance_performance(driver_chart(s, 0.95));
  EXPECT_EQ(count(svg, "class=\"mark whisker importance\""), 2u);
  EXPECT_EQ(svg, render_importance_performance(driver_chart(build_driver_section(drivers_table(), o), 0.95)));
}

TEST(DriverSection, ANumericDriverHasNoQuadrantsNorChart) {
  const auto s = build_driver_section(drivers_table(true), two_drivers());
  EXPECT_FALSE(s.performance[1].top_box.has_value());
  EXPECT_EQ(s.performance[1].scale, "numeric");
  EXPECT_FALSE(s.performance[0].quadrant.has_value());
  EXPECT_TRUE(driver_chart(s, 0.95).points.empty());
}

TEST(DriverSection, RejectsBadOptionsAndData) {
  const auto t = drivers_table();
  auto o = two_drivers();
  o.drivers.clear();
  EXPECT_THROW((void)build_driver_section(t, o), cxm::invalid_argument);
  o = two_drivers();
  o.bootstrap = 1;
  EXPECT_THROW((void)build_driver_section(t, o), cxm::invalid_argument);
  o = two_drivers();
  o.drivers = {"q1", "nosuch"};
  EXPECT_THROW((void)build_driver_section(t, o), cxm::invalid_argument);
  o = two_drivers();
  o.outcome = "csat";  // predefined, but no answer in the table: a field that does not vary
  EXPECT_THROW((void)build_driver_section(t, o), cxm::error);
  EXPECT_THROW((void)build_driver_section(t, two_drivers(), 1.5), cxm::invalid_argument);
}

TEST(DriverSection, InTheReportOnlyWhenAsked) {
  model_options o;
  const auto t = drivers_table();
  EXPECT_FALSE(build_report_model(t, o).drivers.has_value());
  o.drivers = two_drivers();
  o.drivers->bootstrap = 20;
  const auto m = build_report_model(t, o);
  ASSERT_TRUE(m.drivers.has_value());
  const std::string html = render_html(m);
  EXPECT_NE(html.find("<a href=\"#drivers\">Key drivers of nps</a>"), std::string::npos);
  EXPECT_NE(html.find("<section id=\"drivers\">"), std::string::npos);
  EXPECT_EQ(count(html, "data-chart=\"drivers-importance-performance\""), 1u);
  EXPECT_NE(html.find("<td>q1</td><td class=\"num\">0.667 ["), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"total\"><td>sum (R\xC2\xB2 0.833 ["), std::string::npos);
  const std::string md = render_markdown(m);
  EXPECT_NE(md.find("## Key drivers of nps"), std::string::npos);
  EXPECT_NE(md.find("| nps | 0.833 ["), std::string::npos);
  EXPECT_NE(md.find("| q2 | 1-5 | 8 | 3.00 ["), std::string::npos);
  EXPECT_NE(md.find("possible overkill |"), std::string::npos);
}

}  // namespace
