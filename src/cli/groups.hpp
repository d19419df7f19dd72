// What `cxm summary` and `cxm report` share about groups: the weight flags
// (--weight, --unweighted), the group-vs-rest flags (--min-n, --max-groups)
// and the time zone of month buckets (--utc-offset).
//
// Weights: the column recognised as the weight (by default the one named
// "weight"; --weight COL or --column weight=COL name another) is read,
// validated (bad weights are rejects) and used; --weight COL also makes the
// column required (exit 1 when the file lacks it). --unweighted reads no
// weight column at all.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "cli/cli.hpp"
#include "cli/input.hpp"
#include "cxmetrics/core/period.hpp"
#include "cxmetrics/io/ingest.hpp"

namespace cxm::inline v0_1::cli {

struct group_flags {
  std::string weight;       ///< --weight COL
  bool unweighted = false;  ///< --unweighted
  double min_n = 30;        ///< --min-n: least (effective) n on each side of a test
  std::size_t max_groups = 100;   ///< --max-groups: groups shown; the rest pooled (0: all)
  std::string utc_offset = "+00:00";  ///< --utc-offset for month buckets
};

/// The report's defaults: a chart of the 30 largest groups, the rest pooled.
[[nodiscard]] inline group_flags report_group_flags() {
  group_flags g;
  g.max_groups = 30;
  return g;
}

/// Adds --weight, --unweighted, --min-n, --max-groups (default g.max_groups:
/// the 100 largest groups for summary, the 30 largest for the report) and
/// --utc-offset.
void add_group_flags(CLI::App& sub, group_flags& g);

/// Applies the weight flags to the input (column name, required field).
/// Throws failure(usage) for --weight together with --unweighted.
void apply_weight_flags(const group_flags& g, input_args& in);

/// The column that weighted the run, as the header writes it; empty when
/// the run is unweighted (--unweighted, or no weight column in the file).
[[nodiscard]] std::string weight_column(const group_flags& g, const ingest_report& r);

/// "+02:00", "-05:30", "+0200", "+02", "Z" or "UTC" as an offset from UTC.
/// Throws failure(usage) for anything else or an offset beyond ±18:00.
[[nodiscard]] std::chrono::seconds parse_utc_offset(const std::string& text);

// The offset written back as ±HH:MM: cxm::format_utc_offset (core/period.hpp).

/// The note on stderr (unless --quiet) for metrics of the default list left
/// out because the file has no column for them; nothing when none was.
void note_absent_metrics(const context& ctx, const std::vector<std::string>& absent);

}  // namespace cxm::cli
