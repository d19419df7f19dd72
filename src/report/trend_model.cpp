// The trend section built from a table of responses: see
// include/cxmetrics/report/trend_section.hpp.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/period.hpp"
#include "cxmetrics/engine/grouped.hpp"
#include "cxmetrics/engine/key_extractor.hpp"
#include "cxmetrics/engine/response_view.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/metrics/score_metric.hpp"
#include "cxmetrics/report/svg_primitives.hpp"
#include "cxmetrics/report/trend_section.hpp"
#include "cxmetrics/series/change.hpp"
#include "cxmetrics/series/forecast.hpp"
#include "cxmetrics/series/series.hpp"
#include "cxmetrics/series/trend.hpp"
#include "report/svg_writer.hpp"

namespace cxm::inline v0_1::report {
namespace {

/// NPS answers per period of `bucket`: {index: counts}, periods with answers only.
std::map<std::int32_t, score_counts> nps_by_period(const response_table& t, bool weighted, time_bucket bucket,
                                                   std::chrono::seconds offset) {
  response_view v = view_of(t);
  if (!weighted) v.values.weights = {};
  group_by<score_histogram, by_period> g(score_histogram(t.nps_scale()), by_period(bucket, offset));
  g.feed(v);
  std::map<std::int32_t, score_counts> out;
  for (const auto& [key, h] : g.groups()) {
    const period& p = std::get<0>(key);
    if (h.get().count() == 0 || !p.has_time()) continue;
    out.emplace(p.index, h.get().counts());
  }
  return out;
}

std::string period_name(time_bucket b) { return b == time_bucket::iso_week ? "week" : to_string(b); }

}  // namespace

std::optional<trend_section> build_trend_section(const response_table& t, const trend_options& o, double level,
                                                 bool weighted, std::chrono::seconds utc_offset,
                                                 std::uint64_t thin_below, std::string* why) {
  check_level(level);
  check_utc_offset(utc_offset);
  const auto say = [&](std::string s) {
    if (why != nullptr) *why = std::move(s);
    return std::nullopt;
  };
  // The period: the one given, or the first of month, quarter, year and ISO
  // week whose span from the first to the last answer lies within
  // [min_periods, max_periods].
  const auto span_of = [](const std::map<std::int32_t, score_counts>& c) {
    return c.empty() ? std::int64_t{0} : std::int64_t{c.rbegin()->first} - c.begin()->first + 1;
  };
  const auto fits = [&](std::int64_t span) {
    return span >= static_cast<std::int64_t>(o.min_periods) &&
           (o.period || span <= static_cast<std::int64_t>(o.max_periods));
  };
  time_bucket bucket = o.period.value_or(time_bucket::month);
  auto counts = nps_by_period(t, weighted, bucket, utc_offset);
  if (counts.empty()) return say("No trend section: no NPS answer has a time.");
  const std::int64_t month_span = o.period ? 0 : span_of(counts);
  if (!o.period && !fits(month_span)) {
    bool found = false;
    for (const auto b : {time_bucket::quarter, time_bucket::year, time_bucket::iso_week}) {
      auto c = nps_by_period(t, weighted, b, utc_offset);
      if (fits(span_of(c))) {
        bucket = b;
        counts = std::move(c);
        found = true;
        break;
      }
    }
    if (!found) {
      return say("No trend section: the NPS answers span " + std::to_string(month_span) + " month" +
                 (month_span == 1 ? "" : "s") + "; no period of month, quarter, year or week gives between " +
                 std::to_string(o.min_periods) + " and " + std::to_string(o.max_periods) + " periods.");
    }
  }
  const std::int32_t first = counts.begin()->first, last = counts.rbegin()->first;
  const std::int64_t span = span_of(counts);
  if (!fits(span)) {
    return say("No trend section: the NPS answers span " + std::to_string(span) + " " + period_name(bucket) +
               (span == 1 ? "" : "s") + "; the trend and forecast need at least " + std::to_string(o.min_periods) + ".");
  }

  trend_section s;
  s.period = period_name(bucket);
  s.title = "NPS trend and forecast by " + s.period;
  s.thin_below = thin_below;
  const std::string lvl = format_level(level);
  nps_options no;
  no.level = level;
  std::vector<cxm::series_point> pts;
  for (std::int64_t i = first; i <= last; ++i) {
    const period at{bucket, static_cast<std::int32_t>(i)};
    cxm::series_point p;
    p.at = at;
    const auto it = counts.find(at.index);
    p.empty = it == counts.end();
    p.value = p.empty ? estimate::no_data() : compute_nps(it->second, no).nps;
    p.thin = p.empty || !p.value.ok() || p.value.n() < thin_below;
    s.points.push_back({to_string(at), p.value, p.thin});
    pts.push_back(std::move(p));
  }

  // Trend over the ok periods; slot i is period first + i.
  const auto obs = trend_data(pts);
  wls_options wo;
  wo.level = level;
  const auto wls = fit_wls_trend(obs, wo);
  s.slope = wls.slope;
  s.p_value = wls.p_value;
  s.trend_points = wls.points;
  if (std::isfinite(wls.intercept) && wls.slope.has_value()) {
    s.intercept = wls.intercept + wls.slope.value() * static_cast<double>(first);
    s.trend_from = static_cast<std::size_t>(obs.front().t - first);
    s.trend_to = static_cast<std::size_t>(obs.back().t - first);
  }
  const auto ts = theil_sen_trend(obs, level);
  s.theil_sen = ts.slope;
  s.mann_kendall_p = ts.test.p_value;
  const auto signal = [&](const auto& chart, std::string& at, std::string& direction) {
    if (!chart.first_signal) return;
    at = to_string(period{bucket, static_cast<std::int32_t>(chart.points[*chart.first_signal].t)});
    direction = to_string(chart.direction);
  };
  signal(ewma_chart(obs), s.ewma_signal, s.ewma_direction);
  signal(cusum_chart(obs), s.cusum_signal, s.cusum_direction);

  // The forecast: the last unbroken run of ok periods.
  std::size_t end = pts.size();
  while (end > 0 && pts[end - 1].thin) --end;
  std::size_t begin = end;
  while (begin > 0 && !pts[begin - 1].thin) --begin;
  s.fitted_points = end - begin;
  if (o.horizon > 0) {
    if (end - begin < o.min_forecast_points) {
      s.forecast_note = "No forecast: " +
                        (end == begin       ? std::string("no ok ") + s.period
                         : end - begin == 1 ? "only 1 ok " + s.period + " in a row (" + to_string(pts[begin].at) + ")"
                                            : "only " + std::to_string(end - begin) + " ok " + s.period + "s in a row (" +
                                                  to_string(pts[begin].at) + " to " + to_string(pts[end - 1].at) + ")") +
                        "; a forecast needs at least " + std::to_string(o.min_forecast_points) +
                        " (empty and thin periods break the run).";
    } else {
      std::vector<double> y;
      for (std::size_t i = begin; i < end; ++i) y.push_back(pts[i].value.value());
      forecasting::forecast_options fo;
      fo.horizon = o.horizon;
      fo.period = season_length(bucket);
      fo.bounds = forecasting::value_bounds{-100.0, 100.0};
      try {
        const auto fc = forecasting::forecast_series(y, fo);
        s.model = fc.model.spec.name();
        s.fitted_from = begin;
        s.forecast_origin = end - 1;
        for (std::size_t h = 0; h < fc.points.size(); ++h) {
          const auto& p = fc.points[h];
          const period at{bucket, static_cast<std::int32_t>(pts[end - 1].at.index + static_cast<std::int32_t>(h) + 1)};
          s.forecast.push_back({to_string(at), p.mean, p.lo80, p.hi80, p.lo95, p.hi95});
        }
        if (end < pts.size()) {
          s.forecast_note = "The last " + std::to_string(pts.size() - end) + " " + s.period +
                            (pts.size() - end == 1 ? " is" : "s are") + " thin or empty: the forecast starts after " +
                            to_string(pts[end - 1].at) + ", the last ok " + s.period + ".";
        }
      } catch (const invalid_argument& e) {
        s.forecast_note = "No forecast: the " + std::to_string(end - begin) + " ok " + s.period +
                          "s cannot be fitted (" + e.reason() + ").";
      }
    }
  }

  s.method = "NPS in points with " + lvl + "% adjusted Wald interval (Rocks 2016) per " + s.period + (o.period ? "" : " (chosen by the span of the data)") +
             ", " + s.period + "s with fewer than " + std::to_string(thin_below) +
             " answers thin; trend: weighted least squares with weights 1/SE\xC2\xB2 over the ok " + s.period +
             "s, and Theil-Sen with the Mann-Kendall test; change alerts: EWMA (lambda 0.2, L 3) and CUSUM (k 0.5, "
             "h 5) in SE units; forecast: the exponential-smoothing model of least AICc on the log-odds of the NPS "
             "within -100..100 (so the fan stays inside), fitted on the last unbroken run of ok " + s.period +
             "s, with 80% and 95% prediction intervals";
  if (utc_offset.count() != 0) s.method += "; periods at UTC" + format_utc_offset(utc_offset);
  return s;
}

trend_fan_chart trend_chart(const trend_section& s, double level) {
  trend_fan_chart c;
  c.id = s.id;
  c.title = s.title;
  c.axis_label = "NPS (points)";
  c.x_label = s.period;
  c.metric = "NPS";
  c.decimals = 1;
  c.level = level;
  c.thin_below = s.thin_below;
  c.points = detail::series_points_of(s.points);
  if (s.slope.has_value() && std::isfinite(s.intercept)) {
    c.trend_intercept = s.intercept;
    c.trend_slope = s.slope.value();
    c.trend_from = s.trend_from;
    c.trend_to = s.trend_to;
    c.trend_label = "WLS trend";
    c.trend_detail = "slope " + format_fixed(s.slope.value(), 2) + " points per " + s.period +
                     (std::isfinite(s.p_value) ? ", p = " + format_fixed(s.p_value, 4) : std::string()) + ", " +
                     std::to_string(s.trend_points) + " ok " + s.period + "s";
  }
  c.origin = s.forecast_origin;
  c.forecast = s.forecast;
  if (!s.forecast.empty()) {
    c.forecast_detail = "ETS " + s.model + " on " + std::to_string(s.fitted_points) + " " + s.period + "s";
  }
  return c;
}

}  // namespace cxm::report
