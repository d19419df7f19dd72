// NPS tallies grouped by dense integer keys (channel, month, agent, ...).
//
// Each key column holds one small integer per response, 0 <= key < its
// cardinality (uint8, uint16 or uint32). The groups are the cells of the
// cartesian product of the key columns, stored row-major in one flat array:
// with keys (k0, k1, ..., km) and cardinalities (c0, c1, ..., cm) the cell is
//
//   ((k0 · c1 + k1) · c2 + k2) · ... · cm + km
//
// so the last key varies fastest. Every cell holds a cxm::engine::nps_tally.
//
//   std::vector<std::uint8_t> score, channel;   // channel 0..7
//   std::vector<std::uint16_t> month;           // month 0..35
//   const cxm::engine::key_column keys[] = {{channel, 8, "channel"}, {month, 36, "month"}};
//   auto g = cxm::engine::count_nps_by(score, keys);
//   g.at({3, 12}).promoters;                    // channel 3, month 12
//
// Kernel. Per tile of rows, SIMD code turns score and keys into one counter
// index per row (cell · 3 + group; 16-bit lanes when the table is small),
// then scalar code increments those counters. Small tables are kept in four
// interleaved copies (row i uses copy i mod 4) so that runs of equal keys do
// not serialise on one memory location. Counts are integers: identical for any
// thread count and chunk size.
//
// Errors. A score outside the scale throws score_out_of_scale; a key >= its
// cardinality throws invalid_value; both name the first bad row and field
// (the key column's name). At most max_groups cells.
//
// Header: cxmetrics/engine/group_by.hpp. Compiled part: src/engine/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/export.hpp"

namespace cxm::engine {

/// Largest number of cells (product of cardinalities) of one grouping.
inline constexpr std::size_t max_groups = std::size_t{1} << 20;

/// A non-owning view of one key column and the number of distinct keys it may hold.
class key_column {
 public:
  key_column(std::span<const std::uint8_t> keys, std::uint32_t cardinality, std::string name = "key")
      : data_(keys.data()), size_(keys.size()), width_(1), cardinality_(cardinality), name_(std::move(name)) {}
  key_column(std::span<const std::uint16_t> keys, std::uint32_t cardinality, std::string name = "key")
      : data_(keys.data()), size_(keys.size()), width_(2), cardinality_(cardinality), name_(std::move(name)) {}
  key_column(std::span<const std::uint32_t> keys, std::uint32_t cardinality, std::string name = "key")
      : data_(keys.data()), size_(keys.size()), width_(4), cardinality_(cardinality), name_(std::move(name)) {}

  [[nodiscard]] const void* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// Bytes per key: 1, 2 or 4.
  [[nodiscard]] unsigned width() const noexcept { return width_; }
  [[nodiscard]] std::uint32_t cardinality() const noexcept { return cardinality_; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// Key of row `i` (no bounds check).
  [[nodiscard]] std::uint32_t operator[](std::size_t i) const noexcept {
    switch (width_) {
      case 1: return static_cast<const std::uint8_t*>(data_)[i];
      case 2: return static_cast<const std::uint16_t*>(data_)[i];
      default: return static_cast<const std::uint32_t*>(data_)[i];
    }
  }

 private:
  const void* data_;
  std::size_t size_;
  unsigned width_;
  std::uint32_t cardinality_;
  std::string name_;
};

/// NPS tallies of every cell of a grouping (see the header comment for the layout).
class grouped_nps {
 public:
  grouped_nps() = default;
  grouped_nps(std::vector<std::uint32_t> shape, std::vector<nps_tally> cells)
      : shape_(std::move(shape)), cells_(std::move(cells)) {
    std::size_t expected = 1;
    for (auto c : shape_) expected *= c;
    if (cells_.size() != expected) {
      throw invalid_argument("grouped_nps needs " + std::to_string(expected) + " cells, got " +
                             std::to_string(cells_.size()));
    }
  }

  /// Cardinality of each key column.
  [[nodiscard]] std::span<const std::uint32_t> shape() const noexcept { return shape_; }
  /// All cells, row-major.
  [[nodiscard]] std::span<const nps_tally> cells() const noexcept { return cells_; }
  [[nodiscard]] std::size_t size() const noexcept { return cells_.size(); }

  /// Flat index of a cell from one key per column. Throws invalid_argument.
  [[nodiscard]] std::size_t index(std::span<const std::uint32_t> keys) const {
    if (keys.size() != shape_.size()) {
      throw invalid_argument("grouped_nps has " + std::to_string(shape_.size()) + " key columns, got " +
                             std::to_string(keys.size()) + " keys");
    }
    std::size_t flat = 0;
    for (std::size_t j = 0; j < keys.size(); ++j) {
      if (keys[j] >= shape_[j]) {
        throw invalid_argument("key " + std::to_string(keys[j]) + " of column " + std::to_string(j) +
                               " is not below its cardinality " + std::to_string(shape_[j]));
      }
      flat = flat * shape_[j] + keys[j];
    }
    return flat;
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

/// Tallies of `scores` on `s` per cell of `keys` (each the same length as
/// `scores`, at least one column). Throws score_out_of_scale, invalid_value
/// (a key out of range) and invalid_argument (lengths, cardinality 0, more
/// than max_groups cells).
[[nodiscard]] CXMETRICS_API grouped_nps count_nps_by(std::span<const std::uint8_t> scores,
                                                     std::span<const key_column> keys,
                                                     const scale& s = scale::nps(),
                                                     const count_options& options = {});

}  // namespace cxm::engine
