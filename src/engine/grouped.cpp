// The grouped engine's drivers (cxmetrics/engine/group_by.hpp): the cell
// layout and key views (with the day tables of time keys), chunks and threads
// of unweighted counts, the row-order sums of weighted histograms, and the
// scalar pass that names the first bad row. The kernels are in
// kernels_grouped.cpp.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/period.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/accumulator.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/engine/group_by.hpp"
#include "engine/driver.hpp"
#include "engine/kernels.hpp"

namespace cxm::inline v0_1::engine {

using namespace detail;

namespace {

// The key columns as the kernels see them, with the day tables of time keys.
struct layout {
  std::vector<std::uint32_t> shape;
  std::size_t cells = 1;
  std::uint32_t width = 0;  // counters per cell
  bool wide_key = false;    // a 32-bit key column: 32-bit index lanes
  std::vector<key_view> views;
  std::vector<time_keys> times;                   // one per key (used by time keys)
  std::vector<std::vector<std::int32_t>> tables;  // day tables, one per key
};

// Day table of a time key: the key of every local day of the span, then 0
// for a missing time.
void fill_day_table(const period_span& span, time_keys& t, std::vector<std::int32_t>& table) {
  const std::int64_t first = first_day(span.first, span.bucket);
  const std::int64_t last = first_day(static_cast<std::int32_t>(std::int64_t{span.first} + span.count), span.bucket);
  if (last - first >= std::int64_t{1} << 30) {
    throw invalid_argument("a time key spans too many days (" + std::to_string(last - first) + ")");
  }
  table.assign(static_cast<std::size_t>(last - first) + 1, 0);
  std::int64_t from = first;
  for (std::uint32_t i = 0; i < span.count; ++i) {
    const std::int64_t to = first_day(static_cast<std::int32_t>(std::int64_t{span.first} + i + 1), span.bucket);
    std::fill(table.begin() + (from - first), table.begin() + (to - first), static_cast<std::int32_t>(i + 1));
    from = to;
  }
  t.offset = span.utc_offset.count();
  t.first_day = first;
  t.days = static_cast<std::uint32_t>(last - first);
  t.day_key = table.data();
}

layout make_layout(std::size_t rows, std::span<const key_column> keys, std::uint32_t width, const char* what) {
  if (keys.empty()) throw invalid_argument(std::string(what) + " needs at least one key column");
  layout l;
  l.width = width;
  l.views.resize(keys.size());
  l.times.resize(keys.size());
  l.tables.resize(keys.size());
  for (const auto& key : keys) {
    check_lengths(rows, key.size(), key.name());
    if (key.cardinality() == 0) {
      throw invalid_argument("key column '" + key.name() + "' has cardinality 0", at_field(key.name()));
    }
    l.cells *= key.cardinality();
    if (l.cells > max_groups) {
      throw invalid_argument("the key columns make more than " + std::to_string(max_groups) + " groups",
                             at_field(key.name()));
    }
    l.shape.push_back(key.cardinality());
    l.wide_key |= key.width() == 4;  // time keys are below their cardinality: 16-bit lanes may hold them
  }
  if (l.cells * width > max_cell_counters) {
    throw invalid_argument("the key columns make " + std::to_string(l.cells) + " groups of " + std::to_string(width) +
                           " counters, more than " + std::to_string(max_cell_counters) + " counters");
  }
  // Counter index of a row: width · cell + code, cell row-major (last key fastest).
  std::uint32_t stride = width;
  for (std::size_t j = keys.size(); j-- > 0;) {
    key_view& v = l.views[j];
    v.data = keys[j].data();
    v.width = keys[j].width();
    v.limit = keys[j].cardinality();
    v.stride = stride;
    v.time = nullptr;
    if (keys[j].periods()) {
      fill_day_table(*keys[j].periods(), l.times[j], l.tables[j]);
      v.time = &l.times[j];
    }
    stride *= keys[j].cardinality();
  }
  return l;
}

grouped_params params_for(const layout& l, const scale& s, cell_code code, std::uint32_t copies) {
  grouped_params g;
  g.scale = params_of(s);
  g.code = code;
  g.copies = copies;
  g.copy_stride = static_cast<std::uint32_t>(l.cells * l.width);
  g.narrow = !l.wide_key && std::size_t{copies} * g.copy_stride <= 65536;
  return g;
}

// Throws the error of the first bad key of row i, if any.
void check_keys(std::span<const key_column> keys, std::size_t i, const count_options& o) {
  for (const auto& key : keys) {
    const std::uint32_t k = key[i];
    if (k < key.cardinality()) continue;
    const location where = at_row(o.first_row + i, key.name());
    if (!key.periods()) {
      throw invalid_value("key " + std::to_string(k) + " is not below the cardinality " +
                              std::to_string(key.cardinality()) + " of '" + key.name() + "'",
                          where);
    }
    const period_span& span = *key.periods();
    const timestamp t{std::chrono::seconds{static_cast<const std::int64_t*>(key.data())[i]}};
    const period p = period_of(t, span.bucket, span.utc_offset, where);  // throws for a time outside 1900..2200
    throw invalid_value("time " + format_timestamp(t) + " falls in " + to_string(span.bucket) + " " + to_string(p) +
                            ", outside the periods " + to_string(period{span.bucket, span.first}) + " .. " +
                            to_string(period{span.bucket, span.first + static_cast<std::int32_t>(span.count) - 1}) +
                            " of key '" + key.name() + "'",
                        where);
  }
}

// Throws the error of the first bad score or key in rows [begin, end); when
// there is none, a kernel flagged clean rows (a bug).
[[noreturn]] void throw_first_bad(std::span<const std::uint8_t> scores, std::span<const key_column> keys,
                                  const scale& s, cell_code code, std::size_t begin, std::size_t end,
                                  const count_options& o) {
  for (std::size_t i = begin; i < end; ++i) {
    if (code == cell_code::tally || scores[i] != missing_score) check_score(s, scores[i], i, o);
    check_keys(keys, i, o);
  }
  throw_kernel_bug();
}

// Counts of every cell (cells × width) by the unweighted kernel, over the
// plan's chunks and threads.
std::vector<std::uint64_t> count_cells(std::span<const std::uint8_t> scores, std::span<const key_column> keys,
                                       const scale& s, cell_code code, const layout& l, const count_options& o) {
  const kernel_table& k = kernels_for(o);
  const plan pl = make_plan(scores.size(), o);
  const std::uint32_t copies = l.cells * l.width <= 2048 ? 4 : 1;
  const grouped_params g = params_for(l, s, code, copies);

  struct worker_state {
    std::vector<std::uint32_t> scratch;
    std::vector<std::uint64_t> counts;
  };
  std::vector<worker_state> state(pl.threads);
  auto work = [&](unsigned worker, std::size_t, std::size_t begin, std::size_t end) {
    auto& st = state[worker];
    if (st.counts.empty()) {
      st.scratch.assign(std::size_t{copies} * g.copy_stride, 0);
      st.counts.assign(g.copy_stride, 0);
    }
    return k.grouped.count(scores.data(), l.views.data(), l.views.size(), begin, end - begin, g, st.scratch.data(),
                           st.counts.data());
  };
  const std::size_t bad = for_each_chunk(pl, work);
  if (bad != npos) throw_first_bad(scores, keys, s, code, bad * pl.chunk, std::min(pl.rows, (bad + 1) * pl.chunk), o);
  std::vector<std::uint64_t> counts(g.copy_stride, 0);
  for (const auto& st : state) {
    for (std::size_t c = 0; c < st.counts.size(); ++c) counts[c] += st.counts[c];
  }
  return counts;
}

// A weighted histogram's sums of one counter, in row order.
struct sums {
  std::uint64_t n = 0;
  double w = 0.0;
  double w2 = 0.0;
  std::uint64_t weighted = 0;  // rows whose weight is not 1
};

template <class TW>
grouped_counts weighted_cells(std::span<const std::uint8_t> scores, std::span<const TW> weights,
                              std::span<const key_column> keys, const scale& s, const count_options& o) {
  check_lengths(scores.size(), weights.size(), o.weight_field);
  detail::check_column_scale(s);
  const auto points = static_cast<std::uint32_t>(s.points());
  const layout l = make_layout(scores.size(), keys, points + 1, "count_scores_by");
  const kernel_table& k = kernels_for(o);
  const grouped_params g = params_for(l, s, cell_code::bins, 1);
  std::vector<sums> cells(g.copy_stride);
  std::vector<std::uint32_t> idx(kIndexRows);
  for (std::size_t begin = 0; begin < scores.size(); begin += kIndexRows) {
    const std::size_t m = std::min(kIndexRows, scores.size() - begin);
    if (!k.grouped.index(scores.data(), l.views.data(), l.views.size(), begin, m, g, idx.data())) {
      // The first bad score or key, unless a bad weight comes before it.
      for (std::size_t i = begin; i < begin + m; ++i) {
        if (scores[i] != missing_score) check_score(s, scores[i], i, o);
        check_keys(keys, i, o);
        check_weight_at(weights[i], i, o);
      }
      throw_kernel_bug();
    }
    for (std::size_t i = 0; i < m; ++i) {
      const double x = static_cast<double>(weights[begin + i]);
      if (!((x >= min_weight && x <= max_weight) || x == 0.0)) check_weight_at(weights[begin + i], begin + i, o);
      sums& c = cells[idx[i]];
      ++c.n;
      c.w += x;
      c.w2 += x * x;
      c.weighted += x != 1.0;
    }
  }
  std::vector<std::uint64_t> n(cells.size());
  std::vector<double> w(l.cells * points);
  std::vector<double> w2(l.cells * points);
  std::vector<std::uint64_t> weighted(l.cells, 0);
  for (std::size_t c = 0; c < l.cells; ++c) {
    for (std::uint32_t b = 0; b <= points; ++b) {
      const sums& x = cells[c * (points + 1) + b];
      n[c * (points + 1) + b] = x.n;
      weighted[c] += x.weighted;
      if (b == points) continue;  // weights of missing answers are checked, not kept
      if (!std::isfinite(x.w) || !std::isfinite(x.w2)) throw_no_bad_row(o);
      w[c * points + b] = x.w;
      w2[c * points + b] = x.w2;
    }
  }
  return grouped_counts(l.shape, s, std::move(n), std::move(w), std::move(w2), std::move(weighted));
}

}  // namespace

// ------------------------------------------------------------------ group_by.hpp

grouped_nps count_nps_by(std::span<const std::uint8_t> scores, std::span<const key_column> keys, const scale& s,
                         const count_options& o) {
  (void)params_of(s);  // a scale outside 0..255 is an argument error before any key is looked at
  const layout l = make_layout(scores.size(), keys, 3, "count_nps_by");
  const auto counts = count_cells(scores, keys, s, cell_code::tally, l, o);
  std::vector<nps_tally> tallies(l.cells);
  for (std::size_t c = 0; c < l.cells; ++c) {
    tallies[c].detractors = counts[3 * c];
    tallies[c].passives = counts[3 * c + 1];
    tallies[c].promoters = counts[3 * c + 2];
  }
  return grouped_nps(l.shape, std::move(tallies));
}

grouped_counts count_scores_by(std::span<const std::uint8_t> scores, std::span<const key_column> keys, const scale& s,
                               const count_options& o) {
  detail::check_column_scale(s);
  const layout l = make_layout(scores.size(), keys, static_cast<std::uint32_t>(s.points()) + 1, "count_scores_by");
  return grouped_counts(l.shape, s, count_cells(scores, keys, s, cell_code::bins, l, o));
}

grouped_counts count_scores_by(std::span<const std::uint8_t> scores, std::span<const float> weights,
                               std::span<const key_column> keys, const scale& s, const count_options& o) {
  return weighted_cells(scores, weights, keys, s, o);
}

grouped_counts count_scores_by(std::span<const std::uint8_t> scores, std::span<const double> weights,
                               std::span<const key_column> keys, const scale& s, const count_options& o) {
  return weighted_cells(scores, weights, keys, s, o);
}

}  // namespace cxm::engine
