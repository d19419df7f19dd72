// The trend section of the report: NPS per period with its interval band,
// the trend line and the forecast fan (report/trend_charts.hpp), with the
// tables they are drawn from.
//
// WHEN IT APPEARS. build_report_model (report/model.hpp) adds it when
// model_options::trend is set (the default), NPS is shown and the NPS
// answers with a time span at least trend_options::min_periods periods
// (default 8) from the first to the last. The period is trend_options::
// period, or, when unset, the first of month, quarter, year and ISO week
// whose span holds between min_periods and max_periods (default 60)
// periods: months for 8 months to 5 years of data, quarters up to 15
// years, then years; weeks for data of fewer than 8 months that span at
// least 8 weeks. Otherwise there is no section and the report's notes say
// why.
//
// WHAT IT HOLDS. NPS per period in points (adjusted Wald interval, as the
// report's other NPS values; a period with fewer than model_options::
// thin_below answers is thin, one without any empty); the WLS trend with
// weights 1/SE² over the ok (not thin) periods, and Theil–Sen with the
// Mann–Kendall test (series/trend.hpp); the first period an EWMA and a
// CUSUM chart signal a shift, and its direction (series/change.hpp); and a
// forecast of trend_options::horizon periods with 80 % and 95 % prediction
// intervals: forecasting::forecast_series (series/forecast.hpp), the ETS
// model of least AICc on the log-odds of the NPS within -100..100, fitted on
// the last unbroken run of ok periods (empty and thin periods break a run:
// exponential smoothing needs evenly spaced values), as `cxm trend
// --horizon` does. A run shorter than trend_options::min_forecast_points
// gives no forecast and a note that says why; the rest of the section
// stays.
//
// Header: cxmetrics/report/trend_section.hpp; built in
// src/report/trend_model.cpp, written in src/report/trend_section.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/period.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/export.hpp"
#include "cxmetrics/report/trend_charts.hpp"

namespace cxm::inline v0_1::report {

/// What the trend section shows (see the header comment).
struct trend_options {
  std::optional<time_bucket> period;   ///< nullopt: month, quarter or year by the span
  std::size_t min_periods = 8;         ///< fewer periods from first to last: no section
  std::size_t max_periods = 60;        ///< automatic period: at most this many (5 years of months)
  std::size_t horizon = 6;             ///< periods forecast (0: no forecast)
  std::size_t min_forecast_points = 6; ///< ok periods in a row a forecast needs
};

/// One period of the section.
struct trend_period {
  std::string label;  ///< e.g. "2024-03"
  estimate value;     ///< NPS in points; no_data for an empty period
  bool thin = true;   ///< empty, no interval, or n below thin_below
};

/// The section (see the header comment).
struct trend_section {
  std::string id = "nps-trend";
  std::string title;      ///< "NPS trend and forecast by month"
  std::string period;     ///< "month", "quarter", ...
  std::string method;     ///< one sentence: estimates, trend, forecast
  std::uint64_t thin_below = 100;
  std::vector<trend_period> points;
  // WLS over the ok periods: value = intercept + slope · i at period i
  // (0 = the first listed).
  estimate slope;
  double intercept = std::numeric_limits<double>::quiet_NaN();
  double p_value = std::numeric_limits<double>::quiet_NaN();
  std::size_t trend_points = 0;  ///< ok periods the trend rests on
  std::size_t trend_from = 0, trend_to = 0;  ///< first and last of them
  // Theil–Sen and Mann–Kendall over the same periods.
  estimate theil_sen;
  double mann_kendall_p = std::numeric_limits<double>::quiet_NaN();
  // Change alerts: the first signalled period ("" when none) and direction.
  std::string ewma_signal, ewma_direction = "none";
  std::string cusum_signal, cusum_direction = "none";
  // The forecast: steps after period forecast_origin, or none (and why).
  std::string model;             ///< e.g. "ANN"
  std::size_t fitted_points = 0;
  std::size_t forecast_origin = 0;
  std::size_t fitted_from = 0;
  std::vector<fan_step> forecast;
  std::string forecast_note;     ///< why there is no forecast, or where it starts
  std::vector<std::string> notes;
};

/// The section of a table's NPS answers, or nullopt when they span fewer
/// than options.min_periods periods (then `why`, when given, says so).
/// Throws invalid_argument for a level outside (0, 1) or an offset beyond
/// ±18 hours.
[[nodiscard]] CXMETRICS_API std::optional<trend_section> build_trend_section(
    const response_table& table, const trend_options& options, double level, bool weighted,
    std::chrono::seconds utc_offset, std::uint64_t thin_below, std::string* why = nullptr);

/// The section's chart: history with band, the WLS line, the forecast fan.
[[nodiscard]] CXMETRICS_API trend_fan_chart trend_chart(const trend_section& section, double level);

}  // namespace cxm::report
