// Forecasts of a metric series with the ETS family (series/ets.hpp): one
// call that selects (or takes) a model, keeps bounded metrics inside their
// bounds, and a rolling-origin backtest that says how good the forecasts
// were on the series' own history.
//
// Bounded metrics (NPS -100..100, a share 0..1): with bounds L < U the model
// is fitted to the log-odds of the position in the range,
//   z = log((y - L) / (U - y)),
// among the linear models only (AxN, AxA: additive errors suit a scale of
// either sign), so the forecast of z is normal, and carried back through the
// increasing inverse
//   y = L + (U - L) / (1 + exp(-z)):
// every interval bound is the exact image of the bound for z, and the point
// forecast ("mean") is the image of the point forecast of z, the median of
// the forecast distribution of y (R's forecast() with a transform and
// biasadj = FALSE does the same; the mean of y would lie nearer the middle
// of the range and, near a bound, can fall outside the 80 % interval). All
// lie inside (L, U), reaching a bound only when closer to it than double
// precision resolves. A value on a bound is moved inside by bound_margin x
// (U - L) before the transform (a month with NPS 100 from a handful of
// answers); a value outside the bounds is an error. The fitted model
// (parameters, sigma2, log-likelihood, AICc) then describes z, not y.
//
// Backtest (rolling origin; Tashman 2000): for each of the last `origins`
// origins o (spaced `step` apart, the last one leaving exactly `horizon`
// points), the model is selected and fitted on y[0..o) again and forecasts
// y[o..o+horizon). Reported over every origin and step:
//   MASE    mean |y - f| / q_o, q_o the in-sample mean absolute difference of
//           the seasonal naive forecast (lag m; lag 1 without season) on
//           y[0..o) (Hyndman & Koehler 2006)
//   sMAPE   mean 200 |y - f| / (|y| + |f|), in percent (0 where both are 0)
//   coverage80/95  share of actual values inside the 80 % / 95 % intervals.
//
// Header: cxmetrics/series/forecast.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "cxmetrics/export.hpp"
#include "cxmetrics/series/ets.hpp"

namespace cxm::inline v0_1::forecasting {

/// The closed range a metric lives in, lower < upper.
struct value_bounds {
  double lower = 0.0;
  double upper = 1.0;
};

struct forecast_options {
  std::size_t horizon = 1;
  int period = 1;                       ///< m: 12 monthly, 4 quarterly, 1 yearly
  std::optional<ets_spec> model;        ///< nullopt: selected by AICc (auto_ets)
  std::optional<value_bounds> bounds;   ///< keep the forecast inside these
  double bound_margin = 1e-3;           ///< share of the range a value on a bound moves inside
  std::size_t paths = 5000;             ///< sample paths when simulated (ets_forecast_options)
  std::uint64_t seed = 0x5eed;
  bool simulate = false;                ///< intervals from sample paths for every model
  ets_fit_options fit;
};

struct series_forecast {
  ets_model model;                      ///< on the log-odds scale when bounded
  std::vector<forecast_point> points;   ///< steps 1..horizon, on the scale of y
};

/// Fits (or selects) the model and forecasts. Throws invalid_argument for a
/// bad option (horizon 0, lower >= upper, a margin outside (0, 0.5), a
/// nonlinear model with bounds) or a series the model cannot take, invalid_value for a value outside the
/// bounds (naming its 1-based position).
[[nodiscard]] CXMETRICS_API series_forecast forecast_series(std::span<const double> y, const forecast_options& options);

struct backtest_options {
  std::size_t origins = 10;
  std::size_t step = 1;
};

struct backtest_result {
  double mase = 0.0;
  double smape = 0.0;
  double coverage80 = 0.0;
  double coverage95 = 0.0;
  std::size_t origins = 0;    ///< origins used
  std::size_t forecasts = 0;  ///< forecast-actual pairs scored
};

/// Rolling-origin backtest (see above). Throws invalid_argument when the
/// series leaves no origin with at least 3 training points, or when a
/// training window's naive scale q_o is 0 (a constant series).
[[nodiscard]] CXMETRICS_API backtest_result backtest(std::span<const double> y, const forecast_options& options,
                                                     const backtest_options& backtest = {});

}  // namespace cxm::inline v0_1::forecasting
