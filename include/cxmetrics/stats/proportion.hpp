// Intervals for a binomial proportion (top-box share, resolution rate, ...).
//
// Methods (Brown, Cai & DasGupta 2001, "Interval Estimation for a Binomial
// Proportion", Statistical Science 16(2) compare them):
//   wilson           score interval, Wilson (1927); the default
//   wilson_cc        score interval with continuity correction (Newcombe
//                    1998, "Two-sided confidence intervals for the single
//                    proportion: comparison of seven methods", Statistics in
//                    Medicine 17:857–872, method 4): with p = x/n, q = 1 − p,
//                      L = (2np + z² − 1 − z√(z² − 2 − 1/n + 4p(nq + 1))) / (2(n + z²))
//                      U = (2np + z² + 1 + z√(z² + 2 − 1/n + 4p(nq − 1))) / (2(n + z²))
//                    L = 0 at x = 0 and U = 1 at x = n; the limits solve
//                    |p − π| − 1/(2n) = z√(π(1 − π)/n). Both radicands
//                    are at least z² + 2 − 1/n > 0 where they are used with
//                    whole counts (L's at 1 <= x <= n, U's at 0 <= x <= n − 1);
//                    a fractional effective count within 1 of 0 or n can
//                    make one negative, and it is then taken as 0.
//   jeffreys         equal-tailed Beta(x+½, n−x+½) interval; lower = 0 at x = 0
//                    and upper = 1 at x = n (BCD 2001, §4.1.2)
//   clopper_pearson  exact: Beta(x, n−x+1) and Beta(x+1, n−x) quantiles
//   agresti_coull    Wald around (x + z²/2)/(n + z²), Agresti & Coull (1998)
//   wald             p̂ ± z·√(p̂(1−p̂)/n); poor near 0 and 1, kept for comparison
// Every interval is clipped to [0, 1] (Wald, Agresti–Coull and the continuity-
// corrected Wilson interval can leave it).
//
// Weighted data: the point value is Σw(hit)/Σw(all); the standard error is
// the one definition of stats/weighted_se.hpp (proportion_options::
// weighted_se): by default the linearised with-replacement SE of R's
// survey::svymean, √(n/(n − 1)·Σ w²(y − p̂)²)/Σw, or Kish's approximation.
// With every weight 1 both are √(p̂(1−p̂)/(n − 1)), not the binomial
// √(p̂(1−p̂)/n) of unweighted counts; n = 1 (or all the weight on one
// response) gives SE 0, as the binomial SE of one response is. Intervals use
// Kish's effective n in place of n and p̂·n_eff in place of x (Korn &
// Graubard 1998 for the Clopper–Pearson case), so with unit weights they
// equal the unweighted intervals.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/stats/distributions.hpp"
#include "cxmetrics/stats/weighted_se.hpp"

namespace cxm::inline v0_1::stats {

struct proportion_options {
  double level = 0.95;
  interval_method method = interval_method::wilson;
  weighted_se se = weighted_se::linearized;  ///< the SE of weighted counts
};

/// Interval for x successes out of n trials. x and n may be fractional
/// (effective counts); requires n > 0 and 0 <= x <= n.
[[nodiscard]] inline interval proportion_interval(double x, double n, double level = 0.95,
                                                  interval_method method = interval_method::wilson) {
  check_level(level);
  if (!(n > 0.0) || !std::isfinite(n)) throw invalid_argument("proportion interval needs n > 0, got " + std::to_string(n));
  if (!(x >= 0.0 && x <= n)) {
    throw invalid_argument("proportion interval needs 0 <= x <= n, got x = " + std::to_string(x) + ", n = " +
                           std::to_string(n));
  }
  const double alpha = 1.0 - level;
  const double p = x / n;
  double lo = 0.0;
  double hi = 1.0;
  switch (method) {
    case interval_method::wald: {
      const double z = z_for_level(level);
      const double half = z * std::sqrt(p * (1.0 - p) / n);
      lo = p - half;
      hi = p + half;
      break;
    }
    case interval_method::wilson: {
      const double z = z_for_level(level);
      const double z2 = z * z;
      const double centre = (x + z2 / 2.0) / (n + z2);
      const double half = z / (n + z2) * std::sqrt(x * (n - x) / n + z2 / 4.0);
      lo = centre - half;
      hi = centre + half;
      // At x = 0 (x = n) the exact bound is 0 (1); avoid rounding noise.
      if (x == 0.0) lo = 0.0;
      if (x == n) hi = 1.0;
      break;
    }
    case interval_method::wilson_cc: {
      const double z = z_for_level(level);
      const double z2 = z * z;
      const double q = 1.0 - p;
      const double den = 2.0 * (n + z2);
      lo = x == 0.0 ? 0.0
                    : (2.0 * x + z2 - 1.0 - z * std::sqrt(std::max(z2 - 2.0 - 1.0 / n + 4.0 * p * (n * q + 1.0), 0.0))) /
                          den;
      hi = x == n ? 1.0
                  : (2.0 * x + z2 + 1.0 + z * std::sqrt(std::max(z2 + 2.0 - 1.0 / n + 4.0 * p * (n * q - 1.0), 0.0))) /
                        den;
      break;
    }
    case interval_method::agresti_coull: {
      const double z = z_for_level(level);
      const double z2 = z * z;
      const double nt = n + z2;
      const double pt = (x + z2 / 2.0) / nt;
      const double half = z * std::sqrt(pt * (1.0 - pt) / nt);
      lo = pt - half;
      hi = pt + half;
      break;
    }
    case interval_method::jeffreys:
      lo = x == 0.0 ? 0.0 : beta_quantile(x + 0.5, n - x + 0.5, alpha / 2.0);
      hi = x == n ? 1.0 : beta_quantile(x + 0.5, n - x + 0.5, 1.0 - alpha / 2.0);
      break;
    case interval_method::clopper_pearson:
      lo = x == 0.0 ? 0.0 : beta_quantile(x, n - x + 1.0, alpha / 2.0);
      hi = x == n ? 1.0 : beta_quantile(x + 1.0, n - x, 1.0 - alpha / 2.0);
      break;
    default:
      throw invalid_argument(std::string("'") + to_string(method) +
                             "' is not a proportion interval method (use wilson, wilson_cc, jeffreys, "
                             "clopper_pearson, agresti_coull or wald)");
  }
  return interval{std::clamp(lo, 0.0, 1.0), std::clamp(hi, 0.0, 1.0), level, method};
}

/// Proportion x/n of unweighted counts with SE √(p̂(1−p̂)/n) and an interval.
/// n = 0 gives the empty estimate.
[[nodiscard]] inline estimate proportion(std::uint64_t x, std::uint64_t n, const proportion_options& opt = {}) {
  check_level(opt.level);
  if (x > n) throw invalid_argument("proportion needs x <= n, got " + std::to_string(x) + " > " + std::to_string(n));
  if (n == 0) return estimate::no_data();
  const double nd = static_cast<double>(n);
  const double p = static_cast<double>(x) / nd;
  const auto ci = proportion_interval(static_cast<double>(x), nd, opt.level, opt.method);
  return estimate(p, std::sqrt(p * (1.0 - p) / nd), ci, n, nd);
}

/// Weighted proportion: `hit` are the totals of the responses that count as a
/// success, `all` those of every response (see the header comment).
[[nodiscard]] inline estimate proportion(const bin_totals& hit, const bin_totals& all, const proportion_options& opt = {}) {
  check_level(opt.level);
  if (hit.n > all.n || hit.w > all.w * (1 + 1e-12) || hit.w2 > all.w2 * (1 + 1e-12)) {
    throw invalid_argument("weighted proportion needs the successes to be a subset of all responses");
  }
  if (all.n == 0) return estimate::no_data();
  if (!(all.w > 0.0)) return estimate::no_data(all.n, "all weights are zero");
  const double p = std::min(hit.w / all.w, 1.0);
  const auto weighted = weighted_proportion(hit, all, {opt.level, opt.se, interval_method::wald});
  const double se = weighted.state() == estimate::status::ok ? weighted.se() : 0.0;
  // Effective counts through Kish's factor Σw/Σw²: n_eff = Σw·k and
  // x_eff = Σw(hit)·k (= p̂·n_eff), both exact when k = 1.
  const double kish = all.w / all.w2;
  const double n_eff = all.w * kish;
  const double x_eff = std::min(hit.w * kish, n_eff);
  const auto ci = proportion_interval(x_eff, n_eff, opt.level, opt.method);
  return estimate(p, se, ci, all.n, n_eff);
}

}  // namespace cxm::stats
