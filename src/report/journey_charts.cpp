// SVG charts of journeys: see include/cxmetrics/report/journey_charts.hpp;
// drawn with the writer of src/report/svg_writer.hpp.
#include "cxmetrics/report/journey_charts.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <string>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "report/svg_writer.hpp"
#include "report/text.hpp"

namespace cxm::inline v0_1::report {

using namespace detail;

namespace {

constexpr double max_label_width = 180.0;

// Width of the row labels at 12 px: the widest, within 40..180 px.
template <class Rows, class Label>
double label_width(const Rows& rows, Label label) {
  double w = 40;
  for (const auto& r : rows) w = std::max(w, text_width(label(r), 12));
  return std::min(w, max_label_width);
}

std::size_t chars_in(double px, double size) { return static_cast<std::size_t>(std::max(1.0, px / (0.6 * size))); }

// "value, 95% interval [lo, hi]" of a value with an optional interval.
std::string value_with_interval(double v, double lo, double hi, int d, const std::string& unit, double level) {
  std::string s = with_unit(format_fixed(v, d), unit);
  if (std::isfinite(lo) && std::isfinite(hi)) {
    s += ", " + level_text(level) + "% interval [" + format_fixed(lo, d) + ", " + format_fixed(hi, d) + "]";
  }
  return s;
}

// The palette class of a value: −4..−1 below the midpoint, 1..4 from it up.
int heat_class(double v, double lower, double mid, double upper) {
  if (v >= mid) {
    const double t = (v - mid) / (upper - mid);
    return 1 + static_cast<int>(std::min(3.0, std::floor(t * 4.0)));
  }
  const double t = (mid - v) / (mid - lower);
  return -1 - static_cast<int>(std::min(3.0, std::floor(t * 4.0)));
}

// c mixed with white: f·c + (1 − f)·white, per channel, rounded.
std::string tint(const char* hex, double f) {
  std::string out = "#";
  static constexpr const char* digits = "0123456789ABCDEF";
  for (int i = 0; i < 3; ++i) {
    const int c = std::stoi(std::string(hex + 1 + 2 * i, 2), nullptr, 16);
    const auto v = static_cast<int>(std::lround(255.0 + f * (c - 255.0)));
    out += digits[v / 16];
    out += digits[v % 16];
  }
  return out;
}

std::string class_colour(int k) {
  const double f = static_cast<double>(std::abs(k)) / 4.0;
  return tint(k < 0 ? okabe_ito::vermillion : okabe_ito::blue, f);
}

}  // namespace

// ---------------------------------------------------------------------------
// Heat grid

std::string heat_colour(double value, double lower, double midpoint, double upper) {
  if (std::isnan(value)) return "none";
  return class_colour(heat_class(value, lower, midpoint, upper));
}

std::string render_heat_grid(const heat_grid_chart& c) {
  check_decimals(c.decimals, "heat grid");
  check_level(c.level);
  if (!(std::isfinite(c.lower) && std::isfinite(c.midpoint) && std::isfinite(c.upper) && c.lower < c.midpoint &&
        c.midpoint < c.upper)) {
    throw invalid_argument("heat grid: the palette needs lower < midpoint < upper, all finite; got " +
                               format_fixed(c.lower, 4) + ", " + format_fixed(c.midpoint, 4) + ", " +
                               format_fixed(c.upper, 4),
                           at_field("midpoint"));
  }
  if (c.cells.size() != c.rows.size() * c.columns.size()) {
    throw invalid_argument("heat grid: " + std::to_string(c.cells.size()) + " cells for " +
                               std::to_string(c.rows.size()) + " rows x " + std::to_string(c.columns.size()) +
                               " columns",
                           at_field("cells"));
  }
  if (c.cells.empty()) return no_data_chart(c.id, c.title);

  const int d = c.decimals;
  std::string body;
  // The palette: eight swatches with their class bounds beneath.
  const std::string ramp_title = with_unit(c.metric, c.unit.empty() ? "" : "(" + c.unit + ")") + ":";
  text_el(body, margin, 48, ramp_title, "class=\"legend-title\"");
  const double ramp_x = margin + text_width(ramp_title, 12) + 8;
  const double sw = 44;
  const std::array<int, 8> classes{-4, -3, -2, -1, 1, 2, 3, 4};
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const double x = ramp_x + static_cast<double>(i) * sw;
    body += "<rect class=\"legend ramp\" x=" + qn(x) + " y=\"37\" width=" + qn(sw) + " height=\"14\" fill=" +
            q(class_colour(classes[i])) + "/>\n";
  }
  for (int i = 0; i <= 8; ++i) {
    const double v = i <= 4 ? c.lower + (c.midpoint - c.lower) * i / 4.0
                            : c.midpoint + (c.upper - c.midpoint) * (i - 4) / 4.0;
    text_el(body, ramp_x + i * sw, 64, format_fixed(v, d),
            "class=\"tick\" text-anchor=\"middle\" font-size=\"10\" fill=\"#555555\"");
  }
  std::vector<legend_item> items{{symbol::empty_box, "#999999", "no events"},
                                 {symbol::hatched, class_colour(1), "thin: fewer than " +
                                                                         count_text(c.thin_below) + " events"}};
  const double legend_y = legend(body, items, 86);

  const double x0 = margin + label_width(c.rows, [](const std::string& s) { return s; }) + 10;
  const double x1 = width - margin;
  const double col_w = (x1 - x0) / static_cast<double>(c.columns.size());
  const double head_y = legend_y + 40;  // baseline of the column labels
  const double top = head_y + 8;
  const double row_h = 36;
  const double pad = 1.5;

  text_el(body, (x0 + x1) / 2, head_y - 18, c.column_label, "class=\"axis-label\" text-anchor=\"middle\"");
  text_el(body, x0 - 8, head_y, c.row_label, "class=\"axis-label\" text-anchor=\"end\" font-style=\"italic\"");
  const std::size_t col_chars = chars_in(col_w - 4, 12);
  for (std::size_t j = 0; j < c.columns.size(); ++j) {
    text_el(body, x0 + (static_cast<double>(j) + 0.5) * col_w, head_y, shorten(c.columns[j], col_chars),
            "class=\"label column\" text-anchor=\"middle\" font-weight=\"bold\"");
  }
  const std::size_t row_chars = chars_in(max_label_width, 12);
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    const double y = top + static_cast<double>(i) * row_h;
    text_el(body, x0 - 8, y + row_h / 2 + 4, shorten(c.rows[i], row_chars), "class=\"label\" text-anchor=\"end\"");
    for (std::size_t j = 0; j < c.columns.size(); ++j) {
      const heat_cell& cell = c.cells[i * c.columns.size() + j];
      const double x = x0 + static_cast<double>(j) * col_w;
      const double cx = x + col_w / 2;
      const double cy = y + row_h / 2;
      const std::string where = c.rows[i] + " \xC3\x97 " + c.columns[j];  // U+00D7
      const std::string rect = "x=" + qn(x + pad) + " y=" + qn(y + pad) + " width=" + qn(col_w - 2 * pad) +
                               " height=" + qn(row_h - 2 * pad);
      if (cell.n == 0 || !std::isfinite(cell.value)) {
        const std::string tip = where + ": " + (cell.n == 0 ? std::string("no events")
                                                            : "no value, n = " + count_text(cell.n));
        mark_el(body, "rect",
                "class=\"mark empty\" " + rect + " fill=\"#ffffff\" stroke=\"#999999\" stroke-dasharray=\"3 2\"", tip);
        text_el(body, cx, cy + 4, cell.n == 0 ? "none" : "no value",
                "class=\"no-data\" text-anchor=\"middle\" font-style=\"italic\" font-size=\"11\" fill=\"#555555\" "
                "pointer-events=\"none\"");
        continue;
      }
      const bool thin = cell.n < c.thin_below;
      std::string tip = where + ": " + c.metric + " " +
                        value_with_interval(cell.value, cell.lower, cell.upper, d + 1, c.unit, c.level) +
                        ", n = " + count_text(cell.n);
      if (thin) tip += " (thin: fewer than " + count_text(c.thin_below) + " events)";
      const int k = heat_class(cell.value, c.lower, c.midpoint, c.upper);
      mark_el(body, "rect",
              std::string("class=\"mark cell") + (thin ? " thin" : "") + "\" " + rect + " fill=" + q(class_colour(k)),
              tip);
      if (thin) {
        hatch_el(body, x + pad, y + pad, col_w - 2 * pad, row_h - 2 * pad);
        body += "\n";
      }
      const std::string v = with_unit(format_fixed(cell.value, d), c.unit);
      const std::string n = "n = " + count_text(cell.n);
      const char* ink = std::abs(k) >= 3 ? "#ffffff" : "#000000";
      if (text_width(v, 12) + 6 <= col_w) {
        text_el(body, cx, cy + 1, v,
                std::string("class=\"value\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"") + ink +
                    "\" pointer-events=\"none\"");
      }
      if (text_width(n, 9) + 6 <= col_w) {
        text_el(body, cx, cy + 13, n,
                std::string("class=\"n\" text-anchor=\"middle\" font-size=\"9\" fill=\"") + ink +
                    "\" pointer-events=\"none\"");
      }
    }
  }
  const double bottom = top + static_cast<double>(c.rows.size()) * row_h;
  return finish(c.id, c.title, bottom + 12, body);
}

// ---------------------------------------------------------------------------
// Ratio bars

std::string render_ratio_bars(const ratio_chart& c) {
  check_decimals(c.decimals, "ratio chart");
  check_level(c.level);
  if (c.series.empty() || c.series.size() > 4) {
    throw invalid_argument("ratio chart: 1 to 4 series, got " + std::to_string(c.series.size()), at_field("series"));
  }
  if (!(std::isfinite(c.reference) && c.reference > 0.0)) {
    throw invalid_argument("ratio chart: the reference must be finite and > 0", at_field("reference"));
  }
  constexpr double floor_ratio = 1.0 / 64.0;
  constexpr double ceil_ratio = 64.0;
  double lo = c.reference;
  double hi = c.reference;
  bool any = false;
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    for (const auto& v : c.rows[i].values) {
      for (const double x : {v.value, v.lower, v.upper}) {
        if (x < 0.0) throw invalid_argument("ratio chart: a ratio or bound below 0", at_row(i, "values"));
        if (!(std::isfinite(x) && x > 0.0)) continue;
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
      any = any || (std::isfinite(v.value) && v.value >= 0.0);
    }
  }
  if (!any) return no_data_chart(c.id, c.title);
  // Powers of two around the data (at least ½ … 2), within 1/64 … 64.
  const int k_lo = std::min(-1, static_cast<int>(std::floor(std::log2(std::max(lo, floor_ratio)) + 1e-9)));
  const int k_hi = std::max(1, static_cast<int>(std::ceil(std::log2(std::min(hi, ceil_ratio)) - 1e-9)));
  const double d_lo = std::ldexp(1.0, k_lo);
  const double d_hi = std::ldexp(1.0, k_hi);

  const std::array<const char*, 4> fills{okabe_ito::vermillion, okabe_ito::blue, okabe_ito::bluish_green,
                                         okabe_ito::reddish_purple};
  const int d = c.decimals;
  const std::string lvl = level_text(c.level);
  std::string body;
  std::vector<legend_item> items;
  for (std::size_t s = 0; s < c.series.size(); ++s) items.push_back({symbol::swatch, fills[s], c.series[s]});
  items.push_back({symbol::whisker, okabe_ito::black, lvl + "% interval"});
  items.push_back({symbol::dashed, muted_colour, c.reference_label});
  const double legend_y = legend(body, items, 48);

  const double x0 = margin + label_width(c.rows, [](const ratio_row& r) { return r.label; }) + 10;
  const double x1 = width - margin - 8;
  const double top = legend_y + 16;
  const double sub_h = 12;
  const double sub_gap = 3;
  const double band = static_cast<double>(c.series.size()) * (sub_h + sub_gap) - sub_gap + 12;
  const double bottom = top + static_cast<double>(c.rows.size()) * band;
  const auto x_of = [&](double v) {
    const double cl = std::clamp(v, d_lo, d_hi);
    return lerp(std::log2(cl), k_lo, k_hi, x0, x1);
  };

  for (int k = k_lo; k <= k_hi; ++k) {
    const double x = lerp(k, k_lo, k_hi, x0, x1);
    line_el(body, x, top, x, bottom, "class=\"grid\" stroke=\"#e6e6e6\"");
    const std::string t = k >= 0 ? std::to_string(1LL << k) : "1/" + std::to_string(1LL << -k);
    text_el(body, x, bottom + 16, t, "class=\"tick\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555555\"");
  }
  line_el(body, x0, bottom, x1, bottom, "class=\"axis\" stroke=\"#888888\"");
  text_el(body, (x0 + x1) / 2, bottom + 34, c.axis_label, "class=\"axis-label\" text-anchor=\"middle\"");

  const double xr = x_of(c.reference);
  const std::size_t row_chars = chars_in(max_label_width, 12);
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    const auto& r = c.rows[i];
    const double y = top + 6 + static_cast<double>(i) * band;
    text_el(body, x0 - 8, y + (band - 12) / 2 + 4, shorten(r.label, row_chars), "class=\"label\" text-anchor=\"end\"");
    for (std::size_t s = 0; s < c.series.size(); ++s) {
      const double sy = y + static_cast<double>(s) * (sub_h + sub_gap);
      const double cy = sy + sub_h / 2;
      if (s >= r.values.size() || !std::isfinite(r.values[s].value)) {
        text_el(body, xr + 4, cy + 4, c.series[s] + ": no value",
                "class=\"no-data\" font-style=\"italic\" font-size=\"10\" fill=\"#555555\"");
        continue;
      }
      const ratio_value& v = r.values[s];
      const bool ci = std::isfinite(v.lower) && std::isfinite(v.upper);
      std::string tip = r.label + ", " + c.series[s] + ": " +
                        value_with_interval(v.value, v.lower, v.upper, d, "", c.level) + ", n = " + count_text(v.n);
      if (!v.detail.empty()) tip += "; " + v.detail;
      const double xv = x_of(v.value);
      double xa = std::min(xr, xv);
      double w = std::fabs(xv - xr);
      if (w < 1.0) {
        xa = std::min(xa, xr - 0.5);
        w = 1.0;
      }
      const std::string cls = " s" + std::to_string(s);
      mark_el(body, "rect",
              "class=\"mark bar" + cls + "\" x=" + qn(xa) + " y=" + qn(sy) + " width=" + qn(w) + " height=" + qn(sub_h) +
                  " fill=" + q(fills[s]),
              tip);
      if (ci) {
        const double xl = x_of(v.lower);
        const double xh = x_of(v.upper);
        mark_el(body, "path",
                "class=\"mark whisker" + cls + "\" d=\"M" + num(xl) + "," + num(cy) + "H" + num(xh) + "M" + num(xl) +
                    "," + num(cy - 4) + "V" + num(cy + 4) + "M" + num(xh) + "," + num(cy - 4) + "V" + num(cy + 4) +
                    "\" stroke=\"#000000\" stroke-width=\"1.25\" fill=\"none\"",
                tip);
      }
    }
  }
  body += "<line class=\"ref\" x1=" + qn(xr) + " y1=" + qn(top - 4) + " x2=" + qn(xr) + " y2=" + qn(bottom) +
          " stroke=\"#555555\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"><title>" +
          xml_escape(c.reference_label) + "</title></line>\n";
  return finish(c.id, c.title, bottom + 46, body);
}

// ---------------------------------------------------------------------------
// Model errors

std::string render_model_errors(const model_error_chart& c) {
  check_decimals(c.decimals, "model error chart");
  std::vector<double> all{0.0};
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    if (c.rows[i].error < 0.0) throw invalid_argument("model error chart: an error below 0", at_row(i, "error"));
    all.push_back(c.rows[i].error);
  }
  tick_scale ticks;
  bool any = false;
  for (const auto& r : c.rows) any = any || std::isfinite(r.error);
  if (!any || !domain_of(all, true, 6, ticks)) return no_data_chart(c.id, c.title);

  const int d = c.decimals;
  std::string body;
  const std::vector<legend_item> items{{symbol::swatch, okabe_ito::blue, "lowest " + c.metric + " (best)"},
                                       {symbol::swatch, okabe_ito::sky_blue, "other models"}};
  const double legend_y = legend(body, items, 48);
  const double x0 = margin + label_width(c.rows, [](const model_error_row& r) { return r.label; }) + 10;
  const double x1 = width - margin - 110;
  const double top = legend_y + 16;
  const double row_h = 26;
  const double bottom = top + static_cast<double>(c.rows.size()) * row_h;
  const auto x_of = [&](double v) { return lerp(v, ticks.lower, ticks.upper, x0, x1); };
  const double axis_y = value_axis_x(body, ticks, x0, x1, top, bottom, c.axis_label);
  const std::size_t row_chars = chars_in(max_label_width, 12);
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    const auto& r = c.rows[i];
    const double y = top + static_cast<double>(i) * row_h;
    const double cy = y + row_h / 2;
    text_el(body, x0 - 8, cy + 4, shorten(r.label, row_chars), "class=\"label\" text-anchor=\"end\"");
    if (!std::isfinite(r.error)) {
      text_el(body, x0 + 6, cy + 4, shorten(r.note.empty() ? "no value" : "not fitted: " + r.note, 70),
              "class=\"no-data\" font-style=\"italic\" fill=\"#555555\"");
      continue;
    }
    std::string tip = r.label + ": " + c.metric + " " + format_fixed(r.error, d + 1);
    if (!r.detail.empty()) tip += ", " + r.detail;
    tip += ", n = " + count_text(c.n);
    if (r.best) tip += " (best)";
    const double xe = x_of(r.error);
    mark_el(body, "rect",
            std::string("class=\"mark bar") + (r.best ? " best" : "") + "\" x=" + qn(x0) + " y=" + qn(y + 4) +
                " width=" + qn(std::max(xe - x0, 1.0)) + " height=" + qn(row_h - 8) +
                " fill=" + q(r.best ? okabe_ito::blue : okabe_ito::sky_blue),
            tip);
    const std::string v = format_fixed(r.error, d);
    text_el(body, std::max(xe, x0 + 1) + 6, cy + 4, v, "class=\"value\" font-size=\"11\"");
    if (r.best) {
      // A five-pointed star (outer radius 7, inner 3) after the value.
      const double sx = std::max(xe, x0 + 1) + 6 + text_width(v, 11) + 12;
      std::string dd;
      for (int p = 0; p < 10; ++p) {
        const double a = -std::numbers::pi / 2 + p * std::numbers::pi / 5;
        const double rad = p % 2 == 0 ? 7.0 : 3.0;
        dd += (p == 0 ? "M" : "L") + num(sx + rad * std::cos(a)) + "," + num(cy + rad * std::sin(a));
      }
      mark_el(body, "path", "class=\"mark star\" d=\"" + dd + "Z\" fill=" + q(okabe_ito::orange) +
                                " stroke=\"#000000\" stroke-width=\"0.75\"",
              tip);
      text_el(body, sx + 10, cy + 4, "best", "class=\"best-label\" font-size=\"11\" font-weight=\"bold\"");
    }
  }
  return finish(c.id, c.title, axis_y + 14, body);
}

}  // namespace cxm::report
