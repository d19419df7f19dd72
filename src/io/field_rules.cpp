// The field rules of io/ingest.hpp, applied one row at a time: the compiled
// options (row_plan), every value check beyond the inline fast forms of
// src/io/field_rules.hpp, and the row appended to its chunk.
#include "io/field_rules.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <system_error>
#include <utility>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/engine/grouped.hpp"  // key_tuple_hash::mix

namespace cxm::detail {

void chunk_out::clear() {
  batch_access::clear(batch);
  rows = 0;
  id_bytes = 0;
  why_bytes = 0;
  agents.clear();
  segments.clear();
  channels.clear();
  rejects.clear();
  rows_read = 0;
  empty_lines = 0;
  missing.fill(0);
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

std::string describe_tokens(const std::vector<row_plan::token>& tokens, resolution r) {
  std::string out;
  for (const auto& t : tokens) {
    if (t.value != r) continue;
    if (!out.empty()) out += ", ";
    out += t.text;
  }
  return out;
}

}  // namespace

row_plan::row_plan(const ingest_options& o)
    : nps(o.scales.nps),
      csat(o.scales.csat),
      ces(o.scales.ces),
      decimal_point(o.decimal_point),
      validate_utf8(o.validate_utf8),
      epoch_unit(o.epoch_unit),
      closed_channels(o.channels.mode() == channel_set::policy::closed) {
  auto add = [this](const std::vector<std::string>& list, resolution r, const char* kind) {
    for (const auto& s : list) {
      const std::string t = lower_trimmed(s);
      if (t.empty()) {
        throw invalid_argument(std::string("a resolved token of kind '") + kind + "' is empty (an empty field is always unknown)",
                               at_field("resolved"));
      }
      for (const auto& have : tokens) {
        if (have.text == t && have.value != r) {
          throw invalid_argument("resolved token '" + t + "' is listed as two kinds", at_field("resolved"));
        }
      }
      tokens.push_back({t, r});
    }
  };
  add(o.resolved.yes, resolution::yes, "yes");
  add(o.resolved.no, resolution::no, "no");
  add(o.resolved.unknown, resolution::unknown, "unknown");
  for (const auto& t : tokens) {
    if (t.text.empty() || t.text.size() > 8) continue;
    packed_token pt;
    pt.word = pack_upto8(t.text.data(), t.text.size());
    pt.len = static_cast<std::uint32_t>(t.text.size());
    pt.value = static_cast<std::int8_t>(t.value);
    packed.push_back(pt);
  }
  // Odd multipliers from the SplitMix64 mixer the grouped engine hashes keys
  // with, until one puts every distinct token in a slot of its own; with the
  // default dozen tokens in 64 slots about one in three does.
  for (std::uint64_t attempt = 0; attempt < 256 && packed.size() <= token_slot.size() / 2 && token_mul == 0;
       ++attempt) {
    const std::uint64_t mul = key_tuple_hash::mix(attempt) | 1U;
    std::array<packed_token, std::size_t{1} << token_bits> slots{};
    bool ok = true;
    for (const auto& pt : packed) {
      packed_token& sl = slots[token_hash(pt.word, pt.len, mul)];
      if (sl.len == 0) {
        sl = pt;
      } else if (sl.len != pt.len || sl.word != pt.word) {
        ok = false;  // two tokens in one slot (the same token twice is fine)
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

void row_builder::fail(reject_cause cause, std::string reason, std::string value, std::uint64_t column,
                       std::optional<response_field> field) {
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

bool row_builder::check_utf8(response_field f, std::string_view s, std::uint64_t column) {
  if (ascii_row_ || !plan_.validate_utf8 || !has_non_ascii(s.data(), s.size())) return true;
  const std::size_t bad = utf8_error(s);
  if (bad == npos) return true;
  static constexpr char hex[] = "0123456789ABCDEF";
  const auto b = static_cast<unsigned char>(s[bad]);
  std::string reason = std::string(to_string(f)) + " is not valid UTF-8 (byte 0x";
  reason += hex[b >> 4];
  reason += hex[b & 15];
  reason += " at offset " + std::to_string(bad) + " of the field)";
  fail(reject_cause::invalid_utf8, std::move(reason), std::string(s), column, f);
  return false;
}

void row_builder::score_value(response_field f, long long v, std::string_view shown, std::uint64_t column) {
  const scale& s = scale_of(f);
  if (!s.contains(static_cast<int>(std::clamp<long long>(v, -1000000, 1000000)))) {
    fail(reject_cause::score_out_of_scale, "score " + std::to_string(v) + " is outside the " + s.describe(),
         std::string(shown), column, f);
    return;
  }
  slot_of(f) = static_cast<std::uint8_t>(v);
}

void row_builder::score(response_field f, std::string_view raw, std::uint64_t column) {
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
      fail(reject_cause::score_out_of_scale, "score " + shorten(t) + " is outside the " + scale_of(f).describe(),
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
         std::string(to_string(f)) + " score '" + shorten(t) + "' is not a whole point of the " +
             scale_of(f).describe() +
             (exponent ? " (write scores as digits, without an exponent)"
                       : " (scores are integers, or written with a decimal point and zeros: 9, 9.0)"),
         std::string(raw), column, f);
    return;
  }
  fail(reject_cause::not_a_number, "score '" + shorten(t) + "' is not a number", std::string(raw), column, f);
}

/// A score given as a number (JSON numbers, statistics files): whole values
/// are scores (9.0, 9e0 and 0.9e1 are 9), others not_an_integer.
void row_builder::score_number(response_field f, double d, std::string_view shown, std::uint64_t column) {
  if (!std::isnan(d) && d == std::floor(d)) {
    if (std::fabs(d) < 1e15) return score_value(f, static_cast<long long>(d), shown, column);
    fail(reject_cause::score_out_of_scale, "score " + shorten(shown) + " is outside the " + scale_of(f).describe(),
         std::string(shown), column, f);
    return;
  }
  fail(reject_cause::not_an_integer,
       std::string(to_string(f)) + " score " + shorten(shown) + " is not a whole point of the " +
           scale_of(f).describe(),
       std::string(shown), column, f);
}

void row_builder::weight_value(double w, std::string_view shown, std::uint64_t column) {
  if (!((w >= min_weight && w <= max_weight) || w == 0.0)) {
    try {
      check_weight(w);
    } catch (const error& e) {
      fail(reject_cause::invalid_weight, e.reason(), std::string(shown), column, response_field::weight);
      return;
    }
  }
  weight_ = w + 0.0;  // -0 is 0
  weight_given_ = true;
}

void row_builder::weight_text(std::string_view raw, std::uint64_t column, char point) {
  double w = 0.0;
  if (fast_decimal(raw, point, w)) return weight_value(w, raw, column);
  const auto t = trim_blanks(raw);
  if (t.empty()) {
    mark_missing(response_field::weight);
    return;
  }
  if (!check_utf8(response_field::weight, raw, column)) return;
  std::string text(t);
  if (point == ',') {
    // With a decimal comma a '.' is not a decimal point (nor a thousands
    // separator to drop silently: "1.500" is 1500 in some locales, 1.5 in
    // others), so a number holding one is a reject.
    if (text.find('.') != std::string::npos) {
      fail(reject_cause::not_a_number,
           "weight '" + shorten(t) + "' is not a number with the decimal comma this input is read with",
           std::string(raw), column, response_field::weight);
      return;
    }
    for (auto& c : text) {
      if (c == ',') c = '.';
    }
  }
  std::errc ec{};
  if (!parse_double(text, w, ec)) {
    if (ec == std::errc::result_out_of_range) {
      fail(reject_cause::invalid_weight,
           "weight " + shorten(t) + " is outside the range of weights: 0, or 1e-100 to 1e100", std::string(raw),
           column, response_field::weight);
      return;
    }
    fail(reject_cause::not_a_number, "weight '" + shorten(t) + "' is not a number", std::string(raw), column,
         response_field::weight);
    return;
  }
  weight_value(w, raw, column);
}

void row_builder::timestamp_text(std::string_view raw, std::uint64_t column) {
  std::int64_t secs = 0;
  if (fast_timestamp(raw, secs)) {
    time_ = secs;
    return;
  }
  if (trim_blanks(raw).empty()) {
    mark_missing(response_field::timestamp);
    return;
  }
  if (!check_utf8(response_field::timestamp, raw, column)) return;
  timestamp_parse t = try_parse_timestamp(raw, plan_.epoch_unit);
  switch (t.state) {
    case timestamp_parse::status::ok: time_ = t.value.time_since_epoch().count(); return;
    case timestamp_parse::status::malformed:
      fail(reject_cause::malformed_timestamp, std::move(t.reason), std::string(raw), column, response_field::timestamp);
      return;
    case timestamp_parse::status::out_of_range:
      fail(reject_cause::timestamp_out_of_range, std::move(t.reason), std::string(raw), column,
           response_field::timestamp);
      return;
  }
}

void row_builder::resolved_text(std::string_view raw, std::uint64_t column) {
  const auto t = trim_blanks(raw);
  if (t.empty()) {
    mark_missing(response_field::resolved);
    resolved_ = static_cast<std::int8_t>(resolution::unknown);
    return;
  }
  char low[32];
  if (t.size() <= sizeof(low)) {
    for (std::size_t i = 0; i < t.size(); ++i) {
      const char c = t[i];
      low[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
    }
    const std::string_view key(low, t.size());
    for (const auto& tok : plan_.tokens) {
      if (tok.text == key) {
        resolved_ = static_cast<std::int8_t>(tok.value);
        return;
      }
    }
  }
  if (!check_utf8(response_field::resolved, raw, column)) return;
  fail(reject_cause::invalid_flag,
       "resolved flag '" + shorten(t) + "' is not " + plan_.vocabulary_text + " and not empty", std::string(raw),
       column, response_field::resolved);
}

void row_builder::channel_text(std::string_view raw, std::uint64_t column) {
  if (!check_utf8(response_field::channel, raw, column)) return;
  const bool blank = trim_blanks(raw).empty();
  if (blank && column != 0) mark_missing(response_field::channel);
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
           std::string(raw), column, response_field::channel);
      return;
    }
    std::string known;
    for (const auto& n : plan_.channels->names()) known += (known.empty() ? "" : ", ") + n;
    fail(reject_cause::unknown_channel, "channel '" + shorten(raw) + "' is not one of: " + known, std::string(raw),
         column, response_field::channel);
    return;
  }
  channel_entry_ = entry;
}

void row_builder::text_slow(response_field f, std::string_view s, std::uint64_t column) {
  if (failed_) return;
  switch (f) {
    case response_field::nps:
    case response_field::csat:
    case response_field::ces: return score(f, s, column);
    case response_field::weight: return weight_text(s, column, plan_.decimal_point);
    case response_field::timestamp: return timestamp_text(s, column);
    case response_field::resolved: return resolved_text(s, column);
    case response_field::channel: return channel_text(s, column);
    case response_field::id:
    case response_field::agent:
    case response_field::segment:
    case response_field::why:
      if (!check_utf8(f, s, column)) return;
      if (trim_blanks(s).empty()) mark_missing(f);
      if (f == response_field::id) {
        id_ = s;
      } else if (f == response_field::agent) {
        agent_ = s;
      } else if (f == response_field::segment) {
        segment_ = s;
      } else {
        why_ = s;
      }
      return;
  }
}

void row_builder::missing(response_field f, std::uint64_t column) {
  if (failed_) return;
  if (f == response_field::channel) return channel_text(std::string_view(), column == 0 ? 1 : column);
  if (f == response_field::resolved) resolved_ = static_cast<std::int8_t>(resolution::unknown);
  mark_missing(f);
}

void row_builder::json_number(response_field f, std::string_view literal, std::uint64_t column) {
  if (failed_) return;
  switch (f) {
    case response_field::nps:
    case response_field::csat:
    case response_field::ces: {
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
    case response_field::weight: return weight_text(literal, column, '.');
    default: return text(f, literal, column);
  }
}

void row_builder::json_bool(response_field f, bool v, std::uint64_t column) {
  if (failed_) return;
  if (f == response_field::resolved) {
    resolved_ = static_cast<std::int8_t>(v ? resolution::yes : resolution::no);
    return;
  }
  text(f, v ? std::string_view("true") : std::string_view("false"), column);
}

void row_builder::json_structure(response_field f, std::string_view raw, std::uint64_t column) {
  if (failed_) return;
  fail(reject_cause::invalid_value,
       std::string(to_string(f)) + " holds a JSON " + (raw.size() > 0 && raw[0] == '[' ? "array" : "object") +
           " where a single value belongs",
       std::string(raw), column, f);
}

void row_builder::number(response_field f, double v, std::string_view as_text, std::uint64_t column) {
  if (failed_) return;
  if (std::isnan(v)) return missing(f, column);
  switch (f) {
    case response_field::nps:
    case response_field::csat:
    case response_field::ces: return score_number(f, v, as_text, column);
    case response_field::weight: return weight_value(v, as_text, column);
    default: return text(f, as_text, column);
  }
}

void row_builder::time_seconds(std::int64_t secs, std::string_view as_text, std::uint64_t column) {
  if (failed_) return;
  const timestamp t{std::chrono::seconds{secs}};
  if (!timestamp_in_range(t)) {
    // Dates of statistics files: years up to ±30000 print as dates.
    std::string reason = "date value " + shorten(as_text);
    if (secs > -30000LL * 31556952 && secs < 30000LL * 31556952) reason += " is " + format_timestamp(t) + ",";
    fail(reject_cause::timestamp_out_of_range,
         reason + " outside the accepted range 1900-01-01T00:00:00Z .. 2200-12-31T23:59:59Z", std::string(as_text),
         column, response_field::timestamp);
    return;
  }
  time_ = secs;
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
  response_batch& b = o.batch;
  const std::size_t r = o.rows;
  if (r == batch_access::room(b)) batch_access::grow(b);
  batch_access::nps(b)[r] = nps_;
  batch_access::csat(b)[r] = csat_;
  batch_access::ces(b)[r] = ces_;
  batch_access::time(b)[r] = time_;
  batch_access::channel(b)[r] = static_cast<std::uint16_t>(use);
  batch_access::segment(b)[r] = segment_.empty() ? 0U : o.segments.intern(segment_);
  batch_access::agent(b)[r] = agent_.empty() ? 0U : o.agents.intern(agent_);
  batch_access::weight(b)[r] = weight_;
  batch_access::resolved(b)[r] = resolved_;
  batch_access::line(b)[r] = line_;
  o.id_bytes = batch_access::put_text(batch_access::id_text(b), o.id_bytes, id_);
  batch_access::id_end(b)[r] = o.id_bytes;
  o.why_bytes = batch_access::put_text(batch_access::why_text(b), o.why_bytes, why_);
  batch_access::why_end(b)[r] = o.why_bytes;
  o.rows = r + 1;
  if (weight_given_) batch_access::set_weighted(b);
  for (std::uint16_t m = missing_; m != 0; m = static_cast<std::uint16_t>(m & (m - 1))) {
    ++o.missing[static_cast<std::size_t>(std::countr_zero(m))];
  }
}

}  // namespace cxm::detail
