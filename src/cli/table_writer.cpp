// The output formats of the `cxm` command (cli.hpp, table_writer): aligned
// text, CSV, markdown and JSON, written row by row.
//
// A summary grouped by tens of thousands of keys has millions of cells, so no
// format keeps a string or a document node per cell: CSV, markdown and JSON
// rows are formatted into one buffer and flushed as they come; aligned text,
// which needs every width before its first line, keeps the cells' text in one
// buffer with their end offsets.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>

#include "cli/cli.hpp"

namespace cxm::inline v0_1::cli {

cell cell::real(double x, int d) {
  if (std::isnan(x)) return cell{};
  return cell(x, d);
}

namespace {

constexpr std::size_t kFlushBytes = std::size_t{1} << 16;

// Locale-independent fixed notation; digits < 0 asks for |digits|
// significant digits (p-values). Never "-0.0".
void append_fixed(std::string& out, double x, int digits) {
  if (std::isinf(x)) {
    out += x > 0 ? "inf" : "-inf";
    return;
  }
  char buf[64];
  const auto r = digits < 0 ? std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, -digits)
                            : std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed, digits);
  std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
  if (s.front() == '-' && s.find_first_not_of("-0.") == std::string_view::npos) s.remove_prefix(1);
  out += s;
}

template <class Int>
void append_int(std::string& out, Int v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// The text of a cell in the text formats (reals with their digits).
void append_text(std::string& out, const cell& c) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
        } else if constexpr (std::is_same_v<T, std::string>) {
          out += v;
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "yes" : "no";
        } else if constexpr (std::is_same_v<T, double>) {
          append_fixed(out, v, c.digits);
        } else {
          append_int(out, v);
        }
      },
      c.v);
}

bool is_number(const cell& c) {
  return !std::holds_alternative<std::string>(c.v) && !std::holds_alternative<std::monostate>(c.v) &&
         !std::holds_alternative<bool>(c.v);
}

// RFC 4180: quoted when it holds a comma, a quote or a line break.
void append_csv_field(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += s;
    return;
  }
  out += '"';
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

void append_md_field(std::string& out, std::string_view s) {
  for (char ch : s) {
    if (ch == '|') out += '\\';
    out += ch;
  }
}

void append_json_string(std::string& out, std::string_view s) {
  out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The shortest digits that read back as x, placed as nlohmann::json places
// them (its dtoa_impl::format_buffer): plain notation with ".0" for whole
// numbers while the decimal exponent is in -4 < n <= 15, else d.ddde±XX.
void append_json_number(std::string& out, double x) {
  char buf[40];
  const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  std::string_view v(buf, static_cast<std::size_t>(r.ptr - buf));
  if (v.front() == '-') {
    out += '-';
    v.remove_prefix(1);
  }
  const auto e_at = v.find('e');
  std::string digits;
  for (char ch : v.substr(0, e_at)) {
    if (ch != '.') digits += ch;
  }
  int exp10 = 0;
  const auto exp_text = v.substr(e_at + 1);
  std::from_chars(exp_text.data() + (exp_text.front() == '+' ? 1 : 0), exp_text.data() + exp_text.size(), exp10);
  const int k = static_cast<int>(digits.size());
  const int n = exp10 + 1;  // digits before the decimal point
  if (k <= n && n <= 15) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
    out += ".0";
  } else if (0 < n && n <= 15) {
    out.append(digits, 0, static_cast<std::size_t>(n));
    out += '.';
    out.append(digits, static_cast<std::size_t>(n));
  } else if (-4 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += exp10 < 0 ? "e-" : "e+";
    const int a = exp10 < 0 ? -exp10 : exp10;
    if (a < 10) out += '0';
    append_int(out, a);
  }
}

// A cell as a JSON value: null for nothing and for NaN or infinities.
void append_json(std::string& out, const cell& c) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          out += "null";
        } else if constexpr (std::is_same_v<T, std::string>) {
          append_json_string(out, v);
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          if (std::isfinite(v)) {
            append_json_number(out, v);
          } else {
            out += "null";
          }
        } else {
          append_int(out, v);
        }
      },
      c.v);
}

// A member key of the output object at `indent`, then ": ".
std::string json_key(std::string_view key, std::string_view indent) {
  std::string k(indent);
  append_json_string(k, key);
  k += ": ";
  return k;
}

}  // namespace

table_writer::table_writer(const context& ctx) : ctx_(ctx) {
  if (ctx_.format == output_format::json) buf_ = "{";
}

void table_writer::flush(bool always) {
  if (always || buf_.size() >= kFlushBytes) {
    *ctx_.out << buf_;
    buf_.clear();
  }
}

void table_writer::begin(std::string name, std::string title, std::vector<std::string> columns) {
  name_ = std::move(name);
  title_ = std::move(title);
  columns_ = std::move(columns);
  rows_ = 0;
  switch (ctx_.format) {
    case output_format::table:
      width_.assign(columns_.size(), 0);
      numeric_.assign(columns_.size(), true);
      for (std::size_t j = 0; j < columns_.size(); ++j) width_[j] = columns_[j].size();
      cells_.clear();
      ends_.clear();
      break;
    case output_format::csv:
      if (tables_) buf_ += '\n';
      for (std::size_t j = 0; j < columns_.size(); ++j) {
        if (j) buf_ += ',';
        append_csv_field(buf_, columns_[j]);
      }
      buf_ += '\n';
      break;
    case output_format::markdown:
      if (tables_) buf_ += '\n';
      if (!title_.empty()) {
        buf_ += "### ";
        append_md_field(buf_, title_);
        buf_ += "\n\n";
      }
      buf_ += '|';
      for (const auto& c : columns_) {
        buf_ += ' ';
        append_md_field(buf_, c);
        buf_ += " |";
      }
      buf_ += '\n';
      break;
    case output_format::json:
      buf_ += tables_ ? ",\n" : "\n";
      buf_ += json_key(name_, "  ");
      keys_.clear();
      for (const auto& c : columns_) keys_.push_back(json_key(c, "      "));
      break;
  }
}

void table_writer::markdown_rule(std::span<const cell> first_row) {
  buf_ += '|';
  for (std::size_t j = 0; j < columns_.size(); ++j) buf_ += j < first_row.size() && is_number(first_row[j]) ? "---:|" : "---|";
  buf_ += '\n';
}

void table_writer::row(std::span<const cell> cells) {
  const std::size_t cols = columns_.size();
  switch (ctx_.format) {
    case output_format::table: {
      static const cell empty;
      for (std::size_t j = 0; j < cols; ++j) {
        const cell& c = j < cells.size() ? cells[j] : empty;
        const std::size_t before = cells_.size();
        append_text(cells_, c);
        ends_.push_back(cells_.size());
        width_[j] = std::max(width_[j], cells_.size() - before);
        if (!is_number(c) && !std::holds_alternative<std::monostate>(c.v)) numeric_[j] = false;
      }
      break;
    }
    case output_format::csv:
      for (std::size_t j = 0; j < cells.size(); ++j) {
        if (j) buf_ += ',';
        // CSV keeps full precision: it is for machines.
        if (const auto* d = std::get_if<double>(&cells[j].v)) {
          char b[64];
          buf_.append(b, std::to_chars(b, b + sizeof b, *d).ptr);
        } else {
          std::string text;
          append_text(text, cells[j]);
          append_csv_field(buf_, text);
        }
      }
      buf_ += '\n';
      break;
    case output_format::markdown: {
      if (rows_ == 0) markdown_rule(cells);
      buf_ += '|';
      std::string text;
      for (const auto& c : cells) {
        text.clear();
        append_text(text, c);
        buf_ += ' ';
        append_md_field(buf_, text);
        buf_ += " |";
      }
      buf_ += '\n';
      break;
    }
    case output_format::json: {
      buf_ += rows_ ? ",\n    {" : "[\n    {";
      const std::size_t n = std::min(cols, cells.size());
      for (std::size_t k = 0; k < n; ++k) {
        buf_ += k ? ",\n" : "\n";
        buf_ += keys_[k];
        append_json(buf_, cells[k]);
      }
      buf_ += n ? "\n    }" : "}";
      break;
    }
  }
  ++rows_;
  if (ctx_.format != output_format::table) flush(false);
}

void table_writer::end(const std::vector<std::string>& notes) {
  switch (ctx_.format) {
    case output_format::table: {
      if (tables_) buf_ += '\n';
      if (!title_.empty()) {
        buf_ += title_;
        buf_ += '\n';
      }
      const std::size_t cols = columns_.size();
      auto put = [&](std::string_view s, std::size_t j) {
        const std::size_t pad = width_[j] - std::min(width_[j], s.size());
        buf_ += "  ";
        if (numeric_[j]) buf_.append(pad, ' ');
        buf_ += s;
        if (!numeric_[j]) buf_.append(pad, ' ');
      };
      for (std::size_t j = 0; j < cols; ++j) put(columns_[j], j);
      buf_ += '\n';
      std::size_t from = 0;
      for (std::size_t i = 0; i < ends_.size(); ++i) {
        put(std::string_view(cells_).substr(from, ends_[i] - from), i % cols);
        from = ends_[i];
        if (i % cols == cols - 1) {
          buf_ += '\n';
          flush(false);
        }
      }
      for (const auto& n : notes) {
        buf_ += "  ";
        buf_ += n;
        buf_ += '\n';
      }
      cells_.clear();
      ends_.clear();
      break;
    }
    case output_format::csv: break;
    case output_format::markdown:
      if (rows_ == 0) markdown_rule({});
      if (!notes.empty()) {
        buf_ += '\n';
        for (const auto& n : notes) {
          append_md_field(buf_, n);
          buf_ += "  \n";
        }
      }
      break;
    case output_format::json: buf_ += rows_ ? "\n  ]" : "[]"; break;
  }
  ++tables_;
  flush(false);
}

void table_writer::write(const table& t) {
  begin(t.name, t.title, t.columns);
  for (const auto& r : t.rows) row(r);
  end(t.notes);
}

void table_writer::finish(const nlohmann::json& extra) {
  if (ctx_.format == output_format::json) {
    bool first = tables_ == 0;
    for (auto it = extra.begin(); it != extra.end(); ++it) {
      buf_ += first ? "\n" : ",\n";
      first = false;
      buf_ += json_key(it.key(), "  ");
      std::string v = it.value().dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
      for (std::size_t pos = 0; (pos = v.find('\n', pos)) != std::string::npos; pos += 3) v.replace(pos, 1, "\n  ");
      buf_ += v;
    }
    buf_ += first ? "}\n" : "\n}\n";
  }
  flush(true);
}

void context::emit(const std::vector<table>& tables, const nlohmann::json& extra) const {
  table_writer w(*this);
  for (const auto& t : tables) w.write(t);
  w.finish(extra);
}

}  // namespace cxm::cli
