// The distribution of a net score under a Dirichlet posterior
// (include/cxmetrics/stats/dirichlet.hpp, whose header comment derives the
// quadrature, the expansion and their accuracy): Boost.Math's incomplete
// beta functions, Gauss–Legendre nodes, inverse erfc and TOMS 748.
#include "cxmetrics/stats/dirichlet.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/tools/toms748_solve.hpp>

namespace cxm::inline v0_1::stats {

namespace detail {

namespace {

namespace bm = boost::math;

/// F⁻¹ of Beta(a, b) at p, with 1 − F⁻¹ computed directly (not by
/// subtraction). Boost's ibeta_inv (1.74) fails to converge for some tiny p
/// when a < 1 (e.g. a = ½, b = 2, p = 1e-10); then the equation
/// I_x(a, b) = p is solved on log x with TOMS 748 instead (I is reliable),
/// and x is tiny there, so 1 − x loses nothing.
[[nodiscard]] beta_point beta_inverse(double a, double b, double p) {
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

using gl = bm::quadrature::gauss<double, 20>;

}  // namespace

/// Everything of dirichlet_net_distribution that computes, as functions of
/// the distribution's state (a friend of the class).
struct dirichlet_net_kernel {
  using dist = dirichlet_net_distribution;
  static_assert(dist::points == 2 * std::tuple_size_v<std::remove_cvref_t<decltype(gl::abscissa())>>,
                "a panel holds one node per Gauss–Legendre abscissa and sign");

  /// Φ⁻¹(p), accurate in both tails.
  [[nodiscard]] static double normal_quantile(double p) { return -std::numbers::sqrt2 * bm::erfc_inv(2.0 * p); }

  /// The Cornish–Fisher expansion of the p-quantile to second order
  /// (Cornish & Fisher 1937; Abramowitz & Stegun 26.2.51): with z = Φ⁻¹(p),
  ///   w = z + γ₁(z² − 1)/6 + γ₂(z³ − 3z)/24 − γ₁²(2z³ − 5z)/36,
  /// x = E θ + σ·w. The terms left out are of order γ₁³, γ₁γ₂ and κ₅/σ⁵,
  /// each at most a constant times S₂^(−3/2) (|d_k| <= 2 bounds every S_r by
  /// 2^(r−2)·S₂); against the third-order expansion the left-out terms
  /// measure about 0.85·S₂^(−3/2) SDs, 3e-11 SDs at S₂ = 10⁷.
  [[nodiscard]] static double cornish_fisher(const dist& D, double p) {
    const double z = normal_quantile(p);
    const double g1 = D.shape_.skew;
    const double g2 = D.shape_.kurtosis;
    const double z2 = z * z;
    const double w = z + g1 * (z2 - 1.0) / 6.0 + g2 * z * (z2 - 3.0) / 24.0 - g1 * g1 * z * (2.0 * z2 - 5.0) / 36.0;
    return std::clamp(D.shape_.mean + D.shape_.sd * w, -1.0, 1.0);
  }

  /// The Edgeworth series matching cornish_fisher (its inverse to the same
  /// order): with z = (x − E θ)/σ,
  ///   F = Φ(z) − φ(z)·[γ₁(z² − 1)/6 + γ₂(z³ − 3z)/24 + γ₁²(z⁵ − 10z³ + 15z)/72].
  [[nodiscard]] static double edgeworth_cdf(const dist& D, double x) {
    const double z = (x - D.shape_.mean) / D.shape_.sd;
    const double g1 = D.shape_.skew;
    const double g2 = D.shape_.kurtosis;
    const double z2 = z * z;
    const double phi = std::exp(-0.5 * z2) / std::sqrt(2.0 * std::numbers::pi);
    const double big_phi = 0.5 * std::erfc(-z / std::numbers::sqrt2);
    const double corr = g1 * (z2 - 1.0) / 6.0 + g2 * z * (z2 - 3.0) / 24.0 +
                        g1 * g1 * z * (z2 * z2 - 10.0 * z2 + 15.0) / 72.0;
    return std::clamp(big_phi - phi * corr, 0.0, 1.0);
  }

  /// F⁻¹(u) of Beta(a, b) and its complement.
  [[nodiscard]] static beta_point outer_quantile(double a, double b, double u) { return beta_inverse(a, b, u); }
  /// The x with P(X > x) = q for X ~ Beta(a, b), through 1 − X ~ Beta(b, a)
  /// (Boost's ibetac_inv fails to converge near 1 when b < 1); both x and
  /// 1 − x keep full relative precision.
  [[nodiscard]] static beta_point outer_upper_quantile(double a, double b, double q) {
    const auto c = beta_inverse(b, a, q);
    return {c.xc, c.x};
  }

  /// The quadrature's nodes: every panel of u, each node carrying F_X⁻¹ and
  /// 1 − F_X⁻¹ of the outer variable (see the class comment).
  static void build_nodes(dist& D) {
    const auto& x = gl::abscissa();
    const auto& w = gl::weights();
    for (std::size_t p = 0; p + 1 < dist::breaks_.size(); ++p) {
      for (int half = 0; half < 2; ++half) {  // 0: lower half (u), 1: upper half (q = 1 − u)
        const double a = dist::breaks_[p];
        const double b = dist::breaks_[p + 1];
        dist::panel& pn = D.panels_[2 * p + static_cast<std::size_t>(half)];
        pn.lo = half == 0 ? a : 1.0 - b;  // extent in u
        pn.hi = half == 0 ? b : 1.0 - a;
        for (std::size_t i = 0; i < x.size(); ++i) {
          for (int sign : {-1, 1}) {
            const double v = 0.5 * (a + b) + 0.5 * (b - a) * sign * x[i];  // u (lower) or q (upper)
            dist::node nd;
            nd.x = half == 0 ? outer_quantile(D.oa_, D.ob_, v) : outer_upper_quantile(D.oa_, D.ob_, v);
            nd.w = 0.5 * (b - a) * w[i];
            pn.nodes[2 * i + (sign > 0 ? 1 : 0)] = nd;
          }
        }
      }
    }
  }

  /// P(θ <= x) (mirror: P(−θ <= x)) for any x: the lower-tail formula for
  /// x <= 0, its mirror image above.
  [[nodiscard]] static double tail(const dist& D, double x, bool mirror) {
    if (x >= 1.0) return 1.0;
    if (x <= 0.0) return lower(D, -x, mirror);
    return 1.0 - lower(D, x, !mirror);
  }

  /// P(p_hi − p_lo <= −ax) for 0 <= ax <= 1, with (hi, lo) = (pro, det), or
  /// (det, pro) when `mirror`. V = p_hi/S ~ Beta(a_hi, a_lo), independent
  /// of S, and p_hi − p_lo = S·(2V − 1).
  [[nodiscard]] static double lower(const dist& D, double ax, bool mirror) {
    if (ax >= 1.0) return 0.0;
    const double a_hi = mirror ? D.d_.det : D.d_.pro;
    const double a_lo = mirror ? D.d_.pro : D.d_.det;
    if (ax == 0.0) return bm::ibeta(a_hi, a_lo, 0.5);  // P(V <= ½)
    return D.outer_r_ ? lower_over_r(D, ax, mirror, a_hi, a_lo) : lower_over_s(D, ax, a_hi, a_lo);
  }

  /// Outer S: ∫ h(s) dF_S(s) with h(s) = I_{(s − ax)/(2s)}(a_hi, a_lo) for
  /// s > ax and 0 below; zero for u < u₀ = F_S(ax).
  [[nodiscard]] static double lower_over_s(const dist& D, double ax, double a_hi, double a_lo) {
    // s − ax without cancellation: when ax >= ½ as (1 − ax) − (1 − s), where
    // 1 − ax is exact (Sterbenz) and 1 − s is carried by the node, so a
    // posterior packed against θ = ±1 (10¹⁵ promoters and a handful of
    // others) keeps the digits that tell its quantiles apart.
    const bool near_one = ax >= 0.5;
    const double one_minus_ax = 1.0 - ax;
    auto h = [&](const beta_point& s) -> double {
      const double gap = near_one ? one_minus_ax - s.xc : s.x - ax;
      if (!(gap > 0.0)) return 0.0;
      return bm::ibeta(a_hi, a_lo, std::clamp(gap / (2.0 * s.x), 0.0, 0.5));
    };
    const double u0 = bm::ibeta(D.as_, D.bs_, ax);
    const double q0 = bm::ibetac(D.as_, D.bs_, ax);
    if (!(q0 > 0.0)) return 0.0;
    // Above u₀ (the integrand is zero below it).
    return integrate(D, u0, q0, true, false, h);
  }

  /// Outer R: ∫ g(v) dF_V(v) with g(v) = P(S >= ax/(1 − 2v)) for
  /// v < (1 − ax)/2 and 0 above; zero for w > w₀ = F_V((1 − ax)/2), where
  /// w = F_V(v) is u (mirror: 1 − u) on the nodes' scale of R.
  [[nodiscard]] static double lower_over_r(const dist& D, double ax, bool mirror, double a_hi, double a_lo) {
    const double v_end = 0.5 * (1.0 - ax);
    const double as = D.as_, bs = D.bs_;
    auto g = [&](const beta_point& v) -> double {
      if (!(v.x < v_end)) return 0.0;
      // 1 − 2v, exact from ¼ on (Sterbenz on 1 − v and v).
      const double one_2v = v.x < 0.25 ? 1.0 - 2.0 * v.x : v.xc - v.x;
      const double t = ax / one_2v;
      if (!(t < 1.0)) return 0.0;
      if (t <= 0.5) return bm::ibetac(as, bs, t);
      // P(1 − S <= 1 − t), 1 − t = (1 − 2v − ax)/(1 − 2v) formed without
      // cancellation when ax >= ½ (S packed against 1).
      const double gap = ax >= 0.5 ? (1.0 - ax) - 2.0 * v.x : one_2v - ax;
      if (!(gap > 0.0)) return 0.0;
      return bm::ibeta(bs, as, std::clamp(gap / one_2v, 0.0, 0.5));
    };
    const double w0 = bm::ibeta(a_hi, a_lo, v_end);
    const double wq0 = bm::ibetac(a_hi, a_lo, v_end);
    if (!(w0 > 0.0)) return 0.0;
    // On the nodes' scale u of R: mirror (V = 1 − R) flips u ↦ 1 − u.
    if (!mirror) return integrate(D, w0, wq0, false, false, g);
    return integrate(D, wq0, w0, true, true, g);
  }

  /// ∫ f over the part of the nodes' u scale above u₀ (`above`) or below it,
  /// where u₀ is given with its complement q₀ = 1 − u₀. `flip`: f takes the
  /// complement point (1 − x, x) of each node (the mirror V = 1 − R).
  template <class F>
  [[nodiscard]] static double integrate(const dist& D, double u0, double q0, bool above, bool flip, const F& f) {
    const auto& x = gl::abscissa();
    const auto& w = gl::weights();
    auto at = [flip](const beta_point& p) { return flip ? beta_point{p.xc, p.x} : p; };
    double sum = 0.0;
    for (const auto& pn : D.panels_) {
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
          beta_point p;
          if (upper_half) {
            p = outer_upper_quantile(D.oa_, D.ob_, std::clamp(above ? q0 - du : q0 + du, 0.0, 1.0));
          } else {
            p = outer_quantile(D.oa_, D.ob_, std::clamp(above ? u0 + du : u0 - du, 0.0, 1.0));
          }
          sum += w[i] * len * t * f(at(p));
        }
      }
    }
    return std::clamp(sum, 0.0, 1.0);
  }
};

}  // namespace detail

dirichlet_net_distribution::dirichlet_net_distribution(const dirichlet3& d, dirichlet_net_method method) : d_(d) {
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
  detail::dirichlet_net_kernel::build_nodes(*this);
}

double dirichlet_net_distribution::cdf(double x) const {
  using kernel = detail::dirichlet_net_kernel;
  if (std::isnan(x)) throw invalid_argument("net score cdf needs a number, got NaN");
  if (x >= 1.0) return 1.0;
  if (x <= -1.0) return 0.0;
  if (expansion_) return kernel::edgeworth_cdf(*this, x);
  if (x <= 0.0) return kernel::lower(*this, -x, false);
  // Mirror image: θ ↦ −θ swaps promoters and detractors (S is unchanged).
  return 1.0 - kernel::lower(*this, x, true);
}

double dirichlet_net_distribution::quantile(double p) const {
  using kernel = detail::dirichlet_net_kernel;
  if (!(p > 0.0 && p < 1.0)) throw invalid_argument("quantile probability must be in (0, 1), got " + std::to_string(p));
  if (expansion_) return kernel::cornish_fisher(*this, p);
  // Search where the cdf is a small lower-tail probability, computed to
  // full relative accuracy: the upper half through the mirror image.
  const bool mirror = p > 0.5;
  const double target = mirror ? 1.0 - p : p;
  auto f = [&](double x) { return kernel::tail(*this, x, mirror) - target; };
  // Bracket the root from the normal approximation outwards in steps
  // that double from one posterior SD: a few cdf evaluations, and the
  // search never wanders where the cdf is a flat 0 (a concentrated
  // posterior fills a sliver of [−1, 1]).
  const double sigma = sd();
  const double centre = mirror ? -mean() : mean();
  double lo = std::clamp(centre + sigma * kernel::normal_quantile(target), -1.0, 1.0);
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

}  // namespace cxm::stats
