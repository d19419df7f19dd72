// CSV reading of responses: see include/cxmetrics/io/csv.hpp for the format,
// the rules and the split method; RFC 4180 for the record syntax.
#include "cxmetrics/io/csv.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <istream>
#include <utility>

#include "io/csv_dialect.hpp"
#include "io/csv_record.hpp"
#include "io/csv_scan.hpp"
#include "io/ingest_internal.hpp"
#include "io/text_reader.hpp"

namespace cxm::inline v0_1 {
namespace detail {

// ---------------------------------------------------------------------------
// The scalar state machine: the definition of the syntax (src/io/csv_record.hpp).

sm_result sm_record(const window_view& w, std::size_t pos, char delimiter, std::size_t max_bytes,
                    std::size_t expected_fields, std::uint64_t line, sm_fields& rec) {
  enum class state : std::uint8_t { start, unquoted, quoted, after_quote };
  state st = state::start;
  rec.fields.clear();
  rec.error.clear();
  rec.error_column = 0;
  std::string field;
  sm_result r;
  bool any = false;
  bool too_long = false;
  const char* buf = w.buf;
  auto push = [&] {
    rec.fields.push_back(std::move(field));
    field.clear();
  };
  // The first line break of the record (where a runaway record ends).
  std::size_t eol = npos, eol_end = 0;
  // The opening quote of the current quoted field: its field, line (from the
  // record's) and byte column; and that of the first field that spans a line.
  std::size_t line_start = pos;
  std::uint64_t quote_field = 0, quote_line = 0, quote_column = 0;
  std::uint64_t span_field = 0, span_line = 0, span_column = 0;
  bool spanned = false;
  auto run_away = [&](const std::string& why) {
    const bool open = st == state::quoted || st == state::after_quote;
    const std::uint64_t f = open ? quote_field : span_field;
    rec.error = "the quote opened at line " + std::to_string(line + (open ? quote_line : span_line)) + ", column " +
                std::to_string(open ? quote_column : span_column) + " (field " + std::to_string(f) +
                ") never closes: " + why;
    if (eol != npos) rec.error += "; reading goes on at line " + std::to_string(line + 1);
    rec.error_column = f;
    r.runaway = true;
    r.too_long = false;
    r.end = eol != npos ? eol_end : w.usable;
    r.length = (eol != npos ? eol : w.usable) - pos;
    r.lines = eol != npos ? 1 : 0;
    return r;
  };
  std::size_t i = pos;
  for (;;) {
    if (i >= w.usable) {
      if (!w.eof) {
        r.incomplete = true;
        return r;
      }
      if (st == state::quoted && !too_long) return run_away("the input ends inside it");
      push();
      r.end = i;
      r.length = i - pos;
      r.too_long = r.length > max_bytes;
      if (!r.too_long && spanned && expected_fields != 0 && rec.fields.size() != expected_fields) {
        return run_away("the record it makes ends with the input, with " + std::to_string(rec.fields.size()) +
                        " fields; the header has " + std::to_string(expected_fields));
      }
      return r;
    }
    const char c = buf[i];
    if (c == '\n' || c == '\r') {
      const std::size_t at = i;
      ++i;
      const bool crlf = c == '\r' && i < w.size && buf[i] == '\n';
      if (crlf) ++i;
      ++r.lines;
      if (eol == npos) {
        eol = at;
        eol_end = i;
      }
      if (too_long) {  // past max_bytes on its first line: the record ends at this line break
        r.end = i;
        r.length = at - pos;
        r.too_long = true;
        return r;
      }
      if (st == state::quoted) {  // a line break inside quotes is data
        if (!spanned) {
          spanned = true;
          span_field = quote_field;
          span_line = quote_line;
          span_column = quote_column;
          if (!rec.error.empty()) return run_away("the record is malformed before it (" + rec.error + ")");
        }
        line_start = i;
        if (i - pos > max_bytes) {
          return run_away("the record is longer than " + std::to_string(max_bytes) + " bytes (max_record_bytes)");
        }
        if (crlf) {
          field += "\r\n";
        } else {
          field += c;
        }
        continue;
      }
      if (!any) {
        r.empty = true;
        r.end = i;
        return r;
      }
      push();
      r.end = i;
      r.length = at - pos;
      if (spanned && expected_fields != 0 && rec.fields.size() != expected_fields) {
        return run_away("the record it makes ends at line " + std::to_string(line + r.lines - 1) + " with " +
                        std::to_string(rec.fields.size()) + " fields; the header has " +
                        std::to_string(expected_fields));
      }
      return r;
    }
    ++i;
    any = true;
    if (i - pos > max_bytes && !too_long) {
      if (spanned) {
        return run_away("the record is longer than " + std::to_string(max_bytes) + " bytes (max_record_bytes)");
      }
      too_long = true;  // fields are kept no longer; the record ends at its first line break
      field.clear();
      rec.fields.clear();
    }
    switch (st) {
      case state::start:
        if (c == '"') {
          st = state::quoted;
          quote_field = rec.fields.size() + 1;
          quote_line = r.lines;
          quote_column = i - line_start;
        } else if (c == delimiter) {
          push();
        } else {
          if (!too_long) field += c;
          st = state::unquoted;
        }
        break;
      case state::unquoted:
        if (c == delimiter) {
          push();
          st = state::start;
        } else if (!too_long) {
          field += c;  // a quote here is a literal character
        }
        break;
      case state::quoted:
        if (c == '"') {
          st = state::after_quote;
        } else if (!too_long) {
          field += c;
        }
        break;
      case state::after_quote:
        if (c == '"') {  // "" inside quotes is one quote
          if (!too_long) field += '"';
          st = state::quoted;
        } else if (c == delimiter) {
          push();
          st = state::start;
        } else {
          if (spanned && !too_long) {
            return run_away("the quote at line " + std::to_string(line + r.lines) + " that would close it is followed by text");
          }
          if (rec.error.empty()) {
            rec.error =
                "text after the closing quote of a quoted field (a quote inside a quoted field must be doubled)";
            rec.error_column = rec.fields.size() + 1;
          }
          if (!too_long) field += c;
          st = state::unquoted;
        }
        break;
    }
  }
}

namespace {

constexpr std::size_t kSlice = 32 * 1024;      // bytes scanned into the index at a time
constexpr std::size_t kPrefixBytes = 256;      // bytes of a too-long record kept in its reject
// What the per-row loops keep of a column, one byte: the id of the
// predefined field it holds, kDeclared for a declared field (row_builder
// finds which from the column: row_builder::set_column_fields), or kIgnore.
constexpr std::uint8_t kDeclared = 0xFE;
constexpr std::uint8_t kIgnore = 0xFF;

// The end of the first physical line of a record too long to hold, fed in
// pieces, keeping nothing (sm_record ends such a record there).
class csv_skipper final : public record_skipper {
 public:
  bool feed(const char* p, std::size_t n, std::size_t& used, std::uint64_t& lines) override {
    for (std::size_t i = 0; i < n; ++i) {
      const char c = p[i];
      if (pending_cr_) {  // a CR ended the line; an LF right after it belongs to it
        used = c == '\n' ? i + 1 : i;
        return true;
      }
      if (c == '\n' || c == '\r') {
        ++lines;
        length_ = fed_ + i;
        if (c == '\r') {
          pending_cr_ = true;
          continue;
        }
        used = i + 1;
        return true;
      }
    }
    fed_ += n;
    if (!pending_cr_) length_ = fed_;
    used = n;
    return false;
  }
  std::uint64_t length() const noexcept override { return length_; }

 private:
  bool pending_cr_ = false;
  std::uint64_t fed_ = 0;
  std::uint64_t length_ = 0;
};

std::string join(const std::vector<std::string>& fields, char delimiter) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += delimiter;
    out += fields[i];
  }
  return out;
}

// ---------------------------------------------------------------------------
// The CSV format of the window driver

class csv_worker final : public text_worker {
 public:
  csv_worker(const row_plan& plan, const std::vector<std::optional<field_id>>& fields)
      : text_worker(plan), unescaped(fields.size()) {
    builder.set_column_fields(&fields);
  }
  std::vector<std::uint32_t> idx;
  std::vector<std::uint32_t> qnl;
  std::vector<std::uint8_t> hi;  // per 64-byte block from the scan origin: has a byte >= 0x80
  std::vector<std::string> unescaped;  // per column
  sm_fields rec;
};

class csv_format final : public text_format {
 public:
  explicit csv_format(const ingest_options& o)
      : delimiter_(o.delimiter), max_(o.max_record_bytes), simd_(o.simd), kernels_(active_csv_kernels()) {}

  /// The delimiter, once known (before any worker or skipper is made).
  void set_delimiter(char d) noexcept { delimiter_ = d; }

  void set_columns(const std::vector<std::optional<field_id>>& cols) {
    fields_ = cols;
    kinds_.clear();
    for (const auto& f : cols) {
      kinds_.push_back(!f ? kIgnore : f->predefined() ? static_cast<std::uint8_t>(f->value) : kDeclared);
    }
  }

  std::unique_ptr<text_worker> make_worker(const row_plan& plan) const override {
    return std::make_unique<csv_worker>(plan, fields_);
  }

  measure_result measure(const char* buf, std::size_t b, std::size_t e) const override {
    byte_counts c;
    kernels_.count(reinterpret_cast<const std::uint8_t*>(buf) + b, e - b, &c);
    measure_result m;
    m.quote_odd = (c.quotes & 1U) != 0;
    m.ends_with_cr = e > b && buf[e - 1] == '\r';
    m.terms = c.lf + c.cr - c.crlf - (m.ends_with_cr ? 1 : 0);
    return m;
  }

  std::size_t usable_end(const char* buf, std::size_t size, bool eof) const override {
    // A CR at the very end of an unfinished window may be the first half of
    // a CRLF: records ending there wait for the next window.
    return (!eof && size > 0 && buf[size - 1] == '\r') ? size - 1 : size;
  }

  std::size_t first_record_start(const window_view& w, std::size_t b, bool inside, std::uint64_t& line) const override {
    if (b >= w.usable) return npos;
    const char* buf = w.buf;
    if (!inside && (buf[b - 1] == '\n' || (buf[b - 1] == '\r' && buf[b] != '\n'))) return b;
    bool in = inside;
    for (std::size_t i = b; i < w.usable; ++i) {
      const char c = buf[i];
      if (c == '"') {
        in = !in;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < w.size && buf[i + 1] == '\n') ++i;
        ++line;
        if (!in) return i + 1;
      }
    }
    return npos;
  }

  parse_result parse(const window_view& w, std::size_t s, std::size_t stop, std::uint64_t line,
                     text_worker& worker) const override {
    auto& wk = static_cast<csv_worker&>(worker);
    return simd_ ? parse_fast(w, s, stop, line, wk) : parse_scalar(w, s, stop, line, wk);
  }

  std::unique_ptr<record_skipper> make_skipper() const override { return std::make_unique<csv_skipper>(); }

  std::string too_long_reason(std::size_t max_bytes) const override {
    return "the record is longer than " + std::to_string(max_bytes) +
           " bytes (max_record_bytes); is a quote never closed?";
  }

 private:
  // Applies a record the state machine read.
  void apply_sm(const window_view& w, std::size_t pos, const sm_result& r, std::uint64_t line, csv_worker& wk) const {
    row_builder& rb = wk.builder;
    rb.begin(line);
    const sm_fields& rec = wk.rec;
    if (r.runaway) {
      const std::uint64_t c = rec.error_column;
      const std::optional<field_id> f = (c >= 1 && c <= fields_.size()) ? fields_[c - 1] : std::nullopt;
      rb.fail(reject_cause::malformed_csv, rec.error, std::string(w.buf + pos, std::min(kPrefixBytes, r.length)), c, f);
    } else if (r.too_long) {
      rb.fail(reject_cause::record_too_long, too_long_reason(max_),
              std::string(w.buf + pos, std::min(kPrefixBytes, r.length)), 0);
    } else if (!rec.error.empty()) {
      const std::uint64_t c = rec.error_column;
      const std::optional<field_id> f = (c >= 1 && c <= fields_.size()) ? fields_[c - 1] : std::nullopt;
      rb.fail(reject_cause::malformed_csv, rec.error, rec.fields[c - 1], c, f);
    } else if (rec.fields.size() != kinds_.size()) {
      rb.fail(reject_cause::field_count,
              "the row has " + std::to_string(rec.fields.size()) + " fields, the header has " +
                  std::to_string(kinds_.size()),
              join(rec.fields, delimiter_), 0);
    } else {
      for (std::size_t c = 0; c < kinds_.size(); ++c) {
        if (kinds_[c] != kIgnore) rb.text(field_id(kinds_[c]), rec.fields[c], c + 1);
      }
    }
    rb.end();
  }

  // One record (or empty line) at pos by the state machine; false when
  // incomplete. `resync` says that the record ended at its first line break
  // while its quotes were open (a quote that never closes, a record too
  // long): a structural index built past it took the wrong quote state.
  bool sm_step(const window_view& w, std::size_t& pos, std::uint64_t& line, csv_worker& wk, bool* resync = nullptr) const {
    const sm_result r = sm_record(w, pos, delimiter_, max_, kinds_.size(), line, wk.rec);
    if (r.incomplete) return false;
    if (resync != nullptr) *resync = r.runaway || r.too_long;
    if (r.empty) {
      wk.builder.empty_line();
    } else {
      apply_sm(w, pos, r, line, wk);
    }
    pos = r.end;
    line += r.lines;
    return true;
  }

  parse_result parse_scalar(const window_view& w, std::size_t pos, std::size_t stop, std::uint64_t line,
                            csv_worker& wk) const {
    parse_result res;
    while (pos < stop) {
      if (pos >= w.usable) {
        res.incomplete = !w.eof;
        break;
      }
      if (!sm_step(w, pos, line, wk)) {
        res.incomplete = true;
        break;
      }
    }
    res.end = pos;
    res.line = line;
    return res;
  }

  parse_result parse_fast(const window_view& w, std::size_t pos, std::size_t stop, std::uint64_t line,
                          csv_worker& wk) const {
    const char* buf = w.buf;
    const auto* ubuf = reinterpret_cast<const std::uint8_t*>(buf);
    const std::size_t ncols = kinds_.size();
    const auto delim = static_cast<std::uint8_t>(delimiter_);
    row_builder& rb = wk.builder;
    auto& idx = wk.idx;
    auto& qnl = wk.qnl;
    auto& hi = wk.hi;
    std::size_t n = 0, j = 0, qn = 0, qj = 0;
    std::size_t scan_pos = pos;
    std::size_t origin = pos;  // where the scan started (blocks of hi count from here)
    scan_state st;
    bool stopped = false;  // an anomaly stopped the scan
    const int next_byte = w.usable < w.size ? static_cast<int>(ubuf[w.usable]) : (w.eof ? -1 : -2);

    auto reset_scan = [&](std::size_t at) {
      n = j = qn = qj = 0;
      scan_pos = at;
      origin = at;
      st = scan_state{};
      stopped = false;
    };
    auto scan_more = [&]() -> bool {
      if (stopped || scan_pos >= w.usable) return false;
      if (j > 0) {
        std::memmove(idx.data(), idx.data() + j, (n - j) * sizeof(std::uint32_t));
        n -= j;
        j = 0;
      }
      if (qj > 0) {
        std::memmove(qnl.data(), qnl.data() + qj, (qn - qj) * sizeof(std::uint32_t));
        qn -= qj;
        qj = 0;
      }
      const std::size_t end = std::min(w.usable, scan_pos + kSlice);
      const std::size_t room = end - scan_pos + 72;
      if (idx.size() < n + room) idx.resize(n + room);
      if (qnl.size() < qn + room) qnl.resize(qn + room);
      const std::size_t block = (scan_pos - origin) / 64;
      if (hi.size() < block + room / 64 + 2) hi.resize(block + room / 64 + 2);
      scan_out out;
      kernels_.scan(ubuf, scan_pos, end, end == w.usable ? next_byte : static_cast<int>(ubuf[end]), delim, &st,
                    idx.data() + n, qnl.data() + qn, hi.data() + block, &out);
      n += out.n_idx;
      qn += out.n_qnl;
      stopped = out.anomaly;
      scan_pos = out.stop;
      return true;
    };

    parse_result res;
    while (pos < stop) {
      if (pos >= w.usable) {
        res.incomplete = !w.eof;
        break;
      }
      while (j < n && idx[j] < pos) ++j;
      while (qj < qn && qnl[qj] < pos) ++qj;
      while (n - j < 1 && scan_more()) {
      }
      if (n > j) {
        const std::size_t t0 = idx[j];
        if (ubuf[t0] != delim && (t0 == pos || (t0 == pos + 1 && ubuf[t0] == '\n' && ubuf[pos] == '\r'))) {
          rb.empty_line();  // an empty line (LF, CRLF or lone CR)
          ++line;
          pos = t0 + 1;
          ++j;
          continue;
        }
      }
      while (n - j < ncols && scan_more()) {
      }
      if (n - j >= ncols) {
        const std::size_t t = idx[j + ncols - 1];
        const bool ends = ubuf[t] != delim;
        const std::size_t first_break = (ends && ubuf[t] == '\n' && t > pos && ubuf[t - 1] == '\r') ? t - 1 : t;
        if (ends && first_break - pos <= max_) {
          bool ascii = true;
          for (std::size_t b = (pos - origin) / 64, last = (t - origin) / 64; b <= last; ++b) ascii = ascii && hi[b] == 0;
          rb.begin(line, ascii);
          std::size_t fs = pos;
          bool shape = true;  // the first ncols - 1 structurals are delimiters
          for (std::size_t c = 0; c < ncols; ++c) {
            const std::size_t fe = idx[j + c];
            if (c + 1 < ncols && ubuf[fe] != delim) {
              shape = false;
              break;
            }
            const std::uint8_t kind = kinds_[c];
            if (kind != kIgnore) {
              const std::size_t e = c + 1 == ncols ? first_break : fe;
              std::string_view v(buf + fs, e - fs);
              if (!v.empty() && v.front() == '"') {
                // The scan checked the quoting: "...", inner quotes doubled.
                v = std::string_view(buf + fs + 1, e - fs - 2);
                if (std::memchr(v.data(), '"', v.size()) != nullptr) {
                  std::string& u = wk.unescaped[c];
                  u.clear();
                  for (std::size_t i = 0; i < v.size(); ++i) {
                    u += v[i];
                    if (v[i] == '"') ++i;
                  }
                  v = u;
                }
              }
              rb.text(field_id(kind), v, c + 1);
            }
            fs = fe + 1;
          }
          if (shape) {
            rb.end();
            ++line;
            while (qj < qn && qnl[qj] < t) {
              ++qj;
              ++line;
            }
            pos = t + 1;
            j += ncols;
            continue;
          }
          rb.abandon();  // fewer fields than the header: the state machine reports it
        }
      }
      // The state machine: wrong field count, too long, an anomaly, or the
      // last record of the input.
      const bool was_stopped = stopped;
      bool resync = false;
      if (!sm_step(w, pos, line, wk, &resync)) {
        res.incomplete = true;
        break;
      }
      // The index stays valid up to an anomaly; past one, or after a record
      // the state machine ended inside quotes, scan again.
      if (was_stopped || resync || pos > scan_pos) reset_scan(pos);
    }
    res.end = pos;
    res.line = line;
    return res;
  }

  char delimiter_;
  std::size_t max_;
  bool simd_;
  const csv_kernels& kernels_;
  std::vector<std::optional<field_id>> fields_;
  std::vector<std::uint8_t> kinds_;
};

// ---------------------------------------------------------------------------
// Reading

// A range read is exact when no record spans a line break (ingest_options.hpp,
// byte_range): pairing the quotes of [first, next) in order, none of the
// pairs may hold a line break, and none may stay open. Throws parse_error
// naming the byte of the opening quote otherwise.
void check_one_line_records(byte_source& src, std::uint64_t first, std::uint64_t next, const std::string& name) {
  if (first >= next) return;
  constexpr std::size_t kBlock = std::size_t{1} << 20;
  std::vector<char> b(kBlock);
  bool open = false;
  std::uint64_t opened = 0;
  for (std::uint64_t at = first; at < next; at += kBlock) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kBlock, next - at));
    const std::size_t got = src.read_at(at, b.data(), want);
    const char* p = b.data();
    const char* const e = p + got;
    while (p < e) {
      const auto* q = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(e - p)));
      if (open) {
        const char* const stop = q == nullptr ? e : q;
        const auto n = static_cast<std::size_t>(stop - p);
        if (std::memchr(p, '\n', n) != nullptr || std::memchr(p, '\r', n) != nullptr) break;
      }
      if (q == nullptr) {
        p = e;
        break;
      }
      open = !open;
      if (open) opened = at + static_cast<std::uint64_t>(q - b.data());
      p = q + 1;
    }
    if (p < e) {
      open = true;
      break;
    }
    if (got == 0) break;
  }
  if (open) {
    location where;
    where.file = name;
    throw parse_error("a byte range needs records on one line each, but the quoted field opened at byte " +
                          std::to_string(opened) +
                          " of the file spans a line break or never closes; read the file whole",
                      where);
  }
}

ingest_report stream_csv(byte_source& src, std::string source, const ingest_options& o, const ingest_sink& sink) {
  check_options(o);
  session ses(o, sink, std::move(source), ingest_format::csv);
  csv_format format(o);
  text_reader rd(ses, src, format);

  // A UTF-8 byte order mark (EF BB BF) before the header is not data.
  while (rd.size() < 3 && rd.fill_more(1 << 16)) {
  }
  if (rd.size() >= 3 && static_cast<unsigned char>(rd.data()[0]) == 0xEF &&
      static_cast<unsigned char>(rd.data()[1]) == 0xBB && static_cast<unsigned char>(rd.data()[2]) == 0xBF) {
    rd.consume(3, 1);
  }

  // The delimiter: given, a .tsv name's tab, or detected in the first window.
  char delimiter = o.delimiter;
  if (delimiter == 0) delimiter = named_tsv(ses.source()) ? '\t' : detect_delimiter(rd.data(), rd.size(), rd.at_eof());
  format.set_delimiter(delimiter);

  // The header: the first non-empty record.
  sm_fields rec;
  std::size_t pos = 0;
  std::size_t header_pos = 0;
  std::uint64_t line = 1;
  std::uint64_t empty = 0;
  std::uint64_t header_line = 1;
  for (;;) {
    window_view w;
    w.buf = rd.data();
    w.size = rd.size();
    w.eof = rd.at_eof();
    w.usable = format.usable_end(w.buf, w.size, w.eof);
    if (pos >= w.usable) {
      if (w.eof) throw parse_error("the input is empty: there is no header row", in_file(ses.source(), 1));
      (void)rd.fill_more(std::max<std::size_t>(1 << 16, rd.size()));
      continue;
    }
    const sm_result r = sm_record(w, pos, delimiter, o.max_record_bytes, 0, line, rec);
    if (r.incomplete) {
      if (rd.size() - pos > o.max_record_bytes) {
        throw parse_error("the header row is longer than " + std::to_string(o.max_record_bytes) +
                              " bytes (max_record_bytes)",
                          in_file(ses.source(), line));
      }
      (void)rd.fill_more(std::max<std::size_t>(1 << 16, rd.size()));
      continue;
    }
    if (r.empty) {
      ++empty;
      line += r.lines;
      pos = r.end;
      continue;
    }
    if (r.too_long) {
      throw parse_error("the header row is longer than " + std::to_string(o.max_record_bytes) +
                            " bytes (max_record_bytes)",
                        in_file(ses.source(), line));
    }
    if (!rec.error.empty()) throw parse_error("header row: " + rec.error, in_file(ses.source(), line, rec.error_column));
    header_pos = pos;
    header_line = line;
    line += r.lines;
    pos = r.end;
    break;
  }
  window_view w;
  w.buf = rd.data();
  w.size = rd.size();
  w.eof = rd.at_eof();
  w.usable = format.usable_end(w.buf, w.size, w.eof);
  std::string hint;  // another delimiter that would give the header its columns
  {
    const header_match hm = match_header(rec.fields, o, ses.fields());
    const bool lacks = !hm.twice && (!hm.has_score() || !hm.has_all(required_fields(o, ses.fields())));
    if (lacks) hint = other_delimiter_hint(w, header_pos, delimiter, o, ses.fields());
  }
  header_mapping m = map_header(rec.fields, o, ses.fields(), ses.source(), header_line, "column", hint);

  // The decimal point: given, or ',' when the weights of the window say so.
  char point = o.decimal_point;
  bool point_detected = false;
  if (point == 0) {
    point = '.';
    const auto wc = std::find(m.column_field.begin(), m.column_field.end(), field_id(response_field::weight));
    if (delimiter != ',' && wc != m.column_field.end() &&
        weights_use_decimal_comma(w, pos, delimiter, static_cast<std::size_t>(wc - m.column_field.begin()),
                                  rec.fields.size(), o.max_record_bytes)) {
      point = ',';
      point_detected = true;
    }
  }
  ses.set_dialect(delimiter, o.delimiter == 0, point, point_detected);

  rd.consume(pos, line);
  if (o.range) {
    const std::uint64_t data = rd.offset();
    const auto b = rd.restrict_to(*o.range, true);
    if (!b.head) empty = 0;  // the empty lines before the header
    // A range holding the whole input cuts no record; any other is checked.
    if (b.first > data || b.next != static_cast<std::uint64_t>(-1)) {
      check_one_line_records(src, b.first, b.next, ses.source());
    }
  }
  ses.add_empty_lines(empty);
  ses.set_present(m.present);
  format.set_columns(m.column_field);
  ses.set_header(rec.fields, std::move(m));
  rd.run();
  return ses.finish();
}

}  // namespace
}  // namespace detail

ingest_report stream_responses_csv(const std::filesystem::path& file, const ingest_options& options,
                                   const ingest_sink& sink) {
  auto src = detail::open_file_source(file);
  return detail::stream_csv(*src, file.string(), options, sink);
}

ingest_report stream_responses_csv(std::istream& in, std::string_view source, const ingest_options& options,
                                   const ingest_sink& sink) {
  auto src = detail::stream_source(in);
  return detail::stream_csv(*src, std::string(source), options, sink);
}

ingest_report stream_responses_csv_text(std::string_view text, std::string_view source, const ingest_options& options,
                                        const ingest_sink& sink) {
  auto src = detail::memory_source(text);
  return detail::stream_csv(*src, std::string(source), options, sink);
}

}  // namespace cxm
