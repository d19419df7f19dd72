// Internal (not installed): the field rules of io/ingest.hpp applied to one
// row at a time. row_builder::text is the ingest hot path: the common forms
// of every predefined field are taken inline here; the rest, every reject
// and every declared field go to text_slow (src/io/field_rules.cpp), which
// applies the whole rule of the field's kind.
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
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/io/ingest_options.hpp"
#include "io/chunk_out.hpp"
#include "io/fast_parse.hpp"
#include "io/text.hpp"

namespace cxm::inline v0_1::detail {

/// The tokens of a flag field, compiled for lookups.
struct flag_tokens {
  /// `v` must have passed check_vocabulary.
  explicit flag_tokens(const flag_vocabulary& v);
  struct token {
    std::string text;
    resolution value;
  };
  std::vector<token> tokens;     ///< lower case, each once
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
};

/// What the row builder needs of a declared field.
struct declared_rule {
  field_kind kind = field_kind::text;
  column_type type = column_type::text;
  std::size_t slot = 0;                ///< its column among those of its type
  std::optional<scale> score_scale;    ///< scores
  std::optional<flag_tokens> tokens;   ///< flags
};

/// The options the row builder needs, compiled once per read.
struct row_plan {
  /// `fields` is the read's schema (schema_of(o)).
  row_plan(const ingest_options& o, const schema& fields);
  cxm::schema fields;
  scale nps;
  scale csat;
  scale ces;
  char decimal_point;
  bool validate_utf8;
  cxm::epoch_unit epoch_unit;
  const channel_set* channels = nullptr;  ///< the session's (read-only while chunks are parsed)
  flag_tokens resolved;                   ///< the resolved field's vocabulary
  bool closed_channels = false;
  std::vector<declared_rule> declared;    ///< index: field id - predefined_field_count
  [[nodiscard]] const std::string& name(field_id f) const noexcept { return fields[f].name; }
  [[nodiscard]] field_kind kind(field_id f) const noexcept { return fields[f].kind; }
};

/// Builds rows from field values and appends them to a chunk_out. Fields may
/// come in any order; the first bad one (in the order given) decides the
/// reject and later ones of the row are ignored.
class row_builder {
 public:
  explicit row_builder(const row_plan& plan)
      : plan_(plan), declared_(plan.declared.size()), has_declared_(!plan.declared.empty()) {}
  void attach(chunk_out* out) noexcept { out_ = out; }
  [[nodiscard]] chunk_out* output() const noexcept { return out_; }
  [[nodiscard]] const std::string& field_name(field_id f) const noexcept { return plan_.name(f); }

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
    if (has_declared_) reset_declared();
  }
  [[nodiscard]] bool failed() const noexcept { return failed_; }

  /// For a reader whose per-row loop names declared fields by their column
  /// (CSV): the field of each column (index column - 1). text() then takes
  /// any id past the predefined ones as "the declared field of this column".
  /// The vector must outlive the builder.
  void set_column_fields(const std::vector<std::optional<field_id>>* fields) noexcept { column_fields_ = fields; }

  /// A field given as text (CSV, JSON strings, SPSS strings). The view must
  /// stay valid until end(). The common forms are handled here, inline; the
  /// rest (and every error) by text_slow, which applies the whole rule.
  CXM_HOT_INLINE void text(field_id f, std::string_view s, std::uint64_t column) {
    if (failed_) return;
    switch (static_cast<response_field>(f.value)) {
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
        const flag_tokens& tk = plan_.resolved;
        if (tk.token_mul != 0) {
          const auto& t = tk.token_slot[flag_tokens::token_hash(w, s.size(), tk.token_mul)];
          if (t.len == s.size() && t.word == w) {
            resolved_ = t.value;
            return;
          }
          break;
        }
        for (const auto& t : tk.packed) {
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
          if (trim_blanks(s).empty()) mark_missing_predefined(f);
        }
        (f == response_field::id ? id_ : f == response_field::agent ? agent_ : f == response_field::segment ? segment_ : why_) = s;
        return;
      }
      default: break;  // a declared field
    }
    text_slow(f, s, column);
  }
  /// A JSON number, as its literal.
  void json_number(field_id f, std::string_view literal, std::uint64_t column);
  /// A JSON true/false.
  void json_bool(field_id f, bool v, std::uint64_t column);
  /// JSON null, a system-missing value: the field is missing.
  void missing(field_id f, std::uint64_t column);
  /// A JSON object or array where a value belongs.
  void json_structure(field_id f, std::string_view raw, std::uint64_t column);
  /// A number from a statistics file. `as_text` is what text fields get
  /// (the value label when there is one, else the number's text).
  void number(field_id f, double v, std::string_view as_text, std::uint64_t column);
  /// A time field's value already converted to Unix seconds (a date of a
  /// statistics file); outside 1900..2200 a timestamp_out_of_range reject.
  void time_seconds(field_id f, std::int64_t secs, std::string_view as_text, std::uint64_t column);
  /// Rejects the row as a whole or for one field.
  void fail(reject_cause cause, std::string reason, std::string value, std::uint64_t column = 0,
            std::optional<field_id> field = std::nullopt);

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
  // How parsing a decimal went (decimal_text).
  enum class parsed : std::uint8_t { ok, missing, failed, out_of_range };
  void text_slow(field_id f, std::string_view s, std::uint64_t column);
  void declared_text(field_id f, std::string_view s, std::uint64_t column);
  void score(field_id f, std::string_view s, std::uint64_t column);
  void score_value(field_id f, long long v, std::string_view shown, std::uint64_t column);
  void score_number(field_id f, double d, std::string_view shown, std::uint64_t column);
  parsed decimal_text(field_id f, std::string_view s, std::uint64_t column, char decimal_point, double& out);
  void weight_text(field_id f, std::string_view s, std::uint64_t column, char decimal_point);
  void weight_value(field_id f, double w, std::string_view shown, std::uint64_t column);
  void numeric_text(field_id f, std::string_view s, std::uint64_t column, char decimal_point);
  void numeric_value(field_id f, double v, std::string_view shown, std::uint64_t column);
  void timestamp_text(field_id f, std::string_view s, std::uint64_t column);
  void flag_text(field_id f, std::string_view s, std::uint64_t column);
  void channel_text(std::string_view s, std::uint64_t column);
  void label_text(field_id f, std::string_view s, std::uint64_t column);
  bool check_utf8(field_id f, std::string_view s, std::uint64_t column);
  void reset_declared() noexcept;
  void store_declared(chunk_out& o, std::size_t r);
  // The three predefined scores (the inline path).
  const scale& scale_of(field_id f) const noexcept {
    return f == response_field::nps ? plan_.nps : (f == response_field::csat ? plan_.csat : plan_.ces);
  }
  std::uint8_t& slot_of(field_id f) noexcept {
    return f == response_field::nps ? nps_ : (f == response_field::csat ? csat_ : ces_);
  }
  void mark_missing_predefined(field_id f) noexcept { missing_ |= static_cast<std::uint16_t>(1U << f.value); }

  // A declared field's value in the row being built: the integer of a
  // score, flag or time, the number of a numeric or weight, the text of a
  // category, text or id.
  struct declared_value {
    std::int64_t i = 0;
    double d = 0.0;
    std::string_view s;
    bool missing = false;
  };
  declared_value& declared(field_id f) noexcept { return declared_[f.index() - predefined_field_count]; }
  const declared_rule& rule(field_id f) const noexcept { return plan_.declared[f.index() - predefined_field_count]; }
  // Any field: the scale of a score, where its value and missing mark go.
  const scale& any_scale(field_id f) const noexcept { return f.predefined() ? scale_of(f) : *rule(f).score_scale; }
  void set_score(field_id f, std::uint8_t v) noexcept {
    if (f.predefined()) {
      slot_of(f) = v;
    } else {
      declared(f).i = v;
    }
  }
  void mark_missing(field_id f) noexcept {
    if (f.predefined()) {
      mark_missing_predefined(f);
    } else {
      declared(f).missing = true;
    }
  }

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
  std::vector<declared_value> declared_;  ///< index: field id - predefined_field_count
  bool has_declared_;                     ///< !declared_.empty(), one byte to test on the per-row path
  const std::vector<std::optional<field_id>>* column_fields_ = nullptr;  ///< set_column_fields
};

}  // namespace cxm::detail
