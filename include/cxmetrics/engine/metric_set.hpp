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
//
// Rows. add(response) first checks every field a member reads (in
// response_table's order: nps, csat, ces, weight, resolved) and then adds the
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
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/scale.hpp"
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

namespace detail {

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
  { column_reader<A>::field(ca) } -> std::same_as<answer_field>;
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
  void add(const response& r, const location& where = {}) {
    check_row(r, where);
    std::apply([&](A&... m) { (column_reader<A>::add(m, r, where), ...); }, members_);
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

  /// The member of type T (which must occur once) or at index I.
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
    answer_field field;
    int min;
    int max;
    engine::column_counts counts;
  };

  [[nodiscard]] std::uint64_t largest_count() const noexcept {
    return std::apply([](const A&... m) { return std::max({std::uint64_t{0}, m.count()...}); }, members_);
  }

  void check_row(const response& r, const location& where) const {
    const auto fields = [&](answer_field f) {
      std::apply(
          [&](const A&... m) {
            ((column_reader<A>::field(m) == f ? detail::check_answer(r, f, column_reader<A>::scale_of(m), where)
                                              : void()),
             ...);
          },
          members_);
    };
    fields(answer_field::nps);
    fields(answer_field::csat);
    fields(answer_field::ces);
    check_weight(r.weight, detail::with_field(where, "weight"));
    fields(answer_field::resolved);
  }

  template <class M>
  static void count_for(const M& m, const response_columns& c, std::size_t rows, const engine::count_options& o,
                        std::vector<counted>& done) {
    const answer_field f = column_reader<M>::field(m);
    const scale& s = column_reader<M>::scale_of(m);
    for (const auto& d : done) {
      if (d.field == f && d.min == s.min() && d.max == s.max()) return;
    }
    engine::count_options co = o;
    co.score_field = to_string(f);
    co.weight_field = "weight";
    const auto missing_column = [&] {
      return invalid_argument(std::string("a metric_set member reads the '") + to_string(f) +
                                  "' column, which was not given",
                              at_field(to_string(f)));
    };
    if (f == answer_field::resolved) {
      if (c.resolved.size() != rows) throw missing_column();
      done.push_back({f, s.min(), s.max(),
                      c.weights.empty() ? engine::count_resolved(c.resolved, co)
                                        : engine::count_resolved(c.resolved, c.weights, co)});
      return;
    }
    const auto scores = f == answer_field::nps ? c.nps : f == answer_field::csat ? c.csat : c.ces;
    if (scores.size() != rows) throw missing_column();
    done.push_back({f, s.min(), s.max(),
                    c.weights.empty() ? engine::count_column(scores, s, co)
                                      : engine::count_column(scores, c.weights, s, co)});
  }

  template <class M>
  static void feed(M& m, const std::vector<counted>& done) {
    const answer_field f = column_reader<M>::field(m);
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
