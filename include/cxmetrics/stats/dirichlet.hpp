// Bayesian credible interval for a net score (NPS) under a Dirichlet posterior.
//
// Model: the shares (p_det, p_pas, p_pro) of detractors, passives and
// promoters have the posterior Dirichlet(a_det, a_pas, a_pro) (the prior
// Dirichlet(a, a, a) updated with the category counts: a_k = n_k + a). The
// net score is θ = p_pro − p_det, on −1…1 here (metrics/nps.hpp scales it to
// points).
//
// Moments (closed form; with A = a_det + a_pas + a_pro the Dirichlet has
// E p_k = a_k/A, Var p_k = a_k(A − a_k)/(A²(A + 1)) and
// Cov(p_j, p_k) = −a_j a_k/(A²(A + 1)); Kotz, Balakrishnan & Johnson 2000,
// "Continuous Multivariate Distributions" vol. 1, ch. 49):
//   E θ   = (a_pro − a_det)/A
//   Var θ = (A·(a_pro + a_det) − (a_pro − a_det)²) / (A²·(A + 1))
//         = (4·a_pro·a_det + a_pas·(a_pro + a_det)) / (A²·(A + 1)),
// the second form free of cancellation (computed that way). The third and
// fourth cumulants are in closed form too (detail::net_shape_of).
//
// Distribution function, computed deterministically (no sampling), in one
// of two ways.
//
// 1. Quadrature. By the aggregation and neutrality properties of the
// Dirichlet,
//   S = p_pro + p_det ~ Beta(a_pro + a_det, a_pas)  and, independent of S,
//   R = p_pro/S       ~ Beta(a_pro, a_det),
// and θ = S·(2R − 1). For x <= 0, conditioning on S or on R,
//   P(θ <= x) = ∫_{|x|}^{1} I_{(1 + x/s)/2}(a_pro, a_det) f_S(s) ds
//             = ∫_{0}^{(1 − |x|)/2} P(S >= |x|/(1 − 2r)) f_R(r) dr
// (outside those ranges the event is impossible), where I is the
// regularised incomplete beta function. For x > 0 the mirror identity
//   P(θ <= x; a_det, a_pas, a_pro) = 1 − P(θ <= −x; a_pro, a_pas, a_det)
// keeps both tails accurate. The outer variable is the one whose spread
// moves θ less, so that the inner probability changes smoothly across it;
// the integral is taken on its probability scale u = F(·), where the
// integrand is bounded by 1 whatever the posterior, with a fixed composite
// Gauss–Legendre rule whose nodes are computed once per distribution
// (dirichlet_net_distribution says how). Every difference of nearly equal
// numbers (s − |x| when both are near 1, 1 − 2r near r = ½) is formed from
// complements carried to full relative precision, so a posterior packed
// against θ = ±1 (10¹⁸ promoters and no one else) is resolved to within one
// unit in the last place of θ, which is as fine as a double can tell.
// Quantiles: TOMS 748 bracketing root finder (Alefeld, Potra & Shi 1995,
// Boost.Math), started from the normal approximation, stopped at 1e-9
// posterior SDs or one unit in the last place, and rounded outwards.
//
// 2. Expansion. When the posterior is large, S₂ = Σ_k a_k·(c_k − E θ)²
// = a_pro + a_det − A·(E θ)² >= dirichlet_expansion_from (10⁷, c the
// scores −1, 0, +1; from a few times 10⁷ responses for a survey that is
// not nearly all one group), the quadrature's rounding
// (incomplete beta functions of parameters up to 10¹⁹) would outgrow the
// error of the Cornish–Fisher expansion around the normal limit, which
// falls as S₂^(−3/2): quantiles are E θ + σ·w(z) with the skewness and
// kurtosis corrections, the cdf the matching Edgeworth series.
//
// Accuracy: tests/nps_test.cpp checks small posteriors against SciPy (an
// independent double integral over the Dirichlet density) and a seeded
// Monte Carlo, and large ones (10⁶ … 2⁶³ responses) against a
// third-order Cornish–Fisher expansion and, where one group holds nearly
// every response, the gamma limit, both computed at 150 digits with mpmath:
// the limits agree to 1e-6 posterior SDs (or one unit in the last place
// where the posterior SD is finer than a double near ±1).
//
// The moments are inline; the distribution (quadrature, expansion, root
// search) is compiled, in src/stats/dirichlet.cpp, where Boost.Math is a
// private dependency of the library: a cdf or a quantile is one call.
//
// Header: cxmetrics/stats/dirichlet.hpp. Complexity: the expansion is a
// few operations (microseconds). The quadrature's distribution costs 400
// incomplete-beta inversions, a cdf at most 400 incomplete-beta evaluations
// (plus 20 inversions); an interval takes 10–60 ms on one core of a 2020s
// machine, whatever the counts.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <string>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/export.hpp"

namespace cxm::inline v0_1::stats {

/// Parameters of a Dirichlet distribution over (detractor, passive, promoter)
/// shares. Every parameter must be finite and > 0.
struct dirichlet3 {
  double det = 0.5;
  double pas = 0.5;
  double pro = 0.5;
  friend bool operator==(const dirichlet3&, const dirichlet3&) = default;
};

namespace detail {

inline void check_dirichlet(const dirichlet3& d) {
  auto ok = [](double a) { return std::isfinite(a) && a > 0.0; };
  if (!ok(d.det) || !ok(d.pas) || !ok(d.pro)) {
    throw invalid_argument("Dirichlet parameters must be finite and > 0, got (" + std::to_string(d.det) + ", " +
                           std::to_string(d.pas) + ", " + std::to_string(d.pro) + ")");
  }
}

/// A point of a Beta distribution and its complement 1 − x, each to full
/// relative precision (x near 1 keeps the digits of 1 − x).
struct beta_point {
  double x = 0.0;
  double xc = 1.0;  ///< 1 − x
};

}  // namespace detail

/// Posterior mean of θ = p_pro − p_det (on −1…1).
[[nodiscard]] inline double dirichlet_net_mean(const dirichlet3& d) {
  detail::check_dirichlet(d);
  return (d.pro - d.det) / (d.det + d.pas + d.pro);
}

/// Posterior standard deviation of θ = p_pro − p_det (on −1…1).
[[nodiscard]] inline double dirichlet_net_sd(const dirichlet3& d) {
  detail::check_dirichlet(d);
  const double a = d.det + d.pas + d.pro;
  // A(a_pro + a_det) − (a_pro − a_det)² = 4·a_pro·a_det + a_pas·(a_pro + a_det):
  // the second form has no cancellation (10¹⁸ promoters and no detractors
  // would lose every digit of the first); on shares it cannot overflow.
  const double det = d.det / a, pas = d.pas / a, pro = d.pro / a;
  const double var = (4.0 * pro * det + pas * (pro + det)) / (a + 1.0);
  return std::sqrt(var);
}

/// From this size of the posterior on, the distribution of θ comes from
/// its Cornish–Fisher expansion rather than the quadrature (see the header
/// comment): S₂ = Σ_k a_k·(c_k − E θ)² >= 10⁷, with c = (−1, 0, +1) the
/// score of a detractor, passive and promoter. S₂ is A times the variance
/// of one response's score under the posterior mean shares; for a survey
/// that is not nearly all one group it is n/4 to n, so the expansion takes
/// over from a few times 10⁷ responses. There the two methods agree to
/// about 1e-10 posterior SDs; the expansion's error falls as S₂^(−3/2)
/// above, the quadrature's rounding grows with the parameters.
inline constexpr double dirichlet_expansion_from = 1e7;

/// How dirichlet_net_distribution computes: `automatic` picks the
/// expansion from S₂ >= dirichlet_expansion_from on and the quadrature
/// below; the other two force one (for checking one against the other).
enum class dirichlet_net_method { automatic, quadrature, expansion };

namespace detail {

/// Mean, SD, standardised third and fourth cumulants of θ, and S₂.
struct net_shape {
  double mean = 0.0;
  double sd = 0.0;
  double skew = 0.0;      ///< γ₁ = κ₃/σ³
  double kurtosis = 0.0;  ///< excess, γ₂ = κ₄/σ⁴
  double s2 = 0.0;        ///< Σ a_k d_k², d_k = c_k − E θ
};

/// Closed forms (derived from the Dirichlet's factorial moments,
/// E Π p_k^{j_k} = Π (a_k)_{j_k} / (A)_{Σj}): with d_k = c_k − E θ (so
/// Σ a_k d_k = 0), θ − E θ = Σ d_k p_k and its m-th moment is
/// m!/(A)_m times the t^m coefficient of Π_k (1 − d_k t)^(−a_k)
/// = exp(Σ_r S_r t^r / r), S_r = Σ_k a_k d_k^r. Hence
///   μ₂ = S₂/(A(A+1)),  κ₃ = 2 S₃/(A)₃,
///   κ₄ = μ₄ − 3μ₂² = (6 S₄ − 3 S₂² (4A + 6)/(A(A+1))) / (A)₄,
/// the last written so that the two O(A⁻²) halves of μ₄ − 3μ₂² never
/// cancel. The d_k are formed without subtracting nearly equal numbers
/// (d_pro = (2a_det + a_pas)/A, ...), and every quantity is a ratio, so
/// nothing overflows for any finite parameters.
[[nodiscard]] inline net_shape net_shape_of(const dirichlet3& d) {
  const double a = d.det + d.pas + d.pro;
  const double det = d.det / a, pas = d.pas / a, pro = d.pro / a;  // posterior mean shares
  const double d_det = -(2.0 * pro + pas);  // −1 − E θ
  const double d_pas = det - pro;           //  0 − E θ
  const double d_pro = 2.0 * det + pas;     // +1 − E θ
  net_shape r;
  r.mean = pro - det;
  // Per unit of A: s_r = S_r / A.
  const double s2 = 4.0 * pro * det + pas * (pro + det);
  const double s3 = det * d_det * d_det * d_det + pas * d_pas * d_pas * d_pas + pro * d_pro * d_pro * d_pro;
  const double s4 = det * d_det * d_det * d_det * d_det + pas * d_pas * d_pas * d_pas * d_pas +
                    pro * d_pro * d_pro * d_pro * d_pro;
  r.s2 = s2 * a;
  r.sd = std::sqrt(s2 / (a + 1.0));
  // γ₁ = 2 S₃ √(A(A+1)) / ((A+2) S₂^{3/2}),
  // γ₂ = (6 S₄/S₂² − 3(4A+6)/(A(A+1))) · A(A+1)/((A+2)(A+3)).
  const double ratio = std::sqrt(a * (a + 1.0)) / (a + 2.0);  // √(A(A+1))/(A+2), about 1
  r.skew = 2.0 * (s3 / s2) / std::sqrt(s2 * a) * ratio;
  r.kurtosis = (6.0 * s4 / (s2 * s2 * a) - 3.0 * (4.0 * a + 6.0) / (a * (a + 1.0))) * (a / (a + 2.0)) *
               ((a + 1.0) / (a + 3.0));
  return r;
}

/// What dirichlet_net_distribution computes with (src/stats/dirichlet.cpp).
struct dirichlet_net_kernel;

}  // namespace detail

/// The distribution of θ = p_pro − p_det under Dirichlet(a_det, a_pas, a_pro):
/// the quadrature of the header comment with its nodes computed once (so
/// the many cdf evaluations of a quantile search share them), or, for a
/// posterior with S₂ >= dirichlet_expansion_from, the Cornish–Fisher and
/// Edgeworth expansions (no nodes at all).
///
/// Quadrature: the integral over the outer variable X (S or R, see the
/// header comment) is taken on its probability scale u = F_X(x), where the
/// integrand is bounded by 1 whatever the posterior, so one fixed rule
/// serves every posterior, flat or concentrated. The rule is composite
/// 20-point Gauss–Legendre on 20 panels of u graded geometrically towards
/// both ends (breakpoints 1e-13, 1e-10, 1e-7, 1e-5, 1e-4, 1e-3, 0.01, 0.05,
/// 0.15, 0.3, 0.5 and their mirror images 1 − b); every node carries F_X⁻¹
/// and 1 − F_X⁻¹, each inverted directly, so a posterior packed against
/// θ = ±1 keeps its digits. The mass outside [1e-13, 1 − 1e-13] is ignored.
/// The integrand vanishes on one side of an end point u₀ and behaves like
/// |u − u₀|^a (a the parameter of the inner variable's end) next to it, so
/// the panel holding u₀ is integrated afresh on its non-zero part with
/// |u − u₀| ∝ t², which makes the square-root case (a = ½) smooth.
class CXMETRICS_API dirichlet_net_distribution {
 public:
  /// Throws invalid_argument unless every parameter is finite and > 0.
  explicit dirichlet_net_distribution(const dirichlet3& d,
                                      dirichlet_net_method method = dirichlet_net_method::automatic);

  [[nodiscard]] const dirichlet3& parameters() const noexcept { return d_; }
  /// True when cdf and quantile come from the Cornish–Fisher expansion.
  [[nodiscard]] bool uses_expansion() const noexcept { return expansion_; }
  [[nodiscard]] double mean() const noexcept { return shape_.mean; }
  [[nodiscard]] double sd() const noexcept { return shape_.sd; }

  /// P(θ <= x); x on −1…1 (values outside give 0 or 1).
  [[nodiscard]] double cdf(double x) const;

  /// The p-quantile of θ (0 < p < 1): from the expansion, or by TOMS 748
  /// (Alefeld, Potra & Shi 1995, Boost.Math) on the quadrature's cdf,
  /// rounded away from the median by at most 1e-9 SDs or one double.
  [[nodiscard]] double quantile(double p) const;

 private:
  // The quadrature, the expansion and the root search, in the compiled part
  // of the library (src/stats/dirichlet.cpp): a whole cdf or quantile is one
  // call into it, never one call per node.
  friend struct detail::dirichlet_net_kernel;

  static constexpr std::size_t points = 20;  // Gauss–Legendre points per panel
  struct node {
    detail::beta_point x;  // F_X⁻¹ at the node, and 1 − F_X⁻¹
    double w = 0.0;        // quadrature weight on the u scale
  };
  struct panel {
    double lo = 0.0, hi = 0.0;  // extent in u
    std::array<node, points> nodes{};
  };
  static constexpr std::array<double, 11> breaks_{1e-13, 1e-10, 1e-7, 1e-5, 1e-4, 1e-3, 0.01, 0.05, 0.15, 0.3, 0.5};

  dirichlet3 d_;
  detail::net_shape shape_;
  bool expansion_ = false;
  bool outer_r_ = false;  // the outer variable is R (else S)
  double as_ = 0.0;       // S ~ Beta(as_, bs_)
  double bs_ = 0.0;
  double oa_ = 0.0;       // the outer variable ~ Beta(oa_, ob_)
  double ob_ = 0.0;
  std::array<panel, 2 * (breaks_.size() - 1)> panels_{};
};

/// P(θ <= x) under the Dirichlet `d`; x on −1…1 (values outside give 0 or 1).
[[nodiscard]] inline double dirichlet_net_cdf(double x, const dirichlet3& d) {
  return dirichlet_net_distribution(d).cdf(x);
}

/// The p-quantile of θ under `d` (0 < p < 1).
[[nodiscard]] inline double dirichlet_net_quantile(double p, const dirichlet3& d) {
  return dirichlet_net_distribution(d).quantile(p);
}

/// Equal-tailed credible interval for θ at `level` (on −1…1), method
/// bayes_dirichlet. Throws invalid_argument for a bad level or parameters.
[[nodiscard]] inline interval dirichlet_net_interval(const dirichlet3& d, double level = 0.95) {
  check_level(level);
  const dirichlet_net_distribution dist(d);
  const double alpha = 1.0 - level;
  return interval{dist.quantile(alpha / 2.0), dist.quantile(1.0 - alpha / 2.0), level,
                  interval_method::bayes_dirichlet};
}

}  // namespace cxm::stats
