// Forecasts of include/cxmetrics/series/forecast.hpp: bounded series through
// the log-odds transform, and the rolling-origin backtest.
#include "cxmetrics/series/forecast.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "cxmetrics/core/error.hpp"

namespace cxm::inline v0_1::forecasting {

namespace {

struct logit_map {
  double lo, hi;
  [[nodiscard]] double to_z(double y) const { return std::log((y - lo) / (hi - y)); }
  [[nodiscard]] double to_y(double z) const {
    // The two forms avoid exp overflow on either side.
    if (z >= 0.0) return lo + (hi - lo) / (1.0 + std::exp(-z));
    const double e = std::exp(z);
    return lo + (hi - lo) * e / (1.0 + e);
  }
};

void check_options(const forecast_options& o) {
  if (o.horizon == 0) throw invalid_argument("forecast: the horizon must be at least 1");
  if (o.period < 1) throw invalid_argument("forecast: the period must be at least 1, got " + std::to_string(o.period));
  if (o.bounds) {
    if (!(std::isfinite(o.bounds->lower) && std::isfinite(o.bounds->upper) && o.bounds->lower < o.bounds->upper)) {
      throw invalid_argument("forecast: the bounds need lower < upper, both finite");
    }
    if (!(o.bound_margin > 0.0 && o.bound_margin < 0.5)) {
      throw invalid_argument("forecast: the bound margin must lie in (0, 0.5)");
    }
  }
}

}  // namespace

series_forecast forecast_series(std::span<const double> y, const forecast_options& options) {
  check_options(options);
  std::vector<double> work(y.begin(), y.end());
  std::optional<logit_map> map;
  if (options.bounds) {
    map = logit_map{options.bounds->lower, options.bounds->upper};
    const double margin = options.bound_margin * (map->hi - map->lo);
    for (std::size_t i = 0; i < work.size(); ++i) {
      const double v = work[i];
      if (!(v >= map->lo && v <= map->hi)) {
        throw invalid_value("value " + std::to_string(v) + " at position " + std::to_string(i + 1) +
                            " is outside the bounds " + std::to_string(map->lo) + ".." + std::to_string(map->hi));
      }
      work[i] = map->to_z(std::clamp(v, map->lo + margin, map->hi - margin));
    }
  }
  series_forecast out;
  auto fit = options.fit;
  if (map) {
    if (options.model && !options.model->linear()) {
      throw invalid_argument("forecast: a bounded series is fitted on the log-odds scale, where only the additive "
                             "models (AxN, AxA) apply; " + options.model->name() + " is not one");
    }
    fit.additive_only = true;
  }
  out.model = options.model ? fit_ets(work, *options.model, options.period, fit) : auto_ets(work, options.period, fit);
  ets_forecast_options fo;
  fo.horizon = options.horizon;
  fo.paths = options.paths;
  fo.seed = options.seed;
  fo.simulate = options.simulate;
  if (!map) {
    out.points = forecast(out.model, fo);
    return out;
  }
  // A linear model: the forecast of z is normal, so its quantiles map
  // through the increasing inverse exactly.
  const auto z = forecast(out.model, fo);
  out.points.resize(options.horizon);
  for (std::size_t j = 0; j < options.horizon; ++j) {
    const auto& q = z[j];
    out.points[j] = {map->to_y(q.mean), map->to_y(q.lo80), map->to_y(q.hi80), map->to_y(q.lo95), map->to_y(q.hi95)};
  }
  return out;
}

backtest_result backtest(std::span<const double> y, const forecast_options& options, const backtest_options& b) {
  check_options(options);
  if (b.origins == 0 || b.step == 0) throw invalid_argument("backtest: origins and step must be at least 1");
  const std::size_t n = y.size(), h = options.horizon;
  backtest_result r;
  double sum_scaled = 0.0, sum_smape = 0.0;
  std::size_t in80 = 0, in95 = 0;
  const std::size_t lag = options.period > 1 ? static_cast<std::size_t>(options.period) : 1;
  for (std::size_t k = b.origins; k-- > 0;) {
    // Origin o = n - h - k * step, the oldest first.
    if (n < h + k * b.step) continue;
    const std::size_t o = n - h - k * b.step;
    if (o < 3 || o <= lag) continue;
    const auto train = y.first(o);
    double q = 0.0;
    for (std::size_t t = lag; t < o; ++t) q += std::abs(train[t] - train[t - lag]);
    q /= static_cast<double>(o - lag);
    if (!(q > 0.0)) throw invalid_argument("backtest: the training series up to origin " + std::to_string(o) +
                                           " is constant, so MASE is undefined");
    const auto f = forecast_series(train, options);
    for (std::size_t j = 0; j < h; ++j) {
      const double actual = y[o + j];
      const auto& p = f.points[j];
      const double err = std::abs(actual - p.mean);
      sum_scaled += err / q;
      const double den = std::abs(actual) + std::abs(p.mean);
      sum_smape += den > 0.0 ? 200.0 * err / den : 0.0;
      in80 += (actual >= p.lo80 && actual <= p.hi80) ? 1 : 0;
      in95 += (actual >= p.lo95 && actual <= p.hi95) ? 1 : 0;
      ++r.forecasts;
    }
    ++r.origins;
  }
  if (r.forecasts == 0) throw invalid_argument("backtest: the series is too short for any origin with this horizon");
  const double nf = static_cast<double>(r.forecasts);
  r.mase = sum_scaled / nf;
  r.smape = sum_smape / nf;
  r.coverage80 = static_cast<double>(in80) / nf;
  r.coverage95 = static_cast<double>(in95) / nf;
  return r;
}

}  // namespace cxm::inline v0_1::forecasting
