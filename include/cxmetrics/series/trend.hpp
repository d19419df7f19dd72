// Trend of a metric series: is it moving, and how fast, per period?
//
//   const auto pts = s.points(nps_of, 30);           // series/series.hpp
//   const auto wls = cxm::fit_wls_trend(cxm::trend_data(pts));
//   wls.slope;                                        // points per period, interval, p
//   const auto ts = cxm::theil_sen_trend(cxm::trend_data(pts));
//   ts.slope; ts.mann_kendall.p_value;
//
// Input: trend_observation {t, value, se}, t in periods (series points: the
// period index, so an empty or thin period leaves a gap in t). trend_data()
// takes the points that are not thin.
//
// WEIGHTED LEAST SQUARES (fit_wls_trend, Eigen): y_i = a + b·t_i with
// weights w_i = 1/se_i², b̂ = (XᵀWX)⁻¹XᵀWy. Two ways to get its SE
// (wls_options::variance):
//   estimated  (default) Cov = σ̂²(XᵀWX)⁻¹ with σ̂² = Σw_i r_i²/(m − 2): the
//              residual variance scales the SE, exactly as R's
//              lm(y ~ t, weights = 1/se^2) does; t interval and test on
//              m − 2 degrees of freedom. The per-period SEs then give only
//              the relative weights, and period-to-period variation beyond
//              sampling error widens the interval.
//   known      Cov = (XᵀWX)⁻¹: the SEs are taken as the true sampling SDs
//              (no scaling; normal interval and z test), as in a
//              meta-regression with known variances. σ̂² is still reported
//              (residual_variance): values far above 1 say the points vary
//              more than their SEs explain, and `estimated` is the safer
//              choice.
// Points with se ≤ 0 or non-finite values are skipped (they have no weight).
// Fewer than 3 usable points (2 for `known`) give an insufficient slope.
//
// THEIL–SEN with MANN–KENDALL (theil_sen_trend), for short or noisy series
// and free of the SEs: the slope is the median of the pairwise slopes
// (y_j − y_i)/(t_j − t_i), i < j (Theil 1950; Sen 1968, "Estimates of the
// regression coefficient based on Kendall's tau", JASA 63:1379–1389). The
// Mann–Kendall statistic S = Σ_{i<j} sgn(y_j − y_i) (Mann 1945; Kendall
// 1975) has, with g groups of tied values of sizes t_p,
//   Var(S) = [m(m − 1)(2m + 5) − Σ_p t_p(t_p − 1)(2t_p + 5)] / 18,
// Z = (S − 1)/√Var(S) for S > 0, (S + 1)/√Var(S) for S < 0, 0 for S = 0
// (continuity corrected), two-sided p = 2(1 − Φ(|Z|)); Kendall's τ_a =
// S/(m(m − 1)/2). Sen's interval of the slope: with N pairwise slopes
// sorted and C = z_{1−α/2}√Var(S), the slopes of ranks M1 = (N − C)/2 and
// M2 + 1 = (N + C)/2 + 1 (1-based, interpolated between neighbours,
// clamped to 1..N) (Gilbert 1987, "Statistical methods for environmental
// pollution monitoring", §16.5). The normal approximation is rough below
// about 10 points; with fewer than 3 points the test is not run.
//
// Header: cxmetrics/series/trend.hpp. Complexity: WLS O(m); Theil–Sen
// O(m² log m).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/export.hpp"
#include "cxmetrics/series/series.hpp"
#include "cxmetrics/stats/distributions.hpp"

namespace cxm::inline v0_1 {

/// One point of a trend fit: time in periods, value and its standard error.
struct trend_observation {
  double t = 0.0;
  double value = 0.0;
  double se = 0.0;
  friend bool operator==(const trend_observation&, const trend_observation&) = default;
};

/// The points of a series that are not thin, t = the period index.
[[nodiscard]] inline std::vector<trend_observation> trend_data(std::span<const series_point> points) {
  std::vector<trend_observation> out;
  for (const auto& p : points) {
    if (p.thin) continue;
    out.push_back({static_cast<double>(p.at.index), p.value.value(), p.value.se()});
  }
  return out;
}

/// How fit_wls_trend gets the SE of the slope (see the header comment).
enum class trend_variance : std::uint8_t { estimated, known };

struct wls_options {
  double level = 0.95;
  trend_variance variance = trend_variance::estimated;
};

/// Weighted least-squares line through the points.
struct wls_trend {
  estimate slope;                ///< per period, with SE and interval (t or normal)
  double intercept = std::numeric_limits<double>::quiet_NaN();  ///< value at t = 0
  double statistic = std::numeric_limits<double>::quiet_NaN();  ///< slope / SE (t or z)
  double p_value = std::numeric_limits<double>::quiet_NaN();    ///< two-sided, of slope = 0
  double df = std::numeric_limits<double>::quiet_NaN();         ///< m − 2 (estimated), infinity (known)
  double residual_variance = std::numeric_limits<double>::quiet_NaN();  ///< σ̂² = Σw r²/(m − 2)
  bool residual_scaled = true;   ///< σ̂² multiplied the covariance (as lm(weights=) does)
  std::size_t points = 0;        ///< points used
};

/// Weighted least squares with weights 1/se² (see the header comment).
/// Throws invalid_argument for a bad level.
[[nodiscard]] CXMETRICS_API wls_trend fit_wls_trend(std::span<const trend_observation> points,
                                                    const wls_options& options = {});

/// The Mann–Kendall trend test.
struct mann_kendall {
  double s = 0.0;                ///< S = Σ sgn(y_j − y_i)
  double variance = 0.0;         ///< Var(S), ties corrected
  double z = std::numeric_limits<double>::quiet_NaN();
  double p_value = std::numeric_limits<double>::quiet_NaN();  ///< two-sided
  double tau = std::numeric_limits<double>::quiet_NaN();      ///< Kendall's τ_a
  std::size_t points = 0;
};

/// Theil–Sen slope with Sen's interval and the Mann–Kendall test.
struct theil_sen {
  estimate slope;  ///< median pairwise slope; interval by Sen (1968); SE NaN
  double intercept = std::numeric_limits<double>::quiet_NaN();  ///< median of y − slope·t
  mann_kendall test;
};

namespace detail {

/// The q-th smallest (1-based, fractional ranks interpolated, clamped to
/// 1..n) of sorted values.
[[nodiscard]] inline double rank_value(const std::vector<double>& sorted, double q) {
  const double n = static_cast<double>(sorted.size());
  q = std::clamp(q, 1.0, n);
  const auto lo = static_cast<std::size_t>(std::floor(q));
  const double f = q - std::floor(q);
  if (lo >= sorted.size()) return sorted.back();
  return sorted[lo - 1] + f * (sorted[lo] - sorted[lo - 1]);
}

[[nodiscard]] inline double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace detail

/// The Mann–Kendall test of the values in time order (sorted by t).
[[nodiscard]] inline mann_kendall mann_kendall_test(std::span<const trend_observation> points) {
  std::vector<trend_observation> p(points.begin(), points.end());
  std::stable_sort(p.begin(), p.end(), [](const auto& a, const auto& b) { return a.t < b.t; });
  mann_kendall r;
  const std::size_t m = p.size();
  r.points = m;
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = i + 1; j < m; ++j) r.s += (p[j].value > p[i].value) - (p[j].value < p[i].value);
  }
  std::vector<double> y;
  for (const auto& o : p) y.push_back(o.value);
  std::sort(y.begin(), y.end());
  double ties = 0.0;
  for (std::size_t i = 0; i < m;) {
    std::size_t j = i;
    while (j < m && y[j] == y[i]) ++j;
    const double t = static_cast<double>(j - i);
    ties += t * (t - 1.0) * (2.0 * t + 5.0);
    i = j;
  }
  const double md = static_cast<double>(m);
  r.variance = (md * (md - 1.0) * (2.0 * md + 5.0) - ties) / 18.0;
  if (m >= 3 && r.variance > 0.0) {
    r.z = r.s > 0 ? (r.s - 1.0) / std::sqrt(r.variance) : r.s < 0 ? (r.s + 1.0) / std::sqrt(r.variance) : 0.0;
    r.p_value = stats::two_sided_p(r.z);
    r.tau = r.s / (md * (md - 1.0) / 2.0);
  }
  return r;
}

/// Theil–Sen slope, Sen's interval at `level` and the Mann–Kendall test
/// (see the header comment). Throws invalid_argument for a bad level.
[[nodiscard]] inline theil_sen theil_sen_trend(std::span<const trend_observation> points, double level = 0.95) {
  check_level(level);
  theil_sen r;
  r.test = mann_kendall_test(points);
  std::vector<double> slopes;
  for (std::size_t i = 0; i < points.size(); ++i) {
    for (std::size_t j = i + 1; j < points.size(); ++j) {
      const double dt = points[j].t - points[i].t;
      if (dt != 0.0) slopes.push_back((points[j].value - points[i].value) / dt);
    }
  }
  if (slopes.empty()) {
    r.slope = estimate::no_data(points.size(), "a slope needs two points at different times");
    return r;
  }
  std::sort(slopes.begin(), slopes.end());
  const double b = detail::median_of(slopes);
  std::vector<double> resid;
  for (const auto& o : points) resid.push_back(o.value - b * o.t);
  r.intercept = detail::median_of(resid);
  const auto n = static_cast<std::uint64_t>(points.size());
  if (points.size() < 3 || !(r.test.variance > 0.0)) {
    r.slope = estimate::insufficient(b, n, static_cast<double>(n), "Sen's interval needs three or more points");
    return r;
  }
  const double big_n = static_cast<double>(slopes.size());
  const double c = stats::z_for_level(level) * std::sqrt(r.test.variance);
  const double lo = detail::rank_value(slopes, (big_n - c) / 2.0);
  const double hi = detail::rank_value(slopes, (big_n + c) / 2.0 + 1.0);
  r.slope = estimate(b, std::numeric_limits<double>::quiet_NaN(), interval{lo, hi, level, interval_method::wald}, n,
                     static_cast<double>(n));
  return r;
}

}  // namespace cxm
