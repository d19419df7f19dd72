// Score counts grouped by dense keys (channel, month, agent, ...): per cell,
// the histogram of a score column (count_scores_by, optionally with Σw and
// Σw² per point) or its three-group tally (count_nps_by).
//
// Each key column holds one small integer per response, 0 <= key < its
// cardinality (uint8, uint16 or uint32), or is a column of times (Unix
// seconds) keyed by the calendar period they fall in (a period_span: day, ISO
// week, month, quarter or year in a fixed UTC offset; key 0 is a missing time,
// 1 + i the i-th period of the span). The groups are the cells of the
// cartesian product of the key columns, stored row-major in one flat array:
// with keys (k0, k1, ..., km) and cardinalities (c0, c1, ..., cm) the cell is
//
//   ((k0 · c1 + k1) · c2 + k2) · ... · cm + km
//
// so the last key varies fastest.
//
//   std::vector<std::uint8_t> score, channel;   // channel 0..7
//   std::vector<std::uint16_t> month;           // month 0..35
//   const cxm::engine::key_column keys[] = {{channel, 8, "channel"}, {month, 36, "month"}};
//   auto t = cxm::engine::count_nps_by(score, keys);
//   t.at({3, 12}).promoters;                    // channel 3, month 12
//   auto h = cxm::engine::count_scores_by(score, keys, cxm::scale::nps());
//   h.counts(h.index({3, 12})).count_of(10);    // its tens
//
//   // the same by the month of a time column, in UTC+2, over 2024:
//   const cxm::engine::period_span months{cxm::time_bucket::month, std::chrono::hours{2}, 648, 12};
//   const cxm::engine::key_column by_time[] = {{channel, 8, "channel"}, {times, months, "month"}};
//
// Histograms. count_scores_by reads missing_score (255) as a missing answer:
// each cell holds the count of every point of the scale and of its missing
// rows (a cell exists for a row whatever its answer). With weights, each
// cell also holds Σw and Σw² per point, added in row order, so they equal
// those of adding the cell's rows one by one (the engine's other weighted
// sums use a fixed blocked order instead), and the number of its rows whose
// weight is not 1 (group_by uses it for the weighting rule of responses).
//
// Kernel. Per tile of rows, SIMD code turns score and keys into one counter
// index per row (cell · width + code: width 3 and the group for a tally,
// points + 1 and the bin for a histogram; 16-bit lanes when the table is
// small), then scalar code increments those counters. Small tables are kept
// in four interleaved copies (row i uses copy i mod 4) so that runs of equal
// keys do not serialise on one memory location. Counts are integers:
// identical for any thread count and chunk size. Weighted histograms take
// the same indices and add the weights in row order on the calling thread.
// Time keys are turned into periods inside the kernel (a day table per call).
//
// Errors. A score outside the scale (for a tally: also missing_score) throws
// score_out_of_scale; a key >= its cardinality or a time outside its key's
// periods throws invalid_value; a bad weight invalid_weight; each names the
// first bad row (count_options::first_row + index) and field (the key
// column's name). At most max_groups cells and max_cell_counters counters.
//
// Header: cxmetrics/engine/group_by.hpp. Compiled part: src/engine/.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/period.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/export.hpp"

namespace cxm::inline v0_1::engine {

/// Largest number of cells (product of cardinalities) of one grouping.
inline constexpr std::size_t max_groups = std::size_t{1} << 20;

/// Largest number of counters (cells × counters per cell) of one grouping.
inline constexpr std::size_t max_cell_counters = std::size_t{1} << 22;

/// `count` consecutive periods of `bucket` from the period `first` on, in a
/// fixed UTC offset: the keys of a time column.
struct period_span {
  time_bucket bucket = time_bucket::month;
  std::chrono::seconds utc_offset{0};
  std::int32_t first = 0;   ///< index of the first period (cxm::period::index)
  std::uint32_t count = 1;  ///< periods in the span
  friend bool operator==(const period_span&, const period_span&) = default;
};

/// A non-owning view of one key column and the number of distinct keys it may hold.
class key_column {
 public:
  key_column(std::span<const std::uint8_t> keys, std::uint32_t cardinality, std::string name = "key")
      : data_(keys.data()), size_(keys.size()), width_(1), cardinality_(cardinality), name_(std::move(name)) {}
  key_column(std::span<const std::uint16_t> keys, std::uint32_t cardinality, std::string name = "key")
      : data_(keys.data()), size_(keys.size()), width_(2), cardinality_(cardinality), name_(std::move(name)) {}
  key_column(std::span<const std::uint32_t> keys, std::uint32_t cardinality, std::string name = "key")
      : data_(keys.data()), size_(keys.size()), width_(4), cardinality_(cardinality), name_(std::move(name)) {}
  /// Times (Unix seconds, response_table::missing_time for none) keyed by
  /// period: key 0 for a missing time, 1 + i for the i-th period of `periods`
  /// (cardinality periods.count + 1). Throws invalid_argument for an offset
  /// beyond ±18 hours or a span of no period.
  key_column(std::span<const std::int64_t> times, const period_span& periods, std::string name = "time")
      : data_(times.data()), size_(times.size()), width_(8), name_(std::move(name)), periods_(periods) {
    check_utc_offset(periods.utc_offset);
    if (periods.count == 0 || periods.count >= max_groups) {
      throw invalid_argument("time key '" + name_ + "' needs 1 to " + std::to_string(max_groups - 1) +
                             " periods, got " + std::to_string(periods.count));
    }
    cardinality_ = periods.count + 1;
  }

  [[nodiscard]] const void* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// Bytes per key: 1, 2 or 4; 8 for a time column.
  [[nodiscard]] unsigned width() const noexcept { return width_; }
  [[nodiscard]] std::uint32_t cardinality() const noexcept { return cardinality_; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// The periods of a time column, or nothing.
  [[nodiscard]] const std::optional<period_span>& periods() const noexcept { return periods_; }

  /// Key of row `i` (no bounds check); for a time outside the periods (or
  /// outside 1900..2200), cardinality().
  [[nodiscard]] std::uint32_t operator[](std::size_t i) const noexcept {
    switch (width_) {
      case 1: return static_cast<const std::uint8_t*>(data_)[i];
      case 2: return static_cast<const std::uint16_t*>(data_)[i];
      case 4: return static_cast<const std::uint32_t*>(data_)[i];
      default: break;
    }
    const std::int64_t t = static_cast<const std::int64_t*>(data_)[i];
    if (t == std::numeric_limits<std::int64_t>::min()) return 0;
    const timestamp ts{std::chrono::seconds{t}};
    if (!timestamp_in_range(ts)) return cardinality_;
    const std::int64_t p = period_index(local_day(ts, periods_->utc_offset), periods_->bucket);
    const std::int64_t k = p - periods_->first;
    return k >= 0 && k < std::int64_t{periods_->count} ? static_cast<std::uint32_t>(k + 1) : cardinality_;
  }

 private:
  const void* data_;
  std::size_t size_;
  unsigned width_;
  std::uint32_t cardinality_ = 0;
  std::string name_;
  std::optional<period_span> periods_;
};

namespace detail {

/// Flat index of a cell of `shape` from one key per column. Throws invalid_argument.
[[nodiscard]] inline std::size_t cell_index(std::span<const std::uint32_t> shape, std::span<const std::uint32_t> keys,
                                            const char* what) {
  if (keys.size() != shape.size()) {
    throw invalid_argument(std::string(what) + " has " + std::to_string(shape.size()) + " key columns, got " +
                           std::to_string(keys.size()) + " keys");
  }
  std::size_t flat = 0;
  for (std::size_t j = 0; j < keys.size(); ++j) {
    if (keys[j] >= shape[j]) {
      throw invalid_argument("key " + std::to_string(keys[j]) + " of column " + std::to_string(j) +
                             " is not below its cardinality " + std::to_string(shape[j]));
    }
    flat = flat * shape[j] + keys[j];
  }
  return flat;
}

/// Product of `shape`; throws invalid_argument when it is not `cells`.
inline void check_cells(std::span<const std::uint32_t> shape, std::size_t cells, const char* what) {
  std::size_t expected = 1;
  for (auto c : shape) expected *= c;
  if (cells != expected) {
    throw invalid_argument(std::string(what) + " needs " + std::to_string(expected) + " cells, got " +
                           std::to_string(cells));
  }
}

}  // namespace detail

/// NPS tallies of every cell of a grouping (see the header comment for the layout).
class grouped_nps {
 public:
  grouped_nps() = default;
  grouped_nps(std::vector<std::uint32_t> shape, std::vector<nps_tally> cells)
      : shape_(std::move(shape)), cells_(std::move(cells)) {
    detail::check_cells(shape_, cells_.size(), "grouped_nps");
  }

  /// Cardinality of each key column.
  [[nodiscard]] std::span<const std::uint32_t> shape() const noexcept { return shape_; }
  /// All cells, row-major.
  [[nodiscard]] std::span<const nps_tally> cells() const noexcept { return cells_; }
  [[nodiscard]] std::size_t size() const noexcept { return cells_.size(); }

  /// Flat index of a cell from one key per column. Throws invalid_argument.
  [[nodiscard]] std::size_t index(std::span<const std::uint32_t> keys) const {
    return detail::cell_index(shape_, keys, "grouped_nps");
  }
  [[nodiscard]] const nps_tally& at(std::span<const std::uint32_t> keys) const { return cells_[index(keys)]; }
  [[nodiscard]] const nps_tally& at(std::initializer_list<std::uint32_t> keys) const {
    return at(std::span<const std::uint32_t>(keys.begin(), keys.size()));
  }

  /// Sum over all cells.
  [[nodiscard]] nps_tally total() const noexcept {
    nps_tally t;
    for (const auto& c : cells_) {
      t.detractors += c.detractors;
      t.passives += c.passives;
      t.promoters += c.promoters;
    }
    return t;
  }

  friend bool operator==(const grouped_nps&, const grouped_nps&) = default;

 private:
  std::vector<std::uint32_t> shape_;
  std::vector<nps_tally> cells_;
};

/// Score histograms of every cell of a grouping (see the header comment).
class grouped_counts {
 public:
  grouped_counts() = default;
  /// From its parts: `n` holds cells × (points + 1) counts (each cell's
  /// points in order, then its missing rows); `w` and `w2` cells × points
  /// weight sums, or both empty (unweighted); `weighted_rows` one entry per
  /// cell, or empty. Throws invalid_argument for other sizes.
  grouped_counts(std::vector<std::uint32_t> shape, const scale& s, std::vector<std::uint64_t> n,
                 std::vector<double> w = {}, std::vector<double> w2 = {}, std::vector<std::uint64_t> weighted_rows = {})
      : shape_(std::move(shape)), scale_(s), n_(std::move(n)), w_(std::move(w)), w2_(std::move(w2)),
        weighted_rows_(std::move(weighted_rows)) {
    const std::size_t width = points() + 1;
    if (n_.size() % width != 0) {
      throw invalid_argument("grouped_counts needs " + std::to_string(width) + " counts per cell, got " +
                             std::to_string(n_.size()) + " in all");
    }
    detail::check_cells(shape_, size(), "grouped_counts");
    if (w_.size() != w2_.size() || (!w_.empty() && w_.size() != size() * points())) {
      throw invalid_argument("grouped_counts weight sums must be empty or have one entry per cell and point");
    }
    if (!weighted_rows_.empty() && weighted_rows_.size() != size()) {
      throw invalid_argument("grouped_counts needs one count of weighted rows per cell");
    }
  }

  /// Cardinality of each key column.
  [[nodiscard]] std::span<const std::uint32_t> shape() const noexcept { return shape_; }
  [[nodiscard]] const scale& scale_of() const noexcept { return scale_; }
  [[nodiscard]] std::size_t points() const noexcept { return static_cast<std::size_t>(scale_.points()); }
  /// Number of cells.
  [[nodiscard]] std::size_t size() const noexcept { return n_.size() / (points() + 1); }

  /// Flat index of a cell from one key per column. Throws invalid_argument.
  [[nodiscard]] std::size_t index(std::span<const std::uint32_t> keys) const {
    return detail::cell_index(shape_, keys, "grouped_counts");
  }
  [[nodiscard]] std::size_t index(std::initializer_list<std::uint32_t> keys) const {
    return index(std::span<const std::uint32_t>(keys.begin(), keys.size()));
  }

  /// Rows of cell `c` with the answer of bin `b` (no bounds checks).
  [[nodiscard]] std::uint64_t count(std::size_t c, std::size_t b) const noexcept { return n_[c * (points() + 1) + b]; }
  /// Rows of cell `c` without an answer (missing_score).
  [[nodiscard]] std::uint64_t missing(std::size_t c) const noexcept { return n_[c * (points() + 1) + points()]; }
  /// Every row of cell `c`, answered or not.
  [[nodiscard]] std::uint64_t rows(std::size_t c) const noexcept {
    std::uint64_t total = 0;
    for (std::size_t b = 0; b <= points(); ++b) total += n_[c * (points() + 1) + b];
    return total;
  }
  /// True when weight sums were kept.
  [[nodiscard]] bool weighted() const noexcept { return !w_.empty(); }
  /// Σw and Σw² of bin `b` of cell `c` (the count when unweighted).
  [[nodiscard]] double weight(std::size_t c, std::size_t b) const noexcept {
    return weighted() ? w_[c * points() + b] : static_cast<double>(count(c, b));
  }
  [[nodiscard]] double weight_sq(std::size_t c, std::size_t b) const noexcept {
    return weighted() ? w2_[c * points() + b] : static_cast<double>(count(c, b));
  }
  /// Rows of cell `c` (answered or not) whose weight is not 1; 0 when unweighted.
  [[nodiscard]] std::uint64_t weighted_rows(std::size_t c) const noexcept {
    return weighted_rows_.empty() ? 0 : weighted_rows_[c];
  }

  /// The histogram of the answers of cell `c` (with its weight sums when weighted()).
  [[nodiscard]] score_counts counts(std::size_t c) const {
    const std::size_t p = points();
    const auto first = n_.begin() + static_cast<std::ptrdiff_t>(c * (p + 1));
    std::vector<std::uint64_t> n(first, first + static_cast<std::ptrdiff_t>(p));
    if (!weighted()) return score_counts(scale_, std::move(n));
    const auto at = static_cast<std::ptrdiff_t>(c * p);
    return score_counts(scale_, std::move(n), std::vector<double>(w_.begin() + at, w_.begin() + at + static_cast<std::ptrdiff_t>(p)),
                        std::vector<double>(w2_.begin() + at, w2_.begin() + at + static_cast<std::ptrdiff_t>(p)));
  }

  friend bool operator==(const grouped_counts&, const grouped_counts&) = default;

 private:
  std::vector<std::uint32_t> shape_;
  scale scale_ = scale::nps();
  std::vector<std::uint64_t> n_;
  std::vector<double> w_;
  std::vector<double> w2_;
  std::vector<std::uint64_t> weighted_rows_;
};

/// Tallies of `scores` on `s` per cell of `keys` (each the same length as
/// `scores`, at least one column). Throws score_out_of_scale, invalid_value
/// (a key out of range) and invalid_argument (lengths, cardinality 0, more
/// than max_groups cells).
[[nodiscard]] CXMETRICS_API grouped_nps count_nps_by(std::span<const std::uint8_t> scores,
                                                     std::span<const key_column> keys,
                                                     const scale& s = scale::nps(),
                                                     const count_options& options = {});

/// Histograms of `scores` on `s` (within 0..254; missing_score marks a
/// missing answer) per cell of `keys`. Throws score_out_of_scale,
/// invalid_value (a key out of range, a time outside its periods) and
/// invalid_argument (lengths, cardinality 0, more than max_groups cells or
/// max_cell_counters counters, a scale outside 0..254).
[[nodiscard]] CXMETRICS_API grouped_counts count_scores_by(std::span<const std::uint8_t> scores,
                                                           std::span<const key_column> keys, const scale& s,
                                                           const count_options& options = {});

/// Weighted: also Σw and Σw² per cell and point, added in row order on the
/// calling thread (count_options::threads is not used), and the rows whose
/// weight is not 1. Also throws invalid_weight.
[[nodiscard]] CXMETRICS_API grouped_counts count_scores_by(std::span<const std::uint8_t> scores,
                                                           std::span<const float> weights,
                                                           std::span<const key_column> keys, const scale& s,
                                                           const count_options& options = {});
[[nodiscard]] CXMETRICS_API grouped_counts count_scores_by(std::span<const std::uint8_t> scores,
                                                           std::span<const double> weights,
                                                           std::span<const key_column> keys, const scale& s,
                                                           const count_options& options = {});

}  // namespace cxm::engine
