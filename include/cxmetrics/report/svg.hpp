// SVG charts for reports: stacked 100 % bars, estimates with intervals per
// group (dots with whiskers, or bars), and a metric over periods with its
// interval band; axes with nice ticks, legends, tooltips, the colour-blind-
// safe palette, byte-identical output for identical input. The ticks, number
// text, escaping and palette they are drawn with: report/svg_primitives.hpp.
//
// Charts. Every render_* function takes a plain data struct and returns one
// standalone SVG 1.1 document (xmlns set, no XML declaration, so it can be
// inlined in HTML5 or written to a .svg file): a viewBox of width 760 (it
// scales to its container: width 100 %, height auto in CSS), a title, axis
// labels, a legend where colours or shapes carry meaning. Every data mark
// carries a class starting "mark " (see each function) and a <title> child
// with its exact value, interval and n (tooltips in browsers). Labels longer
// than their column are shortened with "…" (the tooltip keeps the full
// text). Values are in display units (points, percent, mean score): the
// struct's `unit` is appended in tooltips, `decimals` sets axis and label
// precision and tooltips show one decimal more. Marks of missing values
// (NaN) are not drawn; a chart without any value says "no data". Output is a
// pure function of the input (no clocks, no ids, no locale).
//
// Header: cxmetrics/report/svg.hpp; implemented in src/report/svg.cpp, drawn
// with the writer of src/report/svg_writer.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/export.hpp"
#include "cxmetrics/report/svg_primitives.hpp"

namespace cxm::inline v0_1::report {

// ---------------------------------------------------------------------------
// Stacked 100 % bars: the low / middle / high shares of each group.

/// One group: the amount (count, or Σw when weighted) of each category.
struct stacked_row {
  std::string label;
  double low = 0.0;     ///< e.g. detractors
  double middle = 0.0;  ///< e.g. passives
  double high = 0.0;    ///< e.g. promoters
  std::uint64_t n = 0;  ///< responses in the group
};

struct stacked_bar_chart {
  std::string id;     ///< written as data-chart="id" on the <svg> (omitted when empty)
  std::string title;
  std::string axis_label = "share of responses (%)";
  std::array<std::string, 3> categories{"Detractors (0-6)", "Passives (7-8)", "Promoters (9-10)"};
  bool weighted = false;  ///< amounts are weight sums (tooltips say so)
  std::vector<stacked_row> rows;
};

/// One horizontal bar per row, 0…100 %, split into low / middle / high.
/// Marks: <rect class="mark bar seg-low|seg-mid|seg-high"> per category with
/// a positive amount; a row whose amounts sum to 0 gets no bar ("no
/// responses"). Tooltip: "label: category 23.45% (991 of 4230, n = 4230)".
/// Throws invalid_argument for a negative or non-finite amount.
[[nodiscard]] CXMETRICS_API std::string render_stacked_bars(const stacked_bar_chart& chart);

// ---------------------------------------------------------------------------
// Estimates with intervals per group (dots with whiskers, or bars).

/// One group's estimate, in display units. NaN means "not available".
struct interval_row {
  std::string label;
  double value = std::numeric_limits<double>::quiet_NaN();
  double lower = std::numeric_limits<double>::quiet_NaN();  ///< interval; drawn only when both bounds are finite
  double upper = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t n = 0;
  double difference = std::numeric_limits<double>::quiet_NaN();  ///< value − comparison group (the rest)
  double p_value = std::numeric_limits<double>::quiet_NaN();     ///< (adjusted) p-value of the difference
};

struct interval_chart {
  std::string id;          ///< data-chart attribute (omitted when empty)
  std::string title;
  std::string axis_label;  ///< the value axis
  std::string unit;        ///< appended to values in tooltips and the reference label ("", "%")
  int decimals = 1;        ///< 0…10
  double level = 0.95;     ///< interval level, for legends and tooltips
  double alpha = 0.05;     ///< a row is significant when p_value < alpha
  double reference = std::numeric_limits<double>::quiet_NaN();  ///< reference line (e.g. all groups); NaN: none
  std::string reference_label = "all";
  std::string comparison_label = "the rest";  ///< what `difference` compares with
  std::string p_label = "p";   ///< name of p_value in legends and tooltips (e.g. "Holm-adjusted p")
  std::string group_label;     ///< title of the group axis (bar chart only; omitted when empty)
  std::vector<interval_row> rows;
};

/// Dot-and-whisker chart, one row per group, value axis horizontal (nice
/// ticks over every value, bound and the reference), a dashed reference
/// line. Marks: <circle class="mark dot"> per row with a value; <path
/// class="mark whisker"> per row with an interval; <path class="mark sig
/// up|down"> (a triangle, blue up / vermillion down) per row with
/// p_value < alpha, pointing the way of `difference`.
[[nodiscard]] CXMETRICS_API std::string render_interval_dots(const interval_chart& chart);

/// Vertical bars from 0 with whiskers, one per group (the value axis always
/// includes 0), and a dashed reference line. Marks: <rect class="mark bar">
/// per row with a non-zero value; <path class="mark whisker"> per row with
/// an interval. alpha and p_value only enter the tooltips. "n = …" stands
/// under each bar when every one fits its band. Each value has a
/// label (<text class="value">) placed by value_label_position above its
/// bar and upper cap: across the bar when every label fits its band, else
/// upright (rotated −90°, the plot moved down by the longest label), else
/// none (bands narrower than a line of text).
[[nodiscard]] CXMETRICS_API std::string render_interval_bars(const interval_chart& chart);

/// How render_interval_bars sets its value labels.
enum class value_label_layout : std::uint8_t { across, upright, none };

/// Font size (px) of the value labels.
inline constexpr double value_font = 11;

/// Where a value label goes: its text anchor (x, y: the baseline point; for
/// upright labels the point the text is rotated about) and the box its
/// glyphs cover (left < right, top < bottom in SVG coordinates, glyph width
/// estimated at 0.6 em per code point, ascent 0.8 em, descent 0.25 em).
struct value_label_box {
  double x = 0, y = 0;
  double left = 0, right = 0, top = 0, bottom = 0;
};

/// The label of a bar centred at cx whose highest mark (bar top or upper
/// cap) is at mark_top: baseline 5 px above mark_top, so the box's bottom
/// stays above the cap's stroke (0.75 px above mark_top); centred on cx.
[[nodiscard]] CXMETRICS_API value_label_box value_label_position(value_label_layout layout, double cx,
                                                                double mark_top, std::string_view text);

// ---------------------------------------------------------------------------
// A metric over consecutive periods with its interval band.

struct series_point {
  std::string label;  ///< e.g. "2024-03"
  double value = std::numeric_limits<double>::quiet_NaN();
  double lower = std::numeric_limits<double>::quiet_NaN();
  double upper = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t n = 0;
};

struct series_chart {
  std::string id;  ///< data-chart attribute (omitted when empty)
  std::string title;
  std::string axis_label;           ///< the value axis
  std::string x_label = "month";
  std::string metric = "value";     ///< name of the line in the legend and tooltips
  std::string unit;
  int decimals = 1;                 ///< 0…10
  double level = 0.95;
  std::uint64_t thin_below = 100;   ///< a point with n < thin_below is "thin"
  std::vector<series_point> points;  ///< consecutive periods, equally spaced
};

/// Line with an interval band. Marks: <path class="mark band"> per run of
/// consecutive points with an interval; <polyline class="mark line"> per run
/// of at least two consecutive points with a value; <circle class="mark
/// point"> per point with a value and n >= thin_below, <circle class="mark
/// point thin"> (hollow, orange) per point with a value and n < thin_below.
/// A point without a value breaks line and band.
[[nodiscard]] CXMETRICS_API std::string render_band_series(const series_chart& chart);

}  // namespace cxm::report
