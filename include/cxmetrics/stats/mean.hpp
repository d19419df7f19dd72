// Mean of a score histogram with a Student t interval (CSAT and CES means,
// mean likelihood-to-recommend).
//
// Unweighted (n responses x_i):
//   mean  x̄ = Σx/n
//   SD    s  = √(Σ(x − x̄)²/(n − 1))          (sample SD, n − 1 divisor)
//   SE    s/√n
//   CI    x̄ ± t_{1−α/2, n−1}·SE             (Student 1908)
//
// Weighted (c.weighted(); per bin b: score x_b, Σw_b, Σw²_b): the mean
// m = Σ_b x_b·Σw_b / Σw (Hájek / ratio mean) with the one weighted SE of
// stats/weighted_se.hpp: by default the linearised with-replacement SE of R's
// survey::svymean,
//   SE² = n/(n − 1) · Σ_b (x_b − m)²·Σw²_b / (Σw)²,   CI m ± t_{1−α/2, n−1}·SE,
// or Kish's approximation (s at the effective n ñ = (Σw)²/Σw², t with ñ − 1
// degrees of freedom). With every weight equal both give the unweighted mean,
// SE and interval. Responses of weight 0 count in n (as units outside a
// domain do in survey), so they change the SE by the factor n/(n − 1). The
// interval is clipped to the scale's range.
//
// Edge cases:
//   n = 0                          → estimate::no_data()
//   weighted, Σw = 0               → no_data, note "all weights are zero"
//   n = 1 (weighted: also ñ = 1)   → insufficient: the value but no SE or
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
#include "cxmetrics/stats/weighted_se.hpp"

namespace cxm::inline v0_1::stats {

/// Mean score of `c` with a Student t interval at `level` (see the header
/// comment for the weighted case, where `se` chooses the SE, and the edge
/// cases). Throws invalid_argument unless 0 < level < 1.
[[nodiscard]] inline estimate mean_t(const score_counts& c, double level = 0.95,
                                     weighted_se se = weighted_se::linearized) {
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

  return weighted_mean(c, {level, se, interval_method::t});
}

}  // namespace cxm::stats
