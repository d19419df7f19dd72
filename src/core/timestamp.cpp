#include "cxmetrics/core/timestamp.hpp"

#include <charconv>
#include <cstdint>
#include <string>

namespace cxm {
namespace {

[[noreturn]] void fail(std::string_view text, const location& where, const std::string& why) {
  throw malformed_timestamp("timestamp '" + std::string(text) + "' " + why, where);
}

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

}  // namespace

timestamp parse_timestamp(std::string_view text, const location& where) {
  using namespace std::chrono;
  std::string_view t = text;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) t.remove_suffix(1);
  if (t.empty()) fail(text, where, "is empty");

  // Unix seconds: an optional sign and digits only.
  {
    std::size_t i = (t.front() == '-' || t.front() == '+') ? 1 : 0;
    bool digits = i < t.size();
    for (std::size_t j = i; j < t.size(); ++j) digits = digits && t[j] >= '0' && t[j] <= '9';
    if (digits) {
      std::int64_t secs = 0;
      const char* first = t.data() + (t.front() == '+' ? 1 : 0);
      auto [ptr, ec] = std::from_chars(first, t.data() + t.size(), secs);
      if (ec != std::errc() || ptr != t.data() + t.size()) fail(text, where, "is out of range for Unix seconds");
      return timestamp{seconds{secs}};
    }
  }

  std::size_t pos = 0;
  int y = 0, mo = 0, d = 0;
  if (!read_fixed(t, pos, 4, y) || !expect(t, pos, '-') || !read_fixed(t, pos, 2, mo) || !expect(t, pos, '-') ||
      !read_fixed(t, pos, 2, d)) {
    fail(text, where, "is not a date YYYY-MM-DD, an ISO 8601 date-time or Unix seconds");
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) fail(text, where, "names a day that does not exist");
  sys_seconds result{sys_days{ymd}};
  if (pos == t.size()) return result;

  if (!(expect(t, pos, 'T') || expect(t, pos, 't') || expect(t, pos, ' '))) {
    fail(text, where, "has text after the date that is not a time ('T' or ' ' then hh:mm[:ss])");
  }
  int hh = 0, mm = 0, ss = 0;
  if (!read_fixed(t, pos, 2, hh) || !expect(t, pos, ':') || !read_fixed(t, pos, 2, mm)) {
    fail(text, where, "has a time that is not hh:mm[:ss]");
  }
  if (expect(t, pos, ':') && !read_fixed(t, pos, 2, ss)) fail(text, where, "has seconds that are not two digits");
  if (hh > 23 || mm > 59 || ss > 60) fail(text, where, "has a time of day that does not exist");
  if (ss == 60) ss = 59;  // a leap second is counted as the last second of its minute
  if (expect(t, pos, '.') || expect(t, pos, ',')) {
    const std::size_t start = pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
    if (pos == start) fail(text, where, "has a decimal point without fractional digits");
  }
  result += hours{hh} + minutes{mm} + seconds{ss};
  if (pos == t.size()) return result;  // no zone: UTC

  if (expect(t, pos, 'Z') || expect(t, pos, 'z')) {
    if (pos != t.size()) fail(text, where, "has text after the 'Z' zone designator");
    return result;
  }
  const char sign = t[pos];
  if (sign != '+' && sign != '-') fail(text, where, "has a zone that is not Z or an offset like +02:00");
  ++pos;
  int oh = 0, om = 0;
  if (!read_fixed(t, pos, 2, oh)) fail(text, where, "has an offset without two-digit hours");
  if (pos < t.size()) {
    expect(t, pos, ':');
    if (!read_fixed(t, pos, 2, om)) fail(text, where, "has an offset whose minutes are not two digits");
  }
  if (pos != t.size()) fail(text, where, "has text after the zone offset");
  if (oh > 23 || om > 59) fail(text, where, "has an offset that does not exist");
  const seconds offset = hours{oh} + minutes{om};
  // Local time = UTC + offset, so UTC = local − offset.
  return sign == '+' ? result - offset : result + offset;
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
