// Internal (not installed): what one chunk of input turns into before the
// session delivers it: a response_batch whose channel, segment and agent
// columns still hold chunk-local ids, the chunk's dictionaries, its rejects
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

namespace cxm::detail {

/// Mutable access to a response_batch's columns for the readers.
struct batch_access {
  /// The columns with one entry per row (all but the two text buffers).
  static auto row_columns(response_batch& b) noexcept {
    return std::tie(b.nps_, b.csat_, b.ces_, b.time_, b.channel_, b.segment_, b.agent_, b.weight_, b.resolved_,
                    b.line_, b.id_end_, b.why_end_);
  }
  static void clear(response_batch& b) {
    b.first_row_ = 0;
    b.weighted_ = false;
    std::apply([](auto&... c) { (c.clear(), ...); }, row_columns(b));
    b.id_text_.clear();
    b.why_text_.clear();
  }
  /// Keeps the first n rows.
  static void truncate(response_batch& b, std::size_t n);
  /// Rows the numeric columns have room for (rows past those stored are
  /// unwritten scratch until seal()).
  [[nodiscard]] static std::size_t room(const response_batch& b) noexcept { return b.nps_.size(); }
  /// Sets the row count of every column but the two text buffers.
  static void resize_rows(response_batch& b, std::size_t n);
  /// Doubles the room of every numeric column (at least 1024 rows).
  static void grow(response_batch& b);
  /// Trims every column to the first n rows stored, with id_bytes and
  /// why_bytes bytes of text: the batch's size() is then n.
  static void seal(response_batch& b, std::size_t n, std::size_t id_bytes, std::size_t why_bytes);
  static detail::column<std::uint8_t>& nps(response_batch& b) { return b.nps_; }
  static detail::column<std::uint8_t>& csat(response_batch& b) { return b.csat_; }
  static detail::column<std::uint8_t>& ces(response_batch& b) { return b.ces_; }
  static detail::column<std::int64_t>& time(response_batch& b) { return b.time_; }
  static detail::column<std::uint16_t>& channel(response_batch& b) { return b.channel_; }
  static detail::column<std::uint32_t>& segment(response_batch& b) { return b.segment_; }
  static detail::column<std::uint32_t>& agent(response_batch& b) { return b.agent_; }
  static detail::column<double>& weight(response_batch& b) { return b.weight_; }
  static detail::column<std::int8_t>& resolved(response_batch& b) { return b.resolved_; }
  static detail::column<std::uint64_t>& line(response_batch& b) { return b.line_; }
  static detail::column<char>& id_text(response_batch& b) { return b.id_text_; }
  static detail::column<char>& why_text(response_batch& b) { return b.why_text_; }
  static detail::column<std::uint64_t>& id_end(response_batch& b) { return b.id_end_; }
  static detail::column<std::uint64_t>& why_end(response_batch& b) { return b.why_end_; }
  /// Writes s at byte `at` of text (growing it when short); returns the end.
  static std::size_t put_text(detail::column<char>& text, std::size_t at, std::string_view s) {
    if (s.empty()) return at;
    if (text.size() - at < s.size()) text.resize(std::max(text.size() * 2, at + s.size() + 4096));
    std::memcpy(text.data() + at, s.data(), s.size());
    return at + s.size();
  }
  static void set_weighted(response_batch& b) { b.weighted_ = true; }
  static void bind(response_batch& b, std::uint64_t first_row, const channel_set* c, const string_dictionary* s,
                   const string_dictionary* a) {
    b.first_row_ = first_row;
    b.channels_ = c;
    b.segments_ = s;
    b.agents_ = a;
  }
};

/// A reject before it is given its file name and delivered.
struct pending_reject {
  std::uint64_t line = 0;
  std::uint64_t column = 0;
  std::optional<response_field> field;
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

/// One chunk's accepted rows, rejects and counts. The row builder writes
/// into the batch's columns ahead of their size; seal() trims them, and
/// must come before anything reads the batch.
struct chunk_out {
  response_batch batch;
  std::size_t rows = 0;       ///< accepted rows stored in batch
  std::size_t id_bytes = 0;   ///< bytes of id text stored
  std::size_t why_bytes = 0;  ///< bytes of free text stored
  void seal() { batch_access::seal(batch, rows, id_bytes, why_bytes); }
  local_dict agents;
  local_dict segments;
  channel_cache channels;
  std::vector<pending_reject> rejects;
  std::uint64_t rows_read = 0;
  std::uint64_t empty_lines = 0;
  std::array<std::uint64_t, response_field_count> missing{};
  /// Line of the first row whose channel label found no batch id left
  /// (channel_set::max_labels distinct labels already in the chunk); 0: none.
  std::uint64_t channel_overflow_line = 0;
  void clear();
};

}  // namespace cxm::detail
