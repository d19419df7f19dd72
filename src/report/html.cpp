// The report writers: see include/cxmetrics/report/html.hpp.
//
// Both writers draw their tables from the same table values (make_* below),
// so the HTML and the Markdown report always show the same numbers.
#include "cxmetrics/report/html.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/version.hpp"
#include "report/driver_tables.hpp"
#include "report/svg_writer.hpp"
#include "report/tables.hpp"
#include "report/text.hpp"

namespace cxm::inline v0_1::report {
namespace {

// ---------------------------------------------------------------------------
// Cell text

std::string dash() { return "-"; }

std::string value_text(const estimate& e, int decimals) {
  return e.has_value() ? format_fixed(e.value(), decimals) : dash();
}

std::string interval_text(const estimate& e, int decimals) {
  if (e.has_interval()) {
    return "[" + format_fixed(e.ci()->lower, decimals) + ", " + format_fixed(e.ci()->upper, decimals) + "]";
  }
  if (e.has_value()) return "n/a (" + e.note() + ")";
  return dash();
}

std::string signed_text(const estimate& e, int decimals) {
  if (!e.has_value()) return dash();
  std::string s = format_fixed(e.value(), decimals);
  if (s[0] != '-' && s.find_first_of("123456789") != std::string::npos) s.insert(s.begin(), '+');
  return s;
}

std::string p_text(double p) {
  if (std::isnan(p)) return dash();
  if (p < 0.0001) return "<0.0001";
  return format_fixed(p, 4);
}

std::string with_unit(const std::string& v, const std::string& unit) {
  if (unit.empty() || v == dash()) return v;
  return unit == "%" ? v + "%" : v + " " + unit;
}

std::string adjusted_p_label(stats::p_adjust a) {
  switch (a) {
    case stats::p_adjust::none: return "p";
    case stats::p_adjust::bonferroni: return "Bonferroni p";
    case stats::p_adjust::holm: return "Holm p";
    case stats::p_adjust::benjamini_hochberg: return "BH p";
  }
  return "p";
}

void check_decimals(int d, const std::string& what) {
  if (d < 0 || d > 10) {
    throw invalid_argument("report: decimals must be in 0..10, got " + std::to_string(d), at_field(what));
  }
}

// ---------------------------------------------------------------------------
// Tables shared by both writers

using detail::table;

table make_headline_table(const report_model& m) {
  table t;
  t.header = {"Metric", "Value", format_level(m.level) + "% interval", "n", "Definition"};
  t.numeric = {false, true, true, true, false};
  for (const auto& h : m.headlines) {
    check_decimals(h.decimals, "headline " + h.name);
    t.rows.push_back({h.name, with_unit(value_text(h.value, h.decimals), h.unit), interval_text(h.value, h.decimals),
                      std::to_string(h.value.n()), h.description});
    t.row_class.emplace_back();
  }
  return t;
}

table make_distribution_table(const report_model& m) {
  table t;
  t.header = {m.distribution_group, "n"};
  for (const auto& c : m.distribution_categories) t.header.push_back(c);
  // Percent columns by the short name ("Detractors (0-6)" → "% Detractors").
  for (const auto& c : m.distribution_categories) t.header.push_back("% " + c.substr(0, c.find(" (")));
  t.numeric = {false, true, true, true, true, true, true, true};
  const int ad = m.weighted ? 1 : 0;
  for (const auto& r : m.distributions) {
    const double total = r.detractors + r.passives + r.promoters;
    const auto pct = [&](double x) { return total > 0.0 ? format_fixed(100.0 * x / total, 1) : dash(); };
    t.rows.push_back({r.label, std::to_string(r.n), format_fixed(r.detractors, ad), format_fixed(r.passives, ad),
                      format_fixed(r.promoters, ad), pct(r.detractors), pct(r.passives), pct(r.promoters)});
    t.row_class.emplace_back(&r == &m.distributions.back() && r.label == "all" ? "total" : "");
  }
  return t;
}

bool any_excluded(const group_comparison& c) {
  for (const auto& r : c.rows) {
    if (r.excluded > 0) return true;
  }
  return false;
}

table make_comparison_table(const group_comparison& c, double level, const std::string& excluded_header) {
  check_decimals(c.decimals, c.id);
  const int d = c.decimals;
  const bool excl = any_excluded(c);
  table t;
  t.header = {c.group_by, "n", c.metric, format_level(level) + "% interval", "vs rest", "p",
              adjusted_p_label(c.adjust), "differs"};
  t.numeric = {false, true, true, true, true, true, true, false};
  if (excl) {
    t.header.push_back(excluded_header);
    t.numeric.push_back(true);
  }
  for (const auto& r : c.rows) {
    std::string mark;
    const bool tested = r.status == stats::rest_status::tested;
    if (tested && !std::isnan(r.p_adjusted) && r.p_adjusted < c.alpha && r.difference.has_value()) {
      mark = r.difference.value() >= 0.0 ? "higher" : "lower";
    }
    // A group too small to test says so where its p-value would be.
    const std::string untested = r.status == stats::rest_status::too_few ? "too few" : "untestable";
    std::vector<std::string> row{r.label,
                                 std::to_string(r.value.n()),
                                 value_text(r.value, d),
                                 interval_text(r.value, d),
                                 signed_text(r.difference, d),
                                 tested ? p_text(r.p_value) : untested,
                                 tested ? p_text(r.p_adjusted) : dash(),
                                 tested ? mark : untested};
    if (excl) row.push_back(std::to_string(r.excluded));
    t.rows.push_back(std::move(row));
    t.row_class.emplace_back(mark.empty() ? "" : "sig");
  }
  std::vector<std::string> all{"all",
                               std::to_string(c.overall.n()),
                               value_text(c.overall, d),
                               interval_text(c.overall, d),
                               "",
                               "",
                               "",
                               ""};
  if (excl) {
    std::uint64_t sum = 0;
    for (const auto& r : c.rows) sum += r.excluded;
    all.push_back(std::to_string(sum));
  }
  t.rows.push_back(std::move(all));
  t.row_class.emplace_back("total");
  return t;
}

table make_series_table(const period_series& s, double level) {
  check_decimals(s.decimals, s.id);
  table t;
  t.header = {s.period, "n", s.metric, format_level(level) + "% interval", "thin"};
  t.numeric = {false, true, true, true, false};
  for (const auto& p : s.points) {
    const bool thin = p.value.n() < s.thin_below;
    t.rows.push_back({p.label, std::to_string(p.value.n()), value_text(p.value, s.decimals),
                      interval_text(p.value, s.decimals), thin ? "yes" : ""});
    t.row_class.emplace_back(thin ? "thin" : "");
  }
  return t;
}

table make_ingest_table(const ingest_summary& g) {
  table t;
  t.header = {"Rows", "count"};
  t.numeric = {false, true};
  t.rows = {{"read", std::to_string(g.rows_read)},
            {"accepted", std::to_string(g.accepted)},
            {"rejected", std::to_string(g.rejected)},
            {"empty lines skipped", std::to_string(g.empty_lines)}};
  t.row_class.assign(t.rows.size(), std::string());
  return t;
}

// A count per name (rows "<name>", "<count>"), in name order; rows counting
// 0 only when `zeros`.
table make_count_table(std::string caption, std::string name, const std::map<std::string, std::uint64_t>& counts,
                       bool zeros) {
  table t;
  t.caption = std::move(caption);
  t.header = {std::move(name), "rows"};
  t.numeric = {false, true};
  for (const auto& [key, n] : counts) {
    if (n == 0 && !zeros) continue;
    t.rows.push_back({key, std::to_string(n)});
    t.row_class.emplace_back();
  }
  return t;
}

// By cause, as `cxm summary` (rows "rejected: <cause>") and a rejects file
// (column "cause") name them; causes no row had are left out.
table make_reasons_table(const ingest_summary& g) {
  return make_count_table("Rejected rows by cause", "cause", g.rejected_by_cause, false);
}

// Every field the input has, 0 included.
table make_missing_table(const ingest_summary& g) {
  return make_count_table("Empty fields in accepted rows", "field", g.missing_by_field, true);
}

table make_rejects_table(const report_model& m) {
  table t;
  const std::uint64_t total = m.ingest ? std::max<std::uint64_t>(m.ingest->rejected, m.rejects.size())
                                       : m.rejects.size();
  t.caption = "First " + std::to_string(m.rejects.size()) + " of " + std::to_string(total) + " rejected rows";
  t.header = {"line", "column", "field", "cause", "value", "reason"};
  t.numeric = {true, true, false, false, false, false};
  for (const auto& r : m.rejects) {
    t.rows.push_back({std::to_string(r.line), std::to_string(r.column), r.field, std::string(to_string(r.cause)),
                      std::string(detail::shorten(r.value, 60)), r.reason});
    t.row_class.emplace_back();
  }
  return t;
}

std::string weighting_text(const report_model& m) {
  if (!m.weighted) return "unweighted";
  return m.weight_column.empty() ? "weighted" : "weighted by " + m.weight_column;
}

// ---------------------------------------------------------------------------
// HTML

const char* const css = R"(:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #ffffff; color: #1a1a1a; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, "Liberation Sans", Helvetica, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #dddddd; }
h3 { font-size: 1rem; margin: 20px 0 4px; }
p.meta, p.method, p.note, nav { color: #555555; font-size: 0.9rem; margin: 4px 0; }
nav a { color: #0072B2; margin-right: 12px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; margin: 12px 0; }
.card { border: 1px solid #dddddd; border-radius: 6px; padding: 12px 14px; }
.card-name { font-weight: bold; }
.card-value { font-size: 1.9rem; font-weight: bold; }
.card-ci, .card-n, .card-desc { font-size: 0.85rem; color: #555555; }
figure { margin: 12px 0; }
figure svg { display: block; width: 100%; max-width: 940px; height: auto; }
.tables { display: flex; flex-wrap: wrap; gap: 8px 32px; align-items: flex-start; }
table { border-collapse: collapse; font-size: 0.88rem; margin: 8px 0 4px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eeeeee; text-align: left; vertical-align: top; }
th { border-bottom: 1px solid #bbbbbb; white-space: nowrap; }
.num { text-align: right; }
tr.total td { font-weight: bold; border-top: 1px solid #bbbbbb; }
tr.sig td { background: #f3f8fc; }
tr.thin td { color: #8a5a00; }
details { margin: 6px 0; }
summary { cursor: pointer; color: #555555; font-size: 0.9rem; }
footer { margin-top: 40px; color: #555555; font-size: 0.85rem; }
@media print { h2 { break-after: avoid; } figure, table { break-inside: avoid; } }
)";

std::string esc(std::string_view s) { return xml_escape(s); }

void html_table(std::string& out, const table& t) {
  out += "<table>\n";
  if (!t.caption.empty()) out += "<caption>" + esc(t.caption) + "</caption>\n";
  out += "<thead><tr>";
  for (std::size_t i = 0; i < t.header.size(); ++i) {
    out += t.numeric[i] ? "<th class=\"num\" scope=\"col\">" : "<th scope=\"col\">";
    out += esc(t.header[i]) + "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    out += t.row_class[r].empty() ? "<tr>" : "<tr class=\"" + t.row_class[r] + "\">";
    for (std::size_t i = 0; i < t.rows[r].size(); ++i) {
      out += t.numeric[i] ? "<td class=\"num\">" : "<td>";
      out += esc(t.rows[r][i]) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
}

void figure(std::string& out, const std::string& svg) {
  out += "<figure>\n";
  out += svg;
  out += "</figure>\n";
}

std::string section_open(const std::string& id, const std::string& title) {
  return "<section id=\"" + esc(id) + "\">\n<h2>" + esc(title) + "</h2>\n";
}

// "NPS", "CSAT (%)"; a metric name that already ends in its unit keeps it once.
std::string axis_label_of(const std::string& metric, const std::string& unit) {
  const bool has_unit =
      metric.size() >= unit.size() && metric.compare(metric.size() - unit.size(), unit.size(), unit) == 0;
  if (unit.empty() || has_unit) return metric;
  return metric + " (" + unit + ")";
}

std::string sig_note(const group_comparison& c) {
  return "Marked groups differ from the rest at " + adjusted_p_label(c.adjust) + " < " + format_fixed(c.alpha, 2) +
         ".";
}

}  // namespace

// ---------------------------------------------------------------------------
// Charts of the model

stacked_bar_chart distribution_chart(const report_model& m) {
  stacked_bar_chart c;
  c.id = "nps-distribution";
  c.title = m.distribution_title;
  c.categories = m.distribution_categories;
  c.weighted = m.weighted;
  for (const auto& r : m.distributions) c.rows.push_back({r.label, r.detractors, r.passives, r.promoters, r.n});
  return c;
}

interval_chart comparison_chart(const group_comparison& g, double level) {
  interval_chart c;
  c.id = g.id;
  c.title = g.title;
  c.axis_label = axis_label_of(g.metric, g.unit);
  c.unit = g.unit;
  c.decimals = g.decimals;
  c.level = level;
  c.alpha = g.alpha;
  c.reference = g.overall.value();
  c.reference_label = "all";
  c.comparison_label = "the rest";
  c.p_label = adjusted_p_label(g.adjust);
  c.group_label = g.group_by;
  for (const auto& r : g.rows) {
    interval_row row;
    row.label = r.label;
    row.value = r.value.value();
    if (r.value.has_interval()) {
      row.lower = r.value.ci()->lower;
      row.upper = r.value.ci()->upper;
    }
    row.n = r.value.n();
    row.difference = r.difference.value();
    row.p_value = r.p_adjusted;
    c.rows.push_back(std::move(row));
  }
  return c;
}

series_chart period_chart(const period_series& s, double level) {
  series_chart c;
  c.id = s.id;
  c.title = s.title;
  c.axis_label = axis_label_of(s.metric, s.unit);
  c.x_label = s.period;
  c.metric = s.metric;
  c.unit = s.unit;
  c.decimals = s.decimals;
  c.level = level;
  c.thin_below = s.thin_below;
  c.points = detail::series_points_of(s.points);
  return c;
}

// ---------------------------------------------------------------------------
// Writers

std::string render_html(const report_model& m) {
  check_level(m.level);
  const std::string lvl = format_level(m.level);
  std::string out;
  out.reserve(1 << 17);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";
  out += "<meta name=\"generator\" content=\"cxmetrics " CXMETRICS_VERSION_STRING "\"/>\n";
  out += "<title>" + esc(m.title) + "</title>\n<style>\n" + css + "</style>\n</head>\n<body>\n<main>\n";

  out += "<header>\n<h1>" + esc(m.title) + "</h1>\n<p class=\"meta\">";
  if (!m.source.empty()) out += "Data: " + esc(m.source) + " &#183; ";
  out += std::to_string(m.responses) + " responses &#183; " + esc(weighting_text(m)) + " &#183; " + lvl +
         "% intervals</p>\n";
  // In-page navigation (fragment links only).
  out += "<nav>";
  out += "<a href=\"#headline\">Headline</a>";
  if (!m.distributions.empty()) out += "<a href=\"#distribution\">Distribution</a>";
  for (const auto& c : m.comparisons) out += "<a href=\"#" + esc(c.id) + "\">" + esc(c.title) + "</a>";
  for (const auto& s : m.series) out += "<a href=\"#" + esc(s.id) + "\">" + esc(s.title) + "</a>";
  if (m.resolution) out += "<a href=\"#" + esc(m.resolution->id) + "\">" + esc(m.resolution->title) + "</a>";
  if (m.trend) out += "<a href=\"#" + esc(m.trend->id) + "\">" + esc(m.trend->title) + "</a>";
  if (m.journey) out += "<a href=\"#" + esc(m.journey->id) + "\">" + esc(m.journey->title) + "</a>";
  if (m.drivers) out += "<a href=\"#" + esc(m.drivers->id) + "\">" + esc(m.drivers->title) + "</a>";
  if (m.ingest) out += "<a href=\"#ingest\">Data quality</a>";
  out += "</nav>\n</header>\n";

  // Headline cards, then the same numbers as a table.
  out += section_open("headline", "Headline");
  out += "<div class=\"cards\">\n";
  for (const auto& h : m.headlines) {
    check_decimals(h.decimals, "headline " + h.name);
    out += "<div class=\"card\"><div class=\"card-name\">" + esc(h.name) + "</div>";
    out += "<div class=\"card-value\">" + esc(with_unit(value_text(h.value, h.decimals), h.unit)) + "</div>";
    if (h.value.has_interval()) {
      out += "<div class=\"card-ci\">" + lvl + "% interval " + esc(format_fixed(h.value.ci()->lower, h.decimals)) +
             " to " + esc(format_fixed(h.value.ci()->upper, h.decimals)) + "</div>";
    } else {
      out += "<div class=\"card-ci\">" + esc(h.value.note()) + "</div>";
    }
    out += "<div class=\"card-n\">n = " + std::to_string(h.value.n()) + "</div>";
    out += "<div class=\"card-desc\">" + esc(h.description) + "</div></div>\n";
  }
  out += "</div>\n<details><summary>Table</summary>\n";
  html_table(out, make_headline_table(m));
  out += "</details>\n</section>\n";

  if (!m.distributions.empty()) {
    out += section_open("distribution", m.distribution_title);
    figure(out, render_stacked_bars(distribution_chart(m)));
    html_table(out, make_distribution_table(m));
    out += "</section>\n";
  }
  for (const auto& c : m.comparisons) {
    out += section_open(c.id, c.title);
    if (!c.method.empty()) out += "<p class=\"method\">" + esc(c.method) + ".</p>\n";
    figure(out, render_interval_dots(comparison_chart(c, m.level)));
    html_table(out, make_comparison_table(c, m.level, "without score"));
    out += "<p class=\"note\">" + esc(sig_note(c)) + "</p>\n";
    for (const auto& n : c.notes) out += "<p class=\"note\">" + esc(n) + "</p>\n";
    out += "</section>\n";
  }
  for (const auto& s : m.series) {
    out += section_open(s.id, s.title);
    if (!s.method.empty()) out += "<p class=\"method\">" + esc(s.method) + ".</p>\n";
    figure(out, render_band_series(period_chart(s, m.level)));
    if (s.undated > 0) {
      out += "<p class=\"note\">" + std::to_string(s.undated) + " responses without a time are in no " + esc(s.period) +
             ".</p>\n";
    }
    out += "<details><summary>Table</summary>\n";
    html_table(out, make_series_table(s, m.level));
    out += "</details>\n</section>\n";
  }
  if (m.resolution) {
    const auto& c = *m.resolution;
    out += section_open(c.id, c.title);
    if (!c.method.empty()) out += "<p class=\"method\">" + esc(c.method) + ".</p>\n";
    figure(out, render_interval_bars(comparison_chart(c, m.level)));
    html_table(out, make_comparison_table(c, m.level, "unknown"));
    out += "<p class=\"note\">" + esc(sig_note(c)) + "</p>\n";
    for (const auto& n : c.notes) out += "<p class=\"note\">" + esc(n) + "</p>\n";
    out += "</section>\n";
  }
  if (m.trend) detail::trend_html(out, *m.trend, m.level);
  if (m.journey) detail::journey_html(out, *m.journey, m.level);
  if (m.drivers) detail::driver_html(out, *m.drivers, m.level);
  if (m.ingest) {
    const auto& g = *m.ingest;
    out += section_open("ingest", "Data quality: rows read, accepted and rejected");
    out += "<div class=\"tables\">\n";
    html_table(out, make_ingest_table(g));
    if (g.rejected > 0) html_table(out, make_reasons_table(g));
    if (!g.missing_by_field.empty()) html_table(out, make_missing_table(g));
    out += "</div>\n";
    if (!m.rejects.empty()) html_table(out, make_rejects_table(m));
    out += "</section>\n";
  }
  out += "<footer>\n";
  for (const auto& n : m.notes) out += "<p>" + esc(n) + "</p>\n";
  out += "<p>Written by cxmetrics " CXMETRICS_VERSION_STRING ".</p>\n</footer>\n</main>\n</body>\n</html>\n";
  return out;
}

namespace {

// A Markdown table cell: valid UTF-8, one line, with the characters that
// would end the cell or start markup escaped.
std::string md_cell(std::string_view s) {
  const std::string clean = detail::clean_text(s);
  std::string out;
  out.reserve(clean.size());
  for (std::size_t i = 0; i < clean.size(); ++i) {
    const char c = clean[i];
    const char next = i + 1 < clean.size() ? clean[i + 1] : '\0';
    switch (c) {
      case '\n':
      case '\r':
        out += ' ';
        break;
      case '|':
      case '\\':
      case '`':
      case '*':
        out += '\\';
        out += c;
        break;
      case '<':  // only where a tag or autolink could start ("<0.0001" stays as it is)
        if (std::isalpha(static_cast<unsigned char>(next)) || next == '/' || next == '!' || next == '?') out += '\\';
        out += c;
        break;
      case ']':  // only where an inline link could start
        if (next == '(') out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

void md_table(std::string& out, const table& t) {
  if (!t.caption.empty()) out.append("**").append(md_cell(t.caption)).append("**\n\n");
  out += "|";
  // Appends only: GCC 12 reports a false -Wrestrict on `" " + std::string` at -O3.
  for (const auto& h : t.header) out.append(" ").append(md_cell(h)).append(" |");
  out += "\n|";
  for (std::size_t i = 0; i < t.header.size(); ++i) out += t.numeric[i] ? " ---: |" : " --- |";
  out += "\n";
  for (const auto& row : t.rows) {
    out += "|";
    for (const auto& cell : row) {
      if (cell.empty()) {
        out += " |";
      } else {
        out.append(" ").append(md_cell(cell)).append(" |");
      }
    }
    out += "\n";
  }
  out += "\n";
}

}  // namespace

std::string render_markdown(const report_model& m) {
  check_level(m.level);
  const std::string lvl = format_level(m.level);
  std::string out;
  out += "# " + md_cell(m.title) + "\n\n";
  if (!m.source.empty()) out += "Data: " + md_cell(m.source) + " · ";
  out += std::to_string(m.responses) + " responses · " + md_cell(weighting_text(m)) + " · " + lvl +
         "% intervals\n\n";

  out += "## Headline\n\n";
  md_table(out, make_headline_table(m));
  if (!m.distributions.empty()) {
    out += "## " + md_cell(m.distribution_title) + "\n\n";
    md_table(out, make_distribution_table(m));
  }
  for (const auto& c : m.comparisons) {
    out += "## " + md_cell(c.title) + "\n\n";
    if (!c.method.empty()) out += md_cell(c.method) + ".\n\n";
    md_table(out, make_comparison_table(c, m.level, "without score"));
    out += md_cell(sig_note(c)) + "\n\n";
    for (const auto& n : c.notes) out += md_cell(n) + "\n\n";
  }
  for (const auto& s : m.series) {
    out += "## " + md_cell(s.title) + "\n\n";
    if (!s.method.empty()) out += md_cell(s.method) + ".\n\n";
    md_table(out, make_series_table(s, m.level));
    if (s.undated > 0) {
      out += std::to_string(s.undated) + " responses without a time are in no " + md_cell(s.period) + ".\n\n";
    }
  }
  if (m.resolution) {
    const auto& c = *m.resolution;
    out += "## " + md_cell(c.title) + "\n\n";
    if (!c.method.empty()) out += md_cell(c.method) + ".\n\n";
    md_table(out, make_comparison_table(c, m.level, "unknown"));
    out += md_cell(sig_note(c)) + "\n\n";
    for (const auto& n : c.notes) out += md_cell(n) + "\n\n";
  }
  if (m.trend) detail::trend_markdown(out, *m.trend, m.level);
  if (m.journey) detail::journey_markdown(out, *m.journey, m.level);
  if (m.drivers) detail::driver_markdown(out, *m.drivers, m.level);
  if (m.ingest) {
    const auto& g = *m.ingest;
    out += "## Data quality: rows read, accepted and rejected\n\n";
    md_table(out, make_ingest_table(g));
    if (g.rejected > 0) md_table(out, make_reasons_table(g));
    if (!g.missing_by_field.empty()) md_table(out, make_missing_table(g));
    if (!m.rejects.empty()) md_table(out, make_rejects_table(m));
  }
  for (const auto& n : m.notes) out += md_cell(n) + "\n\n";
  out += "Written by cxmetrics " CXMETRICS_VERSION_STRING ".\n";
  return out;
}

// ---------------------------------------------------------------------------
// The tables for other sections (src/report/tables.hpp)

namespace detail {
std::string cell_value(const estimate& e, int decimals) { return value_text(e, decimals); }
std::string cell_interval(const estimate& e, int decimals) { return interval_text(e, decimals); }
void write_html_table(std::string& out, const table& t) { html_table(out, t); }
void open_html_section(std::string& out, const std::string& id, const std::string& title, const std::string& method) {
  out += section_open(id, title);
  if (!method.empty()) out += "<p class=\"method\">" + esc(method) + ".</p>\n";
}
void write_md_table(std::string& out, const table& t) { md_table(out, t); }
std::string md_text(std::string_view s) { return md_cell(s); }
}  // namespace detail

}  // namespace cxm::report
