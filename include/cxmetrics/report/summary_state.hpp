// summary_state: what `cxm summary` keeps of its input — the answer counts
// of every group and of every declared score field, and what the reading
// saw — as one mergeable, serialisable value, and summary_tables(), the
// tables `cxm summary` prints, computed from it alone.
//
//   cxm::summary_state s({cxm::summary_key::channel}, options);     // options: the read's ingest_options
//   auto report = cxm::stream_responses(file, options, {[&](const cxm::response_batch& b) { s.feed(b); }, {}});
//   s.note_input(report);                                             // rows read, rejects, columns
//   auto bytes = cxm::serialize(s);                                   // ship it; a few hundred bytes
//   auto t = cxm::deserialize<cxm::summary_state>(bytes);
//   t.merge(other);                                                   // another file's state
//   for (const auto& table : cxm::summary_tables(t, {})) ...         // what `cxm summary` prints
//
// Groups. A group is keyed by one key_value per summary key, in the order
// given: a label (channel, normalised as channel_set does; segment and agent
// verbatim, "" for none) or a calendar month in the state's UTC offset. They
// are listed in key order (labels by their bytes, months in time order, a
// response without a label or a time first), as group_by lists them.
// Without keys the state holds at most one group, with the empty key.
//
// Merging. merge(other) adds other's counts group by group and its ingest
// counts; the result equals the state of the concatenated inputs (integer
// counts are exact; weight sums add in merge order, as group_by's do). The
// keys, UTC offset, scales, declared score fields (name, field id, scale) and
// the weight column must be equal: otherwise incompatible_merge, and the
// state is unchanged. Columns present in either input count as present. The
// delimiter and decimal point of two CSV reads that differ are dropped.
//
// What is not state: level, interval methods, p-value adjustment, weighted
// SE, the --min-n and --max-groups of the tables; they are
// summary_table_options, given to summary_tables().
//
// Binary form (io/binary.hpp's framework; type tag 0x0060, state version 1).
// Payload:
//   +0  u32 K keys, then K × u8 key code (0 channel, 1 month, 2 segment, 3 agent)
//   i32 utc_offset in seconds, within ±64800
//   the prototype: a tagged metric_set<score_histogram ×3, resolution_accumulator>
//       (its scales; it must be empty)
//   u32 R declared score fields, then R tagged metric_set<bound<rating_accumulator>>
//       prototypes (empty)
//   u32 C (= predefined_field_count) column names, each a string ("" none)
//   u64 inputs (reads noted)
//   the ingest summary: u64 rows_read, accepted, rejected, empty_lines,
//       bytes_read (rows_read = accepted + rejected), then three maps
//       (rejected_by_reason, rejected_by_cause, missing_by_field), each a
//       u32 count and (string, u64) pairs, names strictly ascending
//   u8 delimiter, bool delimiter_detected, u8 decimal point, bool detected
//   u32 G groups, then G times: K keys (a label: u32 length + bytes; a month:
//       i32 period index, period::no_time for none), strictly ascending; the
//       group's counts and its R ratings inline in their prototypes' layout
//   Each group's counts lie on the prototype's scales; ratings on their field.
//
// Header: cxmetrics/report/summary_state.hpp (compiled part: src/report/
// summary_state.cpp, src/report/summary_tables.cpp). Complexity: feed O(rows
// + groups) per batch; merge O(groups · log groups); the tables O(groups).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/fields.hpp"
#include "cxmetrics/engine/key_extractor.hpp"
#include "cxmetrics/engine/metric_set.hpp"
#include "cxmetrics/export.hpp"
#include "cxmetrics/io/binary_stream.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/io/ingest_options.hpp"
#include "cxmetrics/metrics/rating.hpp"
#include "cxmetrics/metrics/resolution.hpp"
#include "cxmetrics/stats/multiplicity.hpp"
#include "cxmetrics/stats/weighted_se.hpp"

namespace cxm::inline v0_1 {

/// What a summary groups by.
enum class summary_key : std::uint8_t { channel, month, segment, agent };

/// "channel", "month", "segment", "agent".
[[nodiscard]] CXMETRICS_API const char* to_string(summary_key k) noexcept;
/// The key of a name; throws invalid_argument naming the names it knows.
[[nodiscard]] CXMETRICS_API summary_key summary_key_from(std::string_view name);
/// The response field a key groups by (month: the timestamp), whose column
/// the input must have.
[[nodiscard]] constexpr response_field field_of(summary_key k) noexcept {
  switch (k) {
    case summary_key::channel: return response_field::channel;
    case summary_key::month: return response_field::timestamp;
    case summary_key::segment: return response_field::segment;
    case summary_key::agent: return response_field::agent;
  }
  return response_field::channel;
}

/// The counts of one group: NPS, CSAT and CES histograms on the input's
/// scales, resolution with its unknowns, and the rows.
using summary_counts = metric_set<score_histogram, score_histogram, score_histogram, resolution_accumulator>;
/// The state of one declared score field in one group.
using summary_rating = metric_set<bound<rating_accumulator>>;

/// One group of a summary.
struct summary_group {
  summary_counts counts;
  std::vector<summary_rating> ratings;  ///< one per declared score field, in schema order

  friend bool operator==(const summary_group&, const summary_group&) = default;
};

/// What the reading of the input(s) saw: the ingest table's numbers, the
/// columns present (predefined fields) and the CSV dialect.
struct summary_input {
  ingest_summary summary;
  std::vector<std::string> columns = std::vector<std::string>(predefined_field_count);
  std::uint64_t inputs = 0;  ///< reads noted (note_input), merged ones included
  char delimiter = 0;        ///< 0: not CSV, or reads that differ
  bool delimiter_detected = false;
  char decimal_point = 0;
  bool decimal_point_detected = false;

  [[nodiscard]] bool has(response_field f) const noexcept { return !columns[static_cast<std::size_t>(f)].empty(); }
};

/// Every field equal (the ingest summary's maps included).
[[nodiscard]] CXMETRICS_API bool same_input(const summary_input& a, const summary_input& b);
[[nodiscard]] inline bool operator==(const summary_input& a, const summary_input& b) { return same_input(a, b); }

/// See the header comment.
class CXMETRICS_API summary_state {
 public:
  using key_type = std::vector<key_value>;

  /// A state of no input, grouping by `keys` (at most 4, each once), on
  /// the scales and declared score fields of `options` (the options the
  /// input is read with); months in `utc_offset` (within ±18:00).
  summary_state(std::vector<summary_key> keys, const ingest_options& options,
                std::chrono::seconds utc_offset = std::chrono::seconds{0});

  /// Adds a batch of accepted responses.
  void feed(const response_batch& b);
  /// Adds what a read of one input reported (counts, columns, dialect).
  void note_input(const ingest_report& r);
  /// Adds `other` (see the header comment); throws incompatible_merge.
  void merge(const summary_state& other);

  [[nodiscard]] const std::vector<summary_key>& keys() const noexcept { return keys_; }
  [[nodiscard]] std::chrono::seconds utc_offset() const noexcept { return offset_; }
  [[nodiscard]] const std::map<key_type, summary_group>& groups() const noexcept { return groups_; }
  /// Every response: the groups merged.
  [[nodiscard]] summary_group overall() const;
  /// An empty group (the prototypes).
  [[nodiscard]] summary_group empty_group() const { return {prototype_, rating_prototypes_}; }
  [[nodiscard]] const summary_input& input() const noexcept { return input_; }
  /// The weight column ("" unweighted).
  [[nodiscard]] const std::string& weight_column() const noexcept {
    return input_.columns[static_cast<std::size_t>(response_field::weight)];
  }
  /// Responses counted (the groups' rows).
  [[nodiscard]] std::uint64_t count() const noexcept;

  friend bool operator==(const summary_state&, const summary_state&) = default;

 private:
  summary_state() = default;
  friend CXMETRICS_API summary_state read_state(binary_reader& r, serial_tag<summary_state>);
  void check_compatible(const summary_state& o) const;
  void merge_input(const summary_input& o);

  std::vector<summary_key> keys_;
  std::chrono::seconds offset_{0};
  summary_counts prototype_;
  std::vector<summary_rating> rating_prototypes_;
  summary_input input_;
  std::map<key_type, summary_group> groups_;
};

constexpr serial_type serial_type_of(serial_tag<summary_state>) noexcept {
  return {type_tag::summary_state, 1, "summary_state"};
}
CXMETRICS_API void write_state(binary_writer& w, const summary_state& s);
[[nodiscard]] CXMETRICS_API summary_state read_state(binary_reader& r, serial_tag<summary_state>);

/// The interval methods of a summary: one for NPS, one for proportions
/// (means always use t).
struct summary_methods {
  interval_method nps = interval_method::adjusted_wald;
  interval_method proportion = interval_method::wilson;

  /// Takes `m` for each kind of estimate it applies to; false when it
  /// applies to none.
  bool use(interval_method m) noexcept;
};

/// The query parameters of the tables (not state).
struct summary_table_options {
  /// Metrics to show, of nps, csat, ces, resolution; one whose column the
  /// input lacks is left out.
  std::vector<std::string> metrics{"nps", "csat", "ces", "resolution"};
  double level = 0.95;
  summary_methods methods;
  stats::p_adjust adjust = stats::p_adjust::holm;
  stats::weighted_se se = stats::weighted_se::linearized;
  double min_n = 30;               ///< least (effective) n on each side of a test
  std::size_t max_groups = 100;    ///< groups shown, the rest pooled into "other (k groups)"; 0: all
};

/// A cell: empty, text, a count, a real (shown with `digits` decimals;
/// negative: that many significant digits) or a flag.
struct summary_cell {
  std::variant<std::monostate, std::string, std::int64_t, std::uint64_t, double, bool> value;
  int digits = 4;
};

/// A table of `cxm summary`; column names double as JSON keys.
struct summary_table {
  std::string name;
  std::string title;
  std::vector<std::string> columns;
  std::vector<std::vector<summary_cell>> rows;
  std::vector<std::string> notes;
};

/// The tables `cxm summary` prints for `s` (the metrics, each declared
/// score field's two, then "ingest"), and, through `groups_shown`, the
/// number of groups (1 without keys when there are responses).
[[nodiscard]] CXMETRICS_API std::vector<summary_table> summary_tables(const summary_state& s,
                                                                      const summary_table_options& o,
                                                                      std::size_t* group_count = nullptr);

}  // namespace cxm
