// CSV reading of responses: see include/cxmetrics/io/csv.hpp for the format
// and the rules; RFC 4180 for the record syntax.
#include "cxmetrics/io/csv.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <istream>
#include <optional>
#include <system_error>
#include <unordered_map>
#include <utility>

namespace cxm {
namespace {

// ---------------------------------------------------------------------------
// Record syntax

// Splits a stream into records of fields (RFC 4180), block by block. Tracks
// physical lines so each record knows the line it starts on.
class record_reader {
 public:
  record_reader(std::istream& in, char delimiter) : in_(in), delimiter_(delimiter), buf_(block_size) {
    fill();
    // A UTF-8 byte order mark (EF BB BF) before the header is not data.
    if (len_ >= 3 && static_cast<unsigned char>(buf_[0]) == 0xEF && static_cast<unsigned char>(buf_[1]) == 0xBB &&
        static_cast<unsigned char>(buf_[2]) == 0xBF) {
      pos_ = 3;
    }
  }

  // A record that was read. `error` is non-empty when the record is malformed
  // CSV; `error_column` is then the 1-based field where the problem is.
  struct record {
    std::vector<std::string> fields;
    std::uint64_t line = 0;
    std::string error;
    std::uint64_t error_column = 0;
  };

  // Reads the next non-empty record into `r`; false at the end of the input.
  bool next(record& r) {
    r.fields.clear();
    r.error.clear();
    r.error_column = 0;
    r.line = line_;
    std::string field;
    enum class state { start, unquoted, quoted, after_quote } st = state::start;
    bool any = false;  // any character (other than the line break) in this record
    auto push = [&] {
      r.fields.push_back(std::move(field));
      field.clear();
    };
    for (;;) {
      const int c = get();
      if (c < 0) {
        if (!any) return false;
        if (st == state::quoted && r.error.empty()) {
          r.error = "a quoted field is not closed before the end of the input";
          r.error_column = r.fields.size() + 1;
        }
        push();
        return true;
      }
      if (c == '\n' || c == '\r') {
        const bool crlf = c == '\r' && peek() == '\n';
        if (crlf) (void)get();
        ++line_;
        if (st == state::quoted) {  // a line break inside quotes is data
          field += crlf ? "\r\n" : std::string(1, static_cast<char>(c));
          continue;
        }
        if (!any) {  // an empty line
          ++empty_lines_;
          r.line = line_;
          continue;
        }
        push();
        return true;
      }
      any = true;
      const char ch = static_cast<char>(c);
      switch (st) {
        case state::start:
          if (ch == '"') {
            st = state::quoted;
          } else if (ch == delimiter_) {
            push();
          } else {
            field += ch;
            st = state::unquoted;
          }
          break;
        case state::unquoted:
          if (ch == delimiter_) {
            push();
            st = state::start;
          } else {
            field += ch;  // a quote here is a literal character
          }
          break;
        case state::quoted:
          if (ch == '"') {
            st = state::after_quote;
          } else {
            field += ch;
          }
          break;
        case state::after_quote:
          if (ch == '"') {  // "" inside quotes is one quote
            field += '"';
            st = state::quoted;
          } else if (ch == delimiter_) {
            push();
            st = state::start;
          } else {
            if (r.error.empty()) {
              r.error = std::string("text after the closing quote of a quoted field (a quote inside a quoted field "
                                    "must be doubled)");
              r.error_column = r.fields.size() + 1;
            }
            field += ch;
            st = state::unquoted;
          }
          break;
      }
    }
  }

  [[nodiscard]] std::uint64_t empty_lines() const noexcept { return empty_lines_; }
  [[nodiscard]] bool failed() const { return in_.bad(); }

 private:
  static constexpr std::size_t block_size = 1 << 16;

  void fill() {
    pos_ = 0;
    len_ = 0;
    if (!in_.good()) return;
    in_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    len_ = static_cast<std::size_t>(in_.gcount());
  }
  int get() {
    if (pos_ == len_) fill();
    if (pos_ == len_) return -1;
    return static_cast<unsigned char>(buf_[pos_++]);
  }
  int peek() {
    if (pos_ == len_) fill();
    if (pos_ == len_) return -1;
    return static_cast<unsigned char>(buf_[pos_]);
  }

  std::istream& in_;
  char delimiter_;
  std::vector<char> buf_;
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  std::uint64_t line_ = 1;
  std::uint64_t empty_lines_ = 0;
};

// ---------------------------------------------------------------------------
// Field values

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower_trimmed(std::string_view s) {
  std::string out(trim(s));
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_integer_text(std::string_view t) noexcept {
  std::size_t i = (!t.empty() && (t.front() == '+' || t.front() == '-')) ? 1 : 0;
  if (i == t.size()) return false;
  for (; i < t.size(); ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
  }
  return true;
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

// A score: empty (missing), an integer on the scale, or an error.
std::optional<int> parse_score(std::string_view raw, const scale& s, const location& where) {
  const auto t = trim(raw);
  if (t.empty()) return std::nullopt;
  if (is_integer_text(t)) {
    long long v = 0;
    const auto digits = t.front() == '+' ? t.substr(1) : t;
    const auto res = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (res.ec != std::errc()) {  // more digits than a long long holds
      throw score_out_of_scale("score " + std::string(t) + " is outside the " + s.describe(), where);
    }
    s.check(v, where);
    return static_cast<int>(v);
  }
  std::string dotted(t);
  for (auto& c : dotted) {
    if (c == ',') c = '.';
  }
  double d = 0.0;
  std::errc ec{};
  if ((parse_double(dotted, d, ec) && std::isfinite(d)) || ec == std::errc::result_out_of_range) {
    throw invalid_value("score '" + std::string(t) + "' is not an integer (scores are whole points of the " +
                            s.describe() + ")",
                        where);
  }
  throw parse_error("score '" + std::string(t) + "' is not a number", where);
}

// A weight: empty (missing), or a finite number >= 0.
std::optional<double> parse_weight(std::string_view raw, char decimal_point, const location& where) {
  const auto t = trim(raw);
  if (t.empty()) return std::nullopt;
  std::string text(t);
  if (decimal_point == ',') {
    for (auto& c : text) {
      if (c == ',') c = '.';
    }
  }
  double w = 0.0;
  std::errc ec{};
  if (!parse_double(text, w, ec)) {
    if (ec == std::errc::result_out_of_range) {
      throw invalid_weight("weight " + std::string(t) + " is outside the range of a double", where);
    }
    throw parse_error("weight '" + std::string(t) + "' is not a number", where);
  }
  check_weight(w, where);
  return w;
}

// ---------------------------------------------------------------------------
// Rows

void check_options(const csv_options& o) {
  if (o.delimiter == '"' || o.delimiter == '\n' || o.delimiter == '\r' || o.delimiter == '\0') {
    throw invalid_argument(std::string("CSV delimiter must not be a quote, a line break or NUL"), at_field("delimiter"));
  }
  if (o.decimal_point != '.' && o.decimal_point != ',') {
    throw invalid_argument(std::string("decimal point must be '.' or ','"), at_field("decimal_point"));
  }
  for (std::size_t a = 0; a < csv_field_count; ++a) {
    const auto fa = static_cast<csv_field>(a);
    const auto na = lower_trimmed(o.columns.name_of(fa));
    if (na.empty()) continue;
    for (std::size_t b = a + 1; b < csv_field_count; ++b) {
      const auto fb = static_cast<csv_field>(b);
      if (na == lower_trimmed(o.columns.name_of(fb))) {
        throw invalid_argument("fields '" + std::string(to_string(fa)) + "' and '" + to_string(fb) +
                                   "' are both mapped to the column name '" + na + "'",
                               at_field("columns"));
      }
    }
  }
}

std::string list_columns(const std::vector<std::string>& header) {
  std::string out;
  for (const auto& h : header) {
    if (!out.empty()) out += ", ";
    out += "'" + h + "'";
  }
  return out.empty() ? std::string("(none)") : out;
}

std::string join(const std::vector<std::string>& fields, char delimiter) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += delimiter;
    out += fields[i];
  }
  return out;
}

class row_parser {
 public:
  row_parser(const csv_options& options, std::string source, std::vector<std::optional<csv_field>> column_field,
             csv_result& result)
      : options_(options), source_(std::move(source)), column_field_(std::move(column_field)), result_(result) {}

  // Turns one record into a response and appends it; throws the typed error
  // (located in the file) of the first problem found, changing nothing.
  void process(const record_reader::record& rec) {
    if (!rec.error.empty()) {
      const auto c = rec.error_column;
      const bool named = c >= 1 && c <= column_field_.size() && column_field_[c - 1];
      throw parse_error(rec.error, in_file(source_, rec.line, c, named ? to_string(*column_field_[c - 1]) : ""));
    }
    if (rec.fields.size() != column_field_.size()) {
      throw parse_error("the row has " + std::to_string(rec.fields.size()) + " fields, the header has " +
                            std::to_string(column_field_.size()),
                        in_file(source_, rec.line));
    }
    response r;
    std::array<bool, csv_field_count> missing{};
    std::optional<std::string> new_channel;  // a label an open set will learn when the row is accepted
    bool weight_given = false;
    auto& table = result_.table;
    for (std::size_t i = 0; i < rec.fields.size(); ++i) {
      if (!column_field_[i]) continue;
      const auto f = *column_field_[i];
      const std::string& raw = rec.fields[i];
      const auto where = in_file(source_, rec.line, i + 1, to_string(f));
      const bool blank = trim(raw).empty();
      missing[static_cast<std::size_t>(f)] = blank;
      switch (f) {
        case csv_field::id: r.id = raw; break;
        case csv_field::agent: r.agent = raw; break;
        case csv_field::segment: r.segment = raw; break;
        case csv_field::why: r.why = raw; break;
        case csv_field::nps: r.nps = parse_score(raw, table.nps_scale(), where); break;
        case csv_field::csat: r.csat = parse_score(raw, table.csat_scale(), where); break;
        case csv_field::ces: r.ces = parse_score(raw, table.ces_scale(), where); break;
        case csv_field::timestamp:
          if (!blank) {
            r.time = parse_timestamp(raw, where);
            response_table::check_time(*r.time, where);
          }
          break;
        case csv_field::resolved: r.resolved = parse_resolution(raw, where); break;
        case csv_field::weight:
          if (auto w = parse_weight(raw, options_.decimal_point, where)) {
            r.weight = *w;
            weight_given = true;
          }
          break;
        case csv_field::channel: {
          const std::string_view label = blank ? std::string_view("other") : std::string_view(raw);
          if (auto id = find_channel(label)) {
            r.channel = *id;
          } else if (table.channel_labels().mode() == channel_set::policy::closed) {
            if (blank) {
              throw unknown_channel("channel is empty and the closed channel set has no 'other' to put it in", where);
            }
            (void)table.channel_of(label, where);  // throws unknown_channel listing the known labels
          } else {
            new_channel = std::string(label);
          }
          break;
        }
      }
    }
    if (new_channel) r.channel = table.channel_of(*new_channel);
    table.append(r);
    if (weight_given) table.mark_weighted();
    for (std::size_t f = 0; f < csv_field_count; ++f) {
      if (missing[f]) ++result_.summary.missing_by_field[to_string(static_cast<csv_field>(f))];
    }
  }

 private:
  std::optional<channel_id> find_channel(std::string_view label) {
    const auto it = channel_cache_.find(std::string(label));
    if (it != channel_cache_.end()) return channel_id{it->second};
    auto id = result_.table.channel_labels().find(label);
    if (id) channel_cache_.emplace(std::string(label), id->value);
    return id;
  }

  const csv_options& options_;
  std::string source_;
  std::vector<std::optional<csv_field>> column_field_;
  csv_result& result_;
  std::unordered_map<std::string, std::uint16_t> channel_cache_;  // raw label → id
};

}  // namespace

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
    case serialization_error::code: return "serialization_error";
    default: return "unknown";
  }
}

csv_result read_responses_csv(std::istream& in, std::string_view source_name, const csv_options& options) {
  check_options(options);
  const std::string source(source_name);
  csv_result result{response_table(options.scales, options.channels), {}, {}, {}, {}};
  record_reader reader(in, options.delimiter);
  record_reader::record rec;

  // Header.
  if (!reader.next(rec)) {
    if (reader.failed()) throw parse_error("reading the input failed", in_file(source, 1));
    throw parse_error("the input is empty: there is no header row", in_file(source, 1));
  }
  if (!rec.error.empty()) throw parse_error("header row: " + rec.error, in_file(source, rec.line, rec.error_column));
  result.header = rec.fields;
  const auto header_line = rec.line;
  std::vector<std::optional<csv_field>> column_field(rec.fields.size());
  std::array<std::optional<std::size_t>, csv_field_count> field_column{};
  for (std::size_t i = 0; i < rec.fields.size(); ++i) {
    const auto name = lower_trimmed(rec.fields[i]);
    for (std::size_t f = 0; f < csv_field_count; ++f) {
      const auto field = static_cast<csv_field>(f);
      const auto wanted = lower_trimmed(options.columns.name_of(field));
      if (wanted.empty() || wanted != name) continue;
      if (field_column[f]) {
        throw parse_error("column '" + rec.fields[i] + "' appears twice in the header (columns " +
                              std::to_string(*field_column[f] + 1) + " and " + std::to_string(i + 1) + ")",
                          in_file(source, header_line, i + 1, to_string(field)));
      }
      field_column[f] = i;
      column_field[i] = field;
    }
    if (!column_field[i]) result.ignored_columns.push_back(rec.fields[i]);
  }
  auto present = [&](csv_field f) { return field_column[static_cast<std::size_t>(f)].has_value(); };
  if (!present(csv_field::nps) && !present(csv_field::csat) && !present(csv_field::ces)) {
    throw parse_error("no score column: the header needs at least one of '" + options.columns.nps + "', '" +
                          options.columns.csat + "', '" + options.columns.ces +
                          "'; columns found: " + list_columns(result.header),
                      in_file(source, header_line));
  }
  for (const auto f : options.required) {
    if (!present(f)) {
      throw parse_error("required column '" + options.columns.name_of(f) + "' (field '" + to_string(f) +
                            "') is missing; columns found: " + list_columns(result.header),
                        in_file(source, header_line, std::nullopt, to_string(f)));
    }
  }
  for (std::size_t f = 0; f < csv_field_count; ++f) {
    if (field_column[f]) result.summary.missing_by_field[to_string(static_cast<csv_field>(f))] = 0;
  }

  // Data rows.
  row_parser parser(options, source, std::move(column_field), result);
  auto& summary = result.summary;
  while (reader.next(rec)) {
    ++summary.rows_read;
    if (options.errors == on_error::strict) {
      parser.process(rec);
      ++summary.accepted;
      continue;
    }
    try {
      parser.process(rec);
      ++summary.accepted;
    } catch (const error& e) {
      csv_reject rj;
      rj.line = rec.line;
      rj.column = e.where().column.value_or(0);
      rj.field = e.where().field;
      if (rj.column >= 1 && rj.column <= rec.fields.size()) {
        rj.value = rec.fields[rj.column - 1];
      } else {
        rj.value = join(rec.fields, options.delimiter);  // a row-level problem: keep the whole row
      }
      rj.reason = e.reason();
      rj.error_id = e.id();
      ++summary.rejected;
      ++summary.rejected_by_reason[std::string(error_kind(e.id()))];
      result.rejects.push_back(std::move(rj));
    }
  }
  if (reader.failed()) {
    throw parse_error("reading the input failed after " + std::to_string(summary.rows_read) + " rows",
                      in_file(source, header_line));
  }
  summary.empty_lines = reader.empty_lines();
  return result;
}

csv_result read_responses_csv(const std::filesystem::path& file, const csv_options& options) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    location where;
    where.file = file.string();
    throw parse_error("cannot open the file for reading", where);
  }
  return read_responses_csv(in, file.string(), options);
}

}  // namespace cxm
