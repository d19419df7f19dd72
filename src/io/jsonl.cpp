// JSON Lines reading of responses: see include/cxmetrics/io/jsonl.hpp. The
// line parser follows the grammar of RFC 8259 (Bray 2017) and checks UTF-8
// as RFC 3629 does; it is iterative, so nesting depth costs no stack.
#include "cxmetrics/io/jsonl.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <istream>
#include <utility>

#include "io/csv_scan.hpp"
#include "io/ingest_internal.hpp"
#include "io/text_reader.hpp"

namespace cxm::inline v0_1 {
namespace detail {
namespace {

constexpr std::size_t kPrefixBytes = 256;
constexpr std::size_t kHeaderSearch = 1 << 20;  // bytes searched for the first object

enum class jkind : std::uint8_t { string, number, yes, no, null, object, array };

struct jmember {
  std::optional<field_id> field;
  jkind kind = jkind::null;
  std::string_view text;
  std::size_t column = 0;  // 1-based byte column of the value
};

enum class jstatus : std::uint8_t { blank, object, error };

/// Parses one line as one JSON object and collects its top-level members.
class json_line {
 public:
  json_line(const name_index& names, const schema& fields) : names_(names), fields_(fields), seen_(fields.size()) {}

  jstatus parse(const char* p, std::size_t n, bool collect_keys) {
    p_ = p;
    n_ = n;
    i_ = 0;
    members.clear();
    keys.clear();
    error.clear();
    error_column = 0;
    cause = reject_cause::malformed_json;
    error_field = std::nullopt;
    duplicate = std::nullopt;
    used_scratch_ = 0;
    stack_.clear();
    collect_ = collect_keys;
    top_keys_ = 0;
    std::fill(seen_.begin(), seen_.end(), false);

    skip_ws();
    if (i_ == n_) return jstatus::blank;
    if (p_[i_] != '{') return fail("the line is not a JSON object");
    return run();
  }

  std::vector<jmember> members;        // mapped members, in order
  std::vector<std::string> keys;       // every top-level key (collect_keys)
  std::string error;
  std::size_t error_column = 0;
  reject_cause cause = reject_cause::malformed_json;
  std::optional<field_id> error_field;  // the field whose string value is not UTF-8
  std::optional<std::size_t> duplicate;  // index in members of a field given twice

 private:
  enum class expect : std::uint8_t { value, key_or_close, key, colon, comma_or_close, value_or_close };

  jstatus fail(std::string what, reject_cause c = reject_cause::malformed_json) {
    error = std::move(what);
    error_field = std::nullopt;
    error_column = i_ + 1;
    cause = c;
    return jstatus::error;
  }
  void skip_ws() noexcept {
    while (i_ < n_ && (p_[i_] == ' ' || p_[i_] == '\t' || p_[i_] == '\r' || p_[i_] == '\n')) ++i_;
  }
  std::string& scratch() {
    if (used_scratch_ == scratch_.size()) scratch_.emplace_back();
    return scratch_[used_scratch_++];
  }

  static int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  bool read_hex4(unsigned& out) {
    if (i_ + 4 > n_) return false;
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      const int h = hex_value(p_[i_ + static_cast<std::size_t>(k)]);
      if (h < 0) return false;
      v = v * 16 + static_cast<unsigned>(h);
    }
    i_ += 4;
    out = v;
    return true;
  }
  static void put_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // A string at p_[i_] == '"', decoded into out. False on error (set).
  bool read_string(std::string& out, std::optional<field_id> field = std::nullopt) {
    ++i_;
    const std::size_t first = i_;
    out.clear();
    std::size_t run = i_;
    for (;;) {
      if (i_ >= n_) {
        (void)fail("a string is not closed before the end of the line");
        return false;
      }
      const auto c = static_cast<unsigned char>(p_[i_]);
      if (c == '"') {
        out.append(p_ + run, i_ - run);
        ++i_;
        return true;
      }
      if (c == '\\') {
        out.append(p_ + run, i_ - run);
        ++i_;
        if (i_ >= n_) {
          (void)fail("a string is not closed before the end of the line");
          return false;
        }
        const char e = p_[i_++];
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            unsigned cp = 0;
            if (!read_hex4(cp)) {
              (void)fail("\\u must be followed by four hexadecimal digits");
              return false;
            }
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
              (void)fail("a low surrogate \\u escape without a high surrogate before it");
              return false;
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
              unsigned lo = 0;
              if (i_ + 2 > n_ || p_[i_] != '\\' || p_[i_ + 1] != 'u') {
                (void)fail("a high surrogate \\u escape must be followed by a low surrogate");
                return false;
              }
              i_ += 2;
              if (!read_hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) {
                (void)fail("a high surrogate \\u escape must be followed by a low surrogate");
                return false;
              }
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            put_utf8(out, cp);
            break;
          }
          default:
            --i_;
            (void)fail("invalid escape in a string");
            return false;
        }
        run = i_;
        continue;
      }
      if (c < 0x20) {
        (void)fail("a control character in a string must be escaped");
        return false;
      }
      if (c >= 0x80) {
        // One well-formed UTF-8 sequence (RFC 3629).
        std::size_t len = 0;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
          len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
          len = 3;
          if (c == 0xE0) lo = 0xA0;
          if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
          len = 4;
          if (c == 0xF0) lo = 0x90;
          if (c == 0xF4) hi = 0x8F;
        }
        bool ok = len != 0 && i_ + len <= n_;
        if (ok) {
          const auto b1 = static_cast<unsigned char>(p_[i_ + 1]);
          ok = b1 >= lo && b1 <= hi;
          for (std::size_t k = 2; ok && k < len; ++k) {
            const auto b = static_cast<unsigned char>(p_[i_ + k]);
            ok = b >= 0x80 && b <= 0xBF;
          }
        }
        if (!ok) {
          // Rejected, not repaired: the byte and its offset in the string as written.
          static constexpr char hex[] = "0123456789ABCDEF";
          std::string what = field ? "the " + fields_[*field].name + " string" : std::string("a string");
          what += " is not valid UTF-8 (byte 0x";
          what += hex[c >> 4];
          what += hex[c & 15];
          what += " at offset " + std::to_string(i_ - first) + " of the string)";
          (void)fail(what, reject_cause::invalid_utf8);
          error_field = field;
          return false;
        }
        i_ += len;
        continue;
      }
      ++i_;
    }
  }

  // A number at p_[i_] (RFC 8259 grammar). False on error.
  bool read_number() {
    const std::size_t s = i_;
    auto digits = [this] {
      const std::size_t d = i_;
      while (i_ < n_ && p_[i_] >= '0' && p_[i_] <= '9') ++i_;
      return i_ > d;
    };
    if (p_[i_] == '-') ++i_;
    if (i_ < n_ && p_[i_] == '0') {
      ++i_;
    } else if (!(i_ < n_ && p_[i_] >= '1' && p_[i_] <= '9') || !digits()) {
      (void)fail("a number has no digits");
      return false;
    }
    if (i_ < n_ && p_[i_] == '.') {
      ++i_;
      if (!digits()) {
        (void)fail("a number has no digits after its decimal point");
        return false;
      }
    }
    if (i_ < n_ && (p_[i_] == 'e' || p_[i_] == 'E')) {
      ++i_;
      if (i_ < n_ && (p_[i_] == '+' || p_[i_] == '-')) ++i_;
      if (!digits()) {
        (void)fail("a number has no digits in its exponent");
        return false;
      }
    }
    number_ = std::string_view(p_ + s, i_ - s);
    return true;
  }

  bool read_literal(const char* word, std::size_t len) {
    if (i_ + len > n_ || std::memcmp(p_ + i_, word, len) != 0) {
      (void)fail("an unknown word (expected true, false or null)");
      return false;
    }
    i_ += len;
    return true;
  }

  // A value of the top-level object ended (at byte i_).
  void member_done(jkind kind, std::string_view text) {
    if (!member_field_) return;
    const auto f = member_field_->index();
    jmember m;
    m.field = member_field_;
    m.kind = kind;
    m.text = text;
    m.column = member_start_ + 1;
    if (seen_[f] && !duplicate) duplicate = members.size();
    seen_[f] = true;
    members.push_back(m);
  }

  jstatus run() {
    expect ex = expect::value;
    for (;;) {
      skip_ws();
      if (i_ >= n_) return fail("the line ends inside the object");
      const char c = p_[i_];
      switch (ex) {
        case expect::key_or_close:
        case expect::key: {
          if (ex == expect::key_or_close && c == '}') {
            ++i_;
            if (close(jkind::object)) return finish();
            ex = expect::comma_or_close;
            break;
          }
          if (c != '"') return fail("expected a key (a string in double quotes)");
          if (stack_.size() == 1) {
            std::string& key = scratch();
            if (!read_string(key)) return jstatus::error;
            member_field_ = names_.find_at(key, top_keys_++, key_);
            if (collect_) keys.push_back(key);
          } else {
            if (!read_string(tmp_)) return jstatus::error;
          }
          ex = expect::colon;
          break;
        }
        case expect::colon:
          if (c != ':') return fail("expected ':' after a key");
          ++i_;
          ex = expect::value;
          break;
        case expect::value_or_close:
          if (c == ']') {
            ++i_;
            if (close(jkind::array)) return finish();
            ex = expect::comma_or_close;
            break;
          }
          [[fallthrough]];
        case expect::value: {
          if (stack_.size() == 1) member_start_ = i_;
          if (c == '{' || c == '[') {
            stack_.push_back(c == '{' ? 0 : 1);
            ++i_;
            ex = c == '{' ? expect::key_or_close : expect::value_or_close;
            break;
          }
          jkind kind = jkind::null;
          std::string_view text;
          if (c == '"') {
            std::string& s = stack_.size() == 1 ? scratch() : tmp_;
            if (!read_string(s, stack_.size() == 1 ? member_field_ : std::nullopt)) return jstatus::error;
            kind = jkind::string;
            text = s;
          } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (!read_number()) return jstatus::error;
            kind = jkind::number;
            text = number_;
          } else if (c == 't') {
            if (!read_literal("true", 4)) return jstatus::error;
            kind = jkind::yes;
          } else if (c == 'f') {
            if (!read_literal("false", 5)) return jstatus::error;
            kind = jkind::no;
          } else if (c == 'n') {
            if (!read_literal("null", 4)) return jstatus::error;
            kind = jkind::null;
          } else {
            return fail("expected a value");
          }
          if (stack_.size() == 1) member_done(kind, text);
          ex = expect::comma_or_close;
          break;
        }
        case expect::comma_or_close: {
          const bool in_object = stack_.back() == 0;
          if (c == ',') {
            ++i_;
            ex = in_object ? expect::key : expect::value;
            break;
          }
          if ((c == '}' && in_object) || (c == ']' && !in_object)) {
            ++i_;
            if (close(in_object ? jkind::object : jkind::array)) return finish();
            ex = expect::comma_or_close;
            break;
          }
          return fail(in_object ? "expected ',' or '}'" : "expected ',' or ']'");
        }
      }
    }
  }

  // Closes a container; true when it was the top-level object.
  bool close(jkind kind) {
    stack_.pop_back();
    if (stack_.empty()) return true;
    if (stack_.size() == 1) member_done(kind, std::string_view(p_ + member_start_, i_ - member_start_));
    return false;
  }

  jstatus finish() {
    skip_ws();
    if (i_ != n_) return fail("text after the end of the object");
    return jstatus::object;
  }

  const name_index& names_;
  const schema& fields_;
  std::string key_;         // the key of the member's name (column_key)
  std::size_t top_keys_ = 0;  // top-level names seen in this line
  const char* p_ = nullptr;
  std::size_t n_ = 0;
  std::size_t i_ = 0;
  bool collect_ = false;
  std::vector<std::uint8_t> stack_;  // 0 object, 1 array
  std::deque<std::string> scratch_;  // decoded strings of the top level (stable addresses)
  std::size_t used_scratch_ = 0;
  std::string tmp_;
  std::string_view number_;
  std::optional<field_id> member_field_;
  std::size_t member_start_ = 0;
  std::vector<bool> seen_;  // by field id
};

class jsonl_worker final : public text_worker {
 public:
  jsonl_worker(const row_plan& plan, const name_index& names)
      : text_worker(plan), parser(names, plan.fields), seen(plan.fields.size()) {}
  json_line parser;
  std::vector<bool> seen;  // by field id: the line gave the field
};

class jsonl_skipper final : public record_skipper {
 public:
  bool feed(const char* p, std::size_t n, std::size_t& used, std::uint64_t& lines) override {
    const void* lf = std::memchr(p, '\n', n);
    if (lf == nullptr) {
      fed_ += n;
      used = n;
      return false;
    }
    const auto at = static_cast<std::size_t>(static_cast<const char*>(lf) - p);
    length_ = fed_ + at;
    ended_ = true;
    ++lines;
    used = at + 1;
    return true;
  }
  std::uint64_t length() const noexcept override { return ended_ ? length_ : fed_; }

 private:
  std::uint64_t fed_ = 0;
  std::uint64_t length_ = 0;
  bool ended_ = false;
};

class jsonl_format final : public text_format {
 public:
  jsonl_format(const ingest_options& o, const schema& s)
      : names_(o, s), max_(o.max_record_bytes), kernels_(active_csv_kernels()), present_(s.size()) {}

  /// The first object's keys: the fields it has are read under those keys only.
  void set_header(const std::vector<std::string>& keys, const header_mapping& m,
                  const std::vector<std::string>& all_keys) {
    present_ = m.present;
    names_.narrow(keys, m.column_field);
    names_.remember_order(all_keys);
  }

  std::unique_ptr<text_worker> make_worker(const row_plan& plan) const override {
    return std::make_unique<jsonl_worker>(plan, names_);
  }
  measure_result measure(const char* buf, std::size_t b, std::size_t e) const override {
    byte_counts c;
    kernels_.count(reinterpret_cast<const std::uint8_t*>(buf) + b, e - b, &c);
    measure_result m;
    m.terms = c.lf;
    return m;
  }
  std::size_t usable_end(const char*, std::size_t size, bool) const override { return size; }
  std::size_t first_record_start(const window_view& w, std::size_t b, bool, std::uint64_t& line) const override {
    if (b >= w.usable) return npos;
    if (w.buf[b - 1] == '\n') return b;
    const void* lf = std::memchr(w.buf + b, '\n', w.usable - b);
    if (lf == nullptr) return npos;
    ++line;
    return static_cast<std::size_t>(static_cast<const char*>(lf) - w.buf) + 1;
  }

  parse_result parse(const window_view& w, std::size_t pos, std::size_t stop, std::uint64_t line,
                     text_worker& worker) const override {
    auto& wk = static_cast<jsonl_worker&>(worker);
    parse_result res;
    while (pos < stop) {
      if (pos >= w.usable) {
        res.incomplete = !w.eof;
        break;
      }
      const void* lf = std::memchr(w.buf + pos, '\n', w.usable - pos);
      std::size_t e = 0;
      std::size_t next = 0;
      if (lf == nullptr) {
        if (!w.eof) {
          res.incomplete = true;
          break;
        }
        e = next = w.usable;
      } else {
        e = static_cast<std::size_t>(static_cast<const char*>(lf) - w.buf);
        next = e + 1;
      }
      apply_line(w.buf + pos, e - pos, line, wk);
      if (lf != nullptr) ++line;
      pos = next;
    }
    res.end = pos;
    res.line = line;
    return res;
  }

  std::unique_ptr<record_skipper> make_skipper() const override { return std::make_unique<jsonl_skipper>(); }
  std::string too_long_reason(std::size_t max_bytes) const override {
    return "the line is longer than " + std::to_string(max_bytes) + " bytes (max_record_bytes)";
  }

  const name_index& names() const noexcept { return names_; }

 private:
  void apply_line(const char* p, std::size_t n, std::uint64_t line, jsonl_worker& wk) const {
    row_builder& rb = wk.builder;
    if (n > 0 && p[n - 1] == '\r') --n;  // the CR of a CRLF line end is not part of the record
    if (n > max_) {
      rb.begin(line);
      rb.fail(reject_cause::record_too_long, too_long_reason(max_), std::string(p, std::min(kPrefixBytes, n)), 0);
      rb.end();
      return;
    }
    json_line& jl = wk.parser;
    const jstatus st = jl.parse(p, n, false);
    if (st == jstatus::blank) {
      rb.empty_line();
      return;
    }
    rb.begin(line);
    if (st == jstatus::error) {
      rb.fail(jl.cause, "the line is not one JSON object: " + jl.error, std::string(p, n), jl.error_column,
              jl.error_field);
      rb.end();
      return;
    }
    if (jl.duplicate) {
      const jmember& m = jl.members[*jl.duplicate];
      rb.fail(reject_cause::malformed_json,
              "the key of field '" + rb.field_name(*m.field) + "' appears twice in the object",
              std::string(p, n), m.column, m.field);
      rb.end();
      return;
    }
    std::vector<bool>& seen = wk.seen;
    std::fill(seen.begin(), seen.end(), false);
    for (const jmember& m : jl.members) {
      const field_id f = *m.field;
      seen[f.index()] = true;
      switch (m.kind) {
        case jkind::string: rb.text(f, m.text, m.column); break;
        case jkind::number: rb.json_number(f, m.text, m.column); break;
        case jkind::yes: rb.json_bool(f, true, m.column); break;
        case jkind::no: rb.json_bool(f, false, m.column); break;
        case jkind::null: rb.missing(f, m.column); break;
        case jkind::object:
        case jkind::array: rb.json_structure(f, m.text, m.column); break;
      }
    }
    for (std::size_t f = 0; f < present_.size(); ++f) {
      if (present_[f] && !seen[f]) rb.missing(field_id(f), 0);
    }
    rb.end();
  }

  name_index names_;
  std::size_t max_;
  const csv_kernels& kernels_;
  std::vector<bool> present_;  // by field id
};

ingest_report stream_jsonl(byte_source& src, std::string source, const ingest_options& o, const ingest_sink& sink) {
  check_options(o);
  session ses(o, sink, std::move(source), ingest_format::jsonl);
  jsonl_format format(o, ses.fields());
  text_reader rd(ses, src, format);

  while (rd.size() < 3 && rd.fill_more(1 << 16)) {
  }
  if (rd.size() >= 3 && static_cast<unsigned char>(rd.data()[0]) == 0xEF &&
      static_cast<unsigned char>(rd.data()[1]) == 0xBB && static_cast<unsigned char>(rd.data()[2]) == 0xBF) {
    rd.consume(3, 1);
  }

  // The first object's keys act as the header. Nothing is consumed.
  json_line jl(format.names(), ses.fields());
  std::size_t pos = 0;
  std::uint64_t line = 1;
  bool found = false;
  while (pos < kHeaderSearch) {
    const void* lf = std::memchr(rd.data() + pos, '\n', rd.size() - pos);
    if (lf == nullptr && !rd.at_eof() && rd.size() <= kHeaderSearch) {
      if (rd.fill_more(1 << 16)) continue;
    }
    if (lf == nullptr && !rd.at_eof()) break;  // a first line longer than the search
    const std::size_t e = lf == nullptr ? rd.size() : static_cast<std::size_t>(static_cast<const char*>(lf) - rd.data());
    if (e - pos <= o.max_record_bytes && jl.parse(rd.data() + pos, e - pos, true) == jstatus::object) {
      found = true;
      break;
    }
    if (lf == nullptr) break;
    pos = e + 1;
    ++line;
  }
  if (found) {
    std::vector<std::string> keys;
    std::vector<std::string> seen;  // column keys
    for (const auto& k : jl.keys) {
      std::string key = column_key(k);
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
      seen.push_back(std::move(key));
      keys.push_back(k);
    }
    header_mapping m = map_header(keys, o, ses.fields(), ses.source(), line, "key");
    ses.set_present(m.present);
    format.set_header(keys, m, jl.keys);
    ses.set_header(std::move(keys), std::move(m));
  }
  if (o.range) (void)rd.restrict_to(*o.range, false);  // JSON Lines records are one line each
  rd.run();
  return ses.finish();
}

}  // namespace
}  // namespace detail

ingest_report stream_responses_jsonl(const std::filesystem::path& file, const ingest_options& options,
                                     const ingest_sink& sink) {
  auto src = detail::open_file_source(file);
  return detail::stream_jsonl(*src, file.string(), options, sink);
}

ingest_report stream_responses_jsonl(std::istream& in, std::string_view source, const ingest_options& options,
                                     const ingest_sink& sink) {
  auto src = detail::stream_source(in);
  return detail::stream_jsonl(*src, std::string(source), options, sink);
}

ingest_report stream_responses_jsonl_text(std::string_view text, std::string_view source,
                                          const ingest_options& options, const ingest_sink& sink) {
  auto src = detail::memory_source(text);
  return detail::stream_jsonl(*src, std::string(source), options, sink);
}

}  // namespace cxm
