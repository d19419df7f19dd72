// The Tango score interval of include/cxmetrics/stats/net_score.hpp: its
// limits are roots found by Boost.Math's TOMS 748 (the header comment
// derives the functions and the brackets).
#include "cxmetrics/stats/net_score.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include <boost/math/tools/toms748_solve.hpp>

namespace cxm::inline v0_1::stats {

interval tango_interval(const net_counts& c, double level) {
  check_level(level);
  const double n = detail::checked_total(c, "Tango's score interval");
  const double z = z_for_level(level);
  const double z2 = z * z;
  const double theta = (c.promoters - c.detractors) / n;
  const double p = c.promoters / n;
  const double m = c.detractors / n;
  const auto ci = [&](double lo, double hi) { return interval{lo, hi, level, interval_method::tango}; };

  if (c.passives == 0.0 && c.promoters == 0.0) return ci(-1.0, -(n - z2) / (n + z2));
  if (c.passives == 0.0 && c.detractors == 0.0) return ci((n - z2) / (n + z2), 1.0);
  if (c.detractors == 0.0 && c.promoters == 0.0) return ci(-z2 / (n + z2), z2 / (n + z2));

  const double rn = std::sqrt(n);
  const double v_hat = detail::net_variance(c);  // V(θ̂) > 0: at least two classes
  const auto tol = [](double a, double b) {
    const double gap = std::abs(b - a);
    return gap <= 1e-16 || gap <= 4.0 * std::numeric_limits<double>::epsilon() * std::min(std::abs(a), std::abs(b));
  };
  const auto lower_f = [&](double d) { return rn * (theta - d) - z * std::sqrt(detail::tango_v(p, m, d)); };
  const auto upper_f = [&](double d) { return rn * (theta - d) + z * std::sqrt(detail::tango_v(p, m, d)); };
  std::uintmax_t iterations = 200;
  // lower_f > 0 at −1 (outside), < 0 at θ̂ (inside): keep the inside end.
  // 1 + θ̂ and 1 − θ̂ from the counts: positive even when θ̂ rounds to ∓1.
  const double lo = boost::math::tools::toms748_solve(lower_f, -1.0, theta, rn * (c.passives + 2.0 * c.promoters) / n,
                                                      -z * std::sqrt(v_hat), tol, iterations)
                        .second;
  iterations = 200;
  // upper_f > 0 at θ̂ (inside), < 0 at 1 (outside): keep the inside end.
  const double hi = boost::math::tools::toms748_solve(upper_f, theta, 1.0, z * std::sqrt(v_hat),
                                                      -rn * (c.passives + 2.0 * c.detractors) / n, tol, iterations)
                        .first;
  return ci(lo, hi);
}

}  // namespace cxm::stats
