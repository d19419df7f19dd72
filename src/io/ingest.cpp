// Shared part of the readers: field rules, chunk delivery, options, mapping
// files, rejects and the summary. See include/cxmetrics/io/ingest.hpp.
#include "cxmetrics/io/ingest.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <ostream>
#include <sstream>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/core/hash.hpp"
#include "cxmetrics/io/csv.hpp"  // error_kind is declared (CXMETRICS_API) there
#include "io/ingest_internal.hpp"

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#define CXMETRICS_POSIX_IO 1
#endif

namespace cxm {

// ---------------------------------------------------------------------------
// Names

std::optional<response_field> field_from_name(std::string_view name) noexcept {
  for (std::size_t f = 0; f < response_field_count; ++f) {
    if (name == to_string(static_cast<response_field>(f))) return static_cast<response_field>(f);
  }
  return std::nullopt;
}

std::string column_key(std::string_view name) {
  std::string k;
  detail::column_key_into(name, k);
  return k;
}

std::string_view to_string(ingest_format f) noexcept {
  switch (f) {
    case ingest_format::csv: return "csv";
    case ingest_format::jsonl: return "jsonl";
    case ingest_format::sav: return "sav";
    case ingest_format::por: return "por";
    case ingest_format::dta: return "dta";
    case ingest_format::sas7bdat: return "sas7bdat";
    case ingest_format::xport: return "xport";
  }
  return "csv";
}

std::optional<ingest_format> format_from_name(std::string_view name) noexcept {
  std::string n;
  for (char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "csv" || n == "tsv" || n == "txt") return ingest_format::csv;
  if (n == "jsonl" || n == "ndjson" || n == "json") return ingest_format::jsonl;
  if (n == "sav" || n == "zsav") return ingest_format::sav;
  if (n == "por") return ingest_format::por;
  if (n == "dta") return ingest_format::dta;
  if (n == "sas7bdat") return ingest_format::sas7bdat;
  if (n == "xport" || n == "xpt") return ingest_format::xport;
  return std::nullopt;
}

ingest_format format_of_path(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  if (!ext.empty() && ext.front() == '.') ext.erase(0, 1);
  if (ext != "json") {  // a .json file is one document, not JSON Lines
    if (auto f = format_from_name(ext)) return *f;
  }
  location where;
  where.file = file.string();
  throw invalid_argument("cannot tell the input format from the extension '" + detail::shorten(file.extension().string()) +
                             "' (known: .csv .tsv .txt .jsonl .ndjson .sav .zsav .por .dta .sas7bdat .xpt); "
                             "name the format in the options",
                         where);
}

std::string_view to_string(reject_cause c) noexcept {
  switch (c) {
    case reject_cause::score_out_of_scale: return "score_out_of_scale";
    case reject_cause::not_an_integer: return "not_an_integer";
    case reject_cause::not_a_number: return "not_a_number";
    case reject_cause::malformed_timestamp: return "malformed_timestamp";
    case reject_cause::unknown_channel: return "unknown_channel";
    case reject_cause::invalid_flag: return "invalid_flag";
    case reject_cause::invalid_weight: return "invalid_weight";
    case reject_cause::invalid_utf8: return "invalid_utf8";
    case reject_cause::invalid_value: return "invalid_value";
    case reject_cause::field_count: return "field_count";
    case reject_cause::malformed_csv: return "malformed_csv";
    case reject_cause::malformed_json: return "malformed_json";
    case reject_cause::record_too_long: return "record_too_long";
    case reject_cause::timestamp_out_of_range: return "timestamp_out_of_range";
  }
  return "invalid_value";
}

int reject_error_id(reject_cause c) noexcept {
  switch (c) {
    case reject_cause::score_out_of_scale: return score_out_of_scale::code;
    case reject_cause::not_an_integer: return invalid_value::code;
    case reject_cause::malformed_timestamp:
    case reject_cause::timestamp_out_of_range: return malformed_timestamp::code;
    case reject_cause::unknown_channel: return unknown_channel::code;
    case reject_cause::invalid_flag: return invalid_value::code;
    case reject_cause::invalid_weight: return invalid_weight::code;
    case reject_cause::invalid_value: return invalid_value::code;
    case reject_cause::not_a_number:
    case reject_cause::invalid_utf8:
    case reject_cause::field_count:
    case reject_cause::malformed_csv:
    case reject_cause::malformed_json:
    case reject_cause::record_too_long: return parse_error::code;
  }
  return parse_error::code;
}

std::string_view error_kind(int error_id) noexcept {
  switch (error_id) {
    case score_out_of_scale::code: return "score_out_of_scale";
    case invalid_weight::code: return "invalid_weight";
    case unknown_channel::code: return "unknown_channel";
    case malformed_timestamp::code: return "malformed_timestamp";
    case invalid_value::code: return "invalid_value";
    case invalid_argument::code: return "invalid_argument";
    case incompatible_merge::code: return "incompatible_merge";
    case parse_error::code: return "parse_error";
    case limit_exceeded::code: return "limit_exceeded";
    case serialization_error::code: return "serialization_error";
    default: return "unknown";
  }
}

// ---------------------------------------------------------------------------
// Rejects

location ingest_reject::where() const {
  location l;
  l.file = file;
  l.line = line;
  if (column != 0) l.column = column;
  l.field = field;
  return l;
}

std::string ingest_reject::message() const {
  std::string m = "[cxm.";
  m += error_kind(error_id);
  m += '.';
  m += std::to_string(error_id);
  m += "] ";
  m += where().to_string();
  m += ": ";
  m += reason;
  return m;
}

void ingest_reject::raise() const {
  switch (error_id) {
    case score_out_of_scale::code: throw score_out_of_scale(reason, where());
    case invalid_weight::code: throw invalid_weight(reason, where());
    case unknown_channel::code: throw unknown_channel(reason, where());
    case malformed_timestamp::code: throw malformed_timestamp(reason, where());
    case invalid_value::code: throw invalid_value(reason, where());
    default: throw parse_error(reason, where());
  }
}

void to_json(nlohmann::json& j, const ingest_summary& s) {
  j = nlohmann::json{{"rows_read", s.rows_read},
                     {"accepted", s.accepted},
                     {"rejected", s.rejected},
                     {"empty_lines", s.empty_lines},
                     {"rejected_by_reason", s.rejected_by_reason},
                     {"rejected_by_cause", s.rejected_by_cause},
                     {"missing_by_field", s.missing_by_field},
                     {"bytes_read", s.bytes_read}};
}

void to_json(nlohmann::json& j, const ingest_reject& r) {
  j = nlohmann::json{{"file", r.file},     {"line", r.line},         {"column", r.column},
                     {"field", r.field},   {"value", r.value},       {"reason", r.reason},
                     {"error_id", r.error_id}, {"cause", std::string(to_string(r.cause))}};
}

namespace {

void write_csv_field(std::ostream& out, std::string_view s) {
  const bool quote = s.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out << s;
    return;
  }
  out << '"';
  for (char c : s) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

}  // namespace

reject_csv_writer::reject_csv_writer(std::ostream& out, bool header) : out_(&out) {
  if (header) *out_ << "file,line,column,field,cause,error_id,reason,value\n";
}

void reject_csv_writer::operator()(const ingest_reject& r) const {
  std::ostream& o = *out_;
  write_csv_field(o, r.file);
  o << ',' << r.line << ',' << r.column << ',';
  write_csv_field(o, r.field);
  o << ',' << to_string(r.cause) << ',' << r.error_id << ',';
  write_csv_field(o, r.reason);
  o << ',';
  write_csv_field(o, r.value);
  o << '\n';
}

// ---------------------------------------------------------------------------
// Batches

namespace detail {

void batch_access::resize_rows(response_batch& b, std::size_t n) {
  b.nps_.resize(n);
  b.csat_.resize(n);
  b.ces_.resize(n);
  b.time_.resize(n);
  b.channel_.resize(n);
  b.segment_.resize(n);
  b.agent_.resize(n);
  b.weight_.resize(n);
  b.resolved_.resize(n);
  b.line_.resize(n);
  b.id_end_.resize(n);
  b.why_end_.resize(n);
}

void batch_access::truncate(response_batch& b, std::size_t n) {
  if (n >= b.size()) return;
  resize_rows(b, n);
  b.id_text_.resize(n == 0 ? 0 : static_cast<std::size_t>(b.id_end_[n - 1]));
  b.why_text_.resize(n == 0 ? 0 : static_cast<std::size_t>(b.why_end_[n - 1]));
}

void batch_access::grow(response_batch& b) { resize_rows(b, std::max<std::size_t>(1024, 2 * b.nps_.size())); }

void batch_access::seal(response_batch& b, std::size_t n, std::size_t id_bytes, std::size_t why_bytes) {
  resize_rows(b, n);
  b.id_text_.resize(id_bytes);
  b.why_text_.resize(why_bytes);
}

}  // namespace detail

response response_batch::row(std::size_t i) const {
  response r;
  r.id = std::string(id(i));
  if (nps_[i] != response_table::missing_score) r.nps = nps_[i];
  if (csat_[i] != response_table::missing_score) r.csat = csat_[i];
  if (ces_[i] != response_table::missing_score) r.ces = ces_[i];
  if (time_[i] != response_table::missing_time) r.time = timestamp{std::chrono::seconds{time_[i]}};
  r.channel = channel_id{channel_[i]};
  r.segment = segments_->name(segment_[i]);
  r.agent = agents_->name(agent_[i]);
  r.weight = weight_[i];
  r.resolved = static_cast<resolution>(resolved_[i]);
  r.why = std::string(why(i));
  return r;
}

void response_batch::append_to(response_table& table) const {
  // The table's open channel set learns the batch's labels in id order, so
  // its ids equal the batch's.
  if (channels_ != nullptr) {
    for (std::size_t c = table.channel_labels().size(); c < channels_->size(); ++c) {
      (void)table.channel_of(channels_->names()[c]);
    }
  }
  table.reserve(table.size() + size());
  for (std::size_t i = 0; i < size(); ++i) table.append(row(i));
  if (weighted_) table.mark_weighted();
}

namespace detail {

// ---------------------------------------------------------------------------
// Text helpers

std::string lower_trimmed(std::string_view s) {
  std::string out(trim_blanks(s));
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::size_t utf8_error(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;  // bounds of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlong
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // no overlong
      if (c == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    }
    i += len;
  }
  return npos;
}

std::string escape_non_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  static constexpr char hex[] = "0123456789ABCDEF";
  while (!s.empty()) {
    const std::size_t bad = utf8_error(s);
    if (bad == npos) {
      out.append(s);
      break;
    }
    out.append(s.substr(0, bad));
    const auto b = static_cast<unsigned char>(s[bad]);
    out += "\\x";
    out += hex[b >> 4];
    out += hex[b & 15];
    s.remove_prefix(bad + 1);
  }
  return out;
}

// ---------------------------------------------------------------------------
// local_dict

void local_dict::clear() {
  bytes_.clear();
  ends_.clear();
  // A table the previous chunk grew is kept (the next chunk of the input
  // likely holds as many distinct strings), up to 2^16 slots: clearing it
  // costs less than growing it again through every power of two.
  if (slots_.empty() || slots_.size() > (std::size_t{1} << 16)) {
    slots_.assign(64, slot{});
    mask_ = 63;
    shift_ = 58;
  } else {
    std::fill(slots_.begin(), slots_.end(), slot{});
  }
  (void)intern(std::string_view());
}

std::uint32_t local_dict::add(std::string_view s, const key& k, std::uint64_t j) {
  if (ends_.size() >= 0xFFFFFFF0U) throw invalid_argument("too many distinct strings in one chunk of input");
  const auto id = static_cast<std::uint32_t>(ends_.size());
  bytes_.insert(bytes_.end(), s.begin(), s.end());
  ends_.push_back(bytes_.size());
  slot& sl = slots_[j];
  sl.w0 = k.w0;
  sl.w1 = k.w1;
  sl.len = k.len;
  sl.id1 = id + 1;
  if (ends_.size() * 4 > slots_.size()) grow();  // load <= 1/4: most lookups probe one slot
  return id;
}

void local_dict::grow() {
  std::vector<slot> slots(slots_.size() * 2);
  const std::uint64_t mask = slots.size() - 1;
  const unsigned shift = shift_ - 1;
  for (const slot& sl : slots_) {
    if (sl.id1 == 0) continue;
    std::uint64_t j = key_of(at(sl.id1 - 1)).hash >> shift;
    while (slots[j].id1 != 0) j = (j + 1) & mask;
    slots[j] = sl;
  }
  slots_ = std::move(slots);
  mask_ = mask;
  shift_ = shift;
}

// ---------------------------------------------------------------------------
// chunk_out

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
      fail(reject_cause::score_out_of_scale, "score " + std::string(t) + " is outside the " + scale_of(f).describe(),
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
         std::string(to_string(f)) + " score '" + std::string(t) + "' is not a whole point of the " +
             scale_of(f).describe() +
             (exponent ? " (write scores as digits, without an exponent)"
                       : " (scores are integers, or written with a decimal point and zeros: 9, 9.0)"),
         std::string(raw), column, f);
    return;
  }
  fail(reject_cause::not_a_number, "score '" + std::string(t) + "' is not a number", std::string(raw), column, f);
}

/// A score given as a number (JSON numbers, statistics files): whole values
/// are scores (9.0, 9e0 and 0.9e1 are 9), others not_an_integer.
void row_builder::score_number(response_field f, double d, std::string_view shown, std::uint64_t column) {
  if (!std::isnan(d) && d == std::floor(d)) {
    if (std::fabs(d) < 1e15) return score_value(f, static_cast<long long>(d), shown, column);
    fail(reject_cause::score_out_of_scale, "score " + std::string(shown) + " is outside the " + scale_of(f).describe(),
         std::string(shown), column, f);
    return;
  }
  fail(reject_cause::not_an_integer,
       std::string(to_string(f)) + " score " + std::string(shown) + " is not a whole point of the " +
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
           "weight '" + std::string(t) + "' is not a number with the decimal comma this input is read with",
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
           "weight " + std::string(t) + " is outside the range of weights: 0, or 1e-100 to 1e100", std::string(raw),
           column, response_field::weight);
      return;
    }
    fail(reject_cause::not_a_number, "weight '" + std::string(t) + "' is not a number", std::string(raw), column,
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
       "resolved flag '" + std::string(t) + "' is not " + plan_.vocabulary_text + " and not empty", std::string(raw),
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
    fail(reject_cause::unknown_channel, "channel '" + std::string(raw) + "' is not one of: " + known, std::string(raw),
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
    std::string reason = "date value " + std::string(as_text);
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

// ---------------------------------------------------------------------------
// Session

session::session(const ingest_options& options, const ingest_sink& sink, std::string source, ingest_format format)
    : options_(options),
      sink_(sink),
      source_(std::move(source)),
      channels_(options.channels),
      parse_channels_(options.channels),
      plan_(options) {
  plan_.channels = &parse_channels_;
  report_.format = format;
  if (options_.decimal_point == 0) options_.decimal_point = '.';  // not detected (CSV detects before set_dialect)
  plan_.decimal_point = options_.decimal_point;
}

void session::set_dialect(char delimiter, bool delimiter_detected, char decimal_point, bool decimal_point_detected) {
  options_.delimiter = delimiter;
  options_.decimal_point = decimal_point;
  plan_.decimal_point = decimal_point;
  report_.delimiter = delimiter;
  report_.delimiter_detected = delimiter_detected;
  report_.decimal_point = decimal_point;
  report_.decimal_point_detected = decimal_point_detected;
}

void session::set_present(const std::array<bool, response_field_count>& present) {
  for (std::size_t f = 0; f < response_field_count; ++f) {
    if (present[f]) report_.summary.missing_by_field[to_string(static_cast<response_field>(f))] = 0;
  }
}

void session::set_header(std::vector<std::string> header, header_mapping&& m) {
  for (std::size_t i = 0; i < m.column_field.size() && i < header.size(); ++i) {
    if (m.column_field[i]) report_.column_of[static_cast<std::size_t>(*m.column_field[i])] = header[i];
  }
  report_.header = std::move(header);
  report_.ignored_columns = std::move(m.ignored);
}

ingest_reject session::make_reject(pending_reject&& p) const {
  ingest_reject r;
  r.file = source_;
  r.line = p.line;
  r.column = p.column;
  r.field = p.field ? to_string(*p.field) : "";
  r.value = std::move(p.value);
  r.reason = std::move(p.reason);
  r.cause = p.cause;
  r.error_id = reject_error_id(p.cause);
  return r;
}

void session::emit(pending_reject&& p) {
  ingest_reject r = make_reject(std::move(p));
  auto& s = report_.summary;
  ++s.rejected;
  ++s.rejected_by_reason[std::string(error_kind(r.error_id))];
  ++s.rejected_by_cause[std::string(to_string(r.cause))];
  if (sink_.on_reject) sink_.on_reject(r);
}

void session::raise_strict(pending_reject&& p) {
  const ingest_reject r = make_reject(std::move(p));
  // The sink sees the offending row too (a rejects file then names it).
  if (sink_.on_reject) sink_.on_reject(r);
  r.raise();
}

void session::deliver_reject(pending_reject r) {
  ++report_.summary.rows_read;
  if (options_.errors == on_error::strict) raise_strict(std::move(r));
  emit(std::move(r));
}

void session::deliver(chunk_out& c) {
  c.seal();
  response_batch& b = c.batch;
  const bool strict = options_.errors == on_error::strict && !c.rejects.empty();
  if (strict) batch_access::truncate(b, static_cast<std::size_t>(c.rejects.front().accepted_before));
  const std::size_t n = b.size();

  // Local ids were given in order of first accepted use, so the ids used by
  // the first n rows are 0..k-1; mapping them in order gives the global
  // dictionaries the order of first use over the whole input.
  auto& ch = batch_access::channel(b);
  auto& seg = batch_access::segment(b);
  auto& ag = batch_access::agent(b);
  std::size_t nch = 0, nseg = 1, nag = 1;
  if (strict) {
    for (std::size_t i = 0; i < n; ++i) {
      nch = std::max<std::size_t>(nch, ch[i] + 1U);
      nseg = std::max<std::size_t>(nseg, seg[i] + 1U);
      nag = std::max<std::size_t>(nag, ag[i] + 1U);
    }
  } else {
    nch = c.channels.used.size();
    nseg = c.segments.size();
    nag = c.agents.size();
  }
  // A row past the channel limit (channel_set::max_labels) stops the read
  // with a data error naming the line where the limit was passed: the first
  // row whose new label the set cannot hold, or the row where this chunk
  // alone ran out of batch ids. A reject before it in strict mode comes first.
  const std::uint64_t overflow = c.channel_overflow_line;
  const bool overflow_first = overflow != 0 && !(strict && c.rejects.front().line < overflow);
  const auto limit_at = [&](std::uint64_t line, const std::string& reason) {
    throw limit_exceeded(reason, in_file(source_, line, std::nullopt, "channel"));
  };
  channel_map_.resize(nch);
  for (std::size_t u = 0; u < nch; ++u) {
    const std::uint32_t entry = c.channels.used[u];
    const std::int32_t g = c.channels.global[entry];
    if (g >= 0) {
      channel_map_[u] = static_cast<std::uint16_t>(g);
      continue;
    }
    try {
      channel_map_[u] = channels_.id_of(c.channels.raw.at(entry)).value;
    } catch (const limit_exceeded& e) {
      // Local ids are given in order of first use: the first row with id u.
      std::size_t i = 0;
      while (i < n && ch[i] != u) ++i;
      limit_at(i < n ? batch_access::line(b)[i] : overflow, e.reason());
    }
  }
  if (overflow_first) {
    limit_at(overflow, "more than " + std::to_string(channel_set::max_labels) +
                           " distinct channel labels (as written) in one part of the input; at most " +
                           std::to_string(channel_set::max_labels) + " distinct channels are supported");
  }
  segment_map_.resize(nseg);
  for (std::size_t i = 0; i < nseg; ++i) {
    segment_map_[i] = segments_.intern(c.segments.at(static_cast<std::uint32_t>(i))).first;
  }
  agent_map_.resize(nag);
  for (std::size_t i = 0; i < nag; ++i) agent_map_[i] = agents_.intern(c.agents.at(static_cast<std::uint32_t>(i))).first;
  for (std::size_t i = 0; i < n; ++i) {
    ch[i] = channel_map_[ch[i]];
    seg[i] = segment_map_[seg[i]];
    ag[i] = agent_map_[ag[i]];
  }
  batch_access::bind(b, accepted_, &channels_, &segments_, &agents_);

  auto& s = report_.summary;
  if (strict) {
    s.rows_read += n + 1;
    s.accepted += n;
    accepted_ += n;
    if (n > 0 && sink_.on_batch) sink_.on_batch(b);
    raise_strict(std::move(c.rejects.front()));
  }
  s.rows_read += c.rows_read;
  s.accepted += n;
  s.empty_lines += c.empty_lines;
  for (std::size_t f = 0; f < response_field_count; ++f) {
    if (c.missing[f] != 0) s.missing_by_field[to_string(static_cast<response_field>(f))] += c.missing[f];
  }
  accepted_ += n;
  if (n > 0 && sink_.on_batch) sink_.on_batch(b);
  for (auto& r : c.rejects) emit(std::move(r));
  c.rejects.clear();
}

void session::sync_parse_channels() {
  // Labels are only ever appended, so equal sizes mean equal sets.
  parse_channels_.extend_from(channels_);
}

ingest_report session::finish() { return std::move(report_); }

// ---------------------------------------------------------------------------
// Options and header

void check_options(const ingest_options& o) {
  if (o.delimiter == '"' || o.delimiter == '\n' || o.delimiter == '\r') {
    throw invalid_argument(std::string("CSV delimiter must not be a quote or a line break (0: detect it)"),
                           at_field("delimiter"));
  }
  if (o.decimal_point != '.' && o.decimal_point != ',' && o.decimal_point != 0) {
    throw invalid_argument(std::string("decimal point must be '.' or ',' (0: detect it)"), at_field("decimal_point"));
  }
  if (o.chunk_bytes == 0) throw invalid_argument(std::string("chunk_bytes must be at least 1"), at_field("chunk_bytes"));
  if (o.max_record_bytes == 0) {
    throw invalid_argument(std::string("max_record_bytes must be at least 1"), at_field("max_record_bytes"));
  }
  if (o.batch_rows == 0) throw invalid_argument(std::string("batch_rows must be at least 1"), at_field("batch_rows"));
  if (o.epoch_unit != epoch_unit::automatic && o.epoch_unit != epoch_unit::seconds &&
      o.epoch_unit != epoch_unit::milliseconds) {
    throw invalid_argument(std::string("epoch_unit must be automatic, seconds or milliseconds"), at_field("epoch_unit"));
  }
  for (std::size_t a = 0; a < response_field_count; ++a) {
    const auto fa = static_cast<response_field>(a);
    const auto na = column_key(o.columns.name_of(fa));
    if (na.empty()) continue;
    for (std::size_t b = a + 1; b < response_field_count; ++b) {
      const auto fb = static_cast<response_field>(b);
      if (na == column_key(o.columns.name_of(fb))) {
        throw invalid_argument("fields '" + std::string(to_string(fa)) + "' and '" + to_string(fb) +
                                   "' are both mapped to the column name '" + shorten(na) + "'",
                               at_field("columns"));
      }
    }
  }
  for (const auto f : o.required) {
    if (static_cast<std::size_t>(f) >= response_field_count) {
      throw invalid_argument(std::string("required field is not a response field"), at_field("required"));
    }
    if (column_key(o.columns.name_of(f)).empty()) {
      throw invalid_argument("field '" + std::string(to_string(f)) +
                                 "' is required but has no column name (an empty name means: never read)",
                             at_field("required"));
    }
  }
}

// ---------------------------------------------------------------------------
// Messages

std::string shorten(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return escape_non_utf8(s);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0U) == 0x80U) --cut;  // not inside a character
  return escape_non_utf8(s.substr(0, cut)) + "\u2026 (" + std::to_string(s.size()) + " bytes)";
}

std::string list_names(const std::vector<std::string>& names, std::size_t max_bytes) {
  std::string out;
  for (std::size_t k = 0; k < names.size(); ++k) {
    // Built with append: GCC 12 warns falsely (-Wrestrict) on "'" + s + "'" at -O3.
    std::string piece(1, '\'');
    piece.append(shorten(names[k])).append(1, '\'');
    if (k > 0 && out.size() + 2 + piece.size() > max_bytes) {
      out += ", \u2026 and " + std::to_string(names.size() - k) + " more";
      break;
    }
    if (k > 0) out += ", ";
    out += piece;
  }
  return out.empty() ? std::string("(none)") : out;
}

std::size_t name_distance(std::string_view a, std::string_view b, std::size_t cap) {
  const std::size_t n = a.size(), m = b.size();
  if ((n > m ? n - m : m - n) > cap) return cap + 1;  // at least the length difference
  // Three rows of the dynamic programme: i-2, i-1, i.
  std::vector<std::size_t> r0(m + 1), r1(m + 1), r2(m + 1);
  for (std::size_t j = 0; j <= m; ++j) r1[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    r2[0] = i;
    std::size_t row_min = r2[0];
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      std::size_t d = std::min({r1[j] + 1, r2[j - 1] + 1, r1[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d = std::min(d, r0[j - 2] + 1);
      r2[j] = d;
      row_min = std::min(row_min, d);
    }
    if (row_min > cap) return cap + 1;  // rows never decrease below their minimum
    std::swap(r0, r1);
    std::swap(r1, r2);
  }
  return std::min(r1[m], cap + 1);
}

// ---------------------------------------------------------------------------
// Finding columns

void column_key_into(std::string_view name, std::string& out) {
  out.clear();
  name = trim_blanks(name);
  bool sep = false;
  for (const char c : name) {
    if (c == ' ' || c == '-' || c == '_' || c == '\t') {
      if (!sep) out += '_';
      sep = true;
      continue;
    }
    sep = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
}

bool named_by_default(const ingest_options& o, response_field f) {
  return column_key(o.columns.name_of(f)) == to_string(f);
}

namespace {

std::array<std::string, response_field_count> primary_keys(const ingest_options& o) {
  std::array<std::string, response_field_count> k;
  for (std::size_t f = 0; f < response_field_count; ++f) k[f] = column_key(o.columns.name_of(static_cast<response_field>(f)));
  return k;
}

}  // namespace

header_match match_header(const std::vector<std::string>& names, const ingest_options& o) {
  header_match m;
  m.column_field.assign(names.size(), std::nullopt);
  std::vector<std::string> keys(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) column_key_into(names[i], keys[i]);
  const auto primary = primary_keys(o);
  auto take = [&](std::size_t f, std::size_t i, bool alias) {
    if (m.field_column[f]) {
      m.twice = std::make_pair(*m.field_column[f], i);
      m.twice_field = static_cast<response_field>(f);
      m.twice_by_alias = alias;
      return false;
    }
    m.field_column[f] = i;
    m.column_field[i] = static_cast<response_field>(f);
    return true;
  };
  // Own and explicit names first: an alias never takes their column.
  for (std::size_t f = 0; f < response_field_count; ++f) {
    if (primary[f].empty()) continue;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (keys[i] == primary[f] && !m.column_field[i] && !take(f, i, false)) return m;
    }
  }
  for (std::size_t f = 0; f < response_field_count; ++f) {
    const auto field = static_cast<response_field>(f);
    if (primary[f].empty() || m.field_column[f] || primary[f] != to_string(field)) continue;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (m.column_field[i]) continue;
      for (const auto& a : column_aliases) {
        if (a.field == field && a.name == keys[i]) {
          if (!take(f, i, true)) return m;
          break;
        }
      }
    }
  }
  return m;
}

namespace {

// The column (not read as any field) closest to one of `wanted` (keys), when
// close enough: a distance of at most max(len, 3) / 3 for a wanted name of
// len bytes, the bound rustc uses when it suggests similar names
// (rustc_span::edit_distance::find_best_match_for_name). First in header
// order among the closest.
std::optional<std::size_t> closest_column(const std::vector<std::string>& names, const header_match& m,
                                          const std::vector<std::string>& wanted) {
  std::optional<std::size_t> best;
  std::size_t best_d = 0;
  std::string key;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (m.column_field[i]) continue;
    column_key_into(names[i], key);
    for (const auto& w : wanted) {
      const std::size_t cap = std::max<std::size_t>(w.size(), 3) / 3;
      const std::size_t d = name_distance(key, w, cap);
      if (d <= cap && (!best || d < best_d)) {
        best = i;
        best_d = d;
      }
    }
  }
  return best;
}

// The own name and the aliases of a field, as keys.
std::vector<std::string> default_keys(response_field f) {
  std::vector<std::string> k{to_string(f)};
  for (const auto& a : column_aliases) {
    if (a.field == f) k.emplace_back(a.name);
  }
  return k;
}

// A column (not read as any field) whose key is one of `keys`.
std::optional<std::size_t> column_named(const std::vector<std::string>& names, const header_match& m,
                                        const std::vector<std::string>& keys) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!m.column_field[i] && std::find(keys.begin(), keys.end(), column_key(names[i])) != keys.end()) return i;
  }
  return std::nullopt;
}

}  // namespace

header_mapping map_header(const std::vector<std::string>& names, const ingest_options& o, const std::string& source,
                          std::uint64_t line, std::string_view what_view, std::string_view hint) {
  const std::string what(what_view);
  const header_match hm = match_header(names, o);
  if (hm.twice) {
    const auto [a, b] = *hm.twice;
    const std::string field = to_string(hm.twice_field);
    const std::string where = " (" + what + "s " + std::to_string(a + 1) + " and " + std::to_string(b + 1) + ")";
    if (hm.twice_by_alias) {
      throw parse_error(what + "s '" + shorten(names[a]) + "' and '" + shorten(names[b]) + "'" + where +
                            " are both names of field '" + field + "'; name the one to read (cxm: --column " + field +
                            "=NAME; a mapping's \"columns\")",
                        in_file(source, line, b + 1, field));
    }
    throw parse_error(names[a] == names[b] ? what + " '" + shorten(names[b]) + "' appears twice in the header" + where
                                           : what + "s '" + shorten(names[a]) + "' and '" + shorten(names[b]) + "'" +
                                                 where + " are one name for field '" + field + "'",
                      in_file(source, line, b + 1, field));
  }
  // "; did you mean 'x'? columns found: ..." or "; columns found: ...".
  auto ending = [&](const std::optional<std::size_t>& near) {
    return (near ? "; did you mean '" + shorten(names[*near]) + "'? " : std::string("; ")) + what +
           "s found: " + list_names(names) + (hint.empty() ? std::string() : " (" + std::string(hint) + ")");
  };
  for (const auto f : o.required) {
    if (hm.has(f)) continue;
    const std::string field = to_string(f);
    const std::string& name = o.columns.name_of(f);
    std::string msg = "required " + what + " '" + shorten(name) + "' (field '" + field + "'";
    std::optional<std::size_t> near;
    if (named_by_default(o, f)) {
      const auto keys = default_keys(f);
      std::string other;  // the first two aliases, as examples
      for (std::size_t k = 1; k < keys.size() && k < 3; ++k) other += (k > 1 ? ", '" : "'") + keys[k] + "'";
      if (!other.empty()) msg += ", or an alias such as " + other;
      near = closest_column(names, hm, keys);
    } else {
      near = closest_column(names, hm, {column_key(name)});
      if (!near) near = column_named(names, hm, default_keys(f));  // the column it would have by default
    }
    msg += ") is missing";
    throw parse_error(msg + ending(near), in_file(source, line, std::nullopt, field));
  }
  if (!hm.has_score()) {
    std::string msg = "no score " + what + ": the header needs at least one of '" + shorten(o.columns.nps) + "', '" +
                      shorten(o.columns.csat) + "', '" + shorten(o.columns.ces) + "'";
    std::vector<std::string> wanted;
    std::string examples;
    for (const auto f : {response_field::nps, response_field::csat, response_field::ces}) {
      const std::string key = column_key(o.columns.name_of(f));
      if (key.empty()) continue;
      if (key != to_string(f)) {
        wanted.push_back(key);
        continue;
      }
      const auto keys = default_keys(f);
      wanted.insert(wanted.end(), keys.begin(), keys.end());
      if (keys.size() > 1) examples += (examples.empty() ? "'" : ", '") + keys[1] + "'";
    }
    if (!examples.empty()) msg += " (or an alias, e.g. " + examples + ")";
    msg += ending(closest_column(names, hm, wanted));
    throw parse_error(msg, in_file(source, line));
  }
  header_mapping m;
  m.column_field = hm.column_field;
  for (std::size_t f = 0; f < response_field_count; ++f) m.present[f] = hm.field_column[f].has_value();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!m.column_field[i]) m.ignored.push_back(names[i]);
  }
  return m;
}

name_index::name_index(const ingest_options& o) {
  const auto primary = primary_keys(o);
  for (std::size_t f = 0; f < response_field_count; ++f) {
    if (!primary[f].empty()) keys_.emplace_back(primary[f], static_cast<response_field>(f));
  }
  for (const auto& a : column_aliases) {
    const auto f = static_cast<std::size_t>(a.field);
    if (primary[f] != to_string(a.field)) continue;  // named explicitly (or never read): no aliases
    if (std::find(primary.begin(), primary.end(), a.name) != primary.end()) continue;  // another field's name
    keys_.emplace_back(std::string(a.name), a.field);
  }
  std::sort(keys_.begin(), keys_.end());
}

void name_index::narrow(const std::vector<std::string>& names,
                        const std::vector<std::optional<response_field>>& column_field) {
  for (std::size_t i = 0; i < names.size() && i < column_field.size(); ++i) {
    if (!column_field[i]) continue;
    const response_field f = *column_field[i];
    std::erase_if(keys_, [f](const auto& e) { return e.second == f; });
    keys_.emplace_back(column_key(names[i]), f);
  }
  std::sort(keys_.begin(), keys_.end());
}

void name_index::remember_order(const std::vector<std::string>& names) {
  order_.clear();
  std::string scratch;
  for (const auto& n : names) order_.emplace_back(n, find(n, scratch));
}

std::optional<response_field> name_index::find(std::string_view name, std::string& scratch) const {
  column_key_into(name, scratch);
  const auto it = std::lower_bound(keys_.begin(), keys_.end(), scratch,
                                   [](const auto& e, const std::string& k) { return e.first < k; });
  if (it != keys_.end() && it->first == scratch) return it->second;
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Byte sources

namespace {

class memory_bytes final : public byte_source {
 public:
  explicit memory_bytes(std::string_view d) : data_(d) {}
  bool positional() const noexcept override { return true; }
  std::size_t read_at(std::uint64_t offset, char* dst, std::size_t n) override {
    if (offset >= data_.size()) return 0;
    const std::size_t k = std::min<std::size_t>(n, data_.size() - static_cast<std::size_t>(offset));
    std::memcpy(dst, data_.data() + offset, k);
    return k;
  }
  std::size_t read(char*, std::size_t) override { return 0; }
  std::optional<std::uint64_t> size_hint() const noexcept override { return data_.size(); }

 private:
  std::string_view data_;
};

class stream_bytes final : public byte_source {
 public:
  explicit stream_bytes(std::istream& in) : in_(in) {}
  bool positional() const noexcept override { return false; }
  std::size_t read_at(std::uint64_t, char*, std::size_t) override { return 0; }
  std::size_t read(char* dst, std::size_t n) override {
    std::size_t got = 0;
    while (got < n && in_.good()) {
      in_.read(dst + got, static_cast<std::streamsize>(n - got));
      got += static_cast<std::size_t>(in_.gcount());
    }
    if (in_.bad()) throw parse_error("reading the input failed");
    return got;
  }

 private:
  std::istream& in_;
};

#ifdef CXMETRICS_POSIX_IO
class fd_bytes final : public byte_source {
 public:
  fd_bytes(int fd, bool positional, std::string name) : fd_(fd), positional_(positional), name_(std::move(name)) {}
  ~fd_bytes() override { ::close(fd_); }
  fd_bytes(const fd_bytes&) = delete;
  fd_bytes& operator=(const fd_bytes&) = delete;
  bool positional() const noexcept override { return positional_; }
  std::size_t read_at(std::uint64_t offset, char* dst, std::size_t n) override {
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_, dst + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        fail();
      }
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    return got;
  }
  std::size_t read(char* dst, std::size_t n) override {
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::read(fd_, dst + got, n - got);
      if (r < 0) {
        if (errno == EINTR) continue;
        fail();
      }
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    return got;
  }

 private:
  [[noreturn]] void fail() const {
    location where;
    where.file = name_;
    throw parse_error("reading the file failed: " + std::generic_category().message(errno), where);
  }
  int fd_;
  bool positional_;
  std::string name_;
};
#else
class ifstream_bytes final : public byte_source {
 public:
  explicit ifstream_bytes(std::ifstream in) : in_(std::move(in)), s_(in_) {}
  bool positional() const noexcept override { return false; }
  std::size_t read_at(std::uint64_t, char*, std::size_t) override { return 0; }
  std::size_t read(char* dst, std::size_t n) override { return s_.read(dst, n); }

 private:
  std::ifstream in_;
  stream_bytes s_;
};
#endif

}  // namespace

std::unique_ptr<byte_source> open_file_source(const std::filesystem::path& file) {
  location where;
  where.file = file.string();
#ifdef CXMETRICS_POSIX_IO
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw parse_error("cannot open the file for reading: " + std::generic_category().message(errno), where);
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (regular) {
#ifdef POSIX_FADV_SEQUENTIAL
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  }
  return std::make_unique<fd_bytes>(fd, regular, file.string());
#else
  std::ifstream in(file, std::ios::binary);
  if (!in) throw parse_error("cannot open the file for reading", where);
  return std::make_unique<ifstream_bytes>(std::move(in));
#endif
}

std::unique_ptr<byte_source> memory_source(std::string_view data) { return std::make_unique<memory_bytes>(data); }

std::unique_ptr<byte_source> stream_source(std::istream& in) { return std::make_unique<stream_bytes>(in); }

}  // namespace detail

// ---------------------------------------------------------------------------
// Mapping files

namespace {

[[noreturn]] void bad_key(std::string_view key, const std::string& why) {
  throw invalid_argument(why, at_field("mapping." + std::string(key)));
}

std::vector<std::string> string_list(const nlohmann::json& v, std::string_view key) {
  if (!v.is_array()) bad_key(key, "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) bad_key(key, "must be an array of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace

ingest_options mapping_from_json(std::string_view json_text, const ingest_options& base, std::string_view source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text.begin(), json_text.end());
  } catch (const nlohmann::json::parse_error& e) {
    location where;
    where.file = std::string(source);
    throw parse_error(std::string("the mapping is not JSON: ") + e.what(), where);
  }
  if (!j.is_object()) bad_key("", "the mapping must be a JSON object");
  ingest_options o = base;
  bool tsv = false;
  bool delimiter_given = false;
  std::vector<std::pair<response_field, bool>> named;  // fields "columns" names, and whether with a non-empty name
  for (const auto& [key, v] : j.items()) {
    if (key == "format") {
      if (!v.is_string()) bad_key(key, "must be a string");
      const auto f = format_from_name(v.get<std::string>());
      if (!f) bad_key(key, "'" + detail::shorten(v.get<std::string>()) + "' is not a known format");
      o.format = *f;
      tsv = detail::lower_trimmed(v.get<std::string>()) == "tsv";
    } else if (key == "delimiter") {
      if (!v.is_string()) bad_key(key, "must be a string of one character, \"tab\" or \"detect\"");
      const auto s = v.get<std::string>();
      delimiter_given = true;
      if (s == "tab" || s == "\\t") {
        o.delimiter = '\t';
      } else if (s == "detect") {
        o.delimiter = 0;
      } else if (s.size() == 1) {
        o.delimiter = s[0];
      } else {
        bad_key(key, "must be one character, \"tab\" or \"detect\", got '" + detail::shorten(s) + "'");
      }
    } else if (key == "decimal_point") {
      if (!v.is_string() || v.get<std::string>().size() != 1) bad_key(key, "must be \".\" or \",\"");
      o.decimal_point = v.get<std::string>()[0];
    } else if (key == "columns") {
      if (!v.is_object()) bad_key(key, "must be an object of field: column name");
      for (const auto& [fname, col] : v.items()) {
        const auto f = field_from_name(fname);
        if (!f) {
          bad_key(key + "." + detail::shorten(fname),
                  "'" + detail::shorten(fname) +
                      "' is not a response field (id, timestamp, channel, agent, segment, nps, csat, ces, resolved, "
                      "weight, why)");
        }
        if (!col.is_string()) bad_key(key + "." + fname, "must be a string (empty: never read)");
        o.columns.name_of(*f) = col.get<std::string>();
        named.emplace_back(*f, !column_key(col.get<std::string>()).empty());
      }
    } else if (key == "required") {
      o.required.clear();
      for (const auto& name : string_list(v, key)) {
        const auto f = field_from_name(name);
        if (!f) bad_key(key, "'" + detail::shorten(name) + "' is not a response field");
        o.required.push_back(*f);
      }
    } else if (key == "resolved") {
      if (!v.is_object()) bad_key(key, "must be an object with lists \"yes\", \"no\", \"unknown\"");
      for (const auto& [kind, list] : v.items()) {
        if (kind == "yes") {
          o.resolved.yes = string_list(list, key + ".yes");
        } else if (kind == "no") {
          o.resolved.no = string_list(list, key + ".no");
        } else if (kind == "unknown") {
          o.resolved.unknown = string_list(list, key + ".unknown");
        } else {
          bad_key(key + "." + kind, "unknown key (expected yes, no, unknown)");
        }
      }
    } else if (key == "channels") {
      try {
        o.channels = channel_set::closed_of(string_list(v, key));
      } catch (const invalid_argument& e) {
        bad_key(key, e.reason());
      }
    } else if (key == "strict") {
      if (!v.is_boolean()) bad_key(key, "must be true or false");
      o.errors = v.get<bool>() ? on_error::strict : on_error::skip;
    } else if (key == "csat_top_box") {
      if (!v.is_number_integer()) bad_key(key, "must be an integer 1..4");
      try {
        o.scales.csat = scale::csat(v.get<int>());
      } catch (const invalid_argument& e) {
        bad_key(key, e.reason());
      }
    } else if (key == "ces_easy_min") {
      if (!v.is_number_integer()) bad_key(key, "must be an integer 2..7");
      try {
        o.scales.ces = scale::ces(v.get<int>());
      } catch (const invalid_argument& e) {
        bad_key(key, e.reason());
      }
    } else {
      bad_key(key, "unknown key (expected format, delimiter, decimal_point, columns, required, resolved, channels, "
                   "strict, csat_top_box, ces_easy_min)");
    }
  }
  if (tsv && !delimiter_given) o.delimiter = '\t';
  // A column the mapping names must exist.
  for (const auto& [f, read] : named) {
    if (read && std::find(o.required.begin(), o.required.end(), f) == o.required.end()) o.required.push_back(f);
  }
  detail::check_options(o);
  (void)detail::row_plan(o);  // checks the resolved vocabulary
  return o;
}

ingest_options load_mapping(const std::filesystem::path& file, const ingest_options& base) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    location where;
    where.file = file.string();
    throw parse_error("cannot open the mapping file", where);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return mapping_from_json(text.str(), base, file.string());
}

}  // namespace cxm
