#include "cxmetrics/core/timestamp.hpp"

#include <charconv>
#include <cstdint>
#include <string>
#include <utility>

namespace cxm::inline v0_1 {
namespace {

// Reads exactly `digits` decimal digits at text[pos]; advances pos.
bool read_fixed(std::string_view text, std::size_t& pos, int digits, int& out) {
  if (pos + static_cast<std::size_t>(digits) > text.size()) return false;
  int v = 0;
  for (int i = 0; i < digits; ++i) {
    const char c = text[pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(digits);
  out = v;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos < text.size() && text[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

constexpr const char* kRange = "1900-01-01T00:00:00Z .. 2200-12-31T23:59:59Z";

// "timestamp '<text>'" with a long text cut to its first 80 bytes (at a
// character boundary) and its length: no timestamp form is that long, and a
// message must stay readable.
std::string named(std::string_view text) {
  constexpr std::size_t shown = 80;
  if (text.size() <= shown) return "timestamp '" + std::string(text) + "'";
  std::size_t cut = shown;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  return "timestamp '" + std::string(text.substr(0, cut)) + "\u2026 (" + std::to_string(text.size()) + " bytes)'";
}

timestamp_parse malformed(std::string_view text, const std::string& why) {
  timestamp_parse r;
  r.state = timestamp_parse::status::malformed;
  r.reason = named(text) + " " + why;
  return r;
}

// The result, or out_of_range naming what `text` was read as.
timestamp_parse checked(std::string_view text, std::int64_t secs, const char* read_as) {
  timestamp_parse r;
  r.value = timestamp{std::chrono::seconds{secs}};
  if (timestamp_in_range(r.value)) return r;
  r.state = timestamp_parse::status::out_of_range;
  r.reason = named(text);
  // An epoch says which time it was read as (years up to ±30000 print as
  // dates: std::chrono::year holds ±32767).
  if (read_as != nullptr) r.reason += std::string(" read as ") + read_as;
  r.reason += " is";
  if (read_as != nullptr && secs > -30000LL * 31556952 && secs < 30000LL * 31556952) {
    r.reason += " " + format_timestamp(r.value) + ",";
  }
  r.reason += std::string(" outside the accepted range ") + kRange;
  return r;
}

// An optionally signed integer with an optional fraction: a Unix epoch.
timestamp_parse epoch(std::string_view t, std::string_view text, epoch_unit unit) {
  const bool negative = t.front() == '-';
  std::size_t i = (t.front() == '-' || t.front() == '+') ? 1 : 0;
  const std::size_t int_begin = i;
  while (i < t.size() && t[i] == '0') ++i;  // leading zeros carry no magnitude
  const std::size_t sig = i;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
  const std::size_t int_end = i;
  bool fraction = false;  // a nonzero fraction
  if (i < t.size()) {     // '.' then digits (checked by the caller)
    for (++i; i < t.size(); ++i) fraction = fraction || t[i] != '0';
  }
  if (int_end - sig > 15) {  // 10^15 s or ms is past the year 30000
    timestamp_parse r;
    r.state = timestamp_parse::status::out_of_range;
    r.reason = named(text) + " is a Unix epoch far outside the accepted range " + kRange;
    return r;
  }
  std::int64_t v = 0;
  for (std::size_t k = int_begin; k < int_end; ++k) v = v * 10 + (t[k] - '0');
  const bool millis = unit == epoch_unit::milliseconds || (unit == epoch_unit::automatic && v >= epoch_milliseconds_from);
  if (negative) v = -v;
  if (negative && fraction) --v;  // floor: the unit the instant falls in
  if (!millis) return checked(text, v, "Unix epoch seconds");
  const std::int64_t secs = v >= 0 ? v / 1000 : -((-v + 999) / 1000);  // floor division
  return checked(text, secs, "Unix epoch milliseconds");
}

}  // namespace

timestamp_parse try_parse_timestamp(std::string_view text, epoch_unit unit) {
  using namespace std::chrono;
  std::string_view t = text;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) t.remove_suffix(1);
  if (t.empty()) return malformed(text, "is empty");

  // A Unix epoch: an optional sign, digits, optionally '.' and digits.
  {
    std::size_t i = (t.front() == '-' || t.front() == '+') ? 1 : 0;
    const std::size_t d0 = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    bool number = i > d0 && (i == t.size() || t[i] == '.');  // else a date ("2024-...") or nothing
    if (number && i < t.size()) {
      const std::size_t f0 = ++i;
      while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
      if (i == f0 && i == t.size()) return malformed(text, "has a decimal point without fractional digits");
      number = i > f0 && i == t.size();
    }
    if (number) return epoch(t, text, unit);
  }

  std::size_t pos = 0;
  int y = 0, mo = 0, d = 0;
  if (!read_fixed(t, pos, 4, y) || !expect(t, pos, '-') || !read_fixed(t, pos, 2, mo) || !expect(t, pos, '-') ||
      !read_fixed(t, pos, 2, d)) {
    return malformed(text, "is not a date YYYY-MM-DD, an ISO 8601 date-time or a Unix epoch");
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return malformed(text, "names a day that does not exist");
  sys_seconds result{sys_days{ymd}};
  if (pos == t.size()) return checked(text, result.time_since_epoch().count(), nullptr);

  if (!(expect(t, pos, 'T') || expect(t, pos, 't') || expect(t, pos, ' '))) {
    return malformed(text, "has text after the date that is not a time ('T' or ' ' then hh:mm[:ss])");
  }
  int hh = 0, mm = 0, ss = 0;
  if (!read_fixed(t, pos, 2, hh) || !expect(t, pos, ':') || !read_fixed(t, pos, 2, mm)) {
    return malformed(text, "has a time that is not hh:mm[:ss]");
  }
  if (expect(t, pos, ':') && !read_fixed(t, pos, 2, ss)) return malformed(text, "has seconds that are not two digits");
  if (hh > 23 || mm > 59 || ss > 60) return malformed(text, "has a time of day that does not exist");
  if (ss == 60) ss = 59;  // a leap second is counted as the last second of its minute
  if (expect(t, pos, '.') || expect(t, pos, ',')) {
    const std::size_t start = pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
    if (pos == start) return malformed(text, "has a decimal point without fractional digits");
  }
  result += hours{hh} + minutes{mm} + seconds{ss};
  if (pos == t.size()) return checked(text, result.time_since_epoch().count(), nullptr);  // no zone: UTC

  if (expect(t, pos, 'Z') || expect(t, pos, 'z')) {
    if (pos != t.size()) return malformed(text, "has text after the 'Z' zone designator");
    return checked(text, result.time_since_epoch().count(), nullptr);
  }
  const char sign = t[pos];
  if (sign != '+' && sign != '-') return malformed(text, "has a zone that is not Z or an offset like +02:00");
  ++pos;
  int oh = 0, om = 0;
  if (!read_fixed(t, pos, 2, oh)) return malformed(text, "has an offset without two-digit hours");
  if (pos < t.size()) {
    expect(t, pos, ':');
    if (!read_fixed(t, pos, 2, om)) return malformed(text, "has an offset whose minutes are not two digits");
  }
  if (pos != t.size()) return malformed(text, "has text after the zone offset");
  if (oh > 23 || om > 59) return malformed(text, "has an offset that does not exist");
  const seconds offset = hours{oh} + minutes{om};
  // Local time = UTC + offset, so UTC = local − offset.
  result = sign == '+' ? result - offset : result + offset;
  return checked(text, result.time_since_epoch().count(), nullptr);
}

timestamp parse_timestamp(std::string_view text, const location& where, epoch_unit unit) {
  timestamp_parse r = try_parse_timestamp(text, unit);
  if (r.state != timestamp_parse::status::ok) throw malformed_timestamp(std::move(r.reason), where);
  return r.value;
}

std::string format_timestamp(timestamp t) {
  using namespace std::chrono;
  const auto day_point = floor<days>(t);
  const year_month_day ymd{day_point};
  const hh_mm_ss<seconds> tod{t - day_point};
  char buf[32];
  auto two = [](char* p, long v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  const int y = static_cast<int>(ymd.year());
  std::string out = std::to_string(y);
  while (out.size() < 4) out.insert(out.begin(), '0');
  two(buf + 0, static_cast<long>(static_cast<unsigned>(ymd.month())));
  two(buf + 2, static_cast<long>(static_cast<unsigned>(ymd.day())));
  two(buf + 4, static_cast<long>(tod.hours().count()));
  two(buf + 6, static_cast<long>(tod.minutes().count()));
  two(buf + 8, static_cast<long>(tod.seconds().count()));
  out += '-';
  out.append(buf + 0, 2);
  out += '-';
  out.append(buf + 2, 2);
  out += 'T';
  out.append(buf + 4, 2);
  out += ':';
  out.append(buf + 6, 2);
  out += ':';
  out.append(buf + 8, 2);
  out += 'Z';
  return out;
}

}  // namespace cxm
