// Intervals for one net score (NPS, or "high share minus low share" of any
// scale): the Tango score interval and the Student t interval.
//
// A net score θ = p_pro − p_det is the mean of y = +1 (promoter), 0
// (passive), −1 (detractor) under a trinomial sample with class counts
// (x_det, x_pas, x_pro), n = x_det + x_pas + x_pro, θ̂ = (x_pro − x_det)/n.
// Everything here is on the −1…1 scale (metrics/nps.hpp reports points,
// ×100). Counts may be fractional: for weighted data pass Kish's effective
// counts ñ·p̂_k, which treats the weighted sample as a simple random sample
// of size ñ (an approximation, as for the other NPS intervals).
//
// The per-response variance of y, Σ(y − θ̂)²/n = p̂_pro + p̂_det − θ̂², is
// computed in the equivalent form free of cancellation
//   (x_pro·(1 − θ̂)² + x_pas·θ̂² + x_det·(1 + θ̂)²)/n,
//   1 − θ̂ = (x_pas + 2x_det)/n,  1 + θ̂ = (x_pas + 2x_pro)/n,
// so that a sample of nearly one class keeps its digits at n ≥ 10⁹.
//
// TANGO SCORE INTERVAL (Tango 1998, "Equivalence test and confidence interval
// for the difference in proportions for the paired-sample design", Statistics
// in Medicine 17:891–908; applied to the NPS by Rocks 2016, "Interval
// Estimation for the 'Net Promoter Score'", The American Statistician
// 70(4):365–372, whose comparison found it among the best). NPS is Tango's
// paired difference with the promoters as one discordant cell (b), the
// detractors as the other (c) and the passives as the concordant pairs.
//   The score statistic of H0: θ = d is
//     Z(d) = (x_pro − x_det − n·d) / √(n·V(d)),   V(d) = 2q̃(d) + d(1 − d),
//   where q̃(d) is the maximum-likelihood detractor share under the
//   restriction p_pro − p_det = d, and V(d) = p_pro + p_det − d² the variance
//   of y there. Derivation of q̃: with p_det = q, p_pro = q + d,
//   p_pas = 1 − 2q − d the log-likelihood is
//     x_pro·log(q + d) + x_pas·log(1 − 2q − d) + x_det·log q;
//   setting its derivative in q to zero and multiplying by q(q + d)(1 − 2q − d)
//   gives the quadratic (Tango 1998, §2, in the notation b = x_pro, c = x_det)
//     2n·q² + B·q + C = 0,   B = (2n − x_pro + x_det)·d − x_pro − x_det,
//                            C = −x_det·d·(1 − d).
//   C ≤ 0 on −1 ≤ d ≤ 1, so the product of the roots is ≤ 0 and exactly one
//   root is non-negative:
//     q̃ = (√(B² − 8nC) − B)/(4n),  computed as −2C/(√(B² − 8nC) + B) when
//   B > 0 (the same number without cancellation), in shares (B, C divided
//   by n) and kept inside the feasible range max(0, −d) ≤ q ≤ (1 − d)/2
//   against rounding.
//   The interval is {d : |Z(d)| ≤ z}, z = Φ⁻¹(1 − α/2). Z is +∞ at d = −1
//   (unless every response is a detractor), 0 at d = θ̂ and −∞ at d = 1,
//   and falls in between (tests/intervals_test.cpp checks on grids of d that
//   the interval is exactly the set with |Z| ≤ z), so the limits are the roots
//     L on [−1, θ̂] of √n(θ̂ − d) − z√V(d)   (Z(L) = +z),
//     U on [θ̂, 1] of √n(θ̂ − d) + z√V(d)   (Z(U) = −z),
//   functions that stay finite where V vanishes (d = ±1). Each is found by
//   the TOMS 748 bracketing root finder (Alefeld, Potra & Shi 1995;
//   Boost.Math toms748_solve) to a bracket of 10⁻¹⁶ (or four units in the
//   last place), and the end of the bracket inside the interval is
//   returned: |Z| ≤ z holds at both limits, to the last bits of a double.
//   Edges, where V(θ̂) = 0 and Z has a closed form:
//     all promoters:  q̃ = (1 − d)/2, V = (1 − d)(1 + d), Z² = n(1 − d)/(1 + d):
//                     L = (n − z²)/(n + z²), U = 1;
//     all detractors: the mirror image, L = −1, U = −(n − z²)/(n + z²);
//     all passives:   q̃ = max(−d, 0), V = |d|(1 − |d|), Z² = n|d|/(1 − |d|):
//                     L = −z²/(n + z²), U = z²/(n + z²).
//   So the interval is defined from n = 1 on (a single response is one of
//   these cases).
//
// STUDENT t INTERVAL on the scores −1/0/+1 (the "trinomial means" interval
// of Rocks 2016 and of Lewis & Sauro 2021, MeasuringU):
//   s² = Σ(y − θ̂)²/(n − 1),  SE = s/√n,  θ̂ ± t_{1−α/2, n−1}·SE,
// clipped to [−1, 1]. One response (n < 2) has no t interval: the estimate
// is insufficient (value θ̂, no SE). A sample of one class has s = 0 and a
// zero-width interval (status ok).
//
// The estimates (net_score_tango, net_score_t) report θ̂; net_score_tango's
// SE is the sample's Wald SE √(Σ(y − θ̂)²/n²), as for the adjusted Wald NPS
// interval. Their n is the total count rounded and their effective n the
// total itself. Counts must be finite and ≥ 0; an empty sample gives
// estimate::no_data() (the interval functions throw instead: they need n > 0).
//
// Header: cxmetrics/stats/net_score.hpp. Complexity: Tango a few dozen
// evaluations of the closed-form q̃ per limit, t O(1).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/export.hpp"
#include "cxmetrics/stats/distributions.hpp"

namespace cxm::inline v0_1::stats {

/// Class counts of a net score: detractors (−1), passives (0), promoters
/// (+1). Unweighted data: the counts; weighted data: effective counts.
struct net_counts {
  [[nodiscard]] double total() const noexcept { return detractors + passives + promoters; }
  /// θ̂ = (promoters − detractors)/total; NaN when the total is 0.
  [[nodiscard]] double score() const noexcept {
    const double n = total();
    return n > 0.0 ? (promoters - detractors) / n : std::numeric_limits<double>::quiet_NaN();
  }
  friend bool operator==(const net_counts&, const net_counts&) = default;

  double detractors = 0.0;
  double passives = 0.0;
  double promoters = 0.0;
};

namespace detail {

/// Throws invalid_argument naming `what` unless every count is finite and >= 0.
inline void check_net_counts(const net_counts& c, const char* what) {
  const auto bad = [](double x) { return !(x >= 0.0 && std::isfinite(x)); };
  if (bad(c.detractors) || bad(c.passives) || bad(c.promoters)) {
    throw invalid_argument(std::string(what) + " needs finite, non-negative class counts, got detractors = " +
                           std::to_string(c.detractors) + ", passives = " + std::to_string(c.passives) +
                           ", promoters = " + std::to_string(c.promoters));
  }
}

/// Throws invalid_argument naming `what` unless the counts are usable and their total is > 0.
inline double checked_total(const net_counts& c, const char* what) {
  check_net_counts(c, what);
  const double n = c.total();
  if (!(n > 0.0)) throw invalid_argument(std::string(what) + " needs at least one response");
  return n;
}

/// Σ(y − ȳ)²/n of scores −1/0/+1 with class weights (det, pas, pro), n > 0,
/// in the form free of cancellation (see the header comment).
[[nodiscard]] inline double net_variance(double det, double pas, double pro) noexcept {
  const double n = det + pas + pro;
  const double theta = (pro - det) / n;
  const double one_minus = (pas + 2.0 * det) / n;
  const double one_plus = (pas + 2.0 * pro) / n;
  return (pro * one_minus * one_minus + pas * theta * theta + det * one_plus * one_plus) / n;
}

[[nodiscard]] inline double net_variance(const net_counts& c) noexcept {
  return net_variance(c.detractors, c.passives, c.promoters);
}

/// The response count reported for a (possibly fractional) total.
[[nodiscard]] inline std::uint64_t responses_of(double total) noexcept {
  constexpr double top = 18446744073709551616.0;  // 2^64
  return total >= top ? std::numeric_limits<std::uint64_t>::max() : static_cast<std::uint64_t>(std::round(total));
}

/// q̃(d) in shares: promoters p, detractors m (see the header comment).
[[nodiscard]] inline double tango_q(double p, double m, double d) noexcept {
  const double b = (2.0 - p + m) * d - p - m;
  const double c = -m * d * (1.0 - d);
  const double root = std::sqrt(std::max(b * b - 8.0 * c, 0.0));
  const double q = b > 0.0 ? -2.0 * c / (root + b) : (root - b) / 4.0;
  return std::clamp(q, std::max(0.0, -d), (1.0 - d) / 2.0);
}

/// V(d) = 2q̃(d) + d(1 − d), clipped at 0 against rounding.
[[nodiscard]] inline double tango_v(double p, double m, double d) noexcept {
  return std::max(2.0 * tango_q(p, m, d) + d * (1.0 - d), 0.0);
}

}  // namespace detail

/// q̃(d): the maximum-likelihood detractor share under p_pro − p_det = d
/// (the restricted MLE of the Tango score statistic). Throws invalid_argument
/// for unusable counts, an empty sample or d outside [−1, 1].
[[nodiscard]] inline double tango_detractor_share(const net_counts& c, double d) {
  const double n = detail::checked_total(c, "Tango's restricted estimate");
  if (!(d >= -1.0 && d <= 1.0)) {
    throw invalid_argument("Tango's restricted estimate needs -1 <= d <= 1, got " + std::to_string(d));
  }
  return detail::tango_q(c.promoters / n, c.detractors / n, d);
}

/// Tango's score statistic Z(d) of H0: θ = d (positive when θ̂ > d); ±∞
/// where V(d) = 0 and θ̂ ≠ d, 0 at θ̂ = d. Throws as tango_detractor_share.
[[nodiscard]] inline double tango_statistic(const net_counts& c, double d) {
  const double n = detail::checked_total(c, "Tango's score statistic");
  if (!(d >= -1.0 && d <= 1.0)) {
    throw invalid_argument("Tango's score statistic needs -1 <= d <= 1, got " + std::to_string(d));
  }
  const double p = c.promoters / n;
  const double m = c.detractors / n;
  const double num = std::sqrt(n) * ((c.promoters - c.detractors) / n - d);
  const double v = detail::tango_v(p, m, d);
  if (v > 0.0) return num / std::sqrt(v);
  if (num == 0.0) return 0.0;
  return num > 0.0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

/// Tango score interval of the net score on −1…1 at `level` (see the header
/// comment). Throws invalid_argument for a bad level, unusable counts or an
/// empty sample. Compiled (src/stats/net_score.cpp): the root finder is
/// Boost.Math's, a private dependency of the library.
[[nodiscard]] CXMETRICS_API interval tango_interval(const net_counts& c, double level = 0.95);

/// θ̂ with the sample's Wald SE and the Tango score interval at `level`;
/// an empty sample gives estimate::no_data(). Throws invalid_argument for a
/// bad level or unusable counts.
[[nodiscard]] inline estimate net_score_tango(const net_counts& c, double level = 0.95) {
  check_level(level);
  detail::check_net_counts(c, "Tango's score interval");
  const double n = c.total();
  if (!(n > 0.0)) return estimate::no_data();
  const double se = std::sqrt(detail::net_variance(c) / n);
  return estimate(c.score(), se, tango_interval(c, level), detail::responses_of(n), n);
}

/// θ̂ with SE s/√n and the Student t interval at `level` (n − 1 degrees of
/// freedom), clipped to [−1, 1]; insufficient when n < 2, no_data when
/// empty. Throws invalid_argument for a bad level or unusable counts.
[[nodiscard]] inline estimate net_score_t(const net_counts& c, double level = 0.95) {
  check_level(level);
  detail::check_net_counts(c, "the t interval of a net score");
  const double n = c.total();
  if (!(n > 0.0)) return estimate::no_data();
  const double theta = c.score();
  if (n < 2.0) {
    return estimate::insufficient(theta, detail::responses_of(n), n, "a t interval needs at least 2 responses");
  }
  const double se = std::sqrt(detail::net_variance(c) / (n - 1.0));
  const double half = t_for_level(level, n - 1.0) * se;
  return estimate(theta, se,
                  interval{std::max(theta - half, -1.0), std::min(theta + half, 1.0), level, interval_method::t},
                  detail::responses_of(n), n);
}

}  // namespace cxm::stats
