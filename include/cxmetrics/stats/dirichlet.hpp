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
// Header: cxmetrics/stats/dirichlet.hpp. Complexity: the expansion is a
// few operations (microseconds). The quadrature's distribution costs 400
// incomplete-beta inversions, a cdf at most 400 incomplete-beta evaluations
// (plus 20 inversions); an interval takes 10–60 ms on one core of a 2020s
// machine, whatever the counts.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <string>
#include <utility>

#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/tools/toms748_solve.hpp>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"

namespace cxm::stats {

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

/// F⁻¹ of Beta(a, b) at p, with 1 − F⁻¹ computed directly (not by
/// subtraction). Boost's ibeta_inv (1.74) fails to converge for some tiny p
/// when a < 1 (e.g. a = ½, b = 2, p = 1e-10); then the equation
/// I_x(a, b) = p is solved on log x with TOMS 748 instead (I is reliable),
/// and x is tiny there, so 1 − x loses nothing.
[[nodiscard]] inline beta_point beta_inverse(double a, double b, double p) {
  namespace bm = boost::math;
  try {
    beta_point r;
    r.x = bm::ibeta_inv(a, b, p, &r.xc);
    return r;
  } catch (const bm::evaluation_error&) {
  }
  const double tiny = std::numeric_limits<double>::min();
  const double lp = std::log(p);
  auto g = [&](double lx) { return std::log(std::max(bm::ibeta(a, b, std::exp(lx)), tiny)) - lp; };
  const double lo = std::log(tiny);
  const double g_lo = g(lo);
  if (g_lo >= 0.0) return {};  // below the smallest normal double
  std::uintmax_t iterations = 200;
  const auto r = bm::tools::toms748_solve(g, lo, 0.0, g_lo, -lp, bm::tools::eps_tolerance<double>(50), iterations);
  const double x = std::exp(0.5 * (r.first + r.second));
  return {x, 1.0 - x};
}

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
class dirichlet_net_distribution {
 public:
  /// Throws invalid_argument unless every parameter is finite and > 0.
  explicit dirichlet_net_distribution(const dirichlet3& d,
                                      dirichlet_net_method method = dirichlet_net_method::automatic)
      : d_(d) {
    detail::check_dirichlet(d_);
    shape_ = detail::net_shape_of(d_);
    expansion_ = method == dirichlet_net_method::expansion ||
                 (method == dirichlet_net_method::automatic && shape_.s2 >= dirichlet_expansion_from);
    if (expansion_) return;  // no quadrature nodes needed
    as_ = d_.pro + d_.det;
    bs_ = d_.pas;
    // The outer variable is the one whose spread moves θ less: then the
    // inner distribution function changes smoothly across the outer
    // variable's range. (Var θ = 4·E S²·Var R + (2·E R − 1)²·Var S; with the
    // other order the integrand can be a step a hundredth of a panel wide,
    // e.g. 300 detractors beside 5·10⁷ passives and 5·10⁷ promoters.)
    const double ar = d_.pro, br = d_.det;
    const double mean_s = as_ / (as_ + bs_);
    const double var_s = mean_s * (bs_ / (as_ + bs_)) / (as_ + bs_ + 1.0);
    const double mean_r = ar / as_;
    const double var_r = mean_r * (br / as_) / (as_ + 1.0);
    const double from_r = 4.0 * (var_s + mean_s * mean_s) * var_r;
    const double from_s = (2.0 * mean_r - 1.0) * (2.0 * mean_r - 1.0) * var_s;
    outer_r_ = from_s > from_r;
    oa_ = outer_r_ ? ar : as_;
    ob_ = outer_r_ ? br : bs_;
    const auto& x = gl::abscissa();
    const auto& w = gl::weights();
    for (std::size_t p = 0; p + 1 < breaks_.size(); ++p) {
      for (int half = 0; half < 2; ++half) {  // 0: lower half (u), 1: upper half (q = 1 − u)
        const double a = breaks_[p];
        const double b = breaks_[p + 1];
        panel& pn = panels_[2 * p + static_cast<std::size_t>(half)];
        pn.lo = half == 0 ? a : 1.0 - b;  // extent in u
        pn.hi = half == 0 ? b : 1.0 - a;
        for (std::size_t i = 0; i < x.size(); ++i) {
          for (int sign : {-1, 1}) {
            const double v = 0.5 * (a + b) + 0.5 * (b - a) * sign * x[i];  // u (lower) or q (upper)
            node nd;
            nd.x = half == 0 ? outer_quantile(oa_, ob_, v) : outer_upper_quantile(oa_, ob_, v);
            nd.w = 0.5 * (b - a) * w[i];
            pn.nodes[2 * i + (sign > 0 ? 1 : 0)] = nd;
          }
        }
      }
    }
  }

  [[nodiscard]] const dirichlet3& parameters() const noexcept { return d_; }
  /// True when cdf and quantile come from the Cornish–Fisher expansion.
  [[nodiscard]] bool uses_expansion() const noexcept { return expansion_; }
  [[nodiscard]] double mean() const noexcept { return shape_.mean; }
  [[nodiscard]] double sd() const noexcept { return shape_.sd; }

  /// P(θ <= x); x on −1…1 (values outside give 0 or 1).
  [[nodiscard]] double cdf(double x) const {
    if (std::isnan(x)) throw invalid_argument("net score cdf needs a number, got NaN");
    if (x >= 1.0) return 1.0;
    if (x <= -1.0) return 0.0;
    if (expansion_) return edgeworth_cdf(x);
    if (x <= 0.0) return lower(-x, false);
    // Mirror image: θ ↦ −θ swaps promoters and detractors (S is unchanged).
    return 1.0 - lower(x, true);
  }

  /// The p-quantile of θ (0 < p < 1): from the expansion, or by TOMS 748
  /// (Alefeld, Potra & Shi 1995, Boost.Math) on the quadrature's cdf,
  /// rounded away from the median by at most 1e-9 SDs or one double.
  [[nodiscard]] double quantile(double p) const {
    if (!(p > 0.0 && p < 1.0)) throw invalid_argument("quantile probability must be in (0, 1), got " + std::to_string(p));
    if (expansion_) return cornish_fisher(p);
    // Search where the cdf is a small lower-tail probability, computed to
    // full relative accuracy: the upper half through the mirror image.
    const bool mirror = p > 0.5;
    const double target = mirror ? 1.0 - p : p;
    auto f = [&](double x) { return tail(x, mirror) - target; };
    // Bracket the root from the normal approximation outwards in steps
    // that double from one posterior SD: a few cdf evaluations, and the
    // search never wanders where the cdf is a flat 0 (a concentrated
    // posterior fills a sliver of [−1, 1]).
    const double sigma = sd();
    const double centre = mirror ? -mean() : mean();
    double lo = std::clamp(centre + sigma * normal_quantile(target), -1.0, 1.0);
    double f_lo = f(lo);
    if (f_lo == 0.0) return mirror ? -lo : lo;
    double hi = lo;
    double f_hi = f_lo;
    const double dir = f_lo < 0.0 ? 1.0 : -1.0;
    for (double step = std::max(sigma, 4.0 * std::numeric_limits<double>::epsilon());; step *= 2.0) {
      const double next = std::clamp(hi + dir * step, -1.0, 1.0);
      lo = hi;
      f_lo = f_hi;
      hi = next;
      f_hi = next == 1.0 ? 1.0 - target : next == -1.0 ? -target : f(next);
      if ((f_hi >= 0.0) == (dir > 0.0)) break;
    }
    if (dir < 0.0) {
      std::swap(lo, hi);
      std::swap(f_lo, f_hi);
    }
    if (f_lo == 0.0 || f_hi == 0.0) {
      const double x = f_lo == 0.0 ? lo : hi;
      return mirror ? -x : x;
    }
    // Stop at 1e-9 posterior SDs or a bracket of about one double apart.
    const double step = 1e-9 * sigma;
    auto tol = [step](double a, double b) {
      return std::abs(b - a) <=
             std::max(step, std::numeric_limits<double>::epsilon() * std::max(std::abs(a), std::abs(b)));
    };
    std::uintmax_t iterations = 100;
    auto [a, b] = boost::math::tools::toms748_solve(f, lo, hi, f_lo, f_hi, tol, iterations);
    // Where the posterior SD is only a few doubles wide, halve the last
    // bracket down to neighbouring doubles (f(a) < 0 <= f(b)).
    for (int k = 0; k < 4 && std::nextafter(a, b) < b; ++k) {
      const double m = a + 0.5 * (b - a);
      if (m <= a || m >= b) break;
      (f(m) < 0.0 ? a : b) = m;
    }
    // The end of the bracket away from the median: an interval made of two
    // quantiles then encloses the exact one even where the whole posterior
    // lies between two neighbouring doubles.
    const double x = std::clamp(a, -1.0, 1.0);
    return mirror ? -x : x;
  }

 private:
  using gl = boost::math::quadrature::gauss<double, 20>;
  static constexpr std::size_t points = 20;
  struct node {
    detail::beta_point x;  // F_X⁻¹ at the node, and 1 − F_X⁻¹
    double w = 0.0;        // quadrature weight on the u scale
  };
  struct panel {
    double lo = 0.0, hi = 0.0;  // extent in u
    std::array<node, points> nodes{};
  };
  static constexpr std::array<double, 11> breaks_{1e-13, 1e-10, 1e-7, 1e-5, 1e-4, 1e-3, 0.01, 0.05, 0.15, 0.3, 0.5};

  /// Φ⁻¹(p), accurate in both tails.
  [[nodiscard]] static double normal_quantile(double p) {
    return -std::numbers::sqrt2 * boost::math::erfc_inv(2.0 * p);
  }

  /// The Cornish–Fisher expansion of the p-quantile to second order
  /// (Cornish & Fisher 1937; Abramowitz & Stegun 26.2.51): with z = Φ⁻¹(p),
  ///   w = z + γ₁(z² − 1)/6 + γ₂(z³ − 3z)/24 − γ₁²(2z³ − 5z)/36,
  /// x = E θ + σ·w. The terms left out are of order γ₁³, γ₁γ₂ and κ₅/σ⁵,
  /// each at most a constant times S₂^(−3/2) (|d_k| <= 2 bounds every S_r by
  /// 2^(r−2)·S₂); against the third-order expansion the left-out terms
  /// measure about 0.85·S₂^(−3/2) SDs, 3e-11 SDs at S₂ = 10⁷.
  [[nodiscard]] double cornish_fisher(double p) const {
    const double z = normal_quantile(p);
    const double g1 = shape_.skew;
    const double g2 = shape_.kurtosis;
    const double z2 = z * z;
    const double w = z + g1 * (z2 - 1.0) / 6.0 + g2 * z * (z2 - 3.0) / 24.0 - g1 * g1 * z * (2.0 * z2 - 5.0) / 36.0;
    return std::clamp(shape_.mean + shape_.sd * w, -1.0, 1.0);
  }

  /// The Edgeworth series matching cornish_fisher (its inverse to the same
  /// order): with z = (x − E θ)/σ,
  ///   F = Φ(z) − φ(z)·[γ₁(z² − 1)/6 + γ₂(z³ − 3z)/24 + γ₁²(z⁵ − 10z³ + 15z)/72].
  [[nodiscard]] double edgeworth_cdf(double x) const {
    const double z = (x - shape_.mean) / shape_.sd;
    const double g1 = shape_.skew;
    const double g2 = shape_.kurtosis;
    const double z2 = z * z;
    const double phi = std::exp(-0.5 * z2) / std::sqrt(2.0 * std::numbers::pi);
    const double big_phi = 0.5 * std::erfc(-z / std::numbers::sqrt2);
    const double corr = g1 * (z2 - 1.0) / 6.0 + g2 * z * (z2 - 3.0) / 24.0 +
                        g1 * g1 * z * (z2 * z2 - 10.0 * z2 + 15.0) / 72.0;
    return std::clamp(big_phi - phi * corr, 0.0, 1.0);
  }

  /// F⁻¹(u) of Beta(a, b) and its complement.
  [[nodiscard]] static detail::beta_point outer_quantile(double a, double b, double u) {
    return detail::beta_inverse(a, b, u);
  }
  /// The x with P(X > x) = q for X ~ Beta(a, b), through 1 − X ~ Beta(b, a)
  /// (Boost's ibetac_inv fails to converge near 1 when b < 1); both x and
  /// 1 − x keep full relative precision.
  [[nodiscard]] static detail::beta_point outer_upper_quantile(double a, double b, double q) {
    const auto c = detail::beta_inverse(b, a, q);
    return {c.xc, c.x};
  }

  /// P(θ <= x) (mirror: P(−θ <= x)) for any x: the lower-tail formula for
  /// x <= 0, its mirror image above.
  [[nodiscard]] double tail(double x, bool mirror) const {
    if (x >= 1.0) return 1.0;
    if (x <= 0.0) return lower(-x, mirror);
    return 1.0 - lower(x, !mirror);
  }

  /// P(p_hi − p_lo <= −ax) for 0 <= ax <= 1, with (hi, lo) = (pro, det), or
  /// (det, pro) when `mirror`. V = p_hi/S ~ Beta(a_hi, a_lo), independent
  /// of S, and p_hi − p_lo = S·(2V − 1).
  [[nodiscard]] double lower(double ax, bool mirror) const {
    namespace bm = boost::math;
    if (ax >= 1.0) return 0.0;
    const double a_hi = mirror ? d_.det : d_.pro;
    const double a_lo = mirror ? d_.pro : d_.det;
    if (ax == 0.0) return bm::ibeta(a_hi, a_lo, 0.5);  // P(V <= ½)
    return outer_r_ ? lower_over_r(ax, mirror, a_hi, a_lo) : lower_over_s(ax, a_hi, a_lo);
  }

  /// Outer S: ∫ h(s) dF_S(s) with h(s) = I_{(s − ax)/(2s)}(a_hi, a_lo) for
  /// s > ax and 0 below; zero for u < u₀ = F_S(ax).
  [[nodiscard]] double lower_over_s(double ax, double a_hi, double a_lo) const {
    namespace bm = boost::math;
    // s − ax without cancellation: when ax >= ½ as (1 − ax) − (1 − s), where
    // 1 − ax is exact (Sterbenz) and 1 − s is carried by the node, so a
    // posterior packed against θ = ±1 (10¹⁵ promoters and a handful of
    // others) keeps the digits that tell its quantiles apart.
    const bool near_one = ax >= 0.5;
    const double one_minus_ax = 1.0 - ax;
    auto h = [&](const detail::beta_point& s) -> double {
      const double gap = near_one ? one_minus_ax - s.xc : s.x - ax;
      if (!(gap > 0.0)) return 0.0;
      return bm::ibeta(a_hi, a_lo, std::clamp(gap / (2.0 * s.x), 0.0, 0.5));
    };
    const double u0 = bm::ibeta(as_, bs_, ax);
    const double q0 = bm::ibetac(as_, bs_, ax);
    if (!(q0 > 0.0)) return 0.0;
    // Above u₀ (the integrand is zero below it).
    return integrate(u0, q0, true, false, h);
  }

  /// Outer R: ∫ g(v) dF_V(v) with g(v) = P(S >= ax/(1 − 2v)) for
  /// v < (1 − ax)/2 and 0 above; zero for w > w₀ = F_V((1 − ax)/2), where
  /// w = F_V(v) is u (mirror: 1 − u) on the nodes' scale of R.
  [[nodiscard]] double lower_over_r(double ax, bool mirror, double a_hi, double a_lo) const {
    namespace bm = boost::math;
    const double v_end = 0.5 * (1.0 - ax);
    auto g = [&](const detail::beta_point& v) -> double {
      if (!(v.x < v_end)) return 0.0;
      // 1 − 2v, exact from ¼ on (Sterbenz on 1 − v and v).
      const double one_2v = v.x < 0.25 ? 1.0 - 2.0 * v.x : v.xc - v.x;
      const double t = ax / one_2v;
      if (!(t < 1.0)) return 0.0;
      if (t <= 0.5) return bm::ibetac(as_, bs_, t);
      // P(1 − S <= 1 − t), 1 − t = (1 − 2v − ax)/(1 − 2v) formed without
      // cancellation when ax >= ½ (S packed against 1).
      const double gap = ax >= 0.5 ? (1.0 - ax) - 2.0 * v.x : one_2v - ax;
      if (!(gap > 0.0)) return 0.0;
      return bm::ibeta(bs_, as_, std::clamp(gap / one_2v, 0.0, 0.5));
    };
    const double w0 = bm::ibeta(a_hi, a_lo, v_end);
    const double wq0 = bm::ibetac(a_hi, a_lo, v_end);
    if (!(w0 > 0.0)) return 0.0;
    // On the nodes' scale u of R: mirror (V = 1 − R) flips u ↦ 1 − u.
    if (!mirror) return integrate(w0, wq0, false, false, g);
    return integrate(wq0, w0, true, true, g);
  }

  /// ∫ f over the part of the nodes' u scale above u₀ (`above`) or below it,
  /// where u₀ is given with its complement q₀ = 1 − u₀. `flip`: f takes the
  /// complement point (1 − x, x) of each node (the mirror V = 1 − R).
  template <class F>
  [[nodiscard]] double integrate(double u0, double q0, bool above, bool flip, const F& f) const {
    const auto& x = gl::abscissa();
    const auto& w = gl::weights();
    auto at = [flip](const detail::beta_point& p) { return flip ? detail::beta_point{p.xc, p.x} : p; };
    double sum = 0.0;
    for (const auto& pn : panels_) {
      if (above ? pn.hi <= u0 : pn.lo >= u0) continue;  // zero on the whole panel
      if (above ? pn.lo >= u0 : pn.hi <= u0) {
        for (const auto& nd : pn.nodes) sum += nd.w * f(at(nd.x));
        continue;
      }
      // The panel holding u₀: integrate its non-zero part with |u − u₀| = len·t².
      const double len = above ? pn.hi - u0 : u0 - pn.lo;
      const bool upper_half = pn.lo >= 0.5;
      for (std::size_t i = 0; i < x.size(); ++i) {
        for (int sign : {-1, 1}) {
          const double t = 0.5 + 0.5 * sign * x[i];
          const double du = len * t * t;
          // u = u₀ ± du, through q = 1 − u in the upper half.
          detail::beta_point p;
          if (upper_half) {
            p = outer_upper_quantile(oa_, ob_, std::clamp(above ? q0 - du : q0 + du, 0.0, 1.0));
          } else {
            p = outer_quantile(oa_, ob_, std::clamp(above ? u0 + du : u0 - du, 0.0, 1.0));
          }
          sum += w[i] * len * t * f(at(p));
        }
      }
    }
    return std::clamp(sum, 0.0, 1.0);
  }

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
