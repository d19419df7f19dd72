// Building a report_model (report/html.hpp) from a table of responses.
//
// build_report_model computes, with the library's metrics:
//
//   headlines      NPS (points; compute_nps, adjusted Wald interval of Rocks
//                  2016), CSAT share satisfied (%; top box of the table's
//                  CSAT scale, Wilson interval), CES mean (Student t
//                  interval), resolution rate (%; Wilson interval, unknown
//                  answers excluded).
//   distributions  detractor / passive / promoter counts (Σw when weighted)
//                  per channel shown, then "other (k groups)" when some are
//                  pooled, then a row "all".
//   comparisons    NPS by channel, NPS by segment, CSAT share satisfied by
//                  channel: each group against the rest of the responses by
//                  stats::compare_to_rest (NPS: z test with the variance
//                  pooled under H0; shares: pooled two-proportion z test;
//                  groups below min_n responses on a side, or below
//                  Cochran's expected count of 5 for shares, are "too few":
//                  not tested, not in the adjustment), the p-values of the
//                  tested groups of one comparison adjusted together
//                  (Holm 1979 by default); alpha = 1 − level.
//   series         NPS per calendar month at utc_offset from UTC, every
//                  month from the first to the last with responses (months
//                  without any are no_data points); months with
//                  n < thin_below are thin.
//   resolution     resolution rate per channel, tested against the rest
//                  like the shares above.
//
// Groups at scale: channels and segments are ranked by responses (ties:
// channel id, segment name); the max_groups largest are shown (channels in
// id order, built-in ones first; segments in alphabetical order, "(none)"
// for responses without one) and the others are pooled into one row
// "other (k groups)", tested against the rest like any group, and a note
// says so. Building the model is linear in rows and groups.
//
// Metrics: `metrics` says which are shown; one left out (e.g. because the
// input has no column for it) has no headline card and no section. A shown
// section whose metric has no responses at all is left out too. With
// `weighted` the table's weights enter every metric and test (see each
// metric's header for the weighted forms); weight_column names the column
// in the notes. Deterministic: the same table and options give the same
// model.
//
// Journeys: with model_options::journey set and a table that has its
// journey field (a declared category field, "journey" by default), the
// model gets a journey section (build_journey_section): the table's rows
// read by journey_reader (journey/journeys.hpp: events on the experience
// scale from the first answered score field, the outcome from the NPS
// field), the channel × stage journey_map's mean experience per cell, the
// touchpoint impact of each (touchpoint, owner) with the most negative-peak
// lift first, the remembered score beside the plain mean
// (journey_summary), and the memory models compared by 10-fold
// cross-validated RMSE (compare_memory_models, folds by the hash of the
// journey id). Rows the journey rules reject are counted in a note.
//
// Trend: with model_options::trend set (the default) and NPS shown, the
// model gets a trend section (build_trend_section, report/trend_section.hpp:
// when it appears, the period chosen by the span, the trend, change alerts
// and forecast), its periods thin below thin_below like the series above;
// when the span is too short a note says so instead.
// Key drivers: with model_options::drivers set, the model gets a driver
// section (build_driver_section, report/driver_section.hpp): the outcome's
// key drivers among the named fields, their importances and performance,
// and the importance × performance chart; its errors (a field the table
// lacks, data the analysis cannot use) are build_report_model's.
//
// The ingest_result overload (what read_responses returns) adds the ingest
// summary and the first max_rejects_shown rejected rows, and leaves out the
// metrics whose column the file lacks (the fields of
// ingest_summary::missing_by_field).
//
// Header: cxmetrics/report/model.hpp; implemented in src/report/model.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/export.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/journey/journeys.hpp"
#include "cxmetrics/journey/peak_end.hpp"
#include "cxmetrics/report/driver_section.hpp"
#include "cxmetrics/report/html.hpp"
#include "cxmetrics/report/trend_section.hpp"
#include "cxmetrics/stats/multiplicity.hpp"

namespace cxm::inline v0_1::report {

/// What the journey section reads and how (build_journey_section).
struct journey_options {
  /// Journey, touchpoint, stage and owner fields, score fields and outcome
  /// (journey/journeys.hpp); a touchpoint, stage or owner field the table
  /// lacks is not read.
  journey_fields fields{};
  memory_weights weights{};        ///< of the remembered score (default ½ peak, ½ end)
  int detractor_max = 6;           ///< outcomes up to this are detractors
  std::uint64_t thin_below = 30;   ///< map cells with fewer events are hatched
  std::size_t max_touchpoints = 20;  ///< touchpoints shown (0: all)
};

/// How build_report_model computes the report.
struct model_options {
  std::string title = "Customer experience report";
  std::string source;                               ///< shown under the title (file name)
  double level = 0.95;                              ///< every interval's level; alpha = 1 − level
  bool weighted = false;                            ///< apply the table's survey weights
  stats::p_adjust adjust = stats::p_adjust::holm;  ///< p-value adjustment within each comparison
  /// Months with fewer NPS responses are marked thin. At n = 100 the 95 %
  /// interval of an NPS near 0 with 30 % promoters and 30 % detractors is
  /// about ±15 points (SE = 100·√(0.6/100) ≈ 7.7), too wide to read a
  /// month-to-month change.
  std::uint64_t thin_below = 100;
  std::size_t max_rejects_shown = 10;  ///< ingest_result overload: rejected rows listed
  /// Least responses (Kish's effective n when weighted) on each side of a
  /// group-vs-rest test (stats::rest_options::min_n).
  double min_n = 30;
  /// Groups shown per grouping; the others are pooled into "other (k
  /// groups)". 0 shows every group.
  std::size_t max_groups = 30;
  /// Offset of the month buckets from UTC (e.g. +2 h: a response at
  /// 2024-03-31T23:30Z is in April).
  std::chrono::seconds utc_offset{0};
  /// Which metrics are shown (headline card and sections).
  struct shown_metrics {
    bool nps = true;
    bool csat = true;
    bool ces = true;
    bool resolution = true;
  } metrics;
  /// The column that weighted the run, for the notes (when weighted).
  std::string weight_column;
  /// The journey section: built when set and the table has the journey field.
  std::optional<journey_options> journey;
  /// The trend section (report/trend_section.hpp): built when set, NPS is
  /// shown and its dated answers span enough periods; unset: no section.
  std::optional<trend_options> trend = trend_options{};
  /// The key-driver section (report/driver_section.hpp): built when set.
  std::optional<driver_report_options> drivers;
};

/// The report of a table (see the header comment). Throws invalid_argument
/// for a level outside (0, 1).
[[nodiscard]] CXMETRICS_API report_model build_report_model(const response_table& table,
                                                           const model_options& options = {});

/// The journey options for data of schema `s`: the default fields, with the
/// touchpoint, stage and owner fields `s` lacks left out, and as event
/// scores every declared score field of `s` in declaration order (e.g. a
/// 0–10 rating declared as rating:score:0-10), then csat and ces — the
/// order `cxm journeys` reads them in —, the outcome (nps) excepted.
[[nodiscard]] CXMETRICS_API journey_options journey_options_for(const schema& s);

/// The journey section of a table's journey events (see the header
/// comment). Throws invalid_argument when the table lacks the journey field
/// or a score field, or has one with another kind, or for a level outside
/// (0, 1) or weights that are all 0.
[[nodiscard]] CXMETRICS_API journey_section build_journey_section(const response_table& table,
                                                                  const journey_options& options, double level = 0.95);

/// The report of an ingest (read_responses): the table's report plus the
/// ingest summary and a sample of the rejects.
[[nodiscard]] CXMETRICS_API report_model build_report_model(const ingest_result& data,
                                                           const model_options& options = {});

}  // namespace cxm::report
