// Serialization hooks (core/fields.hpp) of the engine's states: the tallies
// (engine::nps_tally, engine::weighted_nps_tally, engine::grouped_nps) and
// the composites (metric_set<A...>, bound<A>, group_by<Acc, Key...>).
// The archives that walk them are in io/ (io/binary.hpp has the byte layouts,
// io/json.hpp the JSON forms); this header includes nothing from io/.
//
// * A composite names its C++ type completely: a metric_set writes its
//   members as tagged states in member order; a group_by writes the kind of
//   each key and its prototype as a tagged state. So reading another
//   instantiation (members in another order or of another type, another Acc,
//   another key type, a dense_key<N> of another N) fails naming the part,
//   e.g. 'group_by.keys[1].kind' or 'metric_set.members[0].type_tag'.
// * Keys. A group_by key is dense_key<N>, dense_key<>, an integer of 32 or 64
//   bits (signed or not) or std::string; group_by with any other key type has
//   no hook. String keys are any bytes (JSON needs them to be UTF-8:
//   nlohmann's dump() throws otherwise).
// * Canonical groups. Groups are written by strictly ascending key tuple
//   (std::tuple's <: integers by value, strings bytewise as unsigned char,
//   shorter prefix first), each with its state as insert() keeps it (the
//   prototype merged with the group). Reading rebuilds the grouping with
//   group_by::with_shape and insert and rejects keys out of order or
//   repeated, a dense key outside its cardinality, a non-empty prototype, a
//   state that does not merge with the prototype, one that changes when
//   inserted (e.g. unweighted counts under a weighted prototype: insert makes
//   them weighted) and group counts summing past 2^64 − 1; so every state
//   read writes back the same. A state that group_by merges can produce, an
//   unweighted group under a weighted prototype, is written weighted with
//   Σw = Σw² = n per bin (what insert would make of it): the same results,
//   but not operator== to the original. The groups' states are in the state
//   version of the prototype.
// * Allocation. Every length is checked against the bytes left before
//   anything is allocated. The one allocation the input's size does not
//   bound is the cell array of an all-dense grouping: one cell per key
//   combination (the product of the cardinalities, at most max_dense_groups
//   = 2^20), which the type holds in memory whatever the groups present; a
//   dense_key<> takes its cardinality from the input.
//
// Header: cxmetrics/engine/fields.hpp. Complexity: O(size of the state) both
// ways; a group_by also re-writes each group once while reading (the
// canonical-form check) and merges it into a copy of the prototype while
// writing.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/fields.hpp"
#include "cxmetrics/engine/accumulator.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/engine/group_by.hpp"
#include "cxmetrics/engine/grouped.hpp"
#include "cxmetrics/engine/metric_set.hpp"

namespace cxm::inline v0_1 {

namespace engine {

constexpr serial_type serial_type_of(serial_tag<nps_tally>) noexcept { return {type_tag::nps_tally, 1, "nps_tally"}; }

/// Fields of nps_tally: detractors, passives, promoters (their sum fits a u64).
template <class Ar>
void visit_fields(Ar& ar, nps_tally& t) {
  nps_tally v = t;
  ar.field("detractors", v.detractors);
  ar.field("passives", v.passives);
  if (v.passives > UINT64_MAX - v.detractors) ar.fail("counts sum past 2^64 - 1");
  ar.field("promoters", v.promoters);
  if (v.promoters > UINT64_MAX - v.detractors - v.passives) ar.fail("counts sum past 2^64 - 1");
  if constexpr (Ar::loading) t = v;
}

constexpr serial_type serial_type_of(serial_tag<weighted_nps_tally>) noexcept {
  return {type_tag::weighted_nps_tally, 1, "weighted_nps_tally"};
}

/// Fields of weighted_nps_tally: detractors, passives, promoters, each a
/// bin_totals (n, sum_w, sum_w2); the three n sum within a u64.
template <class Ar>
void visit_fields(Ar& ar, weighted_nps_tally& t) {
  weighted_nps_tally v = t;
  std::uint64_t total = 0;
  const std::array<std::pair<bin_totals*, std::string_view>, 3> groups = {
      {{&v.detractors, "detractors"}, {&v.passives, "passives"}, {&v.promoters, "promoters"}}};
  for (const auto& [g, name] : groups) {
    auto in = ar.member(name);
    const auto at = ar.mark();
    ar.value(*g);
    if (g->n > UINT64_MAX - total) ar.fail_at(at, "n", "counts sum past 2^64 - 1");
    total += g->n;
  }
  if constexpr (Ar::loading) t = v;
}

constexpr serial_type serial_type_of(serial_tag<grouped_nps>) noexcept {
  return {type_tag::grouped_nps, 1, "grouped_nps"};
}

/// Fields of grouped_nps: shape (one cardinality per key column; binary
/// count "key_columns"), cells (one nps_tally per cell, row-major; as many
/// as the product of the shape; no key column: 0 cells, the empty grouping,
/// or 1).
template <class Ar>
void visit_fields(Ar& ar, grouped_nps& g) {
  std::vector<std::uint32_t> shape(g.shape().begin(), g.shape().end());
  std::vector<nps_tally> cells(g.cells().begin(), g.cells().end());
  std::size_t k = shape.size();
  ar.sequence("shape", k, 4, "key_columns");
  shape.resize(k);
  // Product of the cardinalities, saturated just above any cell count a u32 can give.
  constexpr std::uint64_t cap = std::uint64_t{1} << 33;
  std::uint64_t product = 1;
  {
    auto in = ar.member("shape");
    for (std::size_t i = 0; i < k; ++i) {
      auto e = ar.element(i);
      ar.value(shape[i]);
      product = (shape[i] != 0 && product > cap / shape[i]) ? cap : product * shape[i];
    }
  }
  std::size_t n = cells.size();
  ar.sequence("cells", n, 24);
  if (k == 0 ? (n != 0 && n != 1) : (n != product)) {
    ar.fail(std::to_string(n) + " cells, but " +
            (k == 0 ? std::string("a grouping without key columns has 0 (empty) or 1")
                    : "the product of the cardinalities is " +
                          (product >= cap ? std::string("larger than 2^32") : std::to_string(product))));
  }
  cells.resize(n);
  {
    auto in = ar.member("cells");
    for (std::size_t i = 0; i < n; ++i) {
      auto e = ar.element(i);
      ar.value(cells[i]);
    }
  }
  if constexpr (Ar::loading) {
    g = (k == 0 && n == 0) ? grouped_nps{}
                           : ar.rebuild([&] { return grouped_nps(std::move(shape), std::move(cells)); });
  }
}

}  // namespace engine

// --- metric_set ----------------------------------------------------------------------

template <class... A>
constexpr serial_type serial_type_of(serial_tag<metric_set<A...>>) noexcept {
  return {type_tag::metric_set, 1, "metric_set"};
}

/// Fields of metric_set<A...>: rows (>= every member's count), then the
/// members as tagged states in member order (binary count "member_count").
template <class Ar, class... A>
  requires(described_state<A> && ...)
void visit_fields(Ar& ar, metric_set<A...>& s) {
  ar.only_members({"rows", "members"});
  std::uint64_t rows = s.count();
  const auto rows_at = ar.mark();
  ar.field("rows", rows);
  std::size_t m = sizeof...(A);
  ar.sequence("members", m, 7, "member_count");
  if (m != sizeof...(A)) {
    std::string names;
    ((names += (names.empty() ? "" : ", ") + std::string(serial_type_of(serial_tag<A>{}).name)), ...);
    ar.fail("holds " + std::to_string(m) + " members, but this metric_set has " + std::to_string(sizeof...(A)) +
            " (" + names + ")");
  }
  std::tuple<A...> members = s.members();
  {
    auto in = ar.member("members");
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((void)[&] {
        auto e = ar.element(I);
        (void)ar.tagged(std::get<I>(members));
      }(),
       ...);
    }(std::index_sequence_for<A...>{});
  }
  if constexpr (Ar::loading) {
    s = ar.rebuild_at(rows_at, "rows", [&] {
      return std::apply([&](A&... a) { return metric_set<A...>(rows, std::move(a)...); }, members);
    });
  }
}

// --- bound ---------------------------------------------------------------------------

template <class A>
constexpr serial_type serial_type_of(serial_tag<bound<A>>) noexcept {
  return {type_tag::bound, 1, "bound"};
}

/// Fields of bound<A>: field_id (u32, the id in the schema bound in), field
/// (the field's name, non-empty) and state (a tagged A). The name travels
/// with the state, so states bound to different fields refuse to merge after
/// a round trip too.
template <class Ar, class A>
  requires described_state<A>
void visit_fields(Ar& ar, bound<A>& b) {
  ar.only_members({"field_id", "field", "state"});
  std::uint32_t id = b.field().value;
  std::string name = b.field_name();
  ar.field("field_id", id);
  if (id >= schema::max_fields) {
    ar.fail("is " + std::to_string(id) + ", but a schema holds at most " + std::to_string(schema::max_fields) +
            " fields");
  }
  const auto name_at = ar.mark();
  ar.field("field", name);
  A acc = b.get();
  {
    auto in = ar.member("state");
    (void)ar.tagged(acc);
  }
  if constexpr (Ar::loading) {
    b = ar.rebuild_at(name_at, "field", [&] { return bound<A>(field_id(std::size_t{id}), std::move(name), std::move(acc)); });
  }
}

// --- group_by ------------------------------------------------------------------------

namespace detail {

/// Code of a group_by key in the archives; no member for a key type they do
/// not hold. Codes: 0 dense (dense_key<N>), 1 dense_runtime (dense_key<>),
/// 2 uint64, 3 int64, 4 uint32, 5 int32 (any integer type of that width and
/// signedness), 6 string (std::string).
template <class K>
struct key_kind {};
template <std::uint32_t N>
struct key_kind<dense_key<N>> : std::integral_constant<std::uint8_t, N == dynamic_cardinality ? 1 : 0> {};
template <class K>
  requires(std::is_integral_v<K> && !std::is_same_v<K, bool> && (sizeof(K) == 4 || sizeof(K) == 8))
struct key_kind<K> : std::integral_constant<std::uint8_t, (sizeof(K) == 8 ? 2 : 4) + (std::is_signed_v<K> ? 1 : 0)> {};
template <>
struct key_kind<std::string> : std::integral_constant<std::uint8_t, 6> {};

/// Codes and names of the key kinds (a choice in the archives).
inline constexpr std::array<std::uint8_t, 7> key_kind_codes = {0, 1, 2, 3, 4, 5, 6};
inline constexpr std::array<std::string_view, 7> key_kind_names = {"dense",  "dense_runtime", "uint64", "int64",
                                                                   "uint32", "int32",         "string"};

/// A key type the archives hold.
template <class K>
concept serial_key = requires { key_kind<K>::value; };

/// Bytes of the shortest binary encoding of a key of kind K (a u32, a u64,
/// or a string's u32 length).
template <class K>
inline constexpr std::size_t key_min_bytes = (key_kind<K>::value == 2 || key_kind<K>::value == 3) ? 8 : 4;

/// One part of a group key: as its fixed-width type in the archives; a dense
/// key below its cardinality.
template <class K, class Ar, class V>
void visit_key(Ar& ar, V& v, std::uint32_t cardinality) {
  constexpr auto code = key_kind<K>::value;
  using fixed = std::conditional_t<
      code <= 1 || code == 4, std::uint32_t,
      std::conditional_t<code == 2, std::uint64_t,
                         std::conditional_t<code == 3, std::int64_t,
                                            std::conditional_t<code == 5, std::int32_t, std::string>>>>;
  fixed x = static_cast<fixed>(v);
  ar.value(x);
  if constexpr (code <= 1) {
    if (x >= cardinality) {
      ar.fail("dense key " + std::to_string(x) + " is not below the key's cardinality " + std::to_string(cardinality));
    }
  }
  if constexpr (Ar::loading) v = static_cast<V>(x);
}

}  // namespace detail

template <class Acc, detail::serial_key... Key>
constexpr serial_type serial_type_of(serial_tag<group_by<Acc, Key...>>) noexcept {
  return {type_tag::grouped, 1, "group_by"};
}

/// Fields of group_by<Acc, Key...>: keys (kind and cardinality of each key;
/// binary count "key_count"), prototype (a tagged, empty Acc), groups (key,
/// state), by ascending key. See the header comment.
template <class Ar, class Acc, detail::serial_key... Key>
  requires described_state<Acc>
void visit_fields(Ar& ar, group_by<Acc, Key...>& g) {
  using grouping = group_by<Acc, Key...>;
  constexpr std::size_t k = sizeof...(Key);
  constexpr std::array<std::uint8_t, k> kinds{detail::key_kind<Key>::value...};
  constexpr std::array<std::uint32_t, k> fixed{detail::key_traits<Key>::cardinality...};
  const auto kind_text = [](std::uint8_t code) { return "'" + std::string(detail::key_kind_names[code]) + "'"; };
  ar.only_members({"keys", "prototype", "groups"});

  typename grouping::shape_type shape = g.shape();
  std::size_t keys = k;
  const auto keys_at = ar.mark();
  ar.sequence("keys", keys, 5, "key_count");
  if (keys != k) {
    std::string ours;
    for (const auto c : kinds) ours += (ours.empty() ? "" : ", ") + kind_text(c);
    ar.fail("holds " + std::to_string(keys) + " keys, but this group_by has " + std::to_string(k) + " (" + ours + ")");
  }
  // Cells of an all-dense grouping, saturated just above the limit.
  constexpr std::uint64_t cap = std::uint64_t{max_dense_groups} + 1;
  std::uint64_t cells = 1;
  {
    auto in = ar.member("keys");
    for (std::size_t j = 0; j < k; ++j) {
      auto e = ar.element(j);
      ar.only_members({"kind", "cardinality"});
      std::uint8_t kind = kinds[j];
      ar.choice("kind", kind, detail::key_kind_codes, detail::key_kind_names, "key kind");
      if (kind != kinds[j]) {
        ar.fail("is a " + kind_text(kind) + " key, but key " + std::to_string(j) + " of this group_by is a " +
                kind_text(kinds[j]) + " key");
      }
      ar.field("cardinality", shape[j]);
      if (kind == 0 && shape[j] != fixed[j]) {
        ar.fail("is " + std::to_string(shape[j]) + ", but key " + std::to_string(j) + " is a dense_key<" +
                std::to_string(fixed[j]) + ">");
      }
      if (kind >= 2 && shape[j] != 0) ar.fail("is " + std::to_string(shape[j]) + ", but a hashed key has cardinality 0");
      cells = (shape[j] != 0 && cells > cap / shape[j]) ? cap : cells * shape[j];
    }
  }
  if (grouping::all_dense && cells > max_dense_groups) {
    ar.fail_at(keys_at, "keys",
               "the cardinalities make more than " + std::to_string(max_dense_groups) + " cells (max_dense_groups)");
  }

  Acc proto = g.prototype();
  std::uint8_t version = 0;
  grouping read;
  {
    auto in = ar.member("prototype");
    version = ar.tagged(proto);
    if (!proto.empty()) {
      ar.fail_here("counts " + std::to_string(proto.count()) +
                   " responses, but the prototype of a group_by must be empty");
    }
    if constexpr (Ar::loading) read = ar.rebuild([&] { return grouping::with_shape(proto, shape); });
  }

  const auto entries = g.groups();
  std::size_t n = entries.size();
  ar.sequence("groups", n, (detail::key_min_bytes<Key> + ...));
  auto in = ar.member("groups");
  std::optional<typename grouping::key_type> prev;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    auto e = ar.element(i);
    typename grouping::key_type key{};
    Acc acc = proto;
    if constexpr (!Ar::loading) {
      key = entries[i].first;
      acc.merge(entries[i].second.get());  // as insert() keeps it (see the header comment)
    }
    ar.fixed("key", k);
    {
      auto part = ar.member("key");
      [&]<std::size_t... J>(std::index_sequence<J...>) {
        ((void)[&] {
          auto p = ar.element(J);
          detail::visit_key<std::tuple_element_t<J, std::tuple<Key...>>>(ar, std::get<J>(key), shape[J]);
        }(),
         ...);
      }(std::index_sequence_for<Key...>{});
      if (prev && !(*prev < key)) {
        ar.fail_here((*prev == key ? "repeats the key of group " : "is below the key of group ") +
                     std::to_string(i - 1) + "; groups are stored in strictly ascending key order");
      }
    }
    auto st = ar.member("state");
    const auto state_at = ar.mark();
    ar.value(acc, version);
    if constexpr (Ar::loading) {
      if (acc.count() > UINT64_MAX - total) ar.fail_here("counts sum past 2^64 - 1");
      total += acc.count();
      ar.rebuild([&] {
        read.insert(key, acc);
        return 0;
      });
      const Acc* stored = std::apply([&](const auto&... parts) { return read.find(parts...); }, key);
      if (!ar.same_as_read(state_at, *stored, acc, version)) {
        ar.fail_here(
            "changes when inserted into the prototype (e.g. unweighted counts under a weighted prototype); "
            "a group is stored as insert() keeps it");
      }
      prev = std::move(key);
    }
  }
  if constexpr (Ar::loading) g = std::move(read);
}

}  // namespace cxm
