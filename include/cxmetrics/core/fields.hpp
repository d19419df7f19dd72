// The field-visiting protocol of serializable states: each state type
// describes its fields once, in a hook that sits beside the type, and every
// archive — the binary form (io/binary.hpp) and the JSON form (io/json.hpp)
// — walks that one description to write or to read. So no type header
// includes io/, and a check written in a hook holds for both forms.
//
// A TYPE T joins by declaring, in T's namespace (argument-dependent lookup
// finds them; serial_tag<T> also makes T's namespace an associated one):
//
//   constexpr cxm::serial_type serial_type_of(cxm::serial_tag<T>) noexcept {
//     return {cxm::type_tag::my_type, 1, "my_type"};   // tag, state version, name
//   }
//   template <class Ar> void visit_fields(Ar& ar, T& x);
//
// and, when T is not default-constructible, a placeholder the readers start
// from: `T serial_placeholder(cxm::serial_tag<T>)`. The tag is type_tag::none
// for a part that only ever appears inside other states (options, bin
// totals): it then has no binary preamble of its own, but a JSON form.
//
// visit_fields both writes and reads. Ar::loading is false when writing: x
// is the state to write and the hook must not change it (the writers pass a
// const state through a const_cast). When reading, x starts as T{} (or the
// placeholder) and the hook assigns what it read, after checking it. The
// usual shape: copy the parts of x into locals, visit the locals, and when
// loading, check them and rebuild x from them with ar.rebuild.
//
// ARCHIVE OPERATIONS. Every archive offers these (a name is a
// std::string_view; a scope is an RAII object that leaves the part again):
//
//   Ar::loading                      true for the readers
//   ar.member(name) -> scope         enters a named part of the current object
//   ar.element(i) -> scope           enters element i of the current sequence
//   ar.value(v)                      v: bool, std::uint8_t, std::uint32_t,
//                                    std::uint64_t, std::int32_t, std::int64_t,
//                                    double, std::string, or a state (inline:
//                                    its fields in place; JSON: an object)
//   ar.field(name, v)                member(name), then value(v)
//   ar.value(state, version)         a state written in an older layout
//                                    (binary: read as that state version)
//   ar.tagged(state) -> version      a state whose type the reader checks
//                                    (binary: u16 tag, u8 version, u32 length,
//                                    then the state; JSON: an object)
//   ar.choice(name, e, codes, names, what)
//                                    an enumeration: binary u8 index into codes,
//                                    JSON the string names[index]
//   ar.sequence(name, n, min_bytes_each[, binary_name])
//                                    declares `n` elements under `name`: binary
//                                    a u32 count (named binary_name; a reader
//                                    checks n · min_bytes_each bytes remain
//                                    before anything is allocated), JSON an array
//   ar.fixed(name, n)                declares exactly `n` elements that both
//                                    sides know (binary: nothing; JSON: an
//                                    array of n entries)
//   ar.implied_flag(name, v, keys)   binary: a bool byte; JSON: nothing, and on
//                                    reading true when the object has all of
//                                    `keys` (some but not all is an error)
//   ar.optional_field(name, opt)     binary: always present; JSON: may be absent
//   ar.legacy(key, version) -> bool  reading a state written before `key` was
//                                    dropped: binary, a state version below
//                                    `version`; JSON, the object has `key`
//   ar.only_members({...})           JSON reading: any other key is an error
//   ar.mark() -> mark                where the next value starts
//   ar.fail(why)                     throws about the value read last
//   ar.fail_at(mark, field, why)     throws about `field` (under the current
//                                    object), read at `mark`
//   ar.fail_here(why)                throws about the current object
//   ar.check(f)                      f(); a cxm::error it throws becomes a
//                                    failure of the value read last
//   ar.rebuild(make)                 make(); a cxm::error it throws becomes a
//                                    failure of the current object
//   ar.rebuild_at(mark, field, make) the same, reported at `field`
//   ar.same_as_read(mark, stored, read, version) -> bool
//                                    canonical-form check of a state read at
//                                    mark: binary, `stored` re-written gives the
//                                    bytes read (states of an older version:
//                                    stored == read); JSON, stored == read
//
// Failures are cxm::serialization_error whose field names the path
// ('group_by.groups[2].state.counts.counts[3]'); the binary reader's message
// also gives the byte offset. The byte layout of every cxmetrics state is in
// io/binary.hpp, its JSON form in io/json.hpp.
//
// Header: cxmetrics/core/fields.hpp (no dependency beyond the standard library).
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cxm::inline v0_1 {

/// Registry of the type tags of the binary format: one number per type,
/// never reused or renumbered (io/binary.hpp has the layouts).
enum class type_tag : std::uint16_t {
  none = 0x0000,  ///< a part without a preamble of its own (options, bin totals)
  scale = 0x0001,
  score_counts = 0x0002,
  nps_accumulator = 0x0010,
  csat_accumulator = 0x0011,
  ces_accumulator = 0x0012,
  resolution_accumulator = 0x0013,
  score_histogram = 0x0014,
  rating_accumulator = 0x0015,
  nps_tally = 0x0020,
  weighted_nps_tally = 0x0021,
  grouped_nps = 0x0022,
  metric_set = 0x0030,  ///< metric_set<A...>
  grouped = 0x0031,     ///< group_by<Acc, Key...> (named "group_by")
  bound = 0x0032,       ///< bound<A>: an accumulator bound to a field
  peak_end_state = 0x0040,  ///< one journey's peak-end statistic (journey/peak_end.hpp)
  series = 0x0050,          ///< series<A>: an accumulator per calendar period (series/series.hpp)
  summary_state = 0x0060,   ///< what `cxm summary` keeps per group (report/summary_state.hpp)
};

/// Every tag of the registry but none (for uniqueness checks and dispatch).
inline constexpr std::array<type_tag, 17> registered_type_tags = {
    type_tag::scale,           type_tag::score_counts,           type_tag::nps_accumulator,
    type_tag::csat_accumulator, type_tag::ces_accumulator,       type_tag::resolution_accumulator,
    type_tag::score_histogram, type_tag::rating_accumulator,     type_tag::nps_tally,
    type_tag::weighted_nps_tally, type_tag::grouped_nps,         type_tag::metric_set,
    type_tag::grouped,         type_tag::bound,                  type_tag::peak_end_state,
    type_tag::series,          type_tag::summary_state};

/// Name of a registered tag; "" for none and any other number.
[[nodiscard]] constexpr const char* to_string(type_tag t) noexcept {
  switch (t) {
    case type_tag::none: break;
    case type_tag::scale: return "scale";
    case type_tag::score_counts: return "score_counts";
    case type_tag::nps_accumulator: return "nps_accumulator";
    case type_tag::csat_accumulator: return "csat_accumulator";
    case type_tag::ces_accumulator: return "ces_accumulator";
    case type_tag::resolution_accumulator: return "resolution_accumulator";
    case type_tag::score_histogram: return "score_histogram";
    case type_tag::rating_accumulator: return "rating_accumulator";
    case type_tag::nps_tally: return "nps_tally";
    case type_tag::weighted_nps_tally: return "weighted_nps_tally";
    case type_tag::grouped_nps: return "grouped_nps";
    case type_tag::metric_set: return "metric_set";
    case type_tag::grouped: return "group_by";
    case type_tag::bound: return "bound";
    case type_tag::peak_end_state: return "peak_end_state";
    case type_tag::series: return "series";
    case type_tag::summary_state: return "summary_state";
  }
  return "";
}

/// What a serializable type declares about itself (see the header comment).
struct serial_type {
  type_tag tag;           ///< its number in the binary format (none: no preamble of its own)
  std::uint8_t version;   ///< the state version written (>= 1)
  std::string_view name;  ///< used in error messages and field paths
};

/// Empty argument that selects the hooks of a type T (and, through its
/// template argument, makes ADL look in T's namespace).
template <class T>
struct serial_tag {};

/// A type with serial_type_of: the first half of the protocol (the archives
/// check visit_fields themselves).
template <class T>
concept described_state = requires {
  { serial_type_of(serial_tag<T>{}) } -> std::same_as<serial_type>;
};

/// The state readers start from: T{}, or serial_placeholder(serial_tag<T>).
template <class T>
[[nodiscard]] T serial_start() {
  if constexpr (requires { serial_placeholder(serial_tag<T>{}); }) {
    return serial_placeholder(serial_tag<T>{});
  } else {
    return T{};
  }
}

/// Index of `v` in `codes` (an enumeration's codes in an archive), or N.
template <class E, std::size_t N>
[[nodiscard]] constexpr std::size_t code_of(const std::array<E, N>& codes, E v) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    if (codes[i] == v) return i;
  }
  return N;
}

}  // namespace cxm
