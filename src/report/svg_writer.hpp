// Internal (not installed): the small SVG writer the charts of
// src/report/svg.cpp are drawn with: the page, the text of coordinates,
// values and tooltips, elements (text, lines, marks with a tooltip), the
// document around a chart's body, legends and value axes. Everything it
// writes is a pure function of its arguments (no clocks, ids or locale).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/report/svg.hpp"
#include "cxmetrics/report/svg_primitives.hpp"

namespace cxm::inline v0_1::report::detail {

// ---------------------------------------------------------------------------
// The page: every chart is `width` wide (viewBox units)

inline constexpr double width = 760.0;
inline constexpr double margin = 16.0;
inline constexpr const char* font_stack = "Arial, 'Liberation Sans', Helvetica, sans-serif";
inline constexpr const char* text_colour = "#1a1a1a";
inline constexpr const char* muted_colour = "#555555";
inline constexpr const char* grid_colour = "#e6e6e6";
inline constexpr const char* axis_colour = "#888888";

// ---------------------------------------------------------------------------
// Text

/// Width of a text in a sans-serif face at `size` px: 0.6 em per code point,
/// a slight overestimate for Latin text (deterministic, no font metrics).
double text_width(std::string_view text, double size);
/// A coordinate: at most two decimals, trailing zeros removed.
std::string num(double v);
/// A level as a percentage ("95").
inline std::string level_text(double level) { return format_level(level); }
/// A value with its unit: "12.5%", "4.2 points", "3.1".
std::string with_unit(const std::string& value, const std::string& unit);
/// Signed difference: "+3.21", "-0.50", "0.00".
std::string signed_text(double v, int decimals);
/// A p-value with four decimals, or "< 0.0001".
std::string p_text(double p);
inline std::string count_text(std::uint64_t n) { return std::to_string(n); }
/// Throws invalid_argument naming `chart` unless decimals is in 0..10.
void check_decimals(int decimals, const char* chart);
/// v of [d0, d1] mapped linearly onto [p0, p1].
inline double lerp(double v, double d0, double d1, double p0, double p1) {
  return p0 + (v - d0) / (d1 - d0) * (p1 - p0);
}

// ---------------------------------------------------------------------------
// Elements and the document

/// An attribute value: escaped text in double quotes.
std::string q(std::string_view v);
/// An attribute value: a coordinate in double quotes.
std::string qn(double v);
/// <text> with escaped content; `extra` holds further attributes (already safe).
void text_el(std::string& out, double x, double y, std::string_view content, std::string_view extra = {});
void line_el(std::string& out, double x1, double y1, double x2, double y2, std::string_view extra);
/// A mark element with its tooltip: `<tag attrs><title>tip</title></tag>`.
void mark_el(std::string& out, std::string_view tag, std::string_view attrs, std::string_view tip);
/// The standalone SVG document of a chart: its size, title and body.
std::string finish(const std::string& id, const std::string& title, double height, const std::string& body);
/// A chart that says "no data".
std::string no_data_chart(const std::string& id, const std::string& title);

// ---------------------------------------------------------------------------
// Legends and axes

// Legend entries: a symbol and a label, laid out left to right, wrapping.
// empty_box: white with a dashed grey outline (a cell without data);
// hatched: a swatch with grey diagonal lines (a thin cell).
enum class symbol { swatch, hollow_swatch, line, dashed, dot, hollow_dot, whisker, up, down, empty_box, hatched };

struct legend_item {
  symbol sym;
  std::string colour;
  std::string label;
};

/// Grey diagonal lines ("/") filling the rectangle (x, y, w, h), `step`
/// apart, as one path with class "hatch" (drawn over a cell; no pointer
/// events, so the cell's tooltip shows through).
void hatch_el(std::string& out, double x, double y, double w, double h, double step = 6);

/// Draws the legend starting at baseline y; returns the baseline after it.
double legend(std::string& out, const std::vector<legend_item>& items, double y);

/// Horizontal value axis under a plot: gridlines, tick labels, axis title.
/// Returns the baseline of the axis title.
double value_axis_x(std::string& out, const tick_scale& t, double x0, double x1, double top, double bottom,
                    const std::string& label);
/// Vertical value axis left of a plot: gridlines, tick labels, rotated title.
void value_axis_y(std::string& out, const tick_scale& t, double x0, double x1, double top, double bottom,
                  const std::string& label);
/// Nice ticks over the finite values in `v` (and 0 when `with_zero`); false
/// when there is none.
bool domain_of(const std::vector<double>& v, bool with_zero, int target, tick_scale& out);

/// Where a series' marks go: the x of point i and the y of a value.
struct series_frame {
  std::function<double(std::size_t)> x;
  std::function<double(double)> y;
};

/// What a series' marks say in their tooltips.
struct series_words {
  std::string metric;        ///< e.g. "NPS"
  std::string unit;          ///< appended to values
  int decimals = 1;
  std::string level;         ///< the band's confidence level in percent, e.g. "95"
  std::uint64_t thin_below = 0;
  std::string thin;          ///< why a thin point is thin
};

/// The history of a band series: the interval band of each run of
/// consecutive points with an interval (a box for a lone point), then the
/// line through each run of two or more points with a value.
void series_band_and_line(std::string& out, std::span<const series_point> points, const series_frame& at,
                          const series_words& w);
/// A dot per point with a value, hollow orange when thin (n < thin_below),
/// its tooltip the value, interval and n.
void series_point_marks(std::string& out, std::span<const series_point> points, const series_frame& at,
                        const series_words& w);

/// The chart points of a report section's periods (anything with a label
/// and an estimate `value`).
template <class Period>
std::vector<series_point> series_points_of(const std::vector<Period>& periods) {
  std::vector<series_point> out;
  out.reserve(periods.size());
  for (const auto& p : periods) {
    series_point q;
    q.label = p.label;
    q.value = p.value.value();
    if (p.value.has_interval()) {
      q.lower = p.value.ci()->lower;
      q.upper = p.value.ci()->upper;
    }
    q.n = p.value.n();
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace cxm::report::detail
