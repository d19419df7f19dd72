// Quantiles and tail probabilities used by the interval methods and tests.
//
// Computed by Boost.Math (normal, Student t and beta distributions) in the
// compiled part of the library (src/stats/distributions.cpp): Boost is a
// private dependency of libcxmetrics, so this header and every other public
// header compile without Boost on the include path.
//
// Header: cxmetrics/stats/distributions.hpp.
#pragma once

#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/export.hpp"

namespace cxm::inline v0_1::stats {

/// Standard normal quantile Φ⁻¹(p), 0 < p < 1.
[[nodiscard]] CXMETRICS_API double normal_quantile(double p);

/// Upper-tail probability of the standard normal, 1 − Φ(z).
[[nodiscard]] CXMETRICS_API double normal_upper_tail(double z);

/// Two-sided p-value of a z statistic, 2·(1 − Φ(|z|)).
[[nodiscard]] inline double two_sided_p(double z) { return 2.0 * normal_upper_tail(z < 0 ? -z : z); }

/// Critical value z such that a two-sided interval at `level` is ±z (1.959964… for 0.95).
/// Throws invalid_argument unless 0 < level < 1.
[[nodiscard]] CXMETRICS_API double z_for_level(double level);

/// Critical value of Student's t with `df` degrees of freedom for a two-sided
/// interval at `level`. df may be fractional (effective n − 1) and must be > 0.
/// Throws invalid_argument for a bad level or df.
[[nodiscard]] CXMETRICS_API double t_for_level(double level, double df);

/// Upper-tail probability of Student's t with `df` > 0 degrees of freedom,
/// 1 − F(t), computed as a complement (accurate far in the tail). Throws
/// invalid_argument unless df > 0.
[[nodiscard]] CXMETRICS_API double t_upper_tail(double t, double df);

/// Quantile of Beta(a, b) at p.
[[nodiscard]] CXMETRICS_API double beta_quantile(double a, double b, double p);

}  // namespace cxm::stats
