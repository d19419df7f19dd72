// Building a report_model (report/html.hpp) from a table of responses.
//
// build_report_model computes, with the library's metrics:
//
//   headlines      NPS (points; compute_nps, adjusted Wald interval of Rocks
//                  2016), CSAT share satisfied (%; top box of the table's
//                  CSAT scale, Wilson interval), CES mean (1–7; Student t
//                  interval), resolution rate (%; Wilson interval, unknown
//                  answers excluded).
//   distributions  detractor / passive / promoter counts (Σw when weighted)
//                  per channel, then a row "all".
//   comparisons    NPS by channel, NPS by segment, CSAT share satisfied by
//                  channel: each group against the rest of the responses
//                  (all other groups merged) — NPS by the two-sample z test
//                  of compare_nps, shares by the two-proportion z test of
//                  stats::compare_proportions (Newcombe interval) — with the
//                  p-values of one comparison adjusted together
//                  (stats::adjust_p, Holm 1979 by default); alpha = 1 − level.
//   series         NPS per calendar month (UTC), every month from the first
//                  to the last with responses (months without any are
//                  no_data points); months with n < thin_below are thin.
//   resolution     resolution rate per channel, tested against the rest
//                  like the shares above.
//
// A section whose metric has no responses at all (e.g. no CSAT column) is
// left out; a headline without responses says "no data". Groups are the
// channels with at least one response, in channel-id order (built-in
// channels first), and the segments in alphabetical order ("(none)" for
// responses without a segment). With `weighted` the table's weights enter
// every metric and test (see each metric's header for the weighted forms).
// Deterministic: the same table and options give the same model.
//
// The csv_result overload adds the ingest summary and the first
// max_rejects_shown rejected rows.
//
// Header: cxmetrics/report/model.hpp; implemented in src/report/model.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/export.hpp"
#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/report/html.hpp"
#include "cxmetrics/stats/multiplicity.hpp"

namespace cxm::report {

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
  std::size_t max_rejects_shown = 10;  ///< csv_result overload: rejected rows listed
};

/// The report of a table (see the header comment). Throws invalid_argument
/// for a level outside (0, 1).
[[nodiscard]] CXMETRICS_API report_model build_report_model(const response_table& table,
                                                           const model_options& options = {});

/// The report of a CSV ingest: the table's report plus the ingest summary
/// and a sample of the rejects.
[[nodiscard]] CXMETRICS_API report_model build_report_model(const csv_result& data, const model_options& options = {});

}  // namespace cxm::report
