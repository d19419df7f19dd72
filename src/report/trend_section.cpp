// The trend section of the report: its chart (report/trend_charts.hpp) and
// its HTML and Markdown (src/report/tables.hpp), both drawn from the same
// section values (report/trend_section.hpp).
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "cxmetrics/report/svg_primitives.hpp"
#include "cxmetrics/report/trend_section.hpp"
#include "report/tables.hpp"

namespace cxm::inline v0_1::report {
namespace {

using detail::cell_interval;
using detail::cell_value;
using detail::table;

std::string esc(std::string_view s) { return xml_escape(s); }

std::string p_cell(double p) { return std::isfinite(p) ? (p < 0.0001 ? "< 0.0001" : format_fixed(p, 4)) : "-"; }

table series_table(const trend_section& s, double level) {
  table t;
  t.header = {s.period, "n", "NPS", format_level(level) + "% interval", "status"};
  t.numeric = {false, true, true, true, false};
  for (const auto& p : s.points) {
    const bool empty = p.value.n() == 0;
    t.rows.push_back({p.label, std::to_string(p.value.n()), cell_value(p.value, 1), cell_interval(p.value, 1),
                      empty ? "empty" : p.thin ? "thin" : "ok"});
    t.row_class.emplace_back(p.thin ? "thin" : "");
  }
  return t;
}

table trend_table(const trend_section& s, double level) {
  table t;
  t.caption = "Trend over the ok " + s.period + "s (points per " + s.period + ")";
  t.header = {"method", "slope", format_level(level) + "% interval", "p-value", s.period + "s"};
  t.numeric = {false, true, true, true, true};
  t.rows.push_back({"weighted least squares (1/SE\xC2\xB2)", cell_value(s.slope, 2), cell_interval(s.slope, 2),
                    p_cell(s.p_value), std::to_string(s.trend_points)});
  t.rows.push_back({"Theil-Sen, Mann-Kendall test", cell_value(s.theil_sen, 2), cell_interval(s.theil_sen, 2),
                    p_cell(s.mann_kendall_p), std::to_string(s.trend_points)});
  t.row_class.assign(t.rows.size(), std::string());
  return t;
}

table alert_table(const trend_section& s) {
  table t;
  t.caption = "Change alerts: the first " + s.period + " a shift is signalled";
  t.header = {"chart", "first signal", "direction"};
  t.numeric = {false, false, false};
  t.rows.push_back({"EWMA", s.ewma_signal.empty() ? "none" : s.ewma_signal, s.ewma_direction});
  t.rows.push_back({"CUSUM", s.cusum_signal.empty() ? "none" : s.cusum_signal, s.cusum_direction});
  t.row_class = {s.ewma_signal.empty() ? "" : "sig", s.cusum_signal.empty() ? "" : "sig"};
  return t;
}

table forecast_table(const trend_section& s) {
  table t;
  t.caption = "Forecast (" + s.model + ", fitted on " + std::to_string(s.fitted_points) + " " + s.period + "s)";
  t.header = {"step", s.period, "forecast", "80% interval", "95% interval"};
  t.numeric = {true, false, true, true, true};
  const auto iv = [](double lo, double hi) { return "[" + format_fixed(lo, 1) + ", " + format_fixed(hi, 1) + "]"; };
  for (std::size_t h = 0; h < s.forecast.size(); ++h) {
    const auto& f = s.forecast[h];
    t.rows.push_back({std::to_string(h + 1), f.label, format_fixed(f.mean, 1), iv(f.lo80, f.hi80), iv(f.lo95, f.hi95)});
    t.row_class.emplace_back();
  }
  return t;
}

}  // namespace

namespace detail {

void trend_html(std::string& out, const trend_section& s, double level) {
  open_html_section(out, s.id, s.title, s.method);
  out += "<figure>\n" + render_trend_fan(trend_chart(s, level)) + "</figure>\n";
  if (!s.forecast.empty()) write_html_table(out, forecast_table(s));
  if (!s.forecast_note.empty()) out += "<p class=\"note\">" + esc(s.forecast_note) + "</p>\n";
  write_html_table(out, trend_table(s, level));
  write_html_table(out, alert_table(s));
  out += "<details><summary>Table</summary>\n";
  write_html_table(out, series_table(s, level));
  out += "</details>\n";
  for (const auto& n : s.notes) out += "<p class=\"note\">" + esc(n) + "</p>\n";
  out += "</section>\n";
}

void trend_markdown(std::string& out, const trend_section& s, double level) {
  out += "## " + md_text(s.title) + "\n\n";
  if (!s.method.empty()) out += md_text(s.method) + ".\n\n";
  if (!s.forecast.empty()) write_md_table(out, forecast_table(s));
  if (!s.forecast_note.empty()) out += md_text(s.forecast_note) + "\n\n";
  write_md_table(out, trend_table(s, level));
  write_md_table(out, alert_table(s));
  write_md_table(out, series_table(s, level));
  for (const auto& n : s.notes) out += md_text(n) + "\n\n";
}

}  // namespace detail
}  // namespace cxm::report
