// Streaming survey responses from CSV files, losing nothing.
//
// Format: RFC 4180 (Shafranovich 2005, "Common Format and MIME Type for
// Comma-Separated Values (CSV) Files"): fields separated by a delimiter
// (given, or detected among ',' ';' tab '|': io/ingest_options.hpp, "CSV
// dialect"); a field in double quotes may hold the delimiter, line breaks
// and doubled quotes (""). Lines end in LF or CRLF
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
// column_map in io/column_map.hpp); ingest_options::columns renames them.
// Columns with other names are ignored (listed in ingest_report::
// ignored_columns). At least one score column (nps, csat, ces) must be
// present, and so must every field listed in ingest_options::required;
// otherwise parse_error, naming the columns found and the closest name. A
// column named twice is a parse_error too.
//
// Every data row becomes either accepted (in a batch) or an ingest_reject
// that says where (line, column, field), what (the raw value) and why (the
// reason, the cause and the cxm error id), under the field rules of
// io/ingest.hpp. Nothing is dropped silently:
//
//   summary.rows_read == summary.accepted + summary.rejected      (always)
//
// A row whose field count differs from the header's is a field_count reject,
// one that is malformed CSV a malformed_csv reject (both parse_error, 301).
// on_error::strict throws the first row's error instead, with its type and a
// location in_file(source, line, column, field), e.g.
//   [cxm.score_out_of_scale.101] survey.csv:7:6, field 'nps': score 11 is outside the NPS scale 0..10
//
// Lines and columns are 1-based; a reject's line is the line where its row
// starts (a quoted field may span lines; every LF, CRLF or lone CR is one
// physical line, inside quotes too). Complexity: linear in the input.
//
// Implementation (the window driver of src/io/text_reader.hpp, which JSON
// Lines shares): the text is read in windows of chunk_bytes (pieces of a quarter of that
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
// Header: cxmetrics/io/csv.hpp; implemented in src/io/csv.cpp (records, the
// window format, reading) and src/io/csv_dialect.cpp (delimiter and decimal
// point detection).
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string_view>

#include "cxmetrics/export.hpp"
#include "cxmetrics/io/ingest.hpp"

namespace cxm::inline v0_1 {

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
