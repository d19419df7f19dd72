// Internal (not installed): the reader-wide state (the read's schema, its
// category dictionaries, the summary) and the delivery of chunks in input
// order: local ids are remapped so that ids are given in order of first
// accepted use whatever the chunking, the sink is called, strict mode throws.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "io/chunk_out.hpp"
#include "io/field_rules.hpp"

namespace cxm::inline v0_1::detail {

struct header_mapping;

/// Reader-wide state and the delivery of chunks in input order.
class session {
 public:
  session(const ingest_options& options, const ingest_sink& sink, std::string source, ingest_format format);
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  [[nodiscard]] const row_plan& plan() const noexcept { return plan_; }
  [[nodiscard]] const ingest_options& options() const noexcept { return options_; }
  [[nodiscard]] const std::string& source() const noexcept { return source_; }
  /// The fields read (schema_of(options)).
  [[nodiscard]] const cxm::schema& fields() const noexcept { return schema_; }

  /// Fields whose column the input has, by id (sets missing_by_field to 0 for them).
  void set_present(const std::vector<bool>& present);
  /// Header, the column each field was read from and the ignored columns, for the report.
  void set_header(std::vector<std::string> header, header_mapping&& m);
  /// CSV: the delimiter and decimal point used (and whether each was
  /// detected), for the report and the field rules. Before any chunk.
  void set_dialect(char delimiter, bool delimiter_detected, char decimal_point, bool decimal_point_detected);
  /// Counts empty lines outside chunks (before a header).
  void add_empty_lines(std::uint64_t n) noexcept { report_.summary.empty_lines += n; }
  /// Adds input bytes to the summary.
  void add_bytes(std::uint64_t n) noexcept { report_.summary.bytes_read += n; }
  /// A range read (text_reader::restrict_to): the bytes counted so far
  /// become n (those before its records that it owns).
  void set_bytes(std::uint64_t n) noexcept { report_.summary.bytes_read = n; }
  /// The input's name in rejects from here on (a range's).
  void set_source(std::string source) { source_ = std::move(source); }

  /// Delivers one chunk (remaps its ids, calls the sink, counts; throws in
  /// strict mode at the first reject). The chunk is left for clear().
  void deliver(chunk_out& c);
  /// Delivers a reject that belongs to no chunk (a record too long to hold).
  void deliver_reject(pending_reject r);
  /// Brings the channel set the parsers read (plan().channels) up to the
  /// labels delivery has learnt. Call only while no chunk is parsed or
  /// delivered: parsers read that copy while deliver() extends the session's
  /// own set, so the two never race. A stale copy only means that a label
  /// learnt meanwhile is looked up again at delivery (same id).
  void sync_parse_channels();

  /// The final report.
  [[nodiscard]] ingest_report finish();

 private:
  ingest_reject make_reject(pending_reject&& p) const;
  void emit(pending_reject&& p);
  /// Strict mode: hands the reject to the sink, then throws its error.
  [[noreturn]] void raise_strict(pending_reject&& p);

  ingest_options options_;
  const ingest_sink& sink_;
  std::string source_;
  cxm::schema schema_;
  std::shared_ptr<category_dictionaries> dictionaries_;  ///< the caller's, or the read's own
  channel_set& channels_;                                ///< dictionaries_->channels()
  channel_set parse_channels_;                           ///< what plan_.channels points to
  std::vector<string_dictionary*> labels_;               ///< per category slot
  std::vector<const string_dictionary*> batch_labels_;   ///< the same, as batches hold them
  row_plan plan_;
  ingest_report report_;
  std::uint64_t accepted_ = 0;
  std::vector<std::uint16_t> channel_map_;
  std::vector<std::vector<std::uint32_t>> label_maps_;  // per category slot: chunk id → read id
};

/// Checks options shared by every reader (delimiter, decimal point, column
/// names, sizes); throws invalid_argument. In src/io/options.cpp.
void check_options(const ingest_options& o);

}  // namespace cxm::detail
