// The shared part of the `cxm` command: output formats and conversions.
#include "cli/cli.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ostream>
#include <string_view>
#include <system_error>

#include <CLI/CLI.hpp>

namespace cxm::inline v0_1::cli {

void add_common_flags(CLI::App& sub, context& ctx) {
  const std::map<std::string, output_format> formats{{"table", output_format::table},
                                                     {"json", output_format::json},
                                                     {"csv", output_format::csv},
                                                     {"markdown", output_format::markdown}};
  sub.add_option("--format", ctx.format, "Output format: table (aligned text), json, csv or markdown")
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case))
      ->default_str("table");
  sub.add_flag("-q,--quiet", ctx.quiet, "No progress line on stderr");
}

interval_method parse_method(const std::string& name) {
  if (const auto m = interval_method_from(name)) return *m;
  if (name == "bayes") return interval_method::bayes_dirichlet;  // a short name
  std::string known;
  for (auto n : interval_method_names) known += (known.empty() ? "" : ", ") + std::string(n);
  throw failure(usage, "unknown interval method " + quote_value(name) + " (known: " + known + ")");
}

// ---- Numeric arguments -------------------------------------------------------

namespace {

std::string_view trim_blanks(std::string_view t) {
  const auto b = t.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return t.substr(b, t.find_last_not_of(" \t") - b + 1);
}

bool all_digits(std::string_view t) {
  return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string bound_text(std::uint64_t v) {
  return std::to_string(v) + (v == max_count ? " (2^63 - 1)" : "");
}

constexpr const char* count_rule = "a whole number ≥ 0 in digits 0-9";
constexpr const char* counts_rule = "whole numbers ≥ 0 in digits 0-9, separated by commas";

// A count, or the reason it is not one (without the option's name).
// `label` is how the value is shown: quote_value(text), or with its item number.
std::string read_count(std::string_view text, const std::string& label, std::uint64_t min, std::uint64_t max,
                       std::uint64_t& out) {
  const auto t = trim_blanks(text);
  if (!all_digits(t)) return label + " is not a count (" + count_rule + ")";
  std::uint64_t v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec == std::errc::result_out_of_range || v > max) return label + " is larger than " + bound_text(max);
  if (v < min) return label + " is less than " + std::to_string(min);
  out = v;
  return {};
}

std::string read_count_list(std::string_view text, bool summed, std::vector<std::uint64_t>& out) {
  out.clear();
  if (trim_blanks(text).empty()) {
    return quote_value(text) + " is not a list of counts (" + counts_rule + ")";
  }
  std::vector<std::string_view> items;
  for (std::size_t start = 0;;) {
    const auto comma = text.find(',', start);
    items.push_back(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string where = " (item " + std::to_string(i + 1) + " of " + std::to_string(items.size()) + ")";
    if (trim_blanks(items[i]).empty()) {
      return "item " + std::to_string(i + 1) + " of " + std::to_string(items.size()) + " in " + quote_value(text) +
             " is empty (counts are " + counts_rule + ")";
    }
    std::uint64_t v = 0;
    if (auto e = read_count(items[i], quote_value(items[i]) + where, 0, max_count, v); !e.empty()) return e;
    if (summed && v > max_count - total) return "the counts add up to more than " + bound_text(max_count);
    total += v;
    out.push_back(v);
  }
  return {};
}

// A decimal number (digits with at most one point, at least one digit).
bool read_decimal(std::string_view text, double& out) {
  const auto t = trim_blanks(text);
  if (t.empty() || std::count(t.begin(), t.end(), '.') > 1 || t.find_first_not_of("0123456789.") != std::string_view::npos ||
      t.find_first_of("0123456789") == std::string_view::npos) {
    return false;
  }
  const auto r = std::from_chars(t.data(), t.data() + t.size(), out, std::chars_format::fixed);
  return r.ec == std::errc{} && r.ptr == t.data() + t.size() && std::isfinite(out);
}

std::string read_level(std::string_view text, double& out) {
  const auto t = trim_blanks(text);
  const std::string rule = " is not a level between 0 and 1 (exclusive)";
  double v = 0.0;
  const bool percent = !t.empty() && t.back() == '%';
  if (read_decimal(percent ? t.substr(0, t.size() - 1) : t, v)) {
    if (!percent && v > 0.0 && v < 1.0) {
      out = v;
      return {};
    }
    if (v > 0.0 && v < 100.0 && (percent || v > 1.0)) {
      char buf[32];
      const auto r = std::to_chars(buf, buf + sizeof buf, v / 100.0);
      return quote_value(text) + rule + ": for " + std::string(trim_blanks(percent ? t.substr(0, t.size() - 1) : t)) +
             "% write " + std::string(buf, r.ptr);
    }
  }
  return quote_value(text) + rule + ", e.g. 0.95";
}

std::string read_bounded_decimal(std::string_view text, double lo, double hi, std::string_view what, double& out) {
  double v = 0.0;
  if (!read_decimal(text, v)) return quote_value(text) + " is not a decimal number (digits with at most one point, e.g. 0.5)";
  if (!(v > lo && v < hi)) return quote_value(text) + " is not " + std::string(what);
  out = v;
  return {};
}

}  // namespace

std::string quote_value(std::string_view text, std::size_t max_bytes) {
  std::string out = "'";
  const bool cut = text.size() > max_bytes;
  std::size_t end = text.size();
  if (cut) {
    end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // not inside a character
  }
  for (std::size_t i = 0; i < end; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (cut) return out + "…' (" + std::to_string(text.size()) + " bytes)";
  return out + "'";
}

namespace {

// Shortest decimal text of a double that reads back as the same double.
std::string exact_text(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

}  // namespace

CLI::Validator count_arg(std::uint64_t min, std::uint64_t max) {
  return CLI::Validator(
      [min, max](std::string& value) -> std::string {
        std::uint64_t v = 0;
        auto e = read_count(value, quote_value(value), min, max, v);
        if (e.empty()) value = std::to_string(v);  // plain decimal for CLI11's conversion
        return e;
      },
      "", "count");
}

CLI::Validator level_arg() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        double v = 0.0;
        auto e = read_level(value, v);
        if (e.empty()) value = exact_text(v);
        return e;
      },
      "", "level");
}

CLI::Validator decimal_arg(double lo, double hi, std::string what) {
  return CLI::Validator(
      [lo, hi, what](std::string& value) -> std::string {
        double v = 0.0;
        auto e = read_bounded_decimal(value, lo, hi, what, v);
        if (e.empty()) value = exact_text(v);
        return e;
      },
      "", "decimal");
}

CLI::Option* add_count_list(CLI::App& sub, const std::string& name, std::vector<std::uint64_t>& out,
                            const std::string& help, bool summed) {
  auto* opt = sub.add_option_function<std::string>(
      name, [&out, summed](const std::string& canonical) { (void)read_count_list(canonical, summed, out); }, help);
  opt->transform(CLI::Validator(
      [summed](std::string& value) -> std::string {
        std::vector<std::uint64_t> v;
        auto e = read_count_list(value, summed, v);
        if (e.empty()) {
          std::string canonical;
          for (auto x : v) canonical += (canonical.empty() ? "" : ",") + std::to_string(x);
          value = canonical;
        }
        return e;
      },
      "", "counts"));
  opt->multi_option_policy(CLI::MultiOptionPolicy::Throw);
  opt->type_name("N,N,...");
  return opt;
}

std::string capped_message(std::string_view message, std::size_t max_line) {
  std::string out;
  out.reserve(std::min(message.size(), 4 * max_line));
  for (std::size_t start = 0; start <= message.size();) {
    const auto nl = message.find('\n', start);
    const auto line = message.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (line.size() <= max_line) {
      out += line;
    } else {
      // The cut line, mark included, stays within max_line bytes.
      const std::string mark = "… (" + std::to_string(line.size()) + " bytes)";
      std::size_t end = max_line > mark.size() ? max_line - mark.size() : 0;
      while (end > 0 && (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) --end;  // not inside a character
      out += line.substr(0, end);
      out += mark;
    }
    if (nl == std::string_view::npos) break;
    out += '\n';
    start = nl + 1;
  }
  return out;
}

std::vector<std::string> estimate_columns() {
  return {"n", "effective_n", "value", "se", "lower", "upper", "level", "interval_method", "status"};
}

namespace {

// The cells value, se, lower, upper, level of `e` (empty where it has none),
// and its interval method when `method`.
void append_value_cells(std::vector<cell>& r, const estimate& e, int digits, bool method) {
  r.push_back(e.has_value() ? cell::real(e.value(), digits) : cell{});
  r.push_back(e.ok() ? cell::real(e.se(), digits) : cell{});
  if (e.ci()) {
    r.push_back(cell::real(e.ci()->lower, digits));
    r.push_back(cell::real(e.ci()->upper, digits));
    r.push_back(cell::real(e.ci()->level, 2));
    if (method) r.emplace_back(to_string(e.ci()->method));
  } else {
    r.insert(r.end(), method ? 4 : 3, cell{});
  }
}

}  // namespace

std::vector<cell> estimate_cells(const estimate& e, int digits) {
  std::vector<cell> r;
  r.reserve(9);
  r.emplace_back(static_cast<std::uint64_t>(e.n()));
  r.push_back(cell::real(e.effective_n(), 1));
  append_value_cells(r, e, digits, true);
  r.emplace_back(to_string(e.state()));
  return r;
}

std::vector<std::string> comparison_columns() {
  return {"difference", "se", "lower", "upper", "level", "z", "p_value"};
}

std::vector<cell> comparison_cells(const stats::comparison& c, int digits) {
  const auto& d = c.difference;
  std::vector<cell> r;
  append_value_cells(r, d, digits, false);
  r.push_back(cell::real(c.statistic, 3));
  r.push_back(cell::real(c.p_value, -3));
  return r;
}

}  // namespace cxm::cli
