// Report module: nice ticks, number formatting, XML escaping, SVG charts
// (golden files and structure), the HTML/Markdown writers and the model
// built from a response table.
//
// References: tick cases worked by hand from Heckbert's rules (comments);
// chart geometry and tooltips computed by hand from the layout constants;
// statistics from R (the expression is given next to each value).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <locale>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/report/html.hpp"
#include "cxmetrics/report/model.hpp"
#include "cxmetrics/report/svg.hpp"

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

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Compares `text` with the golden file; with CXMETRICS_UPDATE_GOLDEN=1 in the
// environment the file is (re)written instead.
void expect_golden(const std::string& text, const std::string& name) {
  const std::string path = std::string(CXMETRICS_TEST_DATA_DIR) + "/golden/" + name;
  if (const char* u = std::getenv("CXMETRICS_UPDATE_GOLDEN"); u != nullptr && std::string_view(u) == "1") {
    std::ofstream(path, std::ios::binary) << text;
    GTEST_SKIP() << "golden file written: " << path;
  }
  const std::string golden = read_file(path);
  ASSERT_FALSE(golden.empty()) << "missing golden file " << path << " (CXMETRICS_UPDATE_GOLDEN=1 writes it)";
  EXPECT_EQ(text, golden) << "output differs from " << path;
}

// ---------------------------------------------------------------------------
// Nice numbers and ticks (Heckbert 1990)

TEST(NiceNumber, HeckbertRules) {
  // x = f·10^e; rounding: f < 1.5 → 1, < 3 → 2, < 7 → 5, else 10.
  EXPECT_EQ(nice_number(1.45, true), 1.0);
  EXPECT_EQ(nice_number(1.5, true), 2.0);
  EXPECT_EQ(nice_number(25.0, true), 20.0);   // f = 2.5 → 2
  EXPECT_EQ(nice_number(0.7, true), 1.0);     // f = 7 → 10, 10·0.1
  EXPECT_EQ(nice_number(0.0025, true), 0.002);
  // ceiling: f <= 1 → 1, <= 2 → 2, <= 5 → 5, else 10.
  EXPECT_EQ(nice_number(1000.0, false), 1000.0);
  EXPECT_EQ(nice_number(1000.1, false), 2000.0);
  EXPECT_EQ(nice_number(2.9, false), 5.0);
  EXPECT_EQ(nice_number(94.6, false), 100.0);
  EXPECT_EQ(nice_number(0.0075, false), 0.01);
  EXPECT_THROW((void)nice_number(0.0, true), invalid_argument);
  EXPECT_THROW((void)nice_number(nan, false), invalid_argument);
}

TEST(NiceTicks, HandWorkedCases) {
  // [0, 1], 5 ticks: range = nice(1) = 1, step = nice(1/4 = 0.25, round) = 0.2
  // → 0, 0.2, …, 1; one decimal. Each tick is k·2/10, the double nearest.
  auto t = nice_ticks(0.0, 1.0, 5);
  EXPECT_EQ(t.step, 0.2);
  EXPECT_EQ(t.decimals, 1);
  EXPECT_EQ(t.ticks, (std::vector<double>{0.0, 0.2, 0.4, 0.6, 0.8, 1.0}));

  // [-23.4, 71.2]: range = nice(94.6) = 100, step = nice(25, round) = 20,
  // floor(-23.4/20) = -2 → -40, ceil(71.2/20) = 4 → 80.
  t = nice_ticks(-23.4, 71.2, 5);
  EXPECT_EQ(t.step, 20.0);
  EXPECT_EQ(t.decimals, 0);
  EXPECT_EQ(t.ticks, (std::vector<double>{-40, -20, 0, 20, 40, 60, 80}));
  EXPECT_EQ(t.lower, -40.0);
  EXPECT_EQ(t.upper, 80.0);

  // [0, 100], 6 ticks: range 100, step = nice(20, round) = 20.
  t = nice_ticks(0.0, 100.0, 6);
  EXPECT_EQ(t.ticks, (std::vector<double>{0, 20, 40, 60, 80, 100}));

  // [-100, 100], 5 ticks: range = nice(200) = 200, step = nice(50) = 50.
  t = nice_ticks(-100.0, 100.0, 5);
  EXPECT_EQ(t.ticks, (std::vector<double>{-100, -50, 0, 50, 100}));

  // [0.0012, 0.0087]: range = nice(0.0075) = 0.01, step = nice(0.0025) = 0.002,
  // ticks 0 … 0.010 (ceil(4.35) = 5); three decimals.
  t = nice_ticks(0.0012, 0.0087, 5);
  EXPECT_EQ(t.decimals, 3);
  EXPECT_EQ(t.ticks, (std::vector<double>{0.0, 0.002, 0.004, 0.006, 0.008, 0.01}));

  // [12000, 98000]: range = nice(86000) = 100000, step = nice(25000) = 20000.
  t = nice_ticks(12000, 98000, 5);
  EXPECT_EQ(t.ticks, (std::vector<double>{0, 20000, 40000, 60000, 80000, 100000}));

  // A bound on a tick stays there: [0.3, 0.9] has step 0.2 (range nice(0.6) = 1,
  // nice(0.25) = 0.2); 0.3/0.2 = 1.5 → 0.2 … 1.0.
  t = nice_ticks(0.3, 0.9, 5);
  EXPECT_EQ(t.ticks, (std::vector<double>{0.2, 0.4, 0.6, 0.8, 1.0}));
  // [0.2, 0.6]: 0.6/0.2 is 2.9999999999999996 in binary; the 1e-9 snap keeps
  // the top tick at 0.6 instead of adding 0.8.
  t = nice_ticks(0.2, 0.6, 5);
  EXPECT_EQ(t.upper, 0.6);
}

TEST(NiceTicks, DegenerateAndInvalidRanges) {
  // lo = hi = 3: widened by 10 % to [2.7, 3.3]; range nice(0.6) = 1, step
  // nice(0.25) = 0.2; floor(13.5) = 13 → 2.6, ceil(16.5) = 17 → 3.4.
  auto t = nice_ticks(3.0, 3.0, 5);
  EXPECT_EQ(t.ticks, (std::vector<double>{2.6, 2.8, 3.0, 3.2, 3.4}));
  // lo = hi = 0: widened by 1 to [-1, 1]; range 2, step nice(0.5) = 0.5.
  t = nice_ticks(0.0, 0.0, 5);
  EXPECT_EQ(t.ticks, (std::vector<double>{-1.0, -0.5, 0.0, 0.5, 1.0}));
  EXPECT_FALSE(std::signbit(t.ticks[2]));  // 0, not -0
  EXPECT_THROW((void)nice_ticks(2.0, 1.0), invalid_argument);
  EXPECT_THROW((void)nice_ticks(nan, 1.0), invalid_argument);
  EXPECT_THROW((void)nice_ticks(0.0, std::numeric_limits<double>::infinity()), invalid_argument);
  EXPECT_THROW((void)nice_ticks(0.0, 1.0, 1), invalid_argument);
}

// ---------------------------------------------------------------------------
// Number formatting

// A global C++ locale with ',' as decimal point: formatting through streams
// would pick it up; format_fixed must not.
struct comma_numpunct : std::numpunct<char> {
  char do_decimal_point() const override { return ','; }
  char do_thousands_sep() const override { return '.'; }
  std::string do_grouping() const override { return "\3"; }
};

TEST(FormatFixed, CorrectlyRoundedAndLocaleIndependent) {
  EXPECT_EQ(format_fixed(3.14159, 2), "3.14");
  EXPECT_EQ(format_fixed(12345.5, 0), "12346");
  EXPECT_EQ(format_fixed(-7.25, 1), "-7.2");  // -7.25 is exact: a tie, rounded to even
  // Rounding of the exact binary value: 2.675 is 2.67499999999999982236…,
  // 1.005 is 1.00499999999999989…, so scaling by 100 and rounding would be
  // wrong in both.
  EXPECT_EQ(format_fixed(2.675, 2), "2.67");
  EXPECT_EQ(format_fixed(1.005, 2), "1.00");
  EXPECT_EQ(format_fixed(0.1, 17), "0.10000000000000001");
  // No negative zero.
  EXPECT_EQ(format_fixed(-0.04, 1), "0.0");
  EXPECT_EQ(format_fixed(-0.0, 0), "0");
  EXPECT_EQ(format_fixed(nan, 2), "NaN");
  EXPECT_EQ(format_fixed(-std::numeric_limits<double>::infinity(), 2), "-inf");
  EXPECT_THROW((void)format_fixed(1.0, 18), invalid_argument);
  EXPECT_THROW((void)format_fixed(1.0, -1), invalid_argument);

  const std::locale old = std::locale::global(std::locale(std::locale::classic(), new comma_numpunct));
  EXPECT_EQ(format_fixed(1234.5, 1), "1234.5");
  EXPECT_EQ(format_level(0.995), "99.5");
  const std::string svg = render_band_series([] {
    series_chart c;
    c.title = "t";
    c.points = {{"a", 1.5, 0.5, 2.5, 200}, {"b", 2.5, 1.5, 3.5, 200}};
    return c;
  }());
  std::locale::global(old);
  EXPECT_NE(svg.find("<title>a: value 1.50, 95% interval [0.50, 2.50], n = 200</title>"), std::string::npos);
  EXPECT_EQ(svg.find("1,5"), std::string::npos);
}

TEST(FormatLevel, PercentWithoutNeedlessDecimals) {
  EXPECT_EQ(format_level(0.95), "95");
  EXPECT_EQ(format_level(0.9), "90");
  EXPECT_EQ(format_level(0.995), "99.5");
  EXPECT_EQ(format_level(0.8413), "84.13");
}

// ---------------------------------------------------------------------------
// XML escaping

TEST(XmlEscape, MarkupCharactersBecomeEntities) {
  EXPECT_EQ(xml_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  EXPECT_EQ(xml_escape("&amp;"), "&amp;amp;");  // escaped again: text, not markup
  EXPECT_EQ(xml_escape("plain text 1-2"), "plain text 1-2");
}

TEST(XmlEscape, ValidUtf8IsKeptAndWhatXmlForbidsIsReplaced) {
  const std::string fffd = "\xEF\xBF\xBD";
  // Multi-byte characters (2, 3, 4 bytes) pass through; tab, LF, CR too.
  EXPECT_EQ(xml_escape("\xC3\x84 \xE2\x82\xAC \xF0\x9F\x98\x80\t\n\r"), "\xC3\x84 \xE2\x82\xAC \xF0\x9F\x98\x80\t\n\r");
  // C0 controls other than tab/LF/CR are not XML 1.0 characters.
  EXPECT_EQ(xml_escape(std::string("a\x01" "b\x1F", 4)), "a" + fffd + "b" + fffd);
  EXPECT_EQ(xml_escape(std::string("\0", 1)), fffd);
  // Invalid bytes: a lone continuation, 0xFF, a truncated sequence (two
  // invalid bytes), an overlong '/', a surrogate half (three bytes).
  EXPECT_EQ(xml_escape("\x80"), fffd);
  EXPECT_EQ(xml_escape("x\xFFy"), "x" + fffd + "y");
  EXPECT_EQ(xml_escape("\xE2\x82"), fffd + fffd);
  EXPECT_EQ(xml_escape("\xC0\xAF"), fffd + fffd);
  EXPECT_EQ(xml_escape("\xED\xA0\x80"), fffd + fffd + fffd);
  // U+FFFE is well-formed UTF-8 but not an XML character.
  EXPECT_EQ(xml_escape("\xEF\xBF\xBE"), fffd);
}

// ---------------------------------------------------------------------------
// Charts

stacked_bar_chart small_stacked() {
  stacked_bar_chart c;
  c.id = "small";
  c.title = "Scores by group";
  c.rows = {{"A", 3, 2, 5, 10}, {"B & <C>", 1, 0, 3, 4}};
  return c;
}

interval_chart small_intervals() {
  interval_chart c;
  c.id = "dots";
  c.title = "NPS by region";
  c.axis_label = "NPS";
  c.reference = 6.0;
  c.rows = {{"north", 10.0, 5.0, 15.0, 100, 4.0, 0.01}, {"south", -2.0, -6.0, 2.0, 80, -4.0, 0.2}};
  return c;
}

TEST(StackedBars, GoldenFile) { expect_golden(render_stacked_bars(small_stacked()), "stacked_bars_small.svg"); }

TEST(StackedBars, MarksGeometryAndTooltips) {
  const std::string svg = render_stacked_bars(small_stacked());
  // One rect per positive amount: A has 3, B has 2 (its middle is 0).
  EXPECT_EQ(count(svg, "class=\"mark bar"), 5u);
  EXPECT_EQ(count(svg, "class=\"mark bar seg-low\""), 2u);
  EXPECT_EQ(count(svg, "class=\"mark bar seg-mid\""), 1u);
  EXPECT_EQ(count(svg, "class=\"mark bar seg-high\""), 2u);
  EXPECT_EQ(count(svg, "<title>"), 1u + 5u);  // the chart's own title and one per mark
  // Tooltips: 3 of 10 = 30 %, 5 of 10 = 50 %, 3 of 4 = 75 %; the label escaped.
  EXPECT_EQ(tooltip_of(svg, "seg-low"), "A: Detractors (0-6) 30.00% (3 of 10, n = 10)");
  EXPECT_NE(svg.find("<title>A: Promoters (9-10) 50.00% (5 of 10, n = 10)</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>B &amp; &lt;C&gt;: Promoters (9-10) 75.00% (3 of 4, n = 4)</title>"), std::string::npos);
  // Geometry: labels 0.6·12 px per character, the longer one "B & <C>" (7
  // characters) is 50.4 px, so the plot runs from 16 + 50.4 + 10 = 76.4 to
  // 760 − 16 − 72 = 672 (595.6 px). A's segments are 0.3, 0.2 and 0.5 of it:
  // 178.68, 119.12 and 297.8 px.
  // The first bar row starts below the one-line legend (baseline 48) at 64;
  // the promoter segment starts at 76.4 + 0.5·595.6 = 374.2.
  EXPECT_NE(svg.find("x=\"76.4\" y=\"64\" width=\"178.68\""), std::string::npos);
  EXPECT_NE(svg.find("width=\"119.12\""), std::string::npos);
  EXPECT_NE(svg.find("x=\"374.2\" y=\"64\" width=\"297.8\""), std::string::npos);
  // Standalone SVG with a viewBox 760 wide; the legend names the categories.
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 760 ", 0), 0u);
  EXPECT_NE(svg.find("data-chart=\"small\""), std::string::npos);
  EXPECT_NE(svg.find(">Passives (7-8)</text>"), std::string::npos);
  EXPECT_NE(svg.find(okabe_ito::vermillion), std::string::npos);
  EXPECT_NE(svg.find(okabe_ito::bluish_green), std::string::npos);
}

TEST(StackedBars, RejectsNegativeAmountsAndShowsEmptyRows) {
  auto c = small_stacked();
  c.rows[1].middle = -1.0;
  EXPECT_THROW((void)render_stacked_bars(c), invalid_argument);
  c.rows[1] = {"empty", 0, 0, 0, 0};
  const std::string svg = render_stacked_bars(c);
  EXPECT_EQ(count(svg, "class=\"mark bar"), 3u);
  EXPECT_NE(svg.find(">no responses</text>"), std::string::npos);
  EXPECT_NE(render_stacked_bars(stacked_bar_chart{}).find(">no data</text>"), std::string::npos);
}

TEST(IntervalDots, GoldenFile) { expect_golden(render_interval_dots(small_intervals()), "interval_dots_small.svg"); }

TEST(IntervalDots, MarksTooltipsAndSignificance) {
  const std::string svg = render_interval_dots(small_intervals());
  EXPECT_EQ(count(svg, "class=\"mark dot\""), 2u);
  EXPECT_EQ(count(svg, "class=\"mark whisker\""), 2u);
  // Only north has p < 0.05; its difference is positive: one triangle up.
  EXPECT_EQ(count(svg, "class=\"mark sig"), 1u);
  EXPECT_EQ(count(svg, "class=\"mark sig up\""), 1u);
  EXPECT_EQ(tooltip_of(svg, "class=\"mark dot\""),
            "north: 10.00, 95% interval [5.00, 15.00], n = 100; vs the rest: +4.00, p = 0.0100 (significant at 0.05)");
  EXPECT_NE(svg.find("<title>south: -2.00, 95% interval [-6.00, 2.00], n = 80; vs the rest: -4.00, p = 0.2000</title>"),
            std::string::npos);
  // Axis: values and bounds span [-6, 15] with the reference 6: range
  // nice(21) = 50, step nice(10) = 10 → ticks -10, 0, 10, 20.
  for (const char* tick : {">-10</text>", ">0</text>", ">10</text>", ">20</text>"}) {
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  }
  EXPECT_EQ(svg.find(">30</text>"), std::string::npos);
  // Plot from 16 + 40 + 10 = 66 (labels shorter than the 40 px minimum) to
  // 760 − 16 − 72 − 24 = 648: value 10 is at 66 + (20/30)·582 = 454.
  EXPECT_NE(svg.find("class=\"mark dot\" cx=\"454\""), std::string::npos);
  // Reference line at 6: 66 + (16/30)·582 = 376.4.
  EXPECT_NE(svg.find("class=\"ref\" x1=\"376.4\""), std::string::npos);
  EXPECT_NE(svg.find(">all = 6.0</text>"), std::string::npos);
}

TEST(IntervalDots, DownwardMarkAndMissingValues) {
  auto c = small_intervals();
  c.rows[1].p_value = 0.001;           // south: significant, lower
  c.rows.push_back({"west", nan, nan, nan, 0, nan, nan});
  c.rows.push_back({"east", 3.0, nan, nan, 1, nan, nan});  // a value without interval
  const std::string svg = render_interval_dots(c);
  EXPECT_EQ(count(svg, "class=\"mark sig down\""), 1u);
  EXPECT_EQ(count(svg, "class=\"mark dot\""), 3u);
  EXPECT_EQ(count(svg, "class=\"mark whisker\""), 2u);
  EXPECT_NE(svg.find(">no data</text>"), std::string::npos);
  c.decimals = 11;
  EXPECT_THROW((void)render_interval_dots(c), invalid_argument);
  c.decimals = 1;
  c.alpha = 0.0;
  EXPECT_THROW((void)render_interval_dots(c), invalid_argument);
}

TEST(IntervalBars, BarsFromZeroWithWhiskers) {
  interval_chart c;
  c.id = "res";
  c.title = "Resolution";
  c.axis_label = "resolved %";
  c.unit = "%";
  c.reference = 60.0;
  c.rows = {{"phone", 75.0, 30.0, 95.0, 4, nan, nan},
            {"chat", 0.0, 0.0, 40.0, 6, nan, nan},
            {"mail", nan, nan, nan, 0, nan, nan}};
  const std::string svg = render_interval_bars(c);
  // A bar per non-zero value, a whisker per interval.
  EXPECT_EQ(count(svg, "class=\"mark bar\""), 1u);
  EXPECT_EQ(count(svg, "class=\"mark whisker\""), 2u);
  EXPECT_EQ(tooltip_of(svg, "class=\"mark bar\""), "phone: 75.00%, 95% interval [30.00, 95.00], n = 4");
  // The axis starts at 0: [0, 95] → range nice(95) = 100, step nice(20) = 20.
  EXPECT_NE(svg.find(">0</text>"), std::string::npos);
  EXPECT_NE(svg.find(">100</text>"), std::string::npos);
  EXPECT_NE(svg.find(">75.0%</text>"), std::string::npos);
  EXPECT_NE(svg.find(">all = 60.0%</text>"), std::string::npos);
}

// Boxes of the value labels and of the whisker caps of a bar chart, read
// back from its SVG. Label widths use Arial Bold's advance widths (digits
// 0.556 em, '.' 0.278, '%' 0.889, '-' 0.333: the font's published metrics),
// not the writer's own estimate; ascent 0.72 em (cap height) and descent
// 0.21 em.
struct box {
  double left, right, top, bottom;
};

bool overlap(const box& a, const box& b) {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

double arial_bold_width(const std::string& text, double size) {
  double em = 0;
  for (char ch : text) em += ch == '.' ? 0.278 : ch == '%' ? 0.889 : ch == '-' ? 0.333 : 0.556;
  return em * size;
}

struct bar_geometry {
  std::vector<box> labels, caps, bars;
};

bar_geometry geometry_of(const std::string& svg) {
  bar_geometry g;
  const std::regex whisker(R"re(class="mark whisker" d="M([-0-9.]+),([-0-9.]+)V([-0-9.]+)M)re");
  for (std::sregex_iterator it(svg.begin(), svg.end(), whisker), end; it != end; ++it) {
    const double cx = std::stod((*it)[1]), yh = std::stod((*it)[2]), yl = std::stod((*it)[3]);
    for (double y : {yh, yl}) g.caps.push_back({cx - 6, cx + 6, y - 0.75, y + 0.75});  // stroke 1.5
  }
  const std::regex bar(R"re(class="mark bar" x="([-0-9.]+)" y="([-0-9.]+)" width="([-0-9.]+)" height="([-0-9.]+)")re");
  for (std::sregex_iterator it(svg.begin(), svg.end(), bar), end; it != end; ++it) {
    const double x = std::stod((*it)[1]), y = std::stod((*it)[2]);
    g.bars.push_back({x, x + std::stod((*it)[3]), y, y + std::stod((*it)[4])});
  }
  const std::regex label(R"re(<text x="([-0-9.]+)" y="([-0-9.]+)" class="value"( transform="rotate\(-90 [-0-9.]+ [-0-9.]+\)")?[^>]*>([^<]*)</text>)re");
  for (std::sregex_iterator it(svg.begin(), svg.end(), label), end; it != end; ++it) {
    const double x = std::stod((*it)[1]), y = std::stod((*it)[2]);
    const double w = arial_bold_width((*it)[4], 11);
    if ((*it)[3].matched) {  // upright: runs upwards from (x, y), glyphs to the left of x
      g.labels.push_back({x - 0.72 * 11, x + 0.21 * 11, y - w, y});
    } else {
      g.labels.push_back({x - w / 2, x + w / 2, y - 0.72 * 11, y + 0.21 * 11});
    }
  }
  return g;
}

TEST(IntervalBars, ValueLabelsNeverTouchCapsBarsOrEachOther) {
  // Tall and short neighbours, a negative value whose interval crosses 0, a
  // cap at the top of the axis; 3 groups (labels across), 31 groups (as many
  // as a report shows: upright) and 90 groups (too narrow: none).
  for (const std::size_t groups : {3u, 31u, 90u}) {
    interval_chart c;
    c.title = "Resolution";
    c.unit = "%";
    for (std::size_t i = 0; i < groups; ++i) {
      const double v = i % 3 == 0 ? 92.5 : i % 3 == 1 ? 12.5 : -3.0;
      const double lo = i % 3 == 0 ? 70.0 : i % 3 == 1 ? 0.0 : -20.0;
      const double hi = i % 3 == 0 ? 100.0 : i % 3 == 1 ? 99.0 : 4.0;
      c.rows.push_back({"g" + std::to_string(i), v, lo, hi, 10, nan, nan});
    }
    const std::string svg = render_interval_bars(c);
    const auto g = geometry_of(svg);
    ASSERT_EQ(g.caps.size(), 2 * groups);
    const std::size_t want = groups == 90 ? 0 : groups;
    ASSERT_EQ(g.labels.size(), want) << groups << " groups";
    ASSERT_EQ(count(svg, "class=\"value\""), want);
    if (groups == 31) {
      EXPECT_EQ(count(svg, "rotate(-90 "), 31u);  // the labels (the axis title turns about the origin)
    }
    // "n = 10" (6 characters at 10 px, 36 px + 4) fits a band of 680/3 px,
    // not one of 680/31 ≈ 21.9 px: then none is drawn rather than overlapping.
    EXPECT_EQ(count(svg, "class=\"n\""), groups == 3 ? 3u : 0u);
    for (std::size_t i = 0; i < g.labels.size(); ++i) {
      for (const auto& cap : g.caps) EXPECT_FALSE(overlap(g.labels[i], cap)) << groups << " groups, label " << i;
      for (const auto& b : g.bars) EXPECT_FALSE(overlap(g.labels[i], b)) << groups << " groups, label " << i;
      for (std::size_t j = i + 1; j < g.labels.size(); ++j) {
        EXPECT_FALSE(overlap(g.labels[i], g.labels[j])) << groups << " groups, labels " << i << ", " << j;
      }
      EXPECT_GT(g.labels[i].top, 52.0) << "label " << i << " reaches into the legend (baseline 48, 12 px)";
    }
  }
}

TEST(BandSeries, ThinPointsGapsAndRuns) {
  series_chart c;
  c.id = "s";
  c.title = "NPS by month";
  c.metric = "NPS";
  c.thin_below = 100;
  c.points = {{"2024-01", 10, 0, 20, 150}, {"2024-02", nan, nan, nan, 0}, {"2024-03", 5, -5, 15, 50},
              {"2024-04", 7, 1, 13, 120}};
  const std::string svg = render_band_series(c);
  // The gap in February splits band and line: band runs [Jan] and [Mar, Apr],
  // one line (a single point draws no line), three points of which March is thin.
  EXPECT_EQ(count(svg, "class=\"mark band\""), 2u);
  EXPECT_EQ(count(svg, "class=\"mark line\""), 1u);
  EXPECT_EQ(count(svg, "class=\"mark point\""), 2u);
  EXPECT_EQ(count(svg, "class=\"mark point thin\""), 1u);
  EXPECT_EQ(tooltip_of(svg, "class=\"mark point thin\""),
            "2024-03: NPS 5.00, 95% interval [-5.00, 15.00], n = 50 (thin: fewer than 100 responses)");
  EXPECT_EQ(tooltip_of(svg, "class=\"mark line\""), "NPS, 2024-03 to 2024-04");
  EXPECT_NE(svg.find(">fewer than 100 responses</text>"), std::string::npos);
  EXPECT_NE(svg.find(okabe_ito::orange), std::string::npos);
}

TEST(Charts, SameInputSameBytes) {
  EXPECT_EQ(render_stacked_bars(small_stacked()), render_stacked_bars(small_stacked()));
  EXPECT_EQ(render_interval_dots(small_intervals()), render_interval_dots(small_intervals()));
}

// ---------------------------------------------------------------------------
// Model from a table, and the writers

timestamp at(int y, unsigned m, unsigned d) {
  return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

// phone: NPS 10 9 9 3 7 (1 detractor, 1 passive, 3 promoters), CSAT 5 4 3 2 5,
//        resolved yes yes yes no unknown, January 2024, segment "a".
// chat:  NPS 0 5 6 8 10 9 (3, 1, 2), CSAT 1 2 3 4 5 5, resolved yes no no no no
//        yes, March 2024, segment "b" (the last without a segment).
response_table small_table(const std::string& chat_label = "chat") {
  response_table t;
  const auto phone = t.channel_of("phone");
  const auto chat = t.channel_of(chat_label);
  const int pn[] = {10, 9, 9, 3, 7};
  const int pc[] = {5, 4, 3, 2, 5};
  const resolution pr[] = {resolution::yes, resolution::yes, resolution::yes, resolution::no, resolution::unknown};
  for (int i = 0; i < 5; ++i) {
    response r;
    r.nps = pn[i];
    r.csat = pc[i];
    r.resolved = pr[i];
    r.channel = phone;
    r.segment = "a";
    r.time = at(2024, 1, static_cast<unsigned>(i + 1));
    t.append(r);
  }
  const int cn[] = {0, 5, 6, 8, 10, 9};
  const int cc[] = {1, 2, 3, 4, 5, 5};
  const resolution cr[] = {resolution::yes, resolution::no, resolution::no, resolution::no, resolution::no,
                           resolution::yes};
  for (int i = 0; i < 6; ++i) {
    response r;
    r.nps = cn[i];
    r.csat = cc[i];
    r.resolved = cr[i];
    r.channel = chat;
    r.segment = i == 5 ? "" : "b";
    r.time = at(2024, 3, static_cast<unsigned>(i + 1));
    t.append(r);
  }
  return t;
}

const group_comparison* find_comparison(const report_model& m, const std::string& id) {
  for (const auto& c : m.comparisons) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

TEST(ReportModel, HeadlinesFromTheLibraryMetrics) {
  const auto m = build_report_model(small_table());
  EXPECT_EQ(m.responses, 11u);
  ASSERT_EQ(m.headlines.size(), 4u);
  // NPS over 11: promoters 5, detractors 4 → 100/11 points.
  EXPECT_EQ(m.headlines[0].name, "NPS");
  EXPECT_NEAR(m.headlines[0].value.value(), 100.0 / 11.0, 1e-12);
  // Adjusted Wald (Rocks 2016) by hand in R:
  //   nt<-14; pd<-4.75/nt; pp<-5.75/nt; c0<-pp-pd; h<-qnorm(0.975)*sqrt((pp+pd-c0^2)/nt); 100*c(c0-h,c0+h)
  //   → -38.0669303232529 52.3526446089672
  EXPECT_NEAR(m.headlines[0].value.ci()->lower, -38.0669303232529, 1e-9);
  EXPECT_NEAR(m.headlines[0].value.ci()->upper, 52.3526446089672, 1e-9);
  // CSAT: 4–5 in 3 of 5 (phone) + 3 of 6 (chat) = 6/11, in percent.
  EXPECT_EQ(m.headlines[1].unit, "%");
  EXPECT_NEAR(m.headlines[1].value.value(), 600.0 / 11.0, 1e-10);
  // Resolution: yes 5 of 10 answered (one unknown excluded).
  EXPECT_NEAR(m.headlines[3].value.value(), 50.0, 1e-12);
  EXPECT_EQ(m.headlines[3].value.n(), 10u);
  // CES: no responses → no data, still listed.
  EXPECT_FALSE(m.headlines[2].value.has_value());
}

TEST(ReportModel, GroupsComparisonsAndHolm) {
  const auto m = build_report_model(small_table());
  // Distribution: phone 1/1/3, chat 3/1/2, then all 4/2/5.
  ASSERT_EQ(m.distributions.size(), 3u);
  EXPECT_EQ(m.distributions[0].label, "phone");
  EXPECT_EQ(m.distributions[0].promoters, 3.0);
  EXPECT_EQ(m.distributions[1].detractors, 3.0);
  EXPECT_EQ(m.distributions[2].label, "all");
  EXPECT_EQ(m.distributions[2].passives, 2.0);

  const auto* nps = find_comparison(m, "nps-by-channel");
  ASSERT_NE(nps, nullptr);
  ASSERT_EQ(nps->rows.size(), 2u);
  EXPECT_NEAR(nps->rows[0].value.value(), 40.0, 1e-12);          // (3 − 1)/5
  EXPECT_NEAR(nps->rows[1].value.value(), -100.0 / 6.0, 1e-12);  // (2 − 3)/6
  // 5 and 6 responses are too few to test at the default min_n (30): the
  // difference only, no p-value, not adjusted.
  EXPECT_EQ(nps->rows[0].status, stats::rest_status::too_few);
  EXPECT_NEAR(nps->rows[0].difference.value(), 56.666666666666664, 1e-9);  // 40 − (−16.67)
  EXPECT_TRUE(std::isnan(nps->rows[0].p_value));
  EXPECT_TRUE(std::isnan(nps->rows[0].p_adjusted));
  ASSERT_EQ(nps->notes.size(), 1u);
  EXPECT_NE(nps->notes[0].find("2 of 2 groups are too few to test: fewer than 30"), std::string::npos);
  EXPECT_NEAR(nps->overall.value(), 100.0 / 11.0, 1e-12);

  // Segments in alphabetical order, "(none)" for the response without one.
  const auto* seg = find_comparison(m, "nps-by-segment");
  ASSERT_NE(seg, nullptr);
  ASSERT_EQ(seg->rows.size(), 3u);
  EXPECT_EQ(seg->rows[0].label, "(none)");
  EXPECT_EQ(seg->rows[1].label, "a");
  EXPECT_EQ(seg->rows[2].label, "b");

  const auto* csat = find_comparison(m, "csat-by-channel");
  ASSERT_NE(csat, nullptr);
  EXPECT_NEAR(csat->rows[0].value.value(), 60.0, 1e-12);
  EXPECT_EQ(csat->rows[0].status, stats::rest_status::too_few);
  // Resolution: phone 3 of 4, chat 2 of 6. R:
  //   prop.test(c(3,2), c(4,6), correct=FALSE)$p.value → 0.196705602458947, Holm 0.393411204917894
  //   100*prop.test(3, 4, correct=FALSE)$conf.int (Wilson) → 30.0641842582402 95.4412739190299
  ASSERT_TRUE(m.resolution.has_value());
  const auto& res = *m.resolution;
  EXPECT_NEAR(res.rows[0].value.value(), 75.0, 1e-12);
  EXPECT_NEAR(res.rows[0].value.ci()->lower, 30.0641842582402, 1e-9);
  EXPECT_NEAR(res.rows[0].value.ci()->upper, 95.4412739190299, 1e-9);
  EXPECT_EQ(res.rows[0].status, stats::rest_status::too_few);
  EXPECT_EQ(res.rows[0].excluded, 1u);  // the unknown answer

  // With min_n 0 the groups are tested. NPS: the z test with the variance
  // pooled under H0 (Python): ph = 5/11, pl = 4/11, V = ph + pl − (ph − pl)²,
  //   z = (0.4 + 1/6)/sqrt(V(1/5 + 1/6)) = 1.0398521611300342,
  //   p = erfc(z/sqrt(2)) = 0.29840859099558542, Holm over two equal p: 0.59681718199117084
  model_options all_tested;
  all_tested.min_n = 0;
  const auto t = build_report_model(small_table(), all_tested);
  const auto* tn = find_comparison(t, "nps-by-channel");
  ASSERT_NE(tn, nullptr);
  ASSERT_EQ(tn->rows[0].status, stats::rest_status::tested);
  EXPECT_NEAR(tn->rows[0].p_value, 0.29840859099558542, 1e-12);
  EXPECT_NEAR(tn->rows[0].p_adjusted, 0.59681718199117084, 1e-12);
  EXPECT_NEAR(tn->rows[1].p_adjusted, 0.59681718199117084, 1e-12);
  // Shares still need Cochran's expected counts of 5: CSAT 3 of 5 against 3
  // of 6 expects 5·5/11 = 2.3 "not satisfied" answers in phone.
  const auto* tc = find_comparison(t, "csat-by-channel");
  ASSERT_NE(tc, nullptr);
  EXPECT_EQ(tc->rows[0].status, stats::rest_status::too_few);
  EXPECT_NE(tc->rows[0].note.find("expected count"), std::string::npos) << tc->rows[0].note;
  // The tables say "too few" where the p-value would be.
  const std::string md = render_markdown(m);
  EXPECT_NE(md.find("| too few | - | too few |"), std::string::npos);
}

TEST(ReportModel, ManyGroupsArePooled) {
  // 40 channels, channel k with k + 1 responses: the 30 largest are shown in
  // channel order, the other 10 pooled into one row.
  response_table t;
  for (int k = 0; k < 40; ++k) {
    const auto id = t.channel_of("c" + std::to_string(k));
    for (int i = 0; i <= k; ++i) {
      response r;
      r.nps = (k + i) % 11;
      r.channel = id;
      t.append(r);
    }
  }
  const auto m = build_report_model(t);
  const auto* nps = find_comparison(m, "nps-by-channel");
  ASSERT_NE(nps, nullptr);
  ASSERT_EQ(nps->rows.size(), 31u);
  EXPECT_EQ(nps->rows[0].label, "c10");
  EXPECT_EQ(nps->rows[29].label, "c39");
  EXPECT_EQ(nps->rows[30].label, "other (10 groups)");
  EXPECT_EQ(nps->rows[30].value.n(), 55u);  // 1 + 2 + … + 10
  ASSERT_FALSE(nps->notes.empty());
  EXPECT_NE(nps->notes.back().find("Showing the 30 largest of 40 groups"), std::string::npos);
  EXPECT_EQ(m.distributions.size(), 32u);  // 30, other, all
  model_options every;
  every.max_groups = 0;
  EXPECT_EQ(find_comparison(build_report_model(t, every), "nps-by-channel")->rows.size(), 40u);
}

TEST(ReportModel, MetricsLeftOutHaveNoCardOrSection) {
  model_options opt;
  opt.metrics.ces = false;
  opt.metrics.csat = false;
  const auto m = build_report_model(small_table(), opt);
  for (const auto& h : m.headlines) {
    EXPECT_NE(h.name, "CES");
    EXPECT_NE(h.name, "CSAT");
  }
  EXPECT_EQ(find_comparison(m, "csat-by-channel"), nullptr);
  EXPECT_EQ(render_html(m).find(">CES<"), std::string::npos);
}

TEST(ReportModel, MonthsInAUtcOffset) {
  // 23:30 UTC on 31 January is February at +02:00.
  response_table t;
  response r;
  r.nps = 9;
  r.time = timestamp{std::chrono::sys_days{std::chrono::year{2024} / 1 / 31}} + std::chrono::hours{23} +
           std::chrono::minutes{30};
  t.append(r);
  model_options opt;
  EXPECT_EQ(build_report_model(t, opt).series.at(0).points.at(0).label, "2024-01");
  opt.utc_offset = std::chrono::hours{2};
  EXPECT_EQ(build_report_model(t, opt).series.at(0).points.at(0).label, "2024-02");
}

TEST(ReportModel, MonthlySeriesWithEmptyMonths) {
  model_options opt;
  opt.thin_below = 6;
  const auto m = build_report_model(small_table(), opt);
  ASSERT_EQ(m.series.size(), 1u);
  const auto& s = m.series[0];
  ASSERT_EQ(s.points.size(), 3u);  // January, February (empty), March
  EXPECT_EQ(s.points[0].label, "2024-01");
  EXPECT_EQ(s.points[1].label, "2024-02");
  EXPECT_FALSE(s.points[1].value.has_value());
  EXPECT_NEAR(s.points[0].value.value(), 40.0, 1e-12);
  EXPECT_EQ(s.points[2].value.n(), 6u);
  // January has 5 < 6 responses: thin; March has 6: not thin.
  const std::string svg = render_band_series(period_chart(s, m.level));
  EXPECT_EQ(count(svg, "class=\"mark point thin\""), 1u);
  EXPECT_EQ(count(svg, "class=\"mark point\""), 1u);
}

TEST(ReportModel, WeightedUsesWeights) {
  response_table t;
  for (int i = 0; i < 4; ++i) {
    response r;
    r.nps = i < 2 ? 10 : 0;  // two promoters, two detractors
    r.weight = i < 2 ? 3.0 : 1.0;
    r.channel = channels::phone;
    t.append(r);
  }
  model_options opt;
  opt.weighted = true;
  // Weighted NPS: (6 − 2)/8 = 50 points; unweighted: 0.
  EXPECT_NEAR(build_report_model(t, opt).headlines[0].value.value(), 50.0, 1e-12);
  EXPECT_NEAR(build_report_model(t).headlines[0].value.value(), 0.0, 1e-12);
  model_options bad;
  bad.level = 1.0;
  EXPECT_THROW((void)build_report_model(t, bad), invalid_argument);
}

TEST(ReportModel, CsvIngestSummaryAndRejects) {
  std::istringstream in(
      "channel,nps,resolved\n"
      "phone,10,yes\n"
      "phone,11,no\n"
      "chat,5,maybe\n"
      "chat,7,no\n");
  ingest_result data;
  const ingest_sink sink{[&](const response_batch& b) { b.append_to(data.table); },
                         [&](const ingest_reject& r) { data.rejects.push_back(r); }};
  data.report = stream_responses_csv(in, "mem.csv", {}, sink);
  model_options opt;
  opt.source = "mem.csv";
  opt.max_rejects_shown = 1;
  const auto m = build_report_model(data, opt);
  ASSERT_TRUE(m.ingest.has_value());
  EXPECT_EQ(m.ingest->rows_read, 4u);
  EXPECT_EQ(m.ingest->rejected, 2u);
  EXPECT_EQ(m.ingest->rejected_by_reason.at("score_out_of_scale"), 1u);
  ASSERT_EQ(m.rejects.size(), 1u);
  EXPECT_EQ(m.rejects[0].line, 3u);
  EXPECT_EQ(m.responses, 2u);

  const std::string md = render_markdown(m);
  EXPECT_NE(md.find("| read | 4 |"), std::string::npos);
  EXPECT_NE(md.find("| rejected | 2 |"), std::string::npos);
  EXPECT_NE(md.find("| score_out_of_scale | 1 |"), std::string::npos);
  const std::string html = render_html(m);
  EXPECT_NE(html.find("<td>score_out_of_scale</td><td class=\"num\">1</td>"), std::string::npos);
  EXPECT_NE(html.find("Data: mem.csv"), std::string::npos);
  // Causes by the names of to_string(reject_cause), as summary and a rejects
  // file give them ("maybe" is an invalid_flag, not the error kind
  // invalid_value); the sample says how many of how many.
  EXPECT_NE(md.find("| invalid_flag | 1 |"), std::string::npos);
  EXPECT_EQ(md.find("| invalid_value |"), std::string::npos);
  EXPECT_NE(md.find("**First 1 of 2 rejected rows**"), std::string::npos);
  EXPECT_NE(md.find("| 3 | 2 | nps | score_out_of_scale | 11 |"), std::string::npos);
  // No CSAT or CES column in the file: no card for them.
  EXPECT_EQ(html.find("card-name\">CES<"), std::string::npos);
  EXPECT_EQ(html.find("card-name\">CSAT<"), std::string::npos);
  EXPECT_NE(html.find("card-name\">NPS<"), std::string::npos);
}

TEST(RenderHtml, SelfContainedWithEveryChartAndEscapedLabels) {
  const auto m = build_report_model(small_table("<script>alert(1)</script>"));
  const std::string html = render_html(m);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n", 0), 0u);
  // One SVG per chart: distribution, 3 comparisons, the series, resolution,
  // and the trend section's (the table's answers span enough months).
  ASSERT_TRUE(m.trend.has_value());
  EXPECT_EQ(count(html, "<svg "), 7u);
  EXPECT_EQ(count(html, "</svg>"), 7u);
  // Nothing loads from elsewhere or runs: the label is text, not markup.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  for (const char* bad : {"<link", "<img", "url(", "@import", "@font-face", "https:"}) {
    EXPECT_EQ(html.find(bad), std::string::npos) << bad;
  }
  // The only absolute URL is the SVG namespace name, once per chart.
  EXPECT_EQ(count(html, "http"), 7u);
  EXPECT_EQ(count(html, "xmlns=\"http://www.w3.org/2000/svg\""), 7u);
  // Tables hold the numbers of the charts (NPS by channel: phone 40.0).
  EXPECT_NE(html.find("<td>phone</td><td class=\"num\">5</td><td class=\"num\">40.0</td>"), std::string::npos);
  // The same model, the same bytes.
  EXPECT_EQ(html, render_html(build_report_model(small_table("<script>alert(1)</script>"))));
}

TEST(RenderMarkdown, SameTablesAsText) {
  const auto m = build_report_model(small_table("a|b"));
  const std::string md = render_markdown(m);
  EXPECT_EQ(md.rfind("# Customer experience report\n", 0), 0u);
  // A '|' in a label must not split the cell.
  EXPECT_NE(md.find("| a\\|b | 6 | -16.7 |"), std::string::npos);
  EXPECT_NE(md.find("| phone | 5 | 40.0 | "), std::string::npos);
  EXPECT_NE(md.find("| 2024-02 | 0 | - | - | yes |"), std::string::npos);  // empty month, thin (0 < 100)
  // Every table of the HTML is in the Markdown: count the header rows.
  const std::string html = render_html(m);
  EXPECT_EQ(count(md, "\n| --- |") + count(md, "\n| ---: |"), count(html, "<thead>"));
  EXPECT_EQ(md, render_markdown(build_report_model(small_table("a|b"))));
}

}  // namespace
