// Mean of a score histogram with a Student t interval (CSAT and CES means,
// mean likelihood-to-recommend).
//
// Unweighted (n responses x_i):
//   mean  x̄ = Σx/n
//   SD    s  = √(Σ(x − x̄)²/(n − 1))          (sample SD, n − 1 divisor)
//   SE    s/√n
//   CI    x̄ ± t_{1−α/2, n−1}·SE             (Student 1908)
//
// Weighted (c.weighted(); per bin b: score x_b, Σw_b, Σw²_b):
//   mean  m = Σ_b x_b·Σw_b / Σw               (Hájek / ratio mean)
//   V_lin = Σ_b (x_b − m)²·Σw²_b / (Σw)²       (Taylor linearisation of the
//                                              ratio, Woodruff 1971; Wolter
//                                              2007, "Introduction to Variance
//                                              Estimation", ch. 6)
//   SE    √(V_lin · ñ/(ñ − 1)),  ñ = (Σw)²/Σw² (Kish's effective n)
//   CI    m ± t_{1−α/2, ñ−1}·SE
//
// Choice for the weighted SE: with every weight 1, V_lin = Σ(x − x̄)²/n² =
// s²_MLE/n, the SE with the n divisor, which is smaller than the usual s/√n
// by the factor √((n − 1)/n). The with-replacement survey estimator corrects
// this with n/(n − 1) (Cochran 1977, "Sampling Techniques", §2.11; R's
// survey::svymean does the same); we use Kish's ñ/(ñ − 1) in its place
// because a histogram does not record how many responses had positive
// weight. Consequences, both tested:
//   * weights all equal to any c > 0 give exactly the unweighted mean and SE;
//   * zero-weight responses change neither value nor SE (they add nothing to
//     Σw or Σw²), so the result equals the unweighted one on the
//     positive-weight responses when those share one weight.
//
// Edge cases:
//   n = 0                          → estimate::no_data()
//   weighted, Σw = 0               → no_data, note "all weights are zero"
//   n = 1 (weighted: ñ < 2)        → insufficient: the value but no SE or
//                                    interval (t needs at least 1 degree of
//                                    freedom)
//   all responses equal (s = 0)    → status ok, SE 0, zero-width interval
//
// Header: cxmetrics/stats/mean.hpp. Complexity: O(points).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <cstdint>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/stats/distributions.hpp"

namespace cxm::inline v0_1::stats {

/// Mean score of `c` with a Student t interval at `level` (see the header
/// comment for the weighted case and edge cases). Throws invalid_argument
/// unless 0 < level < 1.
[[nodiscard]] inline estimate mean_t(const score_counts& c, double level = 0.95) {
  check_level(level);
  const std::uint64_t n = c.count();
  if (n == 0) return estimate::no_data();
  const auto& sc = c.scale_of();
  const std::size_t bins = c.bins();

  if (!c.weighted()) {
    const double nd = static_cast<double>(n);
    double sum = 0.0;
    for (std::size_t b = 0; b < bins; ++b) sum += static_cast<double>(sc.score_of(b)) * static_cast<double>(c.count(b));
    const double mean = sum / nd;
    if (n == 1) return estimate::insufficient(mean, n, nd, "a t interval needs at least 2 responses");
    double ss = 0.0;  // Σ(x − x̄)², second pass for accuracy
    for (std::size_t b = 0; b < bins; ++b) {
      const double d = static_cast<double>(sc.score_of(b)) - mean;
      ss += d * d * static_cast<double>(c.count(b));
    }
    const double se = std::sqrt(ss / (nd - 1.0) / nd);
    const double half = t_for_level(level, nd - 1.0) * se;
    return estimate(mean, se, interval{mean - half, mean + half, level, interval_method::t}, n, nd);
  }

  const auto tot = c.total();
  if (!(tot.w > 0.0)) return estimate::no_data(n, "all weights are zero");
  double sum = 0.0;
  for (std::size_t b = 0; b < bins; ++b) sum += static_cast<double>(sc.score_of(b)) * c.weight(b);
  const double mean = sum / tot.w;
  const double n_eff = tot.w * tot.w / tot.w2;
  // ñ >= 2 gives at least one degree of freedom; the tolerance lets equal
  // weights (ñ = 2 up to rounding) through.
  if (n_eff < 2.0 * (1.0 - 1e-12)) {
    return estimate::insufficient(mean, n, n_eff,
                                  "a t interval needs an effective sample size of at least 2, got " +
                                      std::to_string(n_eff));
  }
  double v = 0.0;  // Σ (x_b − m)²·Σw²_b
  for (std::size_t b = 0; b < bins; ++b) {
    const double d = static_cast<double>(sc.score_of(b)) - mean;
    v += d * d * c.weight_sq(b);
  }
  const double df = std::max(n_eff - 1.0, 1.0);
  const double se = std::sqrt(v / (tot.w * tot.w) * n_eff / df);
  const double half = t_for_level(level, df) * se;
  return estimate(mean, se, interval{mean - half, mean + half, level, interval_method::t}, n, n_eff);
}

}  // namespace cxm::stats
