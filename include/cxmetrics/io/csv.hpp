// Reading survey responses from CSV files into a response_table, losing nothing.
//
// Format: RFC 4180 (Shafranovich 2005, "Common Format and MIME Type for
// Comma-Separated Values (CSV) Files"): fields separated by a delimiter
// (',' by default, configurable, e.g. ';'); a field in double quotes may hold
// the delimiter, line breaks and doubled quotes (""). Lines end in LF or CRLF
// (a lone CR also ends a line); a UTF-8 byte order mark at the start is
// skipped; the last line needs no line break; empty lines are skipped and
// counted. A quote inside an unquoted field is kept as a literal character;
// text after the closing quote of a quoted field makes the row malformed.
//
// The first non-empty line is the header. Columns are matched to response
// fields by name (case-insensitive, surrounding blanks ignored); csv_columns
// renames them. Columns with other names are ignored (and listed in the
// result). At least one score column (nps, csat, ces) must be present, and so
// must every field listed in csv_options::required; otherwise parse_error,
// naming the columns found. A column named twice is a parse_error too.
//
// Every data row becomes either a response appended to the result's table or
// a csv_reject that says where (line, column, field), what (the raw value) and
// why (the reason and the cxm error id). Nothing is dropped silently:
//
//   summary.rows_read == summary.accepted + summary.rejected      (always)
//
// Field rules (an empty field — blanks only — is "missing", counted in
// summary.missing_by_field, never a reject):
//   nps, csat, ces  an integer on the table's scale; blanks around it allowed.
//                   "7.0", "7,5", "1e1" → invalid_value ("not an integer");
//                   "abc" → parse_error ("not a number"); 11 → score_out_of_scale.
//   timestamp       cxm::parse_timestamp forms → malformed_timestamp.
//   channel         a label of the table's channel set (cxm::channel_set rules);
//                   a closed set rejects others → unknown_channel. An empty
//                   channel is "other" (a closed set without "other" rejects it).
//   resolved        cxm::parse_resolution → invalid_value; empty is unknown.
//   weight          a finite number >= 0 ("1.25", "2", "1e-1"; with
//                   decimal_point ',' also "1,25") → invalid_weight for NaN,
//                   infinities and negatives, parse_error when not a number.
//   id, agent, segment, why   kept verbatim.
// A row whose field count differs from the header's, or that is malformed
// CSV, is a parse_error reject.
//
// on_error::strict throws the first row's error instead, with its type and a
// location in_file(source, line, column, field), e.g.
//   [cxm.score_out_of_scale.101] survey.csv:7:6, field 'nps': score 11 is outside the NPS scale 0..10
//
// Lines and columns are 1-based; a reject's line is the line where its row
// starts (a quoted field may span lines). Complexity: linear in the input.
//
// Header: cxmetrics/io/csv.hpp; implemented in src/io/csv.cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/export.hpp"

namespace cxm {

/// The response fields a CSV column can hold.
enum class csv_field : std::uint8_t { id, timestamp, channel, agent, segment, nps, csat, ces, resolved, weight, why };

/// Number of csv_field values.
inline constexpr std::size_t csv_field_count = 11;

/// The field's name as used in rejects, locations and missing_by_field.
[[nodiscard]] constexpr const char* to_string(csv_field f) noexcept {
  switch (f) {
    case csv_field::id: return "id";
    case csv_field::timestamp: return "timestamp";
    case csv_field::channel: return "channel";
    case csv_field::agent: return "agent";
    case csv_field::segment: return "segment";
    case csv_field::nps: return "nps";
    case csv_field::csat: return "csat";
    case csv_field::ces: return "ces";
    case csv_field::resolved: return "resolved";
    case csv_field::weight: return "weight";
    case csv_field::why: return "why";
  }
  return "id";
}

/// Header names of the columns of each field. An empty name means the field
/// is never read from the file.
struct csv_columns {
  std::string id = "id";
  std::string timestamp = "timestamp";
  std::string channel = "channel";
  std::string agent = "agent";
  std::string segment = "segment";
  std::string nps = "nps";
  std::string csat = "csat";
  std::string ces = "ces";
  std::string resolved = "resolved";
  std::string weight = "weight";
  std::string why = "why";

  /// The header name of a field.
  [[nodiscard]] const std::string& name_of(csv_field f) const noexcept {
    switch (f) {
      case csv_field::id: return id;
      case csv_field::timestamp: return timestamp;
      case csv_field::channel: return channel;
      case csv_field::agent: return agent;
      case csv_field::segment: return segment;
      case csv_field::nps: return nps;
      case csv_field::csat: return csat;
      case csv_field::ces: return ces;
      case csv_field::resolved: return resolved;
      case csv_field::weight: return weight;
      case csv_field::why: return why;
    }
    return id;
  }
};

/// What to do with a bad row.
enum class on_error : std::uint8_t {
  skip,    ///< record a csv_reject and go on
  strict,  ///< throw the row's typed error (with file, line, column, field)
};

/// How to read a CSV file of responses.
struct csv_options {
  char delimiter = ',';                  ///< field separator; not '"', CR, LF or NUL
  char decimal_point = '.';              ///< '.' or ','; used for weights only
  on_error errors = on_error::skip;      ///< skip bad rows (recording them) or throw
  csv_columns columns;                   ///< header names of the fields
  std::vector<csv_field> required;       ///< fields whose column must exist (besides one score column)
  table_scales scales;                   ///< scales of the resulting table
  channel_set channels = channel_set{};  ///< channel labels; a closed set rejects others
};

/// A row that could not be used, with everything needed to find and fix it.
struct csv_reject {
  std::uint64_t line = 0;    ///< 1-based line where the row starts
  std::uint64_t column = 0;  ///< 1-based column of the bad field (0: the whole row, e.g. wrong field count)
  std::string field;         ///< field name, e.g. "nps" (empty for a row-level problem)
  std::string value;         ///< raw text of the bad field; for a row-level problem the row's
                             ///< fields joined by the delimiter
  std::string reason;        ///< what was wrong, without id and location
  int error_id = 0;          ///< cxm error id, e.g. score_out_of_scale::code
};

/// Counts that account for every data row.
struct ingest_summary {
  std::uint64_t rows_read = 0;    ///< data rows (header and empty lines excluded)
  std::uint64_t accepted = 0;     ///< rows appended to the table
  std::uint64_t rejected = 0;     ///< rows in rejects; rows_read == accepted + rejected
  std::uint64_t empty_lines = 0;  ///< lines skipped because they were empty
  /// Rejects per error kind ("score_out_of_scale", "parse_error", ...).
  std::map<std::string, std::uint64_t> rejected_by_reason;
  /// Accepted rows whose field was empty, per field name, for every field
  /// whose column is present (0 when none was empty).
  std::map<std::string, std::uint64_t> missing_by_field;
};

/// The table of accepted rows, every reject, and the counts.
struct csv_result {
  response_table table;
  std::vector<csv_reject> rejects;
  ingest_summary summary;
  std::vector<std::string> header;           ///< the header row as read
  std::vector<std::string> ignored_columns;  ///< header names that map to no field
};

/// The kind name of a cxm error id ("score_out_of_scale" for 101, ...);
/// "unknown" for ids that are not cxm's.
[[nodiscard]] CXMETRICS_API std::string_view error_kind(int error_id) noexcept;

/// Reads responses from a CSV file. Throws parse_error when the file cannot
/// be opened or its header is unusable; bad rows as csv_options::errors says.
[[nodiscard]] CXMETRICS_API csv_result read_responses_csv(const std::filesystem::path& file,
                                                         const csv_options& options = {});

/// Reads responses from a stream; `source` names it in messages and locations
/// (e.g. "stdin" or a URL).
[[nodiscard]] CXMETRICS_API csv_result read_responses_csv(std::istream& in, std::string_view source,
                                                         const csv_options& options = {});

}  // namespace cxm
