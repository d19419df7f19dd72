// `cxm trend FILE --metric nps|csat|ces|resolution [--period month] [--by channel]`:
// the metric per period with its interval (series/series.hpp), the change
// from the previous period (the project's two-sample test), the trend (WLS
// with weights 1/SE² and Theil–Sen with Mann–Kendall, series/trend.hpp) and
// the change alerts (EWMA and CUSUM, series/change.hpp).
//
// The metric of each period: nps the NPS in points (adjusted Wald interval,
// Wald SE; change by compare_nps, Wald), csat the top-box share, ces the
// mean score, resolution the resolution rate (shares by Wilson, the mean by
// t; changes by stats::compare_estimates). Every period from the first to
// the last response is listed; a period with no answer is "empty", one with
// fewer than --min-n answers (or no interval) "thin", and the trend and the
// charts use only the other ("ok") points. Responses without a time cannot
// be placed in a period: they are counted and named in a note, never
// dropped silently. A weight column is used as by `cxm summary`.
//
// Tables: "series", "trend" (one row per method and group), "alerts" (one
// row per chart and group: the first period where a shift is signalled and
// its direction, empty when none).
//
// With --horizon H, two more: "forecast" (one row per group and step: the
// period, the mean and the 80 % and 95 % prediction intervals) and
// "forecast_model" (one row per group: ok or refused, the ETS model chosen
// by AICc, the periods it was fitted on, or why there is no forecast). The
// forecast is forecasting::forecast_series (series/forecast.hpp) with the
// metric's bounds (NPS -100..100, shares 0..1, the CES mean within its
// scale), so every bound stays inside them; the season length is that of
// `cxm forecast --frequency` for the period (month 12, quarter 4, year 1,
// week 52, day 7). Exponential smoothing needs evenly spaced values without
// gaps, so the model is fitted on the last unbroken run of ok periods: the
// ok periods after the last empty or thin one before them. The forecast
// starts after that run; when the series ends in thin or empty periods,
// the first steps forecast those periods (the forecast table names each
// step's period). A run of fewer than min_forecast_points ok periods gives
// no forecast: the group's forecast_model row says "refused" and why, in
// every output format, and the command still exits 0 with its other tables.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "cli/groups.hpp"
#include "cli/input.hpp"
#include "cxmetrics/metrics/ces.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/metrics/resolution.hpp"
#include "cxmetrics/series/change.hpp"
#include "cxmetrics/series/forecast.hpp"
#include "cxmetrics/series/series.hpp"
#include "cxmetrics/series/trend.hpp"

namespace cxm::inline v0_1::cli {

namespace {

struct trend_args {
  input_args input;
  group_flags groups;
  std::string metric;
  std::string period = "month";
  std::string by;
  std::uint64_t min_n = 30;
  double level = 0.95;
  std::uint64_t horizon = 0;  ///< 0: no forecast
};

/// Fewest ok periods in a row a forecast is fitted on: with fewer, the
/// simplest model (ANN: alpha, the initial level and sigma) has at most two
/// residual degrees of freedom, and its intervals mean little.
constexpr std::size_t min_forecast_points = 6;

/// What the forecast of a run needs to know about the metric.
struct forecast_setup {
  std::size_t horizon = 0;
  int season = 1;                    ///< m of the period
  forecasting::value_bounds bounds;  ///< the metric's range
};

/// The tables of one run, filled group by group.
struct trend_tables {
  table per_period{"series", "", {}, {}, {}};
  table trend{"trend", "Trend per period", {}, {}, {}};
  table alerts{"alerts", "Change alerts", {}, {}, {}};
  table forecast{"forecast", "Forecast with 80 % and 95 % prediction intervals", {}, {}, {}};
  table model{"forecast_model", "Forecast models", {}, {}, {}};
};

cell real(double x, int digits) { return cell::real(x, digits); }

/// The forecast of one group's points (see the header comment): rows of the
/// forecast and forecast_model tables.
void add_forecast(const std::vector<series_point>& pts, time_bucket bucket, const std::string& name, bool by,
                  const forecast_setup& f, int digits, trend_tables& out) {
  std::size_t end = pts.size();  // one past the run's last period
  while (end > 0 && pts[end - 1].thin) --end;
  std::size_t begin = end;
  while (begin > 0 && !pts[begin - 1].thin) --begin;
  const std::size_t run = end - begin;
  std::vector<cell> row;
  if (by) row.emplace_back(name);
  const auto refuse = [&](std::string why) {
    row.emplace_back("refused");
    for (int i = 0; i < 6; ++i) row.emplace_back(i == 1 ? cell(static_cast<std::uint64_t>(run)) : cell{});
    row.emplace_back(std::move(why));
    out.model.add(std::move(row));
  };
  if (run < min_forecast_points) {
    std::string why = run == 0 ? std::string("no ok period")
                               : "only " + std::to_string(run) + " ok period" + (run == 1 ? "" : "s") + " in a row (" +
                                     to_string(pts[begin].at) + (run > 1 ? " to " + to_string(pts[end - 1].at) : "") +
                                     ")";
    refuse(why + "; a forecast needs at least " + std::to_string(min_forecast_points) +
           " ok periods in a row (empty and thin periods break the run)");
    return;
  }
  std::vector<double> y;
  y.reserve(run);
  for (std::size_t i = begin; i < end; ++i) y.push_back(pts[i].value.value());
  forecasting::forecast_options o;
  o.horizon = f.horizon;
  o.period = f.season;
  o.bounds = f.bounds;
  forecasting::series_forecast fc;
  try {
    fc = forecasting::forecast_series(y, o);
  } catch (const invalid_argument& e) {
    refuse(std::string("the run cannot be fitted: ") + e.reason());
    return;
  }
  const period last = pts[end - 1].at;
  for (std::size_t h = 0; h < fc.points.size(); ++h) {
    const auto& p = fc.points[h];
    std::vector<cell> r;
    if (by) r.emplace_back(name);
    r.emplace_back(static_cast<std::uint64_t>(h + 1));
    r.emplace_back(to_string(period{bucket, static_cast<std::int32_t>(last.index + static_cast<std::int32_t>(h) + 1)}));
    for (double v : {p.mean, p.lo80, p.hi80, p.lo95, p.hi95}) r.push_back(real(v, digits));
    out.forecast.add(std::move(r));
  }
  row.emplace_back("ok");
  row.emplace_back(fc.model.spec.name());
  row.emplace_back(static_cast<std::uint64_t>(run));
  row.emplace_back(to_string(pts[begin].at));
  row.emplace_back(to_string(last));
  row.push_back(real(fc.model.sigma2, -6));
  row.push_back(real(fc.model.aicc, 4));
  row.emplace_back(end < pts.size() ? std::to_string(pts.size() - end) + " period(s) after " + to_string(last) +
                                          " are thin or empty: the forecast starts at " +
                                          to_string(period{bucket, static_cast<std::int32_t>(last.index + 1)})
                                    : std::string());
  out.model.add(std::move(row));
}

template <class A, class Value, class Compare>
void fill(const std::map<std::string, series<A>>& groups, bool by, Value value, Compare compare,
          std::uint64_t min_n, double level, int digits, const forecast_setup& f, trend_tables& out) {
  for (const auto& group : groups) {
    // Named copies of the pair's parts: lambdas below capture them (clang
    // before 16 cannot capture structured bindings).
    const std::string& name = group.first;
    const series<A>& s = group.second;
    const auto pts = s.points(value, min_n);
    const auto changes = s.changes(compare, 1);
    for (std::size_t i = 0; i < pts.size(); ++i) {
      const auto& p = pts[i];
      std::vector<cell> row;
      if (by) row.emplace_back(name);
      row.emplace_back(to_string(p.at));
      row.emplace_back(p.value.n());
      row.push_back(real(p.value.value(), digits));
      row.push_back(real(p.value.has_interval() ? p.value.se() : std::nan(""), digits));
      row.push_back(real(p.value.ci() ? p.value.ci()->lower : std::nan(""), digits));
      row.push_back(real(p.value.ci() ? p.value.ci()->upper : std::nan(""), digits));
      row.emplace_back(p.empty ? "empty" : p.thin ? "thin" : "ok");
      // The change from the previous period, when both are reportable.
      const bool both = i > 0 && !p.thin && !pts[i - 1].thin;
      const auto* c = i > 0 ? &changes[i - 1].change : nullptr;
      row.push_back(real(both && c->difference.has_value() ? c->difference.value() : std::nan(""), digits));
      row.push_back(real(both ? c->p_value : std::nan(""), -4));
      out.per_period.add(std::move(row));
    }
    const auto obs = trend_data(pts);
    wls_options wo;
    wo.level = level;
    const auto wls = fit_wls_trend(obs, wo);
    const auto ts = theil_sen_trend(obs, level);
    const auto lead = [&](const char* method, std::size_t n) {
      std::vector<cell> row;
      if (by) row.emplace_back(name);
      row.emplace_back(method);
      row.emplace_back(static_cast<std::uint64_t>(n));
      return row;
    };
    auto w = lead("wls", wls.points);
    w.push_back(real(wls.slope.value(), digits));
    w.push_back(real(wls.slope.has_interval() ? wls.slope.se() : std::nan(""), digits));
    w.push_back(real(wls.slope.ci() ? wls.slope.ci()->lower : std::nan(""), digits));
    w.push_back(real(wls.slope.ci() ? wls.slope.ci()->upper : std::nan(""), digits));
    w.push_back(real(wls.statistic, 4));
    w.push_back(real(wls.p_value, -4));
    w.push_back(real(std::nan(""), 0));
    w.push_back(real(wls.residual_variance, 4));
    out.trend.add(std::move(w));
    auto t = lead("theil_sen", ts.test.points);
    t.push_back(real(ts.slope.value(), digits));
    t.push_back(real(std::nan(""), digits));
    t.push_back(real(ts.slope.ci() ? ts.slope.ci()->lower : std::nan(""), digits));
    t.push_back(real(ts.slope.ci() ? ts.slope.ci()->upper : std::nan(""), digits));
    t.push_back(real(ts.test.z, 4));
    t.push_back(real(ts.test.p_value, -4));
    t.push_back(real(ts.test.s, 0));
    t.push_back(real(std::nan(""), 4));
    out.trend.add(std::move(t));

    const auto period_of_t = [&](double x) { return to_string(period{s.bucket(), static_cast<std::int32_t>(x)}); };
    const auto alert = [&](const char* chart, const auto& c) {
      std::vector<cell> row;
      if (by) row.emplace_back(name);
      row.emplace_back(chart);
      row.push_back(real(c.target, digits));
      if (c.first_signal) {
        const auto& p = c.points[*c.first_signal];
        row.emplace_back(period_of_t(p.t));
        row.emplace_back(to_string(c.direction));
        row.push_back(real(p.value, digits));
      } else {
        row.emplace_back(cell{});
        row.emplace_back(to_string(shift_direction::none));
        row.push_back(real(std::nan(""), digits));
      }
      out.alerts.add(std::move(row));
    };
    alert("ewma", ewma_chart(obs));
    alert("cusum", cusum_chart(obs));
    if (f.horizon > 0) add_forecast(pts, s.bucket(), name, by, f, digits, out);
  }
}

void run_trend(trend_args& a, const context& ctx) {
  const auto bucket = time_bucket_from_name(a.period);
  if (!bucket) throw failure(usage, "--period takes day, week, month, quarter or year, got " + quote_value(a.period));
  if (a.metric != "nps" && a.metric != "csat" && a.metric != "ces" && a.metric != "resolution") {
    throw failure(usage, "--metric takes nps, csat, ces or resolution, got " + quote_value(a.metric));
  }
  if (!a.by.empty() && a.by != "channel") throw failure(usage, "--by takes channel, got " + quote_value(a.by));
  check_level(a.level);
  const auto offset = parse_utc_offset(a.groups.utc_offset);
  apply_weight_flags(a.groups, a.input);
  const response_field field = a.metric == "nps"    ? response_field::nps
                               : a.metric == "csat" ? response_field::csat
                               : a.metric == "ces"  ? response_field::ces
                                                    : response_field::resolved;
  a.input.required.push_back(field);
  a.input.required.push_back(response_field::timestamp);
  if (!a.by.empty()) a.input.required.push_back(response_field::channel);
  const auto options = make_ingest_options(a.input);
  const bool by = !a.by.empty();

  std::uint64_t no_time = 0;
  trend_tables out;
  forecast_setup fs;
  fs.horizon = static_cast<std::size_t>(a.horizon);
  fs.season = season_length(*bucket);
  fs.bounds = a.metric == "nps"   ? forecasting::value_bounds{-100.0, 100.0}
              : a.metric == "ces" ? forecasting::value_bounds{static_cast<double>(options.scales.ces.min()),
                                                              static_cast<double>(options.scales.ces.max())}
                                  : forecasting::value_bounds{0.0, 1.0};
  const auto run = [&](auto prototype, auto value, auto compare, int digits) {
    using A = decltype(prototype);
    std::map<std::string, series<A>> groups;
    const series<A> empty(*bucket, offset, prototype);
    const auto report = read_input(a.input, ctx, [&](const response_batch& b) {
      for (std::size_t i = 0; i < b.size(); ++i) {
        const response r = b.row(i);
        if (!r.time) {
          ++no_time;
          continue;
        }
        const std::string key = by ? b.channel_labels().name(r.channel) : std::string("all");
        auto it = groups.try_emplace(key, empty).first;
        it->second.add(*r.time, r);
      }
    });
    fill(groups, by, value, compare, a.min_n, a.level, digits, fs, out);
    return report;
  };
  ingest_report report;
  if (a.metric == "nps") {
    nps_options o;
    o.level = a.level;
    report = run(nps_accumulator(options.scales.nps), [o](const nps_accumulator& s) { return s.result(o).nps; },
                 compare_nps_states{a.level}, 2);
  } else if (a.metric == "csat" || a.metric == "ces") {
    rating_options o;
    o.level = a.level;
    if (a.metric == "csat") {
      const auto v = [o](const csat_accumulator& s) { return s.result(o).satisfied; };
      report = run(csat_accumulator(options.scales.csat), v, compare_by_estimate(v, a.level), 4);
    } else {
      const auto v = [o](const ces_accumulator& s) { return s.result(o).mean; };
      report = run(ces_accumulator(options.scales.ces), v, compare_by_estimate(v, a.level), 4);
    }
  } else {
    resolution_options o;
    o.level = a.level;
    const auto v = [o](const resolution_accumulator& s) { return s.result(o).rate; };
    report = run(resolution_accumulator{}, v, compare_by_estimate(v, a.level), 4);
  }

  std::vector<std::string> lead;
  if (by) lead.emplace_back("channel");
  out.per_period.title = a.metric + " per " + a.period + " (" + format_utc_offset(offset) + ")";
  out.per_period.columns = lead;
  for (const char* c : {"period", "n", "value", "se", "lower", "upper", "status", "change", "change_p"}) {
    out.per_period.columns.emplace_back(c);
  }
  out.trend.columns = lead;
  for (const char* c : {"method", "points", "slope", "se", "lower", "upper", "statistic", "p_value", "kendall_s", "residual_variance"}) {
    out.trend.columns.emplace_back(c);
  }
  out.alerts.columns = lead;
  for (const char* c : {"chart", "target", "first_signal", "direction", "value"}) out.alerts.columns.emplace_back(c);
  out.per_period.notes.push_back("status: empty (no answer), thin (n < " + std::to_string(a.min_n) +
                             " or no interval), ok; change and change_p compare with the previous period");
  if (no_time > 0) {
    out.per_period.notes.push_back(std::to_string(no_time) +
                               " responses have no time and are in no period (column 'timestamp' empty)");
  }
  const std::string weights = weight_column(a.groups, report);
  if (!weights.empty()) out.per_period.notes.push_back("weighted by column '" + weights + "'");
  out.trend.notes.push_back(
      "wls: weights 1/se^2, SE scaled by the residual variance (as R's lm(weights=)), t test on points - 2 df; "
      "theil_sen: median pairwise slope, Sen's interval, Mann-Kendall z test (ties corrected)");
  out.alerts.notes.push_back(
      "ewma: lambda 0.2, L 3; cusum: k 0.5, h 5 (SE units); target: the inverse-variance mean of the first 6 ok "
      "points");
  if (a.horizon == 0) {
    ctx.emit({out.per_period, out.trend, out.alerts});
    return;
  }
  out.forecast.columns = lead;
  for (const char* c : {"step", "period", "mean", "lo80", "hi80", "lo95", "hi95"}) out.forecast.columns.emplace_back(c);
  out.model.columns = lead;
  for (const char* c : {"status", "model", "points", "from", "to", "sigma2", "aicc", "note"}) {
    out.model.columns.emplace_back(c);
  }
  const auto bound_text = [&](double x) { return std::to_string(static_cast<long long>(std::lround(x))); };
  out.forecast.notes.push_back(
      "ETS model of least AICc (additive, on the log-odds of the position within " +
      (a.metric == "ces" ? bound_text(fs.bounds.lower) + ".." + bound_text(fs.bounds.upper)
                         : a.metric == "nps" ? std::string("-100..100") : std::string("0..1")) +
      ", so every bound stays inside), season length " + std::to_string(fs.season) +
      "; fitted on the last unbroken run of ok periods (at least " + std::to_string(min_forecast_points) +
      "); mean: the median of the forecast distribution");
  out.model.notes.push_back("sigma2 and aicc describe the model of the log-odds; from, to: the run of ok periods fitted");
  for (const auto& r : out.model.rows) {
    if (std::get<std::string>(r[by ? 1 : 0].v) != "refused") continue;
    out.model.notes.push_back((by ? std::get<std::string>(r[0].v) + ": " : std::string()) +
                              "no forecast: " + std::get<std::string>(r.back().v));
  }
  ctx.emit({out.per_period, out.trend, out.alerts, out.forecast, out.model});
}

}  // namespace

void register_trend(CLI::App& app, context& ctx) {
  auto args = std::make_shared<trend_args>();
  auto* sub = app.add_subcommand(
      "trend", "A metric per period with intervals, its trend (WLS, Theil-Sen/Mann-Kendall) and change alerts");
  add_input_flags(*sub, args->input);
  sub->add_option("--metric", args->metric, "nps, csat (top-box share), ces (mean) or resolution (rate)")
      ->required();
  sub->add_option("--period", args->period, "day, week (ISO), month, quarter or year")->default_val("month");
  sub->add_option("--by", args->by, "One series per channel");
  sub->add_option("--min-n", args->min_n, "Periods with fewer answers are thin: shown, but not in the trend or alerts")
      ->default_val(30)
      ->transform(count_arg());
  sub->add_option("--level", args->level, "Confidence level, 0 < level < 1")->default_val(0.95)->transform(level_arg());
  sub->add_option("--horizon", args->horizon,
                  "Also forecast this many periods (1 to 1000) with 80 % and 95 % prediction intervals (ETS)")
      ->transform(count_arg(1, 1000));
  sub->add_option("--weight", args->groups.weight,
                  "Weight column (default: the column named 'weight' when the file has one)");
  sub->add_flag("--unweighted", args->groups.unweighted, "Ignore any weight column: every response counts once");
  sub->add_option("--utc-offset", args->groups.utc_offset, "Time zone of the periods as an offset from UTC, e.g. +02:00")
      ->default_val("+00:00");
  add_common_flags(*sub, ctx);
  sub->callback([args, &ctx] { run_trend(*args, ctx); });
}

}  // namespace cxm::cli
