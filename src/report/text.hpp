// Text helpers shared by the report writers (private to the compiled
// library): UTF-8 validation for XML/HTML/Markdown output, code-point
// counting and shortening of labels.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cxm::inline v0_1::report::detail {

// Decodes one UTF-8 sequence at s[i]; returns its length (0 when invalid) and
// the code point.
inline std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1Fu;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0Fu;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07u;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const unsigned char b = byte(i + k);
    if ((b & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// True for code points XML 1.0 allows (Char production, minus nothing else).
inline bool xml_char(char32_t cp) {
  if (cp < 0x20) return cp == 0x09 || cp == 0x0A || cp == 0x0D;
  return cp != 0xFFFE && cp != 0xFFFF;
}

inline constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// Valid UTF-8 of XML characters only (invalid or forbidden → U+FFFD), not escaped.
inline std::string clean_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8(s, i, cp);
    if (len == 0) {
      out += replacement;
      ++i;
      continue;
    }
    if (!xml_char(cp)) {
      out += replacement;
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

inline std::size_t code_points(std::string_view clean) {
  std::size_t n = 0;
  for (char c : clean) {
    if ((static_cast<unsigned char>(c) & 0xC0u) != 0x80u) ++n;
  }
  return n;
}

// At most `max` code points of `text` (cleaned), ending in "…" when shortened.
inline std::string shorten(std::string_view text, std::size_t max) {
  std::string clean = clean_text(text);
  if (max == 0) max = 1;
  if (code_points(clean) <= max) return clean;
  std::size_t kept = 0;
  std::size_t i = 0;
  for (; i < clean.size(); ++i) {
    if ((static_cast<unsigned char>(clean[i]) & 0xC0u) != 0x80u) {
      if (kept == max - 1) break;
      ++kept;
    }
  }
  clean.resize(i);
  return clean + "\xE2\x80\xA6";  // U+2026
}

}  // namespace cxm::report::detail
