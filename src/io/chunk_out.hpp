// Internal (not installed): what one chunk of input turns into before the
// session delivers it: a response_batch whose category columns (channel,
// segment, agent, declared categories) still hold chunk-local ids, the chunk's dictionaries, its rejects
// and counts; and the readers' mutable access to a batch's columns.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "cxmetrics/io/column_map.hpp"
#include "cxmetrics/io/rejects.hpp"
#include "cxmetrics/io/response_batch.hpp"
#include "io/local_dict.hpp"

namespace cxm::inline v0_1::detail {

/// Mutable access to a response_batch's columns for the readers.
struct batch_access {
  /// Gives an empty batch the columns of `s` (which must outlive it).
  static void shape(response_batch& b, const schema& s);
  static void clear(response_batch& b);
  /// Keeps the first n rows.
  static void truncate(response_batch& b, std::size_t n);
  /// Rows the fixed-width columns have room for (rows past those stored are
  /// unwritten scratch until seal()).
  [[nodiscard]] static std::size_t room(const response_batch& b) noexcept { return b.line_.size(); }
  /// Sets the row count of every column but the text bytes.
  static void resize_rows(response_batch& b, std::size_t n);
  /// Doubles the room of every fixed-width column (at least 1024 rows).
  static void grow(response_batch& b);
  /// Trims every column to the first n rows stored, with text_bytes[k]
  /// bytes of text in text slot k: the batch's size() is then n.
  static void seal(response_batch& b, std::size_t n, const std::vector<std::size_t>& text_bytes);
  // The column at a slot of each type (schema::slot_of, predefined_slot).
  static detail::column<std::uint8_t>& score(response_batch& b, std::size_t slot) { return b.columns_.score[slot]; }
  static detail::column<std::int8_t>& flag(response_batch& b, std::size_t slot) { return b.columns_.flag[slot]; }
  static detail::column<std::int64_t>& time(response_batch& b, std::size_t slot) { return b.columns_.time[slot]; }
  static detail::column<std::uint16_t>& channel(response_batch& b) { return b.columns_.channel; }
  static detail::column<std::uint32_t>& category(response_batch& b, std::size_t slot) {
    return b.columns_.category[slot];
  }
  static detail::column<double>& number(response_batch& b, std::size_t slot) { return b.columns_.number[slot]; }
  static detail::column<char>& text(response_batch& b, std::size_t slot) { return b.text_[slot]; }
  static detail::column<std::uint64_t>& text_end(response_batch& b, std::size_t slot) { return b.text_end_[slot]; }
  static detail::column<std::uint64_t>& line(response_batch& b) { return b.line_; }
  /// Writes s at byte `at` of text (growing it when short); returns the end.
  static std::size_t put_text(detail::column<char>& text, std::size_t at, std::string_view s) {
    if (s.empty()) return at;
    if (text.size() - at < s.size()) text.resize(std::max(text.size() * 2, at + s.size() + 4096));
    std::memcpy(text.data() + at, s.data(), s.size());
    return at + s.size();
  }
  static void set_weighted(response_batch& b) { b.weighted_ = true; }
  /// The batch's first row and dictionaries (labels: per category slot).
  static void bind(response_batch& b, std::uint64_t first_row, const category_dictionaries* d,
                   const std::vector<const string_dictionary*>& labels) {
    b.first_row_ = first_row;
    b.dictionaries_ = d;
    b.labels_ = labels;
  }
};

/// A reject before it is given its file name and delivered.
struct pending_reject {
  std::uint64_t line = 0;
  std::uint64_t column = 0;
  std::optional<field_id> field;
  std::string value;
  std::string reason;
  reject_cause cause = reject_cause::invalid_value;
  std::uint64_t accepted_before = 0;  ///< accepted rows of the chunk before this one
};

/// Channel labels seen in one chunk.
struct channel_cache {
  static constexpr std::int32_t unknown = -1;  ///< not in a closed set
  static constexpr std::int32_t pending = -2;  ///< new label of an open set
  local_dict raw;                    ///< raw label → entry
  std::vector<std::int32_t> global;  ///< per entry: channel id, unknown or pending
  std::vector<std::int32_t> use;     ///< per entry: index in used, or -1
  std::vector<std::uint32_t> used;   ///< entries in order of first accepted use
  void clear() {
    raw.clear();
    global.clear();
    use.clear();
    used.clear();
  }
};

/// Where row_builder::end() stores the predefined fields of a row: the
/// batch's columns as plain pointers, with room for rows below `room`. A
/// batch keeps each type's columns in a list, so reaching a column through
/// it takes two loads; these take one, on the per-row path. A copy has no
/// pointers (room 0): it must take those of its own batch.
struct row_columns {
  row_columns() = default;
  row_columns(const row_columns&) noexcept {}
  row_columns& operator=(const row_columns&) noexcept {
    room = 0;
    return *this;
  }
  ~row_columns() = default;
  /// Points at b's columns (which have room for room(b) rows).
  void take(response_batch& b) noexcept {
    nps = batch_access::score(b, predefined_slot(response_field::nps)).data();
    csat = batch_access::score(b, predefined_slot(response_field::csat)).data();
    ces = batch_access::score(b, predefined_slot(response_field::ces)).data();
    time = batch_access::time(b, predefined_slot(response_field::timestamp)).data();
    channel = batch_access::channel(b).data();
    segment = batch_access::category(b, predefined_slot(response_field::segment)).data();
    agent = batch_access::category(b, predefined_slot(response_field::agent)).data();
    weight = batch_access::number(b, predefined_slot(response_field::weight)).data();
    resolved = batch_access::flag(b, predefined_slot(response_field::resolved)).data();
    line = batch_access::line(b).data();
    id_end = batch_access::text_end(b, predefined_slot(response_field::id)).data();
    why_end = batch_access::text_end(b, predefined_slot(response_field::why)).data();
    room = batch_access::room(b);
  }
  std::size_t room = 0;
  std::uint8_t* nps = nullptr;
  std::uint8_t* csat = nullptr;
  std::uint8_t* ces = nullptr;
  std::int64_t* time = nullptr;
  std::uint16_t* channel = nullptr;
  std::uint32_t* segment = nullptr;
  std::uint32_t* agent = nullptr;
  double* weight = nullptr;
  std::int8_t* resolved = nullptr;
  std::uint64_t* line = nullptr;
  std::uint64_t* id_end = nullptr;
  std::uint64_t* why_end = nullptr;
};

/// One chunk's accepted rows, rejects and counts. The row builder writes
/// into the batch's columns ahead of their size; seal() trims them, and
/// must come before anything reads the batch. Only row_builder::end()
/// (through row_room) grows the batch's columns; seal() and clear() drop the
/// pointers it keeps to them.
struct chunk_out {
  /// An empty chunk with the columns of `s` (which must outlive it).
  explicit chunk_out(const schema& s);
  response_batch batch;
  std::size_t rows = 0;                 ///< accepted rows stored in batch
  std::vector<std::size_t> text_bytes;  ///< per text slot: bytes stored
  row_columns columns;                  ///< the batch's columns for row_builder::end()
  /// The columns, with room for row r (= rows): the batch grows when full.
  const row_columns& row_room(std::size_t r) {
    if (r >= columns.room) {
      if (r >= batch_access::room(batch)) batch_access::grow(batch);
      columns.take(batch);
    }
    return columns;
  }
  void seal() {
    columns.room = 0;
    batch_access::seal(batch, rows, text_bytes);
  }
  std::vector<local_dict> categories;   ///< per category slot: the chunk's labels
  channel_cache channels;
  std::vector<pending_reject> rejects;
  std::uint64_t rows_read = 0;
  std::uint64_t empty_lines = 0;
  std::vector<std::uint64_t> missing;   ///< per field id
  /// Line of the first row whose channel label found no batch id left
  /// (channel_set::max_labels distinct labels already in the chunk); 0: none.
  std::uint64_t channel_overflow_line = 0;
  void clear();
};

}  // namespace cxm::detail
