// Reading survey responses from CSV files into a response_table, losing nothing.
//
// Format: RFC 4180 (Shafranovich 2005, "Common Format and MIME Type for
// Comma-Separated Values (CSV) Files"): fields separated by a delimiter
// (given, or detected among ',' ';' tab '|': io/ingest.hpp, "CSV dialect"); a field in double quotes may hold
// the delimiter, line breaks and doubled quotes (""). Lines end in LF or CRLF
// (a lone CR also ends a line); a UTF-8 byte order mark at the start is
// skipped; the last line needs no line break; empty lines are skipped and
// counted. A quote inside an unquoted field is kept as a literal character;
// text after the closing quote of a quoted field makes the row malformed.
// A quote that never closes rejects its own record only: a record whose
// quoted field holds a line break must be well formed (its quotes close,
// nothing but a delimiter, a line break or a quote follows a closing quote,
// the header's number of fields, at most max_record_bytes); otherwise it is
// one malformed_csv reject ("the quote opened at line L, column C (field F)
// never closes: ...", its value the record's first line) and reading goes on
// at line L + 1, whose bytes are read again as records (see io/ingest.hpp).
//
// The first non-empty line is the header. Columns are matched to response
// fields by name or a common alias (case, blanks and ' ', '-', '_' aside:
// see column_map in io/ingest.hpp); csv_columns renames them. Columns with
// other names are ignored (and listed in the result). At least one score
// column (nps, csat, ces) must be present, and so must every field listed in
// csv_options::required; otherwise parse_error, naming the columns found and
// the closest name. A column named twice is a parse_error too.
//
// Every data row becomes either a response appended to the result's table or
// a csv_reject that says where (line, column, field), what (the raw value) and
// why (the reason and the cxm error id). Nothing is dropped silently:
//
//   summary.rows_read == summary.accepted + summary.rejected      (always)
//
// Field rules (an empty field — blanks only — is "missing", counted in
// summary.missing_by_field, never a reject):
//   nps, csat, ces  an integer on the table's scale, or one written with '.'
//                   and zeros ("9.0", "10.00"); blanks around it and a sign
//                   allowed. "9.5", "7,5", "9,0", "1e1" → invalid_value ("not
//                   a whole point"); "abc" → parse_error ("not a number");
//                   11 → score_out_of_scale.
//   timestamp       cxm::parse_timestamp forms (ISO 8601, Unix epoch seconds or
//                   milliseconds) → malformed_timestamp, also for a time
//                   outside 1900-01-01 .. 2200-12-31 (UTC).
//   channel         a label of the table's channel set (cxm::channel_set rules);
//                   a closed set rejects others → unknown_channel. An empty
//                   channel is "other" (a closed set without "other" rejects it).
//   resolved        yes/y/true/1, no/n/false/0, unknown/na/n/a/- (any case,
//                   surrounding blanks ignored) → invalid_value; empty is unknown.
//   weight          0 or a number in [1e-100, 1e100] ("1.25", "2", "1e-1";
//                   with decimal_point ',' also "1,25") → invalid_weight for
//                   NaN, infinities, negatives and anything outside that
//                   range; parse_error when not a number.
//   id, agent, segment, why   kept verbatim.
// Text that is not UTF-8 (RFC 3629) in any of these fields → parse_error
// (rejected, not repaired; the reason gives the byte offset in the field).
// A row whose field count differs from the header's, or that is malformed
// CSV, is a parse_error reject.
//
// on_error::strict throws the first row's error instead, with its type and a
// location in_file(source, line, column, field), e.g.
//   [cxm.score_out_of_scale.101] survey.csv:7:6, field 'nps': score 11 is outside the NPS scale 0..10
//
// Lines and columns are 1-based; a reject's line is the line where its row
// starts (a quoted field may span lines; every LF, CRLF or lone CR is one
// physical line, inside quotes too). Complexity: linear in the input.
//
// Implementation (shared with the streaming API below, see io/ingest.hpp):
// the text is read in windows of chunk_bytes (pieces of a quarter of that
// with several threads); SIMD code (Highway, run-time dispatch) finds quotes,
// delimiters and line breaks 64 bytes at a time, marks quoted bytes with a
// prefix XOR of the quote mask (Langdale & Lemire 2019) and writes the
// positions of the structural bytes to an index the field parsers walk.
// Fields are parsed without locale or streams: integers and ISO timestamps by
// hand, decimals by one exact division (Clinger 1990) or std::from_chars. A
// record whose quoting the parity cannot describe (a quote inside an unquoted
// field, text after a closing quote, a quote never closed) is parsed by the
// scalar state machine above, so the results are the same as the state
// machine's on every input; after a record the state machine ends at its
// first line break with its quotes open, the index is built again from there.
//
// Splitting for threads: the input after the header is cut into pieces of
// chunk_bytes / 4 at fixed offsets b_k. A thread reads piece k (and a little
// past it, for the record that crosses b_{k+1}), counts its quotes (mod 2)
// and line breaks, and takes from the piece before it whether b_k lies inside
// quotes and b_k's line number: a chain of prefix states, each published as
// soon as its piece is counted, so a piece waits for its predecessor's read
// and count, never its parse. Piece k then starts at the first record
// boundary after b_k under that state, so a quoted line break across a piece
// boundary is never taken for a record end. When malformed quoting makes the
// parity disagree with the state machine, the in-order delivery step sees
// that piece k did not start where piece k-1 ended; it parses from the true
// boundary on one thread and then splits again (Ge et al., "Speculative
// Distributed CSV Data Parsing for Big Data Analytics", SIGMOD 2019:
// speculate, then validate in order). Results, rejects, dictionary ids and
// channel ids are identical for every thread count and chunk size; only how
// the rows and rejects group into batches differs (a batch's rows come before
// the rejects found among them).
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
#include "cxmetrics/io/ingest.hpp"

namespace cxm {

/// The response fields a CSV column can hold (the same as response_field).
using csv_field = response_field;

/// Number of csv_field values.
inline constexpr std::size_t csv_field_count = response_field_count;

/// Header names of the columns of each field (see column_map).
using csv_columns = column_map;

/// How to read a CSV file of responses.
struct csv_options {
  char delimiter = 0;                    ///< field separator; not '"', CR or LF; 0: detected
  char decimal_point = 0;                ///< '.' or ','; used for weights only; 0: '.' unless detected
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
  reject_cause cause = reject_cause::invalid_value;  ///< the finer cause (to_string(cause) names it)
};

/// The csv_reject of a reject of the streaming readers (io/ingest.hpp).
[[nodiscard]] inline csv_reject to_csv_reject(const ingest_reject& r) {
  return csv_reject{r.line, r.column, r.field, r.value, r.reason, r.error_id, r.cause};
}

/// The table of accepted rows, every reject, and the counts.
struct csv_result {
  response_table table;
  std::vector<csv_reject> rejects;
  ingest_summary summary;
  std::vector<std::string> header;           ///< the header row as read
  std::vector<std::string> ignored_columns;  ///< header names that map to no field
};

/// Reads responses from a CSV file. Throws parse_error when the file cannot
/// be opened or its header is unusable; bad rows as csv_options::errors says.
[[nodiscard]] CXMETRICS_API csv_result read_responses_csv(const std::filesystem::path& file,
                                                         const csv_options& options = {});

/// Reads responses from a stream; `source` names it in messages and locations
/// (e.g. "stdin" or a URL).
[[nodiscard]] CXMETRICS_API csv_result read_responses_csv(std::istream& in, std::string_view source,
                                                         const csv_options& options = {});

/// The ingest_options equivalent of csv_options (one thread, default chunks).
[[nodiscard]] CXMETRICS_API ingest_options to_ingest_options(const csv_options& options);

/// Streams CSV responses from a file to `sink` (see io/ingest.hpp).
CXMETRICS_API ingest_report stream_responses_csv(const std::filesystem::path& file, const ingest_options& options,
                                                 const ingest_sink& sink);
/// Same from a stream (read sequentially; threads still parse in parallel);
/// `source` names it in rejects and errors.
CXMETRICS_API ingest_report stream_responses_csv(std::istream& in, std::string_view source,
                                                 const ingest_options& options, const ingest_sink& sink);
/// Same from text in memory.
CXMETRICS_API ingest_report stream_responses_csv_text(std::string_view text, std::string_view source,
                                                      const ingest_options& options, const ingest_sink& sink);

}  // namespace cxm
