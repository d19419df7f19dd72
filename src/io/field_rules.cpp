// The field rules of io/ingest.hpp, applied one row at a time: the compiled
// options (row_plan), every value check beyond the inline fast forms of
// src/io/field_rules.hpp, and the row appended to its chunk.
#include "io/field_rules.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <system_error>
#include <utility>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/hash.hpp"

namespace cxm::inline v0_1::detail {

chunk_out::chunk_out(const schema& s)
    : text_bytes(s.columns_of(column_type::text)), categories(s.columns_of(column_type::category)), missing(s.size()) {
  batch_access::shape(batch, s);
}

void chunk_out::clear() {
  columns.room = 0;
  batch_access::clear(batch);
  rows = 0;
  std::fill(text_bytes.begin(), text_bytes.end(), 0);
  for (auto& d : categories) d.clear();
  channels.clear();
  rejects.clear();
  rows_read = 0;
  empty_lines = 0;
  std::fill(missing.begin(), missing.end(), 0);
  channel_overflow_line = 0;
}

// ---------------------------------------------------------------------------
// Field rules

namespace {

bool is_integer_text(std::string_view t) noexcept {
  std::size_t i = (!t.empty() && (t.front() == '+' || t.front() == '-')) ? 1 : 0;
  if (i == t.size()) return false;
  for (; i < t.size(); ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
  }
  return true;
}

// The length of the integer part of a whole number written with a decimal
// point and zeros ("9.0", "+10.00", "-0.000": what pandas and spreadsheets
// write for a float column of whole values), or 0 when `t` has another form.
// Only '.' counts as the decimal point here, whatever the input's decimal
// point: "9,0" stays a reject.
std::size_t whole_decimal_prefix(std::string_view t) noexcept {
  const std::size_t dot = t.find('.');
  if (dot == std::string_view::npos || dot + 1 == t.size()) return 0;
  if (!is_integer_text(t.substr(0, dot))) return 0;
  for (std::size_t i = dot + 1; i < t.size(); ++i) {
    if (t[i] != '0') return 0;
  }
  return dot;
}

// Parses a whole string as a double (from_chars, general format); a leading
// '+' is allowed. `ec` tells out-of-range apart from not-a-number.
bool parse_double(std::string_view t, double& out, std::errc& ec) {
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  if (t.empty()) {
    ec = std::errc::invalid_argument;
    return false;
  }
  const auto res = std::from_chars(t.data(), t.data() + t.size(), out);
  ec = res.ec;
  return res.ec == std::errc() && res.ptr == t.data() + t.size();
}

std::string describe_tokens(const std::vector<flag_tokens::token>& tokens, resolution r) {
  std::string out;
  for (const auto& t : tokens) {
    if (t.value != r) continue;
    if (!out.empty()) out += ", ";
    out += t.text;
  }
  return out;
}

}  // namespace

flag_tokens::flag_tokens(const flag_vocabulary& v) {
  auto add = [this](const std::vector<std::string>& list, resolution r) {
    for (const auto& s : list) {
      const std::string t = lower_trimmed(s);
      if (std::none_of(tokens.begin(), tokens.end(), [&](const token& have) { return have.text == t; })) {
        tokens.push_back({t, r});
      }
    }
  };
  add(v.yes, resolution::yes);
  add(v.no, resolution::no);
  add(v.unknown, resolution::unknown);
  for (const auto& t : tokens) {
    if (t.text.empty() || t.text.size() > 8) continue;
    packed_token pt;
    pt.word = pack_upto8(t.text.data(), t.text.size());
    pt.len = static_cast<std::uint32_t>(t.text.size());
    pt.value = static_cast<std::int8_t>(t.value);
    packed.push_back(pt);
  }
  // Odd multipliers from the SplitMix64 mixer of core/hash.hpp, until one
  // puts every distinct token in a slot of its own; with the
  // default dozen tokens in 64 slots about one in three does.
  for (std::uint64_t attempt = 0; attempt < 256 && packed.size() <= token_slot.size() / 2 && token_mul == 0;
       ++attempt) {
    const std::uint64_t mul = mix64(attempt) | 1U;
    std::array<packed_token, std::size_t{1} << token_bits> slots{};
    bool ok = true;
    for (const auto& pt : packed) {
      packed_token& sl = slots[token_hash(pt.word, pt.len, mul)];
      if (sl.len == 0) {
        sl = pt;
      } else if (sl.len != pt.len || sl.word != pt.word) {
        ok = false;  // two tokens in one slot
        break;
      }
    }
    if (ok) {
      token_slot = slots;
      token_mul = mul;
    }
  }
  vocabulary_text = "yes (" + describe_tokens(tokens, resolution::yes) + "), no (" +
                    describe_tokens(tokens, resolution::no) + ") or unknown (" +
                    describe_tokens(tokens, resolution::unknown) + ")";
}

row_plan::row_plan(const ingest_options& o, const schema& f)
    : fields(f),
      nps(f.scale_of(response_field::nps)),
      csat(f.scale_of(response_field::csat)),
      ces(f.scale_of(response_field::ces)),
      decimal_point(o.decimal_point),
      validate_utf8(o.validate_utf8),
      epoch_unit(o.epoch_unit),
      resolved((check_vocabulary(f[response_field::resolved].vocabulary, "resolved"),
                f[response_field::resolved].vocabulary)),
      closed_channels(o.channels.mode() == channel_set::policy::closed) {
  for (std::size_t i = predefined_field_count; i < f.size(); ++i) {
    const field_id id(i);
    const field& d = f[id];
    declared_rule r;
    r.kind = d.kind;
    r.type = f.type_of(id);
    r.slot = f.slot_of(id);
    r.score_scale = d.score_scale;
    if (d.kind == field_kind::flag) r.tokens.emplace(d.vocabulary);
    declared.push_back(std::move(r));
  }
}

void row_builder::fail(reject_cause cause, std::string reason, std::string value, std::uint64_t column,
                       std::optional<field_id> field) {
  if (failed_) return;
  failed_ = true;
  pending_reject r;
  r.line = line_;
  r.column = column;
  r.field = field;
  r.value = escape_non_utf8(value);
  r.reason = std::move(reason);
  r.cause = cause;
  r.accepted_before = out_->rows;
  out_->rejects.push_back(std::move(r));
}

bool row_builder::check_utf8(field_id f, std::string_view s, std::uint64_t column) {
  if (ascii_row_ || !plan_.validate_utf8 || !has_non_ascii(s.data(), s.size())) return true;
  const std::size_t bad = utf8_error(s);
  if (bad == npos) return true;
  static constexpr char hex[] = "0123456789ABCDEF";
  const auto b = static_cast<unsigned char>(s[bad]);
  std::string reason = plan_.name(f) + " is not valid UTF-8 (byte 0x";
  reason += hex[b >> 4];
  reason += hex[b & 15];
  reason += " at offset " + std::to_string(bad) + " of the field)";
  fail(reject_cause::invalid_utf8, std::move(reason), std::string(s), column, f);
  return false;
}

void row_builder::score_value(field_id f, long long v, std::string_view shown, std::uint64_t column) {
  const scale& s = any_scale(f);
  if (!s.contains(static_cast<int>(std::clamp<long long>(v, -1000000, 1000000)))) {
    fail(reject_cause::score_out_of_scale, "score " + std::to_string(v) + " is outside the " + s.describe(),
         std::string(shown), column, f);
    return;
  }
  set_score(f, static_cast<std::uint8_t>(v));
}

void row_builder::score(field_id f, std::string_view raw, std::uint64_t column) {
  // Fast path: one or two digits.
  if (raw.size() == 1) {
    const unsigned d = static_cast<unsigned>(raw[0] - '0');
    if (d < 10) return score_value(f, d, raw, column);
  } else if (raw.size() == 2) {
    const int v = two_digits(raw.data());
    if (v >= 0) return score_value(f, v, raw, column);
  }
  const auto t = trim_blanks(raw);
  if (t.empty()) {
    mark_missing(f);
    return;
  }
  // An integer, or a whole number written with a decimal point and zeros.
  const std::size_t whole = is_integer_text(t) ? t.size() : whole_decimal_prefix(t);
  if (whole != 0) {
    long long v = 0;
    auto digits = t.substr(0, whole);
    if (digits.front() == '+') digits.remove_prefix(1);
    const auto res = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (res.ec != std::errc()) {  // more digits than a long long holds
      fail(reject_cause::score_out_of_scale, "score " + shorten(t) + " is outside the " + any_scale(f).describe(),
           std::string(raw), column, f);
      return;
    }
    return score_value(f, v, raw, column);
  }
  if (!check_utf8(f, raw, column)) return;
  // Any other number ("9.5", "7,5" with either decimal point, "1e1") is not
  // a score: scores are whole points written as digits.
  std::string dotted(t);
  for (auto& c : dotted) {
    if (c == ',') c = '.';
  }
  double d = 0.0;
  std::errc ec{};
  if ((parse_double(dotted, d, ec) && std::isfinite(d)) || ec == std::errc::result_out_of_range) {
    const bool exponent = t.find_first_of("eE") != std::string_view::npos;
    fail(reject_cause::not_an_integer,
         plan_.name(f) + " score '" + shorten(t) + "' is not a whole point of the " + any_scale(f).describe() +
             (exponent ? " (write scores as digits, without an exponent)"
                       : " (scores are integers, or written with a decimal point and zeros: 9, 9.0)"),
         std::string(raw), column, f);
    return;
  }
  fail(reject_cause::not_a_number, "score '" + shorten(t) + "' is not a number", std::string(raw), column, f);
}

/// A score given as a number (JSON numbers, statistics files): whole values
/// are scores (9.0, 9e0 and 0.9e1 are 9), others not_an_integer.
void row_builder::score_number(field_id f, double d, std::string_view shown, std::uint64_t column) {
  if (!std::isnan(d) && d == std::floor(d)) {
    if (std::fabs(d) < 1e15) return score_value(f, static_cast<long long>(d), shown, column);
    fail(reject_cause::score_out_of_scale, "score " + shorten(shown) + " is outside the " + any_scale(f).describe(),
         std::string(shown), column, f);
    return;
  }
  fail(reject_cause::not_an_integer,
       plan_.name(f) + " score " + shorten(shown) + " is not a whole point of the " + any_scale(f).describe(),
       std::string(shown), column, f);
}

void row_builder::weight_value(field_id f, double w, std::string_view shown, std::uint64_t column) {
  if (!((w >= min_weight && w <= max_weight) || w == 0.0)) {
    try {
      check_weight(w);
    } catch (const error& e) {
      fail(reject_cause::invalid_weight, e.reason(), std::string(shown), column, f);
      return;
    }
  }
  if (f == response_field::weight) {
    weight_ = w + 0.0;  // -0 is 0
    weight_given_ = true;
  } else {
    declared(f).d = w + 0.0;
  }
}

row_builder::parsed row_builder::decimal_text(field_id f, std::string_view raw, std::uint64_t column, char point,
                                              double& out) {
  if (fast_decimal(raw, point, out)) return parsed::ok;
  const auto t = trim_blanks(raw);
  if (t.empty()) {
    mark_missing(f);
    return parsed::missing;
  }
  if (!check_utf8(f, raw, column)) return parsed::failed;
  std::string text(t);
  if (point == ',') {
    // With a decimal comma a '.' is not a decimal point (nor a thousands
    // separator to drop silently: "1.500" is 1500 in some locales, 1.5 in
    // others), so a number holding one is a reject.
    if (text.find('.') != std::string::npos) {
      fail(reject_cause::not_a_number,
           plan_.name(f) + " '" + shorten(t) + "' is not a number with the decimal comma this input is read with",
           std::string(raw), column, f);
      return parsed::failed;
    }
    for (auto& c : text) {
      if (c == ',') c = '.';
    }
  }
  std::errc ec{};
  if (parse_double(text, out, ec)) return parsed::ok;
  if (ec == std::errc::result_out_of_range) return parsed::out_of_range;
  fail(reject_cause::not_a_number, plan_.name(f) + " '" + shorten(t) + "' is not a number", std::string(raw),
       column, f);
  return parsed::failed;
}

void row_builder::weight_text(field_id f, std::string_view raw, std::uint64_t column, char point) {
  double w = 0.0;
  switch (decimal_text(f, raw, column, point, w)) {
    case parsed::ok: return weight_value(f, w, raw, column);
    case parsed::out_of_range:
      fail(reject_cause::invalid_weight,
           plan_.name(f) + " " + shorten(trim_blanks(raw)) + " is outside the range of weights: 0, or 1e-100 to 1e100",
           std::string(raw), column, f);
      return;
    default: return;
  }
}

void row_builder::numeric_value(field_id f, double v, std::string_view shown, std::uint64_t column) {
  if (!std::isfinite(v)) {
    fail(reject_cause::not_a_number, plan_.name(f) + " " + shorten(shown) + " is not a finite number",
         std::string(shown), column, f);
    return;
  }
  declared(f).d = v;
}

void row_builder::numeric_text(field_id f, std::string_view raw, std::uint64_t column, char point) {
  double v = 0.0;
  switch (decimal_text(f, raw, column, point, v)) {
    case parsed::ok: return numeric_value(f, v, raw, column);
    case parsed::out_of_range:
      fail(reject_cause::not_a_number,
           plan_.name(f) + " " + shorten(trim_blanks(raw)) + " is outside the range of a double (about 1e308)",
           std::string(raw), column, f);
      return;
    default: return;
  }
}

void row_builder::timestamp_text(field_id f, std::string_view raw, std::uint64_t column) {
  std::int64_t secs = 0;
  std::int64_t& to = f == response_field::timestamp ? time_ : declared(f).i;
  if (fast_timestamp(raw, secs)) {
    to = secs;
    return;
  }
  if (trim_blanks(raw).empty()) {
    mark_missing(f);
    return;
  }
  if (!check_utf8(f, raw, column)) return;
  timestamp_parse t = try_parse_timestamp(raw, plan_.epoch_unit);
  switch (t.state) {
    case timestamp_parse::status::ok: to = t.value.time_since_epoch().count(); return;
    case timestamp_parse::status::malformed:
      fail(reject_cause::malformed_timestamp, std::move(t.reason), std::string(raw), column, f);
      return;
    case timestamp_parse::status::out_of_range:
      fail(reject_cause::timestamp_out_of_range, std::move(t.reason), std::string(raw), column, f);
      return;
  }
}

void row_builder::flag_text(field_id f, std::string_view raw, std::uint64_t column) {
  const bool own = f == response_field::resolved;
  const flag_tokens& tokens = own ? plan_.resolved : *rule(f).tokens;
  const auto set = [&](resolution r) {
    if (own) {
      resolved_ = static_cast<std::int8_t>(r);
    } else {
      declared(f).i = static_cast<std::int8_t>(r);
    }
  };
  const auto t = trim_blanks(raw);
  if (t.empty()) {
    mark_missing(f);
    set(resolution::unknown);
    return;
  }
  char low[32];
  if (t.size() <= sizeof(low)) {
    for (std::size_t i = 0; i < t.size(); ++i) {
      const char c = t[i];
      low[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
    }
    const std::string_view key(low, t.size());
    for (const auto& tok : tokens.tokens) {
      if (tok.text == key) {
        set(tok.value);
        return;
      }
    }
  }
  if (!check_utf8(f, raw, column)) return;
  fail(reject_cause::invalid_flag,
       plan_.name(f) + " flag '" + shorten(t) + "' is not " + tokens.vocabulary_text + " and not empty",
       std::string(raw), column, f);
}

void row_builder::channel_text(std::string_view raw, std::uint64_t column) {
  constexpr field_id f = response_field::channel;
  if (!check_utf8(f, raw, column)) return;
  const bool blank = trim_blanks(raw).empty();
  if (blank && column != 0) mark_missing(f);
  const std::string_view key = blank ? std::string_view() : raw;
  channel_cache& cc = out_->channels;
  std::uint32_t entry = cc.raw.find(key);
  if (entry == 0xFFFFFFFFU) entry = cc.raw.intern(key);
  // Side tables follow the dictionary (whose entry 0, "", exists from the
  // start and stands for "other").
  while (cc.global.size() < cc.raw.size()) {
    const auto e = static_cast<std::uint32_t>(cc.global.size());
    const std::string_view label = e == 0 ? std::string_view("other") : cc.raw.at(e);
    const auto id = plan_.channels->find(label);
    cc.global.push_back(id ? static_cast<std::int32_t>(id->value)
                           : (plan_.closed_channels ? channel_cache::unknown : channel_cache::pending));
    cc.use.push_back(-1);
  }
  if (cc.global[entry] == channel_cache::unknown) {
    if (blank) {
      fail(reject_cause::unknown_channel, "channel is empty and the closed channel set has no 'other' to put it in",
           std::string(raw), column, f);
      return;
    }
    std::string known;
    for (const auto& n : plan_.channels->names()) known += (known.empty() ? "" : ", ") + n;
    fail(reject_cause::unknown_channel, "channel '" + shorten(raw) + "' is not one of: " + known, std::string(raw),
         column, f);
    return;
  }
  channel_entry_ = entry;
}

// id, agent, segment, why and declared categories, text and ids: kept verbatim.
void row_builder::label_text(field_id f, std::string_view s, std::uint64_t column) {
  if (!check_utf8(f, s, column)) return;
  if (trim_blanks(s).empty()) mark_missing(f);
  switch (static_cast<response_field>(f.value)) {
    case response_field::id: id_ = s; return;
    case response_field::agent: agent_ = s; return;
    case response_field::segment: segment_ = s; return;
    case response_field::why: why_ = s; return;
    default: declared(f).s = s; return;
  }
}

void row_builder::declared_text(field_id f, std::string_view s, std::uint64_t column) {
  switch (rule(f).kind) {
    case field_kind::score: return score(f, s, column);
    case field_kind::flag: return flag_text(f, s, column);
    case field_kind::time: return timestamp_text(f, s, column);
    case field_kind::numeric: return numeric_text(f, s, column, plan_.decimal_point);
    case field_kind::weight: return weight_text(f, s, column, plan_.decimal_point);
    case field_kind::category:
    case field_kind::text:
    case field_kind::id: return label_text(f, s, column);
  }
}

void row_builder::text_slow(field_id f, std::string_view s, std::uint64_t column) {
  if (failed_) return;
  switch (static_cast<response_field>(f.value)) {
    case response_field::nps:
    case response_field::csat:
    case response_field::ces: return score(f, s, column);
    case response_field::weight: return weight_text(f, s, column, plan_.decimal_point);
    case response_field::timestamp: return timestamp_text(f, s, column);
    case response_field::resolved: return flag_text(f, s, column);
    case response_field::channel: return channel_text(s, column);
    case response_field::id:
    case response_field::agent:
    case response_field::segment:
    case response_field::why: return label_text(f, s, column);
    default: return declared_text(column_fields_ != nullptr ? *(*column_fields_)[column - 1] : f, s, column);
  }
}

void row_builder::missing(field_id f, std::uint64_t column) {
  if (failed_) return;
  if (f == response_field::channel) return channel_text(std::string_view(), column == 0 ? 1 : column);
  if (f == response_field::resolved) resolved_ = static_cast<std::int8_t>(resolution::unknown);
  // A declared field's value stays the missing one begin() gave it.
  mark_missing(f);
}

void row_builder::json_number(field_id f, std::string_view literal, std::uint64_t column) {
  if (failed_) return;
  switch (plan_.kind(f)) {
    case field_kind::score: {
      if (is_integer_text(literal)) return score(f, literal, column);
      double d = 0.0;
      std::errc ec{};
      if (!parse_double(literal, d, ec)) {
        // The JSON grammar was checked: only a magnitude past a double's
        // range is left (1e400: out of scale; 1e-400: a fraction).
        const bool tiny = literal.find("e-") != std::string_view::npos || literal.find("E-") != std::string_view::npos;
        return score_number(f, tiny ? 0.5 : HUGE_VAL, literal, column);
      }
      return score_number(f, d, literal, column);
    }
    case field_kind::weight: return weight_text(f, literal, column, '.');
    case field_kind::numeric: return numeric_text(f, literal, column, '.');
    default: return text(f, literal, column);
  }
}

void row_builder::json_bool(field_id f, bool v, std::uint64_t column) {
  if (failed_) return;
  if (plan_.kind(f) == field_kind::flag) {
    const auto r = static_cast<std::int8_t>(v ? resolution::yes : resolution::no);
    if (f == response_field::resolved) {
      resolved_ = r;
    } else {
      declared(f).i = r;
    }
    return;
  }
  text(f, v ? std::string_view("true") : std::string_view("false"), column);
}

void row_builder::json_structure(field_id f, std::string_view raw, std::uint64_t column) {
  if (failed_) return;
  fail(reject_cause::invalid_value,
       plan_.name(f) + " holds a JSON " + (raw.size() > 0 && raw[0] == '[' ? "array" : "object") +
           " where a single value belongs",
       std::string(raw), column, f);
}

void row_builder::number(field_id f, double v, std::string_view as_text, std::uint64_t column) {
  if (failed_) return;
  if (std::isnan(v)) return missing(f, column);
  switch (plan_.kind(f)) {
    case field_kind::score: return score_number(f, v, as_text, column);
    case field_kind::weight: return weight_value(f, v, as_text, column);
    case field_kind::numeric: return numeric_value(f, v, as_text, column);
    default: return text(f, as_text, column);
  }
}

void row_builder::time_seconds(field_id f, std::int64_t secs, std::string_view as_text, std::uint64_t column) {
  if (failed_) return;
  const timestamp t{std::chrono::seconds{secs}};
  if (!timestamp_in_range(t)) {
    // Dates of statistics files: years up to ±30000 print as dates.
    std::string reason = "date value " + shorten(as_text);
    if (secs > -30000LL * 31556952 && secs < 30000LL * 31556952) reason += " is " + format_timestamp(t) + ",";
    fail(reject_cause::timestamp_out_of_range,
         reason + " outside the accepted range 1900-01-01T00:00:00Z .. 2200-12-31T23:59:59Z", std::string(as_text),
         column, f);
    return;
  }
  (f == response_field::timestamp ? time_ : declared(f).i) = secs;
}

void row_builder::reset_declared() noexcept {
  for (std::size_t k = 0; k < declared_.size(); ++k) {
    declared_value& v = declared_[k];
    v.s = std::string_view();
    v.missing = false;
    switch (plan_.declared[k].kind) {
      case field_kind::score: v.i = response_table::missing_score; break;
      case field_kind::flag: v.i = static_cast<std::int8_t>(resolution::unknown); break;
      case field_kind::time: v.i = response_table::missing_time; break;
      case field_kind::numeric: v.d = std::numeric_limits<double>::quiet_NaN(); break;
      case field_kind::weight: v.d = 1.0; break;
      default: break;
    }
  }
}

void row_builder::store_declared(chunk_out& o, std::size_t r) {
  response_batch& b = o.batch;
  for (std::size_t k = 0; k < declared_.size(); ++k) {
    const declared_value& v = declared_[k];
    const declared_rule& d = plan_.declared[k];
    switch (d.type) {
      case column_type::score: batch_access::score(b, d.slot)[r] = static_cast<std::uint8_t>(v.i); break;
      case column_type::flag: batch_access::flag(b, d.slot)[r] = static_cast<std::int8_t>(v.i); break;
      case column_type::time: batch_access::time(b, d.slot)[r] = v.i; break;
      case column_type::category:
        batch_access::category(b, d.slot)[r] = v.s.empty() ? 0U : o.categories[d.slot].intern(v.s);
        break;
      case column_type::number: batch_access::number(b, d.slot)[r] = v.d; break;
      case column_type::text:
        o.text_bytes[d.slot] = batch_access::put_text(batch_access::text(b, d.slot), o.text_bytes[d.slot], v.s);
        batch_access::text_end(b, d.slot)[r] = o.text_bytes[d.slot];
        break;
      case column_type::channel: break;  // the predefined channel only
    }
    if (v.missing) ++o.missing[predefined_field_count + k];
  }
}

void row_builder::end() {
  chunk_out& o = *out_;
  ++o.rows_read;
  if (failed_) return;
  if (channel_entry_ == npos32) {
    // No channel column: the label is "other" (column 0: not counted missing).
    const channel_cache& c0 = o.channels;
    if (!c0.global.empty() && c0.global[0] != channel_cache::unknown) {
      channel_entry_ = 0;
    } else {
      channel_text(std::string_view(), 0);
      if (failed_) return;
    }
  }
  channel_cache& cc = o.channels;
  std::int32_t& use = cc.use[channel_entry_];
  if (use < 0) {
    if (cc.used.size() >= channel_set::max_labels) {
      // More labels than a batch's 16-bit ids hold: session::deliver stops
      // the read with limit_exceeded at this line. The row is not stored.
      if (o.channel_overflow_line == 0) o.channel_overflow_line = line_;
      return;
    }
    use = static_cast<std::int32_t>(cc.used.size());
    cc.used.push_back(channel_entry_);
  }
  // One room check per row, then plain stores (seal() trims the columns).
  constexpr std::size_t id = predefined_slot(response_field::id);
  constexpr std::size_t why = predefined_slot(response_field::why);
  constexpr std::size_t segment = predefined_slot(response_field::segment);
  constexpr std::size_t agent = predefined_slot(response_field::agent);
  response_batch& b = o.batch;
  const std::size_t r = o.rows;
  const row_columns& c = o.row_room(r);
  c.nps[r] = nps_;
  c.csat[r] = csat_;
  c.ces[r] = ces_;
  c.time[r] = time_;
  c.channel[r] = static_cast<std::uint16_t>(use);
  c.segment[r] = segment_.empty() ? 0U : o.categories[segment].intern(segment_);
  c.agent[r] = agent_.empty() ? 0U : o.categories[agent].intern(agent_);
  c.weight[r] = weight_;
  c.resolved[r] = resolved_;
  c.line[r] = line_;
  std::size_t* const bytes = o.text_bytes.data();
  bytes[id] = batch_access::put_text(batch_access::text(b, id), bytes[id], id_);
  c.id_end[r] = bytes[id];
  bytes[why] = batch_access::put_text(batch_access::text(b, why), bytes[why], why_);
  c.why_end[r] = bytes[why];
  if (has_declared_) store_declared(o, r);
  o.rows = r + 1;
  if (weight_given_) batch_access::set_weighted(b);
  for (std::uint16_t m = missing_; m != 0; m = static_cast<std::uint16_t>(m & (m - 1))) {
    ++o.missing[static_cast<std::size_t>(std::countr_zero(m))];
  }
}

}  // namespace cxm::detail
