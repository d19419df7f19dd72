// The SVG writer of the report's charts (src/report/svg_writer.hpp).
#include "report/svg_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <utility>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "report/text.hpp"

namespace cxm::inline v0_1::report::detail {

// ---------------------------------------------------------------------------
// Text

// Width of a text in a sans-serif face at `size` px: 0.6 em per code point,
// a slight overestimate for Latin text (deterministic, no font metrics).
double text_width(std::string_view text, double size) {
  return 0.6 * size * static_cast<double>(code_points(clean_text(text)));
}

// A coordinate: at most two decimals, trailing zeros removed.
std::string num(double v) {
  std::string s = format_fixed(v, 2);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

std::string with_unit(const std::string& value, const std::string& unit) {
  if (unit.empty()) return value;
  if (unit == "%") return value + "%";
  return value + " " + unit;
}

// Signed difference: "+3.21", "-0.50", "0.00".
std::string signed_text(double v, int decimals) {
  std::string s = format_fixed(v, decimals);
  if (!s.empty() && s[0] != '-' && s.find_first_of("123456789") != std::string::npos) s.insert(s.begin(), '+');
  return s;
}

std::string p_text(double p) {
  if (p < 0.0001) return "< 0.0001";
  return format_fixed(p, 4);
}

void check_decimals(int decimals, const char* chart) {
  if (decimals < 0 || decimals > 10) {
    throw invalid_argument(std::string(chart) + ": decimals must be in 0..10, got " + std::to_string(decimals),
                           at_field("decimals"));
  }
}

// ---------------------------------------------------------------------------
// Document assembly

// An attribute value: escaped text in double quotes.
std::string q(std::string_view v) { return "\"" + xml_escape(v) + "\""; }
std::string qn(double v) { return "\"" + num(v) + "\""; }

// <text> with escaped content; `extra` holds further attributes (already safe).
void text_el(std::string& out, double x, double y, std::string_view content, std::string_view extra) {
  out += "<text x=" + qn(x) + " y=" + qn(y);
  if (!extra.empty()) {
    out += ' ';
    out += extra;
  }
  out += '>';
  out += xml_escape(content);
  out += "</text>\n";
}

void line_el(std::string& out, double x1, double y1, double x2, double y2, std::string_view extra) {
  out += "<line x1=" + qn(x1) + " y1=" + qn(y1) + " x2=" + qn(x2) + " y2=" + qn(y2) + " " + std::string(extra) +
         "/>\n";
}

// Opening of a mark element whose <title> follows: `<tag attrs><title>tip</title></tag>`.
void mark_el(std::string& out, std::string_view tag, std::string_view attrs, std::string_view tip) {
  out += '<';
  out += tag;
  out += ' ';
  out += attrs;
  out += "><title>";
  out += xml_escape(tip);
  out += "</title></";
  out += tag;
  out += ">\n";
}

std::string finish(const std::string& id, const std::string& title, double height, const std::string& body) {
  std::string out;
  out.reserve(body.size() + 512);
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + num(width) + " " + num(height) +
         "\" width=" + qn(width) + " height=" + qn(height) + " role=\"img\" aria-label=" + q(title);
  if (!id.empty()) out += " data-chart=" + q(id);
  out += " font-family=" + q(font_stack) + " font-size=\"12\" fill=" + q(text_colour) + ">\n";
  out += "<title>" + xml_escape(title) + "</title>\n";
  out += "<rect class=\"bg\" x=\"0\" y=\"0\" width=" + qn(width) + " height=" + qn(height) + " fill=\"#ffffff\"/>\n";
  text_el(out, margin, 24, title, "class=\"chart-title\" font-size=\"15\" font-weight=\"bold\"");
  out += body;
  out += "</svg>\n";
  return out;
}

// Draws the legend starting at baseline y; returns the baseline after it.
double legend(std::string& out, const std::vector<legend_item>& items, double y) {
  if (items.empty()) return y - 20;
  double x = margin;
  for (const auto& it : items) {
    const double w = 18 + 6 + text_width(it.label, 12) + 18;
    if (x > margin && x + w > width - margin) {
      x = margin;
      y += 20;
    }
    const double cy = y - 4;
    const std::string c = q(it.colour);
    out += "<g class=\"legend\">";
    switch (it.sym) {
      case symbol::swatch:
        out += "<rect x=" + qn(x) + " y=" + qn(cy - 6) + " width=\"18\" height=\"12\" fill=" + c + "/>";
        break;
      case symbol::hollow_swatch:
        out += "<rect x=" + qn(x) + " y=" + qn(cy - 6) + " width=\"18\" height=\"12\" fill=" + c +
               " fill-opacity=\"0.35\"/>";
        break;
      case symbol::line:
        out += "<line x1=" + qn(x) + " y1=" + qn(cy) + " x2=" + qn(x + 18) + " y2=" + qn(cy) + " stroke=" + c +
               " stroke-width=\"2\"/>";
        break;
      case symbol::dashed:
        out += "<line x1=" + qn(x) + " y1=" + qn(cy) + " x2=" + qn(x + 18) + " y2=" + qn(cy) + " stroke=" + c +
               " stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>";
        break;
      case symbol::dot:
        out += "<circle cx=" + qn(x + 9) + " cy=" + qn(cy) + " r=\"4.5\" fill=" + c + "/>";
        break;
      case symbol::hollow_dot:
        out += "<circle cx=" + qn(x + 9) + " cy=" + qn(cy) + " r=\"4.5\" fill=\"#ffffff\" stroke=" + c +
               " stroke-width=\"2\"/>";
        break;
      case symbol::whisker:
        out += "<path d=\"M" + num(x + 1) + "," + num(cy) + "H" + num(x + 17) + "M" + num(x + 1) + "," + num(cy - 5) +
               "V" + num(cy + 5) + "M" + num(x + 17) + "," + num(cy - 5) + "V" + num(cy + 5) + "\" stroke=" + c +
               " stroke-width=\"1.5\" fill=\"none\"/>";
        break;
      case symbol::up:
        out += "<path d=\"M" + num(x + 9) + "," + num(cy - 6) + "L" + num(x + 15) + "," + num(cy + 5) + "L" +
               num(x + 3) + "," + num(cy + 5) + "Z\" fill=" + c + "/>";
        break;
      case symbol::down:
        out += "<path d=\"M" + num(x + 9) + "," + num(cy + 6) + "L" + num(x + 15) + "," + num(cy - 5) + "L" +
               num(x + 3) + "," + num(cy - 5) + "Z\" fill=" + c + "/>";
        break;
      case symbol::empty_box:
        out += "<rect x=" + qn(x + 0.5) + " y=" + qn(cy - 5.5) + " width=\"17\" height=\"11\" fill=\"#ffffff\" stroke=" + c +
               " stroke-dasharray=\"3 2\"/>";
        break;
      case symbol::hatched:
        out += "<rect x=" + qn(x) + " y=" + qn(cy - 6) + " width=\"18\" height=\"12\" fill=" + c + "/>";
        hatch_el(out, x, cy - 6, 18, 12, 4);
        break;
    }
    out += "<text x=" + qn(x + 24) + " y=" + qn(y) + ">" + xml_escape(it.label) + "</text></g>\n";
    x += w;
  }
  return y;
}

void hatch_el(std::string& out, double x, double y, double w, double h, double step) {
  // Lines (x − x0) + (y − y0) = s for s = step, 2·step, … < w + h, each cut
  // to the rectangle: from its lower-left end to its upper-right end.
  std::string d;
  for (double s = step; s < w + h; s += step) {
    d += "M" + num(x + std::max(0.0, s - h)) + "," + num(y + std::min(s, h)) + "L" + num(x + std::min(s, w)) + "," +
         num(y + std::max(0.0, s - w));
  }
  out += "<path class=\"hatch\" d=\"" + d + "\" stroke=\"#555555\" stroke-width=\"1\" stroke-opacity=\"0.7\" fill=\"none\" "
         "pointer-events=\"none\"/>";
}

namespace {

// A gridline from (x1, y1) to (x2, y2) and its tick's label at (tx, ty).
void grid_tick(std::string& out, double x1, double y1, double x2, double y2, double tx, double ty,
               const std::string& text, const char* anchor) {
  line_el(out, x1, y1, x2, y2, "class=\"grid\" stroke=\"" + std::string(grid_colour) + "\"");
  text_el(out, tx, ty, text,
          std::string("class=\"tick\" text-anchor=\"") + anchor + "\" font-size=\"11\" fill=\"" + muted_colour + "\"");
}

void axis_line(std::string& out, double x1, double y1, double x2, double y2) {
  line_el(out, x1, y1, x2, y2, "class=\"axis\" stroke=\"" + std::string(axis_colour) + "\"");
}

}  // namespace

double value_axis_x(std::string& out, const tick_scale& t, double x0, double x1, double top, double bottom,
                    const std::string& label) {
  for (double v : t.ticks) {
    const double x = lerp(v, t.lower, t.upper, x0, x1);
    grid_tick(out, x, top, x, bottom, x, bottom + 16, format_fixed(v, t.decimals), "middle");
  }
  axis_line(out, x0, bottom, x1, bottom);
  const double y = bottom + 34;
  if (!label.empty()) text_el(out, (x0 + x1) / 2, y, label, "class=\"axis-label\" text-anchor=\"middle\"");
  return y;
}

void value_axis_y(std::string& out, const tick_scale& t, double x0, double x1, double top, double bottom,
                  const std::string& label) {
  for (double v : t.ticks) {
    const double y = lerp(v, t.lower, t.upper, bottom, top);
    grid_tick(out, x0, y, x1, y, x0 - 6, y + 4, format_fixed(v, t.decimals), "end");
  }
  axis_line(out, x0, top, x0, bottom);
  if (!label.empty()) {
    text_el(out, -(top + bottom) / 2, 18, label,
            "class=\"axis-label\" transform=\"rotate(-90)\" text-anchor=\"middle\"");
  }
}

// Nice ticks over the finite values in `v` (and 0 when `with_zero`); false
// when there is none.
bool domain_of(const std::vector<double>& v, bool with_zero, int target, tick_scale& out) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (double x : v) {
    if (!std::isfinite(x)) continue;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  if (!(lo <= hi)) return false;
  if (with_zero) {
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
  }
  out = nice_ticks(lo, hi, target);
  return true;
}

std::string no_data_chart(const std::string& id, const std::string& title) {
  std::string body;
  text_el(body, width / 2, 70, "no data", "class=\"no-data\" text-anchor=\"middle\" fill=\"#555555\"");
  return finish(id, title, 96, body);
}

void series_band_and_line(std::string& out, std::span<const series_point> points, const series_frame& at,
                          const series_words& w) {
  const std::size_t m = points.size();
  const auto has_ci = [&](std::size_t i) { return std::isfinite(points[i].lower) && std::isfinite(points[i].upper); };
  const auto has_value = [&](std::size_t i) { return std::isfinite(points[i].value); };
  // Runs [first, last] of consecutive points that satisfy pred.
  const auto runs = [&](auto pred) {
    std::vector<std::pair<std::size_t, std::size_t>> found;
    for (std::size_t i = 0; i < m;) {
      if (!pred(i)) {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j + 1 < m && pred(j + 1)) ++j;
      found.emplace_back(i, j);
      i = j + 1;
    }
    return found;
  };
  for (const auto& [a, b] : runs(has_ci)) {
    std::string path;
    if (a == b) {
      const double x = at.x(a);
      path = "M" + num(x - 4) + "," + num(at.y(points[a].upper)) + "H" + num(x + 4) + "V" +
             num(at.y(points[a].lower)) + "H" + num(x - 4) + "Z";
    } else {
      for (std::size_t i = a; i <= b; ++i) {
        path += (i == a ? "M" : "L") + num(at.x(i)) + "," + num(at.y(points[i].upper));
      }
      for (std::size_t i = b + 1; i-- > a;) path += "L" + num(at.x(i)) + "," + num(at.y(points[i].lower));
      path += "Z";
    }
    const std::string span = a == b ? points[a].label : points[a].label + " to " + points[b].label;
    mark_el(out, "path",
            "class=\"mark band\" d=\"" + path + "\" fill=" + q(okabe_ito::sky_blue) +
                " fill-opacity=\"0.35\" stroke=\"none\"",
            w.level + "% interval of " + w.metric + ", " + span);
  }
  for (const auto& [a, b] : runs(has_value)) {
    if (a == b) continue;
    std::string pts;
    for (std::size_t i = a; i <= b; ++i) {
      if (i > a) pts += ' ';
      pts += num(at.x(i)) + "," + num(at.y(points[i].value));
    }
    mark_el(out, "polyline",
            "class=\"mark line\" points=\"" + pts + "\" fill=\"none\" stroke=" + q(okabe_ito::blue) +
                " stroke-width=\"2\" stroke-linejoin=\"round\"",
            w.metric + ", " + points[a].label + " to " + points[b].label);
  }
}

void series_point_marks(std::string& out, std::span<const series_point> points, const series_frame& at,
                        const series_words& w) {
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    if (!std::isfinite(p.value)) continue;
    std::string tip = p.label + ": " + w.metric + " " + with_unit(format_fixed(p.value, w.decimals), w.unit);
    if (std::isfinite(p.lower) && std::isfinite(p.upper)) {
      tip += ", " + w.level + "% interval [" + format_fixed(p.lower, w.decimals) + ", " +
             format_fixed(p.upper, w.decimals) + "]";
    }
    tip += ", n = " + count_text(p.n);
    const bool is_thin = p.n < w.thin_below;
    if (is_thin) tip += " (thin: " + w.thin + ")";
    const std::string pos = "cx=" + qn(at.x(i)) + " cy=" + qn(at.y(p.value));
    if (is_thin) {
      mark_el(out, "circle",
              "class=\"mark point thin\" " + pos + " r=\"4.5\" fill=\"#ffffff\" stroke=" + q(okabe_ito::orange) +
                  " stroke-width=\"2\"",
              tip);
    } else {
      mark_el(out, "circle",
              "class=\"mark point\" " + pos + " r=\"3.5\" fill=" + q(okabe_ito::blue) +
                  " stroke=\"#ffffff\" stroke-width=\"1\"",
              tip);
    }
  }
}

}  // namespace cxm::report::detail
