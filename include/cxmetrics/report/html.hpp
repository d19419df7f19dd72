// The report document: its model and its two writers, HTML and Markdown.
//
// report_model holds everything a report shows, already computed and in
// display units (NPS in points, shares in percent, CES as mean score), so
// the writers only lay it out:
//
//   headlines       NPS, CSAT, CES, resolution: value, interval, n
//   distributions   detractor / passive / promoter amounts per group
//                   (stacked 100 % bars)
//   comparisons     a metric per group with its interval, the difference to
//                   the rest of the responses and its adjusted p-value
//                   (dots with whiskers, significance marks)
//   series          a metric per period with its interval (line and band;
//                   periods with n < thin_below marked)
//   resolution      resolution rate per group (bars with whiskers)
//   ingest          rows read / accepted / rejected by reason, missing
//                   fields, a sample of the rejected rows
//   journey         when the data has journeys (journey_section): the
//                   channel × stage map of the mean experience (heat grid,
//                   empty cells marked, thin cells hatched), touchpoint
//                   impact (lift over the base rate of being the negative
//                   peak and the end of detractors' journeys) and the memory
//                   models (cross-validated RMSE: does peak-end beat the
//                   mean?), with the remembered score beside the plain mean
//   trend           when the data spans enough periods (trend_section,
//                   report/trend_section.hpp): NPS per period with its band,
//                   the trend line and the forecast fan (80 % and 95 %)
//   drivers         when the report is asked for a key-driver analysis
//                   (report/driver_section.hpp): the importances with their
//                   intervals, R², n, rows dropped, each driver's
//                   performance and the importance × performance chart
//
// render_html writes one self-contained HTML5 file: inline CSS, inline SVG
// (report/svg.hpp), no scripts, no external fonts, images or URLs, so it
// opens from disk and prints. Each section shows its chart and the table
// the chart was drawn from. The markup is also well-formed XML (void
// elements self-closed, only the five XML entities), so XML tools can read
// it. render_markdown writes the same tables as GitHub-flavoured Markdown.
// Both are pure functions of the model: identical models give identical
// bytes. Every text from the data (labels, file names, reject values) is
// escaped: & < > " ' in HTML; in Markdown | \ ` * always, '<' before a
// letter, '/', '!' or '?' (a tag) and ']' before '(' (a link), and line
// breaks become spaces; bytes that are not valid UTF-8 become U+FFFD.
//
// Building a model from responses: report/model.hpp.
//
// Header: cxmetrics/report/html.hpp; implemented in src/report/html.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/export.hpp"
#include "cxmetrics/io/rejects.hpp"
#include "cxmetrics/journey/memory_models.hpp"
#include "cxmetrics/journey/peak_end.hpp"
#include "cxmetrics/journey/summary.hpp"
#include "cxmetrics/journey/touchpoints.hpp"
#include "cxmetrics/report/driver_section.hpp"
#include "cxmetrics/report/journey_charts.hpp"
#include "cxmetrics/report/svg.hpp"
#include "cxmetrics/report/trend_section.hpp"
#include "cxmetrics/stats/compare_to_rest.hpp"
#include "cxmetrics/stats/multiplicity.hpp"

namespace cxm::inline v0_1::report {

/// A headline metric over all responses, in display units.
struct headline {
  std::string name;         ///< "NPS"
  std::string description;  ///< e.g. "points, -100..100; adjusted Wald interval"
  std::string unit;         ///< appended to the value: "" or "%"
  int decimals = 1;         ///< 0…10
  estimate value;
};

/// Detractor / passive / promoter amounts of one group (counts, or Σw when
/// the model is weighted).
struct distribution_row {
  std::string label;
  double detractors = 0.0;
  double passives = 0.0;
  double promoters = 0.0;
  std::uint64_t n = 0;  ///< responses with a score in the group
};

/// One group of a comparison, in display units.
struct group_row {
  std::string label;
  estimate value;       ///< the group's metric
  estimate difference;  ///< group − rest of the responses
  double p_value = std::numeric_limits<double>::quiet_NaN();     ///< raw two-sided p of the difference
  double p_adjusted = std::numeric_limits<double>::quiet_NaN();  ///< adjusted across the comparison's tested groups
  std::uint64_t excluded = 0;  ///< responses of the group without this metric (missing score, unknown answer)
  /// Whether the group was tested (stats/compare_to_rest.hpp); too_few and
  /// untestable rows have no p-value and are shown as such.
  stats::rest_status status = stats::rest_status::tested;
  std::string note;  ///< why the group was not tested
};

/// A metric per group, each group tested against the rest.
struct group_comparison {
  std::string id;        ///< short key, e.g. "nps-by-channel" (data-chart attribute, section anchor)
  std::string title;     ///< e.g. "NPS by channel"
  std::string metric;    ///< column header of the value, e.g. "NPS"
  std::string group_by;  ///< column header of the groups, e.g. "channel"
  std::string unit;      ///< "" or "%"
  int decimals = 1;      ///< 0…10
  std::string method;    ///< one sentence: interval and test used
  estimate overall;      ///< the metric over all groups (the reference line)
  std::vector<group_row> rows;
  stats::p_adjust adjust = stats::p_adjust::holm;
  double alpha = 0.05;  ///< significance level of the marks
  std::vector<std::string> notes;  ///< shown below the table (e.g. pooled groups, too few to test)
};

/// One period of a series.
struct period_point {
  std::string label;  ///< e.g. "2024-03"
  estimate value;     ///< no_data for a period without responses
};

/// A metric per consecutive period.
struct period_series {
  std::string id;      ///< e.g. "nps-by-month"
  std::string title;
  std::string metric;  ///< e.g. "NPS"
  std::string period;  ///< e.g. "month"
  std::string unit;
  int decimals = 1;
  std::string method;
  std::uint64_t thin_below = 100;  ///< periods with n < thin_below are marked thin
  std::uint64_t undated = 0;       ///< responses without a time (not in any period)
  std::vector<period_point> points;
};

/// One place of the journey section: a touchpoint with its owner class,
/// and its impact (journey/touchpoints.hpp; score on the experience scale).
struct journey_touchpoint {
  std::string touchpoint;
  std::string owner;
  touchpoint_row impact;
};

/// The journey section (see the header comment). Experience values are on
/// the experience scale −1…1 (journey/experience.hpp); outcomes on their own
/// scale (e.g. NPS 0–10).
struct journey_section {
  std::string id = "journeys";
  std::string title = "Journeys";
  std::string method;            ///< one sentence: how events and journeys were read
  std::uint64_t journeys = 0;    ///< journeys with at least one event
  std::uint64_t events = 0;
  std::uint64_t with_outcome = 0;  ///< journeys with events and an outcome
  std::uint64_t detractors = 0;    ///< of those, outcome <= detractor_max
  int detractor_max = 6;
  memory_weights weights{};        ///< of the remembered score
  journey_summary_result summary;  ///< remembered score beside the plain mean
  // The map: cells[i * stages.size() + j] is (channels[i], stages[j]).
  std::string row_label = "channel";
  std::string column_label = "stage";
  std::vector<std::string> channels;
  std::vector<std::string> stages;
  std::vector<estimate> cells;     ///< mean experience (t interval), n = events; no_data: no events
  std::uint64_t thin_below = 30;   ///< cells with fewer events are hatched
  /// The touchpoints shown (most negative-peak lift first) and how many there were.
  std::vector<journey_touchpoint> touchpoints;
  std::size_t touchpoints_total = 0;
  memory_model_report models;
  std::vector<std::string> notes;  ///< shown below the section's tables
};

/// Everything a report shows.
struct report_model {
  std::string title = "Customer experience report";
  std::string source;          ///< where the data came from (file name), shown under the title
  std::uint64_t responses = 0;  ///< responses the metrics rest on
  double level = 0.95;          ///< level of every interval
  bool weighted = false;        ///< survey weights were applied
  std::string weight_column;    ///< the column they came from (shown in the header line)
  std::vector<headline> headlines;
  std::string distribution_title = "NPS score distribution by channel";
  std::string distribution_group = "channel";  ///< column header of the distribution table
  std::array<std::string, 3> distribution_categories{"Detractors (0-6)", "Passives (7-8)", "Promoters (9-10)"};
  std::vector<distribution_row> distributions;
  std::vector<group_comparison> comparisons;
  std::vector<period_series> series;
  std::optional<group_comparison> resolution;  ///< drawn as bars with whiskers
  std::optional<ingest_summary> ingest;
  /// The first rejected rows (shown as given, with their cause as
  /// to_string(reject_cause) names it: the same names as the ingest table
  /// and a rejects file); their number out of ingest->rejected is shown.
  std::vector<ingest_reject> rejects;
  std::optional<journey_section> journey;  ///< only when the data has journeys
  std::optional<trend_section> trend;      ///< only when the data spans enough periods
  std::optional<driver_section> drivers;   ///< only when a driver analysis was asked for
  std::vector<std::string> notes;   ///< shown at the end
};

/// The whole report as one self-contained HTML5 file (see the header
/// comment). Throws invalid_argument for a bad level or decimals.
[[nodiscard]] CXMETRICS_API std::string render_html(const report_model& model);

/// The report's tables as GitHub-flavoured Markdown (see the header comment).
[[nodiscard]] CXMETRICS_API std::string render_markdown(const report_model& model);

// The charts of the report, as render_html draws them (also for writers
// that place charts themselves).

/// Stacked bars of model.distributions.
[[nodiscard]] CXMETRICS_API stacked_bar_chart distribution_chart(const report_model& model);
/// Dots with whiskers (or, for the resolution section, bars) of a comparison.
[[nodiscard]] CXMETRICS_API interval_chart comparison_chart(const group_comparison& comparison, double level);
/// Line with band of a series.
[[nodiscard]] CXMETRICS_API series_chart period_chart(const period_series& series, double level);
/// The journey map as a heat grid of the mean experience (−1…1, midpoint 0).
[[nodiscard]] CXMETRICS_API heat_grid_chart journey_map_chart(const journey_section& journey, double level);
/// Touchpoint lift over the base rate: negative peak and end of detractors' journeys.
[[nodiscard]] CXMETRICS_API ratio_chart touchpoint_chart(const journey_section& journey, double level);
/// Cross-validated RMSE of each memory model, the best marked.
[[nodiscard]] CXMETRICS_API model_error_chart memory_model_chart(const journey_section& journey);

}  // namespace cxm::report
