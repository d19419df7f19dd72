// Standard errors of weighted estimates: one definition for every metric.
//
// Every weighted figure of the library is a weighted mean of scores y (a
// proportion is the mean of y ∈ {0, 1}, a net score of y ∈ {−1, 0, +1}, a
// CSAT or CES mean of the scale points), the ratio (Hájek) estimator
//   m = Σ w_i·y_i / Σ w_i.
// Its standard error has one definition here, chosen by weighted_se:
//
// weighted_se::linearized (the default): the design-based, with-replacement,
// Taylor-linearised estimator (Woodruff 1971; Wolter 2007, "Introduction to
// Variance Estimation", 2nd ed., ch. 6), each response its own primary
// sampling unit. With the linearised values z_i = w_i·(y_i − m)/Σw (their
// sum is 0) and n responses,
//   V = n/(n − 1) · Σ_i z_i² = n/(n − 1) · Σ_b (y_b − m)²·Σw²_b / (Σw)²,
// the second form per histogram bin b (score y_b, Σw_b, Σw²_b: what
// core/counts.hpp keeps). This is the variance R's survey::svymean reports
// for svydesign(ids = ~1, weights = ~w) (Lumley 2004, "Analysis of complex
// survey samples", Journal of Statistical Software 9(8)): its one-stage
// with-replacement estimator is n/(n − 1)·Σ(z_i − z̄)² over the n sampling
// units. Zero-weight responses count in n, as units outside a domain do in
// survey (they add nothing to Σw or Σw²).
//
// weighted_se::kish: Kish's approximate SE, the unweighted formula s/√n at
// Kish's effective sample size ñ = (Σw)²/Σw² (Kish 1992, "Weighting for
// unequal P_i", Journal of Official Statistics 8(2):183–200: the design
// effect of weighting is n/ñ = 1 + CV² of the weights):
//   σ̂² = Σ w_i·(y_i − m)²/Σw,   SE² = σ̂²/(ñ − 1)   (= s²/ñ with s² = σ̂²·ñ/(ñ − 1)).
// It ignores how the weights go with the scores, which the linearised
// estimator does not.
//
// Both give s/√n, the unweighted t-interval SE with its n − 1 divisor, when
// every weight is the same (Σw² = (Σw)²/n, ñ = n); the n/(n − 1) factor is
// what makes the weighted NPS and the weighted mean agree with each other
// and with their unweighted forms.
//
// Interval (weighted_options::method): wald, m ± z·SE; or t, m ± t_df·SE
// with df = n − 1 (linearized: survey's design degrees of freedom) or ñ − 1
// (kish). Clipped to the range of the scores given (0…1 for a proportion,
// −1…1 for a net score, the scale for a mean).
//
// Edge cases:
//   n = 0                                → estimate::no_data()
//   Σw = 0                               → no_data, note "all weights are zero"
//   n < 2, or ñ ≤ 1 (all the weight on   → insufficient: the value, no SE or
//     one response)                         interval (survey would give SE 0)
//   all weight on one score              → SE 0, zero-width interval, ok
// The estimate's n is the number of responses and its effective n Kish's ñ.
//
// Header: cxmetrics/stats/weighted_se.hpp. Complexity: O(points).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/stats/distributions.hpp"

namespace cxm::inline v0_1::stats {

/// Which standard error a weighted estimate carries (see the header comment).
enum class weighted_se : std::uint8_t {
  linearized = 0,  ///< design-based, with replacement, linearised, n/(n − 1) (survey::svymean)
  kish = 1,        ///< Kish's approximation: the unweighted SE at the effective n
};

[[nodiscard]] constexpr const char* to_string(weighted_se s) noexcept {
  return s == weighted_se::kish ? "kish" : "linearized";
}

/// The weighted_se whose to_string is `name`, or nullopt.
[[nodiscard]] constexpr std::optional<weighted_se> weighted_se_from(std::string_view name) noexcept {
  if (name == "linearized") return weighted_se::linearized;
  if (name == "kish") return weighted_se::kish;
  return std::nullopt;
}

struct weighted_options {
  double level = 0.95;
  weighted_se se = weighted_se::linearized;
  interval_method method = interval_method::wald;  ///< wald or t
  friend bool operator==(const weighted_options&, const weighted_options&) = default;
};

/// One score with the totals (n, Σw, Σw²) of the responses that gave it.
struct weighted_point {
  double y = 0.0;
  bin_totals totals;
};

/// Weighted mean of `points` with the SE and interval chosen by `opt` (see
/// the header comment). Throws invalid_argument for a bad level, a method
/// other than wald or t or a non-finite score; invalid_weight for weight
/// totals that are negative or not finite; invalid_argument when Σw > 0
/// comes with no responses or Σw² = 0.
[[nodiscard]] inline estimate weighted_mean(std::span<const weighted_point> points, const weighted_options& opt = {}) {
  check_level(opt.level);
  if (opt.method != interval_method::wald && opt.method != interval_method::t) {
    throw invalid_argument(std::string("'") + to_string(opt.method) +
                           "' is not an interval method of a weighted mean (use wald or t)");
  }
  std::uint64_t n = 0;
  double w = 0.0;
  double w2 = 0.0;
  double wy = 0.0;
  double y_lo = std::numeric_limits<double>::infinity();
  double y_hi = -y_lo;
  for (const auto& pt : points) {
    if (!std::isfinite(pt.y)) throw invalid_argument("weighted mean needs finite scores, got " + std::to_string(pt.y));
    check_weight_sum(pt.totals.w, at_field("sum_w"));
    check_weight_sum(pt.totals.w2, at_field("sum_w2"));
    n += pt.totals.n;
    w += pt.totals.w;
    w2 += pt.totals.w2;
    wy += pt.y * pt.totals.w;
    y_lo = std::min(y_lo, pt.y);
    y_hi = std::max(y_hi, pt.y);
  }
  if (n == 0) {
    if (w > 0.0) throw invalid_argument("weighted mean has a positive sum of weights but no responses");
    return estimate::no_data();
  }
  if (!(w > 0.0)) return estimate::no_data(n, "all weights are zero");
  if (!(w2 > 0.0)) throw invalid_argument("weighted mean has a positive sum of weights but no sum of squares");
  const double m = std::clamp(wy / w, y_lo, y_hi);
  const double n_eff = w * (w / w2);
  if (n < 2) return estimate::insufficient(m, n, n_eff, "a weighted standard error needs at least 2 responses");
  if (!(n_eff > 1.0 + 1e-12)) {
    return estimate::insufficient(m, n, n_eff,
                                  "a weighted standard error needs the weight spread over at least 2 responses "
                                  "(Kish's effective n is 1)");
  }
  double lin = 0.0;  // Σ (y − m)²·Σw²
  double pop = 0.0;  // Σ (y − m)²·Σw
  for (const auto& pt : points) {
    const double e = pt.y - m;
    lin += e * e * pt.totals.w2;
    pop += e * e * pt.totals.w;
  }
  const double nd = static_cast<double>(n);
  const bool kish = opt.se == weighted_se::kish;
  const double var = kish ? pop / w / (n_eff - 1.0) : lin / (w * w) * (nd / (nd - 1.0));
  const double se = std::sqrt(var);
  const double crit = opt.method == interval_method::t ? t_for_level(opt.level, kish ? n_eff - 1.0 : nd - 1.0)
                                                       : z_for_level(opt.level);
  const double half = crit * se;
  return estimate(m, se, interval{std::max(m - half, y_lo), std::min(m + half, y_hi), opt.level, opt.method}, n,
                  n_eff);
}

/// Weighted mean score of a histogram (every bin of its scale; unweighted
/// counts count as weight 1).
[[nodiscard]] inline estimate weighted_mean(const score_counts& c, const weighted_options& opt = {}) {
  std::vector<weighted_point> points(c.bins());
  for (std::size_t b = 0; b < c.bins(); ++b) {
    points[b] = weighted_point{static_cast<double>(c.scale_of().score_of(b)),
                               bin_totals{c.count(b), c.weight(b), c.weight_sq(b)}};
  }
  return weighted_mean(points, opt);
}

/// Weighted proportion Σw(hit)/Σw(all) of the responses `hit` among `all`.
/// Throws invalid_argument when `hit` is not a subset of `all`.
[[nodiscard]] inline estimate weighted_proportion(const bin_totals& hit, const bin_totals& all,
                                                  const weighted_options& opt = {}) {
  if (hit.n > all.n || hit.w > all.w * (1 + 1e-12) || hit.w2 > all.w2 * (1 + 1e-12)) {
    throw invalid_argument("weighted proportion needs the successes to be a subset of all responses");
  }
  // The other responses; none at all when every response is a success (the
  // differences of the sums would then be rounding only).
  const bin_totals miss = hit.n == all.n ? bin_totals{}
                                         : bin_totals{all.n - hit.n, std::max(all.w - hit.w, 0.0),
                                                      std::max(all.w2 - hit.w2, 0.0)};
  const weighted_point points[] = {{0.0, miss}, {1.0, hit}};
  return weighted_mean(points, opt);
}

/// Weighted net score on −1…1 from the totals of the low (detractor, −1),
/// middle (passive, 0) and high (promoter, +1) classes (score_counts::low(),
/// middle(), high()).
[[nodiscard]] inline estimate weighted_net_score(const bin_totals& low, const bin_totals& middle,
                                                 const bin_totals& high, const weighted_options& opt = {}) {
  const weighted_point points[] = {{-1.0, low}, {0.0, middle}, {1.0, high}};
  return weighted_mean(points, opt);
}

}  // namespace cxm::stats
