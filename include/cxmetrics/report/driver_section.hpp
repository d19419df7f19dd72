// The report's key-driver section: which fields move the outcome
// (drivers/key_drivers.hpp), as the table of every importance measure, the
// drivers' performance and the importance × performance chart
// (report/driver_charts.hpp).
//
// The section is built when the report is asked for it
// (model_options::drivers, report/model.hpp; `cxm report --drivers a,b,c
// [--outcome nps]`): an outcome and k driver fields of the table's schema,
// each a score field (nps, csat, ces or a declared rating, on its own
// scale) or a numeric one, as for `cxm drivers`. build_driver_section reads
// the table once into a drivers::driver_input (the missing-value policy
// applied, the rows each policy drops counted), analyses it with
// drivers::analyse_drivers and, with bootstrap > 0, gives every measure and
// R² the percentile interval of drivers::bootstrap_drivers (seeded).
// Performance: each driver's mean (t interval) and, for a score, its
// top-box share (Wilson interval) over the rows of the analysis. Quadrants
// (drivers::quadrants): LMG and the top-box share, each split at its
// median over the drivers — only when every driver is a score (a numeric
// driver has no top box): otherwise the section has no chart and says so.
// Survey weights are not used (every row counts once; a note says so when
// the report is weighted).
//
// The section's sentences and tables: the importances (LMG, relative
// weight, Pratt, first and last R² with their bootstrap intervals, the
// standardised β with its t interval, VIF) with a row of their sums (LMG,
// relative weights and Pratt sum to R²); the performance and quadrant per
// driver; the model (R², n, the policy, rows seen, rows dropped listwise
// and pairwise) and the analysis' warnings (strong collinearity).
//
// Bad data is the analysis' error, not a section: too few rows, a field
// that does not vary, collinear drivers (invalid_value naming the field);
// a name that is no score or numeric field of the table is invalid_argument.
//
// Header: cxmetrics/report/driver_section.hpp; implemented in
// src/report/driver_section.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/drivers/key_drivers.hpp"
#include "cxmetrics/drivers/moments.hpp"
#include "cxmetrics/export.hpp"
#include "cxmetrics/report/driver_charts.hpp"

namespace cxm::inline v0_1::report {

/// What the driver section analyses (model_options::drivers).
struct driver_report_options {
  std::string outcome = "nps";       ///< a score or numeric field
  std::vector<std::string> drivers;  ///< k score or numeric fields
  drivers::missing_policy missing = drivers::missing_policy::listwise;
  std::size_t bootstrap = 0;  ///< resamples for percentile intervals (0: none; 1 is invalid)
  std::uint64_t seed = 0;     ///< of the bootstrap
};

/// One driver's performance over the rows of the analysis.
struct driver_performance {
  std::string scale;                ///< "1-5", or "numeric"
  estimate mean;                    ///< t interval
  std::optional<estimate> top_box;  ///< share 0…1, Wilson interval; none for a numeric driver
  std::optional<drivers::quadrant> quadrant;  ///< when every driver is a score
};

/// The section (see the header comment).
struct driver_section {
  std::string id = "drivers";
  std::string title;   ///< "Key drivers of nps"
  std::string method;  ///< one sentence: model, measures, intervals, quadrants
  drivers::driver_analysis analysis;               ///< importances, R², n, rows dropped, warnings
  std::optional<drivers::driver_bootstrap> boot;  ///< with bootstrap > 0
  std::uint64_t seed = 0;
  std::vector<driver_performance> performance;  ///< in the order of analysis.drivers
  std::vector<std::string> notes;               ///< shown below the section's tables
};

/// The section of `table` (see the header comment). Throws invalid_argument
/// for a name that is not a score or numeric field of the table, no driver,
/// one bootstrap resample or a level outside (0, 1); invalid_value for data
/// the analysis cannot use. `weighted`: the report applies survey weights
/// (the section says it does not).
[[nodiscard]] CXMETRICS_API driver_section build_driver_section(const response_table& table,
                                                               const driver_report_options& options,
                                                               double level = 0.95, bool weighted = false);

/// The importance × performance chart of the section: LMG (with its
/// bootstrap interval) against the top-box share in percent (Wilson
/// interval), split at the medians; no points unless every driver is a
/// score.
[[nodiscard]] CXMETRICS_API importance_performance_chart driver_chart(const driver_section& section, double level);

}  // namespace cxm::report
