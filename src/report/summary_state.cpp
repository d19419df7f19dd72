// summary_state (report/summary_state.hpp): feeding, merging and the binary
// form. The tables are in summary_tables.cpp.
#include "cxmetrics/report/summary_state.hpp"

#include <algorithm>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/engine/grouped.hpp"
#include "cxmetrics/io/batch_view.hpp"
#include "cxmetrics/io/binary.hpp"

namespace cxm::inline v0_1 {

const char* to_string(summary_key k) noexcept {
  switch (k) {
    case summary_key::channel: return "channel";
    case summary_key::month: return "month";
    case summary_key::segment: return "segment";
    case summary_key::agent: return "agent";
  }
  return "channel";
}

summary_key summary_key_from(std::string_view name) {
  for (auto k : {summary_key::channel, summary_key::month, summary_key::segment, summary_key::agent}) {
    if (name == to_string(k)) return k;
  }
  throw invalid_argument("unknown key '" + std::string(name) + "' (use channel, month, segment, agent)",
                         at_field("by"));
}

namespace {

constexpr std::size_t max_keys = 4;
constexpr std::int32_t max_offset_seconds = 18 * 3600;

by_field extractor_of(summary_key k, std::chrono::seconds offset) {
  switch (k) {
    case summary_key::channel: return by_label{category::channel};
    case summary_key::month: return by_period(time_bucket::month, offset);
    case summary_key::segment: return by_label{category::segment};
    case summary_key::agent: return by_label{category::agent};
  }
  return by_label{category::channel};
}

// One batch counted by a group_by of N run-time keys; each(f) gives every
// group's key and state.
template <class State>
class batch_groups {
 public:
  virtual ~batch_groups() = default;
  virtual void each(const std::function<void(summary_state::key_type, const State&)>& f) const = 0;
};

template <std::size_t>
using field_key = by_field;

template <class State, class Seq>
class batch_groups_of;
template <class State, std::size_t... I>
class batch_groups_of<State, std::index_sequence<I...>> final : public batch_groups<State> {
 public:
  batch_groups_of(const State& prototype, const std::vector<by_field>& keys, const response_view& v)
      : g_(prototype, keys[I]...) {
    g_.feed(v);
  }
  void each(const std::function<void(summary_state::key_type, const State&)>& f) const override {
    for (const auto& [key, state] : g_.groups()) f({key_value(std::get<I>(key))...}, state.get());
  }

 private:
  group_by<State, field_key<I>...> g_;
};

template <class State>
std::unique_ptr<batch_groups<State>> count_groups(const State& prototype, const std::vector<by_field>& keys,
                                                  const response_view& v) {
  switch (keys.size()) {
    case 1: return std::make_unique<batch_groups_of<State, std::make_index_sequence<1>>>(prototype, keys, v);
    case 2: return std::make_unique<batch_groups_of<State, std::make_index_sequence<2>>>(prototype, keys, v);
    case 3: return std::make_unique<batch_groups_of<State, std::make_index_sequence<3>>>(prototype, keys, v);
    default: return std::make_unique<batch_groups_of<State, std::make_index_sequence<4>>>(prototype, keys, v);
  }
}

void add_map(std::map<std::string, std::uint64_t>& to, const std::map<std::string, std::uint64_t>& from) {
  for (const auto& [k, n] : from) to[k] += n;
}

bool same_summary(const ingest_summary& a, const ingest_summary& b) {
  return a.rows_read == b.rows_read && a.accepted == b.accepted && a.rejected == b.rejected &&
         a.empty_lines == b.empty_lines && a.bytes_read == b.bytes_read &&
         a.rejected_by_reason == b.rejected_by_reason && a.rejected_by_cause == b.rejected_by_cause &&
         a.missing_by_field == b.missing_by_field;
}

}  // namespace

bool same_input(const summary_input& a, const summary_input& b) {
  return same_summary(a.summary, b.summary) && a.columns == b.columns && a.inputs == b.inputs &&
         a.delimiter == b.delimiter && a.delimiter_detected == b.delimiter_detected &&
         a.decimal_point == b.decimal_point && a.decimal_point_detected == b.decimal_point_detected;
}

summary_state::summary_state(std::vector<summary_key> keys, const ingest_options& options,
                             std::chrono::seconds utc_offset)
    : keys_(std::move(keys)), offset_(utc_offset) {
  if (keys_.size() > max_keys) throw invalid_argument("a summary takes at most 4 keys", at_field("by"));
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (std::find(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(i), keys_[i]) !=
        keys_.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw invalid_argument(std::string("key '") + to_string(keys_[i]) + "' is given twice", at_field("by"));
    }
  }
  if (offset_.count() < -max_offset_seconds || offset_.count() > max_offset_seconds) {
    throw invalid_argument("UTC offset of " + std::to_string(offset_.count()) + " s is beyond +-18:00",
                           at_field("utc_offset"));
  }
  const auto& s = options.scales;
  prototype_ =
      summary_counts(score_histogram(s.nps), score_histogram(s.csat), score_histogram(s.ces), resolution_accumulator{});
  // Every declared score field gets a rating (mean and top box) bound to it.
  const schema fields = schema_of(options);
  for (std::size_t i = predefined_field_count; i < fields.size(); ++i) {
    const field_id f(i);
    if (fields[f].kind != field_kind::score) continue;
    rating_prototypes_.emplace_back(on_field(fields, f, rating_accumulator(*fields[f].score_scale)));
  }
}

void summary_state::feed(const response_batch& b) {
  const auto v = view_of(b);
  if (keys_.empty()) {
    auto it = groups_.find(key_type{});
    if (it == groups_.end()) it = groups_.emplace(key_type{}, empty_group()).first;
    it->second.counts.add(v.values);
    for (auto& r : it->second.ratings) r.add(v.values);
    if (it->second.counts.empty()) groups_.erase(it);
    return;
  }
  std::vector<by_field> extractors;
  for (auto k : keys_) extractors.push_back(extractor_of(k, offset_));
  // Counted into fresh groupings first, so a bad batch changes nothing.
  const auto counts = count_groups(prototype_, extractors, v);
  std::vector<std::unique_ptr<batch_groups<summary_rating>>> ratings;
  for (const auto& r : rating_prototypes_) ratings.push_back(count_groups(r, extractors, v));
  counts->each([&](key_type key, const summary_counts& c) {
    auto it = groups_.find(key);
    if (it == groups_.end()) it = groups_.emplace(std::move(key), empty_group()).first;
    it->second.counts.merge(c);
  });
  for (std::size_t k = 0; k < ratings.size(); ++k) {
    ratings[k]->each([&](const key_type& key, const summary_rating& r) {
      // Fed the same rows with the same keys: the group exists.
      const auto it = groups_.find(key);
      if (it == groups_.end()) throw std::logic_error("the groups of a declared field differ");
      it->second.ratings[k].merge(r);
    });
  }
}

void summary_state::note_input(const ingest_report& r) {
  summary_input in;
  in.summary = r.summary;
  for (std::size_t i = 0; i < predefined_field_count; ++i) in.columns[i] = r.column_of[i];
  in.inputs = 1;
  in.delimiter = r.delimiter;
  in.delimiter_detected = r.delimiter_detected;
  in.decimal_point = r.decimal_point;
  in.decimal_point_detected = r.decimal_point_detected;
  if (input_.inputs != 0 && (input_.columns[static_cast<std::size_t>(response_field::weight)].empty() !=
                             in.columns[static_cast<std::size_t>(response_field::weight)].empty())) {
    throw incompatible_merge("one input is weighted and another is not", at_field("weight"));
  }
  merge_input(in);
}

void summary_state::merge_input(const summary_input& o) {
  auto& s = input_.summary;
  s.rows_read += o.summary.rows_read;
  s.accepted += o.summary.accepted;
  s.rejected += o.summary.rejected;
  s.empty_lines += o.summary.empty_lines;
  s.bytes_read += o.summary.bytes_read;
  add_map(s.rejected_by_reason, o.summary.rejected_by_reason);
  add_map(s.rejected_by_cause, o.summary.rejected_by_cause);
  add_map(s.missing_by_field, o.summary.missing_by_field);
  for (std::size_t i = 0; i < predefined_field_count; ++i) {
    if (input_.columns[i].empty()) input_.columns[i] = o.columns[i];
  }
  if (o.inputs != 0) {
    if (input_.inputs == 0) {
      input_.delimiter = o.delimiter;
      input_.delimiter_detected = o.delimiter_detected;
      input_.decimal_point = o.decimal_point;
      input_.decimal_point_detected = o.decimal_point_detected;
    } else {
      if (input_.delimiter != o.delimiter || input_.delimiter_detected != o.delimiter_detected) {
        input_.delimiter = 0;
        input_.delimiter_detected = false;
      }
      if (input_.decimal_point != o.decimal_point || input_.decimal_point_detected != o.decimal_point_detected) {
        input_.decimal_point = 0;
        input_.decimal_point_detected = false;
      }
    }
  }
  input_.inputs += o.inputs;
}

void summary_state::check_compatible(const summary_state& o) const {
  const auto fail = [](const std::string& what) {
    throw incompatible_merge("cannot merge summary states with different " + what, at_field("summary_state"));
  };
  if (keys_ != o.keys_) fail("keys");
  if (offset_ != o.offset_) fail("UTC offsets");
  if (!(prototype_ == o.prototype_)) fail("scales");
  if (rating_prototypes_ != o.rating_prototypes_) fail("declared score fields");
  if (input_.inputs != 0 && o.input_.inputs != 0 && weight_column() != o.weight_column()) {
    fail("weight columns ('" + weight_column() + "' and '" + o.weight_column() + "')");
  }
}

void summary_state::merge(const summary_state& o) {
  check_compatible(o);
  // Into a copy, so a failure leaves this state unchanged.
  auto groups = groups_;
  for (const auto& [key, g] : o.groups_) {
    auto it = groups.find(key);
    if (it == groups.end()) {
      groups.emplace(key, g);
    } else {
      it->second.counts.merge(g.counts);
      for (std::size_t k = 0; k < g.ratings.size(); ++k) it->second.ratings[k].merge(g.ratings[k]);
    }
  }
  groups_ = std::move(groups);
  merge_input(o.input_);
}

summary_group summary_state::overall() const {
  summary_group all = empty_group();
  for (const auto& [key, g] : groups_) {
    all.counts.merge(g.counts);
    for (std::size_t k = 0; k < g.ratings.size(); ++k) all.ratings[k].merge(g.ratings[k]);
  }
  return all;
}

std::uint64_t summary_state::count() const noexcept {
  std::uint64_t n = 0;
  for (const auto& [key, g] : groups_) n += g.counts.count();
  return n;
}

// ---- Binary form ---------------------------------------------------------

namespace {

void write_map(binary_writer& w, const std::map<std::string, std::uint64_t>& m) {
  w.write_length(m.size());
  for (const auto& [k, n] : m) {
    w.write_string(k);
    w.write_u64(n);
  }
}

std::map<std::string, std::uint64_t> read_map(binary_reader& r, std::string_view name) {
  auto s = r.enter(name);
  const auto n = r.read_length("count", 12);
  std::map<std::string, std::uint64_t> m;
  for (std::size_t i = 0; i < n; ++i) {
    auto e = r.enter({std::string_view{}, i});
    auto k = r.read_string("name");
    if (!m.empty() && !(m.rbegin()->first < k)) r.fail("names must be strictly ascending");
    const auto v = r.read_u64("count");
    m.emplace(std::move(k), v);
  }
  return m;
}

}  // namespace

void write_state(binary_writer& w, const summary_state& s) {
  w.write_length(s.keys().size());
  for (auto k : s.keys()) w.write_u8(static_cast<std::uint8_t>(k));
  w.write_i32(static_cast<std::int32_t>(s.utc_offset().count()));
  const auto proto = s.empty_group();
  w.write_nested(proto.counts);
  w.write_length(proto.ratings.size());
  for (const auto& r : proto.ratings) w.write_nested(r);
  const auto& in = s.input();
  w.write_length(in.columns.size());
  for (const auto& c : in.columns) w.write_string(c);
  w.write_u64(in.inputs);
  const auto& sum = in.summary;
  for (auto n : {sum.rows_read, sum.accepted, sum.rejected, sum.empty_lines, sum.bytes_read}) w.write_u64(n);
  write_map(w, sum.rejected_by_reason);
  write_map(w, sum.rejected_by_cause);
  write_map(w, sum.missing_by_field);
  w.write_u8(static_cast<std::uint8_t>(in.delimiter));
  w.write_bool(in.delimiter_detected);
  w.write_u8(static_cast<std::uint8_t>(in.decimal_point));
  w.write_bool(in.decimal_point_detected);
  w.write_length(s.groups().size());
  for (const auto& [key, g] : s.groups()) {
    for (std::size_t i = 0; i < key.size(); ++i) {
      if (s.keys()[i] == summary_key::month) {
        w.write_i32(std::get<period>(key[i]).index);
      } else {
        w.write_string(std::get<std::string>(key[i]));
      }
    }
    write_state(w, g.counts);
    for (const auto& r : g.ratings) write_state(w, r);
  }
}

summary_state read_state(binary_reader& r, serial_tag<summary_state>) {
  summary_state s;
  {
    auto at = r.enter("keys");
    const auto n = r.read_length("count", 1);
    if (n > max_keys) r.fail("declares " + std::to_string(n) + " keys, at most 4");
    for (std::size_t i = 0; i < n; ++i) {
      const auto code = r.read_u8({std::string_view{}, i});
      if (code > static_cast<std::uint8_t>(summary_key::agent)) r.fail("key code " + std::to_string(code) + " is not 0..3");
      const auto k = static_cast<summary_key>(code);
      if (std::find(s.keys_.begin(), s.keys_.end(), k) != s.keys_.end()) r.fail("key is given twice");
      s.keys_.push_back(k);
    }
  }
  const auto offset = r.read_i32("utc_offset");
  if (offset < -max_offset_seconds || offset > max_offset_seconds) r.fail("is beyond +-64800 seconds (+-18:00)");
  s.offset_ = std::chrono::seconds{offset};
  s.prototype_ = r.read_nested<summary_counts>("prototype");
  if (!s.prototype_.empty()) r.fail("the prototype must be empty");
  {
    auto at = r.enter("ratings");
    const auto n = r.read_length("count", 7);
    for (std::size_t i = 0; i < n; ++i) {
      s.rating_prototypes_.push_back(r.read_nested<summary_rating>({std::string_view{}, i}));
      if (!s.rating_prototypes_.back().empty()) r.fail("a rating prototype must be empty");
    }
  }
  auto& in = s.input_;
  {
    auto at = r.enter("columns");
    const auto n = r.read_length("count", 4);
    if (n != predefined_field_count) {
      r.fail("declares " + std::to_string(n) + " columns, expected " + std::to_string(predefined_field_count));
    }
    for (std::size_t i = 0; i < n; ++i) in.columns[i] = r.read_string({std::string_view{}, i});
  }
  in.inputs = r.read_u64("inputs");
  auto& sum = in.summary;
  sum.rows_read = r.read_u64("rows_read");
  sum.accepted = r.read_u64("accepted");
  sum.rejected = r.read_u64("rejected");
  if (sum.accepted > sum.rows_read || sum.rows_read - sum.accepted != sum.rejected) {
    r.fail("rows_read must equal accepted + rejected");
  }
  sum.empty_lines = r.read_u64("empty_lines");
  sum.bytes_read = r.read_u64("bytes_read");
  sum.rejected_by_reason = read_map(r, "rejected_by_reason");
  sum.rejected_by_cause = read_map(r, "rejected_by_cause");
  sum.missing_by_field = read_map(r, "missing_by_field");
  in.delimiter = static_cast<char>(r.read_u8("delimiter"));
  in.delimiter_detected = r.read_bool("delimiter_detected");
  in.decimal_point = static_cast<char>(r.read_u8("decimal_point"));
  in.decimal_point_detected = r.read_bool("decimal_point_detected");
  auto at = r.enter("groups");
  const auto n = r.read_length("count", 1);
  std::uint64_t rows = 0;
  for (std::size_t i = 0; i < n; ++i) {
    auto e = r.enter({std::string_view{}, i});
    summary_state::key_type key;
    for (auto k : s.keys_) {
      if (k == summary_key::month) {
        key.emplace_back(period{time_bucket::month, r.read_i32("key")});
      } else {
        key.emplace_back(r.read_string("key"));
      }
    }
    if (!s.groups_.empty() && !(s.groups_.rbegin()->first < key)) r.fail("keys must be strictly ascending");
    if (s.keys_.empty() && n > 1) r.fail("a state without keys holds at most one group");
    summary_group g = s.empty_group();
    try {
      g.counts.merge(read_state(r, serial_tag<summary_counts>{}));
      if (g.counts.empty()) r.fail("a group holds no responses");
      for (auto& rating : g.ratings) rating.merge(read_state(r, serial_tag<summary_rating>{}));
    } catch (const incompatible_merge& e) {
      r.fail("does not lie on the prototype's scales or fields: " + e.reason());
    }
    if (rows + g.counts.count() < rows) r.fail("the groups' rows overflow a u64");
    rows += g.counts.count();
    s.groups_.emplace(std::move(key), std::move(g));
  }
  return s;
}

}  // namespace cxm
