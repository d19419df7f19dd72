// Streaming ingestion of survey responses: options, the column mapping, rejects,
// the summary, and the columnar batches a reader delivers.
//
// Every reader (CSV and JSON Lines here; SPSS/Stata/SAS in io/readstat.hpp)
// turns an input into a sequence of response_batch values handed to an
// ingest_sink in input order, plus one ingest_reject for every row that cannot
// be used. Memory stays bounded whatever the input size: a reader holds one
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
// Header: cxmetrics/io/ingest.hpp; compiled part in src/io/.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/export.hpp"

namespace cxm {

// ---------------------------------------------------------------------------
// Fields and their columns

/// The response fields an input column can hold.
enum class response_field : std::uint8_t { id, timestamp, channel, agent, segment, nps, csat, ces, resolved, weight, why };

/// Number of response_field values.
inline constexpr std::size_t response_field_count = 11;

/// The field's name as used in rejects, locations, mapping files and missing_by_field.
[[nodiscard]] constexpr const char* to_string(response_field f) noexcept {
  switch (f) {
    case response_field::id: return "id";
    case response_field::timestamp: return "timestamp";
    case response_field::channel: return "channel";
    case response_field::agent: return "agent";
    case response_field::segment: return "segment";
    case response_field::nps: return "nps";
    case response_field::csat: return "csat";
    case response_field::ces: return "ces";
    case response_field::resolved: return "resolved";
    case response_field::weight: return "weight";
    case response_field::why: return "why";
  }
  return "id";
}

/// The field of a name ("nps", "why", ...; exact, lower case), if any.
[[nodiscard]] CXMETRICS_API std::optional<response_field> field_from_name(std::string_view name) noexcept;

/// Input column (CSV header name, JSON key, SPSS/Stata/SAS variable name) of
/// each field. An empty name means the field is never read.
///
/// How a reader finds a field's column (one matcher for CSV headers, JSON
/// keys and variable names):
///  * Names are compared as keys: ASCII letters in lower case, surrounding
///    blanks removed, and each run of ' ', '-' and '_' as one '_' ("Response
///    ID", "response-id" and "RESPONSE_ID" are one key).
///  * A field whose name is its own (the default, "nps" for nps) is found
///    under that name, else under one of its column_aliases (below). The own
///    name wins over an alias; two aliases of one field in one header are a
///    parse_error naming both (say which one with an explicit name).
///  * A field given another name (by the program, a mapping file's "columns"
///    or cxm's --column) is found under that name only, never an alias.
///  * A column is read as one field at most: own and explicit names are
///    matched first, aliases only among the columns left.
///  * Several columns with one field's name are a parse_error.
/// The column each field was read from is in ingest_report::column_of.
struct column_map {
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

  /// The column name of a field.
  [[nodiscard]] const std::string& name_of(response_field f) const noexcept {
    switch (f) {
      case response_field::id: return id;
      case response_field::timestamp: return timestamp;
      case response_field::channel: return channel;
      case response_field::agent: return agent;
      case response_field::segment: return segment;
      case response_field::nps: return nps;
      case response_field::csat: return csat;
      case response_field::ces: return ces;
      case response_field::resolved: return resolved;
      case response_field::weight: return weight;
      case response_field::why: return why;
    }
    return id;
  }
  /// The column name of a field, for changing it.
  [[nodiscard]] std::string& name_of(response_field f) noexcept {
    return const_cast<std::string&>(static_cast<const column_map&>(*this).name_of(f));
  }
};

/// A name under which survey tools and spreadsheets often export a field,
/// as a key (see column_map). Chosen so that none is a usual name of
/// something else: no "time" (often a time of day or a duration), no
/// "reason" (often a contact reason), no "resolution" (a ticket's outcome
/// text in help-desk exports), no "source" (a marketing source), no
/// "recommend" (often a yes/no question), no "startdate" (when a survey
/// was opened, beside its end date).
struct column_alias {
  response_field field;
  std::string_view name;
};

/// The aliases of every field (Qualtrics, SurveyMonkey, Google Forms,
/// Typeform, help-desk and spreadsheet exports):
///
///   field      aliases
///   ---------  ------------------------------------------------------------------------
///   id         response_id, responseid (Qualtrics "ResponseId"), respondent_id
///              (SurveyMonkey "Respondent ID"), respondentid, record_id
///   timestamp  date, datetime, created_at, submitted_at, submit_date, submission_date,
///              submit_date_(utc) (Typeform), response_date, completed_at, end_date
///              (SurveyMonkey "End Date"), enddate (Qualtrics "EndDate")
///   channel    contact_channel, channel_name, support_channel
///   agent      agent_id, agent_name, rep, rep_name
///   segment    customer_segment, segment_name
///   nps        ltr, likelihood_to_recommend, nps_score, net_promoter_score
///   csat       satisfaction, csat_score, customer_satisfaction
///   ces        effort, customer_effort, ces_score, customer_effort_score
///   resolved   issue_resolved, is_resolved, fcr, first_contact_resolution
///   weight     wt, survey_weight, sample_weight
///   why        comment, comments, verbatim, feedback
///
/// (Google Forms' "Timestamp" is the field's own name.) No alias is a
/// field's own name or an alias of two fields.
inline constexpr column_alias column_aliases[] = {
    {response_field::id, "response_id"},
    {response_field::id, "responseid"},
    {response_field::id, "respondent_id"},
    {response_field::id, "respondentid"},
    {response_field::id, "record_id"},
    {response_field::timestamp, "date"},
    {response_field::timestamp, "datetime"},
    {response_field::timestamp, "created_at"},
    {response_field::timestamp, "submitted_at"},
    {response_field::timestamp, "submit_date"},
    {response_field::timestamp, "submission_date"},
    {response_field::timestamp, "submit_date_(utc)"},
    {response_field::timestamp, "response_date"},
    {response_field::timestamp, "completed_at"},
    {response_field::timestamp, "end_date"},
    {response_field::timestamp, "enddate"},
    {response_field::channel, "contact_channel"},
    {response_field::channel, "channel_name"},
    {response_field::channel, "support_channel"},
    {response_field::agent, "agent_id"},
    {response_field::agent, "agent_name"},
    {response_field::agent, "rep"},
    {response_field::agent, "rep_name"},
    {response_field::segment, "customer_segment"},
    {response_field::segment, "segment_name"},
    {response_field::nps, "ltr"},
    {response_field::nps, "likelihood_to_recommend"},
    {response_field::nps, "nps_score"},
    {response_field::nps, "net_promoter_score"},
    {response_field::csat, "satisfaction"},
    {response_field::csat, "csat_score"},
    {response_field::csat, "customer_satisfaction"},
    {response_field::ces, "effort"},
    {response_field::ces, "customer_effort"},
    {response_field::ces, "ces_score"},
    {response_field::ces, "customer_effort_score"},
    {response_field::resolved, "issue_resolved"},
    {response_field::resolved, "is_resolved"},
    {response_field::resolved, "fcr"},
    {response_field::resolved, "first_contact_resolution"},
    {response_field::weight, "wt"},
    {response_field::weight, "survey_weight"},
    {response_field::weight, "sample_weight"},
    {response_field::why, "comment"},
    {response_field::why, "comments"},
    {response_field::why, "verbatim"},
    {response_field::why, "feedback"},
};

/// The key a column name is compared as (see column_map): "Response ID" →
/// "response_id".
[[nodiscard]] CXMETRICS_API std::string column_key(std::string_view name);

/// Tokens of the resolved field (compared case-insensitively after trimming
/// blanks). An empty field is always unknown. A token may be in one list only.
struct resolved_vocabulary {
  std::vector<std::string> yes{"yes", "y", "true", "1"};
  std::vector<std::string> no{"no", "n", "false", "0"};
  std::vector<std::string> unknown{"unknown", "na", "n/a", "-"};
};

/// What to do with a bad row.
enum class on_error : std::uint8_t {
  skip,    ///< record a reject and go on
  strict,  ///< throw the row's typed error (with file, line, column, field)
};

/// Input formats. The SPSS, Stata and SAS ones need ReadStat (io/readstat.hpp).
enum class ingest_format : std::uint8_t { csv, jsonl, sav, por, dta, sas7bdat, xport };

/// "csv", "jsonl", "sav", "por", "dta", "sas7bdat", "xport".
[[nodiscard]] CXMETRICS_API std::string_view to_string(ingest_format f) noexcept;

/// The format of a name as to_string() writes it (also "tsv" → csv, "ndjson"
/// and "json" → jsonl, "zsav" → sav, "xpt" → xport); nullopt when unknown.
[[nodiscard]] CXMETRICS_API std::optional<ingest_format> format_from_name(std::string_view name) noexcept;

/// The format a file name's extension names (".csv", ".tsv", ".txt" → csv;
/// ".jsonl", ".ndjson" → jsonl; ".sav", ".zsav" → sav; ".por"; ".dta";
/// ".sas7bdat"; ".xpt" → xport; case-insensitive). Throws invalid_argument
/// naming the file for any other extension.
[[nodiscard]] CXMETRICS_API ingest_format format_of_path(const std::filesystem::path& file);

// ---------------------------------------------------------------------------
// Options

/// How to read responses.
struct ingest_options {
  /// Input format; empty means from the file extension (format_of_path).
  std::optional<ingest_format> format;
  /// CSV field separator (',', ';', '\t', '|', ...; not '"', CR or LF); 0
  /// (the default): detected, see below.
  char delimiter = 0;
  /// '.' or ',', for weights in text (CSV, JSON strings); 0 (the default):
  /// '.', or in CSV ',' when detected (see below).
  char decimal_point = 0;
  on_error errors = on_error::skip;  ///< skip bad rows (reporting them) or throw the first
  column_map columns;                ///< input column of each field
  /// Fields whose column the input must have (besides one score column):
  /// the fields the caller names a column for or needs. Otherwise the read
  /// throws parse_error naming the column wanted, the closest column name
  /// found (Damerau–Levenshtein distance) or the column the field would have
  /// been read from by default, and the columns found. load_mapping adds
  /// every field its "columns" names (a non-empty name), and cxm adds those
  /// of --column, --weight, --by and --metrics.
  std::vector<response_field> required;
  table_scales scales;               ///< scales of the scores
  channel_set channels = channel_set{};  ///< channel labels; a closed set rejects others
  resolved_vocabulary resolved;      ///< tokens of the resolved field
  bool validate_utf8 = true;         ///< reject text that is not UTF-8 (RFC 3629)
  /// Unit of timestamps written as a bare number (a Unix epoch); automatic:
  /// milliseconds from a magnitude of 10^11 on, seconds below (core/timestamp.hpp).
  cxm::epoch_unit epoch_unit = cxm::epoch_unit::automatic;
  /// CSV only: find fields with the SIMD structural index (true) or parse
  /// every record with the scalar state machine (false). Same results; the
  /// switch exists for differential tests.
  bool simd = true;

  /// Worker threads for CSV and JSON Lines, including the calling one;
  /// 0 means std::thread::hardware_concurrency(). The sink is always called
  /// on the calling thread, in input order.
  unsigned threads = 1;
  /// Bytes each thread parses per window (>= 1). A window reads
  /// threads × chunk_bytes new bytes; memory is about twice that plus the
  /// longest record. With threads > 1, input is parsed in pieces of
  /// chunk_bytes / 4, at most threads × 4 at a time (files and memory), or in
  /// windows of threads × 4 such pieces whose batches are delivered while the
  /// next window is parsed (streams).
  std::size_t chunk_bytes = std::size_t{1} << 20;
  /// Longest record accepted (bytes, >= 1). A longer one becomes one reject
  /// and reading goes on after its first line, without holding more of it in
  /// memory: malformed_csv when a quoted field of it spans a line break within
  /// these bytes (a quote that never closes: the lines after its first are
  /// read again), record_too_long otherwise (CSV; in JSON Lines always).
  std::size_t max_record_bytes = std::size_t{64} << 20;
  /// Rows per batch for SPSS/Stata/SAS files.
  std::size_t batch_rows = 65536;
  /// SAS value-label catalog (.sas7bcat) for a .sas7bdat file; empty for none.
  std::filesystem::path sas_catalog;
};

/// CSV dialect. When options.delimiter is 0, the reader chooses it from the
/// first window of input it reads anyway (64 KiB; a stream too), before the
/// header is parsed: a source named *.tsv is tab-separated; otherwise each
/// candidate ',' ';' tab '|' splits the header (the first non-empty record,
/// as far as the window holds it) and every complete record after it in the
/// window, quotes respected; candidates giving the header fewer than 2
/// fields drop out; the one for which the most records have the header's
/// field count wins, then the one giving the most fields, then the first in
/// the order above; ',' when none is left. When options.decimal_point is 0,
/// the delimiter is not ',' and the weight column's values in the records
/// of the 64 KiB after the header, as read so far (blanks and a sign aside),
/// include one of the form 0,87 (digits, a comma, digits) and none of the
/// form 0.87, the decimal point is ','; else '.'. What was used is in
/// ingest_report (delimiter, decimal_point and whether each was detected).
/// The parse_error of a header without a score column or a required one
/// names the other candidate delimiter, if any, that would have given them.

/// Reads a JSON mapping file into options (starting from `base`):
///
///   {
///     "format": "csv",                          (optional) csv | tsv | jsonl | sav | ...
///     "delimiter": ";",                         one character; "tab" or "\t" for a tab;
///                                               "detect" (the default) to detect it
///     "decimal_point": ",",
///     "columns": {"nps": "Q1 Recommend", "csat": "Q2", "why": ""},
///     "required": ["nps", "timestamp"],
///     "resolved": {"yes": ["kyllä", "k"], "no": ["ei", "e"], "unknown": ["eos"]},
///     "channels": ["phone", "chat", "email"],   a closed set of exactly these
///     "strict": false,
///     "csat_top_box": 2, "ces_easy_min": 5
///   }
///
/// Every key is optional; "columns" changes only the fields it names, and
/// each field it gives a non-empty name becomes required (its column must
/// exist); "required" replaces base.required (the fields of "columns" are
/// added to it); "format": "tsv" is CSV with a tab delimiter unless
/// "delimiter" says otherwise; a "resolved" list replaces the default list
/// of that kind. An unknown key,
/// a wrong type or a bad value throws invalid_argument naming the key (field
/// 'mapping.<key>'); text that is not JSON throws parse_error.
[[nodiscard]] CXMETRICS_API ingest_options load_mapping(const std::filesystem::path& file,
                                                        const ingest_options& base = {});
/// Same for mapping text; `source` names it in errors.
[[nodiscard]] CXMETRICS_API ingest_options mapping_from_json(std::string_view json_text,
                                                             const ingest_options& base = {},
                                                             std::string_view source = "mapping");

// ---------------------------------------------------------------------------
// Rejects and counts

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

// ---------------------------------------------------------------------------
// Batches

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
/// entries whether or not the input had it (missing values then).
/// Segment and agent ids index segments() / agents(), channel ids
/// channel_labels(); those dictionaries belong to the reader, only grow, and
/// are valid while the sink runs.
class CXMETRICS_API response_batch {
 public:
  response_batch() = default;

  [[nodiscard]] std::size_t size() const noexcept { return nps_.size(); }
  [[nodiscard]] bool empty() const noexcept { return nps_.empty(); }
  /// Index of the first row among all accepted rows of the input (0-based).
  [[nodiscard]] std::uint64_t first_row() const noexcept { return first_row_; }

  // Columns, as in response_table: scores or response_table::missing_score;
  // Unix seconds or response_table::missing_time; cxm::resolution values.
  [[nodiscard]] std::span<const std::uint8_t> nps() const noexcept { return nps_; }
  [[nodiscard]] std::span<const std::uint8_t> csat() const noexcept { return csat_; }
  [[nodiscard]] std::span<const std::uint8_t> ces() const noexcept { return ces_; }
  [[nodiscard]] std::span<const std::int64_t> time() const noexcept { return time_; }
  [[nodiscard]] std::span<const std::uint16_t> channel() const noexcept { return channel_; }
  [[nodiscard]] std::span<const std::uint32_t> segment() const noexcept { return segment_; }
  [[nodiscard]] std::span<const std::uint32_t> agent() const noexcept { return agent_; }
  [[nodiscard]] std::span<const double> weight() const noexcept { return weight_; }
  [[nodiscard]] std::span<const std::int8_t> resolved() const noexcept { return resolved_; }
  /// Line (CSV, JSON Lines) or row (SPSS/Stata/SAS) where each row starts.
  [[nodiscard]] std::span<const std::uint64_t> line() const noexcept { return line_; }
  /// Response id and free text of row i (no bounds check).
  [[nodiscard]] std::string_view id(std::size_t i) const noexcept { return text_at(id_text_, id_end_, i); }
  [[nodiscard]] std::string_view why(std::size_t i) const noexcept { return text_at(why_text_, why_end_, i); }

  /// True when some row of the batch had a weight given.
  [[nodiscard]] bool weighted() const noexcept { return weighted_; }

  [[nodiscard]] const channel_set& channel_labels() const noexcept { return *channels_; }
  [[nodiscard]] const string_dictionary& segments() const noexcept { return *segments_; }
  [[nodiscard]] const string_dictionary& agents() const noexcept { return *agents_; }

  /// Row i as a response (no bounds check beyond the dictionaries').
  [[nodiscard]] response row(std::size_t i) const;
  /// Appends every row to `table` (which must have the reader's scales and a
  /// channel set that knows this batch's channel labels: build it with the
  /// same options and pass each batch in order); marks it weighted when the
  /// batch is.
  void append_to(response_table& table) const;

 private:
  friend struct detail::batch_access;
  static std::string_view text_at(const detail::column<char>& text, const detail::column<std::uint64_t>& end,
                                  std::size_t i) noexcept {
    const std::uint64_t b = i == 0 ? 0 : end[i - 1];
    return std::string_view(text.data() + b, static_cast<std::size_t>(end[i] - b));
  }

  std::uint64_t first_row_ = 0;
  bool weighted_ = false;
  detail::column<std::uint8_t> nps_, csat_, ces_;
  detail::column<std::int64_t> time_;
  detail::column<std::uint16_t> channel_;
  detail::column<std::uint32_t> segment_, agent_;
  detail::column<double> weight_;
  detail::column<std::int8_t> resolved_;
  detail::column<std::uint64_t> line_;
  detail::column<char> id_text_, why_text_;
  detail::column<std::uint64_t> id_end_, why_end_;
  const channel_set* channels_ = nullptr;
  const string_dictionary* segments_ = nullptr;
  const string_dictionary* agents_ = nullptr;
};

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
  /// response_field); empty when the input has no column for the field.
  std::array<std::string, response_field_count> column_of;
  /// CSV: the field separator used, and whether it was detected (true) or
  /// given in the options (false). 0 for other formats.
  char delimiter = 0;
  bool delimiter_detected = false;
  /// CSV: the decimal point used for weights, and whether ',' was detected
  /// (false: given in the options, or '.' by default). 0 for other formats.
  char decimal_point = 0;
  bool decimal_point_detected = false;

  /// True when the input has a column for the field.
  [[nodiscard]] bool has(response_field f) const noexcept { return !column_of[static_cast<std::size_t>(f)].empty(); }
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
