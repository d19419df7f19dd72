// SVG charts: see include/cxmetrics/report/svg.hpp for what each chart draws;
// the elements, legends and axes come from the writer of
// src/report/svg_writer.hpp.
#include "cxmetrics/report/svg.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "report/svg_writer.hpp"
#include "report/text.hpp"

namespace cxm::inline v0_1::report {

using namespace detail;

namespace {

bool has_interval(const interval_row& r) { return std::isfinite(r.lower) && std::isfinite(r.upper); }

// The tooltip of a group's estimate.
std::string row_tip(const interval_chart& c, const interval_row& r) {
  const int d = c.decimals + 1;
  std::string s = r.label + ": ";
  s += std::isfinite(r.value) ? with_unit(format_fixed(r.value, d), c.unit) : std::string("no value");
  if (has_interval(r)) {
    s += ", " + level_text(c.level) + "% interval [" + format_fixed(r.lower, d) + ", " + format_fixed(r.upper, d) +
         "]";
  }
  s += ", n = " + count_text(r.n);
  if (std::isfinite(r.difference)) s += "; vs " + c.comparison_label + ": " + signed_text(r.difference, d);
  if (!std::isnan(r.p_value)) {
    s += ", " + c.p_label + " = " + p_text(r.p_value);
    if (r.p_value < c.alpha) s += " (significant at " + format_fixed(c.alpha, 2) + ")";
  }
  return s;
}

// The value axis of an interval chart: the reference, every value and every
// finite interval end (and zero for bars). False when there is nothing to show.
bool interval_domain(const interval_chart& c, bool with_zero, tick_scale& ticks) {
  if (c.rows.empty()) return false;
  std::vector<double> all{c.reference};
  for (const auto& r : c.rows) {
    all.push_back(r.value);
    if (has_interval(r)) {
      all.push_back(r.lower);
      all.push_back(r.upper);
    }
  }
  return domain_of(all, with_zero, 6, ticks);
}

void check_interval_chart(const interval_chart& c, const char* name) {
  check_decimals(c.decimals, name);
  check_level(c.level);
  if (!(c.alpha > 0.0 && c.alpha < 1.0)) {
    throw invalid_argument(std::string(name) + ": alpha must be in (0, 1), got " + std::to_string(c.alpha),
                           at_field("alpha"));
  }
}

// The row labels of a horizontal chart, at 12 px, right-aligned before the
// plot: as wide as the widest label, within 40..180 px, and shortened to the
// characters 180 px hold.
constexpr double max_row_label_width = 180.0;
constexpr auto max_row_label_chars = static_cast<std::size_t>(max_row_label_width / (0.6 * 12));

template <class Rows>
double row_label_width(const Rows& rows) {
  double w = 40;
  for (const auto& r : rows) w = std::max(w, text_width(r.label, 12));
  return std::min(w, max_row_label_width);
}

}  // namespace

// ---------------------------------------------------------------------------
// Stacked 100 % bars

std::string render_stacked_bars(const stacked_bar_chart& c) {
  const std::array<const char*, 3> fills{okabe_ito::vermillion, okabe_ito::yellow, okabe_ito::bluish_green};
  const std::array<const char*, 3> classes{"mark bar seg-low", "mark bar seg-mid", "mark bar seg-high"};
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    const auto& r = c.rows[i];
    const std::array<std::pair<double, const char*>, 3> parts{
        {{r.low, "low"}, {r.middle, "middle"}, {r.high, "high"}}};
    for (const auto& [v, name] : parts) {
      if (!(std::isfinite(v) && v >= 0.0)) {
        throw invalid_argument("stacked bar amounts must be finite and >= 0, got " + format_fixed(v, 6),
                               at_row(i, name));
      }
    }
  }
  if (c.rows.empty()) return no_data_chart(c.id, c.title);

  std::string body;
  std::vector<legend_item> items;
  for (std::size_t k = 0; k < 3; ++k) items.push_back({symbol::swatch, fills[k], c.categories[k]});
  const double legend_y = legend(body, items, 48);

  const double x0 = margin + row_label_width(c.rows) + 10;
  const double x1 = width - margin - 72;
  const double top = legend_y + 16;
  const double row_h = 22;
  const double gap = 8;
  const double bottom = top + static_cast<double>(c.rows.size()) * (row_h + gap) - gap + 6;

  const auto ticks = nice_ticks(0.0, 100.0, 6);
  const double axis_y = value_axis_x(body, ticks, x0, x1, top - 4, bottom, c.axis_label);

  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    const auto& r = c.rows[i];
    const double y = top + static_cast<double>(i) * (row_h + gap);
    const double cy = y + row_h / 2;
    text_el(body, x0 - 8, cy + 4, shorten(r.label, max_row_label_chars), "class=\"label\" text-anchor=\"end\"");
    text_el(body, width - margin, cy + 4, "n = " + count_text(r.n),
            "class=\"n\" text-anchor=\"end\" font-size=\"11\" fill=\"#555555\"");
    const std::array<double, 3> amount{r.low, r.middle, r.high};
    const double total = r.low + r.middle + r.high;
    if (!(total > 0.0)) {
      text_el(body, x0 + 6, cy + 4, "no responses", "class=\"no-data\" font-style=\"italic\" fill=\"#555555\"");
      continue;
    }
    // Boundaries from cumulative amounts: the last one is total itself (same
    // additions in the same order), so every bar ends exactly at x1.
    double before = 0.0;
    for (std::size_t k = 0; k < 3; ++k) {
      const double after = before + amount[k];
      if (!(amount[k] > 0.0)) {
        before = after;
        continue;
      }
      const double share = amount[k] / total;
      const double xa = lerp(before, 0.0, total, x0, x1);
      const double xb = lerp(after, 0.0, total, x0, x1);
      before = after;
      const int ad = c.weighted ? 1 : 0;
      std::string tip = r.label + ": " + c.categories[k] + " " + format_fixed(100.0 * share, 2) + "% (" +
                        format_fixed(amount[k], ad) + " of " + format_fixed(total, ad) +
                        (c.weighted ? " by weight" : "") + ", n = " + count_text(r.n) + ")";
      mark_el(body, "rect",
              "class=" + q(classes[k]) + " x=" + qn(xa) + " y=" + qn(y) + " width=" + qn(std::max(xb - xa, 0.0)) +
                  " height=" + qn(row_h) + " fill=" + q(fills[k]),
              tip);
      if (xb - xa >= 30) {
        text_el(body, (xa + xb) / 2, cy + 4, format_fixed(100.0 * share, 0) + "%",
                "class=\"seg-label\" text-anchor=\"middle\" font-size=\"11\" fill=\"#000000\" pointer-events=\"none\"");
      }
    }
  }
  return finish(c.id, c.title, axis_y + 14, body);
}

// ---------------------------------------------------------------------------
// Dots with whiskers

std::string render_interval_dots(const interval_chart& c) {
  check_interval_chart(c, "interval chart");
  tick_scale ticks;
  if (!interval_domain(c, false, ticks)) return no_data_chart(c.id, c.title);

  const int d = c.decimals;
  const std::string lvl = level_text(c.level);
  const std::string alpha = format_fixed(c.alpha, 2);
  std::string body;
  std::vector<legend_item> items{{symbol::dot, okabe_ito::black, "estimate"},
                                 {symbol::whisker, okabe_ito::black, lvl + "% interval"}};
  if (std::isfinite(c.reference)) {
    items.push_back({symbol::dashed, muted_colour,
                     c.reference_label + " = " + with_unit(format_fixed(c.reference, d), c.unit)});
  }
  items.push_back(
      {symbol::up, okabe_ito::blue, "higher than " + c.comparison_label + " (" + c.p_label + " < " + alpha + ")"});
  items.push_back({symbol::down, okabe_ito::vermillion, "lower than " + c.comparison_label});
  const double legend_y = legend(body, items, 48);

  const double x0 = margin + row_label_width(c.rows) + 10;
  const double x1 = width - margin - 72 - 24;
  const double top = legend_y + 16;
  const double row_h = 26;
  const double bottom = top + static_cast<double>(c.rows.size()) * row_h;
  const auto x_of = [&](double v) { return lerp(v, ticks.lower, ticks.upper, x0, x1); };

  const double axis_y = value_axis_x(body, ticks, x0, x1, top, bottom, c.axis_label);
  if (std::isfinite(c.reference)) {
    const double xr = x_of(c.reference);
    body += "<line class=\"ref\" x1=" + qn(xr) + " y1=" + qn(top - 4) + " x2=" + qn(xr) + " y2=" + qn(bottom) +
            " stroke=\"#555555\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"><title>" +
            xml_escape(c.reference_label + ": " + with_unit(format_fixed(c.reference, d + 1), c.unit)) +
            "</title></line>\n";
  }
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    const auto& r = c.rows[i];
    const double cy = top + (static_cast<double>(i) + 0.5) * row_h;
    text_el(body, x0 - 8, cy + 4, shorten(r.label, max_row_label_chars), "class=\"label\" text-anchor=\"end\"");
    text_el(body, width - margin, cy + 4, "n = " + count_text(r.n),
            "class=\"n\" text-anchor=\"end\" font-size=\"11\" fill=\"#555555\"");
    if (!std::isfinite(r.value)) {
      text_el(body, x0 + 6, cy + 4, "no data", "class=\"no-data\" font-style=\"italic\" fill=\"#555555\"");
      continue;
    }
    const std::string tip = row_tip(c, r);
    const bool sig = !std::isnan(r.p_value) && r.p_value < c.alpha;
    const double dir = std::isfinite(r.difference) ? r.difference
                       : std::isfinite(c.reference) ? r.value - c.reference
                                                    : 0.0;
    const bool up = dir >= 0.0;
    const char* colour = !sig ? okabe_ito::black : up ? okabe_ito::blue : okabe_ito::vermillion;
    if (has_interval(r)) {
      const double xl = x_of(r.lower);
      const double xh = x_of(r.upper);
      mark_el(body, "path",
              "class=\"mark whisker\" d=\"M" + num(xl) + "," + num(cy) + "H" + num(xh) + "M" + num(xl) + "," +
                  num(cy - 5) + "V" + num(cy + 5) + "M" + num(xh) + "," + num(cy - 5) + "V" + num(cy + 5) +
                  "\" stroke=\"#000000\" stroke-width=\"1.5\" fill=\"none\"",
              tip);
    }
    mark_el(body, "circle",
            "class=\"mark dot\" cx=" + qn(x_of(r.value)) + " cy=" + qn(cy) + " r=\"5\" fill=" + q(colour) +
                " stroke=\"#ffffff\" stroke-width=\"1\"",
            tip);
    if (sig) {
      const double xs = x1 + 14;
      const std::string d_attr = up ? "M" + num(xs) + "," + num(cy - 6) + "L" + num(xs + 6) + "," + num(cy + 5) + "L" +
                                          num(xs - 6) + "," + num(cy + 5) + "Z"
                                    : "M" + num(xs) + "," + num(cy + 6) + "L" + num(xs + 6) + "," + num(cy - 5) + "L" +
                                          num(xs - 6) + "," + num(cy - 5) + "Z";
      mark_el(body, "path",
              std::string("class=\"mark sig ") + (up ? "up" : "down") + "\" d=\"" + d_attr + "\" fill=" + q(colour),
              tip);
    }
  }
  return finish(c.id, c.title, axis_y + 14, body);
}

// ---------------------------------------------------------------------------
// Bars with whiskers

value_label_box value_label_position(value_label_layout layout, double cx, double mark_top, std::string_view text) {
  // Baseline 5 px above the highest mark of the bar (bar top or upper cap,
  // whose 1.5 px stroke reaches 0.75 px above it); glyphs reach 0.8 em above
  // the baseline and 0.25 em below it.
  const double w = text_width(text, value_font);
  value_label_box b;
  b.y = mark_top - 5;
  if (layout == value_label_layout::upright) {
    // rotate(−90) about (x, y): the text runs upwards from the baseline
    // point; its glyphs span [x − 0.8 em, x + 0.25 em] across. Centred on cx.
    b.x = cx + (0.8 - 0.25) / 2 * value_font;
    b.left = b.x - 0.8 * value_font;
    b.right = b.x + 0.25 * value_font;
    b.top = b.y - w;
    b.bottom = b.y;
    return b;
  }
  b.x = cx;
  b.left = cx - w / 2;
  b.right = cx + w / 2;
  b.top = b.y - 0.8 * value_font;
  b.bottom = b.y + 0.25 * value_font;
  return b;
}

std::string render_interval_bars(const interval_chart& c) {
  check_interval_chart(c, "bar chart");
  tick_scale ticks;
  if (!interval_domain(c, true, ticks)) return no_data_chart(c.id, c.title);

  const int d = c.decimals;
  std::string body;
  std::vector<legend_item> items{{symbol::swatch, okabe_ito::sky_blue, "estimate"},
                                 {symbol::whisker, okabe_ito::black, level_text(c.level) + "% interval"}};
  if (std::isfinite(c.reference)) {
    items.push_back({symbol::dashed, muted_colour,
                     c.reference_label + " = " + with_unit(format_fixed(c.reference, d), c.unit)});
  }
  const double legend_y = legend(body, items, 48);

  const double x0 = 64;
  const double x1 = width - margin;
  const auto k = static_cast<double>(c.rows.size());
  const double band = (x1 - x0) / k;
  const double bw = std::min(64.0, 0.6 * band);
  // Value labels stand above the bar and the upper cap of their own whisker,
  // never on a cap: a label lies within its own band (where the only marks
  // are its bar and whisker), upright when it does not fit across the band
  // (the plot then moves down by the longest label); with bands narrower
  // than an upright label there are none (the values are in the tooltips and
  // the table).
  std::vector<std::string> value_labels(c.rows.size());
  double widest = 0;
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    if (!std::isfinite(c.rows[i].value)) continue;
    value_labels[i] = with_unit(format_fixed(c.rows[i].value, d), c.unit);
    widest = std::max(widest, text_width(value_labels[i], value_font));
  }
  const value_label_layout layout = widest + 4 <= band ? value_label_layout::across
                                    : value_font + 2 <= band ? value_label_layout::upright
                                                             : value_label_layout::none;
  const double top = legend_y + 24 + (layout == value_label_layout::upright ? widest + 4 : 0.0);
  // "n = …" under each bar only when every one fits its band (else they
  // would run into each other; n is in the tooltips and the table).
  bool show_n = true;
  for (const auto& r : c.rows) show_n = show_n && text_width("n = " + count_text(r.n), 10) + 4 <= band;
  const double bottom = top + 220;
  const auto max_chars = static_cast<std::size_t>(std::max(3.0, (band - 4) / (0.6 * 11)));
  const auto y_of = [&](double v) { return lerp(v, ticks.lower, ticks.upper, bottom, top); };

  value_axis_y(body, ticks, x0, x1, top, bottom, c.axis_label);
  const double y0 = y_of(0.0);
  if (ticks.lower < 0.0) line_el(body, x0, y0, x1, y0, "class=\"zero\" stroke=\"#888888\"");
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    const auto& r = c.rows[i];
    const double cx = x0 + (static_cast<double>(i) + 0.5) * band;
    text_el(body, cx, bottom + 16, shorten(r.label, max_chars), "class=\"label\" text-anchor=\"middle\"");
    if (show_n) {
      text_el(body, cx, bottom + 30, "n = " + count_text(r.n),
              "class=\"n\" text-anchor=\"middle\" font-size=\"10\" fill=\"#555555\"");
    }
    if (!std::isfinite(r.value)) {
      text_el(body, cx, bottom - 8, "no data",
              "class=\"no-data\" text-anchor=\"middle\" font-style=\"italic\" font-size=\"11\" fill=\"#555555\"");
      continue;
    }
    const std::string tip = row_tip(c, r);
    const double yv = y_of(r.value);
    double label_y = std::min(yv, y0);
    if (r.value != 0.0) {
      mark_el(body, "rect",
              "class=\"mark bar\" x=" + qn(cx - bw / 2) + " y=" + qn(std::min(yv, y0)) + " width=" + qn(bw) +
                  " height=" + qn(std::fabs(y0 - yv)) + " fill=" + q(okabe_ito::sky_blue),
              tip);
    }
    if (has_interval(r)) {
      const double yl = y_of(r.lower);
      const double yh = y_of(r.upper);
      mark_el(body, "path",
              "class=\"mark whisker\" d=\"M" + num(cx) + "," + num(yh) + "V" + num(yl) + "M" + num(cx - 6) + "," +
                  num(yh) + "H" + num(cx + 6) + "M" + num(cx - 6) + "," + num(yl) + "H" + num(cx + 6) +
                  "\" stroke=\"#000000\" stroke-width=\"1.5\" fill=\"none\"",
              tip);
      label_y = std::min(label_y, yh);
    }
    const value_label_box box = value_label_position(layout, cx, label_y, value_labels[i]);
    if (layout == value_label_layout::across) {
      text_el(body, box.x, box.y, value_labels[i],
              "class=\"value\" text-anchor=\"middle\" font-size=\"11\" font-weight=\"bold\"");
    } else if (layout == value_label_layout::upright) {
      text_el(body, box.x, box.y, value_labels[i],
              "class=\"value\" transform=\"rotate(-90 " + num(box.x) + " " + num(box.y) +
                  ")\" font-size=\"11\" font-weight=\"bold\"");
    }
  }
  if (std::isfinite(c.reference)) {
    const double yr = y_of(c.reference);
    body += "<line class=\"ref\" x1=" + qn(x0) + " y1=" + qn(yr) + " x2=" + qn(x1) + " y2=" + qn(yr) +
            " stroke=\"#555555\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"><title>" +
            xml_escape(c.reference_label + ": " + with_unit(format_fixed(c.reference, d + 1), c.unit)) +
            "</title></line>\n";
  }
  double end_y = bottom + 30;
  if (!c.group_label.empty()) {
    end_y = bottom + 48;
    text_el(body, (x0 + x1) / 2, end_y, c.group_label, "class=\"axis-label\" text-anchor=\"middle\"");
  }
  return finish(c.id, c.title, end_y + 12, body);
}

// ---------------------------------------------------------------------------
// Line with interval band

std::string render_band_series(const series_chart& c) {
  check_decimals(c.decimals, "series chart");
  check_level(c.level);
  std::vector<double> all;
  for (const auto& p : c.points) {
    all.push_back(p.value);
    if (std::isfinite(p.lower) && std::isfinite(p.upper)) {
      all.push_back(p.lower);
      all.push_back(p.upper);
    }
  }
  tick_scale ticks;
  if (c.points.empty() || !domain_of(all, false, 6, ticks)) return no_data_chart(c.id, c.title);

  const int d = c.decimals + 1;
  const std::string lvl = level_text(c.level);
  const std::string thin = "fewer than " + count_text(c.thin_below) + " responses";
  std::string body;
  const std::vector<legend_item> items{{symbol::line, okabe_ito::blue, c.metric},
                                       {symbol::hollow_swatch, okabe_ito::sky_blue, lvl + "% interval"},
                                       {symbol::hollow_dot, okabe_ito::orange, thin}};
  const double legend_y = legend(body, items, 48);

  const double x0 = 64;
  const double x1 = width - 20;
  const double top = legend_y + 16;
  const double bottom = top + 240;
  const std::size_t m = c.points.size();
  const double step = (x1 - x0) / static_cast<double>(m);
  const auto x_of = [&](std::size_t i) { return x0 + (static_cast<double>(i) + 0.5) * step; };
  const auto y_of = [&](double v) { return lerp(v, ticks.lower, ticks.upper, bottom, top); };

  value_axis_y(body, ticks, x0, x1, top, bottom, c.axis_label);
  line_el(body, x0, bottom, x1, bottom, "class=\"axis\" stroke=\"#888888\"");

  // Period labels: every stride-th, so that they do not overlap.
  std::size_t longest = 1;
  for (const auto& p : c.points) longest = std::max(longest, code_points(clean_text(p.label)));
  const double label_w = 0.6 * 11 * static_cast<double>(longest) + 10;
  const auto stride = static_cast<std::size_t>(std::max(1.0, std::ceil(label_w / step)));
  for (std::size_t i = 0; i < m; ++i) {
    line_el(body, x_of(i), bottom, x_of(i), bottom + 4, "class=\"tick-mark\" stroke=\"#888888\"");
    if (i % stride == 0) {
      text_el(body, x_of(i), bottom + 16, c.points[i].label,
              "class=\"tick\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555555\"");
    }
  }
  const double end_y = bottom + 36;
  if (!c.x_label.empty()) text_el(body, (x0 + x1) / 2, end_y, c.x_label, "class=\"axis-label\" text-anchor=\"middle\"");

  const series_frame at{x_of, y_of};
  const series_words words{c.metric, c.unit, d, lvl, c.thin_below, thin};
  series_band_and_line(body, c.points, at, words);
  series_point_marks(body, c.points, at, words);
  return finish(c.id, c.title, end_y + 12, body);
}

}  // namespace cxm::report
