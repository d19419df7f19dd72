// How to read responses: the input formats, what to do with a bad row, the
// tokens of the resolved field and ingest_options, the one options struct of
// every reader (CSV, JSON Lines, SPSS/Stata/SAS), with the rule by which a
// CSV reader detects its dialect. A JSON mapping file fills these options
// from the shell: io/mapping.hpp.
//
// Header: cxmetrics/io/ingest_options.hpp; compiled part in src/io/options.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/core/dictionary.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/export.hpp"
#include "cxmetrics/io/column_map.hpp"

namespace cxm::inline v0_1 {

/// Tokens of the resolved field: a flag's vocabulary (core/schema.hpp).
using resolved_vocabulary = flag_vocabulary;

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

/// A part of one CSV or JSON Lines input, in bytes, for reading a large
/// file in pieces (one task per piece on a cluster). A read with a range
/// gives the records that start at an offset in [begin, end): a record
/// starts after a line break (or is the first after the header), so ranges
/// that tile the file ([0, a), [a, b), ..., [z, file size or more)) give
/// every record exactly once, and their states merged equal the state of
/// the whole file. Each range reads the header (CSV) or first object (JSON
/// Lines) and detects the dialect from the head of the file, as a whole
/// read does. A record may end past `end`; its bytes are read.
///
/// Exact only when no record spans a line break: a range of a CSV file
/// checks that every quoted field of its records closes on the line it
/// opens on, and throws parse_error naming the byte of the quote otherwise
/// (such a file is read whole). JSON Lines records are one line each.
///
/// Rows of a range that does not start at the file's first record are
/// numbered from 1 at its first record, in a source named "FILE[S:E]" (S
/// and E the offsets of its first record and of the record after its last;
/// "FILE[S:]" to the end). Bytes read: the range's records (the first
/// range also the header), so the ranges' sum is the file's size.
struct byte_range {
  std::uint64_t begin = 0;
  std::uint64_t end = static_cast<std::uint64_t>(-1);  ///< past the end of the file: to its end

  friend bool operator==(const byte_range&, const byte_range&) = default;
};

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
  table_scales scales;               ///< scales of the predefined scores (nps, csat, ces)
  channel_set channels = channel_set{};  ///< channel labels; a closed set rejects others
  resolved_vocabulary resolved;      ///< tokens of the resolved field
  /// The fields read: the predefined ones and those declared with a
  /// schema_builder (core/schema.hpp; cxm's --field and a mapping's
  /// "fields"). A declared field is read from the column of its own name
  /// (compared as a key; no aliases), which the input must have, with the
  /// rules of its kind (io/ingest.hpp). The predefined fields' scales and
  /// vocabulary are those of `scales` and `resolved` above, whatever this
  /// schema says of them: the read's schema is schema_of(options).
  cxm::schema schema;
  /// Labels of the category fields (channel, agent, segment, declared
  /// categories). Empty: each read makes its own, starting from `channels`.
  /// Given: the read finds and adds labels there (its channel set is used,
  /// not `channels`), so reads that share one object give one label one id
  /// (core/dictionary.hpp). Not to be shared by two reads running at once.
  std::shared_ptr<category_dictionaries> dictionaries;
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
  /// CSV and JSON Lines files or memory (not streams): read only this part
  /// (byte_range above). Empty: the whole input.
  std::optional<byte_range> range;
};

/// The fields a read with these options reads: options.schema with the
/// predefined scales of options.scales and the resolved vocabulary of
/// options.resolved. Throws invalid_argument when a scale does not fit 0..254.
[[nodiscard]] CXMETRICS_API cxm::schema schema_of(const ingest_options& options);

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

}  // namespace cxm
