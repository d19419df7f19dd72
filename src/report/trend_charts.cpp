// The trend and forecast chart: see include/cxmetrics/report/trend_charts.hpp.
#include "cxmetrics/report/trend_charts.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "report/svg_writer.hpp"
#include "report/text.hpp"

namespace cxm::inline v0_1::report {

using namespace detail;  // NOLINT: the SVG writer's page, text and elements

namespace {

bool finite(double v) { return std::isfinite(v); }

void check_chart(const trend_fan_chart& c) {
  check_decimals(c.decimals, "trend chart");
  check_level(c.level);
  const bool trend = finite(c.trend_slope) && finite(c.trend_intercept);
  const std::size_t slots = std::max(c.points.size(), c.forecast.empty() ? 0 : c.origin + 1 + c.forecast.size());
  if (trend && (c.trend_from > c.trend_to || c.trend_to >= slots)) {
    throw invalid_argument("trend chart: the trend runs from slot " + std::to_string(c.trend_from) + " to " +
                           std::to_string(c.trend_to) + ", outside the " + std::to_string(slots) + " slots");
  }
  if (c.forecast.empty()) return;
  if (c.origin >= c.points.size() || !finite(c.points[c.origin].value)) {
    throw invalid_argument("trend chart: the forecast's origin " + std::to_string(c.origin) +
                           " is not a history point with a value");
  }
  for (std::size_t h = 0; h < c.forecast.size(); ++h) {
    const auto& s = c.forecast[h];
    const bool ok = finite(s.lo95) && finite(s.hi95) && s.lo95 <= s.lo80 && s.lo80 <= s.mean && s.mean <= s.hi80 &&
                    s.hi80 <= s.hi95;
    if (!ok) {
      throw invalid_argument("trend chart: forecast step " + std::to_string(h + 1) +
                             " has bounds that do not nest (lo95 <= lo80 <= mean <= hi80 <= hi95)");
    }
  }
}

}  // namespace

std::string render_trend_fan(const trend_fan_chart& c) {
  check_chart(c);
  const bool trend = finite(c.trend_slope) && finite(c.trend_intercept);
  const bool fan = !c.forecast.empty();
  const std::size_t m = c.points.size();
  const std::size_t slots = std::max(m, fan ? c.origin + 1 + c.forecast.size() : 0);
  const auto trend_at = [&](std::size_t i) { return c.trend_intercept + c.trend_slope * static_cast<double>(i); };

  std::vector<double> all;
  for (const auto& p : c.points) {
    all.push_back(p.value);
    if (finite(p.lower) && finite(p.upper)) {
      all.push_back(p.lower);
      all.push_back(p.upper);
    }
  }
  if (trend) {
    all.push_back(trend_at(c.trend_from));
    all.push_back(trend_at(c.trend_to));
  }
  for (const auto& s : c.forecast) {
    all.push_back(s.lo95);
    all.push_back(s.hi95);
  }
  tick_scale ticks;
  if (slots == 0 || !domain_of(all, false, 6, ticks)) return no_data_chart(c.id, c.title);

  const int d = c.decimals + 1;
  const std::string lvl = level_text(c.level);
  const std::string thin = "fewer than " + count_text(c.thin_below) + " responses";
  std::string body;
  std::vector<legend_item> items{{symbol::line, okabe_ito::blue, c.metric},
                                 {symbol::hollow_swatch, okabe_ito::sky_blue, lvl + "% interval"},
                                 {symbol::hollow_dot, okabe_ito::orange, thin}};
  if (trend) items.push_back({symbol::dashed, okabe_ito::black, c.trend_label});
  if (fan) {
    items.push_back({symbol::dashed, okabe_ito::vermillion, "forecast"});
    items.push_back({symbol::swatch, "#f2b999", "80% prediction interval"});
    items.push_back({symbol::swatch, "#f9dfd0", "95% prediction interval"});
  }
  const double legend_y = legend(body, items, 48);

  const double x0 = 64;
  const double x1 = width - 20;
  const double top = legend_y + 16;
  const double bottom = top + 240;
  const double step = (x1 - x0) / static_cast<double>(slots);
  const auto x_of = [&](std::size_t i) { return x0 + (static_cast<double>(i) + 0.5) * step; };
  const auto y_of = [&](double v) { return lerp(v, ticks.lower, ticks.upper, bottom, top); };
  const auto label_of = [&](std::size_t i) -> const std::string& {
    return i < m ? c.points[i].label : c.forecast[i - c.origin - 1].label;
  };

  value_axis_y(body, ticks, x0, x1, top, bottom, c.axis_label);
  line_el(body, x0, bottom, x1, bottom, "class=\"axis\" stroke=\"#888888\"");
  std::size_t longest = 1;
  for (std::size_t i = 0; i < slots; ++i) longest = std::max(longest, code_points(clean_text(label_of(i))));
  const double label_w = 0.6 * 11 * static_cast<double>(longest) + 10;
  const auto stride = static_cast<std::size_t>(std::max(1.0, std::ceil(label_w / step)));
  for (std::size_t i = 0; i < slots; ++i) {
    line_el(body, x_of(i), bottom, x_of(i), bottom + 4, "class=\"tick-mark\" stroke=\"#888888\"");
    if (i % stride == 0) {
      text_el(body, x_of(i), bottom + 16, label_of(i),
              "class=\"tick\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555555\"");
    }
  }
  const double end_y = bottom + 36;
  if (!c.x_label.empty()) text_el(body, (x0 + x1) / 2, end_y, c.x_label, "class=\"axis-label\" text-anchor=\"middle\"");

  // The fan first, so the history and the trend stay on top of it.
  if (fan) {
    const double ox = x_of(c.origin), oy = y_of(c.points[c.origin].value);
    const auto band = [&](auto lo, auto hi) {
      std::string path = "M" + num(ox) + "," + num(oy);
      for (std::size_t h = 0; h < c.forecast.size(); ++h) {
        path += "L" + num(x_of(c.origin + 1 + h)) + "," + num(y_of(hi(c.forecast[h])));
      }
      for (std::size_t h = c.forecast.size(); h-- > 0;) {
        path += "L" + num(x_of(c.origin + 1 + h)) + "," + num(y_of(lo(c.forecast[h])));
      }
      return path + "Z";
    };
    const std::string span = c.forecast.front().label + " to " + c.forecast.back().label;
    mark_el(body, "path",
            "class=\"mark fan fan95\" d=\"" + band([](const fan_step& s) { return s.lo95; },
                                                   [](const fan_step& s) { return s.hi95; }) +
                "\" fill=\"#f9dfd0\" stroke=\"none\"",
            "95% prediction interval of " + c.metric + ", " + span);
    mark_el(body, "path",
            "class=\"mark fan fan80\" d=\"" + band([](const fan_step& s) { return s.lo80; },
                                                   [](const fan_step& s) { return s.hi80; }) +
                "\" fill=\"#f2b999\" stroke=\"none\"",
            "80% prediction interval of " + c.metric + ", " + span);
  }

  // History: band and line per run, as render_band_series.
  const series_frame at{x_of, y_of};
  const series_words words{c.metric, c.unit, d, lvl, c.thin_below, thin};
  series_band_and_line(body, c.points, at, words);

  if (trend) {
    const std::string path = "M" + num(x_of(c.trend_from)) + "," + num(y_of(trend_at(c.trend_from))) + "L" +
                             num(x_of(c.trend_to)) + "," + num(y_of(trend_at(c.trend_to)));
    std::string tip = c.trend_label + ", " + label_of(c.trend_from) + " " +
                      with_unit(format_fixed(trend_at(c.trend_from), d), c.unit) + " to " + label_of(c.trend_to) + " " +
                      with_unit(format_fixed(trend_at(c.trend_to), d), c.unit);
    if (!c.trend_detail.empty()) tip += "; " + c.trend_detail;
    mark_el(body, "path",
            "class=\"mark trend\" d=\"" + path + "\" fill=\"none\" stroke=" + q(okabe_ito::black) +
                " stroke-width=\"1.5\" stroke-dasharray=\"6 4\"",
            tip);
  }

  if (fan) {
    std::string pts = num(x_of(c.origin)) + "," + num(y_of(c.points[c.origin].value));
    for (std::size_t h = 0; h < c.forecast.size(); ++h) {
      pts += " " + num(x_of(c.origin + 1 + h)) + "," + num(y_of(c.forecast[h].mean));
    }
    std::string tip = "forecast of " + c.metric + " from " + c.points[c.origin].label + ", " + c.forecast.front().label +
                      " to " + c.forecast.back().label;
    if (!c.forecast_detail.empty()) tip += "; " + c.forecast_detail;
    mark_el(body, "polyline",
            "class=\"mark forecast\" points=\"" + pts + "\" fill=\"none\" stroke=" + q(okabe_ito::vermillion) +
                " stroke-width=\"2\" stroke-dasharray=\"5 3\"",
            tip);
  }

  series_point_marks(body, c.points, at, words);
  for (std::size_t h = 0; h < c.forecast.size(); ++h) {
    const auto& s = c.forecast[h];
    const std::string tip = s.label + ": forecast " + with_unit(format_fixed(s.mean, d), c.unit) +
                            ", 80% prediction interval [" + format_fixed(s.lo80, d) + ", " + format_fixed(s.hi80, d) +
                            "], 95% [" + format_fixed(s.lo95, d) + ", " + format_fixed(s.hi95, d) + "] (step " +
                            std::to_string(h + 1) + ")";
    mark_el(body, "circle",
            "class=\"mark step\" cx=" + qn(x_of(c.origin + 1 + h)) + " cy=" + qn(y_of(s.mean)) +
                " r=\"3\" fill=\"#ffffff\" stroke=" + q(okabe_ito::vermillion) + " stroke-width=\"1.5\"",
            tip);
  }
  return finish(c.id, c.title, end_y + 12, body);
}

}  // namespace cxm::report
