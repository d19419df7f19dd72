// Streaming ingestion of survey responses: the entry header. It includes the
// parts of the ingest API, each in a header of its own:
//
//   io/column_map.hpp      the response fields, column names, aliases, matching
//   io/ingest_options.hpp  formats, the options of every reader, CSV dialect
//   io/mapping.hpp         JSON mapping files into options
//   io/rejects.hpp         reject causes, rejects, the summary, rejects files
//   io/response_batch.hpp  the columnar batches a reader delivers
//
// and declares the sink, the report and the readers that choose by format.
//
// Every reader (CSV, JSON Lines, SPSS/Stata/SAS: io/csv.hpp, io/jsonl.hpp,
// io/readstat.hpp) turns an input into a sequence of response_batch values
// handed to an ingest_sink in input order, plus one ingest_reject for every
// row that cannot be used. Memory stays bounded whatever the input size: a reader holds one
// window of input (threads × chunk_bytes, plus the longest record) and the
// batches of that window, or with several threads on a file or in memory, at
// most threads × 4 pieces of chunk_bytes / 4 and their batches; never the
// whole file. The sink runs on the calling thread. Rows and rejects come in
// input order; a batch's rows come before the rejects found among them.
//
//   cxm::ingest_options o;
//   o.threads = 2;
//   cxm::ingest_sink sink;
//   sink.on_batch = [&](const cxm::response_batch& b) { /* b.nps(), b.channel(), ... */ };
//   sink.on_reject = cxm::reject_csv_writer(rejects_file);
//   const cxm::ingest_report r = cxm::stream_responses("survey.csv", o, sink);
//   // r.summary.rows_read == r.summary.accepted + r.summary.rejected
//
// or, when the table fits in memory: `auto t = cxm::read_responses("survey.sav");`
//
// Field rules (the same for every format; an empty field, blanks only, JSON
// null or a system-missing value is "missing": counted per field in
// ingest_summary::missing_by_field, never a reject):
//
//   field      accepted                                   reject cause
//   ---------  -----------------------------------------  ----------------------------------
//   nps/csat/  a whole point of the table's scale:         score_out_of_scale (11, 99999999999);
//   ces        digits, blanks around and a sign allowed    not_an_integer ("9.5", "7,5", "1e1",
//              ("+9", " 7"), or whole values written       "9,0": a comma is never a decimal
//              with '.' and zeros ("9.0", "10.00",         point of a score, whatever
//              "+9.0": pandas and spreadsheets); JSON      decimal_point says; scores in text
//              numbers and .sav values that are whole      take no exponent); not_a_number
//              (9.0, 9e0, 0.9e1)                           ("abc")
//   timestamp  cxm::parse_timestamp forms: ISO 8601 date   malformed_timestamp (not one of the
//              or date-time ('T' or ' ', seconds and       forms, a day or time that does not
//              fraction optional, 'Z' or ±hh:mm, ±hhmm,    exist); timestamp_out_of_range
//              ±hh), Unix epoch seconds or milliseconds    (before 1900-01-01T00:00:00Z or
//              (options.epoch_unit; by default             after 2200-12-31T23:59:59Z; the
//              milliseconds from 10^11 on); date-formatted reason names the time read and
//              numbers in .sav, .dta and SAS files         the range)
//              (plain numbers there: Unix epochs as text)
//   channel    a label of the channel set; empty is        unknown_channel (closed set only)
//              "other"; an open set learns new labels
//              from accepted rows, in order of first use
//   resolved   a token of options.resolved (default        invalid_flag
//              yes/y/true/1, no/n/false/0, unknown/na/
//              n/a/-), case-insensitive; JSON true/false
//   weight     0 (also -0, stored as 0) or a number in     invalid_weight (NaN, infinite,
//              [1e-100, 1e100] (cxm::min_weight,           negative, or outside that range,
//              max_weight: squares and sums of 10^18       subnormals included; the reason
//              weights stay finite and normal);            gives the range); not_a_number
//              decimal_point ',' reads "0,87"
//   id, agent, kept verbatim (segment/agent interned in    invalid_utf8: rejected, never
//   segment,   the batch's dictionaries)                   repaired; the reason gives the
//   why                                                    byte and its offset in the field,
//                                                          the value writes bad bytes as \xHH
//                                                          (also for every other field whose
//                                                          text is not UTF-8)
//
// A declared field (ingest_options::schema) follows the rule of its kind:
// a score that of nps/csat/ces on its own scale; a flag that of resolved
// with its own vocabulary (JSON true/false are yes/no); a time that of
// timestamp; a weight that of weight; a category, text or id that of
// segment, why and id; a numeric is a finite number in text (the input's
// decimal point, as a weight) or a JSON number (not_a_number otherwise,
// NaN of a statistics file is missing). The reject names the declared field.
//
// Row-level causes: field_count (CSV row with another number of fields than
// the header), malformed_csv (text after a closing quote; a quote that never
// closes, see below), malformed_json (a JSON Lines line that is not one JSON
// object), record_too_long (a record longer than max_record_bytes). Each
// cause maps to one cxm error id (core/error.hpp): see reject_error_id(). In
// strict mode (on_error::strict) the first reject, in input order, is thrown
// as that typed error, with file, line, column and field; the sink has then
// received exactly the rows before it, and that reject (on_reject), so a
// rejects file names the row that stopped the read.
//
// A quote that never closes (CSV) rejects its own record only. A record whose
// quoted field holds a line break is one record only when it is well formed:
// its quotes close, a closing quote is followed by a delimiter, a line break
// or another quote, it has the header's number of fields and at most
// max_record_bytes. Otherwise (the input ends inside the quotes, text follows
// the quote that would close them, the record it makes has another field
// count, or it grows past max_record_bytes) it is one malformed_csv reject
// whose reason says where the quote opened ("the quote opened at line 3,
// column 12 (field 9) never closes: ...; reading goes on at line 4"; the
// column there is the quote's byte column in its line), whose value is its
// first physical line and whose column is the quoted field; the lines after
// that first line are read again as records. A record longer
// than max_record_bytes before any quoted line break is one record_too_long
// reject that ends at its first line break. Long quoted fields that close
// (a comment of 300 KB over many lines) read as one record, as before. The
// decisions depend only on the bytes of the record, so they are the same for
// every thread count, chunk size and source (file, memory, stream).
//
// Positions: line is 1-based and physical: every LF, CRLF or lone CR counts,
// also inside quoted fields; a reject names the line where its row starts.
// Column is the 1-based field number in CSV, the 1-based byte column in JSON
// Lines, the 1-based variable number in SPSS/Stata/SAS files (where "line" is
// the 1-based row). Column 0 means the whole row.
//
// Channel ids are 16-bit: a label that would be distinct channel number
// 65,536 (channel_set::max_labels + 1, counting the built-in ones) stops the
// read with limit_exceeded (a data error, [cxm.limit_exceeded.302]) naming
// the file and that row's line. Segment and agent ids are 32-bit.
//
// Determinism: the batches' rows, the rejects, the dictionaries' ids and the
// channel ids are the same for every thread count and chunk size (batch
// boundaries may differ).
//
// Header: cxmetrics/io/ingest.hpp; compiled part in src/io/ (stream_responses
// and read_responses in src/io/ingest_any.cpp).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/export.hpp"
#include "cxmetrics/io/column_map.hpp"
#include "cxmetrics/io/ingest_options.hpp"
#include "cxmetrics/io/mapping.hpp"
#include "cxmetrics/io/rejects.hpp"
#include "cxmetrics/io/response_batch.hpp"

namespace cxm::inline v0_1 {

/// Where a reader delivers its output, in input order. Either may be empty.
/// A handler may throw; reading then stops and the exception propagates.
struct ingest_sink {
  std::function<void(const response_batch&)> on_batch;
  std::function<void(const ingest_reject&)> on_reject;
};

/// What a streaming read reports at the end.
struct ingest_report {
  ingest_format format = ingest_format::csv;
  ingest_summary summary;
  std::vector<std::string> header;           ///< CSV header, JSON keys of the first object, or variable names
  std::vector<std::string> ignored_columns;  ///< names in header that map to no field
  /// The column each field was read from, as the header writes it (index:
  /// field id in the read's schema; response_field for the predefined
  /// fields); empty when the input has no column for the field.
  std::vector<std::string> column_of = std::vector<std::string>(predefined_field_count);
  /// CSV: the field separator used, and whether it was detected (true) or
  /// given in the options (false). 0 for other formats.
  char delimiter = 0;
  bool delimiter_detected = false;
  /// CSV: the decimal point used for weights, and whether ',' was detected
  /// (false: given in the options, or '.' by default). 0 for other formats.
  char decimal_point = 0;
  bool decimal_point_detected = false;

  /// True when the input has a column for the field.
  [[nodiscard]] bool has(field_id f) const noexcept { return f.index() < column_of.size() && !column_of[f.index()].empty(); }
};

/// Everything read into memory.
struct ingest_result {
  response_table table;
  std::vector<ingest_reject> rejects;
  ingest_report report;
};

/// Streams a file of responses to `sink`; the format is options.format or the
/// file's extension. Throws parse_error when the file cannot be opened or its
/// header is unusable (naming the columns found), invalid_argument for bad
/// options or a format this build cannot read, and in strict mode the first
/// reject's error.
CXMETRICS_API ingest_report stream_responses(const std::filesystem::path& file, const ingest_options& options,
                                             const ingest_sink& sink);

/// Reads a whole file into a response_table (the table's scales and channel
/// set come from the options), keeping every reject.
[[nodiscard]] CXMETRICS_API ingest_result read_responses(const std::filesystem::path& file,
                                                         const ingest_options& options = {});

}  // namespace cxm
