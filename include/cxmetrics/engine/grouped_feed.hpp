// How group_by counts columns: the states of the cells of one input, by the
// grouped SIMD kernel or by a loop over the rows, with identical results.
//
// An input is response_columns (answers and weights) and one engine
// key_column per key; its cells are those of the key columns (row-major,
// last key fastest). Both paths give, for every cell that holds a row, the
// state that adding the cell's rows one by one to a copy of the prototype
// gives, each row as a column_row (engine/metric_set.hpp: its nps, csat, ces,
// resolved and weight as a cxm::response, plus its index in the columns, from
// which a member bound to a declared field reads; the weighting rule of
// engine/accumulator.hpp):
//
//   rows       a loop over the rows, one add_row_to(Acc, column_row, location) each;
//              any accumulator that takes responses.
//   histograms for histogram-backed accumulators (metric_set.hpp: a single
//              one, or a metric_set, whose members all are): each column a
//              member reads is counted once per distinct score range by
//              engine::count_scores_by (count_cells), then every cell's
//              histogram is added in place to the state of its group
//              (add_cells: metric_set::add_counted, column_reader<A>::
//              add_bins), no state being built per cell. Weighted sums are
//              added in row order, so they equal the row loop's; a cell
//              holding a weight other than 1 is weighted, others not.
//              All-or-nothing: count_cells makes every check (rows, scores,
//              keys, weights and their sums) before any group changes, and
//              add_cells throws nothing but bad_alloc.
//
// The histogram path declines (and the row loop runs) when a member reads a
// column the input lacks, when the cells would need more than the engine's
// counters (engine::max_groups, max_cell_counters) or more than about four
// per row (a small input keyed by large dictionaries), and when the engine
// reports an error: the row loop then reports it as adding the rows would,
// naming the first bad row in row order.
//
// Header: cxmetrics/engine/grouped_feed.hpp. Complexity: histograms one engine
// pass per distinct column plus O(cells · points) additions, no allocation
// per cell; rows O(rows) adds and cell lookups.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/isa.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/accumulator.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/engine/group_by.hpp"
#include "cxmetrics/engine/metric_set.hpp"
#include "cxmetrics/engine/response_view.hpp"

namespace cxm::inline v0_1 {

/// Which path group_by::feed takes (see the header comment).
enum class feed_path : std::uint8_t {
  automatic,  ///< the histogram path when it can, the row loop otherwise
  rows,       ///< always the row loop (tests and benchmarks compare the two)
};

/// Options of group_by::feed.
struct feed_options {
  /// Engine threads of unweighted counts, including the calling one (0: all cores).
  unsigned threads = 1;
  /// Instruction-set level; empty: active_isa().
  std::optional<isa> level;
  feed_path path = feed_path::automatic;
};

/// An accumulator group_by can feed rows of responses: a.add(response,
/// location), or a column_reader that adds them.
template <class Acc>
concept response_accumulator = accumulator<Acc> && (requires(Acc& a, const response& r, const location& where) {
                                 a.add(r, where);
                               } || requires(Acc& a, const response& r, const location& where) {
                                 column_reader<Acc>::add(a, r, where);
                               });

namespace detail {

/// The states of the cells of one input that hold rows: (cell, state), by
/// ascending cell.
template <class Acc>
using cell_states = std::vector<std::pair<std::size_t, Acc>>;

/// Number of cells of `keys`, or SIZE_MAX when it overflows.
[[nodiscard]] inline std::size_t cell_count(std::span<const engine::key_column> keys) noexcept {
  std::size_t cells = 1;
  for (const auto& k : keys) {
    if (k.cardinality() != 0 && cells > std::numeric_limits<std::size_t>::max() / k.cardinality()) {
      return std::numeric_limits<std::size_t>::max();
    }
    cells *= k.cardinality();
  }
  return cells;
}

/// Throws the error of a key of row `i` that is not below its cardinality.
[[noreturn]] inline void throw_key_error(const engine::key_column& key, std::size_t i, std::uint64_t first_row) {
  const location where = at_row(first_row + i, key.name());
  if (const auto& span = key.periods()) {
    const timestamp t{std::chrono::seconds{static_cast<const std::int64_t*>(key.data())[i]}};
    (void)period_of(t, span->bucket, span->utc_offset, where);  // a time outside 1900..2200 throws here
    throw invalid_value("time " + format_timestamp(t) + " lies outside the periods of key '" + key.name() + "'", where);
  }
  throw invalid_value("key " + std::to_string(key[i]) + " is not below the cardinality " +
                          std::to_string(key.cardinality()) + " of '" + key.name() + "'",
                      where);
}

/// Throws invalid_argument unless every column of `v` and every key column
/// has `rows` rows (value columns may also be empty).
inline void check_rows(const response_columns& v, std::size_t rows, std::span<const engine::key_column> keys) {
  if (const std::size_t n = rows_of(v); n != 0 && n != rows) {
    throw invalid_argument("the value columns have " + std::to_string(n) + " rows, the input " + std::to_string(rows));
  }
  for (const auto& k : keys) {
    if (k.size() != rows) {
      throw invalid_argument("key column '" + k.name() + "' has " + std::to_string(k.size()) + " rows, the input " +
                                 std::to_string(rows),
                             at_field(k.name()));
    }
  }
  if (cell_count(keys) == std::numeric_limits<std::size_t>::max()) {
    throw invalid_argument("the key columns make more combinations than a 64-bit index counts");
  }
}

/// The row loop (see the header comment).
template <class Acc>
[[nodiscard]] cell_states<Acc> states_by_rows(const response_columns& v, std::size_t rows,
                                              std::span<const engine::key_column> keys, const Acc& prototype,
                                              std::uint64_t first_row) {
  check_rows(v, rows, keys);
  const std::size_t cells = cell_count(keys);
  constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
  const bool dense = cells <= 4 * rows + 4096;
  std::vector<std::uint32_t> slot_of(dense ? cells : 0, none);
  std::unordered_map<std::size_t, std::uint32_t> slot_map;
  cell_states<Acc> states;
  const auto load = [](std::span<const std::uint8_t> c, std::size_t i) -> std::optional<int> {
    if (c.empty() || c[i] == engine::missing_score) return std::nullopt;
    return static_cast<int>(c[i]);
  };
  response r;
  for (std::size_t i = 0; i < rows; ++i) {
    r.nps = load(v.nps, i);
    r.csat = load(v.csat, i);
    r.ces = load(v.ces, i);
    r.resolved = v.resolved.empty() ? resolution::unknown : static_cast<resolution>(v.resolved[i]);
    r.weight = v.weights.empty() ? 1.0 : v.weights[i];
    const location where = at_row(first_row + i);
    std::size_t flat = 0;
    for (const auto& key : keys) {
      const std::uint32_t k = key[i];
      if (k >= key.cardinality()) {
        Acc probe = prototype;  // the row's own error comes first, as in the engine
        add_row_to(probe, column_row{r, &v, i}, where);
        throw_key_error(key, i, first_row);
      }
      flat = flat * key.cardinality() + k;
    }
    std::uint32_t* slot = nullptr;
    if (dense) {
      slot = &slot_of[flat];
    } else {
      slot = &slot_map.try_emplace(flat, none).first->second;
    }
    if (*slot == none) {
      *slot = static_cast<std::uint32_t>(states.size());
      states.emplace_back(flat, prototype);
    }
    add_row_to(states[*slot].second, column_row{r, &v, i}, where);
  }
  std::sort(states.begin(), states.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return states;
}

// ------------------------------------------------------------------ histograms

/// Whether Acc takes the histogram path, its histogram-backed members, and
/// how counted rows are added to a state of it in place.
template <class Acc>
struct histogram_feed {
  static constexpr bool value = histogram_backed<Acc>;
  static std::tuple<Acc> members(const Acc& a) { return std::tuple<Acc>(a); }
  template <class F>
  static void add(Acc& a, std::uint64_t /*rows*/, F&& bins_of) {
    add_counted_bins(a, counted_bins(bins_of(std::size_t{0})));
  }
};
template <class... A>
struct histogram_feed<metric_set<A...>> {
  static constexpr bool value = true;
  static std::tuple<A...> members(const metric_set<A...>& s) { return s.members(); }
  template <class F>
  static void add(metric_set<A...>& s, std::uint64_t rows, F&& bins_of) {
    s.add_counted(rows, std::forward<F>(bins_of));
  }
};

/// The answers of field `f` (named `name`) as a byte column (resolved: 1, 0,
/// and 255 for unknown; a declared score: detail::scores_of).
[[nodiscard]] inline std::span<const std::uint8_t> answers_of(const response_columns& v, field_id f,
                                                               std::string_view name) {
  if (f == field_id(response_field::resolved)) return engine::detail::flag_bytes(v.resolved);
  return scores_of(v, f, name);
}

/// One counted column: its field, score range and per-cell histograms.
struct counted_column {
  field_id field;
  int min;
  int max;
  engine::grouped_counts counts;
};

/// The columns of one input counted per cell by the histogram path: each
/// distinct (field, score range) once, and per member of Acc its column.
struct counted_cells {
  std::size_t cells = 0;
  std::vector<counted_column> counted;
  std::vector<std::size_t> column_of;  // per member: its entry of `counted`
};

/// Throws invalid_weight, as building the cell's score_counts would, unless
/// every weight sum of every cell holding rows is finite (the engine's sums
/// of checked weights are >= 0; Σw² of weights near max_weight may overflow).
inline void check_weight_sums(const counted_cells& k) {
  for (const auto& col : k.counted) {
    const engine::grouped_counts& g = col.counts;
    if (!g.weighted()) continue;
    for (std::size_t c = 0; c < g.size(); ++c) {
      double sum = 0.0;
      for (std::size_t b = 0; b < g.points(); ++b) sum += g.weight(c, b) + g.weight_sq(c, b);
      if (std::isfinite(sum)) continue;
      for (std::size_t b = 0; b < g.points(); ++b) {
        check_weight_sum(g.weight(c, b), at_field("sum_w[" + std::to_string(b) + "]"));
        check_weight_sum(g.weight_sq(c, b), at_field("sum_w2[" + std::to_string(b) + "]"));
      }
    }
  }
}

/// The counting pass of the histogram path (see the header comment): every
/// column a member of `prototype` reads, counted per cell, and every check
/// made. Nothing when it declines, and then `failed` says whether the engine
/// reported an error.
template <class Acc>
[[nodiscard]] std::optional<counted_cells> count_cells(const response_columns& v, std::size_t rows,
                                                       std::span<const engine::key_column> keys, const Acc& prototype,
                                                       const engine::count_options& o, bool& failed) {
  failed = false;
  using feed = histogram_feed<Acc>;
  counted_cells k;
  k.cells = cell_count(keys);
  const std::size_t cells = k.cells;
  if (cells > engine::max_groups || cells > 4 * rows + 4096) return std::nullopt;
  const auto members = feed::members(prototype);
  bool declined = false;
  const auto count = [&](const auto& m) {
    using M = std::remove_cvref_t<decltype(m)>;
    const field_id f = field_of(m);
    const scale& s = column_reader<M>::scale_of(m);
    for (std::size_t j = 0; j < k.counted.size(); ++j) {
      if (k.counted[j].field == f && k.counted[j].min == s.min() && k.counted[j].max == s.max()) {
        k.column_of.push_back(j);
        return;
      }
    }
    const auto scores = answers_of(v, f, field_name_of(m));
    if (declined || (scores.size() != rows && rows != 0) ||
        cells * static_cast<std::size_t>(s.points() + 1) > engine::max_cell_counters) {
      declined = true;
      return;
    }
    engine::count_options co = o;
    co.score_field = std::string(field_name_of(m));
    co.weight_field = "weight";
    k.column_of.push_back(k.counted.size());
    k.counted.push_back({f, s.min(), s.max(),
                         v.weights.empty() ? engine::count_scores_by(scores, keys, s, co)
                                           : engine::count_scores_by(scores, v.weights, keys, s, co)});
  };
  try {
    check_rows(v, rows, keys);
    std::apply([&](const auto&... m) { (count(m), ...); }, members);
  } catch (const error&) {
    failed = true;
    return std::nullopt;  // the row loop names the first bad row
  }
  if (declined) return std::nullopt;
  check_weight_sums(k);
  return k;
}

/// The merging pass of the histogram path: adds every cell of `k` holding
/// rows, by ascending cell, to the state group(c) returns (an Acc&, created
/// from the prototype when new), member by member and in place: no state is
/// built per cell. A cell holding a weight other than 1 adds its weight sums,
/// others their counts alone. Throws nothing but bad_alloc: the sizes match
/// the members' scales and count_cells checked the sums.
template <class Acc, class Group>
void add_cells(const counted_cells& k, Group&& group) {
  const std::size_t columns = k.counted.size();
  std::vector<std::vector<std::uint64_t>> n(columns);
  std::vector<std::vector<double>> w(columns);
  std::vector<std::vector<double>> w2(columns);
  std::vector<counted_bins> bins(columns);
  for (std::size_t j = 0; j < columns; ++j) {
    const std::size_t p = k.counted[j].counts.points();
    n[j].resize(p);
    w[j].resize(p);
    w2[j].resize(p);
  }
  const engine::grouped_counts& first = k.counted.front().counts;
  for (std::size_t c = 0; c < k.cells; ++c) {
    const std::uint64_t rows = first.rows(c);
    if (rows == 0) continue;
    const bool weighted = first.weighted_rows(c) > 0;
    for (std::size_t j = 0; j < columns; ++j) {
      const engine::grouped_counts& g = k.counted[j].counts;
      const std::size_t p = n[j].size();
      for (std::size_t b = 0; b < p; ++b) n[j][b] = g.count(c, b);
      if (weighted) {
        for (std::size_t b = 0; b < p; ++b) {
          w[j][b] = g.weight(c, b);
          w2[j][b] = g.weight_sq(c, b);
        }
      }
      bins[j] = counted_bins{n[j], weighted ? std::span<const double>(w[j]) : std::span<const double>(),
                             weighted ? std::span<const double>(w2[j]) : std::span<const double>(), g.missing(c)};
    }
    Acc& a = group(c);
    histogram_feed<Acc>::add(a, rows, [&](std::size_t member) -> const counted_bins& {
      return bins[k.column_of[member]];
    });
  }
}

/// A score column counted by the histogram path for a histogram-backed Acc
/// that takes scores (add_columns(keys, scores)): every cell holding a row,
/// its state the prototype plus the cell's histogram. Nothing when the engine
/// reports an error or the cells would need too many counters (the row loop
/// then runs).
template <class Acc>
[[nodiscard]] std::optional<cell_states<Acc>> states_by_scores(std::span<const std::uint8_t> scores,
                                                               std::span<const engine::key_column> keys,
                                                               const Acc& prototype, const engine::count_options& o) {
  const scale& s = column_reader<Acc>::scale_of(prototype);
  const std::size_t cells = cell_count(keys);
  if (cells > engine::max_groups || cells * static_cast<std::size_t>(s.points() + 1) > engine::max_cell_counters) {
    return std::nullopt;
  }
  std::optional<engine::grouped_counts> counted;
  try {
    counted.emplace(engine::count_scores_by(scores, keys, s, o));
  } catch (const error&) {
    return std::nullopt;
  }
  cell_states<Acc> states;
  for (std::size_t c = 0; c < counted->size(); ++c) {
    if (counted->rows(c) == 0) continue;
    Acc a = prototype;
    column_reader<Acc>::add_counts(a, counted->counts(c), counted->missing(c));
    states.emplace_back(c, std::move(a));
  }
  return states;
}

}  // namespace detail

}  // namespace cxm
