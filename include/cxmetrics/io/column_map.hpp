// The input column of each field: the column_map a caller renames the
// predefined fields with, the one matching rule of CSV headers, JSON keys
// and variable names, and the aliases under which survey tools export the
// predefined fields (a flat view of predefined_fields in core/schema.hpp,
// where the fields, their kinds and their aliases are declared).
//
// Header: cxmetrics/io/column_map.hpp; compiled part in src/io/column_match.cpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/export.hpp"

namespace cxm::inline v0_1 {

/// Number of response_field values (the predefined fields).
inline constexpr std::size_t response_field_count = predefined_field_count;

/// The predefined field of a name ("nps", "why", ...; exact, lower case), if any.
[[nodiscard]] constexpr std::optional<response_field> field_from_name(std::string_view name) noexcept {
  for (std::size_t f = 0; f < predefined_field_count; ++f) {
    if (predefined_fields[f].name == name) return static_cast<response_field>(f);
  }
  return std::nullopt;
}

/// Input column (CSV header name, JSON key, SPSS/Stata/SAS variable name) of
/// each predefined field. An empty name means the field is never read.
/// (Named members, so that a caller writes `o.columns.nps = "Q1"`; their
/// defaults are the names of predefined_fields.) A declared field (core/
/// schema.hpp) is read from the column of its own name.
///
/// How a reader finds a field's column (one matcher for CSV headers, JSON
/// keys and variable names):
///  * Names are compared as keys (field_key): ASCII letters in lower case,
///    surrounding blanks removed, and each run of ' ', '-' and '_' as one
///    '_' ("Response ID", "response-id" and "RESPONSE_ID" are one key).
///  * A field whose name is its own (the default, "nps" for nps) is found
///    under that name, else under one of its column_aliases (below). The own
///    name wins over an alias; two aliases of one field in one header are a
///    parse_error naming both (say which one with an explicit name).
///  * A field given another name (by the program, a mapping file's "columns"
///    or cxm's --column) is found under that name only, never an alias.
///  * A column is read as one field at most: own, declared and explicit
///    names are matched first, aliases only among the columns left.
///  * Several columns with one field's name are a parse_error.
/// The column each field was read from is in ingest_report::column_of.
struct column_map {
  std::string id{predefined(response_field::id).name};
  std::string timestamp{predefined(response_field::timestamp).name};
  std::string channel{predefined(response_field::channel).name};
  std::string agent{predefined(response_field::agent).name};
  std::string segment{predefined(response_field::segment).name};
  std::string nps{predefined(response_field::nps).name};
  std::string csat{predefined(response_field::csat).name};
  std::string ces{predefined(response_field::ces).name};
  std::string resolved{predefined(response_field::resolved).name};
  std::string weight{predefined(response_field::weight).name};
  std::string why{predefined(response_field::why).name};

  /// The column name of a field.
  [[nodiscard]] const std::string& name_of(response_field f) const noexcept {
    return this->*members[static_cast<std::size_t>(f)];
  }
  /// The column name of a field, for changing it.
  [[nodiscard]] std::string& name_of(response_field f) noexcept { return this->*members[static_cast<std::size_t>(f)]; }

 private:
  // The members in the order of response_field.
  static constexpr std::array<std::string column_map::*, predefined_field_count> members{
      &column_map::id,   &column_map::timestamp, &column_map::channel,  &column_map::agent,
      &column_map::segment, &column_map::nps,    &column_map::csat,     &column_map::ces,
      &column_map::resolved, &column_map::weight, &column_map::why};
};

namespace detail {
constexpr std::size_t alias_count() noexcept {
  std::size_t n = 0;
  for (const auto& p : predefined_fields) n += p.aliases.size();
  return n;
}
constexpr std::array<column_alias, alias_count()> flat_aliases() noexcept {
  std::array<column_alias, alias_count()> out{};
  std::size_t k = 0;
  for (std::size_t f = 0; f < predefined_field_count; ++f) {
    for (const auto a : predefined_fields[f].aliases) out[k++] = column_alias{static_cast<response_field>(f), a};
  }
  return out;
}
}  // namespace detail

/// The aliases of every predefined field, one entry each, in the order of
/// predefined_fields (core/schema.hpp, which lists them with their sources).
inline constexpr std::array<column_alias, detail::alias_count()> column_aliases = detail::flat_aliases();

/// The key a column name is compared as (see column_map; field_key):
/// "Response ID" → "response_id".
[[nodiscard]] CXMETRICS_API std::string column_key(std::string_view name);

}  // namespace cxm
