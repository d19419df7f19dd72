// The accumulator contract and the columns of missing-aware scores it is
// fed from.
//
// CONTRACT. An accumulator is a small mergeable value holding the sufficient
// statistic of a metric (DataSketches' update/merge sketches, Boost.
// Accumulators' features, reduced to one concept):
//
//   accumulator<A>               std::regular (copyable, default-constructible,
//                                ==) and
//     typename A::result_type    what result() returns
//     a.merge(b)                 adds b's responses into a; states that
//                                count differently (another scale or cut
//                                point) throw incompatible_merge and leave
//                                a unchanged
//     a.count()                  responses added, std::uint64_t
//     a.empty()                  count() == 0
//     a.result()                 [[nodiscard]], a result_type computed from
//                                the state alone (query options, where a
//                                metric has them, are arguments of result:
//                                a.result(options), never part of the state)
//   accumulates<A, In>           a.add(in) adds one input (a score, a response ...)
//   accumulates_weighted<A, In>  a.add(in, w) adds one input of weight w
//
// Laws the concept cannot check and the tests do: merge is commutative and
// associative and merge(state(X), state(Y)) == state(X ∪ Y), exactly for
// counts and up to the rounding of floating-point weight sums for weights;
// an add that throws changes nothing. cxmetrics/testing/merge_laws.hpp checks
// them for any accumulator, including your own.
//
// COLUMNS. Scores in bulk are one byte per response, the raw score value, as
// in response_table: missing_score (255) marks a response without that
// answer. engine::count_column histograms such a column through the SIMD
// engine (engine::count_scores) and counts the missing rows apart;
// engine::count_resolved does the same for a resolved column (int8: 1 yes,
// 0 no, −1 unknown). A column without missing rows costs one engine pass; one
// with missing rows is counted on the whole byte range 0..255 (the engine's
// scalar histogram) and the bins outside the scale are checked. Per-bin
// weight sums use the engine's fixed summation order, so they do not depend
// on the missing rows, the thread count or the instruction set, but they may
// differ in the last bits from adding the same weights one by one.
// Errors name the first bad row (count_options::first_row + index) and the
// field (count_options::score_field / weight_field), as in the engine: a byte
// neither on the scale nor missing throws score_out_of_scale (for resolved
// flags: invalid_value), a bad weight invalid_weight; nothing is returned.
//
// RESPONSES. Adding a cxm::response follows response_table's weighting rule
// (metrics/score_metric.hpp): a weight other than 1 makes the state
// weighted, so accumulators fed the same rows are all weighted or all
// unweighted.
//
// add_column(acc, column[, weights], options) adds a whole column to any
// histogram-backed accumulator (score_metric: NPS, CSAT, CES, ratings,
// score_histogram) and to resolution_accumulator: one function for all,
// counting through count_column / count_resolved and handing the counts to
// acc.add_counts(). score_histogram, the plainest accumulator (its result
// is the histogram itself), is defined in metrics/score_metric.hpp.
//
// Header: cxmetrics/engine/accumulator.hpp. Complexity: count_column and
// add_column O(rows) at engine speed.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/metrics/score_metric.hpp"

namespace cxm::inline v0_1 {

/// The accumulator contract (see the header comment).
template <class A>
concept accumulator = std::regular<A> && requires(A& a, const A& ca) {
  typename A::result_type;
  a.merge(ca);
  { ca.count() } -> std::same_as<std::uint64_t>;
  { ca.empty() } -> std::same_as<bool>;
  { ca.result() } -> std::same_as<typename A::result_type>;
};

/// An accumulator that takes `Input` one at a time: a.add(input).
template <class A, class Input>
concept accumulates = accumulator<A> && requires(A& a, const Input& in) { a.add(in); };

/// An accumulator that takes `Input` with a weight: a.add(input, w).
template <class A, class Input>
concept accumulates_weighted = accumulates<A, Input> && requires(A& a, const Input& in, double w) { a.add(in, w); };

namespace engine {

/// Marks a missing answer in a one-byte score column (response_table::missing_score).
inline constexpr std::uint8_t missing_score = 255;

/// Histogram of the present scores of a column, and how many rows were missing.
struct column_counts {
  score_counts counts;        ///< present scores, on the scale asked for
  std::uint64_t missing = 0;  ///< rows holding missing_score (resolved: unknown)
  friend bool operator==(const column_counts&, const column_counts&) = default;
};

namespace detail {

/// Throws invalid_argument unless `s` fits a column of scores 0..254.
inline void check_column_scale(const scale& s) {
  if (s.min() < 0 || s.max() >= missing_score) {
    throw invalid_argument("score columns hold 0..254 (255 marks a missing answer), but the " + s.describe() +
                           " does not fit");
  }
}

/// Throws score_out_of_scale for the first row in [0, end) whose byte is
/// neither on `s` nor missing_score; returns when there is none.
inline void check_present_scores(std::span<const std::uint8_t> scores, const scale& s, std::size_t end,
                                 const count_options& o) {
  end = std::min(end, scores.size());
  for (std::size_t i = 0; i < end; ++i) {
    const std::uint8_t v = scores[i];
    if (v != missing_score && !s.contains(v)) s.check(static_cast<int>(v), at_row(o.first_row + i, o.score_field));
  }
}

/// Index in `scores` of the row an engine error names, or scores.size().
[[nodiscard]] inline std::size_t error_index(const error& e, std::size_t size, const count_options& o) noexcept {
  const auto& row = e.where().row;
  if (!row || *row < o.first_row || *row - o.first_row >= size) return size;
  return static_cast<std::size_t>(*row - o.first_row);
}

/// The bins of `s` taken out of a histogram on the byte range 0..255.
[[nodiscard]] inline column_counts project(const score_counts& bytes, const scale& s) {
  const auto points = static_cast<std::size_t>(s.points());
  std::vector<std::uint64_t> n(points);
  std::vector<double> w;
  std::vector<double> w2;
  if (bytes.weighted()) {
    w.resize(points);
    w2.resize(points);
  }
  for (std::size_t b = 0; b < points; ++b) {
    const auto from = static_cast<std::size_t>(s.score_of(b));
    n[b] = bytes.count(from);
    if (bytes.weighted()) {
      w[b] = bytes.weight(from);
      w2[b] = bytes.weight_sq(from);
    }
  }
  return column_counts{score_counts(s, std::move(n), std::move(w), std::move(w2)), bytes.count(missing_score)};
}

/// count_column with the engine call `count(scale)` (unweighted or weighted).
/// The first call is on `s` itself; only when the first byte it rejects is
/// missing_score is the column counted again on the byte range.
template <class Count>
[[nodiscard]] column_counts count_present(std::span<const std::uint8_t> scores, const scale& s,
                                          const count_options& o, Count count) {
  check_column_scale(s);
  try {
    return column_counts{count(s), 0};
  } catch (const score_out_of_scale& e) {
    const std::size_t at = error_index(e, scores.size(), o);
    if (at == scores.size() || scores[at] != missing_score) throw;  // a real bad score, and the first bad row
  }
  const scale bytes = scale::custom(0, 255, s.high_min(), s.low_max());
  std::optional<score_counts> all;
  try {
    all.emplace(count(bytes));
  } catch (const invalid_weight& e) {
    // Every byte is on the byte scale: a bad score before this row comes first.
    check_present_scores(scores, s, error_index(e, scores.size(), o), o);
    throw;
  }
  for (std::size_t b = 0; b < missing_score; ++b) {
    if (all->count(b) != 0 && !s.contains(static_cast<int>(b))) {
      check_present_scores(scores, s, scores.size(), o);
      break;
    }
  }
  return project(*all, s);
}

/// Reads a column of resolution flags (int8 1/0/−1) as bytes 1/0/255.
[[nodiscard]] inline std::span<const std::uint8_t> flag_bytes(std::span<const std::int8_t> flags) noexcept {
  // Any object may be read through unsigned char, and uint8_t is unsigned char.
  return {reinterpret_cast<const std::uint8_t*>(flags.data()), flags.size()};
}

/// count_present on the binary scale, with a bad flag reported as invalid_value.
template <class Count>
[[nodiscard]] column_counts count_flags(std::span<const std::int8_t> flags, const count_options& o, Count count) {
  const auto bytes = flag_bytes(flags);
  try {
    return count_present(bytes, scale::binary(), o, count);
  } catch (const score_out_of_scale& e) {
    const std::size_t at = error_index(e, bytes.size(), o);
    if (at == bytes.size()) throw;
    throw invalid_value("resolved flag has the value " + std::to_string(static_cast<int>(flags[at])) +
                            ", which is not yes (1), no (0) or unknown (-1)",
                        e.where());
  }
}

}  // namespace detail

/// Histogram on `s` of the present scores of `scores` (missing_score rows are
/// counted in .missing). Throws invalid_argument for a scale outside 0..254,
/// score_out_of_scale for the first byte neither on `s` nor missing.
[[nodiscard]] inline column_counts count_column(std::span<const std::uint8_t> scores, const scale& s,
                                                const count_options& o = {}) {
  return detail::count_present(scores, s, o, [&](const scale& on) { return count_scores(scores, on, o); });
}
/// Weighted: per-bin counts, Σw and Σw² of the present scores. The weights of
/// missing rows are checked but not kept. Also throws invalid_weight and
/// invalid_argument (lengths).
[[nodiscard]] inline column_counts count_column(std::span<const std::uint8_t> scores, std::span<const float> weights,
                                                const scale& s, const count_options& o = {}) {
  return detail::count_present(scores, s, o, [&](const scale& on) { return count_scores(scores, weights, on, o); });
}
[[nodiscard]] inline column_counts count_column(std::span<const std::uint8_t> scores, std::span<const double> weights,
                                                const scale& s, const count_options& o = {}) {
  return detail::count_present(scores, s, o, [&](const scale& on) { return count_scores(scores, weights, on, o); });
}

/// Yes/no counts (scale::binary(): 0 no, 1 yes) of a resolved column (int8:
/// 1 yes, 0 no, −1 unknown) with the unknowns in .missing. Throws invalid_value
/// for any other value, naming the first such row.
[[nodiscard]] inline column_counts count_resolved(std::span<const std::int8_t> flags, const count_options& o = {}) {
  return detail::count_flags(flags, o, [&](const scale& on) { return count_scores(detail::flag_bytes(flags), on, o); });
}
/// Weighted: the weights of unknown answers are checked but not kept.
[[nodiscard]] inline column_counts count_resolved(std::span<const std::int8_t> flags, std::span<const float> weights,
                                                  const count_options& o = {}) {
  return detail::count_flags(
      flags, o, [&](const scale& on) { return count_scores(detail::flag_bytes(flags), weights, on, o); });
}
[[nodiscard]] inline column_counts count_resolved(std::span<const std::int8_t> flags, std::span<const double> weights,
                                                  const count_options& o = {}) {
  return detail::count_flags(
      flags, o, [&](const scale& on) { return count_scores(detail::flag_bytes(flags), weights, on, o); });
}

}  // namespace engine

namespace engine {

/// Adds a column of scores to a histogram-backed accumulator (any
/// score_metric: nps_accumulator, csat_accumulator, score_histogram, ...):
/// count_column on the accumulator's scale, then acc.add_counts(). Rows
/// holding missing_score are skipped. Throws what count_column throws and
/// leaves `acc` unchanged.
template <class A>
  requires requires(A& a, const score_counts& c) {
    { a.scale_of() } -> std::convertible_to<const scale&>;
    a.add_counts(c);
  }
void add_column(A& acc, std::span<const std::uint8_t> scores, const count_options& o = {}) {
  acc.add_counts(count_column(scores, acc.scale_of(), o).counts);
}
/// Weighted (float or double weights): the state becomes weighted.
template <class A, class W>
  requires(std::same_as<W, float> || std::same_as<W, double>) && requires(A& a, const score_counts& c) {
    { a.scale_of() } -> std::convertible_to<const scale&>;
    a.add_counts(c);
  }
void add_column(A& acc, std::span<const std::uint8_t> scores, std::span<const W> weights,
                const count_options& o = {}) {
  acc.add_counts(count_column(scores, weights, acc.scale_of(), o).counts);
}
/// Adds a column of resolved flags (int8: 1 yes, 0 no, −1 unknown, as in
/// response_table) to a resolution_accumulator. Throws invalid_value naming
/// the first row holding another value.
template <class A>
  requires requires(A& a, const score_counts& c) { a.add_counts(c, std::uint64_t{0}); }
void add_column(A& acc, std::span<const std::int8_t> flags, const count_options& o = {}) {
  const auto c = count_resolved(flags, o);
  acc.add_counts(c.counts, c.missing);
}
template <class A, class W>
  requires(std::same_as<W, float> || std::same_as<W, double>) &&
          requires(A& a, const score_counts& c) { a.add_counts(c, std::uint64_t{0}); }
void add_column(A& acc, std::span<const std::int8_t> flags, std::span<const W> weights,
                const count_options& o = {}) {
  const auto c = count_resolved(flags, weights, o);
  acc.add_counts(c.counts, c.missing);
}

}  // namespace engine

}  // namespace cxm
