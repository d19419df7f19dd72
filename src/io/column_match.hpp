// Internal (not installed): finding columns, the one matcher of CSV headers,
// JSON keys and variable names (the rules are in io/column_map.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cxmetrics/io/column_map.hpp"
#include "cxmetrics/io/ingest_options.hpp"

namespace cxm::inline v0_1::detail {

/// column_key() written into `out` (no allocation once `out` has grown).
void column_key_into(std::string_view name, std::string& out);

/// Whether the field's name in the options is its own (aliases then apply).
[[nodiscard]] bool named_by_default(const ingest_options& o, response_field f);

/// The fields whose column the input must have: the options' required
/// fields, then every declared field of `s`.
[[nodiscard]] std::vector<field_id> required_fields(const ingest_options& o, const schema& s);

/// The field of each column of a header, or the first problem found.
struct header_match {
  std::vector<std::optional<field_id>> column_field;
  std::vector<std::optional<std::size_t>> field_column;  ///< by field id
  /// Two columns matched one field: their indexes, and whether by aliases.
  std::optional<std::pair<std::size_t, std::size_t>> twice;
  field_id twice_field;
  bool twice_by_alias = false;
  bool score_found = false;  ///< a score field has a column
  [[nodiscard]] bool has(field_id f) const noexcept { return field_column[f.index()].has_value(); }
  [[nodiscard]] bool has_score() const noexcept { return score_found; }
  /// Every field of required_fields() has a column.
  [[nodiscard]] bool has_all(const std::vector<field_id>& fields) const noexcept {
    for (const auto f : fields) {
      if (!has(f)) return false;
    }
    return true;
  }
};
/// Matches names to the fields of `s`; never throws for a header's contents.
[[nodiscard]] header_match match_header(const std::vector<std::string>& names, const ingest_options& o,
                                        const schema& s);

/// Maps header names to fields; throws parse_error (duplicate column, two
/// aliases of a field, missing required column, no score column) located in
/// `source` at `line`. `what` is "column", "key" or "variable"; `hint`,
/// when not empty, ends the message of a missing required or score column
/// in parentheses (the CSV reader's "with --delimiter ';' ...").
struct header_mapping {
  std::vector<std::optional<field_id>> column_field;
  std::vector<bool> present;  ///< by field id
  std::vector<std::string> ignored;
};
header_mapping map_header(const std::vector<std::string>& names, const ingest_options& o, const schema& s,
                          const std::string& source, std::uint64_t line, std::string_view what,
                          std::string_view hint = {});

/// Keys (column_key) to fields, for readers that match names row by row
/// (JSON Lines): every name each field may have, or after narrow() the name
/// a header gave a field it has.
class name_index {
 public:
  name_index() = default;
  name_index(const ingest_options& o, const schema& s);
  /// Fields the header has are found under the key of the header's name only.
  void narrow(const std::vector<std::string>& names, const std::vector<std::optional<field_id>>& column_field);
  /// The field of a name; `scratch` holds its key afterwards.
  [[nodiscard]] std::optional<field_id> find(std::string_view name, std::string& scratch) const;
  /// Remembers the header's names in order (after narrow()), so that a row
  /// whose k-th name is spelt as the header's k-th is answered by one compare.
  void remember_order(const std::vector<std::string>& names);
  /// find() of the k-th name of a row.
  [[nodiscard]] std::optional<field_id> find_at(std::string_view name, std::size_t k, std::string& scratch) const {
    if (k < order_.size() && order_[k].first == name) return order_[k].second;
    return find(name, scratch);
  }

 private:
  std::vector<std::pair<std::string, field_id>> keys_;  // sorted by key
  std::vector<std::pair<std::string, std::optional<field_id>>> order_;
};

}  // namespace cxm::detail
