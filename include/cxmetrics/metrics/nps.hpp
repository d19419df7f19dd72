// Net Promoter Score with its uncertainty, and its mergeable accumulator.
//
// NPS = 100·(p_pro − p_det) points on −100…100, from the promoter (9–10),
// passive (7–8) and detractor (0–6) shares of a 0–10 "how likely are you to
// recommend" question (Reichheld 2003). Every standard error and interval of
// the score is in points; the three shares are proportions 0…1 with Wilson
// intervals (stats::proportion).
//
// Interval methods (nps_options::method):
//   wald            θ̂ ± z·SE, SE² = (p_pro + p_det − θ̂²)/n: the variance of
//                   the mean of y ∈ {−1, 0, +1} under the trinomial model
//                   (the Wald interval of Rocks 2016, below).
//   adjusted_wald   (default) the Wald interval after adding pseudo-
//                   observations: 3/4 detractor, 3/2 passive and 3/4 promoter
//                   (3 in all, split 1/4 : 1/2 : 1/4), i.e. with
//                   ñ = n + 3, p̃_det = (x_det + 3/4)/ñ, p̃_pro = (x_pro + 3/4)/ñ
//                   and θ̃ = p̃_pro − p̃_det:
//                     θ̃ ± z·√((p̃_pro + p̃_det − θ̃²)/ñ),
//                   clipped to [−100, 100]. This is the adjusted Wald
//                   ("Agresti–Coull style") interval of Rocks (2016),
//                   "Interval Estimation for the 'Net Promoter Score'", The
//                   American Statistician 70(4):365–372 (arXiv:1601.07235),
//                   whose comparison on real survey data found it among the
//                   best performers; the split (0.75, 1.5, 0.75) is the default
//                   pseudo_observations of its author's reference
//                   implementation (R package NPS, nps_test(test =
//                   "adjusted.wald")) and is restated by Lewis & Sauro (2021,
//                   MeasuringU, "Evaluating NPS Confidence Intervals with
//                   Real-World Data"). The point value and SE reported stay
//                   those of the sample (θ̂ and the Wald SE), as for the
//                   Agresti–Coull proportion interval.
//   bayes_dirichlet equal-tailed credible interval under the posterior
//                   Dirichlet(x_det + a, x_pas + a, x_pro + a) of the prior
//                   Dirichlet(a, a, a), a = nps_options::prior (stats/
//                   dirichlet.hpp: quadrature, or the Cornish–Fisher
//                   expansion for large posteriors; accurate up to 2⁶³
//                   responses). Point value = posterior mean, SE =
//                   posterior SD (closed form).
//   bootstrap       seeded parametric-multinomial percentile bootstrap
//                   (stats/bootstrap.hpp) with bootstrap_replicates
//                   replicates and seed; point value θ̂, SE = SD of the
//                   replicates. Same seed → same interval.
//   tango           Tango's score interval (Tango 1998, Statistics in
//                   Medicine 17:891–908; for NPS Rocks 2016): every d with
//                   |Z(d)| ≤ z, Z from the restricted MLE of the detractor
//                   share under p_pro − p_det = d (stats/net_score.hpp);
//                   point value θ̂ and the Wald SE. Defined at n = 1; upper
//                   limit 100 when every response is a promoter, lower −100
//                   when every one is a detractor.
//   t               Student t interval on the scores −1/0/+1: θ̂ ± t_{n−1}·s/√n
//                   with the sample SD s (n − 1 divisor); insufficient at
//                   n = 1.
// Wald and t intervals are clipped to [−100, 100] too.
//
// Weighted counts (c.weighted()): y = −1, 0, +1 for detractor, passive,
// promoter; θ̂ = Σw·y/Σw, and the SE is the one definition of
// stats/weighted_se.hpp that every weighted estimate of the library uses,
// chosen by nps_options::weighted_se:
//   linearized (default) SE² = n/(n − 1) · Σ_cat (y_cat − θ̂)²·Σw²_cat/(Σw)²,
//              the design-based with-replacement estimator of R's
//              survey::svymean (Taylor linearisation of the ratio mean,
//              Woodruff 1971), with n the number of responses;
//   kish       the unweighted formula s/√ñ at Kish's ñ = (Σw)²/Σw².
// With every weight 1 both are s/√n, the t SE with the n − 1 divisor: a
// weighted run with unit weights has an SE √(n/(n − 1)) times the
// unweighted Wald SE (the same as the t method's). n is the number of
// responses and effective_n Kish's ñ. Wald and t use that SE (t with n − 1,
// or ñ − 1 for kish, degrees of freedom); adjusted Wald, Tango and the
// Dirichlet posterior use the effective counts ñ·p̂_k, and the bootstrap
// resamples round(ñ) responses with the weighted shares: approximations that
// treat the weighted sample as a simple random sample of size ñ; they report
// the weighted SE (0 when it is undefined: n = 1 or all the weight on one
// response).
//
// Edge cases: n = 0 gives no_data in every field (no exception); counts
// whose weights are all zero give no_data with the note "all weights are
// zero". A single response or a sample of one category gives a Wald SE of
// 0 and a zero-width Wald interval (status ok); the default adjusted Wald
// interval stays informative there.
//
// Scales: compute_nps accepts the NPS scale and custom scales (a "net score"
// of any user-defined scale: high group minus low group). The built-in CSAT,
// CES and binary scales are rejected with invalid_argument: their "net" score
// is not an NPS and asking for one is almost certainly a mistake.
//
// compare_nps: two independent groups, difference a − b in points (the sign
// always a minus b), by nps_compare_options::method:
//   wald           (default) SE √(se_a² + se_b²) from the Wald (weighted: the
//                  weighted) SEs, Wald interval and two-sided z test
//                  (stats::compare_estimates);
//   adjusted_wald  each sample with its ¾ / 1½ / ¾ pseudo-observations: the
//                  adjusted difference, its SE, z test and interval (Rocks
//                  2016; stats/net_compare.hpp);
//   mover          θ̂_a − θ̂_b with the MOVER interval built from the two Tango
//                  intervals (Newcombe 1998, Zou & Donner 2008); an interval,
//                  not a test: statistic and p-value are NaN.
// Weighted counts enter adjusted_wald and mover as effective counts.
//
// nps_accumulator is score_metric<nps_spec> (metrics/score_metric.hpp): a
// regular value type holding a score_counts on the NPS scale and nothing
// else; add / merge / count / empty / result(nps_options). The options are
// asked for at result time and never stored, so any two NPS states merge,
// whatever interval each reader wants:
//
//   cxm::nps_accumulator east, west;
//   east.add(9);  west.add(r);                 // a score, or a response's nps field
//   east.merge(west);
//   east.result();                             // adjusted Wald 95 %
//   east.result({0.90, cxm::interval_method::bayes_dirichlet});
//
// A state of serial version 1 (io/binary.hpp) still held its options; they
// are read, checked and dropped.
//
// Header: cxmetrics/metrics/nps.hpp. Complexity: add O(1), merge O(11),
// result O(1) for wald/adjusted_wald, O(B log B) for the bootstrap,
// milliseconds (up to about 0.1 s at 10⁹ responses) for the Dirichlet
// interval.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/metrics/score_metric.hpp"
#include "cxmetrics/stats/bootstrap.hpp"
#include "cxmetrics/stats/compare.hpp"
#include "cxmetrics/stats/dirichlet.hpp"
#include "cxmetrics/stats/distributions.hpp"
#include "cxmetrics/stats/net_compare.hpp"
#include "cxmetrics/stats/net_score.hpp"
#include "cxmetrics/stats/proportion.hpp"
#include "cxmetrics/stats/weighted_se.hpp"

namespace cxm::inline v0_1 {

/// How compute_nps builds the interval of the score (see the header comment).
struct nps_options {
  double level = 0.95;                                      ///< confidence / credible level, 0 < level < 1
  interval_method method = interval_method::adjusted_wald;  ///< wald, adjusted_wald, bayes_dirichlet, bootstrap, tango, t
  double prior = 0.5;                                       ///< Dirichlet(prior, prior, prior); finite, > 0
  std::size_t bootstrap_replicates = 2000;                  ///< >= 2
  std::uint64_t seed = 0x5eed;                              ///< bootstrap seed
  stats::weighted_se weighted_se = stats::weighted_se::linearized;  ///< the SE of weighted counts
  friend bool operator==(const nps_options&, const nps_options&) = default;
};

/// NPS in points with the three category shares (proportions 0…1, Wilson).
struct nps_result {
  estimate nps;
  estimate promoters;
  estimate passives;
  estimate detractors;
  friend bool operator==(const nps_result&, const nps_result&) = default;
};

/// Result of compare_nps: difference a − b in points, z statistic, p-value.
using nps_comparison = stats::comparison;

/// How compare_nps compares two groups (see the header comment).
struct nps_compare_options {
  double level = 0.95;
  interval_method method = interval_method::wald;                   ///< wald, adjusted_wald or mover
  stats::weighted_se weighted_se = stats::weighted_se::linearized;  ///< the SE of weighted counts (wald)
  friend bool operator==(const nps_compare_options&, const nps_compare_options&) = default;
};

namespace detail {
/// Throws invalid_argument unless `m` is an NPS interval method.
inline void check_nps_method(interval_method m) {
  switch (m) {
    case interval_method::wald:
    case interval_method::adjusted_wald:
    case interval_method::bayes_dirichlet:
    case interval_method::bootstrap:
    case interval_method::tango:
    case interval_method::t:
      return;
    default:
      break;
  }
  throw invalid_argument(std::string("'") + to_string(m) +
                         "' is not an NPS interval method (use wald, adjusted_wald, bayes_dirichlet, bootstrap, tango "
                         "or t)");
}
}  // namespace detail

/// Throws invalid_argument unless every option is usable (all are checked,
/// whatever the method).
inline void check_nps_options(const nps_options& opt) {
  check_level(opt.level);
  detail::check_nps_method(opt.method);
  if (!(std::isfinite(opt.prior) && opt.prior > 0.0)) {
    throw invalid_argument("NPS Dirichlet prior must be finite and > 0, got " + std::to_string(opt.prior));
  }
  if (opt.bootstrap_replicates < 2) {
    throw invalid_argument("NPS bootstrap needs at least 2 replicates, got " + std::to_string(opt.bootstrap_replicates));
  }
}

namespace detail {

/// Throws invalid_argument unless `s` can carry a net score (NPS or custom).
inline void check_net_scale(const scale& s) {
  if (s.kind() != scale_kind::nps && s.kind() != scale_kind::custom) {
    throw invalid_argument("NPS needs counts on the NPS scale 0..10 (or a custom scale), got counts on the " +
                           s.describe());
  }
}

/// The sufficient statistics of a net score, on −1…1.
struct net_parts {
  std::uint64_t n = 0;  ///< responses
  bool weighted = false;
  double n_eff = 0.0;   ///< Kish's effective n (n when unweighted)
  double x_det = 0.0;   ///< (effective) detractor count
  double x_pas = 0.0;   ///< (effective) passive count
  double x_pro = 0.0;   ///< (effective) promoter count
  double p_det = 0.0;
  double p_pro = 0.0;
  double theta = 0.0;   ///< p_pro − p_det
  double var = 0.0;     ///< Wald (unweighted) or stats/weighted_se.hpp (weighted; 0 when undefined) variance
  /// Weighted only: θ̂ with the weighted SE and a Wald interval on −1…1
  /// (stats::weighted_net_score); insufficient when n = 1 or ñ = 1.
  estimate weighted_wald;
  bin_totals low, middle, high;  ///< weighted only: the class totals
};

/// Parts of a non-empty state with positive total weight; `se` chooses the
/// SE of weighted counts.
[[nodiscard]] inline net_parts net_parts_of(const score_counts& c,
                                            stats::weighted_se se = stats::weighted_se::linearized) {
  net_parts p;
  const auto lo = c.low();
  const auto mid = c.middle();
  const auto hi = c.high();
  p.n = lo.n + mid.n + hi.n;
  p.weighted = c.weighted();
  if (!p.weighted) {
    const double nd = static_cast<double>(p.n);
    p.n_eff = nd;
    p.x_det = static_cast<double>(lo.n);
    p.x_pas = static_cast<double>(mid.n);
    p.x_pro = static_cast<double>(hi.n);
    p.p_det = p.x_det / nd;
    p.p_pro = p.x_pro / nd;
    p.theta = (p.x_pro - p.x_det) / nd;
    p.var = std::max((p.p_pro + p.p_det - p.theta * p.theta) / nd, 0.0);
    return p;
  }
  const double w = lo.w + mid.w + hi.w;
  const double w2 = lo.w2 + mid.w2 + hi.w2;
  p.n_eff = w * w / w2;
  p.p_det = lo.w / w;
  p.p_pro = hi.w / w;
  p.theta = (hi.w - lo.w) / w;
  p.x_det = p.p_det * p.n_eff;
  p.x_pro = p.p_pro * p.n_eff;
  p.x_pas = std::max(p.n_eff - p.x_det - p.x_pro, 0.0);
  p.low = lo;
  p.middle = mid;
  p.high = hi;
  p.weighted_wald = stats::weighted_net_score(lo, mid, hi, {0.95, se, interval_method::wald});
  p.var = p.weighted_wald.state() == estimate::status::ok ? p.weighted_wald.se() * p.weighted_wald.se() : 0.0;
  return p;
}

/// `e` (a net score on −1…1, or a difference of two on −2…2) in points,
/// with `n` responses and its interval clipped to [−bound, bound].
[[nodiscard]] inline estimate in_points(const estimate& e, std::uint64_t n, double bound = 100.0) {
  if (e.state() == estimate::status::no_data) return estimate::no_data(n, e.note());
  if (e.state() == estimate::status::insufficient) {
    return estimate::insufficient(100.0 * e.value(), n, e.effective_n(), e.note());
  }
  const auto& ci = *e.ci();
  return estimate(100.0 * e.value(), 100.0 * e.se(),
                  interval{std::clamp(100.0 * ci.lower, -bound, bound), std::clamp(100.0 * ci.upper, -bound, bound),
                           ci.level, ci.method},
                  n, e.effective_n());
}

[[nodiscard]] inline interval clip_points(double lo, double hi, double level, interval_method m) {
  return interval{std::clamp(lo, -100.0, 100.0), std::clamp(hi, -100.0, 100.0), level, m};
}

/// The NPS estimate (points) of parts `p` by the method in `opt`.
[[nodiscard]] inline estimate nps_estimate(const net_parts& p, const nps_options& opt) {
  const double theta = 100.0 * p.theta;
  const double se = 100.0 * std::sqrt(p.var);
  const stats::net_counts counts{p.x_det, p.x_pas, p.x_pro};  // effective counts when weighted
  switch (opt.method) {
    case interval_method::wald:
    case interval_method::t: {
      if (p.weighted) {
        return in_points(stats::weighted_net_score(p.low, p.middle, p.high, {opt.level, opt.weighted_se, opt.method}),
                         p.n);
      }
      if (opt.method == interval_method::t) return in_points(stats::net_score_t(counts, opt.level), p.n);
      const double z = stats::z_for_level(opt.level);
      return estimate(theta, se, clip_points(theta - z * se, theta + z * se, opt.level, opt.method), p.n, p.n_eff);
    }
    case interval_method::adjusted_wald: {
      // Rocks (2016): add (3/4, 3/2, 3/4) pseudo-observations to
      // (detractors, passives, promoters), then Wald.
      const double nt = p.n_eff + 3.0;
      const double pd = (p.x_det + 0.75) / nt;
      const double pp = (p.x_pro + 0.75) / nt;
      const double centre = pp - pd;
      const double half = stats::z_for_level(opt.level) * std::sqrt(std::max(pp + pd - centre * centre, 0.0) / nt);
      return estimate(theta, se,
                      clip_points(100.0 * (centre - half), 100.0 * (centre + half), opt.level, opt.method), p.n,
                      p.n_eff);
    }
    case interval_method::bayes_dirichlet: {
      const stats::dirichlet3 post{p.x_det + opt.prior, p.x_pas + opt.prior, p.x_pro + opt.prior};
      const auto ci = stats::dirichlet_net_interval(post, opt.level);
      return estimate(100.0 * stats::dirichlet_net_mean(post), 100.0 * stats::dirichlet_net_sd(post),
                      clip_points(100.0 * ci.lower, 100.0 * ci.upper, opt.level, opt.method), p.n, p.n_eff);
    }
    case interval_method::tango: {
      const auto ci = stats::tango_interval(counts, opt.level);
      return estimate(theta, se, clip_points(100.0 * ci.lower, 100.0 * ci.upper, opt.level, opt.method), p.n,
                      p.n_eff);
    }
    case interval_method::bootstrap: {
      // Weighted: resample round(ñ) responses (an approximation, see above).
      const std::uint64_t nb =
          p.weighted ? static_cast<std::uint64_t>(std::max(std::llround(p.n_eff), 1LL)) : p.n;
      const double pd = std::clamp(p.p_det, 0.0, 1.0);
      const double pp = std::clamp(p.p_pro, 0.0, 1.0 - pd);
      const auto b = stats::bootstrap_net_score(nb, pd, pp, opt.bootstrap_replicates, opt.seed, opt.level);
      return estimate(theta, 100.0 * b.sd, clip_points(100.0 * b.ci.lower, 100.0 * b.ci.upper, opt.level, opt.method),
                      p.n, p.n_eff);
    }
    default:
      break;
  }
  throw invalid_argument(std::string("'") + to_string(opt.method) + "' is not an NPS interval method");
}

}  // namespace detail

/// NPS (points) and the three shares of `c` (see the header comment).
/// Throws invalid_argument for bad options or a scale that cannot carry a
/// net score.
[[nodiscard]] inline nps_result compute_nps(const score_counts& c, const nps_options& opt = {}) {
  check_nps_options(opt);
  detail::check_net_scale(c.scale_of());
  nps_result r;
  const std::uint64_t n = c.count();
  if (n == 0) return r;
  const auto tot = c.total();
  if (c.weighted() && !(tot.w > 0.0)) {
    const auto none = estimate::no_data(n, "all weights are zero");
    r.nps = r.promoters = r.passives = r.detractors = none;
    return r;
  }
  const stats::proportion_options share{opt.level, interval_method::wilson};
  if (c.weighted()) {
    r.promoters = stats::proportion(c.high(), tot, share);
    r.passives = stats::proportion(c.middle(), tot, share);
    r.detractors = stats::proportion(c.low(), tot, share);
  } else {
    r.promoters = stats::proportion(c.high().n, n, share);
    r.passives = stats::proportion(c.middle().n, n, share);
    r.detractors = stats::proportion(c.low().n, n, share);
  }
  r.nps = detail::nps_estimate(detail::net_parts_of(c, opt.weighted_se), opt);
  return r;
}

/// Two independent groups: the difference of their NPS, a − b in points, by
/// the method of `opt` (see the header comment; a side without data gives a
/// no_data difference and NaN statistic and p-value; for wald, both SEs 0
/// give an insufficient difference). Throws incompatible_merge when the two
/// scales differ, invalid_argument for a bad level or a method other than
/// wald, adjusted_wald and mover.
[[nodiscard]] inline nps_comparison compare_nps(const score_counts& a, const score_counts& b,
                                                const nps_compare_options& opt) {
  check_level(opt.level);
  detail::check_net_scale(a.scale_of());
  if (!(a.scale_of() == b.scale_of())) {
    throw incompatible_merge("cannot compare NPS on the " + a.scale_of().describe() + " with NPS on the " +
                             b.scale_of().describe());
  }
  if (opt.method == interval_method::wald) {
    nps_options wald;
    wald.level = opt.level;
    wald.method = interval_method::wald;
    wald.weighted_se = opt.weighted_se;
    return stats::compare_estimates(compute_nps(a, wald).nps, compute_nps(b, wald).nps, opt.level);
  }
  if (opt.method != interval_method::adjusted_wald && opt.method != interval_method::mover) {
    throw invalid_argument(std::string("'") + to_string(opt.method) +
                           "' is not a method of an NPS difference (use wald, adjusted_wald or mover)");
  }
  const auto counts_of = [&](const score_counts& c) {
    if (c.count() == 0 || (c.weighted() && !(c.total().w > 0.0))) return stats::net_counts{};
    const auto p = detail::net_parts_of(c, opt.weighted_se);
    return stats::net_counts{p.x_det, p.x_pas, p.x_pro};
  };
  const auto ca = counts_of(a);
  const auto cb = counts_of(b);
  stats::comparison r;
  if (opt.method == interval_method::adjusted_wald) {
    r = stats::compare_net_adjusted_wald(ca, cb, opt.level);
  } else {
    r.difference = stats::compare_net_mover(ca, cb, opt.level);
  }
  // In points; the differences live on −2…2, so −200…200.
  r.difference = detail::in_points(r.difference, a.count() + b.count(), 200.0);
  return r;
}

/// compare_nps by the Wald method at `level` (see above).
[[nodiscard]] inline nps_comparison compare_nps(const score_counts& a, const score_counts& b, double level = 0.95) {
  nps_compare_options opt;
  opt.level = level;
  return compare_nps(a, b, opt);
}

// --- fields (core/fields.hpp) ---------------------------------------------------

constexpr serial_type serial_type_of(serial_tag<nps_options>) noexcept { return {type_tag::none, 1, "nps_options"}; }

/// Fields of nps_options: level, method, prior, bootstrap_replicates, seed.
template <class Ar>
void visit_fields(Ar& ar, nps_options& o) {
  nps_options v = o;
  detail::visit_level(ar, v.level);
  detail::visit_method(ar, "method", v.method);
  ar.check([&] { detail::check_nps_method(v.method); });
  ar.field("prior", v.prior);
  if (!(std::isfinite(v.prior) && v.prior > 0.0)) ar.fail("Dirichlet prior must be finite and > 0");
  auto reps = static_cast<std::uint64_t>(v.bootstrap_replicates);
  ar.field("bootstrap_replicates", reps);
  if (reps < 2) ar.fail("bootstrap replicates must be >= 2, got " + std::to_string(reps));
  if (reps > SIZE_MAX) ar.fail("bootstrap replicates do not fit a size_t");
  ar.field("seed", v.seed);
  if constexpr (Ar::loading) {
    v.bootstrap_replicates = static_cast<std::size_t>(reps);
    o = v;
  }
}

/// The Spec of nps_accumulator (metrics/score_metric.hpp).
struct nps_spec : spec_base<nps_options, nps_result> {
  static constexpr metric_names names{"nps_accumulator", "the NPS scale 0..10", type_tag::nps_accumulator, 2, "nps"};
  static bool accepts(const scale& s) noexcept { return s == scale::nps(); }
  static scale default_scale() noexcept { return scale::nps(); }
  static const std::optional<int>& answer(const response& r) noexcept { return r.nps; }
  static nps_result compute(const score_counts& c, const nps_options& o) { return compute_nps(c, o); }
  /// Serial version 1 held the options before the counts; they imply no scale.
  using v1_options = nps_options;
  static std::optional<scale> v1_scale(const nps_options&) noexcept { return std::nullopt; }
};

/// Mergeable NPS state: a histogram on the NPS scale (see the header comment).
using nps_accumulator = score_metric<nps_spec>;

}  // namespace cxm
