// Journeys out of response rows: each row an event of one customer's
// journey, read into one peak_end_state per journey (journey/peak_end.hpp).
//
// FIELDS (journey_fields; names of the read's schema, core/schema.hpp):
//
//   journey     a category field: the journey's id (required; a row without
//               one is rejected)
//   touchpoint, owner, stage
//               category fields, each optional (empty name: not read); the
//               stage, when journey_fields::stage_order lists the stages,
//               must be one of them (else the row is rejected)
//   channel     the predefined channel field
//   time        the predefined timestamp (a row without a time counts as
//               earlier than every timed row; rows of equal time are ordered
//               by input order)
//   scores      the event's score: the first of these score fields the row
//               answers, mapped onto −1…1 by its experience_map
//               (journey/experience.hpp: the scale's midpoint, or the
//               neutral point given). A row that answers none is no event,
//               but its outcome still counts.
//   outcome     a score field (nps by default; empty name: none): the
//               journey's outcome, given on one or more of its rows. A row
//               whose outcome differs from the one an earlier row of the
//               same journey gave is rejected (the reason names both values).
//
// An event's tag (journey_event::tag) is the id of its (touchpoint, owner,
// channel, stage) combination in journey_tags, a small dictionary the reader
// keeps, so the worst moment and the end of a journey can be named.
//
// TWO MODES.
//   any order (default)  the journeys are held in a journey_set, one
//                        peak_end_state per journey, in the order of first
//                        appearance. The journey id of a row is its category
//                        id, a dense id of the read's dictionary, so the
//                        state is found by indexing a vector: no hashing per
//                        row (only a journey's first row of a read looks its
//                        label up).
//   sorted               the input comes sorted by journey (and within a
//                        journey in any time order): a journey ends when the
//                        next row names another one (or at close()), and is
//                        handed to the sink then; only the current journey is
//                        held. A journey that appears again after it ended
//                        throws invalid_value naming the journey and the
//                        line (the input is not sorted). A journey must not continue in a
//                        later read.
//
// REJECTS. The reader's rules reject a row (an ingest_reject with cause
// invalid_value, error id invalid_value::code, the file, line and field) for:
// no journey id (no_journey_id), a stage not in the declared order
// (unknown_stage), an outcome that differs from the journey's earlier one
// (outcome_conflict). Rejected rows count nowhere else; journey_read_summary
// counts them by reason, and each goes to the reject handler. Rows the
// ingest reader rejected (a score off its scale, ...) never reach here: they
// are in the ingest report.
//
//   cxm::journey_reader r(cxm::journey_fields{});        // journey, touchpoint, stage, owner; csat, ces; nps
//   auto o = r.ingest_options_for(cxm::ingest_options{}); // declares the category fields
//   r.read("journeys.csv", o);
//   for (std::size_t j = 0; j < r.journeys().size(); ++j)
//     use(r.journeys().id(j), r.journeys()[j]);          // a peak_end_state
//
// Header: cxmetrics/journey/journeys.hpp; compiled part src/journey/journeys.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/engine/metric_set.hpp"
#include "cxmetrics/export.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/io/rejects.hpp"
#include "cxmetrics/io/response_batch.hpp"
#include "cxmetrics/journey/experience.hpp"
#include "cxmetrics/journey/peak_end.hpp"

namespace cxm::inline v0_1 {

/// One score field of journey events: its name and, optionally, the neutral
/// point of its experience map (default: the scale's midpoint).
struct journey_score_field {
  std::string name;
  std::optional<double> neutral;
  friend bool operator==(const journey_score_field&, const journey_score_field&) = default;
};

/// The fields a journey_reader reads (see the header comment).
struct journey_fields {
  std::string journey = "journey";
  std::string touchpoint = "touchpoint";  ///< empty: not read
  std::string stage = "stage";            ///< empty: not read
  std::string owner = "owner";            ///< empty: not read
  /// The event's score: the first of these the row answers.
  std::vector<journey_score_field> scores{{"csat", {}}, {"ces", {}}};
  std::string outcome = "nps";            ///< a score field; empty: none
  /// The stages in journey order (e.g. awareness, purchase, delivery,
  /// support); empty: any stage, ordered by first appearance.
  std::vector<std::string> stage_order;
  bool sorted = false;                    ///< the sorted (streaming) mode
};

/// The place of an event: what its tag stands for.
struct touchpoint_label {
  std::string touchpoint;
  std::string owner;
  std::string channel;
  std::string stage;
  friend bool operator==(const touchpoint_label&, const touchpoint_label&) = default;
};

/// The tags of a read: tag t is labels()[t], in order of first use.
class CXMETRICS_API journey_tags {
 public:
  /// The tag of a place, added when new.
  std::uint32_t id_of(const touchpoint_label& l);
  [[nodiscard]] const touchpoint_label& operator[](std::uint32_t tag) const { return labels_.at(tag); }
  [[nodiscard]] std::size_t size() const noexcept { return labels_.size(); }
  [[nodiscard]] const std::vector<touchpoint_label>& labels() const noexcept { return labels_; }

 private:
  std::vector<touchpoint_label> labels_;
  std::unordered_map<std::string, std::uint32_t> index_;
};

/// Journeys by id, in order of first appearance. Two sets merge by id
/// (journeys split across reads merge exactly); tags are those of one
/// journey_tags, so sets of two readers merge only through merge(o, remap).
class CXMETRICS_API journey_set {
 public:
  [[nodiscard]] std::size_t size() const noexcept { return states_.size(); }
  [[nodiscard]] bool empty() const noexcept { return states_.empty(); }
  [[nodiscard]] const std::string& id(std::size_t j) const { return ids_.at(j); }
  [[nodiscard]] const peak_end_state& operator[](std::size_t j) const { return states_.at(j); }
  [[nodiscard]] peak_end_state& operator[](std::size_t j) { return states_.at(j); }
  /// The index of a journey, added (empty) when new.
  std::size_t slot_of(std::string_view id);
  /// The index of a journey, if it is here.
  [[nodiscard]] std::optional<std::size_t> find(std::string_view id) const;
  /// Merges every journey of `o` into the journey of the same id (appended
  /// when new). `tag_of` maps o's tags to this set's (identity when empty).
  /// Throws incompatible_merge (from peak_end_state::merge) when a journey
  /// has two outcomes; the set is then partly merged.
  void merge(const journey_set& o, const std::vector<std::uint32_t>& tag_of = {});

 private:
  std::vector<std::string> ids_;
  std::vector<peak_end_state> states_;
  std::unordered_map<std::string, std::size_t> index_;
};

/// What a journey_reader counted. Every row it was given is an event, a row
/// without an event score, or a reject: rows == events + unscored + rejected.
struct journey_read_summary {
  std::uint64_t rows = 0;       ///< rows given (accepted by the ingest reader)
  std::uint64_t events = 0;     ///< rows that became events
  std::uint64_t unscored = 0;   ///< rows with no event score (outcome only, or nothing)
  std::uint64_t rejected = 0;   ///< rows rejected by the journey rules
  std::map<std::string, std::uint64_t> rejected_by_reason;  ///< no_journey_id, unknown_stage, outcome_conflict
  std::uint64_t journeys = 0;   ///< journeys with at least one event (sorted mode: emitted)
  std::uint64_t without_events = 0;  ///< journeys seen with no event (never handed on)
  friend bool operator==(const journey_read_summary&, const journey_read_summary&) = default;
};

/// One event as the reader hands it to an event handler.
struct journey_event_row {
  const response_batch* batch = nullptr;  ///< the row's batch (null for a table)
  const response_table* table = nullptr;  ///< the row's table (null for a batch)
  std::size_t row = 0;                    ///< its index there
  std::uint64_t line = 0;                 ///< its line in the input (a table: row + 1)
  std::string_view journey;               ///< the journey's id (valid during the call)
  journey_event event;                    ///< x, time, order, tag
  std::size_t score_field = 0;            ///< the index in journey_fields::scores that gave x
  int stage = -1;                         ///< index in the stage order (first appearance when none was declared)
};

/// Reads journeys out of response rows (see the header comment). Not copyable.
class CXMETRICS_API journey_reader {
 public:
  /// Called with each finished journey (sorted mode; any order: by
  /// for_each_journey, at the end).
  using journey_sink = std::function<void(std::string_view journey, const peak_end_state&)>;

  explicit journey_reader(journey_fields fields);
  ~journey_reader();
  journey_reader(const journey_reader&) = delete;
  journey_reader& operator=(const journey_reader&) = delete;

  /// `base` with the journey, touchpoint, stage and owner declared as
  /// category fields when its schema does not have them (so the input must
  /// have their columns). Throws invalid_argument when one is declared
  /// with another kind.
  [[nodiscard]] ingest_options ingest_options_for(ingest_options base) const;

  /// The handler of finished journeys (sorted mode: required before the first row).
  void on_journey(journey_sink sink) { sink_ = std::move(sink); }
  /// The handler of rows rejected by the journey rules.
  void on_reject(std::function<void(const ingest_reject&)> f) { on_reject_ = std::move(f); }
  /// The handler of every event (e.g. to fill a journey_map or a touchpoint table).
  void on_event(std::function<void(const journey_event_row&)> f) { on_event_ = std::move(f); }

  /// Reads a file (stream_responses) through this reader, as one input;
  /// ingest rejects go to `ingest_rejects` when given. Returns the ingest report.
  ingest_report read(const std::filesystem::path& file, const ingest_options& options,
                     const std::function<void(const ingest_reject&)>& ingest_rejects = {});

  /// Starts a new input: category ids of the batches that follow belong to
  /// another read's dictionaries. `file` names it in rejects.
  void begin_input(std::string file);
  /// Adds the rows of one batch of the current input (see the header
  /// comment). Throws invalid_argument when the batch's schema lacks a
  /// field or has it with another kind; invalid_value in sorted mode when
  /// a journey comes back.
  void add(const response_batch& b);
  /// Adds every row of a table, as one input of its own.
  void add(const response_table& t, std::string name = "table");
  /// Ends the current journey (sorted mode: hands it to the sink). Call it
  /// at the end of input; read() does.
  void close();

  /// The journeys held (any-order mode; empty in sorted mode).
  [[nodiscard]] const journey_set& journeys() const noexcept { return journeys_; }
  /// The tags of the events.
  [[nodiscard]] const journey_tags& tags() const noexcept { return tags_; }
  /// The stages, in order (the declared order, or first appearance).
  [[nodiscard]] const std::vector<std::string>& stages() const noexcept { return stages_; }
  [[nodiscard]] const journey_read_summary& summary() const noexcept { return summary_; }
  [[nodiscard]] const journey_fields& fields() const noexcept { return fields_; }
  /// Hands every held journey with at least one event to the journey sink,
  /// in order of first appearance (any-order mode).
  void for_each_journey(const journey_sink& f) const;
  /// Journeys held in memory now: in sorted mode at most 1 (the current
  /// one), whatever the number read; in any order every journey.
  [[nodiscard]] std::size_t held_journeys() const noexcept;

 private:
  struct impl;
  journey_fields fields_;
  journey_set journeys_;
  journey_tags tags_;
  std::vector<std::string> stages_;
  journey_read_summary summary_;
  journey_sink sink_;
  std::function<void(const ingest_reject&)> on_reject_;
  std::function<void(const journey_event_row&)> on_event_;
  std::unique_ptr<impl> impl_;
};

/// The mean of the experience x with a Student t interval (n − 1 degrees of
/// freedom); no_data below 1 event, insufficient at 1.
struct experience_mean {
  std::uint64_t n = 0;
  double mean = 0.0;
  double m2 = 0.0;  ///< Σ(x − mean)² (Welford 1962)
  void add(double x) noexcept {
    ++n;
    const double d = x - mean;
    mean += d / static_cast<double>(n);
    m2 += d * (x - mean);
  }
  /// Chan, Golub & LeVeque (1979)'s pairwise update.
  void merge(const experience_mean& o) noexcept {
    if (o.n == 0) return;
    if (n == 0) {
      *this = o;
      return;
    }
    const double na = static_cast<double>(n), nb = static_cast<double>(o.n), d = o.mean - mean;
    mean += d * nb / (na + nb);
    m2 += o.m2 + d * d * na * nb / (na + nb);
    n += o.n;
  }
  [[nodiscard]] CXMETRICS_API estimate result(double level = 0.95) const;
};

/// The metrics of one cell of the channel × stage map: the histograms of
/// NPS, CSAT and CES (on the read's scales) and the resolution of the cell's
/// event rows (metrics/nps.hpp compute_nps, stats/proportion.hpp and
/// stats/mean.hpp turn them into estimates), and the mean experience of its
/// events.
using journey_cell_metrics = metric_set<score_histogram, score_histogram, score_histogram, resolution_accumulator>;
struct journey_cell {
  journey_cell_metrics metrics;
  experience_mean experience;
};

/// The channel × stage journey map: one journey_cell per (channel, stage)
/// that has events; a cell with none is absent (cell() returns null), never
/// zero. Fed with journey_reader::on_event (add).
class CXMETRICS_API journey_map {
 public:
  explicit journey_map(table_scales scales = {});
  /// Adds the event's row: its NPS, CSAT, CES and resolution to the metrics
  /// of its cell, its x to the cell's experience.
  void add(const journey_event_row& e, const std::vector<std::string>& stages);
  void merge(const journey_map& o);
  /// Channels and stages with at least one event, in order of first use.
  [[nodiscard]] const std::vector<std::string>& channels() const noexcept { return channels_; }
  [[nodiscard]] const std::vector<std::string>& stages() const noexcept { return stages_; }
  /// The cell, or null when it has no events.
  [[nodiscard]] const journey_cell* cell(const std::string& channel, const std::string& stage) const;
  /// Orders the stages as `order` lists them (others after, as they were).
  void order_stages(const std::vector<std::string>& order);

 private:
  table_scales scales_;
  std::vector<std::string> channels_, stages_;
  std::map<std::pair<std::string, std::string>, journey_cell> cells_;
};

}  // namespace cxm
