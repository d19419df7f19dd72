// Rejects and the counts that account for every row: why a row was rejected
// (reject_cause, each reported with one cxm error id), the reject with its
// place in the input, the ingest summary, their JSON form, and a writer of
// rejects files. The causes each field rule gives are listed in io/ingest.hpp.
//
// Header: cxmetrics/io/rejects.hpp; implemented in src/io/rejects.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/export.hpp"

namespace cxm::inline v0_1 {

/// Why a row was rejected (finer than the error id).
enum class reject_cause : std::uint8_t {
  score_out_of_scale,   ///< score_out_of_scale (101)
  not_an_integer,       ///< invalid_value (105): "9.5", "7,5", "1e1", 9.5
  not_a_number,         ///< parse_error (301): "abc" for a score or weight
  malformed_timestamp,  ///< malformed_timestamp (104)
  unknown_channel,      ///< unknown_channel (103)
  invalid_flag,         ///< invalid_value (105): resolved flag not in the vocabulary
  invalid_weight,       ///< invalid_weight (102): NaN, infinite, negative, outside 0 and 1e-100 .. 1e100
  invalid_utf8,         ///< parse_error (301)
  invalid_value,        ///< invalid_value (105): any other value (a JSON object where a value belongs, ...)
  field_count,          ///< parse_error (301): CSV row with the wrong number of fields
  malformed_csv,        ///< parse_error (301): text after a closing quote, a quote that never closes
  malformed_json,       ///< parse_error (301): the line is not one JSON object
  record_too_long,      ///< parse_error (301): record longer than max_record_bytes
  timestamp_out_of_range,  ///< malformed_timestamp (104): before 1900-01-01T00:00:00Z or after 2200-12-31T23:59:59Z
};

/// Number of reject_cause values.
inline constexpr std::size_t reject_cause_count = 14;

/// "score_out_of_scale", "not_an_integer", ... (the enumerator names).
[[nodiscard]] CXMETRICS_API std::string_view to_string(reject_cause c) noexcept;

/// The cxm error id a cause is reported with (see the enum's comments).
[[nodiscard]] CXMETRICS_API int reject_error_id(reject_cause c) noexcept;

/// A row that could not be used, with everything needed to find and fix it.
struct ingest_reject {
  std::string file;          ///< input name
  std::uint64_t line = 0;    ///< where the row starts (see the header comment)
  std::uint64_t column = 0;  ///< bad field's column; 0 for the whole row
  std::string field;         ///< field name, e.g. "nps"; empty for a row-level problem or an unmapped column
  std::string value;         ///< text of the bad field (a row-level problem: the row, its fields joined
                             ///< by the delimiter); bytes that are not UTF-8 are written as \xHH
  std::string reason;        ///< what was wrong, without id and location
  int error_id = 0;          ///< cxm error id, e.g. score_out_of_scale::code
  reject_cause cause = reject_cause::invalid_value;

  /// Where it is, as a cxm::location (column and field only when known).
  [[nodiscard]] CXMETRICS_API location where() const;
  /// "[cxm.<kind>.<id>] file:line:column, field 'x': reason" — the message
  /// the typed error has.
  [[nodiscard]] CXMETRICS_API std::string message() const;
  /// Throws the typed cxm error (score_out_of_scale, parse_error, ...).
  [[noreturn]] CXMETRICS_API void raise() const;

  friend bool operator==(const ingest_reject&, const ingest_reject&) = default;
};

/// Counts that account for every row.
struct ingest_summary {
  std::uint64_t rows_read = 0;    ///< data rows (header and empty lines excluded)
  std::uint64_t accepted = 0;     ///< rows delivered in batches
  std::uint64_t rejected = 0;     ///< rows reported as rejects; rows_read == accepted + rejected
  std::uint64_t empty_lines = 0;  ///< lines skipped because they were empty (blank lines in JSON Lines)
  /// Rejects per error kind ("score_out_of_scale", "parse_error", ...).
  std::map<std::string, std::uint64_t> rejected_by_reason;
  /// Accepted rows whose field was empty, per field name, for every field
  /// whose column is present (0 when none was empty).
  std::map<std::string, std::uint64_t> missing_by_field;
  /// Rejects per reject_cause name ("not_a_number", "field_count", ...).
  std::map<std::string, std::uint64_t> rejected_by_cause;
  /// Bytes of input read (0 for SPSS/Stata/SAS files).
  std::uint64_t bytes_read = 0;
};

/// {"rows_read":..,"accepted":..,"rejected":..,"empty_lines":..,
///  "rejected_by_reason":{..},"rejected_by_cause":{..},"missing_by_field":{..},"bytes_read":..}
CXMETRICS_API void to_json(nlohmann::json& j, const ingest_summary& s);
/// {"file","line","column","field","value","reason","error_id","cause"}
CXMETRICS_API void to_json(nlohmann::json& j, const ingest_reject& r);

/// Writes rejects as CSV (RFC 4180), one row each, after a header row
/// `file,line,column,field,cause,error_id,reason,value`. Usable directly as
/// ingest_sink::on_reject. The stream must outlive the writer.
class CXMETRICS_API reject_csv_writer {
 public:
  explicit reject_csv_writer(std::ostream& out, bool header = true);
  void operator()(const ingest_reject& r) const;

 private:
  std::ostream* out_;
};

}  // namespace cxm
