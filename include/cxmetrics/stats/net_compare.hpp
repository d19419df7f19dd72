// The difference A − B of two independent net scores (NPS of two channels,
// periods, agents), on −2…2 (metrics report points, ×100). The sign is
// always A minus B: a positive difference means A scores higher.
//
// compare_net_adjusted_wald(a, b)   adjusted-Wald difference and z test
//   (Rocks 2016, "Interval Estimation for the 'Net Promoter Score'", The
//   American Statistician 70(4):365–372; the two-sample form is the test of
//   Lewis & Sauro 2021, MeasuringU, "How to Statistically Compare Two Net
//   Promoter Scores"). Each sample gets its pseudo-observations, ¾
//   detractor, 1½ passive and ¾ promoter (3 in all; the split of metrics/
//   nps.hpp's one-sample interval):
//     ñ = n + 3,  p̃_det = (x_det + ¾)/ñ,  p̃_pro = (x_pro + ¾)/ñ,
//     θ̃ = p̃_pro − p̃_det,  ṽ = (p̃_pro + p̃_det − θ̃²)/ñ
//   (ṽ computed in the cancellation-free form of stats/net_score.hpp). Then
//     Δ̃ = θ̃_A − θ̃_B,  SE = √(ṽ_A + ṽ_B),  z = Δ̃/SE,  p = 2(1 − Φ(|z|)),
//     interval Δ̃ ± z_{1−α/2}·SE, clipped to [−2, 2].
//   The difference estimate holds Δ̃ (the adjusted difference, not the raw
//   θ̂_A − θ̂_B) with that SE; the pseudo-observations make SE > 0 always, so
//   z and p are defined whenever both samples have a response.
//
// compare_net_mover(a, b)   MOVER interval from the two Tango intervals
//   (Zou & Donner 2008, Statistics in Medicine 27:1693–1702; the same
//   construction as Newcombe's method 10 for proportions, stats/
//   compare.hpp mover_interval): with θ̂ and Tango limits (l, u) per sample,
//     L = Δ̂ − √((θ̂_A − l_A)² + (u_B − θ̂_B)²)
//     U = Δ̂ + √((u_A − θ̂_A)² + (θ̂_B − l_B)²),   Δ̂ = θ̂_A − θ̂_B,
//   clipped to [−2, 2]. An estimate, not a test: its value is Δ̂ and its SE
//   the unpooled Wald SE √(Σ(y − θ̂_A)²/n_A² + Σ(y − θ̂_B)²/n_B²) (0 when both
//   samples are single-class, while the interval stays informative).
//
// Counts are those of stats/net_score.hpp (effective counts for weighted
// data). A sample without responses gives a no_data difference (statistic
// and p-value NaN). The n of the difference is the sum of the rounded totals
// and its effective n the sum of the totals. Throws invalid_argument for a
// bad level or unusable counts.
//
// Header: cxmetrics/stats/net_compare.hpp. Complexity: adjusted Wald O(1),
// MOVER two Tango intervals.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>

#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/stats/compare.hpp"
#include "cxmetrics/stats/distributions.hpp"
#include "cxmetrics/stats/net_score.hpp"

namespace cxm::inline v0_1::stats {

namespace detail {

/// True, with `out` set to the no_data difference, when `a` or `b` has no
/// responses.
[[nodiscard]] inline bool empty_side(const net_counts& a, const net_counts& b, estimate& out) {
  if (a.total() > 0.0 && b.total() > 0.0) return false;
  out = estimate::no_data(responses_of(a.total()) + responses_of(b.total()),
                          std::string("group ") + (a.total() > 0.0 ? "b" : "a") + " has no responses");
  return true;
}

}  // namespace detail

/// Adjusted-Wald difference A − B with its z test (see the header comment).
[[nodiscard]] inline comparison compare_net_adjusted_wald(const net_counts& a, const net_counts& b,
                                                          double level = 0.95) {
  check_level(level);
  detail::check_net_counts(a, "the adjusted-Wald comparison (group a)");
  detail::check_net_counts(b, "the adjusted-Wald comparison (group b)");
  comparison c;
  if (detail::empty_side(a, b, c.difference)) return c;
  // Each sample with its ¾ / 1½ / ¾ pseudo-observations.
  const net_counts ta{a.detractors + 0.75, a.passives + 1.5, a.promoters + 0.75};
  const net_counts tb{b.detractors + 0.75, b.passives + 1.5, b.promoters + 0.75};
  const double d = ta.score() - tb.score();
  const double se = std::sqrt(detail::net_variance(ta) / ta.total() + detail::net_variance(tb) / tb.total());
  const double half = z_for_level(level) * se;
  c.difference = estimate(d, se, interval{std::max(d - half, -2.0), std::min(d + half, 2.0), level,
                                          interval_method::adjusted_wald},
                          detail::responses_of(a.total()) + detail::responses_of(b.total()), a.total() + b.total());
  c.statistic = d / se;
  c.p_value = two_sided_p(c.statistic);
  return c;
}

/// Difference θ̂_A − θ̂_B with the MOVER interval from the two Tango
/// intervals and the unpooled Wald SE (see the header comment).
[[nodiscard]] inline estimate compare_net_mover(const net_counts& a, const net_counts& b, double level = 0.95) {
  check_level(level);
  detail::check_net_counts(a, "the MOVER comparison (group a)");
  detail::check_net_counts(b, "the MOVER comparison (group b)");
  estimate out;
  if (detail::empty_side(a, b, out)) return out;
  const double ta = a.score();
  const double tb = b.score();
  const double se = std::sqrt(detail::net_variance(a) / a.total() + detail::net_variance(b) / b.total());
  const auto ci = mover_interval(ta, tango_interval(a, level), tb, tango_interval(b, level), level, -2.0, 2.0,
                                 interval_method::mover);
  return estimate(ta - tb, se, ci, detail::responses_of(a.total()) + detail::responses_of(b.total()),
                  a.total() + b.total());
}

}  // namespace cxm::stats
