// The readers' text helpers and the text of messages (src/io/text.hpp).
#include "io/text.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace cxm::inline v0_1::detail {

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

}  // namespace cxm::detail
