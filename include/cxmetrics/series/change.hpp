// Change detection on a metric series: EWMA and CUSUM control charts whose
// limits follow each point's own standard error, so a month of 40 responses
// and a month of 4 000 are judged on their own precision.
//
//   const auto obs = cxm::trend_data(s.points(nps_of, 30));   // series/trend.hpp
//   const auto e = cxm::ewma_chart(obs);        // λ = 0.2, L = 3
//   const auto c = cxm::cusum_chart(obs);       // k = 0.5, h = 5 (SE units)
//   if (c.first_signal) { c.points[*c.first_signal].t; c.direction; }
//
// Input: trend_observation {t, value, se} in time order (t the period
// index); points with se ≤ 0 or non-finite numbers are skipped. Both charts
// compare with a target μ0: chart_options::target when given, else the
// inverse-variance weighted mean of the first `baseline` points (a Phase I
// estimate; its own uncertainty is ignored, so with few baseline points the
// false-alarm rate is above the nominal one). The charts run over every
// point, the baseline included.
//
// EWMA (Roberts 1959; Montgomery, "Introduction to Statistical Quality
// Control", 6th ed., §9.2): z_0 = μ0, z_i = λx_i + (1 − λ)z_{i−1}. With
// independent points of variances σ_i² = se_i²,
//   Var(z_i) = λ²σ_i² + (1 − λ)²Var(z_{i−1}),  Var(z_0) = 0,
// which for a constant σ is Montgomery's exact limit σ²λ/(2 − λ)·[1 − (1 −
// λ)^{2i}]. Limits μ0 ± L√Var(z_i); a point beyond them signals. Defaults λ
// = 0.2, L = 3: an in-control average run length of about 500 points
// (Lucas & Saccucci 1990, "Exponentially weighted moving average control
// schemes", Technometrics 32:1–12, give L = 2.962 for 500 at λ = 0.2), and
// on normal points each z_i lies beyond its limits with probability
// 2(1 − Φ(L)) = 0.0027.
//
// CUSUM (Page 1954; Montgomery §9.1, the tabular CUSUM) on the
// standardised points u_i = (x_i − μ0)/se_i:
//   C⁺_i = max(0, C⁺_{i−1} + u_i − k),  C⁻_i = max(0, C⁻_{i−1} − u_i − k),
// C⁺_0 = C⁻_0 = 0; C⁺ > h signals an upward shift, C⁻ > h a downward one.
// Defaults k = 0.5 (tuned to a shift of one SE) and h = 5, whose two-sided
// in-control average run length is about 465 points (h = 4: about 168;
// Montgomery Table 9.3; Siegmund's approximation gives 469 and 169).
//
// The result lists every charted point with its statistic and limits; a
// signalled point has direction up or down. first_signal is the index (in
// points) of the first signal and `direction` its direction. The sums and
// the EWMA are not reset after a signal.
//
// Header: cxmetrics/series/change.hpp. Complexity: O(m).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/series/trend.hpp"

namespace cxm::inline v0_1 {

/// Direction of a signalled shift.
enum class shift_direction : std::int8_t { down = -1, none = 0, up = 1 };

[[nodiscard]] constexpr const char* to_string(shift_direction d) noexcept {
  return d == shift_direction::up ? "up" : d == shift_direction::down ? "down" : "none";
}

/// Target of a chart (see the header comment).
struct chart_target {
  std::optional<double> target;  ///< μ0; nullopt: from the baseline points
  std::size_t baseline = 6;      ///< points the target is estimated from (>= 1)
};

struct ewma_options {
  double lambda = 0.2;  ///< smoothing weight, 0 < λ <= 1
  double l = 3.0;       ///< limit width in SDs of the EWMA, > 0
  chart_target target;
};

struct cusum_options {
  double k = 0.5;  ///< reference value in SE units, >= 0
  double h = 5.0;  ///< decision interval in SE units, > 0
  chart_target target;
};

struct ewma_point {
  double t = 0.0, value = 0.0, se = 0.0;
  double ewma = 0.0;   ///< z_i
  double lower = 0.0;  ///< μ0 − L√Var(z_i)
  double upper = 0.0;  ///< μ0 + L√Var(z_i)
  shift_direction signal = shift_direction::none;
};

struct cusum_point {
  double t = 0.0, value = 0.0, se = 0.0;
  double standardized = 0.0;  ///< u_i = (x_i − μ0)/se_i
  double upper_sum = 0.0;     ///< C⁺_i
  double lower_sum = 0.0;     ///< C⁻_i
  shift_direction signal = shift_direction::none;
};

/// A control chart: target, points and the first signal.
template <class Point>
struct control_chart {
  double target = std::numeric_limits<double>::quiet_NaN();
  std::vector<Point> points;
  std::optional<std::size_t> first_signal;  ///< index in points
  shift_direction direction = shift_direction::none;
};

namespace detail {

[[nodiscard]] inline std::vector<trend_observation> chartable(std::span<const trend_observation> in) {
  std::vector<trend_observation> out;
  for (const auto& p : in) {
    if (std::isfinite(p.t) && std::isfinite(p.value) && std::isfinite(p.se) && p.se > 0.0) out.push_back(p);
  }
  return out;
}

/// μ0 (see the header comment); NaN without points.
[[nodiscard]] inline double chart_mu0(const std::vector<trend_observation>& pts, const chart_target& o) {
  if (o.target) {
    if (!std::isfinite(*o.target)) throw invalid_argument("a chart's target must be a finite number");
    return *o.target;
  }
  if (o.baseline == 0) throw invalid_argument("a chart's target needs at least one baseline point, got 0");
  double sw = 0.0, swx = 0.0;
  for (std::size_t i = 0; i < pts.size() && i < o.baseline; ++i) {
    const double w = 1.0 / (pts[i].se * pts[i].se);
    sw += w;
    swx += w * pts[i].value;
  }
  return sw > 0.0 ? swx / sw : std::numeric_limits<double>::quiet_NaN();
}

template <class Point>
void note_signal(control_chart<Point>& c, std::size_t i) {
  if (!c.first_signal && c.points[i].signal != shift_direction::none) {
    c.first_signal = i;
    c.direction = c.points[i].signal;
  }
}

}  // namespace detail

/// EWMA chart (see the header comment). Throws invalid_argument for λ
/// outside (0, 1], L <= 0, a non-finite target or baseline 0.
[[nodiscard]] inline control_chart<ewma_point> ewma_chart(std::span<const trend_observation> points,
                                                          const ewma_options& o = {}) {
  if (!(o.lambda > 0.0 && o.lambda <= 1.0)) {
    throw invalid_argument("EWMA lambda must be in (0, 1], got " + std::to_string(o.lambda));
  }
  if (!(o.l > 0.0 && std::isfinite(o.l))) throw invalid_argument("EWMA limit width L must be > 0, got " + std::to_string(o.l));
  const auto pts = detail::chartable(points);
  control_chart<ewma_point> c;
  c.target = detail::chart_mu0(pts, o.target);
  double z = c.target, var = 0.0;
  for (const auto& p : pts) {
    z = o.lambda * p.value + (1.0 - o.lambda) * z;
    var = o.lambda * o.lambda * p.se * p.se + (1.0 - o.lambda) * (1.0 - o.lambda) * var;
    ewma_point e{p.t, p.value, p.se, z, c.target - o.l * std::sqrt(var), c.target + o.l * std::sqrt(var),
                 shift_direction::none};
    e.signal = z > e.upper ? shift_direction::up : z < e.lower ? shift_direction::down : shift_direction::none;
    c.points.push_back(e);
    detail::note_signal(c, c.points.size() - 1);
  }
  return c;
}

/// Tabular CUSUM chart in SE units (see the header comment). Throws
/// invalid_argument for k < 0, h <= 0, a non-finite target or baseline 0.
[[nodiscard]] inline control_chart<cusum_point> cusum_chart(std::span<const trend_observation> points,
                                                            const cusum_options& o = {}) {
  if (!(o.k >= 0.0 && std::isfinite(o.k))) throw invalid_argument("CUSUM k must be >= 0, got " + std::to_string(o.k));
  if (!(o.h > 0.0 && std::isfinite(o.h))) throw invalid_argument("CUSUM h must be > 0, got " + std::to_string(o.h));
  const auto pts = detail::chartable(points);
  control_chart<cusum_point> c;
  c.target = detail::chart_mu0(pts, o.target);
  double hi = 0.0, lo = 0.0;
  for (const auto& p : pts) {
    const double u = (p.value - c.target) / p.se;
    hi = std::max(0.0, hi + u - o.k);
    lo = std::max(0.0, lo - u - o.k);
    cusum_point q{p.t, p.value, p.se, u, hi, lo, shift_direction::none};
    q.signal = hi > o.h ? shift_direction::up : lo > o.h ? shift_direction::down : shift_direction::none;
    c.points.push_back(q);
    detail::note_signal(c, c.points.size() - 1);
  }
  return c;
}

}  // namespace cxm
