// SVG chart of key drivers, importance × performance: see
// include/cxmetrics/report/driver_charts.hpp; drawn with the writer of
// src/report/svg_writer.hpp.
#include "cxmetrics/report/driver_charts.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "report/svg_writer.hpp"
#include "report/text.hpp"

namespace cxm::inline v0_1::report {

using namespace detail;

namespace {

constexpr std::size_t max_label_chars = 24;
constexpr double point_radius = 6.0;

struct box {
  double x0, y0, x1, y1;
  [[nodiscard]] bool overlaps(const box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
  [[nodiscard]] bool inside(const box& o) const { return x0 >= o.x0 && x1 <= o.x1 && y0 >= o.y0 && y1 <= o.y1; }
};

const char* quadrant_colour(drivers::quadrant q) {
  switch (q) {
    case drivers::quadrant::fix_first: return okabe_ito::vermillion;
    case drivers::quadrant::keep_up: return okabe_ito::bluish_green;
    case drivers::quadrant::possible_overkill: return okabe_ito::sky_blue;
    case drivers::quadrant::low_priority: return "#8C8C8C";
  }
  return "#8C8C8C";
}

drivers::quadrant quadrant_of(bool important, bool performing) {
  if (important) return performing ? drivers::quadrant::keep_up : drivers::quadrant::fix_first;
  return performing ? drivers::quadrant::possible_overkill : drivers::quadrant::low_priority;
}

bool finite_pair(double a, double b) { return std::isfinite(a) && std::isfinite(b); }

// "0.123, 95% interval [0.100, 0.150]" (the interval when both ends are finite).
std::string with_interval(double v, double lo, double hi, int d, const std::string& unit, double level) {
  std::string s = with_unit(format_fixed(v, d), unit);
  if (finite_pair(lo, hi)) {
    s += ", " + level_text(level) + "% interval [" + format_fixed(lo, d) + ", " + format_fixed(hi, d) + "]";
  }
  return s;
}

// The split: given, or the median of the finite values.
double split_of(double given, const std::vector<double>& values, const char* name) {
  if (std::isinf(given)) {
    throw invalid_argument(std::string("importance x performance chart: the ") + name + " split is infinite",
                           at_field(std::string(name) + "_split"));
  }
  if (!std::isnan(given)) return given;
  return drivers::median(values);
}

}  // namespace

std::string render_importance_performance(const importance_performance_chart& c) {
  check_decimals(c.importance_decimals, "importance x performance chart");
  check_decimals(c.performance_decimals, "importance x performance chart");
  check_level(c.level);
  std::vector<std::size_t> drawn;
  std::vector<double> imp, perf;
  for (std::size_t i = 0; i < c.points.size(); ++i) {
    const auto& p = c.points[i];
    if (!finite_pair(p.importance, p.performance)) continue;
    drawn.push_back(i);
    imp.push_back(p.importance);
    perf.push_back(p.performance);
  }
  if (drawn.empty()) {
    // Still check the splits, so that a bad one is an error with or without points.
    if (std::isinf(c.importance_split) || std::isinf(c.performance_split)) {
      (void)split_of(c.importance_split, {0.0}, "importance");
      (void)split_of(c.performance_split, {0.0}, "performance");
    }
    return no_data_chart(c.id, c.title);
  }
  const double imp_split = split_of(c.importance_split, imp, "importance");
  const double perf_split = split_of(c.performance_split, perf, "performance");

  // Domains: values, intervals and the split; importance from 0.
  std::vector<double> xs = perf, ys = imp;
  xs.push_back(perf_split);
  ys.push_back(imp_split);
  for (const std::size_t i : drawn) {
    const auto& p = c.points[i];
    if (finite_pair(p.performance_lower, p.performance_upper)) {
      xs.push_back(p.performance_lower);
      xs.push_back(p.performance_upper);
    }
    if (finite_pair(p.importance_lower, p.importance_upper)) {
      ys.push_back(p.importance_lower);
      ys.push_back(p.importance_upper);
    }
  }
  tick_scale tx, ty;
  domain_of(xs, false, 6, tx);
  domain_of(ys, true, 6, ty);

  const std::string lvl = level_text(c.level);
  std::string body;
  constexpr std::array<drivers::quadrant, 4> order{drivers::quadrant::fix_first, drivers::quadrant::keep_up,
                                                   drivers::quadrant::possible_overkill,
                                                   drivers::quadrant::low_priority};
  std::vector<legend_item> items;
  for (const auto q : order) items.push_back({symbol::dot, quadrant_colour(q), quadrant_name(q)});
  items.push_back({symbol::whisker, okabe_ito::black, lvl + "% interval"});
  items.push_back({symbol::dashed, muted_colour, "split: median over the drivers"});
  const double legend_y = legend(body, items, 48);

  const double x0 = margin + 62;
  const double x1 = width - margin - 8;
  const double top = legend_y + 18;
  const double bottom = top + 380;
  const auto x_of = [&](double v) { return lerp(v, tx.lower, tx.upper, x0, x1); };
  const auto y_of = [&](double v) { return lerp(v, ty.lower, ty.upper, bottom, top); };
  const double xs_split = x_of(perf_split);
  const double ys_split = y_of(imp_split);

  // The fix-first quadrant, lightly tinted, under everything else.
  body += "<rect class=\"quadrant fix_first\" x=" + qn(x0) + " y=" + qn(top) + " width=" + qn(xs_split - x0) +
          " height=" + qn(ys_split - top) + " fill=" + q(okabe_ito::vermillion) + " fill-opacity=\"0.07\"/>\n";
  value_axis_y(body, ty, x0, x1, top, bottom, c.importance_label);
  const double axis_y = value_axis_x(body, tx, x0, x1, top, bottom, c.performance_label);

  // Quadrant names in the plot's corners.
  const auto name_at = [&](double x, double y, const char* anchor, drivers::quadrant qd) {
    text_el(body, x, y, quadrant_name(qd),
            std::string("class=\"quadrant-name\" text-anchor=\"") + anchor +
                "\" font-size=\"13\" font-weight=\"bold\" font-style=\"italic\" fill=\"" + muted_colour + "\"");
  };
  name_at(x0 + 8, top + 18, "start", drivers::quadrant::fix_first);
  name_at(x1 - 8, top + 18, "end", drivers::quadrant::keep_up);
  name_at(x1 - 8, bottom - 10, "end", drivers::quadrant::possible_overkill);
  name_at(x0 + 8, bottom - 10, "start", drivers::quadrant::low_priority);
  std::vector<box> taken{{x0 + 4, top + 4, x0 + 12 + text_width("fix first", 13), top + 22},
                         {x1 - 12 - text_width("keep up", 13), top + 4, x1 - 4, top + 22},
                         {x1 - 12 - text_width("possible overkill", 13), bottom - 24, x1 - 4, bottom - 6},
                         {x0 + 4, bottom - 24, x0 + 12 + text_width("low priority", 13), bottom - 6}};

  // The splits.
  body += "<line class=\"split performance\" x1=" + qn(xs_split) + " y1=" + qn(top) + " x2=" + qn(xs_split) +
          " y2=" + qn(bottom) + " stroke=\"#555555\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"><title>" +
          xml_escape("performance split: " + c.performance_name + " " +
                     with_unit(format_fixed(perf_split, c.performance_decimals + 1), c.performance_unit)) +
          "</title></line>\n";
  body += "<line class=\"split importance\" x1=" + qn(x0) + " y1=" + qn(ys_split) + " x2=" + qn(x1) +
          " y2=" + qn(ys_split) + " stroke=\"#555555\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"><title>" +
          xml_escape("importance split: " + c.importance_name + " " +
                     format_fixed(imp_split, c.importance_decimals + 1)) +
          "</title></line>\n";

  // Whiskers first, points over them, labels last.
  struct placed {
    std::size_t i;
    double x, y;
    drivers::quadrant qd;
    std::string tip;
  };
  std::vector<placed> pts;
  for (const std::size_t i : drawn) {
    const auto& p = c.points[i];
    const drivers::quadrant qd = quadrant_of(p.importance >= imp_split, p.performance >= perf_split);
    std::string tip = p.label + ": " + c.importance_name + " " +
                      with_interval(p.importance, p.importance_lower, p.importance_upper, c.importance_decimals, "",
                                    c.level) +
                      "; " + c.performance_name + " " +
                      with_interval(p.performance, p.performance_lower, p.performance_upper,
                                    c.performance_decimals, c.performance_unit, c.level) +
                      "; " + quadrant_name(qd) + "; n = " + count_text(p.n);
    if (!p.detail.empty()) tip += "; " + p.detail;
    pts.push_back({i, x_of(p.performance), y_of(p.importance), qd, std::move(tip)});
  }
  for (const auto& pt : pts) {
    const auto& p = c.points[pt.i];
    if (finite_pair(p.performance_lower, p.performance_upper)) {
      const double xl = x_of(p.performance_lower);
      const double xh = x_of(p.performance_upper);
      mark_el(body, "path",
              "class=\"mark whisker performance\" d=\"M" + num(xl) + "," + num(pt.y) + "H" + num(xh) + "M" + num(xl) +
                  "," + num(pt.y - 4) + "V" + num(pt.y + 4) + "M" + num(xh) + "," + num(pt.y - 4) + "V" +
                  num(pt.y + 4) + "\" stroke=\"#000000\" stroke-width=\"1.25\" fill=\"none\"",
              pt.tip);
    }
    if (finite_pair(p.importance_lower, p.importance_upper)) {
      const double yl = y_of(p.importance_lower);
      const double yh = y_of(p.importance_upper);
      mark_el(body, "path",
              "class=\"mark whisker importance\" d=\"M" + num(pt.x) + "," + num(yl) + "V" + num(yh) + "M" +
                  num(pt.x - 4) + "," + num(yl) + "H" + num(pt.x + 4) + "M" + num(pt.x - 4) + "," + num(yh) + "H" +
                  num(pt.x + 4) + "\" stroke=\"#000000\" stroke-width=\"1.25\" fill=\"none\"",
              pt.tip);
    }
  }
  // What a label must not cover: the points, the whiskers, the corner names.
  for (const auto& pt : pts) {
    const auto& p = c.points[pt.i];
    if (finite_pair(p.performance_lower, p.performance_upper)) {
      taken.push_back({x_of(p.performance_lower), pt.y - 4, x_of(p.performance_upper), pt.y + 4});
    }
    if (finite_pair(p.importance_lower, p.importance_upper)) {
      taken.push_back({pt.x - 4, y_of(p.importance_upper), pt.x + 4, y_of(p.importance_lower)});
    }
  }
  const std::size_t own_start = taken.size();  // taken[own_start + k]: point k's circle
  for (const auto& pt : pts) {
    mark_el(body, "circle",
            std::string("class=\"mark point ") + drivers::to_string(pt.qd) + "\" cx=" + qn(pt.x) + " cy=" + qn(pt.y) +
                " r=" + qn(point_radius) + " fill=" + q(quadrant_colour(pt.qd)) +
                " stroke=\"#000000\" stroke-width=\"1\"",
            pt.tip);
    taken.push_back({pt.x - point_radius, pt.y - point_radius, pt.x + point_radius, pt.y + point_radius});
  }
  // Labels, the most important driver first: the first place around the
  // point that overlaps nothing taken and lies in the plot (else the first
  // place); a white halo keeps a label legible over grid and split lines.
  std::vector<std::size_t> by_importance(pts.size());
  for (std::size_t k = 0; k < pts.size(); ++k) by_importance[k] = k;
  std::stable_sort(by_importance.begin(), by_importance.end(), [&](std::size_t a, std::size_t b) {
    return c.points[pts[a].i].importance > c.points[pts[b].i].importance;
  });
  const box plot{x0, top, x1, bottom};
  for (const std::size_t k : by_importance) {
    const auto& pt = pts[k];
    const std::string text = shorten(c.points[pt.i].label, max_label_chars);
    const double w = text_width(text, 12);
    const double h = 14;
    const double gap = point_radius + 3;
    struct candidate {
      double x, y;  // the text's anchor point and baseline
      const char* anchor;
      box b;
    };
    const auto at = [&](double left, double top_y) {
      return candidate{left, top_y + h - 3, "start", {left, top_y, left + w, top_y + h}};
    };
    const std::array<candidate, 8> cand{{
        at(pt.x + gap, pt.y - gap - h),      // above right
        at(pt.x + gap, pt.y + gap),          // below right
        at(pt.x - gap - w, pt.y - gap - h),  // above left
        at(pt.x - gap - w, pt.y + gap),      // below left
        at(pt.x - w / 2, pt.y - gap - h - 6),  // above
        at(pt.x - w / 2, pt.y + gap + 6),      // below
        at(pt.x + gap + 40, pt.y - h / 2),     // right, past a short whisker
        at(pt.x - gap - 40 - w, pt.y - h / 2),  // left
    }};
    std::size_t chosen = 0;
    for (std::size_t j = 0; j < cand.size(); ++j) {
      bool free = cand[j].b.inside(plot);
      for (std::size_t t = 0; free && t < taken.size(); ++t) {
        free = t == own_start + k || !cand[j].b.overlaps(taken[t]);
      }
      if (free) {
        chosen = j;
        break;
      }
    }
    taken.push_back(cand[chosen].b);
    text_el(body, cand[chosen].x, cand[chosen].y, text,
            std::string("class=\"label point-label\" text-anchor=\"") + cand[chosen].anchor +
                "\" font-weight=\"bold\" paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"3\" "
                "stroke-linejoin=\"round\" pointer-events=\"none\"");
  }
  return finish(c.id, c.title, axis_y + 14, body);
}

}  // namespace cxm::report
