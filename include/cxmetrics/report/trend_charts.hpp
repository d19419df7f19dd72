// SVG chart of a metric over periods with its interval band, a trend line
// and a forecast fan: where the metric has been and where it is heading.
//
// The same conventions as the charts of report/svg.hpp: render_trend_fan
// takes a plain data struct and returns one standalone SVG 1.1 document, 760
// wide, with a title, a legend, a class starting "mark " and a <title>
// tooltip on every data mark; NaN means "no value"; output is a pure
// function of the input.
//
// Layout. The time axis has one slot per history point, then the forecast
// steps that lie beyond the last one (a forecast that starts before the end
// of the history, after a thin last period, overlays those periods). The
// value axis spans every value, interval bound, trend end and fan bound.
//
//   history   the band of each run of points with an interval (sky blue),
//             the line through each run of points with a value (blue), a
//             dot per point (hollow orange when n < thin_below), as
//             render_band_series draws them;
//   trend     a dashed line from the trend's first to its last slot,
//             value intercept + slope · (slot index), e.g. the WLS line
//             over the reportable points (series/trend.hpp);
//   fan       the 95 % and the 80 % prediction bands of the forecast, each
//             one polygon from the origin point (the last period the
//             forecast was fitted on, where the band has no width) through
//             every step; the mean as a dashed line from the origin's value
//             through the steps, and a dot per step whose tooltip holds
//             the mean and both intervals.
//
// Header: cxmetrics/report/trend_charts.hpp; implemented in
// src/report/trend_charts.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cxmetrics/export.hpp"
#include "cxmetrics/report/svg.hpp"

namespace cxm::inline v0_1::report {

/// One forecast step: its period's label, the mean and both intervals.
struct fan_step {
  std::string label;  ///< e.g. "2026-01"
  double mean = std::numeric_limits<double>::quiet_NaN();
  double lo80 = std::numeric_limits<double>::quiet_NaN(), hi80 = std::numeric_limits<double>::quiet_NaN();
  double lo95 = std::numeric_limits<double>::quiet_NaN(), hi95 = std::numeric_limits<double>::quiet_NaN();
};

struct trend_fan_chart {
  std::string id;  ///< data-chart attribute (omitted when empty)
  std::string title;
  std::string axis_label;        ///< the value axis
  std::string x_label = "month";
  std::string metric = "value";  ///< name of the line in the legend and tooltips
  std::string unit;
  int decimals = 1;              ///< 0…10
  double level = 0.95;           ///< of the history's band
  std::uint64_t thin_below = 100;
  std::vector<series_point> points;  ///< the history, consecutive periods

  /// The trend line: value intercept + slope · i at slot i, drawn from slot
  /// trend_from to trend_to (NaN slope or intercept: none).
  double trend_intercept = std::numeric_limits<double>::quiet_NaN();
  double trend_slope = std::numeric_limits<double>::quiet_NaN();
  std::size_t trend_from = 0, trend_to = 0;
  std::string trend_label = "trend";
  std::string trend_detail;  ///< appended to the trend's tooltip (e.g. "slope +0.37 per month, p = 0.02")

  /// The forecast: steps 1.. after slot `origin` (a history point with a
  /// value, the last one the model was fitted on). No steps: no fan.
  std::size_t origin = 0;
  std::vector<fan_step> forecast;
  std::string forecast_detail;  ///< appended to the mean's tooltip (e.g. "ETS(A,N,N) on 24 months")
};

/// History band, line and points, trend line and forecast fan (see the
/// header comment). Marks: those of render_band_series (<path class="mark
/// band">, <polyline class="mark line">, <circle class="mark point"> and
/// "mark point thin"); <path class="mark trend"> when there is a trend;
/// with a forecast, <path class="mark fan fan95">, <path class="mark fan
/// fan80">, <polyline class="mark forecast"> and one <circle class="mark
/// step"> per step. A chart with no value says "no data". Throws
/// invalid_argument for bad decimals or level, an origin that is not a
/// history point with a value, trend slots beyond the axis or in the wrong
/// order, or a step whose bounds do not nest (lo95 <= lo80 <= mean <= hi80
/// <= hi95, all finite).
[[nodiscard]] CXMETRICS_API std::string render_trend_fan(const trend_fan_chart& chart);

}  // namespace cxm::report
