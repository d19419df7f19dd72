// The forecast distribution of an ETS model, shared by src/series/ets.cpp and
// src/series/forecast.cpp (bounded series transform it point by point).
#pragma once

#include <cstddef>
#include <vector>

#include "cxmetrics/series/ets.hpp"

namespace cxm::inline v0_1::series::detail {

/// Per step h: the point forecast, and either the normal standard deviation
/// of the forecast error (linear models) or sorted sample-path values.
struct forecast_distribution {
  std::vector<double> point;
  std::vector<double> sd;                    ///< empty unless analytic
  std::vector<std::vector<double>> samples;  ///< empty unless simulated; each sorted
  [[nodiscard]] bool analytic() const noexcept { return !sd.empty(); }
};

[[nodiscard]] forecast_distribution forecast_distribution_of(const ets_model& model, const ets_forecast_options& options);

/// The p-quantile of sorted values (R's default definition, type 7).
[[nodiscard]] double sorted_quantile(const std::vector<double>& sorted, double p);

}  // namespace cxm::inline v0_1::series::detail
