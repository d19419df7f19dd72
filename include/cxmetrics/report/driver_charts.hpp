// SVG chart of a key-driver analysis (drivers/key_drivers.hpp): importance ×
// performance. Each driver is a labelled point at (performance, importance)
// — performance on the horizontal axis (e.g. its top-box share, %), its
// importance on the vertical one (e.g. LMG, its share of R²) — with the
// whisker of the performance's interval (horizontal) and, when the
// importance has one (a bootstrap percentile interval), its whisker
// (vertical). Dashed lines split the plot at the importance and performance
// splits, which divide it into the four quadrants of drivers::quadrants,
// each named in its corner:
//
//        importance
//            ^   fix first          |          keep up
//            |   (high importance,  |  (high, high)
//            |    low performance)  |
//            |  --------------------+--------------------  importance split
//            |   low priority       |   possible overkill
//            |   (low, low)         |   (low importance, high performance)
//            +--------------------------------------------> performance
//                             performance split
//
// A split left NaN is the median of the points' values (drivers::median),
// the split drivers::quadrants uses; a point at or above a split is high
// there, so each point's quadrant is the one drivers::quadrants gives. The
// point's colour says its quadrant too (Okabe & Ito 2008: fix first
// vermillion, keep up bluish green, possible overkill sky blue, low
// priority grey), and the fix-first quadrant is lightly tinted.
//
// The same conventions as the charts of report/svg.hpp: one standalone SVG
// 1.1 document, 760 wide, with a title (also its aria-label), a legend, and
// a class starting "mark " and a <title> tooltip on every data mark (the
// exact importance and performance with their intervals, the quadrant, n);
// labels are placed beside their point where they overlap nothing drawn
// before (right, left, above, below, in that order), shortened with "…"
// beyond 24 characters (tooltips keep the full name); NaN means "no value";
// output is a pure function of the input.
//
// Header: cxmetrics/report/driver_charts.hpp; implemented in
// src/report/driver_charts.cpp.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cxmetrics/drivers/key_drivers.hpp"
#include "cxmetrics/export.hpp"

namespace cxm::inline v0_1::report {

/// One driver of the chart, in display units. A point is drawn when both
/// values are finite; a whisker when both ends of its interval are.
struct driver_point {
  std::string label;
  double performance = std::numeric_limits<double>::quiet_NaN();
  double performance_lower = std::numeric_limits<double>::quiet_NaN();
  double performance_upper = std::numeric_limits<double>::quiet_NaN();
  double importance = std::numeric_limits<double>::quiet_NaN();
  double importance_lower = std::numeric_limits<double>::quiet_NaN();  ///< e.g. bootstrap percentile interval
  double importance_upper = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t n = 0;  ///< rows the performance rests on
  std::string detail;   ///< appended to the tooltip (e.g. "mean 3.71 of 1-5")
};

struct importance_performance_chart {
  std::string id;  ///< data-chart attribute (omitted when empty)
  std::string title;
  std::string importance_label = "importance: LMG (share of R\xC2\xB2)";  ///< vertical axis title
  std::string performance_label = "performance: top-box share (%)";     ///< horizontal axis title
  std::string importance_name = "LMG";       ///< in tooltips
  std::string performance_name = "top box";  ///< in tooltips
  std::string performance_unit = "%";        ///< appended to performance values
  int importance_decimals = 3;               ///< 0…10: tooltips and the split's label
  int performance_decimals = 1;              ///< 0…10
  double level = 0.95;                       ///< of the intervals, for the legend and tooltips
  /// The quadrant lines; NaN: the median of the points' values.
  double importance_split = std::numeric_limits<double>::quiet_NaN();
  double performance_split = std::numeric_limits<double>::quiet_NaN();
  std::vector<driver_point> points;
};

/// "fix first", "keep up", "possible overkill", "low priority".
[[nodiscard]] constexpr const char* quadrant_name(drivers::quadrant q) noexcept {
  switch (q) {
    case drivers::quadrant::fix_first: return "fix first";
    case drivers::quadrant::keep_up: return "keep up";
    case drivers::quadrant::possible_overkill: return "possible overkill";
    case drivers::quadrant::low_priority: return "low priority";
  }
  return "low priority";
}

/// The chart (see the header comment). Marks: <circle class="mark point
/// Q"> per point with both values finite, Q its quadrant as
/// drivers::to_string names it (fix_first, keep_up, possible_overkill,
/// low_priority); <path class="mark whisker performance"> and <path
/// class="mark whisker importance"> per such point with that interval.
/// Not marks: <line class="split importance|performance">, <text
/// class="quadrant-name">, <text class="label point-label">. A chart
/// without a point says "no data". Throws invalid_argument for bad
/// decimals or level, or a split that is infinite.
[[nodiscard]] CXMETRICS_API std::string render_importance_performance(const importance_performance_chart& chart);

}  // namespace cxm::report
