// response_table: responses stored column by column, for bulk work.
//
// Each field of cxm::response is a std::vector of a small fixed-width type, so
// the engines can scan one column (e.g. every NPS score) without touching the
// others:
//
//   column     type          meaning                         missing
//   --------   -----------   -----------------------------   ---------------------------
//   nps        uint8         score on the table's NPS scale  missing_score (255)
//   csat       uint8         score on the table's CSAT scale missing_score (255)
//   ces        uint8         score on the table's CES scale  missing_score (255)
//   time       int64         Unix seconds, UTC               missing_time (INT64_MIN)
//   channel    uint16        cxm::channel_id value; labels in the table's channel_set
//   segment    uint32        id into segments(); id 0 is "" (no segment)
//   agent      uint32        id into agents();   id 0 is "" (no agent)
//   weight     double        survey weight (1 when none was given)
//   resolved   int8          cxm::resolution (1 yes, 0 no, -1 unknown)
//   why, id    std::string   free text, response id
//
// Scores are stored as they are (not as bins), so every scale of a table must
// lie within 0..254; the constructor checks this. The three scales are chosen
// at construction (e.g. CSAT top-1-box: table_scales s; s.csat = scale::csat(1);).
//
// append() validates the whole response before it changes anything: scores on
// their scales, weight finite and >= 0, channel id in the channel set, time not
// the missing sentinel. On failure it throws the typed error (score_out_of_scale,
// invalid_weight, unknown_channel, invalid_value) located with
// at_row(row_index, field), and the table (columns, dictionaries, flags) is
// exactly as before: the strong exception guarantee, also under bad_alloc.
//
// Header: cxmetrics/core/response_table.hpp. Complexity: append amortised
// O(1) (plus hashing the segment and agent strings), row(i) O(1).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/core/timestamp.hpp"

namespace cxm {

/// Interns strings as dense uint32 ids. Id 0 is always the empty string, so a
/// missing segment or agent has id 0. Ids are given in order of first sight.
class string_dictionary {
 public:
  string_dictionary() {
    names_.emplace_back();
    index_.emplace(std::string(), 0U);
  }

  /// Number of distinct strings, including the empty string (id 0).
  [[nodiscard]] std::size_t size() const noexcept { return names_.size(); }

  /// The string of an id; throws invalid_argument for an unknown id.
  [[nodiscard]] const std::string& name(std::uint32_t id) const {
    if (id >= names_.size()) {
      throw invalid_argument("dictionary id " + std::to_string(id) + " is not in the dictionary (size " +
                             std::to_string(names_.size()) + ")");
    }
    return names_[id];
  }

  /// The id of a string, if it has been seen.
  [[nodiscard]] std::optional<std::uint32_t> find(std::string_view s) const {
    const auto it = index_.find(s);
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }

  /// All strings, indexed by id.
  [[nodiscard]] const std::vector<std::string>& names() const noexcept { return names_; }

  /// The id of `s`, adding it when new; `.second` says whether it was added.
  /// Strong guarantee: on failure (bad_alloc, too many strings) nothing changes.
  std::pair<std::uint32_t, bool> intern(std::string_view s) {
    if (auto id = find(s)) return {*id, false};
    if (names_.size() >= std::numeric_limits<std::uint32_t>::max()) {
      throw invalid_argument("too many distinct strings for a dictionary (2^32 - 1)");
    }
    const auto id = static_cast<std::uint32_t>(names_.size());
    names_.emplace_back(s);
    try {
      index_.emplace(names_.back(), id);
    } catch (...) {
      names_.pop_back();
      throw;
    }
    return {id, true};
  }

  /// Removes the most recently added string (undo of an intern that added it).
  void pop_back() noexcept {
    if (names_.size() <= 1) return;
    index_.erase(names_.back());
    names_.pop_back();
  }

 private:
  struct hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::uint32_t, hash, std::equal_to<>> index_;
};

/// Columnar table of responses (see the header comment).
class response_table {
 public:
  /// Stored in a score column when the response has no such score.
  static constexpr std::uint8_t missing_score = 255;
  /// Stored in the time column when the response has no time.
  static constexpr std::int64_t missing_time = std::numeric_limits<std::int64_t>::min();

  /// An empty table with the given scales and channel set (default: NPS 0–10,
  /// CSAT 1–5 top-2-box, CES 1–7 easy 5–7; an open set of the built-in
  /// channels). Throws invalid_argument when a scale does not fit 0..254.
  explicit response_table(table_scales scales = {}, channel_set channels = channel_set{})
      : scales_(scales), channels_(std::move(channels)) {
    check_storable(scales_.nps, "nps");
    check_storable(scales_.csat, "csat");
    check_storable(scales_.ces, "ces");
  }

  [[nodiscard]] std::size_t size() const noexcept { return nps_.size(); }
  [[nodiscard]] bool empty() const noexcept { return nps_.empty(); }

  [[nodiscard]] const table_scales& scales() const noexcept { return scales_; }
  [[nodiscard]] const scale& nps_scale() const noexcept { return scales_.nps; }
  [[nodiscard]] const scale& csat_scale() const noexcept { return scales_.csat; }
  [[nodiscard]] const scale& ces_scale() const noexcept { return scales_.ces; }

  /// Labels of the channel column.
  [[nodiscard]] const channel_set& channel_labels() const noexcept { return channels_; }
  /// The channel id of a label: an open set adds unknown labels, a closed set
  /// throws unknown_channel naming `where`. Existing ids never change.
  channel_id channel_of(std::string_view label, const location& where = {}) {
    return channels_.id_of(label, where);
  }

  /// Dictionaries of the segment and agent columns.
  [[nodiscard]] const string_dictionary& segments() const noexcept { return segments_; }
  [[nodiscard]] const string_dictionary& agents() const noexcept { return agents_; }

  /// True once a row with a weight other than 1 was appended or mark_weighted()
  /// was called (an input with a weight column). When false, every weight is 1.
  [[nodiscard]] bool weighted() const noexcept { return weighted_; }
  /// Declares that weights were given even if all of them are 1.
  void mark_weighted() noexcept { weighted_ = true; }

  /// Reserves room for `n` rows in every column.
  void reserve(std::size_t n) {
    nps_.reserve(n);
    csat_.reserve(n);
    ces_.reserve(n);
    time_.reserve(n);
    channel_.reserve(n);
    segment_.reserve(n);
    agent_.reserve(n);
    weight_.reserve(n);
    resolved_.reserve(n);
    why_.reserve(n);
    id_.reserve(n);
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
    const auto seg = segments_.intern(r.segment);
    std::pair<std::uint32_t, bool> ag;
    try {
      ag = agents_.intern(r.agent);
    } catch (...) {
      if (seg.second) segments_.pop_back();
      throw;
    }
    // Nothing below can throw: capacity is reserved and strings are moved.
    nps_.push_back(store(r.nps));
    csat_.push_back(store(r.csat));
    ces_.push_back(store(r.ces));
    time_.push_back(r.time ? r.time->time_since_epoch().count() : missing_time);
    channel_.push_back(r.channel.value);
    segment_.push_back(seg.first);
    agent_.push_back(ag.first);
    weight_.push_back(r.weight);
    resolved_.push_back(static_cast<std::int8_t>(r.resolved));
    why_.push_back(std::move(why));
    id_.push_back(std::move(id));
    if (r.weight != 1.0) weighted_ = true;
  }

  /// Row `i` as a response; equals the response that was appended. Throws
  /// invalid_argument when i >= size().
  [[nodiscard]] response row(std::size_t i) const {
    if (i >= size()) {
      throw invalid_argument("row " + std::to_string(i) + " is out of range (table has " + std::to_string(size()) +
                             " rows)");
    }
    response r;
    r.id = id_[i];
    r.nps = load(nps_[i]);
    r.csat = load(csat_[i]);
    r.ces = load(ces_[i]);
    if (time_[i] != missing_time) r.time = timestamp{std::chrono::seconds{time_[i]}};
    r.channel = channel_id{channel_[i]};
    r.segment = segments_.names()[segment_[i]];
    r.agent = agents_.names()[agent_[i]];
    r.weight = weight_[i];
    r.resolved = static_cast<resolution>(resolved_[i]);
    r.why = why_[i];
    return r;
  }

  // Columns. Score columns hold the score itself or missing_score.
  [[nodiscard]] std::span<const std::uint8_t> nps() const noexcept { return nps_; }
  [[nodiscard]] std::span<const std::uint8_t> csat() const noexcept { return csat_; }
  [[nodiscard]] std::span<const std::uint8_t> ces() const noexcept { return ces_; }
  /// Unix seconds, or missing_time.
  [[nodiscard]] std::span<const std::int64_t> time() const noexcept { return time_; }
  /// channel_id values; labels via channel_labels().
  [[nodiscard]] std::span<const std::uint16_t> channel() const noexcept { return channel_; }
  /// Ids into segments(); 0 means no segment.
  [[nodiscard]] std::span<const std::uint32_t> segment() const noexcept { return segment_; }
  /// Ids into agents(); 0 means no agent.
  [[nodiscard]] std::span<const std::uint32_t> agent() const noexcept { return agent_; }
  [[nodiscard]] std::span<const double> weight() const noexcept { return weight_; }
  /// cxm::resolution values: 1 yes, 0 no, -1 unknown.
  [[nodiscard]] std::span<const std::int8_t> resolved() const noexcept { return resolved_; }
  [[nodiscard]] std::span<const std::string> why() const noexcept { return why_; }
  [[nodiscard]] std::span<const std::string> id() const noexcept { return id_; }

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
    if (c.value >= channels_.size()) {
      throw unknown_channel("channel id " + std::to_string(c.value) + " is not in the table's channel set (" +
                                std::to_string(channels_.size()) + " channels)",
                            where);
    }
  }

 private:
  static void check_storable(const scale& s, const char* column) {
    if (s.min() < 0 || s.max() >= missing_score) {
      throw invalid_argument(std::string("the ") + column + " column stores scores as 0..254, but the " + s.describe() +
                             " does not fit");
    }
  }
  static std::uint8_t store(const std::optional<int>& score) noexcept {
    return score ? static_cast<std::uint8_t>(*score) : missing_score;
  }
  static std::optional<int> load(std::uint8_t v) noexcept {
    if (v == missing_score) return std::nullopt;
    return static_cast<int>(v);
  }
  template <class T>
  static void grow(std::vector<T>& v, std::size_t n) {
    if (v.capacity() < n) v.reserve(std::max(n, 2 * v.capacity()));
  }
  void grow_for(std::size_t n) {
    grow(nps_, n);
    grow(csat_, n);
    grow(ces_, n);
    grow(time_, n);
    grow(channel_, n);
    grow(segment_, n);
    grow(agent_, n);
    grow(weight_, n);
    grow(resolved_, n);
    grow(why_, n);
    grow(id_, n);
  }

  table_scales scales_;
  channel_set channels_;
  string_dictionary segments_;
  string_dictionary agents_;
  bool weighted_ = false;

  std::vector<std::uint8_t> nps_;
  std::vector<std::uint8_t> csat_;
  std::vector<std::uint8_t> ces_;
  std::vector<std::int64_t> time_;
  std::vector<std::uint16_t> channel_;
  std::vector<std::uint32_t> segment_;
  std::vector<std::uint32_t> agent_;
  std::vector<double> weight_;
  std::vector<std::int8_t> resolved_;
  std::vector<std::string> why_;
  std::vector<std::string> id_;
};

}  // namespace cxm
