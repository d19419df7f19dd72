// Key extractors of group_by: which key a response has, read from the
// columns of a response_view.
//
//   cxm::by_label{cxm::category::channel}                  its channel's label: "phone", "web", ...
//   cxm::by_label{cxm::category::segment}                  its segment ("" for none); agent alike
//   cxm::by_period{cxm::time_bucket::month, std::chrono::hours{2}}   its month in UTC+2 (cxm::period;
//                                                          day, iso_week, quarter, year alike)
//   cxm::by_field{cxm::by_label{...}} or cxm::by_field{cxm::by_period{...}}
//                                                          either, chosen at run time (a command
//                                                          line's --by list); its key is a
//                                                          cxm::key_value (a label or a period)
//
//   cxm::group_by<cxm::nps_accumulator, cxm::by_label, cxm::by_period> g(
//       cxm::nps_accumulator{}, cxm::by_label{cxm::category::channel}, cxm::by_period{cxm::time_bucket::month});
//   g.feed(cxm::view_of(table));                            // whole columns
//   g.add("phone", cxm::period_of(t, cxm::time_bucket::month), 9);   // or one response
//
// Labels. A category is keyed by its label, never by an input's dictionary
// id: ids follow each input's order of first use, so the same id names
// different channels in two files, while a label names one channel in all.
// Channel labels are normalised as channel_set does ("Face-to-face" and
// "face_to_face" are one key); segment and agent labels are kept verbatim.
//
// Periods. A time is keyed by the calendar period it falls in (core/period.hpp),
// in a fixed offset from UTC; a response without a time by the period
// "(none)" of the bucket.
//
// Per input. For each extractor, group_by takes from an input a key column the
// engine counts by (the input's own ids with its dictionary's size as
// cardinality; for times, keys over a span of periods) and turns the keys of
// the cells that hold rows into labels or periods: O(distinct keys) work per
// input, none per row. The span of a time key is found from a sample of the
// times (widened by an eighth on each side); a time outside it makes group_by
// count again with the exact span.
//
// Header: cxmetrics/engine/key_extractor.hpp. Complexity: O(1) per key.
#pragma once

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/period.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/engine/group_by.hpp"
#include "cxmetrics/engine/response_view.hpp"

namespace cxm::inline v0_1 {

/// A category field of a response.
enum class category : std::uint8_t { channel, segment, agent };

[[nodiscard]] constexpr const char* to_string(category c) noexcept {
  switch (c) {
    case category::channel: return "channel";
    case category::segment: return "segment";
    case category::agent: return "agent";
  }
  return "channel";
}

/// Key extractor: a category field, keyed by its label (see the header comment).
struct by_label {
  using value_type = std::string;
  category field = category::channel;

  /// The key of a label: normalised for channels, verbatim otherwise.
  [[nodiscard]] value_type key_of(std::string_view label) const {
    return field == category::channel ? channel_set::normalise(label) : std::string(label);
  }
  /// The field it reads, as errors name it.
  [[nodiscard]] std::string field_name() const { return to_string(field); }
  friend bool operator==(const by_label&, const by_label&) = default;
};

/// Key extractor: the response time, keyed by its calendar period in a fixed
/// UTC offset (see the header comment).
struct by_period {
  using value_type = period;
  time_bucket bucket = time_bucket::month;
  std::chrono::seconds utc_offset{0};

  by_period() = default;
  /// Throws invalid_argument for an offset beyond ±18 hours.
  explicit by_period(time_bucket b, std::chrono::seconds offset = std::chrono::seconds{0})
      : bucket(b), utc_offset(offset) {
    check_utc_offset(offset);
  }

  /// The key of a period of this bucket. Throws invalid_value for a period of another bucket.
  [[nodiscard]] value_type key_of(const period& p) const {
    if (p.bucket != bucket) {
      throw invalid_value(std::string("a ") + to_string(p.bucket) + " is not a key of a grouping by " +
                              to_string(bucket),
                          at_field("timestamp"));
    }
    return p;
  }
  /// The key of a time: period_of(t, bucket, utc_offset).
  [[nodiscard]] value_type key_of(timestamp t) const { return period_of(t, bucket, utc_offset, at_field("timestamp")); }
  /// The field it reads, as errors name it.
  [[nodiscard]] std::string field_name() const { return "timestamp"; }
  friend bool operator==(const by_period&, const by_period&) = default;
};

/// The key of a by_field: a label or a period. Ordered (every label before
/// every period; labels by their bytes, periods by time) and hashable.
using key_value = std::variant<std::string, period>;

/// The text of a key: the label ("(none)" for an empty one) or the period.
[[nodiscard]] inline std::string to_string(const key_value& k) {
  if (const auto* label = std::get_if<std::string>(&k)) return label->empty() ? "(none)" : *label;
  return to_string(std::get<period>(k));
}

/// Key extractor chosen at run time: a by_label or a by_period, whose keys
/// it gives as key_values. group_by<Acc, by_field, by_field> groups by any
/// two of channel, segment, agent and a period, in any order.
struct by_field {
  using value_type = key_value;
  std::variant<by_label, by_period> of;

  by_field() = default;
  by_field(by_label e) : of(e) {}             // NOLINT(google-explicit-constructor): a by_label is a by_field
  by_field(by_period e) : of(std::move(e)) {}  // NOLINT(google-explicit-constructor)

  /// The key of a label (a label field only), of a period or a time (a time
  /// field only), or of a key_value of either. Throws invalid_value for a
  /// key of the other kind.
  [[nodiscard]] value_type key_of(std::string_view label) const { return label_field().key_of(label); }
  [[nodiscard]] value_type key_of(const period& p) const { return time_field().key_of(p); }
  [[nodiscard]] value_type key_of(timestamp t) const { return time_field().key_of(t); }
  template <class K>
    requires std::same_as<K, key_value>  // exactly a key_value: labels and periods take the overloads above
  [[nodiscard]] value_type key_of(const K& k) const {
    return std::visit(
        [&](const auto& v) -> value_type {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>) {
            return key_of(std::string_view(v));
          } else {
            return key_of(v);
          }
        },
        k);
  }
  /// The field it reads, as errors name it.
  [[nodiscard]] std::string field_name() const {
    return std::visit([](const auto& e) { return e.field_name(); }, of);
  }
  friend bool operator==(const by_field&, const by_field&) = default;

 private:
  [[nodiscard]] const by_label& label_field() const {
    if (const auto* e = std::get_if<by_label>(&of)) return *e;
    throw invalid_value("a label is not a key of a grouping by time", at_field(field_name()));
  }
  [[nodiscard]] const by_period& time_field() const {
    if (const auto* e = std::get_if<by_period>(&of)) return *e;
    throw invalid_value("a time is not a key of a grouping by " + field_name(), at_field(field_name()));
  }
};

/// The key extractors group_by can feed from a response_view.
template <class K>
concept key_extractor = std::same_as<K, by_label> || std::same_as<K, by_period> || std::same_as<K, by_field>;

namespace detail {

/// How the span of a time key is found: from a sample (fast, may miss a
/// time) or from every time.
enum class span_mode : std::uint8_t { sampled, exact };

/// The keys of one input by a by_label: the input's id column and its dictionary.
struct label_keys {
  engine::key_column column;
  const channel_set* channels = nullptr;
  const string_dictionary* dictionary = nullptr;
  /// The label of key `id`.
  [[nodiscard]] std::string value(std::uint32_t id) const {
    return channels != nullptr ? channels->name(channel_id{static_cast<std::uint16_t>(id)}) : dictionary->name(id);
  }
};

/// The keys of one input by a by_period: the time column over a span of periods.
struct period_keys {
  engine::key_column column;
  engine::period_span span;
  /// The period of key `id` (0: no time).
  [[nodiscard]] period value(std::uint32_t id) const {
    return id == 0 ? period{span.bucket, period::no_time}
                   : period{span.bucket, static_cast<std::int32_t>(span.first + static_cast<std::int64_t>(id) - 1)};
  }
};

template <class T>
[[nodiscard]] std::uint32_t dictionary_size(const T* dictionary, const char* field) {
  if (dictionary == nullptr) {
    throw invalid_argument(std::string("the input has '") + field + "' ids but no dictionary for them", at_field(field));
  }
  return static_cast<std::uint32_t>(dictionary->size());
}

[[nodiscard]] inline label_keys keys_of(const by_label& e, const response_view& v, span_mode /*unused*/) {
  const std::string name = e.field_name();
  switch (e.field) {
    case category::channel:
      return {engine::key_column(v.channel, dictionary_size(v.channels, "channel"), name), v.channels, nullptr};
    case category::segment:
      return {engine::key_column(v.segment, dictionary_size(v.segments, "segment"), name), nullptr, v.segments};
    case category::agent:
      return {engine::key_column(v.agent, dictionary_size(v.agents, "agent"), name), nullptr, v.agents};
  }
  throw invalid_argument("unknown category");
}

/// The periods of the times of `t` (missing times and times outside
/// 1900..2200 aside, which the counting reports), exactly or from a sample
/// widened by an eighth of its periods on each side.
[[nodiscard]] inline engine::period_span period_span_of(std::span<const std::int64_t> t, const by_period& e,
                                                        span_mode mode) {
  constexpr std::size_t samples = 64;
  std::int64_t lo = std::numeric_limits<std::int64_t>::max();
  std::int64_t hi = std::numeric_limits<std::int64_t>::min();
  const auto take = [&](std::int64_t x) {
    if (x == response_table::missing_time || !timestamp_in_range(timestamp{std::chrono::seconds{x}})) return;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  };
  const bool sample = mode == span_mode::sampled && t.size() > 16 * samples;
  if (sample) {
    for (std::size_t k = 0; k < samples; ++k) take(t[k * (t.size() - 1) / (samples - 1)]);
  }
  if (!sample || lo > hi) {
    for (const std::int64_t x : t) take(x);
  }
  if (lo > hi) return engine::period_span{e.bucket, e.utc_offset, 0, 1};  // no time at all
  const auto index = [&](std::int64_t x) {
    return std::int64_t{period_index(local_day(timestamp{std::chrono::seconds{x}}, e.utc_offset), e.bucket)};
  };
  std::int64_t first = index(lo);
  std::int64_t last = index(hi);
  if (sample) {
    const std::int64_t pad = std::max<std::int64_t>(1, (last - first) / 8);
    first = std::max(first - pad, std::int64_t{period_index(local_day(earliest_timestamp, max_utc_offset * -1), e.bucket)});
    last = std::min(last + pad, std::int64_t{period_index(local_day(latest_timestamp, max_utc_offset), e.bucket)});
  }
  return engine::period_span{e.bucket, e.utc_offset, static_cast<std::int32_t>(first),
                             static_cast<std::uint32_t>(last - first + 1)};
}

[[nodiscard]] inline period_keys keys_of(const by_period& e, const response_view& v, span_mode mode) {
  const auto span = period_span_of(v.time, e, mode);
  return {engine::key_column(v.time, span, e.field_name()), span};
}

/// The keys of one input by a by_field: those of the extractor it holds.
struct field_keys {
  engine::key_column column;
  std::variant<label_keys, period_keys> keys;
  [[nodiscard]] key_value value(std::uint32_t id) const {
    return std::visit([&](const auto& k) { return key_value(k.value(id)); }, keys);
  }
};

[[nodiscard]] inline field_keys keys_of(const by_field& e, const response_view& v, span_mode mode) {
  return std::visit(
      [&](const auto& x) {
        auto k = keys_of(x, v, mode);
        engine::key_column column = k.column;
        return field_keys{std::move(column), std::move(k)};
      },
      e.of);
}

}  // namespace detail

}  // namespace cxm
