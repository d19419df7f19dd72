// Seeded parametric bootstrap of a net score (NPS) from category counts.
//
// The data of a net score are summarised without loss by the counts of
// detractors, passives and promoters, so resampling n responses with
// replacement (Efron 1979; Efron & Tibshirani 1993, "An Introduction to the
// Bootstrap", ch. 13 for the percentile interval) is the same as drawing the
// three counts from Multinomial(n; p̂_det, p̂_pas, p̂_pro). Each replicate
// draws them with two binomials, in this fixed order:
//   k_pro ~ Binomial(n, p̂_pro)
//   k_det ~ Binomial(n − k_pro, p̂_det / (1 − p̂_pro))      (0 when p̂_pro = 1)
//   θ*    = (k_pro − k_det)/n
// so a replicate costs O(1) whatever n is (Boost.Random's binomial uses
// inversion for small means and Hörmann's BTRD otherwise).
//
// Determinism: the generator is boost::random::mt19937_64 seeded with the
// given seed, and the distributions are Boost.Random's, whose algorithms are
// fixed in their source (unlike std:: distributions, which differ between
// standard libraries). Same inputs and seed → the same replicates on every
// platform built against the same Boost. The draws are made in the
// compiled part of the library (src/stats/bootstrap.cpp), where Boost is a
// private dependency; the percentile summary below is inline.
//
// Interval: the percentile interval, the α/2 and 1 − α/2 sample quantiles of
// the replicates with linear interpolation between order statistics (R's
// quantile(type = 7), Hyndman & Fan 1996). The standard error is the sample
// SD (n − 1 divisor) of the replicates.
//
// Weighted data (an approximation, documented where it is used in
// metrics/nps.hpp): the replicates are drawn at Kish's effective n, rounded
// to the nearest integer (at least 1), with the weighted shares.
//
// Header: cxmetrics/stats/bootstrap.hpp. Complexity: O(B log B) for B
// replicates (the sort), independent of n.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/export.hpp"

namespace cxm::inline v0_1::stats {

/// Summary of a net-score bootstrap (on −1…1).
struct net_bootstrap {
  interval ci;            ///< percentile interval, method bootstrap
  double mean = 0.0;      ///< mean of the replicates
  double sd = 0.0;        ///< SD of the replicates (n − 1 divisor): the bootstrap SE
  std::size_t replicates = 0;
  friend bool operator==(const net_bootstrap&, const net_bootstrap&) = default;
};

/// The q-quantile (0 <= q <= 1) of sorted values, linear interpolation
/// between order statistics (R's type 7). Throws invalid_argument when
/// `sorted` is empty or q is outside [0, 1].
[[nodiscard]] inline double percentile_sorted(std::span<const double> sorted, double q) {
  if (sorted.empty()) throw invalid_argument("percentile of an empty sample");
  if (!(q >= 0.0 && q <= 1.0)) throw invalid_argument("percentile needs 0 <= q <= 1, got " + std::to_string(q));
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

/// `replicates` bootstrap values of p_pro − p_det for n responses with shares
/// p_det and p_pro (see the header comment for the draw order). Throws
/// invalid_argument for n = 0, n > 2⁶³ − 1, shares outside [0, 1] or summing
/// to more than 1, or fewer than 2 replicates. Compiled
/// (src/stats/bootstrap.cpp): the whole replicate loop runs in the library.
[[nodiscard]] CXMETRICS_API std::vector<double> net_score_replicates(std::uint64_t n, double p_det, double p_pro,
                                                                     std::size_t replicates, std::uint64_t seed);

/// Percentile bootstrap of p_pro − p_det at `level` (on −1…1). See
/// net_score_replicates for the arguments and errors.
[[nodiscard]] inline net_bootstrap bootstrap_net_score(std::uint64_t n, double p_det, double p_pro,
                                                       std::size_t replicates, std::uint64_t seed,
                                                       double level = 0.95) {
  check_level(level);
  auto reps = net_score_replicates(n, p_det, p_pro, replicates, seed);
  double sum = 0.0;
  for (double v : reps) sum += v;
  const double mean = sum / static_cast<double>(reps.size());
  double ss = 0.0;
  for (double v : reps) ss += (v - mean) * (v - mean);
  std::sort(reps.begin(), reps.end());
  const double alpha = 1.0 - level;
  net_bootstrap b;
  b.ci = interval{percentile_sorted(reps, alpha / 2.0), percentile_sorted(reps, 1.0 - alpha / 2.0), level,
                  interval_method::bootstrap};
  b.mean = mean;
  b.sd = std::sqrt(ss / static_cast<double>(reps.size() - 1));
  b.replicates = reps.size();
  return b;
}

}  // namespace cxm::stats
