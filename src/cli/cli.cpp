// The shared part of the `cxm` command: output formats and conversions.
#include "cli/cli.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ostream>
#include <string_view>

#include <CLI/CLI.hpp>

namespace cxm::cli {

cell cell::real(double x, int d) {
  if (std::isnan(x)) return cell{};
  return cell(x, d);
}

namespace {

// Locale-independent fixed notation.
std::string fixed(double x, int digits) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  // digits < 0: |digits| significant digits (p-values).
  const auto r = digits < 0 ? std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, -digits)
                            : std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed, digits);
  std::string s(buf, r.ptr);
  if (s.find_first_not_of("-0.") == std::string::npos && s.front() == '-') s.erase(0, 1);  // no "-0.0"
  return s;
}

std::string text_of(const cell& c) {
  return std::visit(
      [&](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "yes" : "no";
        } else if constexpr (std::is_same_v<T, double>) {
          return fixed(v, c.digits);
        } else {
          return std::to_string(v);
        }
      },
      c.v);
}

bool is_number(const cell& c) {
  return !std::holds_alternative<std::string>(c.v) && !std::holds_alternative<std::monostate>(c.v) &&
         !std::holds_alternative<bool>(c.v);
}

nlohmann::json json_of(const cell& c) {
  return std::visit(
      [](const auto& v) -> nlohmann::json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return nullptr;
        } else if constexpr (std::is_same_v<T, double>) {
          if (!std::isfinite(v)) return nullptr;
          return v;
        } else {
          return v;
        }
      },
      c.v);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) {
    if (ch == '"') q += '"';
    q += ch;
  }
  q += '"';
  return q;
}

std::string md_field(const std::string& s) {
  std::string o;
  for (char ch : s) {
    if (ch == '|') o += '\\';
    o += ch;
  }
  return o;
}

void write_text(std::ostream& out, const table& t) {
  if (!t.title.empty()) out << t.title << '\n';
  std::vector<std::size_t> width(t.columns.size());
  std::vector<bool> numeric(t.columns.size(), true);
  for (std::size_t j = 0; j < t.columns.size(); ++j) width[j] = t.columns[j].size();
  std::vector<std::vector<std::string>> text(t.rows.size());
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    for (std::size_t j = 0; j < t.columns.size(); ++j) {
      const cell empty;
      const cell& c = j < t.rows[i].size() ? t.rows[i][j] : empty;
      text[i].push_back(text_of(c));
      width[j] = std::max(width[j], text[i][j].size());
      if (!is_number(c) && !std::holds_alternative<std::monostate>(c.v)) numeric[j] = false;
    }
  }
  auto put = [&](const std::string& s, std::size_t j) {
    const std::string pad(width[j] - std::min(width[j], s.size()), ' ');
    out << (j == 0 ? "  " : "  ") << (numeric[j] ? pad + s : s + pad);
  };
  for (std::size_t j = 0; j < t.columns.size(); ++j) put(t.columns[j], j);
  out << '\n';
  for (const auto& row : text) {
    for (std::size_t j = 0; j < row.size(); ++j) put(row[j], j);
    out << '\n';
  }
  for (const auto& n : t.notes) out << "  " << n << '\n';
}

void write_csv(std::ostream& out, const table& t) {
  for (std::size_t j = 0; j < t.columns.size(); ++j) out << (j ? "," : "") << csv_field(t.columns[j]);
  out << '\n';
  for (const auto& row : t.rows) {
    for (std::size_t j = 0; j < row.size(); ++j) {
      // CSV keeps full precision: it is for machines.
      std::string s;
      if (const auto* d = std::get_if<double>(&row[j].v)) {
        char buf[64];
        const auto r = std::to_chars(buf, buf + sizeof buf, *d);
        s.assign(buf, r.ptr);
      } else {
        s = text_of(row[j]);
      }
      out << (j ? "," : "") << csv_field(s);
    }
    out << '\n';
  }
}

void write_markdown(std::ostream& out, const table& t) {
  if (!t.title.empty()) out << "### " << md_field(t.title) << "\n\n";
  out << '|';
  for (const auto& c : t.columns) out << ' ' << md_field(c) << " |";
  out << "\n|";
  for (std::size_t j = 0; j < t.columns.size(); ++j) {
    const bool num = !t.rows.empty() && j < t.rows.front().size() && is_number(t.rows.front()[j]);
    out << (num ? "---:|" : "---|");
  }
  out << '\n';
  for (const auto& row : t.rows) {
    out << '|';
    for (const auto& c : row) out << ' ' << md_field(text_of(c)) << " |";
    out << '\n';
  }
  if (!t.notes.empty()) {
    out << '\n';
    for (const auto& n : t.notes) out << md_field(n) << "  \n";
  }
}

}  // namespace

void context::emit(const std::vector<table>& tables, const nlohmann::json& extra) const {
  std::ostream& o = *out;
  switch (format) {
    case output_format::json: {
      nlohmann::ordered_json j = nlohmann::ordered_json::object();
      for (const auto& t : tables) {
        nlohmann::ordered_json rows = nlohmann::ordered_json::array();
        for (const auto& row : t.rows) {
          nlohmann::ordered_json r = nlohmann::ordered_json::object();
          for (std::size_t k = 0; k < t.columns.size() && k < row.size(); ++k) r[t.columns[k]] = json_of(row[k]);
          rows.push_back(std::move(r));
        }
        j[t.name] = std::move(rows);
      }
      for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = it.value();
      o << j.dump(2) << '\n';
      break;
    }
    case output_format::csv:
      for (std::size_t i = 0; i < tables.size(); ++i) {
        if (i) o << '\n';
        write_csv(o, tables[i]);
      }
      break;
    case output_format::markdown:
      for (std::size_t i = 0; i < tables.size(); ++i) {
        if (i) o << '\n';
        write_markdown(o, tables[i]);
      }
      break;
    case output_format::table:
      for (std::size_t i = 0; i < tables.size(); ++i) {
        if (i) o << '\n';
        write_text(o, tables[i]);
      }
      break;
  }
}

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
  static const std::pair<std::string_view, interval_method> names[] = {
      {"wald", interval_method::wald},
      {"adjusted_wald", interval_method::adjusted_wald},
      {"wilson", interval_method::wilson},
      {"jeffreys", interval_method::jeffreys},
      {"clopper_pearson", interval_method::clopper_pearson},
      {"agresti_coull", interval_method::agresti_coull},
      {"t", interval_method::t},
      {"bayes_dirichlet", interval_method::bayes_dirichlet},
      {"bayes", interval_method::bayes_dirichlet},
      {"bootstrap", interval_method::bootstrap},
      {"newcombe", interval_method::newcombe},
  };
  for (const auto& [n, m] : names) {
    if (name == n) return m;
  }
  throw failure(usage, "unknown interval method '" + name +
                           "' (known: wald, adjusted_wald, wilson, jeffreys, clopper_pearson, agresti_coull, t, "
                           "bayes_dirichlet, bootstrap)");
}

std::vector<std::string> estimate_columns() {
  return {"n", "effective_n", "value", "se", "lower", "upper", "level", "interval_method", "status"};
}

std::vector<cell> estimate_cells(const estimate& e, int digits) {
  std::vector<cell> r;
  r.emplace_back(static_cast<std::uint64_t>(e.n()));
  r.push_back(cell::real(e.effective_n(), 1));
  r.push_back(e.has_value() ? cell::real(e.value(), digits) : cell{});
  r.push_back(e.ok() ? cell::real(e.se(), digits) : cell{});
  if (e.ci()) {
    r.push_back(cell::real(e.ci()->lower, digits));
    r.push_back(cell::real(e.ci()->upper, digits));
    r.push_back(cell::real(e.ci()->level, 2));
    r.emplace_back(to_string(e.ci()->method));
  } else {
    r.insert(r.end(), 4, cell{});
  }
  r.emplace_back(to_string(e.state()));
  return r;
}

std::vector<std::string> comparison_columns() {
  return {"difference", "se", "lower", "upper", "level", "z", "p_value"};
}

std::vector<cell> comparison_cells(const stats::comparison& c, int digits) {
  const auto& d = c.difference;
  std::vector<cell> r;
  r.push_back(d.has_value() ? cell::real(d.value(), digits) : cell{});
  r.push_back(d.ok() ? cell::real(d.se(), digits) : cell{});
  if (d.ci()) {
    r.push_back(cell::real(d.ci()->lower, digits));
    r.push_back(cell::real(d.ci()->upper, digits));
    r.push_back(cell::real(d.ci()->level, 2));
  } else {
    r.insert(r.end(), 3, cell{});
  }
  r.push_back(cell::real(c.statistic, 3));
  r.push_back(cell::real(c.p_value, -3));
  return r;
}

}  // namespace cxm::cli
