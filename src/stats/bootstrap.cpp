// The replicate draws of include/cxmetrics/stats/bootstrap.hpp, with
// Boost.Random (see the header comment for the draw order and why Boost's
// generator and binomial rather than std::'s).
#include "cxmetrics/stats/bootstrap.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <boost/random/binomial_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>

namespace cxm::inline v0_1::stats {

std::vector<double> net_score_replicates(std::uint64_t n, double p_det, double p_pro, std::size_t replicates,
                                         std::uint64_t seed) {
  if (n == 0) throw invalid_argument("bootstrap needs at least one response");
  if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw invalid_argument("bootstrap supports at most 2^63 - 1 responses, got " + std::to_string(n));
  }
  if (!(p_det >= 0.0 && p_det <= 1.0) || !(p_pro >= 0.0 && p_pro <= 1.0) || p_det + p_pro > 1.0 + 1e-12) {
    throw invalid_argument("bootstrap shares must lie in [0, 1] and sum to at most 1, got p_det = " +
                           std::to_string(p_det) + ", p_pro = " + std::to_string(p_pro));
  }
  if (replicates < 2) {
    throw invalid_argument("bootstrap needs at least 2 replicates, got " + std::to_string(replicates));
  }
  using count_t = std::int64_t;
  const auto nn = static_cast<count_t>(n);
  const double nd = static_cast<double>(n);
  // Share of detractors among the non-promoters.
  const double p_det_rest = p_pro < 1.0 ? std::clamp(p_det / (1.0 - p_pro), 0.0, 1.0) : 0.0;
  boost::random::mt19937_64 rng(seed);
  boost::random::binomial_distribution<count_t, double> draw_pro(nn, p_pro);
  std::vector<double> out;
  out.reserve(replicates);
  for (std::size_t r = 0; r < replicates; ++r) {
    const count_t k_pro = draw_pro(rng);
    boost::random::binomial_distribution<count_t, double> draw_det(nn - k_pro, p_det_rest);
    const count_t k_det = draw_det(rng);
    out.push_back((static_cast<double>(k_pro) - static_cast<double>(k_det)) / nd);
  }
  return out;
}

}  // namespace cxm::stats
