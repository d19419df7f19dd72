// Quantiles used by the interval methods, all from Boost.Math.
#pragma once

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "cxmetrics/core/estimate.hpp"

namespace cxm::stats {

/// Standard normal quantile Φ⁻¹(p), 0 < p < 1.
[[nodiscard]] inline double normal_quantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

/// Upper-tail probability of the standard normal, 1 − Φ(z).
[[nodiscard]] inline double normal_upper_tail(double z) {
  return boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(), z));
}

/// Two-sided p-value of a z statistic, 2·(1 − Φ(|z|)).
[[nodiscard]] inline double two_sided_p(double z) { return 2.0 * normal_upper_tail(z < 0 ? -z : z); }

/// Critical value z such that a two-sided interval at `level` is ±z (1.959964… for 0.95).
[[nodiscard]] inline double z_for_level(double level) {
  check_level(level);
  return boost::math::quantile(boost::math::complement(boost::math::normal_distribution<double>(), (1.0 - level) / 2.0));
}

/// Critical value of Student's t with `df` degrees of freedom for a two-sided
/// interval at `level`. df may be fractional (effective n − 1) and must be > 0.
[[nodiscard]] inline double t_for_level(double level, double df) {
  check_level(level);
  if (!(df > 0.0)) throw invalid_argument("t quantile needs degrees of freedom > 0, got " + std::to_string(df));
  return boost::math::quantile(boost::math::complement(boost::math::students_t_distribution<double>(df), (1.0 - level) / 2.0));
}

/// Quantile of Beta(a, b) at p.
[[nodiscard]] inline double beta_quantile(double a, double b, double p) {
  return boost::math::quantile(boost::math::beta_distribution<double>(a, b), p);
}

}  // namespace cxm::stats
