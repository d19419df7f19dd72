// Comparing two independent groups: channels, periods, agents, segments.
//
// A comparison holds the difference a − b as an estimate (value, standard
// error, interval), the z statistic of the test of "no difference" and its
// two-sided p-value. Three ways to build one:
//
//   compare_estimates(a, b)            any two independent estimates (NPS of
//                                      two channels, CSAT means, ...):
//                                      SE = √(se_a² + se_b²), Wald interval
//                                      d ± z·SE, z test d / SE.
//   compare_proportions(x1,n1, x2,n2)  two binomial proportions (top-box
//                                      shares, resolution rates):
//                                      * interval: Newcombe's hybrid score
//                                        interval (Newcombe 1998, "Interval
//                                        estimation for the difference between
//                                        independent proportions: comparison
//                                        of eleven methods", Statistics in
//                                        Medicine 17:873–890, method 10). With
//                                        Wilson intervals (l1, u1), (l2, u2):
//                                          L = d − √((p1 − l1)² + (u2 − p2)²)
//                                          U = d + √((u1 − p1)² + (p2 − l2)²)
//                                      * SE: unpooled √(p1q1/n1 + p2q2/n2)
//                                      * test: pooled two-proportion z,
//                                          z = d / √(p̄q̄(1/n1 + 1/n2)),
//                                          p̄ = (x1 + x2)/(n1 + n2),
//                                        the same p-value as R's
//                                        prop.test(c(x1, x2), c(n1, n2),
//                                        correct = FALSE) (whose X² is z²).
//   compare_proportions(hit1, all1, hit2, all2)   weighted proportions:
//                                      p = Σw(hit)/Σw(all) per side with the
//                                      linearised SE of stats::proportion;
//                                      Newcombe interval from the two Wilson
//                                      intervals on Kish's effective n; Wald
//                                      z test d / √(se1² + se2²) (unpooled:
//                                      the pooled variance has no simple
//                                      design-based form for weighted data).
//
//   mover_interval(a, ia, b, ib, ...)  the MOVER interval of any difference
//                                      of two independent estimates from
//                                      their own intervals (Zou & Donner
//                                      2008); Newcombe's interval above is
//                                      its Wilson case, and stats/
//                                      net_compare.hpp builds the NPS
//                                      difference from two Tango intervals.
//
// Edge cases (nothing is clamped or guessed silently):
//   * a side without data (n = 0, all weights 0, or an estimate that is not
//     ok()): the difference is no_data, or insufficient with the value a − b
//     when both sides have a value but one lacks an SE; statistic and p-value
//     are NaN.
//   * compare_estimates with both SEs 0: the difference is insufficient (a
//     Wald test needs a positive SE); statistic and p-value are NaN.
//   * compare_proportions when both sides are all 0 or all 1 (pooled
//     variance 0): the difference is necessarily 0; statistic is 0 and the
//     p-value is defined as 1 (R's prop.test gives NaN there). The interval is
//     still Newcombe's, which is not degenerate.
//   * weighted, unpooled SE 0: both sides are at 0 or 1. When they agree the
//     statistic is 0 and p = 1; when one is 0 and the other 1 the test falls
//     back to the pooled variance on the effective sizes, p̄q̄(1/ñ1 + 1/ñ2)
//     with p̄ = (p1ñ1 + p2ñ2)/(ñ1 + ñ2), which with unit weights is exactly the
//     unweighted test.
// The n of the difference is n_a + n_b and its effective n ñ_a + ñ_b.
//
// Header: cxmetrics/stats/compare.hpp. Complexity: O(1).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/stats/distributions.hpp"
#include "cxmetrics/stats/proportion.hpp"

namespace cxm::inline v0_1::stats {

/// The difference a − b of two groups with its test of "no difference".
struct comparison {
  estimate difference;                                         ///< a − b with SE and interval
  double statistic = std::numeric_limits<double>::quiet_NaN();  ///< z statistic; NaN when untestable
  double p_value = std::numeric_limits<double>::quiet_NaN();    ///< two-sided; NaN when untestable

  /// True when p_value < alpha (false when the p-value is NaN). Throws
  /// invalid_argument unless 0 < alpha < 1.
  [[nodiscard]] bool significant(double alpha = 0.05) const {
    if (!(alpha > 0.0 && alpha < 1.0)) {
      throw invalid_argument("significance level alpha must be in (0, 1), got " + std::to_string(alpha));
    }
    return p_value < alpha;
  }
};

/// MOVER ("method of variance estimates recovery") interval of a difference
/// a − b of two independent estimates from their own intervals (l_a, u_a),
/// (l_b, u_b) at `level` (Zou & Donner 2008, "Construction of confidence
/// limits about effect measures: a general approach", Statistics in Medicine
/// 27:1693–1702; Newcombe's method 10 is its case with Wilson intervals):
///   L = (a − b) − √((a − l_a)² + (u_b − b)²)
///   U = (a − b) + √((u_a − a)² + (b − l_b)²)
/// clipped to [lowest, highest], the range the difference can take.
[[nodiscard]] inline interval mover_interval(double a, const interval& ia, double b, const interval& ib, double level,
                                             double lowest, double highest, interval_method method) {
  const double d = a - b;
  const double lo = d - std::sqrt((a - ia.lower) * (a - ia.lower) + (ib.upper - b) * (ib.upper - b));
  const double hi = d + std::sqrt((ia.upper - a) * (ia.upper - a) + (b - ib.lower) * (b - ib.lower));
  return interval{std::clamp(lo, lowest, highest), std::clamp(hi, lowest, highest), level, method};
}

namespace detail {

/// The comparison when at least one side has no usable estimate.
[[nodiscard]] inline comparison untestable(const estimate& a, const estimate& b) {
  const std::uint64_t n = a.n() + b.n();
  const double n_eff = a.effective_n() + b.effective_n();
  comparison c;
  if (a.has_value() && b.has_value()) {
    const char* side = a.ok() ? "b" : "a";
    const auto& why = a.ok() ? b.note() : a.note();
    c.difference = estimate::insufficient(a.value() - b.value(), n, n_eff,
                                          std::string("group ") + side + " has no standard error: " + why);
  } else {
    const char* side = a.has_value() ? "b" : "a";
    const auto& why = a.has_value() ? b.note() : a.note();
    c.difference = estimate::no_data(n, std::string("group ") + side + " has no value: " + why);
  }
  return c;
}

/// Newcombe's hybrid score interval (method 10): MOVER from the two sides'
/// Wilson intervals, clipped to [−1, 1] against rounding.
[[nodiscard]] inline interval newcombe_interval(double p1, const interval& w1, double p2, const interval& w2,
                                                double level) {
  return mover_interval(p1, w1, p2, w2, level, -1.0, 1.0, interval_method::newcombe);
}

}  // namespace detail

/// Difference a − b of two independent estimates: SE √(se_a² + se_b²), Wald
/// interval at `level`, z test. See the header comment for sides without an
/// estimate and for zero SEs.
[[nodiscard]] inline comparison compare_estimates(const estimate& a, const estimate& b, double level = 0.95) {
  check_level(level);
  if (!a.ok() || !b.ok()) return detail::untestable(a, b);
  const double d = a.value() - b.value();
  const double se = std::hypot(a.se(), b.se());
  const std::uint64_t n = a.n() + b.n();
  const double n_eff = a.effective_n() + b.effective_n();
  comparison c;
  if (!(se > 0.0)) {
    c.difference = estimate::insufficient(d, n, n_eff, "both standard errors are zero; a Wald test needs a positive SE");
    return c;
  }
  const double z = z_for_level(level);
  c.difference = estimate(d, se, interval{d - z * se, d + z * se, level, interval_method::wald}, n, n_eff);
  c.statistic = d / se;
  c.p_value = two_sided_p(c.statistic);
  return c;
}

/// Difference p1 − p2 of x1/n1 and x2/n2 (see the header comment): Newcombe
/// interval at `level`, unpooled SE, pooled z test. n1 or n2 = 0 gives a
/// no_data difference. Throws invalid_argument when x > n on a side.
[[nodiscard]] inline comparison compare_proportions(std::uint64_t x1, std::uint64_t n1, std::uint64_t x2,
                                                    std::uint64_t n2, double level = 0.95) {
  check_level(level);
  if (x1 > n1) {
    throw invalid_argument("proportion comparison needs x <= n, got " + std::to_string(x1) + " > " +
                               std::to_string(n1),
                           at_field("group a"));
  }
  if (x2 > n2) {
    throw invalid_argument("proportion comparison needs x <= n, got " + std::to_string(x2) + " > " +
                               std::to_string(n2),
                           at_field("group b"));
  }
  if (n1 == 0 || n2 == 0) {
    comparison c;
    c.difference = estimate::no_data(n1 + n2, std::string("group ") + (n1 == 0 ? "a" : "b") + " has no responses");
    return c;
  }
  const double xa = static_cast<double>(x1);
  const double xb = static_cast<double>(x2);
  const double na = static_cast<double>(n1);
  const double nb = static_cast<double>(n2);
  const double p1 = xa / na;
  const double p2 = xb / nb;
  const double d = p1 - p2;
  const auto w1 = proportion_interval(xa, na, level, interval_method::wilson);
  const auto w2 = proportion_interval(xb, nb, level, interval_method::wilson);
  const double se = std::sqrt(p1 * (1.0 - p1) / na + p2 * (1.0 - p2) / nb);

  comparison c;
  c.difference = estimate(d, se, detail::newcombe_interval(p1, w1, p2, w2, level), n1 + n2, na + nb);
  const double pooled = (xa + xb) / (na + nb);
  const double var0 = pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb);
  if (var0 > 0.0) {
    c.statistic = d / std::sqrt(var0);
    c.p_value = two_sided_p(c.statistic);
  } else {  // both sides all 0 or all 1: d is 0
    c.statistic = 0.0;
    c.p_value = 1.0;
  }
  return c;
}

/// Difference of two weighted proportions, each given as the totals of its
/// successes and of all its responses (see the header comment). Throws
/// invalid_argument when the successes are not a subset of all responses.
[[nodiscard]] inline comparison compare_proportions(const bin_totals& hit1, const bin_totals& all1,
                                                    const bin_totals& hit2, const bin_totals& all2,
                                                    double level = 0.95) {
  check_level(level);
  const proportion_options opt{level, interval_method::wilson};
  const auto a = proportion(hit1, all1, opt);
  const auto b = proportion(hit2, all2, opt);
  if (!a.ok() || !b.ok()) return detail::untestable(a, b);
  const double p1 = a.value();
  const double p2 = b.value();
  const double d = p1 - p2;
  const double se = std::hypot(a.se(), b.se());

  comparison c;
  c.difference = estimate(d, se, detail::newcombe_interval(p1, *a.ci(), p2, *b.ci(), level), a.n() + b.n(),
                          a.effective_n() + b.effective_n());
  if (se > 0.0) {
    c.statistic = d / se;
    c.p_value = two_sided_p(c.statistic);
  } else if (d == 0.0) {
    c.statistic = 0.0;
    c.p_value = 1.0;
  } else {  // one side all 0, the other all 1: pooled variance on the effective sizes
    const double na = a.effective_n();
    const double nb = b.effective_n();
    const double pooled = (p1 * na + p2 * nb) / (na + nb);
    c.statistic = d / std::sqrt(pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb));
    c.p_value = two_sided_p(c.statistic);
  }
  return c;
}

}  // namespace cxm::stats
