// Each group against the rest of the responses: the one group-vs-rest test
// of `cxm summary`, `cxm report` and report/model.hpp.
//
// For every group (channel, segment, month, ...) the rest is the total minus
// the group, bin by bin, so a call is O(groups · points) however the groups
// were formed. What is compared (rest_metric):
//
//   net_score  NPS, points −100…100: y = −1, 0, +1 for low, middle, high.
//              Difference θ₁ − θ₂ with the unpooled Wald SE
//              √(v₁ + v₂), v = (p_high + p_low − θ²)/n, and the Wald
//              interval d ± z·SE. Test: z = (θ₁ − θ₂)/√(V̄·(1/n₁ + 1/n₂))
//              with the variance under H0 — both groups draw from one
//              trinomial distribution — estimated from both groups together:
//              V̄ = p̄_high + p̄_low − (p̄_high − p̄_low)², p̄ the pooled
//              shares. With no middle answers this is exactly the pooled
//              two-proportion test below (y = 2·[high] − 1). Pooling keeps a
//              tiny group honest: 2 promoters against a rest at NPS 8.5
//              give z ≈ 1.57 (p ≈ 0.12), where the unpooled Wald SE of the
//              group is 0 and the unpooled test calls it "p < 0.0001".
//   share      share of the high bins (top box, "easy", resolved yes),
//              fraction 0…1. Difference with the unpooled SE and Newcombe's
//              hybrid score interval (stats::compare_proportions); test: the
//              pooled two-proportion z test, z = d/√(p̄q̄(1/n₁ + 1/n₂)),
//              whose two-sided p-value is that of R's
//              prop.test(c(x1, x2), c(n1, n2), correct = FALSE).
//   mean       mean score, scale units. Welch's t test (Welch 1947,
//              Biometrika 34:28–35): t = d/√(s₁²/n₁ + s₂²/n₂) on
//              Welch–Satterthwaite degrees of freedom
//              (s₁²/n₁ + s₂²/n₂)²/((s₁²/n₁)²/(n₁−1) + (s₂²/n₂)²/(n₂−1)),
//              interval d ± t_{df}·SE; R's t.test(x, y)$p.value.
//
// Weighted counts (either side weighted): every n above becomes Kish's
// effective n ñ = (Σw)²/Σw² and every share a weighted share; the SEs of the
// difference are the linearised ones of the metric's own estimate
// (metrics/nps.hpp, stats/proportion.hpp, stats/mean.hpp). The pooled tests
// use p̄ = (p₁ñ₁ + p₂ñ₂)/(ñ₁ + ñ₂) and ñ in place of n, which treats each
// weighted side as a simple random sample of ñ responses (Kish 1965,
// "Survey Sampling"; the same approximation as the intervals). With every
// weight 1 all of this is the unweighted test.
//
// Too few to test. A normal (or t) approximation needs enough responses on
// both sides, so a group is tested only when
//   * n ≥ min_n on each side (ñ when weighted; default 30, the usual rule
//     of thumb for the sampling distribution of a mean or share to be close
//     to normal), and
//   * for shares, every expected count of the 2 × 2 table (group/rest ×
//     high/not high under H0: n_i·p̄ and n_i·(1 − p̄)) is at least
//     min_expected (default 5): Cochran (1954), "Some methods for
//     strengthening the common χ² tests", Biometrics 10:417–451, whose rule
//     for the 2 × 2 χ² test (the square of this z) asks for expected counts
//     of at least 5.
// A group that fails is status too_few: its difference is given (status
// insufficient, no SE or interval), its statistic and p-value are NaN and it
// takes no part in the adjustment. A tested group whose test is undefined
// (means: both SEs 0 with different means) is status untestable, also out of
// the adjustment. Where the pooled variance is 0 (every response in one
// category, so the difference is 0) the statistic is 0 and p = 1, as in
// compare_proportions.
//
// Adjustment: the raw p-values of the tested groups only are adjusted
// together (stats::adjust_p, Holm by default); significant means adjusted
// p < 1 − level.
//
// Header: cxmetrics/stats/compare_to_rest.hpp. Complexity: O(points) per
// group plus O(m log m) for the adjustment of m tested groups.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/stats/compare.hpp"
#include "cxmetrics/stats/distributions.hpp"
#include "cxmetrics/stats/multiplicity.hpp"

namespace cxm::inline v0_1::stats {

/// What a group is compared on (see the header comment).
enum class rest_metric : std::uint8_t {
  net_score,  ///< NPS: share high − share low, in points
  share,      ///< share of the high bins, a fraction
  mean,       ///< mean score
};

/// Whether a group was tested against the rest.
enum class rest_status : std::uint8_t {
  tested,      ///< statistic and raw p-value; part of the adjustment
  too_few,     ///< below min_n or min_expected on a side: not tested
  untestable,  ///< enough responses, but the test is undefined (see the header comment)
};

/// "tested", "too_few", "untestable".
[[nodiscard]] constexpr const char* to_string(rest_status s) noexcept {
  switch (s) {
    case rest_status::tested: return "tested";
    case rest_status::too_few: return "too_few";
    case rest_status::untestable: return "untestable";
  }
  return "untestable";
}

/// How groups are tested against the rest.
struct rest_options {
  double level = 0.95;               ///< interval level; significance at adjusted p < 1 − level
  p_adjust adjust = p_adjust::holm;  ///< adjustment across the tested groups
  double min_n = 30;                 ///< least (effective) n on each side to test
  double min_expected = 5;           ///< shares: least expected count per 2 × 2 cell (Cochran 1954); 0: no rule
};

/// One group against the rest.
struct rest_comparison {
  /// Group − rest: the difference (points for NPS, a fraction for shares,
  /// scale units for means) with SE and interval, the statistic (z, or t
  /// for means) and the raw two-sided p-value; NaN statistic and p unless
  /// status is tested.
  comparison vs_rest;
  rest_status status = rest_status::untestable;
  std::string note;  ///< why the group was not tested (empty when tested)
  double df = std::numeric_limits<double>::quiet_NaN();          ///< means: Welch degrees of freedom
  double p_adjusted = std::numeric_limits<double>::quiet_NaN();  ///< over the tested groups; NaN otherwise
  bool significant = false;                                       ///< p_adjusted < 1 − level
};

/// Throws invalid_argument unless the options are usable.
inline void check_rest_options(const rest_options& o) {
  check_level(o.level);
  if (!(std::isfinite(o.min_n) && o.min_n >= 0.0)) {
    throw invalid_argument("minimum n per side must be finite and >= 0, got " + std::to_string(o.min_n),
                           at_field("min_n"));
  }
  if (!(std::isfinite(o.min_expected) && o.min_expected >= 0.0)) {
    throw invalid_argument("minimum expected count must be finite and >= 0, got " + std::to_string(o.min_expected),
                           at_field("min_expected"));
  }
}

namespace detail {

/// The sufficient statistics of one side: counts and weights of the low,
/// middle and high groups of bins, and the score moments.
struct rest_side {
  bin_totals low, mid, high, all;
  double wx = 0.0, wx2 = 0.0;    ///< Σw·x, Σw·x² (counts when unweighted)
  double w2x = 0.0, w2x2 = 0.0;  ///< Σw²·x, Σw²·x²
  bool weighted = false;

  [[nodiscard]] double n_eff() const noexcept { return all.w2 > 0.0 ? all.w * all.w / all.w2 : 0.0; }
};

[[nodiscard]] inline rest_side side_of(const score_counts& c) {
  rest_side s;
  s.weighted = c.weighted();
  s.low = c.low();
  s.mid = c.middle();
  s.high = c.high();
  s.all = c.total();
  const auto& sc = c.scale_of();
  for (std::size_t b = 0; b < c.bins(); ++b) {
    if (c.count(b) == 0) continue;
    const double x = static_cast<double>(sc.score_of(b));
    const double w = c.weight(b);
    const double w2 = c.weight_sq(b);
    s.wx += w * x;
    s.wx2 += w * x * x;
    s.w2x += w2 * x;
    s.w2x2 += w2 * x * x;
  }
  return s;
}

// a − b for totals of a superset and a subset; weight sums clipped at 0
// against rounding, and 0 where no response is left.
[[nodiscard]] inline bin_totals minus(const bin_totals& a, const bin_totals& b) {
  bin_totals r;
  r.n = a.n - b.n;
  if (r.n != 0) {
    r.w = std::max(a.w - b.w, 0.0);
    r.w2 = std::max(a.w2 - b.w2, 0.0);
  }
  return r;
}

/// The rest: total − group.
[[nodiscard]] inline rest_side minus(const rest_side& total, const rest_side& g) {
  rest_side r;
  r.weighted = total.weighted || g.weighted;
  r.low = minus(total.low, g.low);
  r.mid = minus(total.mid, g.mid);
  r.high = minus(total.high, g.high);
  r.all = minus(total.all, g.all);
  // A part never outweighs the whole (rounding of the subtractions).
  for (bin_totals* part : {&r.low, &r.mid, &r.high}) {
    part->w = std::min(part->w, r.all.w);
    part->w2 = std::min(part->w2, r.all.w2);
  }
  if (r.all.n != 0) {
    r.wx = total.wx - g.wx;
    r.wx2 = total.wx2 - g.wx2;
    r.w2x = total.w2x - g.w2x;
    r.w2x2 = total.w2x2 - g.w2x2;
  }
  return r;
}

[[nodiscard]] inline std::string format_n(double n) {
  if (n == std::floor(n) && n < 1e15) return std::to_string(static_cast<std::uint64_t>(n));
  std::string s = std::to_string(n);  // effective n: one decimal is enough
  return s.substr(0, s.find('.') + 2);
}

// Shares and the pooled share of both sides, by weight when weighted.
struct share_parts {
  double p1 = 0.0, p2 = 0.0, n1 = 0.0, n2 = 0.0, pooled = 0.0;
};

[[nodiscard]] inline double share_of(const bin_totals& hit, const bin_totals& all, bool weighted) {
  if (weighted) return all.w > 0.0 ? std::min(hit.w / all.w, 1.0) : 0.0;
  return all.n > 0 ? static_cast<double>(hit.n) / static_cast<double>(all.n) : 0.0;
}

[[nodiscard]] inline double size_of(const rest_side& s, bool weighted) {
  return weighted ? s.n_eff() : static_cast<double>(s.all.n);
}

// The pooled z test (variance under H0: var0·(1/n₁ + 1/n₂)) of a difference d.
inline void pooled_z(comparison& c, double d, double var0, double n1, double n2) {
  const double v = var0 * (1.0 / n1 + 1.0 / n2);
  if (v > 0.0) {
    c.statistic = d / std::sqrt(v);
    c.p_value = two_sided_p(c.statistic);
  } else {  // every response in one category: d is 0
    c.statistic = 0.0;
    c.p_value = 1.0;
  }
}

[[nodiscard]] inline double net_var(double p_high, double p_low) {
  const double t = p_high - p_low;
  return std::max(p_high + p_low - t * t, 0.0);
}

// Linearised variance of a weighted net score (metrics/nps.hpp).
[[nodiscard]] inline double net_var_weighted(const rest_side& s, double theta) {
  const double dh = 1.0 - theta, dm = -theta, dl = -1.0 - theta;
  return (dh * dh * s.high.w2 + dm * dm * s.mid.w2 + dl * dl * s.low.w2) / (s.all.w * s.all.w);
}

// Mean and the squared SE of the mean of one side (stats/mean.hpp's forms).
struct mean_parts {
  double mean = 0.0, se2 = 0.0, n = 0.0, df = 0.0;
};

[[nodiscard]] inline mean_parts mean_of(const rest_side& s, bool weighted) {
  mean_parts m;
  if (!weighted) {
    const double n = static_cast<double>(s.all.n);
    m.n = n;
    m.df = n - 1.0;
    m.mean = s.wx / n;
    const double ss = std::max(s.wx2 - n * m.mean * m.mean, 0.0);  // Σ(x − x̄)²
    m.se2 = n > 1.0 ? ss / (n - 1.0) / n : 0.0;
    return m;
  }
  const double w = s.all.w;
  m.n = s.n_eff();
  m.df = std::max(m.n - 1.0, 1.0);
  m.mean = s.wx / w;
  // Σ w²(x − m)² = Σw²x² − 2mΣw²x + m²Σw²
  const double v = std::max(s.w2x2 - 2.0 * m.mean * s.w2x + m.mean * m.mean * s.all.w2, 0.0);
  m.se2 = m.n > 1.0 ? v / (w * w) * m.n / m.df : 0.0;
  return m;
}

}  // namespace detail

/// One group against the rest (total − group), before adjustment: status
/// tested, too_few or untestable (see the header comment). Throws
/// invalid_argument for bad options, incompatible_merge when the scales
/// differ, and invalid_argument when the group holds more than the total.
[[nodiscard]] inline rest_comparison compare_group_to_rest(const score_counts& group, const score_counts& total,
                                                           rest_metric metric, const rest_options& o = {}) {
  check_rest_options(o);
  if (!(group.scale_of() == total.scale_of())) {
    throw incompatible_merge("cannot compare counts on the " + group.scale_of().describe() + " with a total on the " +
                             total.scale_of().describe());
  }
  for (std::size_t b = 0; b < group.bins(); ++b) {
    if (group.count(b) > total.count(b)) {
      throw invalid_argument("a group holds more responses than the total (bin " + std::to_string(b) + ")");
    }
  }
  const detail::rest_side g = detail::side_of(group);
  const detail::rest_side r = detail::minus(detail::side_of(total), g);
  const bool weighted = g.weighted || r.weighted;
  const double n1 = detail::size_of(g, weighted);
  const double n2 = detail::size_of(r, weighted);
  const std::uint64_t n = g.all.n + r.all.n;
  const double n_eff = n1 + n2;
  rest_comparison out;

  // The difference alone, for a side too small to test.
  const auto difference_only = [&](double d, std::string why) {
    out.status = rest_status::too_few;
    out.note = why;
    out.vs_rest = comparison{};
    out.vs_rest.difference = estimate::insufficient(d, n, n_eff, "too few responses to test: " + why);
  };
  const auto no_side = [&]() -> bool {
    const bool g_empty = g.all.n == 0 || (weighted && !(g.all.w > 0.0));
    const bool r_empty = r.all.n == 0 || (weighted && !(r.all.w > 0.0));
    if (!g_empty && !r_empty) return false;
    out.status = rest_status::too_few;
    out.note = g_empty ? "the group has no responses" : "the rest has no responses";
    out.vs_rest.difference = estimate::no_data(n, out.note);
    return true;
  };
  const auto below_min_n = [&](std::string& why) {
    if (n1 >= o.min_n && n2 >= o.min_n) return false;
    const bool group_side = n1 < o.min_n;
    why = std::string(group_side ? "group" : "rest") + (weighted ? " effective n " : " n ") +
          detail::format_n(group_side ? n1 : n2) + " < " + detail::format_n(o.min_n);
    return true;
  };
  if (no_side()) return out;

  switch (metric) {
    case rest_metric::share: {
      const double p1 = detail::share_of(g.high, g.all, weighted);
      const double p2 = detail::share_of(r.high, r.all, weighted);
      const double pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
      std::string why;
      if (below_min_n(why)) {
        difference_only(p1 - p2, why);
        return out;
      }
      if (o.min_expected > 0.0) {
        const double e = std::min({n1 * pooled, n1 * (1.0 - pooled), n2 * pooled, n2 * (1.0 - pooled)});
        if (e < o.min_expected) {
          std::string ex = std::to_string(e);
          difference_only(p1 - p2, "an expected count of " + ex.substr(0, ex.find('.') + 2) + " < " +
                                       detail::format_n(o.min_expected) + " (Cochran 1954)");
          return out;
        }
      }
      out.vs_rest = weighted ? compare_proportions(g.high, g.all, r.high, r.all, o.level)
                             : compare_proportions(g.high.n, g.all.n, r.high.n, r.all.n, o.level);
      detail::pooled_z(out.vs_rest, p1 - p2, pooled * (1.0 - pooled), n1, n2);
      out.status = rest_status::tested;
      return out;
    }
    case rest_metric::net_score: {
      const double h1 = detail::share_of(g.high, g.all, weighted), l1 = detail::share_of(g.low, g.all, weighted);
      const double h2 = detail::share_of(r.high, r.all, weighted), l2 = detail::share_of(r.low, r.all, weighted);
      const double t1 = h1 - l1, t2 = h2 - l2;
      const double d = 100.0 * (t1 - t2);
      std::string why;
      if (below_min_n(why)) {
        difference_only(d, why);
        return out;
      }
      const double v1 = weighted ? detail::net_var_weighted(g, t1) : detail::net_var(h1, l1) / n1;
      const double v2 = weighted ? detail::net_var_weighted(r, t2) : detail::net_var(h2, l2) / n2;
      const double se = 100.0 * std::sqrt(v1 + v2);
      const double z = z_for_level(o.level);
      out.vs_rest.difference =
          estimate(d, se,
                   interval{std::clamp(d - z * se, -200.0, 200.0), std::clamp(d + z * se, -200.0, 200.0), o.level,
                            interval_method::wald},
                   n, n_eff);
      const double ph = (h1 * n1 + h2 * n2) / (n1 + n2);
      const double pl = (l1 * n1 + l2 * n2) / (n1 + n2);
      detail::pooled_z(out.vs_rest, t1 - t2, detail::net_var(ph, pl), n1, n2);
      out.status = rest_status::tested;
      return out;
    }
    case rest_metric::mean: {
      const auto a = detail::mean_of(g, weighted);
      const auto b = detail::mean_of(r, weighted);
      const double d = a.mean - b.mean;
      std::string why;
      if (below_min_n(why) || a.n < 2.0 || b.n < 2.0) {
        if (why.empty()) why = "a side has fewer than 2 responses";
        difference_only(d, why);
        return out;
      }
      const double se2 = a.se2 + b.se2;
      if (!(se2 > 0.0)) {
        if (d == 0.0) {
          out.vs_rest.difference = estimate(0.0, 0.0, interval{0.0, 0.0, o.level, interval_method::t}, n, n_eff);
          out.vs_rest.statistic = 0.0;
          out.vs_rest.p_value = 1.0;
          out.status = rest_status::tested;
          return out;
        }
        out.status = rest_status::untestable;
        out.note = "both sides have no spread (standard errors 0) and different means";
        out.vs_rest.difference = estimate::insufficient(d, n, n_eff, out.note);
        return out;
      }
      const double se = std::sqrt(se2);
      // Welch–Satterthwaite degrees of freedom.
      const double df = se2 * se2 / (a.se2 * a.se2 / a.df + b.se2 * b.se2 / b.df);
      const double tq = t_for_level(o.level, df);
      out.vs_rest.difference = estimate(d, se, interval{d - tq * se, d + tq * se, o.level, interval_method::t}, n, n_eff);
      out.vs_rest.statistic = d / se;
      out.vs_rest.p_value = 2.0 * t_upper_tail(std::fabs(out.vs_rest.statistic), df);
      out.df = df;
      out.status = rest_status::tested;
      return out;
    }
  }
  return out;
}

/// Adjusts the raw p-values of the tested rows together (the others keep NaN)
/// and sets significance at adjusted p < 1 − level.
inline void adjust_rest(std::span<rest_comparison> rows, p_adjust method, double level) {
  check_level(level);
  std::vector<double> p(rows.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].status == rest_status::tested) p[i] = rows[i].vs_rest.p_value;
  }
  const auto adj = adjust_p(p, method);
  const double alpha = 1.0 - level;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i].p_adjusted = adj[i];
    rows[i].significant = !std::isnan(adj[i]) && adj[i] < alpha;
  }
}

/// Every group against the rest of `total`, the p-values of the tested
/// groups adjusted together (see the header comment). The groups are
/// normally disjoint parts of the total; each must lie within it.
[[nodiscard]] inline std::vector<rest_comparison> compare_to_rest(std::span<const score_counts* const> groups,
                                                                  const score_counts& total, rest_metric metric,
                                                                  const rest_options& o = {}) {
  check_rest_options(o);
  std::vector<rest_comparison> out;
  out.reserve(groups.size());
  for (const auto* g : groups) out.push_back(compare_group_to_rest(*g, total, metric, o));
  adjust_rest(out, o.adjust, o.level);
  return out;
}

/// Same, for groups held by value.
[[nodiscard]] inline std::vector<rest_comparison> compare_to_rest(std::span<const score_counts> groups,
                                                                  const score_counts& total, rest_metric metric,
                                                                  const rest_options& o = {}) {
  std::vector<const score_counts*> p;
  p.reserve(groups.size());
  for (const auto& g : groups) p.push_back(&g);
  return compare_to_rest(std::span<const score_counts* const>(p), total, metric, o);
}

}  // namespace cxm::stats
