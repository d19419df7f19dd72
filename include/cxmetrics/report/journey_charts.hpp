// SVG charts of journeys: a heat grid (the channel × stage journey map), bars
// of a ratio against its reference (touchpoint lift over the base rate) and
// the error of competing models (the memory models' cross-validated RMSE).
//
// The same conventions as the charts of report/svg.hpp: each render_* takes a
// plain data struct and returns one standalone SVG 1.1 document, 760 wide,
// with a title, a legend where colour carries meaning, and a class starting
// "mark " and a <title> tooltip on every data mark; labels longer than their
// room are shortened with "…" (tooltips keep the full text); NaN means "no
// value"; output is a pure function of the input.
//
// Heat grid. Rows × columns of cells. A cell's colour is one of eight
// classes of a diverging palette around `midpoint`: four tints of
// vermillion below it and four of blue above it (Okabe & Ito 2008's
// colour-blind-safe pair, mixed with white at ¼, ½, ¾ and 1; the class is
// the quarter of the way to `lower` or `upper` the value lies in, values
// beyond the ends in the outer class). A value at the midpoint itself takes
// the lightest blue: no class is white, so a cell without events (white,
// dashed grey outline, "none") is never read as a value of 0. Cells with
// 0 < n < thin_below are drawn in their colour and hatched (grey diagonal
// lines), marked "thin" in their tooltip. The value is written in the cell
// when it fits.
//
// Ratio bars. Per row, one bar per series (e.g. "negative peak" and "end")
// from the reference (1: the base rate) to the ratio, on a log₂ axis (a lift
// of 2 and of ½ are the same distance from 1), with the whisker of its
// interval and a dashed reference line. The axis spans the values and
// interval ends, clamped to [1/64, 64]; what lies beyond is drawn to the
// edge, and a ratio of 0 (never there) is drawn to the left edge — the
// tooltip keeps the exact numbers.
//
// Model errors. One horizontal bar per model, from 0 to its error (e.g.
// cross-validated RMSE); the best model's bar is blue and marked with a
// star, the others sky blue; a model without a value says why ("not
// fitted: …").
//
// Header: cxmetrics/report/journey_charts.hpp; implemented in
// src/report/journey_charts.cpp.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cxmetrics/export.hpp"

namespace cxm::inline v0_1::report {

// ---------------------------------------------------------------------------
// Heat grid

/// One cell of a heat grid; n == 0 is an empty cell (no events).
struct heat_cell {
  double value = std::numeric_limits<double>::quiet_NaN();
  double lower = std::numeric_limits<double>::quiet_NaN();  ///< interval; in the tooltip when both are finite
  double upper = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t n = 0;
};

struct heat_grid_chart {
  std::string id;  ///< data-chart attribute (omitted when empty)
  std::string title;
  std::string row_label = "channel";   ///< what the rows are (axis title)
  std::string column_label = "stage";  ///< what the columns are (axis title)
  std::string metric = "mean experience";  ///< the value's name in legend and tooltips
  std::string unit;
  int decimals = 2;  ///< 0…10: cell text and legend; tooltips one more
  double level = 0.95;
  double lower = -1.0;    ///< palette: the value of full vermillion
  double midpoint = 0.0;  ///< palette: where vermillion turns to blue
  double upper = 1.0;     ///< palette: the value of full blue
  std::uint64_t thin_below = 30;  ///< cells with 0 < n < thin_below are hatched
  std::vector<std::string> rows;
  std::vector<std::string> columns;
  std::vector<heat_cell> cells;  ///< rows.size() × columns.size(), row by row
};

/// The heat grid (see the header comment). Marks: <rect class="mark cell">
/// per cell with n > 0 and a value, <rect class="mark cell thin"> for those
/// with n < thin_below (followed by their <path class="hatch">),
/// <rect class="mark empty"> per cell with n == 0; a cell with n > 0 and no
/// value is drawn as an empty one that says "no value". Throws
/// invalid_argument when cells.size() is not rows × columns, or unless
/// lower < midpoint < upper (all finite), or for bad decimals or level.
[[nodiscard]] CXMETRICS_API std::string render_heat_grid(const heat_grid_chart& chart);

/// The fill of a value in the heat grid's palette (see the header comment),
/// a CSS hex colour; NaN gives "none".
[[nodiscard]] CXMETRICS_API std::string heat_colour(double value, double lower, double midpoint, double upper);

// ---------------------------------------------------------------------------
// Ratio bars against a reference (lift over a base rate)

/// One ratio of a row: value and interval (NaN: none), and what it rests on.
struct ratio_value {
  double value = std::numeric_limits<double>::quiet_NaN();
  double lower = std::numeric_limits<double>::quiet_NaN();
  double upper = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t n = 0;  ///< e.g. journeys counted
  std::string detail;   ///< appended to the tooltip (e.g. "14 of 310 detractors, base 2.1%")
};

struct ratio_row {
  std::string label;
  std::vector<ratio_value> values;  ///< one per series (missing ones: no value)
};

struct ratio_chart {
  std::string id;
  std::string title;
  std::string axis_label = "lift over the base rate (log scale)";
  std::vector<std::string> series{"negative peak", "end"};  ///< at most 4
  int decimals = 2;  ///< 0…10, tooltips
  double level = 0.95;
  double reference = 1.0;  ///< drawn dashed; bars start here
  std::string reference_label = "base rate (lift 1)";
  std::vector<ratio_row> rows;
};

/// Ratio bars (see the header comment). Marks: <rect class="mark bar s<k>">
/// per row and series k with a finite value ≥ 0 (at least 1 px wide),
/// <path class="mark whisker s<k>"> per one with a finite interval ≥ 0.
/// Throws invalid_argument for a negative value or bound, more than 4
/// series, bad decimals or level, or a reference that is not finite and > 0.
[[nodiscard]] CXMETRICS_API std::string render_ratio_bars(const ratio_chart& chart);

// ---------------------------------------------------------------------------
// Model errors

struct model_error_row {
  std::string label;
  double error = std::numeric_limits<double>::quiet_NaN();  ///< e.g. cross-validated RMSE
  std::string detail;  ///< appended to the tooltip (e.g. "RMSE 2.10, R² 0.41")
  bool best = false;
  std::string note;    ///< shown instead of a bar when error is NaN
};

struct model_error_chart {
  std::string id;
  std::string title;
  std::string axis_label = "cross-validated RMSE";
  std::string metric = "CV RMSE";  ///< the error's name in tooltips
  int decimals = 2;
  std::uint64_t n = 0;  ///< what the errors rest on, in tooltips ("n = 3000")
  std::vector<model_error_row> rows;
};

/// Model errors (see the header comment). Marks: <rect class="mark bar">
/// per row with a finite error (class "mark bar best" for a best one), and
/// <path class="mark star"> beside each best one. Throws invalid_argument
/// for a negative error or bad decimals.
[[nodiscard]] CXMETRICS_API std::string render_model_errors(const model_error_chart& chart);

}  // namespace cxm::report
