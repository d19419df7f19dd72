// Comparing two proportions measured on the same units: the share of
// contacts an agent rates top box against the share the customers of the
// same contacts do, a rate before and after on the same customers.
//
// The n units fall into a paired 2 × 2 table
//
//                      second yes   second no
//     first yes            a            b
//     first no             c            d
//
// with p1 = (a + b)/n, p2 = (a + c)/n and the difference δ = p1 − p2 =
// (b − c)/n. The two shares come from the same units, so they are
// correlated (usually positively: a contact both sides rate well is common),
// and the interval of two independent proportions (stats/compare.hpp) has
// the wrong width: too wide when the correlation is positive, too narrow
// when it is negative.
//
//   interval  Newcombe's hybrid score interval for paired data (Newcombe
//             1998, "Improved confidence intervals for the difference
//             between binomial proportions based on paired data",
//             Statistics in Medicine 17:2635–2650, method 10): with the
//             Wilson intervals (l1, u1) of p1 and (l2, u2) of p2 (each on
//             n) and φ the phi coefficient of the table,
//               φ = (ad − bc)/√((a + b)(c + d)(a + c)(b + d)), 0 when a
//                   margin is 0,
//               L = δ − √((p1 − l1)² − 2φ(p1 − l1)(u2 − p2) + (u2 − p2)²)
//               U = δ + √((u1 − p1)² − 2φ(u1 − p1)(p2 − l2) + (p2 − l2)²)
//             clipped to [−1, 1]; φ = 0 gives Newcombe's interval of two
//             independent proportions (method 10 of his companion paper).
//             The plain φ is method 10's; the continuity-corrected method 11
//             replaces ad − bc by max(ad − bc − n/2, 0) when ad > bc.
//   SE        the Wald SE of a paired difference, √(b + c − (b − c)²/n)/n
//   test      McNemar's z = (b − c)/√(b + c), two-sided normal p-value: the
//             p-value of R's mcnemar.test(matrix(c(a, c, b, d), 2),
//             correct = FALSE), whose X² is z². With b + c = 0 (δ = 0) the
//             statistic is 0 and p = 1.
//
// n = 0 gives a no_data difference. The n of the difference is n (the
// units, counted once), not 2n.
//
// Header: cxmetrics/stats/paired_proportions.hpp. Complexity: O(1).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/stats/compare.hpp"
#include "cxmetrics/stats/distributions.hpp"
#include "cxmetrics/stats/proportion.hpp"

namespace cxm::inline v0_1::stats {

/// The phi coefficient of the paired table (a, b; c, d), 0 when a margin is 0.
[[nodiscard]] inline double paired_phi(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
  const double ad = static_cast<double>(a) * static_cast<double>(d);
  const double bc = static_cast<double>(b) * static_cast<double>(c);
  const double margins = static_cast<double>(a + b) * static_cast<double>(c + d) * static_cast<double>(a + c) *
                         static_cast<double>(b + d);
  return margins > 0.0 ? (ad - bc) / std::sqrt(margins) : 0.0;
}

/// Difference p1 − p2 of two proportions on the same units, from the paired
/// table a (both), b (first only), c (second only), d (neither): Newcombe's
/// paired interval (method 10) at `level`, the paired Wald SE and McNemar's
/// z test (see the header comment). Throws invalid_argument for a bad level
/// or counts whose total overflows.
[[nodiscard]] inline comparison compare_paired_proportions(std::uint64_t a, std::uint64_t b, std::uint64_t c,
                                                           std::uint64_t d, double level = 0.95) {
  check_level(level);
  const std::uint64_t n = a + b + c + d;
  if (n < a || n - a < b || n - a - b < c) throw invalid_argument("paired table counts overflow");
  comparison out;
  if (n == 0) {
    out.difference = estimate::no_data(0, "no paired units");
    return out;
  }
  const double nd = static_cast<double>(n);
  const double x1 = static_cast<double>(a + b);
  const double x2 = static_cast<double>(a + c);
  const double p1 = x1 / nd;
  const double p2 = x2 / nd;
  const double bd = static_cast<double>(b);
  const double cd = static_cast<double>(c);
  const double delta = (bd - cd) / nd;
  const interval w1 = proportion_interval(x1, nd, level, interval_method::wilson);
  const interval w2 = proportion_interval(x2, nd, level, interval_method::wilson);
  const double phi = paired_phi(a, b, c, d);
  const double dl1 = p1 - w1.lower, du1 = w1.upper - p1;
  const double dl2 = p2 - w2.lower, du2 = w2.upper - p2;
  const double lo = delta - std::sqrt(std::max(dl1 * dl1 - 2.0 * phi * dl1 * du2 + du2 * du2, 0.0));
  const double hi = delta + std::sqrt(std::max(du1 * du1 - 2.0 * phi * du1 * dl2 + dl2 * dl2, 0.0));
  const double se = std::sqrt(std::max(bd + cd - (bd - cd) * (bd - cd) / nd, 0.0)) / nd;
  out.difference = estimate(delta, se,
                            interval{std::clamp(lo, -1.0, 1.0), std::clamp(hi, -1.0, 1.0), level,
                                     interval_method::newcombe},
                            n, nd);
  if (b + c > 0) {
    out.statistic = (bd - cd) / std::sqrt(bd + cd);
    out.p_value = two_sided_p(out.statistic);
  } else {
    out.statistic = 0.0;
    out.p_value = 1.0;
  }
  return out;
}

}  // namespace cxm::stats
