// The CSV dialect: the delimiter and the decimal point, detected by the rule
// of io/ingest_options.hpp ("CSV dialect"). It runs once per read, on the
// bytes of the first window, before the header.
#include "io/csv_dialect.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "io/column_match.hpp"
#include "io/csv_record.hpp"
#include "io/text.hpp"

namespace cxm::inline v0_1::detail {

namespace {

constexpr char kCandidates[] = {',', ';', '\t', '|'};

/// How `--delimiter` names a delimiter: tab, or the character quoted.
std::string delimiter_name(char d) {
  if (d == '\t') return "tab";
  // Built with append: GCC 12 warns falsely (-Wrestrict) on "'" + s + "'" at -O3.
  std::string name(1, '\'');
  name.append(1, d).append(1, '\'');
  return name;
}

/// The field count of the record at pos under delimiter d, quotes respected
/// as by sm_record, without copying fields. `complete` is false when the
/// record does not end in [pos, size) (then the fields seen so far).
struct sniffed_record {
  std::size_t fields = 0;
  std::size_t end = 0;
  bool complete = false;
  bool empty = false;
};

sniffed_record sniff_record(const char* buf, std::size_t size, std::size_t pos, char d, bool eof) {
  enum class state : std::uint8_t { start, unquoted, quoted, after_quote };
  state st = state::start;
  sniffed_record r;
  std::size_t fields = 1;
  bool any = false;
  for (std::size_t i = pos; i < size; ++i) {
    const char c = buf[i];
    if ((c == '\n' || c == '\r') && st != state::quoted) {
      r.end = i + 1 + ((c == '\r' && i + 1 < size && buf[i + 1] == '\n') ? 1 : 0);
      r.empty = !any;
      r.complete = any;
      r.fields = any ? fields : 0;
      return r;
    }
    any = true;
    switch (st) {
      case state::start: st = c == '"' ? state::quoted : (c == d ? (++fields, state::start) : state::unquoted); break;
      case state::unquoted:
        if (c == d) {
          ++fields;
          st = state::start;
        }
        break;
      case state::quoted:
        if (c == '"') st = state::after_quote;
        break;
      case state::after_quote:
        st = c == '"' ? state::quoted : (c == d ? (++fields, state::start) : state::unquoted);
        break;
    }
  }
  r.end = size;
  r.fields = any ? fields : 0;
  r.complete = any && eof && st != state::quoted;
  r.empty = !any;
  return r;
}

/// True when the text (blanks and a sign aside) is digits, `point`, digits.
bool decimal_form(std::string_view t, char point) {
  t = trim_blanks(t);
  if (!t.empty() && (t.front() == '+' || t.front() == '-')) t.remove_prefix(1);
  const std::size_t at = t.find(point);
  if (at == std::string_view::npos || at == 0 || at + 1 == t.size()) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (i != at && (t[i] < '0' || t[i] > '9')) return false;
  }
  return true;
}

}  // namespace

char detect_delimiter(const char* buf, std::size_t size, bool eof) {
  char best = 0;
  std::size_t best_agree = 0, best_fields = 0;
  for (const char d : kCandidates) {
    std::size_t header = 0, agree = 0;
    std::size_t pos = 0;
    while (pos < size) {
      const sniffed_record r = sniff_record(buf, size, pos, d, eof);
      if (r.empty) {
        if (r.end <= pos) break;
        pos = r.end;
        continue;
      }
      if (header == 0) {
        header = r.fields;  // the header as far as the window holds it
      } else if (r.complete) {
        if (r.fields == header) ++agree;
      }
      if (!r.complete) break;
      pos = r.end;
    }
    if (header < 2) continue;
    if (best == 0 || agree > best_agree || (agree == best_agree && header > best_fields)) {
      best = d;
      best_agree = agree;
      best_fields = header;
    }
  }
  return best == 0 ? ',' : best;
}

bool weights_use_decimal_comma(const window_view& w, std::size_t pos, char d, std::size_t col, std::size_t ncols,
                               std::size_t max_bytes) {
  const std::size_t stop = std::min(w.usable, pos + (std::size_t{1} << 16));
  sm_fields rec;
  bool comma = false;
  while (pos < stop) {
    const sm_result r = sm_record(w, pos, d, max_bytes, ncols, 0, rec);
    if (r.incomplete) break;
    if (!r.empty && !r.too_long && rec.error.empty() && rec.fields.size() == ncols) {
      if (decimal_form(rec.fields[col], '.')) return false;
      comma = comma || decimal_form(rec.fields[col], ',');
    }
    pos = r.end;
  }
  return comma;
}

bool named_tsv(const std::string& source) {
  std::string ext = std::filesystem::path(source).extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".tsv";
}

std::string other_delimiter_hint(const window_view& w, std::size_t header_pos, char used, const ingest_options& o,
                                 const schema& s) {
  sm_fields rec;
  for (const char d : kCandidates) {
    if (d == used) continue;
    const sm_result r = sm_record(w, header_pos, d, o.max_record_bytes, 0, 0, rec);
    if (r.incomplete || r.empty || r.too_long || !rec.error.empty()) continue;
    const header_match hm = match_header(rec.fields, o, s);
    if (hm.twice || !hm.has_score()) continue;
    if (hm.has_all(required_fields(o, s))) {
      return "with --delimiter " + delimiter_name(d) + " the header has columns " + list_names(rec.fields, 200);
    }
  }
  return {};
}

}  // namespace cxm::detail
