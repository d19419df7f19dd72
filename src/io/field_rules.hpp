// Internal (not installed): the field rules of io/ingest.hpp applied to one
// row at a time. row_builder::text is the ingest hot path: the common forms
// of every field are taken inline here; the rest, and every reject, go to
// text_slow (src/io/field_rules.cpp), which applies the whole rule.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/io/ingest_options.hpp"
#include "io/chunk_out.hpp"
#include "io/fast_parse.hpp"
#include "io/text.hpp"

namespace cxm::detail {

/// The options the row builder needs, compiled once per read.
struct row_plan {
  explicit row_plan(const ingest_options& o);
  scale nps;
  scale csat;
  scale ces;
  char decimal_point;
  bool validate_utf8;
  cxm::epoch_unit epoch_unit;
  const channel_set* channels = nullptr;  ///< the session's (read-only while chunks are parsed)
  struct token {
    std::string text;
    resolution value;
  };
  std::vector<token> tokens;     ///< resolved vocabulary, lower case
  struct packed_token {
    std::uint64_t word = 0;  ///< the token's bytes, zero-padded
    std::uint32_t len = 0;
    std::int8_t value = 0;
  };
  std::vector<packed_token> packed;  ///< tokens of at most 8 bytes
  /// The packed tokens placed by a multiplicative hash with no two in one
  /// slot, when token_mul != 0: a lookup is then one probe, with no loop
  /// whose length depends on the token.
  static constexpr unsigned token_bits = 6;
  std::array<packed_token, std::size_t{1} << token_bits> token_slot{};
  std::uint64_t token_mul = 0;
  [[nodiscard]] static std::size_t token_hash(std::uint64_t word, std::size_t len, std::uint64_t mul) noexcept {
    return static_cast<std::size_t>(((word ^ len) * mul) >> (64 - token_bits));
  }
  std::string vocabulary_text;   ///< for messages
  bool closed_channels = false;
};

/// Builds rows from field values and appends them to a chunk_out. Fields may
/// come in any order; the first bad one (in the order given) decides the
/// reject and later ones of the row are ignored.
class row_builder {
 public:
  explicit row_builder(const row_plan& plan) : plan_(plan) {}
  void attach(chunk_out* out) noexcept { out_ = out; }
  [[nodiscard]] chunk_out* output() const noexcept { return out_; }

  /// Starts a row; `ascii` says every byte of it is below 0x80 (no UTF-8 check needed).
  void begin(std::uint64_t line, bool ascii = false) noexcept {
    ascii_row_ = ascii;
    line_ = line;
    failed_ = false;
    missing_ = 0;
    nps_ = csat_ = ces_ = response_table::missing_score;
    time_ = response_table::missing_time;
    resolved_ = static_cast<std::int8_t>(resolution::unknown);
    weight_ = 1.0;
    weight_given_ = false;
    channel_entry_ = npos32;
    id_ = std::string_view();
    why_ = std::string_view();
    agent_ = std::string_view();
    segment_ = std::string_view();
  }
  [[nodiscard]] bool failed() const noexcept { return failed_; }

  /// A field given as text (CSV, JSON strings, SPSS strings). The view must
  /// stay valid until end(). The common forms are handled here, inline; the
  /// rest (and every error) by text_slow, which applies the whole rule.
  CXM_HOT_INLINE void text(response_field f, std::string_view s, std::uint64_t column) {
    if (failed_) return;
    switch (f) {
      case response_field::nps:
      case response_field::csat:
      case response_field::ces: {
        int v = -1;
        if (s.size() == 1) {
          const unsigned d = static_cast<unsigned>(s[0] - '0');
          if (d < 10) v = static_cast<int>(d);
        } else if (s.size() == 2) {
          v = two_digits(s.data());
        }
        if (v >= 0 && scale_of(f).contains(v)) {
          slot_of(f) = static_cast<std::uint8_t>(v);
          return;
        }
        break;
      }
      case response_field::weight: {
        double w = 0.0;
        if (fast_decimal(s, plan_.decimal_point, w)) {
          weight_ = w;
          weight_given_ = true;
          return;
        }
        break;
      }
      case response_field::timestamp: {
        std::int64_t t = 0;
        if (fast_timestamp(s, t)) {
          time_ = t;
          return;
        }
        break;
      }
      case response_field::resolved: {
        if (s.empty() || s.size() > 8) break;
        std::uint64_t w = pack_upto8(s.data(), s.size());
        w |= ascii_upper_mask(w) >> 2;  // capitals to lower case
        if (plan_.token_mul != 0) {
          const auto& t = plan_.token_slot[row_plan::token_hash(w, s.size(), plan_.token_mul)];
          if (t.len == s.size() && t.word == w) {
            resolved_ = t.value;
            return;
          }
          break;
        }
        for (const auto& t : plan_.packed) {
          if (t.len == s.size() && t.word == w) {
            resolved_ = t.value;
            return;
          }
        }
        break;
      }
      case response_field::channel: {
        if (s.empty() || !(ascii_row_ || !plan_.validate_utf8 || !has_non_ascii(s.data(), s.size()))) break;
        const channel_cache& cc = out_->channels;
        const std::uint32_t e = cc.raw.find(s);
        if (e != 0xFFFFFFFFU && e != 0 && e < cc.global.size() && cc.global[e] != channel_cache::unknown) {
          channel_entry_ = e;
          return;
        }
        break;
      }
      case response_field::id:
      case response_field::agent:
      case response_field::segment:
      case response_field::why: {
        if (!ascii_row_ && plan_.validate_utf8 && has_non_ascii(s.data(), s.size())) break;
        if (s.empty() || is_blank(s.front()) || is_blank(s.back())) {
          if (trim_blanks(s).empty()) mark_missing(f);
        }
        (f == response_field::id ? id_ : f == response_field::agent ? agent_ : f == response_field::segment ? segment_ : why_) = s;
        return;
      }
    }
    text_slow(f, s, column);
  }
  /// A JSON number, as its literal.
  void json_number(response_field f, std::string_view literal, std::uint64_t column);
  /// A JSON true/false.
  void json_bool(response_field f, bool v, std::uint64_t column);
  /// JSON null, a system-missing value: the field is missing.
  void missing(response_field f, std::uint64_t column);
  /// A JSON object or array where a value belongs.
  void json_structure(response_field f, std::string_view raw, std::uint64_t column);
  /// A number from a statistics file. `as_text` is what text fields get
  /// (the value label when there is one, else the number's text).
  void number(response_field f, double v, std::string_view as_text, std::uint64_t column);
  /// A timestamp already converted to Unix seconds (a date of a statistics
  /// file); outside 1900..2200 a timestamp_out_of_range reject.
  void time_seconds(std::int64_t secs, std::string_view as_text, std::uint64_t column);
  /// Rejects the row as a whole or for one field.
  void fail(reject_cause cause, std::string reason, std::string value, std::uint64_t column = 0,
            std::optional<response_field> field = std::nullopt);

  /// Commits the row (or its reject).
  void end();
  /// Forgets the row begun (and its reject, if one was recorded).
  void abandon() noexcept {
    if (failed_) out_->rejects.pop_back();
    failed_ = false;
  }

  /// Counts an empty line.
  void empty_line() noexcept { ++out_->empty_lines; }

 private:
  static constexpr std::uint32_t npos32 = 0xFFFFFFFFU;
  void text_slow(response_field f, std::string_view s, std::uint64_t column);
  void score(response_field f, std::string_view s, std::uint64_t column);
  void score_value(response_field f, long long v, std::string_view shown, std::uint64_t column);
  void score_number(response_field f, double d, std::string_view shown, std::uint64_t column);
  void weight_text(std::string_view s, std::uint64_t column, char decimal_point);
  void weight_value(double w, std::string_view shown, std::uint64_t column);
  void timestamp_text(std::string_view s, std::uint64_t column);
  void resolved_text(std::string_view s, std::uint64_t column);
  void channel_text(std::string_view s, std::uint64_t column);
  bool check_utf8(response_field f, std::string_view s, std::uint64_t column);
  const scale& scale_of(response_field f) const noexcept {
    return f == response_field::nps ? plan_.nps : (f == response_field::csat ? plan_.csat : plan_.ces);
  }
  std::uint8_t& slot_of(response_field f) noexcept {
    return f == response_field::nps ? nps_ : (f == response_field::csat ? csat_ : ces_);
  }
  void mark_missing(response_field f) noexcept { missing_ |= static_cast<std::uint16_t>(1U << static_cast<unsigned>(f)); }

  const row_plan& plan_;
  chunk_out* out_ = nullptr;
  std::uint64_t line_ = 0;
  bool failed_ = false;
  bool ascii_row_ = false;  // the caller checked that the row's bytes are all ASCII
  std::uint16_t missing_ = 0;
  std::uint8_t nps_ = 0, csat_ = 0, ces_ = 0;
  std::int64_t time_ = 0;
  std::int8_t resolved_ = 0;
  double weight_ = 1.0;
  bool weight_given_ = false;
  std::uint32_t channel_entry_ = npos32;
  std::string_view id_, why_, agent_, segment_;
};

}  // namespace cxm::detail
