// nps_trend: monthly NPS by channel with intervals, its trend, the change
// alert and a 6-month forecast with 80 % and 95 % prediction intervals, and
// an SVG chart of the whole sample's series, band, trend and forecast fan.
//
//   nps_trend FILE.csv OUT.svg [--min-n N] [--horizon H]
//
// The responses are put into one cxm::series<nps_accumulator> per channel
// (and one for all of them) by month in UTC: each point is the month's NPS
// with its adjusted Wald interval and n, months with fewer than --min-n
// answers (default 30) are thin. Over the ok months:
//   trend   weighted least squares with weights 1/SE² (slope per month, its
//           interval and p-value; series/trend.hpp);
//   alert   the first month an EWMA or a CUSUM chart signals a shift, and
//           its direction, or "none" (series/change.hpp);
//   forecast the ETS model of least AICc on the log-odds of the NPS within
//           -100..100 (forecasting::forecast_series, series/forecast.hpp),
//           fitted on the last unbroken run of ok months (thin and empty
//           months break a run: exponential smoothing needs evenly spaced
//           values); a run of fewer than 6 months gives no forecast — the
//           program says why. The same rules as `cxm trend --horizon`.
// The chart is drawn by the report's own chart (report/trend_charts.hpp).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/cxmetrics.hpp"
#include "cxmetrics/report/trend_charts.hpp"

namespace {

constexpr std::size_t min_run = 6;

[[noreturn]] void usage(const char* argv0, int code) {
  std::fprintf(code == 0 ? stdout : stderr, "usage: %s FILE.csv OUT.svg [--min-n N] [--horizon H]\n", argv0);
  std::exit(code);
}

std::string fixed(double v, int d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", d, v);
  return buf;
}

/// What one series gives: its points, trend, alerts and forecast.
struct analysis {
  std::vector<cxm::series_point> points;
  cxm::wls_trend trend;
  std::string ewma = "none", cusum = "none";
  std::size_t run_begin = 0, run_end = 0;  // the last unbroken run of ok months [begin, end)
  std::string model;
  std::vector<cxm::forecasting::forecast_point> forecast;
};

analysis analyse(const cxm::series<cxm::nps_accumulator>& s, std::uint64_t min_n, std::size_t horizon) {
  analysis a;
  a.points = s.points([](const cxm::nps_accumulator& x) { return x.result().nps; }, min_n);
  const auto obs = cxm::trend_data(a.points);
  a.trend = cxm::fit_wls_trend(obs);
  const auto alert = [&](const auto& chart) -> std::string {
    if (!chart.first_signal) return "none";
    const cxm::period p{s.bucket(), static_cast<std::int32_t>(chart.points[*chart.first_signal].t)};
    return cxm::to_string(p) + " " + cxm::to_string(chart.direction);
  };
  a.ewma = alert(cxm::ewma_chart(obs));
  a.cusum = alert(cxm::cusum_chart(obs));
  a.run_end = a.points.size();
  while (a.run_end > 0 && a.points[a.run_end - 1].thin) --a.run_end;
  a.run_begin = a.run_end;
  while (a.run_begin > 0 && !a.points[a.run_begin - 1].thin) --a.run_begin;
  if (a.run_end - a.run_begin >= min_run) {
    std::vector<double> y;
    for (std::size_t i = a.run_begin; i < a.run_end; ++i) y.push_back(a.points[i].value.value());
    cxm::forecasting::forecast_options o;
    o.horizon = horizon;
    o.period = 12;
    o.bounds = cxm::forecasting::value_bounds{-100.0, 100.0};
    const auto f = cxm::forecasting::forecast_series(y, o);
    a.model = f.model.spec.name();
    a.forecast = f.points;
  }
  return a;
}

cxm::period step_period(const analysis& a, std::size_t h) {
  const cxm::period last = a.points[a.run_end - 1].at;
  return cxm::period{last.bucket, static_cast<std::int32_t>(last.index + static_cast<std::int32_t>(h) + 1)};
}

void print(const std::string& name, const analysis& a) {
  std::size_t ok = 0;
  for (const auto& p : a.points) ok += p.thin ? 0 : 1;
  const auto& t = a.trend;
  std::printf("%-13s %6zu %4zu  ", name.c_str(), a.points.size(), ok);
  if (t.slope.has_interval()) {
    std::printf("%+6.2f [%+6.2f, %+6.2f] p %.4f", t.slope.value(), t.slope.ci()->lower, t.slope.ci()->upper,
                t.p_value);
  } else {
    std::printf("%-34s", "(too few ok months)");
  }
  std::printf("  ewma %-12s cusum %s\n", a.ewma.c_str(), a.cusum.c_str());
}

void print_forecast(const std::string& name, const analysis& a) {
  const std::size_t run = a.run_end - a.run_begin;
  if (a.forecast.empty()) {
    std::printf("forecast %s: none: only %zu ok month%s in a row at the end, %zu needed\n", name.c_str(), run,
                run == 1 ? "" : "s", min_run);
    return;
  }
  std::printf("forecast %s: ETS %s on %zu months %s..%s\n", name.c_str(), a.model.c_str(), run,
              cxm::to_string(a.points[a.run_begin].at).c_str(), cxm::to_string(a.points[a.run_end - 1].at).c_str());
  for (std::size_t h = 0; h < a.forecast.size(); ++h) {
    const auto& f = a.forecast[h];
    std::printf("  %s %6.2f  80%% [%6.2f, %6.2f]  95%% [%6.2f, %6.2f]\n", cxm::to_string(step_period(a, h)).c_str(),
                f.mean, f.lo80, f.hi80, f.lo95, f.hi95);
  }
}

/// The chart of one series: history with band, the WLS line over the ok
/// months, the forecast fan.
std::string chart_of(const analysis& a, std::uint64_t min_n) {
  cxm::report::trend_fan_chart c;
  c.id = "nps-trend";
  c.title = "NPS by month, trend and 6-month forecast (all channels)";
  c.axis_label = "NPS (points)";
  c.metric = "NPS";
  c.thin_below = min_n;
  for (const auto& p : a.points) {
    cxm::report::series_point q;
    q.label = cxm::to_string(p.at);
    q.value = p.value.value();
    if (p.value.has_interval()) {
      q.lower = p.value.ci()->lower;
      q.upper = p.value.ci()->upper;
    }
    q.n = p.value.n();
    c.points.push_back(q);
  }
  const std::int32_t first = a.points.front().at.index;
  std::vector<std::size_t> ok;
  for (std::size_t i = 0; i < a.points.size(); ++i) {
    if (!a.points[i].thin) ok.push_back(i);
  }
  if (a.trend.slope.has_value() && std::isfinite(a.trend.intercept) && !ok.empty()) {
    // trend_data's t is the period index; the chart's slot 0 is the first month.
    c.trend_slope = a.trend.slope.value();
    c.trend_intercept = a.trend.intercept + c.trend_slope * first;
    c.trend_from = ok.front();
    c.trend_to = ok.back();
    c.trend_label = "WLS trend";
    c.trend_detail = "slope " + fixed(c.trend_slope, 2) + " points per month";
  }
  if (!a.forecast.empty()) {
    c.origin = a.run_end - 1;
    c.forecast_detail = "ETS " + a.model;
    for (std::size_t h = 0; h < a.forecast.size(); ++h) {
      const auto& f = a.forecast[h];
      c.forecast.push_back({cxm::to_string(step_period(a, h)), f.mean, f.lo80, f.hi80, f.lo95, f.hi95});
    }
  }
  return cxm::report::render_trend_fan(c);
}

}  // namespace

int main(int argc, char** argv) {
  std::string file, svg;
  std::uint64_t min_n = 30;
  std::size_t horizon = 6;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "-h" || a == "--help") usage(argv[0], 0);
    if ((a == "--min-n" || a == "--horizon") && i + 1 < argc) {
      char* end = nullptr;
      const unsigned long long v = std::strtoull(argv[++i], &end, 10);
      if (end == argv[i] || *end != '\0') usage(argv[0], 2);
      if (a == "--min-n") {
        min_n = v;
      } else {
        if (v == 0 || v > 1000) usage(argv[0], 2);
        horizon = static_cast<std::size_t>(v);
      }
    } else if (file.empty()) {
      file = argv[i];
    } else if (svg.empty()) {
      svg = argv[i];
    } else {
      usage(argv[0], 2);
    }
  }
  if (svg.empty()) usage(argv[0], 2);
  try {
    const auto data = cxm::read_responses(file);
    const auto& t = data.table;
    using monthly = cxm::series<cxm::nps_accumulator>;
    const monthly empty(cxm::time_bucket::month);
    std::map<std::string, monthly> by_channel;
    monthly all = empty;
    std::uint64_t used = 0, undated = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const cxm::response r = t.row(i);
      if (!r.nps) continue;
      if (!r.time) {
        ++undated;
        continue;
      }
      by_channel.try_emplace(t.channel_labels().name(r.channel), empty).first->second.add(*r.time, *r.nps);
      all.add(*r.time, *r.nps);
      ++used;
    }
    if (all.empty()) {
      std::fprintf(stderr, "nps_trend: %s has no NPS answer with a time\n", file.c_str());
      return 1;
    }
    std::printf("nps_trend: %s: rows %zu, rejected %zu; NPS answers by month %llu, without a time %llu\n",
                file.c_str(), t.size(), data.rejects.size(), static_cast<unsigned long long>(used),
                static_cast<unsigned long long>(undated));
    std::printf("months with fewer than %llu answers are thin; trend and alerts over the ok months\n",
                static_cast<unsigned long long>(min_n));
    std::printf("%-13s %6s %4s  %-34s  %s\n", "channel", "months", "ok", "WLS slope per month [95%], p", "alerts");
    std::map<std::string, analysis> results;
    for (const auto& [name, s] : by_channel) results.emplace(name, analyse(s, min_n, horizon));
    const analysis total = analyse(all, min_n, horizon);
    for (const auto& [name, a] : results) print(name, a);
    print("all", total);
    for (const auto& [name, a] : results) print_forecast(name, a);
    print_forecast("all", total);

    std::ofstream out(svg, std::ios::binary);
    out << chart_of(total, min_n);
    if (!out) {
      std::fprintf(stderr, "nps_trend: cannot write %s\n", svg.c_str());
      return 3;
    }
    std::printf("chart %s: %zu months, %zu forecast steps\n", svg.c_str(), total.points.size(), total.forecast.size());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nps_trend: %s\n", e.what());
    return 1;
  }
  return 0;
}
