// The columnar batch a reader delivers: one chunk's accepted rows, column by
// column in the layout of response_table (one column per field of the read's
// schema, at the field's id), with the reader's category dictionaries.
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

#include "cxmetrics/core/detail/column_store.hpp"
#include "cxmetrics/core/dictionary.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/export.hpp"

namespace cxm::inline v0_1 {

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
/// entries whether or not the input had it (missing values then). Category
/// ids index the reader's dictionaries (channel ids channel_labels(), the
/// others labels(f)); those belong to the reader (or to the caller, when it
/// gave ingest_options::dictionaries), only grow, and are valid while the
/// sink runs. A default-constructed batch is empty, with the predefined fields.
class CXMETRICS_API response_batch {
 public:
  response_batch();

  [[nodiscard]] std::size_t size() const noexcept { return line_.size(); }
  [[nodiscard]] bool empty() const noexcept { return line_.empty(); }
  /// Index of the first row among all accepted rows of the input (0-based).
  [[nodiscard]] std::uint64_t first_row() const noexcept { return first_row_; }
  /// The fields of the read.
  [[nodiscard]] const cxm::schema& schema() const noexcept { return *schema_; }

  // Columns of the predefined fields, as in response_table: scores or
  // response_table::missing_score; Unix seconds or response_table::missing_time;
  // cxm::resolution values.
  [[nodiscard]] std::span<const std::uint8_t> nps() const noexcept { return fixed<std::uint8_t>(response_field::nps); }
  [[nodiscard]] std::span<const std::uint8_t> csat() const noexcept { return fixed<std::uint8_t>(response_field::csat); }
  [[nodiscard]] std::span<const std::uint8_t> ces() const noexcept { return fixed<std::uint8_t>(response_field::ces); }
  [[nodiscard]] std::span<const std::int64_t> time() const noexcept { return fixed<std::int64_t>(response_field::timestamp); }
  [[nodiscard]] std::span<const std::uint16_t> channel() const noexcept { return columns_.channel; }
  [[nodiscard]] std::span<const std::uint32_t> segment() const noexcept { return fixed<std::uint32_t>(response_field::segment); }
  [[nodiscard]] std::span<const std::uint32_t> agent() const noexcept { return fixed<std::uint32_t>(response_field::agent); }
  [[nodiscard]] std::span<const double> weight() const noexcept { return fixed<double>(response_field::weight); }
  [[nodiscard]] std::span<const std::int8_t> resolved() const noexcept { return fixed<std::int8_t>(response_field::resolved); }
  /// Line (CSV, JSON Lines) or row (SPSS/Stata/SAS) where each row starts.
  [[nodiscard]] std::span<const std::uint64_t> line() const noexcept { return line_; }
  /// Response id and free text of row i (no bounds check).
  [[nodiscard]] std::string_view id(std::size_t i) const noexcept { return text_at(predefined_slot(response_field::id), i); }
  [[nodiscard]] std::string_view why(std::size_t i) const noexcept { return text_at(predefined_slot(response_field::why), i); }

  // Columns of any field of schema(), by id, as response_table's (each throws
  // invalid_argument naming the field when it is stored otherwise).
  [[nodiscard]] std::span<const std::uint8_t> scores(field_id f) const { return columns_.of<std::uint8_t>(*schema_, f); }
  [[nodiscard]] std::span<const std::int8_t> flags(field_id f) const { return columns_.of<std::int8_t>(*schema_, f); }
  [[nodiscard]] std::span<const std::int64_t> times(field_id f) const { return columns_.of<std::int64_t>(*schema_, f); }
  [[nodiscard]] std::span<const std::uint32_t> categories(field_id f) const {
    return columns_.of<std::uint32_t>(*schema_, f);
  }
  [[nodiscard]] std::span<const double> numbers(field_id f) const { return columns_.of<double>(*schema_, f); }
  /// Row i of a text or id field (no bounds check on i).
  [[nodiscard]] std::string_view text(field_id f, std::size_t i) const {
    detail::check_column_type(*schema_, f, column_type::text);
    return text_at(schema_->slot_of(f), i);
  }

  /// True when some row of the batch had a weight given.
  [[nodiscard]] bool weighted() const noexcept { return weighted_; }

  [[nodiscard]] const channel_set& channel_labels() const noexcept { return dictionaries_->channels(); }
  [[nodiscard]] const string_dictionary& segments() const noexcept { return *labels_[predefined_slot(response_field::segment)]; }
  [[nodiscard]] const string_dictionary& agents() const noexcept { return *labels_[predefined_slot(response_field::agent)]; }
  /// The dictionary of a category field other than the channel.
  [[nodiscard]] const string_dictionary& labels(field_id f) const {
    detail::check_column_type(*schema_, f, column_type::category);
    return *labels_[schema_->slot_of(f)];
  }
  /// The label of id `v` of a category field, the channel included.
  [[nodiscard]] const std::string& label(field_id f, std::uint32_t v) const;
  /// The reader's dictionaries.
  [[nodiscard]] const category_dictionaries& dictionaries() const noexcept { return *dictionaries_; }

  /// Row i as a response: the predefined fields (no bounds check beyond the dictionaries').
  [[nodiscard]] response row(std::size_t i) const;
  /// Appends every row to `table`, every field included. The table needs the
  /// batch's columns (schema::same_columns: the reader's fields and scales);
  /// otherwise invalid_argument. Category ids are copied when the table
  /// shares the reader's dictionaries (ingest_options::dictionaries), else
  /// looked up by label in the table's (a closed channel set there may then
  /// throw unknown_channel). Marks the table weighted when the batch is.
  void append_to(response_table& table) const;

 private:
  friend struct detail::batch_access;
  template <class T>
  [[nodiscard]] std::span<const T> fixed(response_field f) const noexcept {
    return columns_.list<T>()[predefined_slot(f)];
  }
  [[nodiscard]] std::string_view text_at(std::size_t slot, std::size_t i) const noexcept {
    const auto& end = text_end_[slot];
    const std::uint64_t b = i == 0 ? 0 : end[i - 1];
    return std::string_view(text_[slot].data() + b, static_cast<std::size_t>(end[i] - b));
  }

  std::uint64_t first_row_ = 0;
  bool weighted_ = false;
  detail::column_store<detail::column> columns_;
  std::vector<detail::column<char>> text_;                 // per text slot: the rows' bytes, one after another
  std::vector<detail::column<std::uint64_t>> text_end_;    // per text slot: where each row's text ends
  detail::column<std::uint64_t> line_;
  const cxm::schema* schema_ = nullptr;
  const category_dictionaries* dictionaries_ = nullptr;
  std::vector<const string_dictionary*> labels_;  // per category slot
};

}  // namespace cxm
