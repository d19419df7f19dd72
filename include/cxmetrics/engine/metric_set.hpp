// metric_set: several accumulators fed in one pass, as one accumulator.
//
//   cxm::metric_set<cxm::nps_accumulator, cxm::csat_accumulator, cxm::resolution_accumulator> s;
//   for (std::size_t i = 0; i < rows.size(); ++i) s.add(rows[i], cxm::at_row(i));
//   s.add(cxm::columns_of(table));               // or a whole response_table, column by column
//   auto [nps, csat, resolved] = s.result();     // std::tuple of the members' results
//   s.get<cxm::nps_accumulator>().counts();      // one member's state
//
// The idea is Boost.Accumulators' accumulator_set (members share the work of
// reading the input), without its metaprogramming: a std::tuple of members
// and fold expressions. Every member reads one field of a response, said by
// column_reader<A> (below; specialise it to add an accumulator of your own):
//
//   member                   reads      counted on
//   nps_accumulator          nps        scale::nps()
//   csat_accumulator         csat       scale::csat(top_box)
//   ces_accumulator          ces        scale::ces(easy_min)
//   resolution_accumulator   resolved   scale::binary() (unknown apart)
//   score_histogram          by the kind of its scale: nps and custom → nps,
//                            csat → csat, ces → ces, binary → resolved
//   bound<A>                 the score field it is bound to (a declared one,
//                            or nps, csat, ces), on A's scale
//
// Bound members. bound<A> (below) makes any of the score accumulators read
// another field: metric_set<bound<rating_accumulator>, bound<rating_accumulator>>
// holds one rating per question, reached by index (get<0>(), get<1>(); get<T>
// needs T to occur once). The member list is a compile-time one: a run-time
// list of fields (the fields a shell user declares) is a run-time list of
// states, e.g. one group_by<metric_set<bound<A>>> per field, each counted by
// the same grouped kernel (what `cxm summary --field` does); the columns are
// then read once per field, the keys once per grouping.
//
// Rows. add(response) and add(column_row) (a row of columns: group_by's row
// loop, for members bound to declared fields) first check every field a
// member reads (in response_table's order: nps, csat, ces, weight, resolved,
// then declared fields in member order) and then add the
// row to every member, so a bad row throws (naming `where` and the field) and
// changes nothing. The weight follows the rule of engine/accumulator.hpp.
//
// Columns. add(response_columns) takes the columns of a response_table
// (missing_score 255 for a missing score, −1 for an unknown resolution, an
// optional weight column). Each column a member reads is counted ONCE with the
// engine (engine::count_column / count_resolved) per distinct score range, and
// the counts are given to every member reading that column (relabelled to
// the member's own cut points); columns no member reads are not read. All
// counting is done before any member changes, so an error (the first bad row
// of a column, named by count_options::first_row + index and the column
// name) changes nothing. With a weight column every member is weighted;
// without one, none is. Counts equal those of adding the same rows one by
// one; weight sums may differ in the last bits (engine summation order).
//
// Histogram-backed. An accumulator with a column_reader (field, scale and
// add_counts) is histogram_backed: its state is a histogram of one field, so
// group_by's columnar paths (engine/grouped_feed.hpp) count it, and every
// metric_set, with the SIMD grouped kernel. add_counted(rows, bins_of) adds
// counts made elsewhere (counted_bins, one per member) in place, through
// column_reader<A>::add_bins when the reader has it: group_by adds each
// cell of an input to its group so, building no state per cell.
//
// count() is the number of rows added (a row may answer none of the
// questions), so it is at least each member's count. merge() merges member by
// member and is all-or-nothing: incompatible members (different scales or cut
// points) throw incompatible_merge and leave the set unchanged.
//
// Header: cxmetrics/engine/metric_set.hpp. Complexity: add(row) O(members),
// add(columns) one engine pass per distinct column, merge O(state).
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/engine/accumulator.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/engine/response_view.hpp"
#include "cxmetrics/metrics/ces.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/metrics/resolution.hpp"

namespace cxm::inline v0_1 {

namespace detail {

/// The answer of `r` to `f` as a score (resolved: yes 1, no 0), if any.
/// Throws invalid_value for a resolution that is not yes, no or unknown.
[[nodiscard]] inline std::optional<int> answer_of(const response& r, answer_field f, const location& where) {
  switch (f) {
    case answer_field::nps: return r.nps;
    case answer_field::csat: return r.csat;
    case answer_field::ces: return r.ces;
    case answer_field::resolved:
      response_table::check_resolution(r.resolved, with_field(where, "resolved"));
      if (r.resolved == resolution::unknown) return std::nullopt;
      return r.resolved == resolution::yes ? 1 : 0;
  }
  return std::nullopt;
}

/// Throws what adding the answer of `r` to `f` on `s` would throw.
inline void check_answer(const response& r, answer_field f, const scale& s, const location& where) {
  if (const auto v = answer_of(r, f, where)) s.check(*v, with_field(where, to_string(f)));
}

/// `c` on `s`, a scale with the same points (only the cut points may differ).
[[nodiscard]] inline score_counts relabelled(const score_counts& c, const scale& s) {
  if (c.scale_of() == s) return c;
  const auto raw = c.raw_counts();
  std::vector<std::uint64_t> n(raw.begin(), raw.end());
  std::vector<double> w;
  std::vector<double> w2;
  if (c.weighted()) {
    for (std::size_t b = 0; b < c.bins(); ++b) {
      w.push_back(c.weight(b));
      w2.push_back(c.weight_sq(b));
    }
  }
  return score_counts(s, std::move(n), std::move(w), std::move(w2));
}

/// The id of an answer field (its predefined field).
[[nodiscard]] constexpr field_id field_id_of(answer_field f) noexcept {
  switch (f) {
    case answer_field::nps: return response_field::nps;
    case answer_field::csat: return response_field::csat;
    case answer_field::ces: return response_field::ces;
    case answer_field::resolved: return response_field::resolved;
  }
  return response_field::nps;
}

/// The answer field of a predefined id, when it is nps, csat, ces or resolved.
[[nodiscard]] constexpr std::optional<answer_field> answer_field_of(field_id f) noexcept {
  if (f == field_id(response_field::nps)) return answer_field::nps;
  if (f == field_id(response_field::csat)) return answer_field::csat;
  if (f == field_id(response_field::ces)) return answer_field::ces;
  if (f == field_id(response_field::resolved)) return answer_field::resolved;
  return std::nullopt;
}

/// What column_reader<A>::field may return: an answer field or a field id.
template <class T>
concept field_result = std::same_as<T, answer_field> || std::same_as<T, field_id>;

}  // namespace detail

/// One field's answers counted elsewhere, on the points of a member's scale
/// (bin b: score min + b): responses per bin, their Σw and Σw² (both empty
/// when unweighted), and the rows without an answer. A view: the caller owns
/// the numbers.
struct counted_bins {
  std::span<const std::uint64_t> n;
  std::span<const double> w;
  std::span<const double> w2;
  std::uint64_t missing = 0;
};

/// One row as the row paths hand it to metric_set members: the predefined
/// answers as a response and, when the row was read from columns (group_by's
/// row loop), those columns and the row's index in them, so that a member
/// bound to a declared field reads its column. A lone response has no columns.
struct column_row {
  const response& answers;
  const response_columns* columns = nullptr;
  std::size_t index = 0;
};

namespace detail {

/// The score column of field `f` (named `name` by the member reading it) in
/// `c`: a predefined score column, or a declared one through c.fields (empty
/// when `c` has none). Throws invalid_argument when field `f` of `c` is not
/// `name` (a state bound in another schema) or not a score.
[[nodiscard]] inline std::span<const std::uint8_t> scores_of(const response_columns& c, field_id f,
                                                              std::string_view name) {
  if (name.empty()) {
    throw invalid_argument("an unbound state reads no field: bind it to one (bound(schema, name, acc))");
  }
  if (f == field_id(response_field::nps)) return c.nps;
  if (f == field_id(response_field::csat)) return c.csat;
  if (f == field_id(response_field::ces)) return c.ces;
  if (c.fields == nullptr || c.declared_scores == nullptr) return {};
  if (f.index() >= c.fields->size() || field_key((*c.fields)[f].name) != field_key(name)) {
    throw invalid_argument("a member reads field '" + std::string(name) + "' (id " + std::to_string(f.index()) +
                               "), but " +
                               (f.index() >= c.fields->size() ? "the input has " + std::to_string(c.fields->size()) +
                                                                    " fields"
                                                              : "field " + std::to_string(f.index()) +
                                                                    " of the input is '" + (*c.fields)[f].name + "'"),
                           at_field(std::string(name)));
  }
  if ((*c.fields)[f].kind != field_kind::score) {
    throw invalid_argument("a member reads field '" + std::string(name) + "', which is a " +
                               std::string(to_string((*c.fields)[f].kind)) + ", not a score",
                           at_field(std::string(name)));
  }
  return c.declared_scores(c.source, f);
}

/// The answer of `row` to field `f` (named `name`) as a score. Throws
/// invalid_argument for a declared field of a row without its column.
[[nodiscard]] inline std::optional<int> answer_of(const column_row& row, field_id f, std::string_view name,
                                                  const location& where) {
  if (name.empty()) {
    throw invalid_argument("an unbound state reads no field: bind it to one (bound(schema, name, acc))", where);
  }
  if (const auto a = answer_field_of(f)) return answer_of(row.answers, *a, where);
  const auto column = row.columns != nullptr ? scores_of(*row.columns, f, name) : std::span<const std::uint8_t>{};
  if (row.index >= column.size()) {
    throw invalid_argument("field '" + std::string(name) +
                               "' is a declared field, which a lone cxm::response does not hold: add the rows of a "
                               "response_table, a batch or their columns",
                           with_field(where, std::string(name)));
  }
  const std::uint8_t v = column[row.index];
  if (v == response_table::missing_score) return std::nullopt;
  return static_cast<int>(v);
}

/// column_reader of the histogram-backed metric accumulators, which all read
/// one field and take counted columns through add_counts (or add_bins).
template <class A, answer_field F>
struct metric_reader {
  static constexpr answer_field field(const A&) noexcept { return F; }
  static const scale& scale_of(const A& a) noexcept { return a.counts().scale_of(); }
  static void add(A& a, const response& r, const location& where) { a.add(r, where); }
  static void add_counts(A& a, score_counts c, std::uint64_t /*missing*/) { a.add_counts(c); }
  static void add_bins(A& a, const counted_bins& b) { a.add_bins(b.n, b.w, b.w2); }
};

}  // namespace detail

/// How metric_set (and group_by's columnar paths) feed an accumulator A: the
/// trait that makes A histogram-backed. A specialisation provides
///   static answer_field field(const A&);          the field it reads
///   static const scale& scale_of(const A&);         the scale it is counted on
///   static void add(A&, const response&, const location&);   one row
///   static void add_counts(A&, score_counts, std::uint64_t missing);
///     adds a histogram on scale_of(a) (counts, or counts with Σw and Σw²
///     per point) and the number of rows without an answer
/// The primary template is empty: A is then not a metric_set member. The
/// specialisations below need of the four metric accumulators: a.counts()
/// (a score_counts, for the scale), a.add(response, location), a.merge, and a
/// constructor from counts (A(counts) or A(options, counts); a resolution
/// also takes its unknowns).
template <class A>
struct column_reader {};

template <>
struct column_reader<nps_accumulator> : detail::metric_reader<nps_accumulator, answer_field::nps> {};
template <>
struct column_reader<csat_accumulator> : detail::metric_reader<csat_accumulator, answer_field::csat> {};
template <>
struct column_reader<ces_accumulator> : detail::metric_reader<ces_accumulator, answer_field::ces> {};

template <>
struct column_reader<resolution_accumulator> {
  static constexpr answer_field field(const resolution_accumulator&) noexcept { return answer_field::resolved; }
  static const scale& scale_of(const resolution_accumulator& a) noexcept { return a.counts().scale_of(); }
  static void add(resolution_accumulator& a, const response& r, const location& where) { a.add(r, where); }
  static void add_counts(resolution_accumulator& a, score_counts c, std::uint64_t unknown) {
    a.add_counts(c, unknown);
  }
  static void add_bins(resolution_accumulator& a, const counted_bins& b) { a.add_bins(b.n, b.w, b.w2, b.missing); }
};

template <>
struct column_reader<score_histogram> {
  /// nps and custom scales read nps, csat csat, ces ces, binary resolved.
  static answer_field field(const score_histogram& a) noexcept {
    switch (a.scale_of().kind()) {
      case scale_kind::csat: return answer_field::csat;
      case scale_kind::ces: return answer_field::ces;
      case scale_kind::binary: return answer_field::resolved;
      case scale_kind::nps:
      case scale_kind::custom: break;
    }
    return answer_field::nps;
  }
  static const scale& scale_of(const score_histogram& a) noexcept { return a.scale_of(); }
  static void add(score_histogram& a, const response& r, const location& where) {
    const auto f = field(a);
    const auto v = detail::answer_of(r, f, where);
    if (v) a.scale_of().check(*v, detail::with_field(where, to_string(f)));
    check_weight(r.weight, detail::with_field(where, "weight"));
    if (v && r.weight != 1.0) {
      a.add(*v, r.weight);
    } else if (v) {
      a.add(*v);
    } else if (r.weight != 1.0 && !a.counts().weighted()) {
      score_counts none(a.scale_of());
      detail::make_weighted(none);
      a.merge(score_histogram(std::move(none)));
    }
  }
  static void add_counts(score_histogram& a, score_counts c, std::uint64_t /*missing*/) {
    a.merge(score_histogram(std::move(c)));
  }
  static void add_bins(score_histogram& a, const counted_bins& b) { a.add_bins(b.n, b.w, b.w2); }
};

/// An accumulator whose state is a histogram of one field's answers: it
/// exposes its field and scale and adds a histogram of counts or weight sums
/// (column_reader<A>). group_by counts such accumulators with the SIMD
/// grouped kernel.
template <class A>
concept histogram_backed = accumulator<A> && requires(A& a, const A& ca, score_counts c, std::uint64_t missing) {
  { column_reader<A>::field(ca) } -> detail::field_result;
  { column_reader<A>::scale_of(ca) } -> std::same_as<const scale&>;
  column_reader<A>::add_counts(a, std::move(c), missing);
};

/// Adds `b` to `a` on a's own scale: column_reader<A>::add_bins when the
/// reader has it (no state is built), else add_counts of a score_counts.
template <histogram_backed A>
void add_counted_bins(A& a, const counted_bins& b) {
  if constexpr (requires { column_reader<A>::add_bins(a, b); }) {
    column_reader<A>::add_bins(a, b);
  } else {
    const scale& s = column_reader<A>::scale_of(a);
    std::vector<std::uint64_t> n(b.n.begin(), b.n.end());
    std::vector<double> w(b.w.begin(), b.w.end());
    std::vector<double> w2(b.w2.begin(), b.w2.end());
    column_reader<A>::add_counts(a, score_counts(s, std::move(n), std::move(w), std::move(w2)), b.missing);
  }
}

/// An accumulator metric_set can hold: histogram-backed and fed rows by
/// column_reader<A>::add.
template <class A>
concept column_member = histogram_backed<A> && requires(A& a, const response& r, const location& where) {
  column_reader<A>::add(a, r, where);
};

namespace detail {

/// The field a histogram-backed `a` reads, as an id.
template <class A>
[[nodiscard]] field_id field_of(const A& a) {
  const auto f = column_reader<A>::field(a);
  if constexpr (std::same_as<decltype(f), const answer_field>) {
    return field_id_of(f);
  } else {
    return f;
  }
}

/// The name of the field `a` reads: its bound name (column_reader<A>::
/// field_name), else the predefined field's.
template <class A>
[[nodiscard]] std::string_view field_name_of(const A& a) {
  if constexpr (requires { column_reader<A>::field_name(a); }) {
    return column_reader<A>::field_name(a);
  } else {
    return predefined(static_cast<response_field>(field_of(a).value)).name;
  }
}

/// Adds one row to `a`: column_reader<A>::add_row when A reads rows of
/// columns (a bound state), else a.add(row) when A takes them (metric_set),
/// else its response.
template <class A>
void add_row_to(A& a, const column_row& row, const location& where) {
  if constexpr (requires { column_reader<A>::add_row(a, row, where); }) {
    column_reader<A>::add_row(a, row, where);
  } else if constexpr (requires { a.add(row, where); }) {
    a.add(row, where);
  } else if constexpr (requires { column_reader<A>::add(a, row.answers, where); }) {
    column_reader<A>::add(a, row.answers, where);
  } else {
    a.add(row.answers, where);
  }
}

/// Throws what adding the answer of `row` to field `f` on `s` would throw.
inline void check_answer(const column_row& row, field_id f, std::string_view name, const scale& s,
                         const location& where) {
  if (const auto v = answer_of(row, f, name, where)) s.check(*v, with_field(where, std::string(name)));
}

}  // namespace detail

/// A histogram-backed accumulator bound to a field: it reads the answers of
/// the field it is given instead of its usual one, so the same
/// csat_accumulator or rating_accumulator runs over each of several rating
/// columns.
///
///   const cxm::schema s = cxm::schema_builder().score("q1", cxm::scale::custom(1, 5, 4, 2)).build();
///   cxm::bound<cxm::rating_accumulator> q1(s, "q1");           // or cxm::on_field(s, "q1", acc)
///   cxm::metric_set<cxm::bound<cxm::rating_accumulator>, cxm::bound<cxm::rating_accumulator>> both(
///       cxm::on_field(s, "q1", cxm::rating_accumulator{}), cxm::on_field(s, "q2", cxm::rating_accumulator{}));
///   both.add(cxm::columns_of(table));                          // each member counts its own column
///   both.get<1>().result().mean;                               // by index: the type occurs twice
///
/// Binding. bound(schema, name or id, acc) binds to a score field of the
/// schema (a declared one, or nps, csat, ces); it throws invalid_argument
/// naming the field when the schema has no such field, when it is not a
/// score, or when its scale's points (min..max) are not those of the
/// accumulator's scale. Cut points may differ: they are the accumulator's
/// own (a field declared 1-5 read by a top-1-box CSAT). bound(acc) and
/// bound() keep the usual field of A (column_reader<A>::field).
///
/// Reading. column_reader<bound<A>>::field is the bound id, so metric_set's
/// column path and group_by's histogram path (engine/grouped_feed.hpp) count
/// the bound column with the engine, and the row paths (metric_set::add of a
/// column_row, group_by's row loop) read the same column row by row. The
/// columns of a response_table or batch (columns_of, view_of) carry their
/// declared score columns; a field is found by id and its name must be the
/// bound name (else invalid_argument: a state bound in another schema). A
/// lone cxm::response holds only the predefined fields: adding one to a state
/// bound to a declared field throws invalid_argument.
///
/// Merging. Two bound states merge when their field names are the same
/// (compared as keys, core/schema.hpp) and A's states merge; otherwise
/// incompatible_merge names both fields. The state is (field id, field
/// name, A): its binary and JSON forms carry the name (engine/fields.hpp).
///
/// A needs a.add(score, location), a.add(score, weight, location),
/// add_counts(score_counts), counts() and scale_of(): the score_metric
/// accumulators (nps, csat, ces, rating, score_histogram); a resolution is
/// not bound (flags are not scores). A default bound<rating_accumulator> is
/// unbound: a rating has no usual field.
template <class A>
  requires accumulator<A> && requires(A& a, const A& ca, int v, double w, const location& where, score_counts c) {
    a.add(v, where);
    a.add(v, w, where);
    a.add_counts(c);
    { ca.counts() } -> std::same_as<const score_counts&>;
    { ca.scale_of() } -> std::same_as<const scale&>;
  }
class bound {
 public:
  using accumulator_type = A;
  using result_type = typename A::result_type;

  /// A default A on its usual field; unbound (field_name() empty, reading
  /// throws invalid_argument) when A has none (rating_accumulator).
  bound() {
    if constexpr (histogram_backed<A>) *this = bound(A{});
  }
  /// `acc` on its usual field.
  explicit bound(A acc)
    requires histogram_backed<A>
      : acc_(std::move(acc)), field_(detail::field_of(acc_)), name_(detail::field_name_of(acc_)) {}
  /// `acc` bound to the score field `name` of `s` (see the class comment).
  bound(const schema& s, std::string_view name, A acc = A{}) : acc_(std::move(acc)) {
    const auto f = s.find(name);
    if (!f) {
      throw invalid_argument("cannot bind to field '" + std::string(name) + "': the schema has no such field",
                             at_field(std::string(name)));
    }
    bind(s, *f);
  }
  /// `acc` bound to the score field of id `f` in `s`.
  bound(const schema& s, field_id f, A acc) : acc_(std::move(acc)) { bind(s, f); }
  /// Rebuilds a state from its parts (deserialisation): no schema to check
  /// against. Throws invalid_argument for an empty name, or a predefined id
  /// whose name is not `name`.
  bound(field_id f, std::string name, A acc) : acc_(std::move(acc)), field_(f), name_(std::move(name)) {
    if (field_key(name_).empty() && (f.value != 0 || !name_.empty())) {
      throw invalid_argument("a bound state needs the name of its field (an unbound one has id 0 and no name)");
    }
    if (f.predefined() && field_key(predefined(static_cast<response_field>(f.value)).name) != field_key(name_)) {
      throw invalid_argument("field id " + std::to_string(f.index()) + " is the predefined field '" +
                                 std::string(predefined(static_cast<response_field>(f.value)).name) + "', not '" +
                                 name_ + "'",
                             at_field(name_));
    }
  }

  /// Adds the answer of `row` to the bound field (weighting rule of
  /// score_metric.hpp). Throws score_out_of_scale or invalid_weight naming the
  /// field, or invalid_argument (see the class comment); changes nothing then.
  void add(const column_row& row, const location& where = {}) {
    const auto v = detail::answer_of(row, field_, name_, where);
    if (v) acc_.scale_of().check(*v, detail::with_field(where, name_));
    const double w = row.answers.weight;
    check_weight(w, detail::with_field(where, "weight"));
    if (v && w != 1.0) {
      acc_.add(*v, w, where);
    } else if (v) {
      acc_.add(*v, where);
    } else if (w != 1.0 && !acc_.counts().weighted()) {
      score_counts none(acc_.scale_of());
      detail::make_weighted(none);
      acc_.add_counts(none);
    }
  }
  /// add(column_row{r}): a predefined field only (see the class comment).
  void add(const response& r, const location& where = {}) { add(column_row{r}, where); }
  /// Adds a histogram of the bound field counted elsewhere (column_reader<A>::add_counts).
  void add_counts(const score_counts& c) { acc_.add_counts(c); }

  /// Merges `other` (bound to the same field). Throws incompatible_merge
  /// naming both fields, or A's.
  void merge(const bound& other) {
    if (field_key(name_) != field_key(other.name_)) {
      throw incompatible_merge("cannot merge a state bound to field '" + other.name_ + "' into one bound to field '" +
                               name_ + "'");
    }
    acc_.merge(other.acc_);
  }

  [[nodiscard]] std::uint64_t count() const noexcept { return acc_.count(); }
  [[nodiscard]] bool empty() const noexcept { return acc_.empty(); }
  /// A's result, with A's options when given.
  template <class... Options>
  [[nodiscard]] result_type result(const Options&... o) const
    requires requires(const A& a) { a.result(o...); }
  {
    return acc_.result(o...);
  }
  /// The accumulator: the whole state but the binding.
  [[nodiscard]] const A& get() const noexcept { return acc_; }
  [[nodiscard]] const score_counts& counts() const noexcept { return acc_.counts(); }
  [[nodiscard]] const scale& scale_of() const noexcept { return acc_.scale_of(); }
  /// The field read: its id in the schema bound in, and its name.
  [[nodiscard]] field_id field() const noexcept { return field_; }
  [[nodiscard]] const std::string& field_name() const noexcept { return name_; }

  friend bool operator==(const bound&, const bound&) = default;

 private:
  void bind(const schema& s, field_id f) {
    const cxm::field& d = s.at(f);
    if (d.kind != field_kind::score || !d.score_scale) {
      throw invalid_argument("cannot bind to field '" + d.name + "': it is a " + std::string(to_string(d.kind)) +
                                 ", not a score",
                             at_field(d.name));
    }
    const scale& mine = acc_.scale_of();
    if (d.score_scale->min() != mine.min() || d.score_scale->max() != mine.max()) {
      throw invalid_argument("cannot bind to field '" + d.name + "': it is on the " + d.score_scale->describe() +
                                 ", but the accumulator counts on the " + mine.describe(),
                             at_field(d.name));
    }
    field_ = f;
    name_ = d.name;
  }

  A acc_;
  field_id field_;
  std::string name_;
};

/// bound<A>(s, name, acc): `acc` reading the score field `name` of `s`.
template <class A>
[[nodiscard]] bound<A> on_field(const schema& s, std::string_view name, A acc) {
  return bound<A>(s, name, std::move(acc));
}
/// bound<A>(s, f, acc): `acc` reading the score field of id `f` of `s`.
template <class A>
[[nodiscard]] bound<A> on_field(const schema& s, field_id f, A acc) {
  return bound<A>(s, f, std::move(acc));
}

/// A bound state reads its bound field.
template <class A>
struct column_reader<bound<A>> {
  static field_id field(const bound<A>& b) noexcept { return b.field(); }
  static std::string_view field_name(const bound<A>& b) noexcept { return b.field_name(); }
  static const scale& scale_of(const bound<A>& b) noexcept { return b.scale_of(); }
  static void add(bound<A>& b, const response& r, const location& where) { b.add(r, where); }
  static void add_row(bound<A>& b, const column_row& row, const location& where) { b.add(row, where); }
  static void add_counts(bound<A>& b, score_counts c, std::uint64_t /*missing*/) { b.add_counts(c); }
};

/// Several accumulators fed in one pass (see the header comment).
template <class... A>
  requires(sizeof...(A) > 0 && (column_member<A> && ...))
class metric_set {
 public:
  using result_type = std::tuple<typename A::result_type...>;

  /// Default-constructed members.
  metric_set() = default;
  /// The given members (e.g. on other scales); count() starts at their largest count.
  explicit metric_set(A... members) : members_(std::move(members)...), rows_(largest_count()) {}
  /// Rebuilds a state from its parts (deserialisation): `rows` rows added and
  /// the members. Throws invalid_argument when a member counts more than `rows`.
  metric_set(std::uint64_t rows, A... members) : members_(std::move(members)...), rows_(rows) {
    if (rows_ < largest_count()) {
      throw invalid_argument("metric_set of " + std::to_string(rows_) + " rows has a member that counts " +
                             std::to_string(largest_count()) + " responses");
    }
  }

  /// Adds one response to every member (see the header comment). Throws the
  /// error of the first bad field, changing nothing.
  void add(const response& r, const location& where = {}) { add(column_row{r}, where); }
  /// Adds one row read from columns (group_by's row loop): as add(response),
  /// members bound to a declared field reading its column at row.index.
  void add(const column_row& row, const location& where = {}) {
    check_row(row, where);
    std::apply([&](A&... m) { (detail::add_row_to(m, row, where), ...); }, members_);
    ++rows_;
  }

  /// Adds columns of responses, each column counted once (see the header comment).
  void add(const response_columns& c, const engine::count_options& o = {}) {
    const std::size_t rows = rows_of(c);
    std::vector<counted> done;
    done.reserve(sizeof...(A));
    std::apply([&](const A&... m) { (count_for(m, c, rows, o, done), ...); }, members_);
    std::apply([&](A&... m) { (feed(m, done), ...); }, members_);
    rows_ += rows;
  }
  /// add(columns_of(t), o).
  void add(const response_table& t, const engine::count_options& o = {}) { add(columns_of(t), o); }

  /// Adds `rows` rows counted elsewhere, member I taking bins_of(I) (a
  /// counted_bins on its scale's points) through add_counted_bins, in place:
  /// group_by's grouped path, whose counting checked every row before.
  /// Throws what a member's add_bins throws (bad sizes or weight sums); the
  /// members before it have then changed, so check the bins first.
  template <class F>
    requires std::invocable<F&, std::size_t>
  void add_counted(std::uint64_t rows, F&& bins_of) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (add_counted_bins(std::get<I>(members_), counted_bins(bins_of(I))), ...);
    }(std::index_sequence_for<A...>{});
    rows_ += rows;
  }

  /// Merges member by member; all-or-nothing. Throws incompatible_merge.
  void merge(const metric_set& other) {
    metric_set out = *this;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (std::get<I>(out.members_).merge(std::get<I>(other.members_)), ...);
    }(std::index_sequence_for<A...>{});
    out.rows_ += other.rows_;
    *this = std::move(out);
  }

  /// Rows added (see the header comment).
  [[nodiscard]] std::uint64_t count() const noexcept { return rows_; }
  [[nodiscard]] bool empty() const noexcept { return rows_ == 0; }
  /// Every member's result, in member order.
  [[nodiscard]] result_type result() const {
    return std::apply([](const A&... m) { return result_type(m.result()...); }, members_);
  }

  /// The member of type T (which must occur once) or at index I (a type
  /// held several times, e.g. bound<rating_accumulator> on several fields).
  template <class T>
  [[nodiscard]] const T& get() const noexcept {
    return std::get<T>(members_);
  }
  template <std::size_t I>
  [[nodiscard]] const auto& get() const noexcept {
    return std::get<I>(members_);
  }
  /// All members.
  [[nodiscard]] const std::tuple<A...>& members() const noexcept { return members_; }

  friend bool operator==(const metric_set&, const metric_set&) = default;

 private:
  struct counted {
    field_id field;
    int min;
    int max;
    engine::column_counts counts;
  };

  [[nodiscard]] std::uint64_t largest_count() const noexcept {
    return std::apply([](const A&... m) { return std::max({std::uint64_t{0}, m.count()...}); }, members_);
  }

  // Checks the fields read in response_table's order (nps, csat, ces,
  // weight, resolved), then the declared fields in member order.
  void check_row(const column_row& row, const location& where) const {
    const auto fields = [&](auto read) {
      std::apply(
          [&](const A&... m) {
            ((read(detail::field_of(m)) ? detail::check_answer(row, detail::field_of(m), detail::field_name_of(m),
                                                               column_reader<A>::scale_of(m), where)
                                        : void()),
             ...);
          },
          members_);
    };
    const auto is = [](response_field p) { return [p](field_id f) { return f == field_id(p); }; };
    fields(is(response_field::nps));
    fields(is(response_field::csat));
    fields(is(response_field::ces));
    check_weight(row.answers.weight, detail::with_field(where, "weight"));
    fields(is(response_field::resolved));
    fields([](field_id f) { return !detail::answer_field_of(f).has_value(); });
  }

  template <class M>
  static void count_for(const M& m, const response_columns& c, std::size_t rows, const engine::count_options& o,
                        std::vector<counted>& done) {
    const field_id f = detail::field_of(m);
    const std::string name(detail::field_name_of(m));
    const scale& s = column_reader<M>::scale_of(m);
    for (const auto& d : done) {
      if (d.field == f && d.min == s.min() && d.max == s.max()) return;
    }
    engine::count_options co = o;
    co.score_field = name;
    co.weight_field = "weight";
    const auto missing_column = [&] {
      return invalid_argument("a metric_set member reads the '" + name + "' column, which was not given",
                              at_field(name));
    };
    if (f == field_id(response_field::resolved)) {
      if (c.resolved.size() != rows) throw missing_column();
      done.push_back({f, s.min(), s.max(),
                      c.weights.empty() ? engine::count_resolved(c.resolved, co)
                                        : engine::count_resolved(c.resolved, c.weights, co)});
      return;
    }
    const auto scores = detail::scores_of(c, f, name);
    if (scores.size() != rows) throw missing_column();
    done.push_back({f, s.min(), s.max(),
                    c.weights.empty() ? engine::count_column(scores, s, co)
                                      : engine::count_column(scores, c.weights, s, co)});
  }

  template <class M>
  static void feed(M& m, const std::vector<counted>& done) {
    const field_id f = detail::field_of(m);
    const scale& s = column_reader<M>::scale_of(m);
    for (const auto& d : done) {
      if (d.field == f && d.min == s.min() && d.max == s.max()) {
        column_reader<M>::add_counts(m, detail::relabelled(d.counts.counts, s), d.counts.missing);
        return;
      }
    }
  }

  std::tuple<A...> members_;
  std::uint64_t rows_ = 0;
};

}  // namespace cxm
