// Binary form (io/binary.hpp) of the engine's accumulators: score_histogram,
// metric_set<A...> and group_by<Acc, Key...>.
//
//   cxm::group_by<cxm::nps_accumulator, cxm::dense_key<8>, std::string> shard;
//   ...
//   std::vector<std::byte> bytes = cxm::serialize(shard);
//   auto back = cxm::deserialize<decltype(shard)>(bytes);   // checks everything
//   total.merge(back);
//
// The byte layouts (type tags 0x0014, 0x0030 and 0x0031, version 1) are in
// the table of io/binary.hpp with those of the other types; the JSON forms
// are in io/json.hpp. What this header adds to the rules of io/binary.hpp:
//
// * A buffer names its C++ type completely. A metric_set writes its members
//   as nested states (each with its type tag) in member order; a group_by
//   writes the kind of each key and its prototype as a nested state (whose
//   tag names Acc, and, for a metric_set or group_by, whose own payload
//   names their parts). So deserialize of another instantiation (members in
//   another order or of another type, another Acc, another key type, a
//   dense_key<N> of another N) throws serialization_error naming the part,
//   e.g. 'group_by.keys[1].kind' or 'metric_set.members[0].type_tag'.
// * Keys. A group_by key is dense_key<N>, dense_key<>, an integer of 32 or 64
//   bits (signed or not) or std::string; group_by with any other key type is
//   not serializable (cxm::serializable is false). String keys are any bytes
//   (JSON needs them to be UTF-8: nlohmann's dump() throws otherwise).
// * Canonical groups. Groups are written by strictly ascending key tuple
//   (std::tuple's <: integers by value, strings bytewise as unsigned char,
//   shorter prefix first), each with its state as insert() keeps it (the
//   prototype merged with the group). deserialize rebuilds the grouping with
//   group_by::with_shape and insert and rejects keys out of order or
//   repeated, a dense key outside its cardinality, a non-empty prototype, a
//   state that does not merge with the prototype, one that changes when
//   inserted (e.g. unweighted counts under a weighted prototype: insert
//   makes them weighted) and group counts summing past 2^64 − 1; so every
//   buffer it accepts re-serializes to the same bytes. A state that group_by
//   merges can produce, an unweighted group under a weighted prototype, is
//   written weighted with Σw = Σw² = n per bin (what insert would make of
//   it): the same results, but not operator== to the original.
// * Allocation. Every length is checked against the bytes left before
//   anything is allocated. The one allocation the buffer's size does not
//   bound is the cell array of an all-dense grouping: one cell per key
//   combination (the product of the cardinalities, at most
//   max_dense_groups = 2^20), which the type holds in memory whatever the
//   groups present; a dense_key<> takes its cardinality from the buffer.
//
// Header: cxmetrics/io/binary_engine.hpp (header-only). Complexity: O(size
// of the state) both ways; a group_by also re-serializes each group once
// while reading (the canonical-form check) and merges it into a copy of the
// prototype while writing.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/engine/accumulator.hpp"
#include "cxmetrics/engine/grouped.hpp"
#include "cxmetrics/engine/metric_set.hpp"
#include "cxmetrics/io/binary.hpp"

namespace cxm {

// --- score_histogram -----------------------------------------------------------

constexpr serial_type serial_type_of(serial_tag<score_histogram>) noexcept {
  return {type_tag::score_histogram, 1, "score_histogram"};
}

inline void write_state(binary_writer& w, const score_histogram& h) { write_state(w, h.counts()); }

inline score_histogram read_state(binary_reader& r, serial_tag<score_histogram>) {
  auto in = r.enter("counts");
  return score_histogram(read_state(r, serial_tag<score_counts>{}));
}

// --- metric_set ------------------------------------------------------------------

template <serializable... A>
constexpr serial_type serial_type_of(serial_tag<metric_set<A...>>) noexcept {
  return {type_tag::metric_set, 1, "metric_set"};
}

template <serializable... A>
void write_state(binary_writer& w, const metric_set<A...>& s) {
  w.write_u64(s.count());
  w.write_length(sizeof...(A));
  std::apply([&](const A&... m) { (w.write_nested(m), ...); }, s.members());
}

template <serializable... A>
metric_set<A...> read_state(binary_reader& r, serial_tag<metric_set<A...>>) {
  const auto rows_at = r.offset();
  const std::uint64_t rows = r.read_u64("rows");
  const std::uint32_t members = r.read_u32("member_count");
  if (members != sizeof...(A)) {
    std::string names;
    ((names += (names.empty() ? "" : ", ") + std::string(serial_type_of(serial_tag<A>{}).name)), ...);
    r.fail("holds " + std::to_string(members) + " members, but this metric_set has " +
           std::to_string(sizeof...(A)) + " (" + names + ")");
  }
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    // A braced list is evaluated left to right: the members are read in order.
    std::tuple<A...> m{r.read_nested<A>({"members", I})...};
    return detail::binary_io::rebuild(r, rows_at, "rows", [&] {
      return std::apply([&](A&... a) { return metric_set<A...>(rows, std::move(a)...); }, m);
    });
  }(std::index_sequence_for<A...>{});
}

// --- group_by ----------------------------------------------------------------------

namespace detail::binary_io {

/// Code of a group_by key in the format (table in io/binary.hpp); no member
/// for a key type the format does not hold.
template <class K>
struct key_kind {};
template <std::uint32_t N>
struct key_kind<dense_key<N>> : std::integral_constant<std::uint8_t, N == dynamic_cardinality ? 1 : 0> {};
template <class K>
  requires(std::is_integral_v<K> && !std::is_same_v<K, bool> && (sizeof(K) == 4 || sizeof(K) == 8))
struct key_kind<K> : std::integral_constant<std::uint8_t, (sizeof(K) == 8 ? 2 : 4) + (std::is_signed_v<K> ? 1 : 0)> {};
template <>
struct key_kind<std::string> : std::integral_constant<std::uint8_t, 6> {};

/// Names of the key kind codes 0..6 (also the "kind" of io/json.hpp).
inline constexpr std::array<std::string_view, 7> key_kind_names = {"dense",  "dense_runtime", "uint64", "int64",
                                                                   "uint32", "int32",         "string"};

/// A key type with a code in the format.
template <class K>
concept serial_key = requires { key_kind<K>::value; };

/// Bytes of the shortest encoding of a key of kind K (a u32, a u64, or a
/// string's u32 length).
template <class K>
inline constexpr std::size_t key_min_bytes = (key_kind<K>::value == 2 || key_kind<K>::value == 3) ? 8 : 4;

template <class K, class V>
void write_key(binary_writer& w, const V& v) {
  constexpr auto code = key_kind<K>::value;
  if constexpr (code == 0 || code == 1 || code == 4) {
    w.write_u32(static_cast<std::uint32_t>(v));
  } else if constexpr (code == 2 || code == 3) {
    w.write_u64(static_cast<std::uint64_t>(v));  // int64: two's complement
  } else if constexpr (code == 5) {
    w.write_i32(static_cast<std::int32_t>(v));
  } else {
    w.write_string(v);
  }
}

template <class K>
typename ::cxm::detail::key_traits<K>::value_type read_key(binary_reader& r, field_name f, std::uint32_t cardinality) {
  using V = typename ::cxm::detail::key_traits<K>::value_type;
  constexpr auto code = key_kind<K>::value;
  if constexpr (code == 0 || code == 1) {
    const std::uint32_t v = r.read_u32(f);
    if (v >= cardinality) {
      r.fail("dense key " + std::to_string(v) + " is not below the key's cardinality " + std::to_string(cardinality));
    }
    return v;
  } else if constexpr (code == 2 || code == 3) {
    return static_cast<V>(r.read_u64(f));  // modular conversion: two's complement for int64
  } else if constexpr (code == 4) {
    return static_cast<V>(r.read_u32(f));
  } else if constexpr (code == 5) {
    return static_cast<V>(r.read_i32(f));
  } else {
    return r.read_string(f);
  }
}

}  // namespace detail::binary_io

template <serializable Acc, detail::binary_io::serial_key... Key>
constexpr serial_type serial_type_of(serial_tag<group_by<Acc, Key...>>) noexcept {
  return {type_tag::grouped, 1, "group_by"};
}

template <serializable Acc, detail::binary_io::serial_key... Key>
void write_state(binary_writer& w, const group_by<Acc, Key...>& g) {
  namespace d = detail::binary_io;
  constexpr std::array<std::uint8_t, sizeof...(Key)> kinds{d::key_kind<Key>::value...};
  w.write_length(sizeof...(Key));
  for (std::size_t j = 0; j < kinds.size(); ++j) {
    w.write_u8(kinds[j]);
    w.write_u32(g.shape()[j]);
  }
  w.write_nested(g.prototype());
  const auto groups = g.groups();
  w.write_length(groups.size());
  for (const auto& e : groups) {
    [&]<std::size_t... J>(std::index_sequence<J...>) {
      (d::write_key<std::tuple_element_t<J, std::tuple<Key...>>>(w, std::get<J>(e.first)), ...);
    }(std::index_sequence_for<Key...>{});
    // As insert() keeps it (see the header comment); the prototype is empty.
    Acc stored = g.prototype();
    stored.merge(e.second.get());
    write_state(w, stored);
  }
}

template <serializable Acc, detail::binary_io::serial_key... Key>
group_by<Acc, Key...> read_state(binary_reader& r, serial_tag<group_by<Acc, Key...>>) {
  namespace d = detail::binary_io;
  using grouping = group_by<Acc, Key...>;
  constexpr std::size_t k = sizeof...(Key);
  constexpr std::array<std::uint8_t, k> kinds{d::key_kind<Key>::value...};
  constexpr std::array<std::uint32_t, k> fixed{::cxm::detail::key_traits<Key>::cardinality...};
  const auto kind_text = [](std::uint8_t code) { return "'" + std::string(d::key_kind_names[code]) + "'"; };

  const auto keys_at = r.offset();
  const std::uint32_t keys = r.read_u32("key_count");
  if (keys != k) {
    std::string ours;
    for (const auto c : kinds) ours += (ours.empty() ? "" : ", ") + kind_text(c);
    r.fail("holds " + std::to_string(keys) + " keys, but this group_by has " + std::to_string(k) + " (" + ours + ")");
  }
  typename grouping::shape_type shape{};
  // Cells of an all-dense grouping, saturated just above the limit.
  constexpr std::uint64_t cap = std::uint64_t{max_dense_groups} + 1;
  std::uint64_t cells = 1;
  for (std::size_t j = 0; j < k; ++j) {
    auto in = r.enter({"keys", j});
    const std::uint8_t kind = r.read_u8("kind");
    if (kind >= d::key_kind_names.size()) {
      r.fail("key kind code " + std::to_string(kind) + " is not one of 0.." +
             std::to_string(d::key_kind_names.size() - 1));
    }
    if (kind != kinds[j]) {
      r.fail("is a " + kind_text(kind) + " key, but key " + std::to_string(j) + " of this group_by is a " +
             kind_text(kinds[j]) + " key");
    }
    shape[j] = r.read_u32("cardinality");
    if (kind == 0 && shape[j] != fixed[j]) {
      r.fail("is " + std::to_string(shape[j]) + ", but key " + std::to_string(j) + " is a dense_key<" +
             std::to_string(fixed[j]) + ">");
    }
    if (kind >= 2 && shape[j] != 0) r.fail("is " + std::to_string(shape[j]) + ", but a hashed key has cardinality 0");
    cells = (shape[j] != 0 && cells > cap / shape[j]) ? cap : cells * shape[j];
  }
  if (grouping::all_dense && cells > max_dense_groups) {
    r.fail_at(keys_at, "keys",
              "the cardinalities make more than " + std::to_string(max_dense_groups) + " cells (max_dense_groups)");
  }

  const auto proto_at = r.offset();
  Acc proto = r.read_nested<Acc>("prototype");
  if (!proto.empty()) {
    r.fail_at(proto_at, "prototype",
              "counts " + std::to_string(proto.count()) + " responses, but the prototype of a group_by must be empty");
  }
  grouping g = d::rebuild(r, proto_at, "prototype", [&] { return grouping::with_shape(std::move(proto), shape); });

  const std::size_t groups = r.read_length("groups", (d::key_min_bytes<Key> + ...));
  std::optional<typename grouping::key_type> prev;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < groups; ++i) {
    auto in = r.enter({"groups", i});
    const auto key_at = r.offset();
    auto key = [&]<std::size_t... J>(std::index_sequence<J...>) {
      // A braced list is evaluated left to right: the key parts are read in order.
      return typename grouping::key_type{
          d::read_key<std::tuple_element_t<J, std::tuple<Key...>>>(r, {"key", J}, shape[J])...};
    }(std::index_sequence_for<Key...>{});
    if (prev && !(*prev < key)) {
      r.fail_at(key_at, "key",
                (*prev == key ? "repeats the key of group " : "is below the key of group ") + std::to_string(i - 1) +
                    "; groups are stored in strictly ascending key order");
    }
    const auto state_at = r.offset();
    Acc acc = [&] {
      auto s = r.enter("state");
      return read_state(r, serial_tag<Acc>{});
    }();
    total = d::checked_add(r, total, acc.count(), state_at, "state");
    (void)d::rebuild(r, state_at, "state", [&] {
      g.insert(key, acc);
      return 0;
    });
    // Canonical form: the group as inserted must write the bytes just read.
    const Acc* stored = std::apply([&](const auto&... part) { return g.find(part...); }, key);
    binary_writer again;
    write_state(again, *stored);
    const auto read = r.bytes_from(state_at);
    const auto wrote = again.bytes();
    if (read.size() != wrote.size() || !std::equal(read.begin(), read.end(), wrote.begin())) {
      r.fail_at(state_at, "state",
                "changes when inserted into the prototype (e.g. unweighted counts under a weighted prototype); "
                "a group is stored as insert() keeps it");
    }
    prev = std::move(key);
  }
  return g;
}

}  // namespace cxm
