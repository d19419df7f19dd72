// response_table: responses stored column by column, for bulk work.
//
// A table follows a schema (core/schema.hpp): one column per field, at the
// field's id, of the type its kind is stored as, so the engines can scan one
// column (e.g. every NPS score) without touching the others:
//
//   kind       column type   meaning                            missing
//   --------   -----------   --------------------------------   ---------------------------
//   score      uint8         the point itself                   missing_score (255)
//   flag       int8          1 yes, 0 no (cxm::resolution)      -1 (unknown)
//   time       int64         Unix seconds, UTC                  missing_time (INT64_MIN)
//   category   uint32        id into the field's dictionary     0 (the empty label)
//              uint16        the channel: cxm::channel_id       "other" (channels::other)
//   numeric    double        the number                         NaN
//   weight     double        survey weight                      1
//   text, id   std::string   verbatim                           ""
//
// The predefined fields keep their typed accessors (nps(), channel(),
// segment(), why(), ...); every field is reached by id (scores(f),
// categories(f), numbers(f), ...; response_field::nps is the id of nps).
// Category labels live in the table's category_dictionaries (core/
// dictionary.hpp), which a table may share with reads and other tables so
// that ids agree; label(f, id) gives any category id's label.
//
// Scores are stored as they are (not as bins), so every score scale lies
// within 0..254 (the schema checks this). The predefined scales are chosen at
// construction (e.g. CSAT top-1-box: table_scales s; s.csat = scale::csat(1);).
//
// append() adds a cxm::response (the predefined fields; declared fields get
// their missing value) after validating all of it: scores on their scales,
// weight finite and >= 0, channel id in the channel set, time not the missing
// sentinel. On failure it throws the typed error (score_out_of_scale,
// invalid_weight, unknown_channel, invalid_value) located with
// at_row(row_index, field), and the table (columns, dictionaries, flags) is
// exactly as before: the strong exception guarantee, also under bad_alloc.
// Readers append whole batches (response_batch::append_to), declared fields
// included.
//
// Header: cxmetrics/core/response_table.hpp. Complexity: append amortised
// O(1) (plus hashing the segment and agent strings), row(i) O(1).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/detail/column_store.hpp"
#include "cxmetrics/core/dictionary.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/core/timestamp.hpp"

namespace cxm::inline v0_1 {

namespace detail {
struct table_access;
template <class T>
using std_column = std::vector<T>;
}  // namespace detail

/// Columnar table of responses (see the header comment).
class response_table {
 public:
  /// Stored in a score column when the response has no such score.
  static constexpr std::uint8_t missing_score = 255;
  /// Stored in a time column when the response has no time.
  static constexpr std::int64_t missing_time = std::numeric_limits<std::int64_t>::min();

  /// An empty table of the predefined fields with the given scales and
  /// channel set (default: NPS 0–10, CSAT 1–5 top-2-box, CES 1–7 easy 5–7;
  /// an open set of the built-in channels). Throws invalid_argument when a
  /// scale does not fit 0..254.
  explicit response_table(table_scales scales = {}, channel_set channels = channel_set{})
      : response_table(cxm::schema(scales), std::make_shared<category_dictionaries>(std::move(channels))) {}

  /// An empty table of a schema's fields, whose category labels are in
  /// `dictionaries` (shared; a new set when null).
  explicit response_table(cxm::schema fields, std::shared_ptr<category_dictionaries> dictionaries = nullptr)
      : schema_(std::move(fields)),
        scales_(schema_.scales()),
        dictionaries_(dictionaries ? std::move(dictionaries) : std::make_shared<category_dictionaries>()) {
    columns_.shape(schema_);
    text_.assign(schema_.columns_of(column_type::text), {});
    for (std::size_t i = 0; i < schema_.size(); ++i) {
      const field_id f(i);
      if (schema_.type_of(f) == column_type::category) labels_.push_back(&dictionaries_->of(schema_[f].name));
    }
  }

  response_table(const response_table& o) { *this = o; }
  response_table(response_table&&) noexcept = default;
  response_table& operator=(response_table&&) noexcept = default;
  /// A copy shares nothing: it gets a copy of the dictionaries.
  response_table& operator=(const response_table& o) {
    if (this == &o) return *this;
    response_table t(o.schema_, std::make_shared<category_dictionaries>(*o.dictionaries_));
    t.weighted_ = o.weighted_;
    t.columns_ = o.columns_;
    t.text_ = o.text_;
    *this = std::move(t);
    return *this;
  }

  [[nodiscard]] std::size_t size() const noexcept { return columns_.channel.size(); }
  [[nodiscard]] bool empty() const noexcept { return columns_.channel.empty(); }

  /// The fields of the table.
  [[nodiscard]] const cxm::schema& schema() const noexcept { return schema_; }
  [[nodiscard]] const table_scales& scales() const noexcept { return scales_; }
  [[nodiscard]] const scale& nps_scale() const noexcept { return scales_.nps; }
  [[nodiscard]] const scale& csat_scale() const noexcept { return scales_.csat; }
  [[nodiscard]] const scale& ces_scale() const noexcept { return scales_.ces; }

  /// Labels of the channel column.
  [[nodiscard]] const channel_set& channel_labels() const noexcept { return dictionaries_->channels(); }
  /// The channel id of a label: an open set adds unknown labels, a closed set
  /// throws unknown_channel naming `where`. Existing ids never change.
  channel_id channel_of(std::string_view label, const location& where = {}) {
    return dictionaries_->channels().id_of(label, where);
  }

  /// Dictionaries of the segment and agent columns.
  [[nodiscard]] const string_dictionary& segments() const noexcept { return *labels_[segment_slot]; }
  [[nodiscard]] const string_dictionary& agents() const noexcept { return *labels_[agent_slot]; }
  /// The dictionary of a category field (not the channel: channel_labels()).
  [[nodiscard]] const string_dictionary& labels(field_id f) const {
    detail::check_column_type(schema_, f, column_type::category);
    return *labels_[schema_.slot_of(f)];
  }
  /// The label of id `v` of a category field, the channel included.
  [[nodiscard]] const std::string& label(field_id f, std::uint32_t v) const {
    if (schema_.type_of(f) == column_type::channel) return channel_labels().name(channel_id{static_cast<std::uint16_t>(v)});
    return labels(f).name(v);
  }
  /// Every category label of the table (shared with whoever else holds them).
  [[nodiscard]] const std::shared_ptr<category_dictionaries>& dictionaries() const noexcept { return dictionaries_; }

  /// True once a row with a weight other than 1 was appended or mark_weighted()
  /// was called (an input with a weight column). When false, every weight is 1.
  [[nodiscard]] bool weighted() const noexcept { return weighted_; }
  /// Declares that weights were given even if all of them are 1.
  void mark_weighted() noexcept { weighted_ = true; }

  /// Reserves room for `n` rows in every column.
  void reserve(std::size_t n) {
    columns_.each([n](auto& c) { c.reserve(n); });
    for (auto& c : text_) c.reserve(n);
  }

  /// Throws what append(r) would throw for row `row`, changing nothing.
  void check(const response& r, std::uint64_t row) const {
    check_score(scales_.nps, r.nps, at_row(row, "nps"));
    check_score(scales_.csat, r.csat, at_row(row, "csat"));
    check_score(scales_.ces, r.ces, at_row(row, "ces"));
    if (r.time) check_time(*r.time, at_row(row, "timestamp"));
    check_channel(r.channel, at_row(row, "channel"));
    check_weight(r.weight, at_row(row, "weight"));
    check_resolution(r.resolved, at_row(row, "resolved"));
  }

  /// Appends a response after validating all of it (see the header comment).
  void append(const response& r) {
    const auto row = static_cast<std::uint64_t>(size());
    check(r, row);
    std::string why = r.why;  // copies made before any column changes
    std::string id = r.id;
    grow_for(size() + 1);
    string_dictionary& segs = *labels_[segment_slot];
    const auto seg = segs.intern(r.segment);
    std::pair<std::uint32_t, bool> ag;
    try {
      ag = labels_[agent_slot]->intern(r.agent);
    } catch (...) {
      if (seg.second) segs.pop_back();
      throw;
    }
    // Nothing below can throw: capacity is reserved and strings are moved.
    append_missing();
    score_column(response_field::nps).back() = store(r.nps);
    score_column(response_field::csat).back() = store(r.csat);
    score_column(response_field::ces).back() = store(r.ces);
    columns_.time[predefined_slot(response_field::timestamp)].back() =
        r.time ? r.time->time_since_epoch().count() : missing_time;
    columns_.channel.back() = r.channel.value;
    columns_.category[segment_slot].back() = seg.first;
    columns_.category[agent_slot].back() = ag.first;
    columns_.number[predefined_slot(response_field::weight)].back() = r.weight;
    columns_.flag[predefined_slot(response_field::resolved)].back() = static_cast<std::int8_t>(r.resolved);
    text_[predefined_slot(response_field::why)].back() = std::move(why);
    text_[predefined_slot(response_field::id)].back() = std::move(id);
    if (r.weight != 1.0) weighted_ = true;
  }

  /// Row `i` as a response (the predefined fields); equals the response that
  /// was appended. Throws invalid_argument when i >= size().
  [[nodiscard]] response row(std::size_t i) const {
    if (i >= size()) {
      throw invalid_argument("row " + std::to_string(i) + " is out of range (table has " + std::to_string(size()) +
                             " rows)");
    }
    response r;
    r.id = id()[i];
    r.nps = load(nps()[i]);
    r.csat = load(csat()[i]);
    r.ces = load(ces()[i]);
    if (time()[i] != missing_time) r.time = timestamp{std::chrono::seconds{time()[i]}};
    r.channel = channel_id{channel()[i]};
    r.segment = segments().names()[segment()[i]];
    r.agent = agents().names()[agent()[i]];
    r.weight = weight()[i];
    r.resolved = static_cast<resolution>(resolved()[i]);
    r.why = why()[i];
    return r;
  }

  // Columns of the predefined fields. Score columns hold the score itself or missing_score.
  [[nodiscard]] std::span<const std::uint8_t> nps() const noexcept { return fixed<std::uint8_t>(response_field::nps); }
  [[nodiscard]] std::span<const std::uint8_t> csat() const noexcept { return fixed<std::uint8_t>(response_field::csat); }
  [[nodiscard]] std::span<const std::uint8_t> ces() const noexcept { return fixed<std::uint8_t>(response_field::ces); }
  /// Unix seconds, or missing_time.
  [[nodiscard]] std::span<const std::int64_t> time() const noexcept { return fixed<std::int64_t>(response_field::timestamp); }
  /// channel_id values; labels via channel_labels().
  [[nodiscard]] std::span<const std::uint16_t> channel() const noexcept { return columns_.channel; }
  /// Ids into segments(); 0 means no segment.
  [[nodiscard]] std::span<const std::uint32_t> segment() const noexcept { return columns_.category[segment_slot]; }
  /// Ids into agents(); 0 means no agent.
  [[nodiscard]] std::span<const std::uint32_t> agent() const noexcept { return columns_.category[agent_slot]; }
  [[nodiscard]] std::span<const double> weight() const noexcept { return fixed<double>(response_field::weight); }
  /// cxm::resolution values: 1 yes, 0 no, -1 unknown.
  [[nodiscard]] std::span<const std::int8_t> resolved() const noexcept { return fixed<std::int8_t>(response_field::resolved); }
  [[nodiscard]] std::span<const std::string> why() const noexcept { return text_[predefined_slot(response_field::why)]; }
  [[nodiscard]] std::span<const std::string> id() const noexcept { return text_[predefined_slot(response_field::id)]; }

  // Columns of any field, by id; each throws invalid_argument naming the
  // field when it is stored otherwise (a category asked for as scores, ...).

  /// A score field: the point or missing_score.
  [[nodiscard]] std::span<const std::uint8_t> scores(field_id f) const { return columns_.of<std::uint8_t>(schema_, f); }
  /// A flag field: 1 yes, 0 no, -1 unknown.
  [[nodiscard]] std::span<const std::int8_t> flags(field_id f) const { return columns_.of<std::int8_t>(schema_, f); }
  /// A time field: Unix seconds or missing_time.
  [[nodiscard]] std::span<const std::int64_t> times(field_id f) const { return columns_.of<std::int64_t>(schema_, f); }
  /// A category field other than the channel: ids into labels(f).
  [[nodiscard]] std::span<const std::uint32_t> categories(field_id f) const {
    return columns_.of<std::uint32_t>(schema_, f);
  }
  /// A numeric field (NaN when missing) or a weight field (1 when missing).
  [[nodiscard]] std::span<const double> numbers(field_id f) const { return columns_.of<double>(schema_, f); }
  /// A text or id field.
  [[nodiscard]] std::span<const std::string> texts(field_id f) const {
    detail::check_column_type(schema_, f, column_type::text);
    return text_[schema_.slot_of(f)];
  }

  // Field checks shared with the readers, so a reader reports the same error
  // kinds as append() (with its own location).

  /// A present score must lie on `s`.
  static void check_score(const scale& s, const std::optional<int>& score, const location& where) {
    if (score) s.check(*score, where);
  }
  /// A time must not be the missing sentinel (INT64_MIN seconds); invalid_value.
  static void check_time(timestamp t, const location& where) {
    if (t.time_since_epoch().count() == missing_time) {
      throw invalid_value("time " + std::to_string(missing_time) +
                              " (Unix seconds) is reserved as the missing-time marker of a response_table",
                          where);
    }
  }
  /// A resolution must be yes, no or unknown; invalid_value.
  static void check_resolution(resolution r, const location& where) {
    if (r != resolution::yes && r != resolution::no && r != resolution::unknown) {
      throw invalid_value("resolution value " + std::to_string(static_cast<int>(r)) +
                              " is not yes (1), no (0) or unknown (-1)",
                          where);
    }
  }
  /// A channel id must be in this table's channel set; unknown_channel.
  void check_channel(channel_id c, const location& where) const {
    if (c.value >= channel_labels().size()) {
      throw unknown_channel("channel id " + std::to_string(c.value) + " is not in the table's channel set (" +
                                std::to_string(channel_labels().size()) + " channels)",
                            where);
    }
  }

 private:
  friend struct detail::table_access;
  static constexpr std::size_t segment_slot = predefined_slot(response_field::segment);
  static constexpr std::size_t agent_slot = predefined_slot(response_field::agent);

  template <class T>
  [[nodiscard]] std::span<const T> fixed(response_field f) const noexcept {
    return columns_.list<T>()[predefined_slot(f)];
  }
  std::vector<std::uint8_t>& score_column(response_field f) noexcept { return columns_.score[predefined_slot(f)]; }

  static std::uint8_t store(const std::optional<int>& score) noexcept {
    return score ? static_cast<std::uint8_t>(*score) : missing_score;
  }
  static std::optional<int> load(std::uint8_t v) noexcept {
    if (v == missing_score) return std::nullopt;
    return static_cast<int>(v);
  }
  void grow_for(std::size_t n) {
    const auto grow = [n](auto& v) {
      if (v.capacity() < n) v.reserve(std::max(n, 2 * v.capacity()));
    };
    columns_.each(grow);
    for (auto& c : text_) grow(c);
  }
  // Appends every field's missing value (capacity reserved: no throw but bad_alloc of a string, which cannot happen for "").
  void append_missing() noexcept {
    for (auto& c : columns_.score) c.push_back(missing_score);
    for (auto& c : columns_.flag) c.push_back(static_cast<std::int8_t>(resolution::unknown));
    for (auto& c : columns_.time) c.push_back(missing_time);
    columns_.channel.push_back(channels::other.value);
    for (auto& c : columns_.category) c.push_back(0);
    for (std::size_t i = predefined_field_count; i < schema_.size(); ++i) {
      const field_id f(i);
      if (schema_.type_of(f) == column_type::number) {
        columns_.number[schema_.slot_of(f)].push_back(schema_[f].kind == field_kind::weight
                                                          ? 1.0
                                                          : std::numeric_limits<double>::quiet_NaN());
      }
    }
    columns_.number[predefined_slot(response_field::weight)].push_back(1.0);
    for (auto& c : text_) c.emplace_back();
  }

  cxm::schema schema_;
  table_scales scales_;
  std::shared_ptr<category_dictionaries> dictionaries_;
  std::vector<string_dictionary*> labels_;  // per category slot, into dictionaries_
  bool weighted_ = false;
  detail::column_store<detail::std_column> columns_;
  std::vector<std::vector<std::string>> text_;
};

}  // namespace cxm
