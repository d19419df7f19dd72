// The columnar batch a reader delivers: one chunk's accepted rows, column by
// column, with the reader's dictionaries of channel, segment and agent
// labels.
//
// Header: cxmetrics/io/response_batch.hpp; implemented in src/io/response_batch.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/export.hpp"

namespace cxm {

namespace detail {
struct batch_access;

/// std::allocator, except that value-initialisation default-initialises:
/// resize() leaves trivial elements unwritten. A reader sizes a batch's
/// columns ahead of the rows it stores and trims them before delivery, so
/// the room it has not used yet is never zero-filled.
template <class T>
struct default_init_allocator : std::allocator<T> {
  using value_type = T;
  default_init_allocator() noexcept = default;
  template <class U>
  default_init_allocator(const default_init_allocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)
  template <class U>
  struct rebind {
    using other = default_init_allocator<U>;
  };
  /// Default-initialises; construction with arguments is std::allocator_traits'
  /// own (std::construct_at), as for std::allocator.
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
};
template <class T>
using column = std::vector<T, default_init_allocator<T>>;
}  // namespace detail

/// Accepted rows of one chunk of the input, column by column (the layout of
/// response_table, with text held in flat buffers). Every column has size()
/// entries whether or not the input had it (missing values then).
/// Segment and agent ids index segments() / agents(), channel ids
/// channel_labels(); those dictionaries belong to the reader, only grow, and
/// are valid while the sink runs.
class CXMETRICS_API response_batch {
 public:
  response_batch() = default;

  [[nodiscard]] std::size_t size() const noexcept { return nps_.size(); }
  [[nodiscard]] bool empty() const noexcept { return nps_.empty(); }
  /// Index of the first row among all accepted rows of the input (0-based).
  [[nodiscard]] std::uint64_t first_row() const noexcept { return first_row_; }

  // Columns, as in response_table: scores or response_table::missing_score;
  // Unix seconds or response_table::missing_time; cxm::resolution values.
  [[nodiscard]] std::span<const std::uint8_t> nps() const noexcept { return nps_; }
  [[nodiscard]] std::span<const std::uint8_t> csat() const noexcept { return csat_; }
  [[nodiscard]] std::span<const std::uint8_t> ces() const noexcept { return ces_; }
  [[nodiscard]] std::span<const std::int64_t> time() const noexcept { return time_; }
  [[nodiscard]] std::span<const std::uint16_t> channel() const noexcept { return channel_; }
  [[nodiscard]] std::span<const std::uint32_t> segment() const noexcept { return segment_; }
  [[nodiscard]] std::span<const std::uint32_t> agent() const noexcept { return agent_; }
  [[nodiscard]] std::span<const double> weight() const noexcept { return weight_; }
  [[nodiscard]] std::span<const std::int8_t> resolved() const noexcept { return resolved_; }
  /// Line (CSV, JSON Lines) or row (SPSS/Stata/SAS) where each row starts.
  [[nodiscard]] std::span<const std::uint64_t> line() const noexcept { return line_; }
  /// Response id and free text of row i (no bounds check).
  [[nodiscard]] std::string_view id(std::size_t i) const noexcept { return text_at(id_text_, id_end_, i); }
  [[nodiscard]] std::string_view why(std::size_t i) const noexcept { return text_at(why_text_, why_end_, i); }

  /// True when some row of the batch had a weight given.
  [[nodiscard]] bool weighted() const noexcept { return weighted_; }

  [[nodiscard]] const channel_set& channel_labels() const noexcept { return *channels_; }
  [[nodiscard]] const string_dictionary& segments() const noexcept { return *segments_; }
  [[nodiscard]] const string_dictionary& agents() const noexcept { return *agents_; }

  /// Row i as a response (no bounds check beyond the dictionaries').
  [[nodiscard]] response row(std::size_t i) const;
  /// Appends every row to `table` (which must have the reader's scales and a
  /// channel set that knows this batch's channel labels: build it with the
  /// same options and pass each batch in order); marks it weighted when the
  /// batch is.
  void append_to(response_table& table) const;

 private:
  friend struct detail::batch_access;
  static std::string_view text_at(const detail::column<char>& text, const detail::column<std::uint64_t>& end,
                                  std::size_t i) noexcept {
    const std::uint64_t b = i == 0 ? 0 : end[i - 1];
    return std::string_view(text.data() + b, static_cast<std::size_t>(end[i] - b));
  }

  std::uint64_t first_row_ = 0;
  bool weighted_ = false;
  detail::column<std::uint8_t> nps_, csat_, ces_;
  detail::column<std::int64_t> time_;
  detail::column<std::uint16_t> channel_;
  detail::column<std::uint32_t> segment_, agent_;
  detail::column<double> weight_;
  detail::column<std::int8_t> resolved_;
  detail::column<std::uint64_t> line_;
  detail::column<char> id_text_, why_text_;
  detail::column<std::uint64_t> id_end_, why_end_;
  const channel_set* channels_ = nullptr;
  const string_dictionary* segments_ = nullptr;
  const string_dictionary* agents_ = nullptr;
};

}  // namespace cxm
