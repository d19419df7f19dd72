// Private (detail): the fixed-width columns of a schema, one list per column
// type, each field's column at its slot (schema::slot_of). response_table
// (std::vector columns) and response_batch (columns that a reader sizes
// ahead of its rows) share it; their text columns differ and sit beside it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/schema.hpp"

namespace cxm::inline v0_1::detail {

/// The column type that stores values of type T (the channel's uint16 aside).
template <class T>
struct column_type_for;
template <>
struct column_type_for<std::uint8_t> {
  static constexpr column_type value = column_type::score;
};
template <>
struct column_type_for<std::int8_t> {
  static constexpr column_type value = column_type::flag;
};
template <>
struct column_type_for<std::int64_t> {
  static constexpr column_type value = column_type::time;
};
template <>
struct column_type_for<std::uint32_t> {
  static constexpr column_type value = column_type::category;
};
template <>
struct column_type_for<double> {
  static constexpr column_type value = column_type::number;
};

/// What a column of a type holds, for messages.
[[nodiscard]] constexpr const char* column_type_text(column_type t) noexcept {
  switch (t) {
    case column_type::score: return "a score";
    case column_type::flag: return "a flag";
    case column_type::time: return "a time";
    case column_type::channel: return "the channel";
    case column_type::category: return "a category";
    case column_type::number: return "numeric or a weight";
    case column_type::text: return "text or an id";
  }
  return "text or an id";
}

/// Throws invalid_argument when field `f` of `s` is not stored as `want`.
inline void check_column_type(const schema& s, field_id f, column_type want) {
  const field& d = s.at(f);
  if (s.type_of(f) != want) {
    throw invalid_argument("field '" + d.name + "' is a " + std::string(to_string(d.kind)) + ", not " +
                               column_type_text(want),
                           at_field(d.name));
  }
}

template <template <class> class Column>
struct column_store {
  std::vector<Column<std::uint8_t>> score;
  std::vector<Column<std::int8_t>> flag;
  std::vector<Column<std::int64_t>> time;
  Column<std::uint16_t> channel;
  std::vector<Column<std::uint32_t>> category;
  std::vector<Column<double>> number;

  /// One (empty) column for every fixed-width field of `s`.
  void shape(const schema& s) {
    score.assign(s.columns_of(column_type::score), {});
    flag.assign(s.columns_of(column_type::flag), {});
    time.assign(s.columns_of(column_type::time), {});
    channel.clear();
    category.assign(s.columns_of(column_type::category), {});
    number.assign(s.columns_of(column_type::number), {});
  }

  /// Calls f(column) for every column.
  template <class F>
  void each(F&& f) {
    for (auto& c : score) f(c);
    for (auto& c : flag) f(c);
    for (auto& c : time) f(c);
    f(channel);
    for (auto& c : category) f(c);
    for (auto& c : number) f(c);
  }

  template <class T>
  [[nodiscard]] std::vector<Column<T>>& list() noexcept {
    constexpr column_type t = column_type_for<T>::value;
    if constexpr (t == column_type::score) {
      return score;
    } else if constexpr (t == column_type::flag) {
      return flag;
    } else if constexpr (t == column_type::time) {
      return time;
    } else if constexpr (t == column_type::category) {
      return category;
    } else {
      return number;
    }
  }
  template <class T>
  [[nodiscard]] const std::vector<Column<T>>& list() const noexcept {
    return const_cast<column_store&>(*this).template list<T>();
  }

  /// The column of field `f` of `s`, checked to hold T.
  template <class T>
  [[nodiscard]] std::span<const T> of(const schema& s, field_id f) const {
    check_column_type(s, f, column_type_for<T>::value);
    return list<T>()[s.slot_of(f)];
  }
};

}  // namespace cxm::detail
