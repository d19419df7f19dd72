// The journey section of the report: its charts (heat grid, ratio bars,
// model errors), the section in the HTML and Markdown writers, and the
// section built from a table of journey events.
//
// References: palette colours and chart geometry computed by hand from the
// rules in report/journey_charts.hpp (worked in the comments); journey
// numbers worked by hand from the events (peak-end rule: journey/peak_end.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/journey/journeys.hpp"
#include "cxmetrics/report/html.hpp"
#include "cxmetrics/report/journey_charts.hpp"
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

// The <title> text of the first mark whose opening tag contains `key`.
std::string tooltip_of(const std::string& svg, std::string_view key) {
  const auto at = svg.find(key);
  if (at == std::string::npos) return {};
  const auto open = svg.find("<title>", at);
  const auto close = svg.find("</title>", open);
  return svg.substr(open + 7, close - open - 7);
}

// The value of attribute `name` in the first element whose text contains `key`.
std::string attr_of(const std::string& svg, std::string_view key, const std::string& name) {
  const auto at = svg.find(key);
  if (at == std::string::npos) return {};
  const auto end = svg.find('>', at);
  const auto start = svg.rfind('<', at);
  const std::string tag = svg.substr(start, end - start);
  const std::regex re(" " + name + "=\"([^\"]*)\"");
  std::smatch m;
  return std::regex_search(tag, m, re) ? m[1].str() : std::string();
}

// ---------------------------------------------------------------------------
// Palette

TEST(HeatColour, EightClassesAroundTheMidpointNoneWhite) {
  // Vermillion #D55E00 = (213, 94, 0), blue #0072B2 = (0, 114, 178), mixed
  // with white at f = ¼, ½, ¾, 1: channel = round(255 + f·(c − 255)).
  EXPECT_EQ(heat_colour(-1.0, -1, 0, 1), "#D55E00");   // t = 1 → outer class, f = 1
  EXPECT_EQ(heat_colour(1.0, -1, 0, 1), "#0072B2");
  EXPECT_EQ(heat_colour(0.0, -1, 0, 1), "#BFDCEC");    // f = ¼: 191.25, 219.75, 235.75
  EXPECT_EQ(heat_colour(-0.1, -1, 0, 1), "#F5D7BF");   // f = ¼: 244.5 → 245, 214.75, 191.25
  EXPECT_EQ(heat_colour(0.5, -1, 0, 1), "#4095C5");    // t·4 = 2 → f = ¾: 63.75, 149.25, 197.25
  EXPECT_EQ(heat_colour(0.25, -1, 0, 1), "#80B9D9");   // t·4 = 1 → f = ½: 127.5 → 128, 184.5 → 185, 216.5 → 217
  EXPECT_EQ(heat_colour(0.2499, -1, 0, 1), "#BFDCEC");
  // Beyond the ends: the outer classes. Another domain: NPS points.
  EXPECT_EQ(heat_colour(2.0, -1, 0, 1), "#0072B2");
  EXPECT_EQ(heat_colour(-7.0, -1, 0, 1), "#D55E00");
  EXPECT_EQ(heat_colour(-60.0, -100, 0, 100), heat_colour(-0.6, -1, 0, 1));
  EXPECT_EQ(heat_colour(nan, -1, 0, 1), "none");
  for (double v = -1.0; v <= 1.0; v += 0.125) EXPECT_NE(heat_colour(v, -1, 0, 1), "#FFFFFF") << v;
}

// ---------------------------------------------------------------------------
// Heat grid

heat_grid_chart small_grid() {
  heat_grid_chart c;
  c.id = "map";
  c.title = "Journey map";
  c.rows = {"phone", "A&B <web>"};
  c.columns = {"awareness", "purchase", "delivery"};
  c.thin_below = 30;
  c.cells = {
      {0.40, 0.30, 0.50, 120}, {-0.20, -0.30, -0.10, 80}, {0.0, nan, nan, 0},  // delivery: no events
      {-0.25, -0.60, 0.10, 5},                                                  // thin
      {0.95, 0.90, 1.00, 300}, {nan, nan, nan, 40},                            // n > 0 without a value
  };
  return c;
}

TEST(HeatGrid, MarksPerCellEmptyAndThin) {
  const std::string svg = render_heat_grid(small_grid());
  EXPECT_EQ(count(svg, "class=\"mark cell\""), 3u);       // n >= 30 with a value
  EXPECT_EQ(count(svg, "class=\"mark cell thin\""), 1u);  // n = 5
  EXPECT_EQ(count(svg, "class=\"mark empty\""), 2u);      // n = 0, and n = 40 without a value
  EXPECT_EQ(count(svg, "class=\"mark "), 6u);             // every cell once
  EXPECT_EQ(count(svg, "<path class=\"hatch\""), 2u);     // the thin cell and its legend swatch
  // Colours by class: 0.40 → f = ½ blue, −0.20 → f = ¼ vermillion, 0.95 → blue.
  EXPECT_EQ(attr_of(svg, "cell\" x=", "fill"), "#80B9D9");
  EXPECT_EQ(count(svg, "fill=\"#F5D7BF\"><title>phone"), 1u);
  EXPECT_EQ(count(svg, "fill=\"#0072B2\"><title>"), 1u);
  // The empty cells are white with a dashed outline, never a palette colour.
  EXPECT_EQ(attr_of(svg, "class=\"mark empty\"", "fill"), "#ffffff");
  EXPECT_EQ(attr_of(svg, "class=\"mark empty\"", "stroke-dasharray"), "3 2");
  EXPECT_EQ(tooltip_of(svg, "class=\"mark empty\""), "phone \xC3\x97 delivery: no events");
  EXPECT_EQ(count(svg, ">none</text>"), 1u);
  EXPECT_EQ(count(svg, ">no value</text>"), 1u);
  // Tooltips: one decimal more than the cells, n, the thin mark; labels escaped.
  EXPECT_EQ(tooltip_of(svg, "class=\"mark cell thin\""),
            "A&amp;B &lt;web&gt; \xC3\x97 awareness: mean experience -0.250, 95% interval [-0.600, 0.100], n = 5 "
            "(thin: fewer than 30 events)");
  EXPECT_EQ(tooltip_of(svg, "class=\"mark cell\""),
            "phone \xC3\x97 awareness: mean experience 0.400, 95% interval [0.300, 0.500], n = 120");
  EXPECT_NE(svg.find(">A&amp;B &lt;web&gt;</text>"), std::string::npos);
  EXPECT_EQ(svg.find("A&B"), std::string::npos);
}

TEST(HeatGrid, HatchLinesStayInsideTheirCell) {
  const std::string svg = render_heat_grid(small_grid());
  const auto at = svg.find("class=\"mark cell thin\"");
  ASSERT_NE(at, std::string::npos);
  const double x = std::stod(attr_of(svg, "class=\"mark cell thin\"", "x"));
  const double y = std::stod(attr_of(svg, "class=\"mark cell thin\"", "y"));
  const double w = std::stod(attr_of(svg, "class=\"mark cell thin\"", "width"));
  const double h = std::stod(attr_of(svg, "class=\"mark cell thin\"", "height"));
  const auto hatch = svg.find("<path class=\"hatch\"", at);
  const std::string d = attr_of(svg.substr(hatch), "class=\"hatch\"", "d");
  const std::regex point("[ML](-?[0-9.]+),(-?[0-9.]+)");
  std::size_t points = 0;
  for (auto it = std::sregex_iterator(d.begin(), d.end(), point); it != std::sregex_iterator(); ++it) {
    const double px = std::stod((*it)[1].str());
    const double py = std::stod((*it)[2].str());
    EXPECT_GE(px, x - 0.01);
    EXPECT_LE(px, x + w + 0.01);
    EXPECT_GE(py, y - 0.01);
    EXPECT_LE(py, y + h + 0.01);
    ++points;
  }
  // Lines every 6 px along x + y < w + h: floor((w + h − ε) / 6) lines, 2 points each.
  EXPECT_EQ(points, 2 * static_cast<std::size_t>(std::ceil((w + h) / 6.0) - 1));
}

TEST(HeatGrid, RejectsBadShapesAndPalettes) {
  auto c = small_grid();
  c.cells.pop_back();
  EXPECT_THROW((void)render_heat_grid(c), invalid_argument);
  c = small_grid();
  c.midpoint = 1.0;
  EXPECT_THROW((void)render_heat_grid(c), invalid_argument);
  c = small_grid();
  c.decimals = 11;
  EXPECT_THROW((void)render_heat_grid(c), invalid_argument);
  c = small_grid();
  c.rows.clear();
  c.cells.clear();
  EXPECT_NE(render_heat_grid(c).find(">no data</text>"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Ratio bars (log₂ axis)

ratio_chart small_ratios() {
  ratio_chart c;
  c.id = "lift";
  c.title = "Touchpoint lift";
  c.rows = {{"installer", {{2.0, 1.2, 3.5, 40, "12 of 30 detractors"}, {0.5, 0.25, 1.0, 10, ""}}},
            {"web", {{0.0, 0.01, 0.9, 3, ""}}}};  // never the peak among detractors; no end value
  return c;
}

TEST(RatioBars, BarsFromTheReferenceOnALogAxis) {
  const std::string svg = render_ratio_bars(small_ratios());
  EXPECT_EQ(count(svg, "class=\"mark bar s0\""), 2u);
  EXPECT_EQ(count(svg, "class=\"mark bar s1\""), 1u);
  EXPECT_EQ(count(svg, "class=\"mark whisker"), 3u);
  EXPECT_EQ(count(svg, ">end: no value</text>"), 1u);
  // Axis: values and bounds span 0.01 … 3.5 → powers of two 2^−6 (clamped at
  // 1/64) … 2^2: nine ticks. x0 = 16 + 0.6·12·9 ("installer" = 64.8) + 10 =
  // 90.8, x1 = 760 − 16 − 8 = 736; x(2^k) = 90.8 + (k + 6)/8 · 645.2.
  EXPECT_EQ(count(svg, "class=\"tick\""), 9u);
  EXPECT_NE(svg.find(">1/64</text>"), std::string::npos);
  EXPECT_NE(svg.find(">4</text>"), std::string::npos);
  // Lift 2 from the reference: x(1) = 574.7, x(2) = 655.35, width 80.65.
  EXPECT_EQ(attr_of(svg, "class=\"mark bar s0\"", "x"), "574.7");
  EXPECT_EQ(attr_of(svg, "class=\"mark bar s0\"", "width"), "80.65");
  // Lift ½ to the left: x(½) = 494.05, width 80.65.
  EXPECT_EQ(attr_of(svg, "class=\"mark bar s1\"", "x"), "494.05");
  // Lift 0 is drawn to the left edge (x0), the tooltip keeps 0.
  const auto web = svg.find("<title>web");
  ASSERT_NE(web, std::string::npos);
  EXPECT_EQ(tooltip_of(svg, "class=\"mark bar s0\" x=\"90.8\""),
            "web, negative peak: 0.00, 95% interval [0.01, 0.90], n = 3");
  EXPECT_EQ(tooltip_of(svg, "class=\"mark bar s0\""),
            "installer, negative peak: 2.00, 95% interval [1.20, 3.50], n = 40; 12 of 30 detractors");
  EXPECT_EQ(count(svg, "class=\"ref\""), 1u);
}

TEST(RatioBars, RejectsNegativeRatiosAndTooManySeries) {
  auto c = small_ratios();
  c.rows[0].values[0].lower = -0.1;
  EXPECT_THROW((void)render_ratio_bars(c), invalid_argument);
  c = small_ratios();
  c.series = {"a", "b", "c", "d", "e"};
  EXPECT_THROW((void)render_ratio_bars(c), invalid_argument);
  c = small_ratios();
  c.reference = 0.0;
  EXPECT_THROW((void)render_ratio_bars(c), invalid_argument);
  c = small_ratios();
  for (auto& r : c.rows) r.values.clear();
  EXPECT_NE(render_ratio_bars(c).find(">no data</text>"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Model errors

model_error_chart small_models() {
  model_error_chart c;
  c.id = "models";
  c.title = "Memory models";
  c.n = 300;
  c.rows = {{"mean", 2.5, "RMSE 2.40", false, ""},
            {"end", 2.2, "", false, ""},
            {"peak", nan, "", false, "collinear"},
            {"peak_end", 2.0, "RMSE 1.95, R\xC2\xB2 0.41", true, ""}};
  return c;
}

TEST(ModelErrors, BarsFromZeroAndTheBestStarred) {
  const std::string svg = render_model_errors(small_models());
  EXPECT_EQ(count(svg, "class=\"mark bar"), 3u);
  EXPECT_EQ(count(svg, "class=\"mark bar best\""), 1u);
  EXPECT_EQ(count(svg, "class=\"mark star\""), 1u);
  EXPECT_NE(svg.find(">not fitted: collinear</text>"), std::string::npos);
  // Ticks over 0 … 2.5 (Heckbert): range 5, step 1, axis 0 … 3. x0 = 16 +
  // 0.6·12·8 ("peak_end" = 57.6) + 10 = 83.6, x1 = 760 − 16 − 110 = 634:
  // 2.0 → width 2/3 · 550.4 = 366.93.
  EXPECT_EQ(attr_of(svg, "class=\"mark bar best\"", "width"), "366.93");
  EXPECT_EQ(attr_of(svg, "class=\"mark bar best\"", "fill"), "#0072B2");
  EXPECT_EQ(tooltip_of(svg, "class=\"mark bar best\""), "peak_end: CV RMSE 2.000, RMSE 1.95, R\xC2\xB2 0.41, n = 300 (best)");
  auto c = small_models();
  c.rows[0].error = -1;
  EXPECT_THROW((void)render_model_errors(c), invalid_argument);
}

TEST(JourneyCharts, SameInputSameBytes) {
  EXPECT_EQ(render_heat_grid(small_grid()), render_heat_grid(small_grid()));
  EXPECT_EQ(render_ratio_bars(small_ratios()), render_ratio_bars(small_ratios()));
  EXPECT_EQ(render_model_errors(small_models()), render_model_errors(small_models()));
}

// ---------------------------------------------------------------------------
// The section built from journey events, and its writers

// Four journeys on CSAT 1–5, x = (s − 3)/2 (5 → 1, 4 → ½, 3 → 0, 2 → −½, 1 → −1);
// outcome NPS (detractors 0–6):
//   J1 web/awareness site 5 (1), phone/support helpdesk 1 (−1); nps 2
//      worst −1 (helpdesk), intense −1 (|−1| ≥ 1), end −1, mean 0, remembered −1
//   J2 web/awareness site 4 (½), web/delivery courier 5 (1), phone/support helpdesk 2 (−½); nps 9
//      worst −½ (helpdesk), intense 1, end −½, mean ⅓, remembered ¼
//   J3 web/awareness site 4 (½) three times, phone/support helpdesk 1 (−1); nps 6
//      worst −1 (helpdesk), intense −1, end −1, mean ⅛, remembered −1 (differs in sign from its mean)
//   J4 phone/delivery courier 2 (−½); nps 3
//      worst, end, mean, remembered −½
const char* const journey_csv =
    "journey,timestamp,channel,touchpoint,owner,stage,csat,nps\n"
    "J1,2025-01-01T10:00:00Z,web,site,company,awareness,5,\n"
    "J1,2025-01-02T10:00:00Z,phone,helpdesk,company,support,1,2\n"
    "J2,2025-01-01T10:00:00Z,web,site,company,awareness,4,\n"
    "J2,2025-01-02T10:00:00Z,web,courier,partner,delivery,5,\n"
    "J2,2025-01-03T10:00:00Z,phone,helpdesk,company,support,2,9\n"
    "J3,2025-01-01T10:00:00Z,web,site,company,awareness,4,\n"
    "J3,2025-01-01T11:00:00Z,web,site,company,awareness,4,\n"
    "J3,2025-01-01T12:00:00Z,web,site,company,awareness,4,\n"
    "J3,2025-01-02T10:00:00Z,phone,helpdesk,company,support,1,6\n"
    "J4,2025-01-05T10:00:00Z,phone,courier,partner,delivery,2,3\n";

report_model journey_model(bool with_journeys = true) {
  // One file per test: ctest runs the tests of this file in parallel processes.
  const auto path = std::filesystem::temp_directory_path() /
                    ("cxm_report_journey_test_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".csv");
  std::ofstream(path) << journey_csv;
  journey_reader fields_of(journey_fields{});
  auto read = read_responses(path, fields_of.ingest_options_for(ingest_options{}));
  std::filesystem::remove(path);
  model_options o;
  o.source = "journeys.csv";
  if (with_journeys) {
    o.journey = journey_options{};
    o.journey->thin_below = 3;
  }
  return build_report_model(read, o);
}

TEST(JourneySection, BuiltFromTheEventsByHand) {
  const report_model m = journey_model();
  ASSERT_TRUE(m.journey.has_value());
  const journey_section& j = *m.journey;
  EXPECT_EQ(j.journeys, 4u);
  EXPECT_EQ(j.events, 10u);
  EXPECT_EQ(j.with_outcome, 4u);
  EXPECT_EQ(j.detractors, 3u);  // J1 (2), J3 (6), J4 (3)
  // Remembered (−1 + ¼ − 1 − ½)/4 = −0.5625; plain means (0 + ⅓ + ⅛ − ½)/4 = −1/96.
  EXPECT_NEAR(j.summary.remembered.value(), -0.5625, 1e-12);
  EXPECT_NEAR(j.summary.mean.value(), -1.0 / 96.0, 1e-12);
  EXPECT_NEAR(j.summary.disagreement.value(), 0.25, 1e-12);  // J3 only

  // The map: channels web, phone; stages by first appearance.
  ASSERT_EQ(j.channels, (std::vector<std::string>{"web", "phone"}));
  ASSERT_EQ(j.stages, (std::vector<std::string>{"awareness", "support", "delivery"}));
  ASSERT_EQ(j.cells.size(), 6u);
  // web × awareness: 1, ½, ½, ½, ½ → mean 0.6, SS = 0.16 + 4·0.01 = 0.2, SE = √(0.2/4/5) = 0.1,
  // t(0.975, 4) = 2.776445 (R: qt(0.975, 4)) → [0.3223555, 0.8776445].
  EXPECT_EQ(j.cells[0].n(), 5u);
  EXPECT_NEAR(j.cells[0].value(), 0.6, 1e-12);
  EXPECT_NEAR(j.cells[0].ci()->lower, 0.6 - 2.776445 * 0.1, 1e-6);
  EXPECT_NEAR(j.cells[0].ci()->upper, 0.6 + 2.776445 * 0.1, 1e-6);
  EXPECT_EQ(j.cells[1].n(), 0u);  // web × support: no events
  EXPECT_FALSE(j.cells[1].has_value());
  EXPECT_EQ(j.cells[2].n(), 1u);  // web × delivery: J2's courier
  EXPECT_EQ(j.cells[3].n(), 0u);  // phone × awareness
  EXPECT_EQ(j.cells[4].n(), 3u);  // phone × support: −1, −½, −1
  EXPECT_NEAR(j.cells[4].value(), -2.5 / 3.0, 1e-12);
  EXPECT_EQ(j.cells[5].n(), 1u);  // phone × delivery: J4

  // Touchpoints, most negative-peak lift first. Worst moments: helpdesk in
  // J1, J2, J3 (detractors J1, J3), courier in J4 (a detractor):
  //   courier  share 1/3 of detractors, base 1/4 → lift 4/3
  //   helpdesk share 2/3, base 3/4 → lift 8/9
  //   site     never the worst: no lift
  ASSERT_EQ(j.touchpoints.size(), 3u);
  EXPECT_EQ(j.touchpoints_total, 3u);
  EXPECT_EQ(j.touchpoints[0].touchpoint, "courier");
  EXPECT_EQ(j.touchpoints[0].owner, "partner");
  EXPECT_NEAR(j.touchpoints[0].impact.peak.lift.value(), 4.0 / 3.0, 1e-12);
  EXPECT_NEAR(j.touchpoints[0].impact.score.value(), 0.25, 1e-12);  // (1 − ½)/2
  EXPECT_EQ(j.touchpoints[1].touchpoint, "helpdesk");
  EXPECT_NEAR(j.touchpoints[1].impact.peak.lift.value(), 8.0 / 9.0, 1e-12);
  // Ends: helpdesk in J1, J2, J3 (detractors J1, J3): the same 8/9.
  EXPECT_NEAR(j.touchpoints[1].impact.end.lift.value(), 8.0 / 9.0, 1e-12);
  EXPECT_NEAR(j.touchpoints[1].impact.outcome_when_peak.value(), 17.0 / 3.0, 1e-12);  // (2 + 9 + 6)/3
  EXPECT_EQ(j.touchpoints[2].touchpoint, "site");
  EXPECT_FALSE(j.touchpoints[2].impact.peak.lift.has_value());
  // Four journeys are too few for the memory models to be cross-validated.
  EXPECT_EQ(j.models.n, 4u);
}

TEST(JourneySection, OnlyWhenAsked) {
  EXPECT_FALSE(journey_model(false).journey.has_value());
  const std::string html = render_html(journey_model(false));
  EXPECT_EQ(html.find("id=\"journeys\""), std::string::npos);
  EXPECT_EQ(html.find("data-chart=\"journeys-"), std::string::npos);
}

TEST(JourneySection, HtmlChartsAndTables) {
  const report_model m = journey_model();
  const std::string html = render_html(m);
  EXPECT_EQ(count(html, "<section id=\"journeys\">"), 1u);
  EXPECT_EQ(count(html, "<a href=\"#journeys\">Journeys</a>"), 1u);
  for (const char* id : {"journeys-map", "journeys-touchpoints", "journeys-models"}) {
    EXPECT_EQ(count(html, std::string("data-chart=\"") + id + "\""), 1u) << id;
  }
  // The map: 4 cells with events (2 of them thin: n = 1 < 3), 2 empty.
  const auto map_at = html.find("data-chart=\"journeys-map\"");
  const std::string map = html.substr(map_at, html.find("</svg>", map_at) - map_at);
  EXPECT_EQ(count(map, "class=\"mark cell\""), 2u);
  EXPECT_EQ(count(map, "class=\"mark cell thin\""), 2u);
  EXPECT_EQ(count(map, "class=\"mark empty\""), 2u);
  // Touchpoints: peak and end lifts of courier and helpdesk; site is never
  // the worst moment nor the end (base rate 0): no lift, no bar.
  const auto tp_at = html.find("data-chart=\"journeys-touchpoints\"");
  const std::string tp = html.substr(tp_at, html.find("</svg>", tp_at) - tp_at);
  EXPECT_EQ(count(tp, "class=\"mark bar s0\""), 2u);
  EXPECT_EQ(count(tp, "class=\"mark bar s1\""), 2u);
  // The tables: the map's rows (6 cells), the verdict.
  EXPECT_NE(html.find("<td>web</td><td>support</td><td class=\"num\">0</td><td class=\"num\">no events</td>"),
            std::string::npos);
  EXPECT_NE(html.find("Peak-end and the plain mean cannot both be cross-validated on these journeys (4 with an outcome)."),
            std::string::npos);
  EXPECT_EQ(render_html(m), html);  // same model, same bytes
}

TEST(JourneySection, MarkdownTables) {
  const std::string md = render_markdown(journey_model());
  EXPECT_NE(md.find("## Journeys\n"), std::string::npos);
  EXPECT_NE(md.find("| web | support | 0 | no events | | |\n"), std::string::npos);
  EXPECT_NE(md.find("| courier | partner | 2 | 0.250 | 1 | 33.3% | 25.0% | 1.33 ["), std::string::npos);
  EXPECT_NE(md.find("| mean remembered score (peak 0.50, end 0.50) | -0.562 |"), std::string::npos);
  // The section comes before the data quality appendix.
  EXPECT_LT(md.find("## Journeys"), md.find("## Data quality"));
}

TEST(JourneySection, OptionsForASchema) {
  // Declared score fields first, then csat and ces, the outcome left out;
  // touchpoint, stage and owner only when the schema has them.
  const schema s = schema_builder()
                       .category("journey")
                       .category("stage")
                       .score("rating", parse_scale("0-10"))
                       .score("effort", parse_scale("1-5"))
                       .build();
  const journey_options o = journey_options_for(s);
  ASSERT_EQ(o.fields.scores.size(), 4u);
  EXPECT_EQ(o.fields.scores[0].name, "rating");
  EXPECT_EQ(o.fields.scores[1].name, "effort");
  EXPECT_EQ(o.fields.scores[2].name, "csat");
  EXPECT_EQ(o.fields.scores[3].name, "ces");
  EXPECT_EQ(o.fields.stage, "stage");
  EXPECT_TRUE(o.fields.touchpoint.empty());
  EXPECT_TRUE(o.fields.owner.empty());
  EXPECT_EQ(o.fields.outcome, "nps");
}

TEST(JourneySection, RejectsATableWithoutTheJourneyField) {
  response_table t;
  EXPECT_THROW((void)build_journey_section(t, journey_options{}), invalid_argument);
}

}  // namespace

