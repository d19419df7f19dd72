// Weighted least-squares trend (series/trend.hpp) on Eigen.
#include "cxmetrics/series/trend.hpp"

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Dense>

namespace cxm::inline v0_1 {

wls_trend fit_wls_trend(std::span<const trend_observation> points, const wls_options& options) {
  check_level(options.level);
  std::vector<trend_observation> use;
  for (const auto& p : points) {
    if (std::isfinite(p.t) && std::isfinite(p.value) && std::isfinite(p.se) && p.se > 0.0) use.push_back(p);
  }
  wls_trend r;
  r.points = use.size();
  r.residual_scaled = options.variance == trend_variance::estimated;
  const std::size_t m = use.size();
  const auto n = static_cast<std::uint64_t>(m);
  const std::size_t least = r.residual_scaled ? 3 : 2;
  if (m < 2) {
    r.slope = estimate::no_data(n, "a trend needs two or more points with a standard error");
    return r;
  }
  if (m < least) {
    if (use[1].t == use[0].t) {
      r.slope = estimate::no_data(n, "the points do not span two different times");
      return r;
    }
    const double b = (use[1].value - use[0].value) / (use[1].t - use[0].t);
    r.slope = estimate::insufficient(b, n, static_cast<double>(n),
                                     "a trend with the residual variance needs three or more points");
    r.intercept = use[0].value - b * use[0].t;
    return r;
  }
  // Centre t for conditioning; the slope does not change.
  double tbar = 0.0;
  for (const auto& p : use) tbar += p.t;
  tbar /= static_cast<double>(m);
  Eigen::MatrixXd x(static_cast<Eigen::Index>(m), 2);
  Eigen::VectorXd y(static_cast<Eigen::Index>(m)), w(static_cast<Eigen::Index>(m));
  for (std::size_t i = 0; i < m; ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    x(k, 0) = 1.0;
    x(k, 1) = use[i].t - tbar;
    y(k) = use[i].value;
    w(k) = 1.0 / (use[i].se * use[i].se);
  }
  const Eigen::Matrix2d xtwx = x.transpose() * w.asDiagonal() * x;
  const Eigen::Vector2d xtwy = x.transpose() * w.asDiagonal() * y;
  const Eigen::LDLT<Eigen::Matrix2d> ldlt(xtwx);
  if (ldlt.info() != Eigen::Success || !(std::abs(xtwx.determinant()) > 0.0)) {
    r.slope = estimate::no_data(n, "the points do not span two different times");
    return r;
  }
  const Eigen::Vector2d beta = ldlt.solve(xtwy);
  const Eigen::Matrix2d cov = ldlt.solve(Eigen::Matrix2d::Identity());
  const Eigen::VectorXd resid = y - x * beta;
  const double df = static_cast<double>(m) - 2.0;
  r.residual_variance = df > 0.0 ? resid.dot(w.asDiagonal() * resid) / df : std::numeric_limits<double>::quiet_NaN();
  const double b = beta(1);
  r.intercept = beta(0) - b * tbar;
  double var = cov(1, 1);
  double q = 0.0;
  if (r.residual_scaled) {
    var *= r.residual_variance;
    r.df = df;
    q = stats::t_for_level(options.level, df);
  } else {
    r.df = std::numeric_limits<double>::infinity();
    q = stats::z_for_level(options.level);
  }
  const double se = std::sqrt(var);
  if (!(se > 0.0)) {
    r.slope = estimate::insufficient(b, n, static_cast<double>(n), "the points lie exactly on a line: no residual variance");
    return r;
  }
  r.slope = estimate(b, se, interval{b - q * se, b + q * se, options.level,
                                     r.residual_scaled ? interval_method::t : interval_method::wald},
                     n, static_cast<double>(n));
  r.statistic = b / se;
  r.p_value = r.residual_scaled ? 2.0 * stats::t_upper_tail(std::abs(r.statistic), df) : stats::two_sided_p(r.statistic);
  return r;
}

}  // namespace cxm
