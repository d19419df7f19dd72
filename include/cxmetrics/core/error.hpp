// Errors raised by cxmetrics.
//
// Every exception derives from cxm::error. Its message starts with a stable
// id, "[cxm.<kind>.<number>]", followed by where the problem was found (file,
// line, column, row, field when known) and what was wrong, e.g.
//
//   [cxm.score_out_of_scale.101] row 17, field 'nps': score 11 is outside the NPS scale 0..10
//
// Ids never change meaning once released, so callers and log scrapers may key
// on them. The numeric id is available as error::id(), its kind name as
// error_kind(id).
//
// | id  | type                 | raised when                                            |
// |-----|----------------------|--------------------------------------------------------|
// | 101 | score_out_of_scale   | a score is outside its scale                           |
// | 102 | invalid_weight       | a weight is NaN, infinite or negative                  |
// | 103 | unknown_channel      | a channel label is not in a closed channel set         |
// | 104 | malformed_timestamp  | a timestamp cannot be parsed                           |
// | 105 | invalid_value        | any other field value is unusable (e.g. resolved flag) |
// | 201 | invalid_argument     | a parameter is out of its domain (level, scale bounds) |
// | 202 | incompatible_merge   | merging states built on different scales or options    |
// | 301 | parse_error          | malformed input text (CSV structure, missing column)   |
// | 302 | limit_exceeded       | the input exceeds a fixed capacity (65,535 channels)   |
// | 401 | serialization_error  | truncated or corrupt serialized state                  |
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace cxm::inline v0_1 {

/// Where in the input a problem was found. Every part is optional; the
/// message names only the parts that are known.
struct location {
  std::string file;                  ///< input file, empty when not from a file
  std::optional<std::uint64_t> line;    ///< 1-based line in the file
  std::optional<std::uint64_t> column;  ///< 1-based column (field number for CSV)
  std::optional<std::uint64_t> row;     ///< 0-based response (row) index
  std::string field;                 ///< field name, e.g. "nps" or "weight"

  [[nodiscard]] bool empty() const noexcept {
    return file.empty() && !line && !column && !row && field.empty();
  }

  /// "file:line:column" when a file is known (the compiler-style form), then
  /// ", row N" and ", field 'x'" for what else is known.
  [[nodiscard]] std::string to_string() const {
    // Built with append only: GCC 12 reports a false -Wrestrict on
    // `out += "x" + std::to_string(n)` in optimised builds.
    std::string out;
    const auto sep = [&out] {
      if (!out.empty()) out.append(", ");
    };
    if (!file.empty()) {
      out.append(file);
      if (line) out.append(":").append(std::to_string(*line));
      if (line && column) out.append(":").append(std::to_string(*column));
    } else {
      if (line) out.append("line ").append(std::to_string(*line));
      if (column) {
        sep();
        out.append("column ").append(std::to_string(*column));
      }
    }
    if (row) {
      sep();
      out.append("row ").append(std::to_string(*row));
    }
    if (!field.empty()) {
      sep();
      out.append("field '").append(field).append("'");
    }
    return out;
  }
};

/// Row `row` (0-based), optionally naming a field.
[[nodiscard]] inline location at_row(std::uint64_t row, std::string field = {}) {
  location l;
  l.row = row;
  l.field = std::move(field);
  return l;
}

/// A named field without a row.
[[nodiscard]] inline location at_field(std::string field) {
  location l;
  l.field = std::move(field);
  return l;
}

/// A position in a file (1-based line and column), optionally naming a field.
[[nodiscard]] inline location in_file(std::string file, std::uint64_t line, std::optional<std::uint64_t> column = {},
                                      std::string field = {}) {
  location l;
  l.file = std::move(file);
  l.line = line;
  l.column = column;
  l.field = std::move(field);
  return l;
}

/// Base of every cxmetrics exception.
class error : public std::runtime_error {
 public:
  /// Stable numeric id (see the table at the top of this header).
  [[nodiscard]] int id() const noexcept { return id_; }
  /// Where the problem was found (may be empty).
  [[nodiscard]] const location& where() const noexcept { return where_; }
  /// The description without id and location.
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

 protected:
  error(std::string_view kind, int id, location where, std::string reason)
      : std::runtime_error(compose(kind, id, where, reason)),
        id_(id),
        where_(std::move(where)),
        reason_(std::move(reason)) {}

 private:
  static std::string compose(std::string_view kind, int id, const location& where,
                             const std::string& reason) {
    std::string msg = "[cxm.";
    msg += kind;
    msg += '.';
    msg += std::to_string(id);
    msg += "] ";
    if (!where.empty()) {
      msg += where.to_string();
      msg += ": ";
    }
    msg += reason;
    return msg;
  }

  int id_;
  location where_;
  std::string reason_;
};

#define CXMETRICS_DEFINE_ERROR(name, number)                        \
  class name : public error {                                       \
   public:                                                          \
    static constexpr int code = number;                             \
    explicit name(std::string reason, location where = {})          \
        : error(#name, number, std::move(where), std::move(reason)) {} \
  }

/// A score outside its scale. Never clamped.
CXMETRICS_DEFINE_ERROR(score_out_of_scale, 101);
/// A weight that is NaN, infinite or negative.
CXMETRICS_DEFINE_ERROR(invalid_weight, 102);
/// A channel label not in a closed channel set.
CXMETRICS_DEFINE_ERROR(unknown_channel, 103);
/// A timestamp that cannot be parsed.
CXMETRICS_DEFINE_ERROR(malformed_timestamp, 104);
/// Any other unusable field value (e.g. an unrecognised resolved flag).
CXMETRICS_DEFINE_ERROR(invalid_value, 105);
/// A parameter outside its domain (confidence level, scale bounds, ...).
CXMETRICS_DEFINE_ERROR(invalid_argument, 201);
/// Merging or comparing states that were built on different scales/options.
CXMETRICS_DEFINE_ERROR(incompatible_merge, 202);
/// Malformed input text: CSV structure, missing columns, wrong field count.
CXMETRICS_DEFINE_ERROR(parse_error, 301);
/// Input that exceeds a fixed capacity of the library, e.g. more distinct
/// channel labels than channel ids (channel_set::max_labels). A property of
/// the data, not of a parameter: the message names the file and line where
/// the limit was passed.
CXMETRICS_DEFINE_ERROR(limit_exceeded, 302);
/// A serialized state that is truncated, corrupt or of an unknown version.
CXMETRICS_DEFINE_ERROR(serialization_error, 401);

#undef CXMETRICS_DEFINE_ERROR

/// The kind name of a cxm error id ("score_out_of_scale" for 101, ...: the
/// <kind> of the message's id); "unknown" for ids that are not cxm's.
[[nodiscard]] constexpr std::string_view error_kind(int error_id) noexcept {
  switch (error_id) {
    case score_out_of_scale::code: return "score_out_of_scale";
    case invalid_weight::code: return "invalid_weight";
    case unknown_channel::code: return "unknown_channel";
    case malformed_timestamp::code: return "malformed_timestamp";
    case invalid_value::code: return "invalid_value";
    case invalid_argument::code: return "invalid_argument";
    case incompatible_merge::code: return "incompatible_merge";
    case parse_error::code: return "parse_error";
    case limit_exceeded::code: return "limit_exceeded";
    case serialization_error::code: return "serialization_error";
    default: return "unknown";
  }
}

}  // namespace cxm
