// NPS: estimates, intervals (Wald, adjusted Wald, Dirichlet, bootstrap),
// weighting, comparison and the accumulator.
//
// Reference values come from outside the library: R (base R, expression in
// the comment next to each value), SciPy (a different decomposition of the
// Dirichlet distribution function, script quoted below) or hand arithmetic.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <boost/random/gamma_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/stats/bootstrap.hpp"
#include "cxmetrics/stats/dirichlet.hpp"

namespace {

using namespace cxm;

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

/// Counts with `det` detractors (score 3), `pas` passives (7), `pro` promoters (10).
score_counts trinomial(std::uint64_t det, std::uint64_t pas, std::uint64_t pro) {
  score_counts c(scale::nps());
  c.add_count(3, det);
  c.add_count(7, pas);
  c.add_count(10, pro);
  return c;
}

nps_options with_method(interval_method m, double level = 0.95) {
  nps_options o;
  o.method = m;
  o.level = level;
  return o;
}

// ---------------------------------------------------------------- Wald ---

TEST(NpsWald, MatchesTrinomialFormula) {
  // 10 detractors, 20 passives, 30 promoters (n = 60):
  //   p_pro = 1/2, p_det = 1/6, NPS = 100·(1/2 − 1/6) = 33.333…
  //   Var = (p_pro + p_det − θ²)/n = (2/3 − 1/9)/60 = (5/9)/60 = 1/108
  //   SE = 100/√108 = 9.6225044864937…
  // R: x <- c(10,20,30); n <- 60; p <- x/n; th <- p[3]-p[1];
  //    se <- sqrt((p[3]+p[1]-th^2)/n); 100*(th + c(-1,1)*qnorm(.975)*se)
  //    → 14.47357109873048 52.19309556793619
  const auto r = compute_nps(trinomial(10, 20, 30), with_method(interval_method::wald));
  ASSERT_TRUE(r.nps.ok());
  EXPECT_NEAR(r.nps.value(), 100.0 / 3.0, 1e-12);
  EXPECT_NEAR(r.nps.se(), 100.0 / std::sqrt(108.0), 1e-12);
  EXPECT_NEAR(r.nps.ci()->lower, 14.47357109873048, 1e-9);
  EXPECT_NEAR(r.nps.ci()->upper, 52.19309556793619, 1e-9);
  EXPECT_EQ(r.nps.ci()->method, interval_method::wald);
  EXPECT_EQ(r.nps.n(), 60u);
  EXPECT_EQ(r.nps.effective_n(), 60.0);
}

TEST(NpsShares, AreWilsonProportions) {
  // R: prop.test(k, 60, correct = FALSE)$conf.int for k = 10, 20, 30
  const auto r = compute_nps(trinomial(10, 20, 30));
  EXPECT_NEAR(r.detractors.value(), 1.0 / 6.0, 1e-15);
  EXPECT_NEAR(r.passives.value(), 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(r.promoters.value(), 0.5, 1e-15);
  EXPECT_NEAR(r.detractors.ci()->lower, 0.0931317697919146, 1e-12);
  EXPECT_NEAR(r.detractors.ci()->upper, 0.2803161316361453, 1e-12);
  EXPECT_NEAR(r.passives.ci()->lower, 0.227292615235227, 1e-12);
  EXPECT_NEAR(r.passives.ci()->upper, 0.459431335478803, 1e-12);
  EXPECT_NEAR(r.promoters.ci()->lower, 0.377350242415558, 1e-12);
  EXPECT_NEAR(r.promoters.ci()->upper, 0.622649757584442, 1e-12);
  EXPECT_EQ(r.promoters.ci()->method, interval_method::wilson);
  // SE √(p(1−p)/n): promoters √(1/4/60)
  EXPECT_NEAR(r.promoters.se(), std::sqrt(0.25 / 60.0), 1e-15);
}

TEST(NpsScale, UsesTheNpsCutPoints) {
  // 0–6 detractors, 7–8 passives, 9–10 promoters: one response on each point
  // gives 7 detractors, 2 passives, 2 promoters → NPS = 100·(2 − 7)/11.
  score_counts c(scale::nps());
  for (int s = 0; s <= 10; ++s) c.add(s);
  const auto r = compute_nps(c, with_method(interval_method::wald));
  EXPECT_NEAR(r.nps.value(), -500.0 / 11.0, 1e-12);
  EXPECT_EQ(r.detractors.n(), 11u);
  EXPECT_NEAR(r.detractors.value(), 7.0 / 11.0, 1e-15);
  EXPECT_NEAR(r.passives.value(), 2.0 / 11.0, 1e-15);
}

// ------------------------------------------------------- adjusted Wald ---

TEST(NpsAdjustedWald, AddsRocksPseudoObservations) {
  // Rocks (2016): (0.75, 1.5, 0.75) added to (det, pas, pro), n + 3.
  // R: xa <- c(10,20,30) + c(.75,1.5,.75); na <- sum(xa); pa <- xa/na;
  //    tha <- pa[3]-pa[1]; sea <- sqrt((pa[3]+pa[1]-tha^2)/na)
  //    100*(tha + c(-1,1)*qnorm(.975)*sea) → 13.3011825356382 50.1908809564253
  //    100*(tha + c(-1,1)*qnorm(.95)*sea)  → 16.2666263275651 47.2254371644984
  const auto c = trinomial(10, 20, 30);
  const auto r = compute_nps(c);  // adjusted Wald is the default
  ASSERT_TRUE(r.nps.ok());
  EXPECT_EQ(r.nps.ci()->method, interval_method::adjusted_wald);
  EXPECT_NEAR(r.nps.ci()->lower, 13.3011825356382, 1e-9);
  EXPECT_NEAR(r.nps.ci()->upper, 50.1908809564253, 1e-9);
  // Point value and SE stay the sample's (as for Agresti–Coull).
  EXPECT_NEAR(r.nps.value(), 100.0 / 3.0, 1e-12);
  EXPECT_NEAR(r.nps.se(), 100.0 / std::sqrt(108.0), 1e-12);

  const auto r90 = compute_nps(c, with_method(interval_method::adjusted_wald, 0.90));
  EXPECT_NEAR(r90.nps.ci()->lower, 16.2666263275651, 1e-9);
  EXPECT_NEAR(r90.nps.ci()->upper, 47.2254371644984, 1e-9);
  EXPECT_EQ(r90.nps.ci()->level, 0.90);
}

TEST(NpsAdjustedWald, ClipsToTheScaleAtTheEdges) {
  // All promoters, n = 5. R (as above with x = c(0,0,5)): 17.491453034169 107.508546965831
  const auto pro = compute_nps(trinomial(0, 0, 5));
  EXPECT_EQ(pro.nps.value(), 100.0);
  EXPECT_NEAR(pro.nps.ci()->lower, 17.491453034169, 1e-9);
  EXPECT_EQ(pro.nps.ci()->upper, 100.0);  // 107.5 clipped
  // All detractors, n = 3. R (x = c(3,0,0)): -106.57928670380858 6.57928670380857
  const auto det = compute_nps(trinomial(3, 0, 0));
  EXPECT_EQ(det.nps.value(), -100.0);
  EXPECT_EQ(det.nps.ci()->lower, -100.0);  // −106.6 clipped
  EXPECT_NEAR(det.nps.ci()->upper, 6.57928670380857, 1e-9);
}

// ------------------------------------------------------------ edge cases ---

TEST(NpsEdge, NoResponsesIsNoDataEverywhere) {
  for (auto m : {interval_method::wald, interval_method::adjusted_wald, interval_method::bayes_dirichlet,
                 interval_method::bootstrap}) {
    const auto r = compute_nps(score_counts(scale::nps()), with_method(m));
    for (const auto* e : {&r.nps, &r.promoters, &r.passives, &r.detractors}) {
      EXPECT_EQ(e->state(), estimate::status::no_data) << to_string(m);
      EXPECT_TRUE(std::isnan(e->value()));
      EXPECT_FALSE(e->ci().has_value());
      EXPECT_EQ(e->n(), 0u);
    }
  }
  nps_accumulator acc;
  EXPECT_TRUE(acc.empty());
  EXPECT_EQ(acc.result().nps.state(), estimate::status::no_data);
}

TEST(NpsEdge, OneResponse) {
  // Wald: θ = 100, Var = (1 + 0 − 1)/1 = 0 → zero-width interval.
  const auto w = compute_nps(trinomial(0, 0, 1), with_method(interval_method::wald));
  ASSERT_TRUE(w.nps.ok());
  EXPECT_EQ(w.nps.value(), 100.0);
  EXPECT_EQ(w.nps.se(), 0.0);
  EXPECT_EQ(w.nps.ci()->lower, 100.0);
  EXPECT_EQ(w.nps.ci()->upper, 100.0);
  // Adjusted Wald stays informative. R (x = c(0,0,1)): -48.498649420252 98.498649420252
  const auto a = compute_nps(trinomial(0, 0, 1));
  EXPECT_NEAR(a.nps.ci()->lower, -48.498649420252, 1e-9);
  EXPECT_NEAR(a.nps.ci()->upper, 98.498649420252, 1e-9);
  // Shares of one response: Wilson at x = n = 1 has upper bound 1 and
  // lower bound z²/(1 + z²) (closed form of Wilson at x = n = 1):
  // R: prop.test(1, 1, correct = FALSE)$conf.int → 0.206549314377238 1
  EXPECT_NEAR(a.promoters.ci()->lower, 0.206549314377238, 1e-12);
  EXPECT_EQ(a.promoters.ci()->upper, 1.0);
  EXPECT_EQ(a.detractors.ci()->lower, 0.0);
}

TEST(NpsEdge, AllDetractorsAndAllPromotersEveryMethod) {
  for (auto m : {interval_method::wald, interval_method::adjusted_wald, interval_method::bayes_dirichlet,
                 interval_method::bootstrap}) {
    const auto pro = compute_nps(trinomial(0, 0, 40), with_method(m));
    const auto det = compute_nps(trinomial(40, 0, 0), with_method(m));
    ASSERT_TRUE(pro.nps.ok()) << to_string(m);
    ASSERT_TRUE(det.nps.ok()) << to_string(m);
    EXPECT_LE(pro.nps.ci()->upper, 100.0);
    EXPECT_GE(det.nps.ci()->lower, -100.0);
    EXPECT_TRUE(pro.nps.ci()->contains(pro.nps.value())) << to_string(m);
    EXPECT_TRUE(det.nps.ci()->contains(det.nps.value())) << to_string(m);
    // The two are mirror images (NPS ↦ −NPS swaps the categories).
    EXPECT_NEAR(pro.nps.value(), -det.nps.value(), 1e-9) << to_string(m);
    EXPECT_NEAR(pro.nps.ci()->lower, -det.nps.ci()->upper, 1e-6) << to_string(m);
    EXPECT_EQ(pro.promoters.value(), 1.0);
    EXPECT_EQ(pro.detractors.value(), 0.0);
  }
}

TEST(NpsEdge, VeryLargeN) {
  // 10⁹ responses: 3·10⁸ detractors, 2·10⁸ passives, 5·10⁸ promoters.
  // θ = 0.2, Var = (0.8 − 0.04)/10⁹ → SE = 100·√(0.76e-9) = 0.00275680975…
  const auto c = trinomial(300'000'000, 200'000'000, 500'000'000);
  const double se = 100.0 * std::sqrt(0.76e-9);
  for (auto m : {interval_method::wald, interval_method::adjusted_wald, interval_method::bayes_dirichlet,
                 interval_method::bootstrap}) {
    const auto r = compute_nps(c, with_method(m));
    ASSERT_TRUE(r.nps.ok()) << to_string(m);
    EXPECT_EQ(r.nps.n(), 1'000'000'000u);
    EXPECT_NEAR(r.nps.value(), 20.0, 1e-6) << to_string(m);
    EXPECT_NEAR(r.nps.se(), se, 0.05 * se) << to_string(m);
    // Width ≈ 2·1.96·SE for every method at this n.
    EXPECT_NEAR(r.nps.ci()->width(), 2.0 * 1.959963984540054 * se, 0.05 * 2.0 * 1.96 * se) << to_string(m);
    EXPECT_TRUE(std::isfinite(r.nps.ci()->lower) && std::isfinite(r.nps.ci()->upper));
  }
}

// ------------------------------------------------------------- weights ---

struct weighted_row {
  int score;
  double weight;
};

std::vector<weighted_row> random_rows(std::size_t n, std::uint64_t seed) {
  boost::random::mt19937_64 rng(seed);
  boost::random::uniform_int_distribution<int> score(0, 10);
  boost::random::uniform_real_distribution<double> weight(0.1, 3.0);
  std::vector<weighted_row> rows;
  for (std::size_t i = 0; i < n; ++i) rows.push_back({score(rng), weight(rng)});
  return rows;
}

TEST(NpsWeighted, LinearisedSeMatchesPerResponseComputation) {
  // Second method: θ = Σw·y/Σw and Var = n/(n − 1)·Σ w²(y − θ)²/(Σw)² (R's
  // survey::svymean) summed over the individual responses, not per category
  // as in the library.
  const auto rows = random_rows(500, 20240601);
  score_counts c(scale::nps());
  double sw = 0.0, swy = 0.0, sw2 = 0.0;
  for (const auto& r : rows) {
    c.add(r.score, r.weight);
    const double y = r.score >= 9 ? 1.0 : (r.score <= 6 ? -1.0 : 0.0);
    sw += r.weight;
    swy += r.weight * y;
    sw2 += r.weight * r.weight;
  }
  const double theta = swy / sw;
  double v = 0.0;
  for (const auto& r : rows) {
    const double y = r.score >= 9 ? 1.0 : (r.score <= 6 ? -1.0 : 0.0);
    v += r.weight * r.weight * (y - theta) * (y - theta);
  }
  v = v / (sw * sw) * (500.0 / 499.0);
  const auto res = compute_nps(c, with_method(interval_method::wald));
  ASSERT_TRUE(res.nps.ok());
  EXPECT_NEAR(res.nps.value(), 100.0 * theta, 1e-10);
  EXPECT_NEAR(res.nps.se(), 100.0 * std::sqrt(v), 1e-10);
  EXPECT_EQ(res.nps.n(), 500u);
  EXPECT_NEAR(res.nps.effective_n(), sw * sw / sw2, 1e-9);
  const double z = 1.959963984540054;  // qnorm(.975)
  EXPECT_NEAR(res.nps.ci()->lower, 100.0 * (theta - z * std::sqrt(v)), 1e-9);
  EXPECT_NEAR(res.nps.ci()->upper, 100.0 * (theta + z * std::sqrt(v)), 1e-9);
}

TEST(NpsWeighted, ConstantWeightsGiveTheUnweightedResult) {
  const auto rows = random_rows(300, 7);
  score_counts plain(scale::nps());
  score_counts weighted(scale::nps());
  for (const auto& r : rows) {
    plain.add(r.score);
    weighted.add(r.score, 2.5);
  }
  // Equal weights: the unweighted value and intervals, save Wald's, whose SE
  // (and so interval) is the weighted one: the t SE, √(n/(n − 1)) times the
  // unweighted Wald SE (stats/weighted_se.hpp); the t interval is the same.
  for (auto m : {interval_method::t, interval_method::adjusted_wald, interval_method::bayes_dirichlet,
                 interval_method::bootstrap, interval_method::tango}) {
    const auto a = compute_nps(plain, with_method(m));
    const auto b = compute_nps(weighted, with_method(m));
    const double factor =
        (m == interval_method::bayes_dirichlet || m == interval_method::bootstrap || m == interval_method::t)
            ? 1.0
            : std::sqrt(300.0 / 299.0);
    EXPECT_NEAR(a.nps.value(), b.nps.value(), 1e-9) << to_string(m);
    EXPECT_NEAR(a.nps.se() * factor, b.nps.se(), 1e-9) << to_string(m);
    EXPECT_NEAR(a.nps.ci()->lower, b.nps.ci()->lower, 1e-7) << to_string(m);
    EXPECT_NEAR(a.nps.ci()->upper, b.nps.ci()->upper, 1e-7) << to_string(m);
    EXPECT_NEAR(b.nps.effective_n(), 300.0, 1e-9);
    EXPECT_NEAR(a.promoters.ci()->lower, b.promoters.ci()->lower, 1e-9);
  }
}

TEST(NpsWeighted, ZeroWeightsDropOutOfValueAndCountInN) {
  // Rows with weight 0 count as responses (n) but carry no weight: value and
  // intervals other than Wald equal the unweighted result on the
  // positive-weight rows; the SE is the t SE of those rows times
  // √((n/(n − 1))/(m/(m − 1))) for n rows of which m weigh (survey counts
  // zero-weight units in n).
  const auto rows = random_rows(200, 99);
  score_counts mixed(scale::nps());
  score_counts positive(scale::nps());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i % 3 == 0) {
      mixed.add(rows[i].score, 0.0);
    } else {
      mixed.add(rows[i].score, 1.0);
      positive.add(rows[i].score);
    }
  }
  const auto a = compute_nps(mixed, with_method(interval_method::wald));
  const auto b = compute_nps(positive, with_method(interval_method::t));
  const double nn = 200.0;
  const double m = static_cast<double>(positive.count());
  EXPECT_NEAR(a.nps.value(), b.nps.value(), 1e-10);
  EXPECT_NEAR(a.nps.se(), b.nps.se() * std::sqrt((nn / (nn - 1)) / (m / (m - 1))), 1e-10);
  EXPECT_EQ(a.nps.n(), 200u);
  EXPECT_EQ(b.nps.n(), positive.count());
  EXPECT_NEAR(a.nps.effective_n(), static_cast<double>(positive.count()), 1e-9);
  const auto aa = compute_nps(mixed);
  const auto ba = compute_nps(positive);
  EXPECT_NEAR(aa.nps.ci()->lower, ba.nps.ci()->lower, 1e-9);
  EXPECT_NEAR(aa.nps.ci()->upper, ba.nps.ci()->upper, 1e-9);
}

TEST(NpsWeighted, AllZeroWeightsIsNoData) {
  score_counts c(scale::nps());
  c.add(10, 0.0);
  c.add(2, 0.0);
  const auto r = compute_nps(c);
  EXPECT_EQ(r.nps.state(), estimate::status::no_data);
  EXPECT_EQ(r.nps.n(), 2u);
  EXPECT_EQ(r.nps.note(), "all weights are zero");
  EXPECT_EQ(r.promoters.state(), estimate::status::no_data);
}

// ----------------------------------------------------------- bootstrap ---

TEST(NpsBootstrap, SameSeedSameIntervalOtherSeedDiffers) {
  const auto c = trinomial(12, 25, 38);
  auto o = with_method(interval_method::bootstrap);
  const auto a = compute_nps(c, o);
  const auto b = compute_nps(c, o);
  EXPECT_EQ(a, b);
  o.seed = 12345;
  const auto d = compute_nps(c, o);
  EXPECT_NE(a.nps.ci()->lower + a.nps.ci()->upper, d.nps.ci()->lower + d.nps.ci()->upper);
  EXPECT_NE(a.nps.se(), d.nps.se());
  EXPECT_EQ(a.nps.ci()->method, interval_method::bootstrap);
}

TEST(NpsBootstrap, AgreesWithWaldAtLargeN) {
  // n = 10000, shares (0.2, 0.3, 0.5): Wald SE = 100·√(0.61/10⁴) = 0.781 points;
  // the bootstrap's Monte Carlo error at B = 2000 is ~2 % of that.
  const auto c = trinomial(2000, 3000, 5000);
  const auto w = compute_nps(c, with_method(interval_method::wald));
  const auto b = compute_nps(c, with_method(interval_method::bootstrap));
  EXPECT_NEAR(b.nps.se(), w.nps.se(), 0.08 * w.nps.se());
  EXPECT_NEAR(b.nps.ci()->lower, w.nps.ci()->lower, 0.25);
  EXPECT_NEAR(b.nps.ci()->upper, w.nps.ci()->upper, 0.25);
  EXPECT_EQ(b.nps.value(), w.nps.value());
}

TEST(NpsBootstrap, ReplicatesFollowTheMultinomial) {
  // Mean and variance of (k_pro − k_det)/n under Multinomial(n; p) are θ and
  // (p_pro + p_det − θ²)/n; with 20000 replicates the sample moments are
  // within a few Monte Carlo SEs (fixed seed: deterministic).
  const std::uint64_t n = 50;
  const double pd = 0.3, pp = 0.45, theta = pp - pd;
  const double var = (pp + pd - theta * theta) / static_cast<double>(n);
  const auto reps = stats::net_score_replicates(n, pd, pp, 20000, 42);
  double m = 0.0;
  for (double v : reps) m += v;
  m /= static_cast<double>(reps.size());
  double s2 = 0.0;
  for (double v : reps) s2 += (v - m) * (v - m);
  s2 /= static_cast<double>(reps.size() - 1);
  EXPECT_NEAR(m, theta, 5.0 * std::sqrt(var / 20000.0));
  EXPECT_NEAR(s2, var, 0.05 * var);
}

TEST(NpsBootstrap, PercentileIsRType7) {
  // R: quantile(c(1,2,3,4,10), c(.1,.5,.975), type = 7) → 1.4 3.0 9.4
  const std::vector<double> v{1, 2, 3, 4, 10};
  EXPECT_NEAR(stats::percentile_sorted(v, 0.1), 1.4, 1e-12);
  EXPECT_NEAR(stats::percentile_sorted(v, 0.5), 3.0, 1e-12);
  EXPECT_NEAR(stats::percentile_sorted(v, 0.975), 9.4, 1e-12);
  EXPECT_EQ(stats::percentile_sorted(v, 1.0), 10.0);
  EXPECT_THROW((void)stats::percentile_sorted(std::vector<double>{}, 0.5), invalid_argument);
}

TEST(NpsBootstrap, WeightedResamplesAtEffectiveN) {
  // 100 rows with weights 1 and 3 alternating: Σw = 50·1 + 50·3 = 200,
  // Σw² = 50·1 + 50·9 = 500, ñ = 200²/500 = 80. The bootstrap draws 80
  // responses, so its SE is close to the trinomial SE at n = 80 with the
  // weighted shares.
  score_counts c(scale::nps());
  for (int i = 0; i < 100; ++i) c.add(i % 4 == 0 ? 2 : (i % 4 == 1 ? 8 : 10), i % 2 == 0 ? 1.0 : 3.0);
  EXPECT_NEAR(c.effective_n(), 80.0, 1e-9);
  const auto b = compute_nps(c, with_method(interval_method::bootstrap));
  const auto b2 = compute_nps(c, with_method(interval_method::bootstrap));
  EXPECT_EQ(b, b2);
  const double pd = c.low().w / c.total().w, pp = c.high().w / c.total().w, th = pp - pd;
  const double se80 = 100.0 * std::sqrt((pp + pd - th * th) / 80.0);
  EXPECT_NEAR(b.nps.se(), se80, 0.1 * se80);
}

// ------------------------------------------------------------ Dirichlet ---

// SciPy reference (scipy 1.10), conditioning on T = p_pro instead of on
// S = p_pro + p_det as the library does: T ~ Beta(a_pro, a_det + a_pas) and
// V = p_det/(1 − T) ~ Beta(a_det, a_pas) independent, so
//   P(θ <= x) = F_T(max(x, 0)) + ∫_{max(x,0)}^{(1+x)/2} P(V >= (t − x)/(1 − t)) f_T(t) dt.
//   from scipy import integrate, optimize, stats
//   def cdf(x, ad, am, ap):
//       def g(t):
//           thr = (t - x) / (1 - t)
//           if thr <= 0: return stats.beta.pdf(t, ap, ad+am)
//           if thr >= 1: return 0.0
//           return stats.beta.sf(thr, ad, am) * stats.beta.pdf(t, ap, ad+am)
//       base = stats.beta.cdf(x, ap, ad+am) if x > 0 else 0.0
//       return base + integrate.quad(g, max(x, 0.0), (1+x)/2, epsabs=1e-13, epsrel=1e-12, limit=500)[0]
//   def q(p, ad, am, ap):
//       return optimize.brentq(lambda x: cdf(x, ad, am, ap) - p, -1+1e-15, 1-1e-15, xtol=1e-14, rtol=1e-14)
//   [q((1-lev)/2, ad, am, ap), q((1+lev)/2, ad, am, ap)]
struct dirichlet_case {
  double det, pas, pro, level, lower, upper;
};
const dirichlet_case dirichlet_refs[] = {
    {10.5, 20.5, 30.5, 0.95, 0.132945247496, 0.503685694788},
    {0.5, 0.5, 5.5, 0.95, 0.216018174783, 0.993500905944},
    {3.5, 0.5, 0.5, 0.95, -0.989801356225, 0.061447110763},
    {1.5, 0.5, 0.5, 0.95, -0.976324342557, 0.586406285676},
    {3.0, 4.0, 5.0, 0.90, -0.209894349608, 0.521607567648},
    {40.5, 10.5, 50.5, 0.99, -0.142585062417, 0.332833770364},
};

TEST(NpsDirichlet, IntervalMatchesScipyIntegral) {
  for (const auto& k : dirichlet_refs) {
    const auto ci = stats::dirichlet_net_interval(stats::dirichlet3{k.det, k.pas, k.pro}, k.level);
    EXPECT_NEAR(ci.lower, k.lower, 1e-8) << k.det << "," << k.pas << "," << k.pro;
    EXPECT_NEAR(ci.upper, k.upper, 1e-8) << k.det << "," << k.pas << "," << k.pro;
    EXPECT_EQ(ci.method, interval_method::bayes_dirichlet);
  }
}

TEST(NpsDirichlet, ComputeNpsUsesThePosterior) {
  // Counts (10, 20, 30), prior ½ → Dirichlet(10.5, 20.5, 30.5), A = 61.5:
  //   mean = (30.5 − 10.5)/61.5 = 0.32520325…
  //   Var  = (61.5·41 − 20²)/(61.5²·62.5) = 2121.5/236390.625 = 0.0089745…
  const auto r = compute_nps(trinomial(10, 20, 30), with_method(interval_method::bayes_dirichlet));
  ASSERT_TRUE(r.nps.ok());
  EXPECT_NEAR(r.nps.value(), 100.0 * 20.0 / 61.5, 1e-10);
  EXPECT_NEAR(r.nps.se(), 100.0 * std::sqrt(2121.5 / 236390.625), 1e-10);
  EXPECT_NEAR(r.nps.ci()->lower, 13.2945247496, 1e-6);
  EXPECT_NEAR(r.nps.ci()->upper, 50.3685694788, 1e-6);
  // All promoters (0, 0, 5) → Dirichlet(0.5, 0.5, 5.5).
  const auto p = compute_nps(trinomial(0, 0, 5), with_method(interval_method::bayes_dirichlet));
  EXPECT_NEAR(p.nps.ci()->lower, 21.6018174783, 1e-6);
  EXPECT_NEAR(p.nps.ci()->upper, 99.3500905944, 1e-6);
  // Prior 1 (uniform) with counts (2, 3, 4) → Dirichlet(3, 4, 5), level 0.90.
  auto o = with_method(interval_method::bayes_dirichlet, 0.90);
  o.prior = 1.0;
  const auto u = compute_nps(trinomial(2, 3, 4), o);
  EXPECT_NEAR(u.nps.ci()->lower, -20.9894349608, 1e-6);
  EXPECT_NEAR(u.nps.ci()->upper, 52.1607567648, 1e-6);
}

TEST(NpsDirichlet, AgreesWithMonteCarlo) {
  // Second method: 200000 seeded draws of the Dirichlet as normalised gammas.
  // Quantile SE ≈ √(0.025·0.975/2e5)/f(q) ≈ 5e-4 here; tolerance 5e-3.
  const stats::dirichlet3 d{10.5, 20.5, 30.5};
  boost::random::mt19937_64 rng(2016);
  boost::random::gamma_distribution<double> gd(d.det), gp(d.pas), gr(d.pro);
  std::vector<double> theta;
  const int draws = 200000;
  theta.reserve(draws);
  double sum = 0.0;
  for (int i = 0; i < draws; ++i) {
    const double a = gd(rng), b = gp(rng), c = gr(rng);
    theta.push_back((c - a) / (a + b + c));
    sum += theta.back();
  }
  const double mean = sum / draws;
  double ss = 0.0;
  for (double t : theta) ss += (t - mean) * (t - mean);
  std::sort(theta.begin(), theta.end());
  const auto ci = stats::dirichlet_net_interval(d, 0.95);
  EXPECT_NEAR(ci.lower, stats::percentile_sorted(theta, 0.025), 5e-3);
  EXPECT_NEAR(ci.upper, stats::percentile_sorted(theta, 0.975), 5e-3);
  EXPECT_NEAR(stats::dirichlet_net_mean(d), mean, 2e-3);
  EXPECT_NEAR(stats::dirichlet_net_sd(d), std::sqrt(ss / (draws - 1)), 2e-3);
  // The distribution function itself at a few points.
  const stats::dirichlet_net_distribution dist(d);
  for (double x : {0.1, 0.25, 0.4, 0.55}) {
    const auto below = std::lower_bound(theta.begin(), theta.end(), x) - theta.begin();
    EXPECT_NEAR(dist.cdf(x), static_cast<double>(below) / draws, 5e-3) << x;
  }
}

TEST(NpsDirichlet, CdfIsAProperDistribution) {
  const stats::dirichlet_net_distribution dist(stats::dirichlet3{2.5, 0.5, 7.5});
  EXPECT_EQ(dist.cdf(-1.0), 0.0);
  EXPECT_EQ(dist.cdf(1.0), 1.0);
  double prev = 0.0;
  for (double x = -0.99; x < 1.0; x += 0.01) {
    const double f = dist.cdf(x);
    EXPECT_GE(f, prev - 1e-12) << x;
    prev = f;
  }
  // quantile inverts cdf
  for (double p : {0.01, 0.3, 0.5, 0.8, 0.995}) EXPECT_NEAR(dist.cdf(dist.quantile(p)), p, 1e-9) << p;
  // symmetric parameters → median 0 and symmetric interval
  const auto sym = stats::dirichlet_net_interval(stats::dirichlet3{4.0, 2.0, 4.0});
  EXPECT_NEAR(sym.lower, -sym.upper, 1e-12);
  EXPECT_THROW((void)stats::dirichlet_net_distribution(stats::dirichlet3{0.0, 1.0, 1.0}), invalid_argument);
  EXPECT_THROW((void)stats::dirichlet_net_distribution(stats::dirichlet3{1.0, nan_v, 1.0}), invalid_argument);
}

// Huge posteriors. The old quadrature put the upper limit of 10¹⁵
// detractors and no one else thousands of posterior SDs from the truth,
// and drifted by 1e-3 SDs at 10¹⁸ everywhere. References, computed with
// mpmath at 150 digits from the exact parameters (count + ½ as a double):
//
// (a) Every group large: the third-order Cornish–Fisher expansion from the
// exact cumulants. Raw moments of θ = p_pro − p_det from the Dirichlet's
// E p_pro^j p_det^k = (a_pro)_j (a_det)_k / (A)_{j+k} ((x)_k rising
// factorials), central moments and cumulants κ₂…κ₅ from them, γ_r = κ_{r+2}/σ^{r+2}:
//   def cumulants(ad, am, ap):
//       A = ad + am + ap
//       raw = [1] + [sum(binomial(m, j) * (-1)**(m-j) * rf(ap, j) * rf(ad, m-j)
//                        for j in range(m+1)) / rf(A, m) for m in range(1, 6)]
//       mu = raw[1]
//       c = [sum(binomial(m, k) * raw[k] * (-mu)**(m-k) for k in range(m+1)) for m in range(6)]
//       return mu, c[2], c[3], c[4] - 3*c[2]**2, c[5] - 10*c[3]*c[2]
//   def cf(ad, am, ap, p):
//       mu, k2, k3, k4, k5 = cumulants(ad, am, ap); s = sqrt(k2)
//       g1, g2, g3 = k3/s**3, k4/s**4, k5/s**5; z = sqrt(2)*erfinv(2*p - 1)
//       w = (z + (z**2-1)*g1/6 + (z**3-3*z)*g2/24 - (2*z**3-5*z)*g1**2/36
//            + (z**4-6*z**2+3)*g3/120 - (z**4-5*z**2+2)*g1*g2/24
//            + (12*z**4-53*z**2+17)*g1**3/324)        # A&S 26.2.51
//       return mu + s*w
// Its error is of order S₂⁻² posterior SDs (S₂ = A·Var θ·(A + 1) >= 10⁵ in
// the cases below): below 1e-10 SDs.
//
// (b) One group holding nearly every response: the gamma limit. With
// p_k = G_k/T (G_k ~ Gamma(a_k) independent, T = ΣG_k), 10¹² or more
// promoters make T equal to its mean A within 10⁻⁶ relatively, so
// 1 − θ = (2·G_det + G_pas)/A; W = 2·G_det + G_pas has
//   P(W <= w) = ∫₀^{w/2} f_Γ(a_det)(g) · P_Γ(a_pas)(w − 2g) dg
// (mpmath quad and gammainc; findroot for its quantiles), and
// θ_q = 1 − W_{1−q}/A. With the passives holding nearly everything,
// θ = (G_pro − G_det)/A the same way. The approximation is good to 10⁻⁶ of
// the distance from the boundary, far below the posterior SD.
//
// Tolerance: 1e-6 posterior SDs plus one unit in the last place of the
// limit (near ±1 a double cannot tell values closer than 1.1e-16, wider
// than the whole posterior once the SD is below it: 2⁶³ promoters).
struct huge_case {
  std::uint64_t det, pas, pro;
  double lower, upper;
};
const huge_case huge_many[] = {
    // (a) shares 0.2 / 0.3 / 0.5 at n = 10⁶ … 2⁶³ − 1
    {200000ull, 300000ull, 500000ull, 0.29846834248127046737, 0.30152990042771888019},
    {200000000ull, 300000000ull, 500000000ull, 0.29995159158200826724, 0.30004840666089596209},
    {200000000000ull, 300000000000ull, 500000000000ull, 0.29999846921831394968, 0.30000153077992895455},
    {200000000000000ull, 300000000000000ull, 500000000000000ull, 0.2999999515924596196, 0.3000000484075386233},
    {200000000000000000ull, 300000000000000000ull, 500000000000000000ull, 0.29999999846921919207,
     0.30000000153078080708},
    {1844674407370955161ull, 2767011611056432742ull, 4611686018427387904ull, 0.299999999495956342,
     0.3000000005040436357},
    // other mixes at 10¹⁸
    {10000000000000000ull, 10000000000000000ull, 980000000000000000ull, 0.96999999956570099064,
     0.97000000043429900606},
    {450000000000000000ull, 100000000000000000ull, 450000000000000000ull, -1.8593850969136848694e-9,
     1.8593850969136845315e-9},
    {300000000000000000ull, 600000000000000000ull, 100000000000000000ull, -0.20000000117597839066,
     -0.19999999882402160921},
    // a few detractors beside millions of others: the quadrature's outer
    // variable must be R (integrating over S met a step 1e-2 panels wide
    // and missed by up to 5e-3 SDs)
    {30ull, 500000ull, 9500000ull, 0.9498588249585690886, 0.95012901954705638133},
    {300ull, 2000000ull, 8000000ull, 0.79969783879361137664, 0.80019381070731110193},
    {30ull, 5000000ull, 5000000ull, 0.49968552422506365433, 0.50030532579855911442},
};
const huge_case huge_one_group[] = {
    // (b)
    {0ull, 0ull, 1000000000000000ull, 0.99999999999999419896, 0.99999999999999996417},
    {5ull, 3ull, 1000000000000000ull, 0.99999999999997397255, 0.99999999999999356099},
    {0ull, 1000ull, 1000000000000000000ull, 0.9999999999999989355, 0.9999999999999990596},
    {30ull, 5000ull, 1000000000000ull, 0.99999999479725488661, 0.9999999950778057985},
    {0ull, 0ull, 9223372036854775807ull, 0.99999999999999999937, 1.0},
    {1000000000000000ull, 0ull, 0ull, -0.99999999999999996417, -0.99999999999999419896},
    {0ull, 1000000000000000ull, 0ull, -2.1819489839664464186e-15, 2.1819489839664457018e-15},
    {3ull, 1000000000000000000ull, 0ull, -7.6273846350323370983e-18, 2.2468176887235725334e-19},
};

stats::dirichlet3 posterior_of(const huge_case& k) {
  return {static_cast<double>(k.det) + 0.5, static_cast<double>(k.pas) + 0.5, static_cast<double>(k.pro) + 0.5};
}

double ulp(double x) {
  const double a = std::abs(x);
  return std::nextafter(a, 2.0) - a;
}

void expect_limits(const huge_case& k) {
  const auto d = posterior_of(k);
  const double sd = stats::dirichlet_net_sd(d);
  const auto ci = stats::dirichlet_net_interval(d, 0.95);
  const std::string what = std::to_string(k.det) + "," + std::to_string(k.pas) + "," + std::to_string(k.pro);
  EXPECT_NEAR(ci.lower, k.lower, 1e-6 * sd + 1.0 * ulp(k.lower)) << what << " sd " << sd;
  EXPECT_NEAR(ci.upper, k.upper, 1e-6 * sd + 1.0 * ulp(k.upper)) << what << " sd " << sd;
  EXPECT_LE(ci.lower, ci.upper) << what;
}

TEST(NpsDirichlet, HugePosteriorsMatchTheCornishFisherReference) {
  for (const auto& k : huge_many) expect_limits(k);
}

TEST(NpsDirichlet, HugePosteriorsOfOneGroupMatchTheGammaLimit) {
  for (const auto& k : huge_one_group) expect_limits(k);
}

TEST(NpsDirichlet, SdHasNoCancellation) {
  // 10¹⁸ promoters and no one else: Var θ = (4·a_pro·a_det + a_pas·(a_pro + a_det))/(A²(A + 1))
  // with a_det = a_pas = ½, A = 10¹⁸ + 1.5: (2.5·10¹⁸ + 1.5)/(A²(A + 1)) → SD = √2.5·10⁻¹⁸
  // to 1e-18 relatively. The form A(a_pro + a_det) − (a_pro − a_det)² cancels every digit.
  const stats::dirichlet3 d{0.5, 0.5, 1e18};
  EXPECT_NEAR(stats::dirichlet_net_sd(d), std::sqrt(2.5) * 1e-18, 1e-30);
}

TEST(NpsDirichlet, ComputeNpsAtTheCountsLimit) {
  // n = 2⁶³ − 1 through compute_nps: the same limits in points.
  const auto& k = huge_many[5];
  const auto r = compute_nps(trinomial(k.det, k.pas, k.pro), with_method(interval_method::bayes_dirichlet));
  ASSERT_TRUE(r.nps.ok());
  EXPECT_EQ(r.nps.n(), 9223372036854775807ull);
  const double sd = r.nps.se();  // points
  EXPECT_NEAR(r.nps.ci()->lower, 100.0 * k.lower, 1e-6 * sd + 1e-14);
  EXPECT_NEAR(r.nps.ci()->upper, 100.0 * k.upper, 1e-6 * sd + 1e-14);
}

TEST(NpsDirichlet, QuadratureAndExpansionAgreeAtTheSwitch) {
  // The expansion takes over at S₂ = dirichlet_expansion_from. For shares
  // (d, m, p) of A, S₂ = A·(p + d − (p − d)²) (header comment); just below
  // and just above that A the limits must agree far inside a posterior SD
  // (the parameters differ by 2e-9 relatively, which moves the limits by
  // about 2e-9 SDs).
  const double shares[][3] = {{0.2, 0.3, 0.5}, {0.01, 0.01, 0.98}, {0.45, 0.1, 0.45}, {2e-5, 0.5, 0.49998}};
  for (const auto& sh : shares) {
    const double per_unit = sh[2] + sh[0] - (sh[2] - sh[0]) * (sh[2] - sh[0]);
    const double a_switch = stats::dirichlet_expansion_from / per_unit;
    const auto at = [&](double a) { return stats::dirichlet3{sh[0] * a, sh[1] * a, sh[2] * a}; };
    const stats::dirichlet_net_distribution below(at(a_switch * (1.0 - 1e-9)));
    const stats::dirichlet_net_distribution above(at(a_switch * (1.0 + 1e-9)));
    EXPECT_FALSE(below.uses_expansion()) << sh[0];
    EXPECT_TRUE(above.uses_expansion()) << sh[0];
    const double sd = above.sd();
    for (double p : {0.005, 0.025, 0.5, 0.975, 0.995}) {
      EXPECT_NEAR(below.quantile(p), above.quantile(p), 1e-8 * sd) << sh[0] << " p " << p;
    }
    for (double z : {-2.0, 0.0, 1.5}) {
      const double x = above.mean() + z * sd;
      EXPECT_NEAR(below.cdf(x), above.cdf(x), 1e-9) << sh[0] << " z " << z;
    }
    // Both methods forced on the same posterior, at the switch itself.
    const auto d = at(a_switch);
    const stats::dirichlet_net_distribution quad(d, stats::dirichlet_net_method::quadrature);
    const stats::dirichlet_net_distribution expa(d, stats::dirichlet_net_method::expansion);
    EXPECT_NEAR(quad.quantile(0.025), expa.quantile(0.025), 1e-8 * sd) << sh[0];
    EXPECT_NEAR(quad.quantile(0.975), expa.quantile(0.975), 1e-8 * sd) << sh[0];
  }
}

// ---------------------------------------------------------- comparison ---

TEST(NpsCompare, TwoIndependentSamples) {
  // a = (10, 20, 30): θa = 1/3, Var_a = 1/108; b = (20, 20, 20): θb = 0,
  // Var_b = (2/3 − 0)/60 = 1/90. R:
  //   d <- 1/3; s <- sqrt(1/108 + 1/90); z <- d/s; 2*pnorm(-abs(z))
  //   100*(d + c(-1,1)*qnorm(.975)*s)
  //   → z = 2.3354968324845693, p = 0.0195174811821777,
  //     CI 5.3597853030842080 61.3068813635824625
  const auto cmp = compare_nps(trinomial(10, 20, 30), trinomial(20, 20, 20));
  ASSERT_TRUE(cmp.difference.ok());
  EXPECT_NEAR(cmp.difference.value(), 100.0 / 3.0, 1e-12);
  EXPECT_NEAR(cmp.difference.se(), 14.2724806429612556, 1e-10);
  EXPECT_NEAR(cmp.statistic, 2.3354968324845693, 1e-10);
  EXPECT_NEAR(cmp.p_value, 0.0195174811821777, 1e-12);
  EXPECT_NEAR(cmp.difference.ci()->lower, 5.3597853030842080, 1e-9);
  EXPECT_NEAR(cmp.difference.ci()->upper, 61.3068813635824625, 1e-9);
  EXPECT_EQ(cmp.difference.n(), 120u);
  // b − a mirrors it.
  const auto rev = compare_nps(trinomial(20, 20, 20), trinomial(10, 20, 30));
  EXPECT_NEAR(rev.statistic, -2.3354968324845693, 1e-10);
  EXPECT_NEAR(rev.p_value, cmp.p_value, 1e-15);
}

TEST(NpsCompare, EmptySideIsNoData) {
  const auto cmp = compare_nps(trinomial(1, 2, 3), score_counts(scale::nps()));
  EXPECT_EQ(cmp.difference.state(), estimate::status::no_data);
  EXPECT_TRUE(std::isnan(cmp.p_value));
  EXPECT_TRUE(std::isnan(cmp.statistic));
  const auto both = compare_nps(score_counts(scale::nps()), score_counts(scale::nps()));
  EXPECT_TRUE(std::isnan(both.p_value));
  // Both sides all promoters: Wald SEs are 0, so no test; the difference 0
  // is reported without an interval.
  const auto flat = compare_nps(trinomial(0, 0, 5), trinomial(0, 0, 9));
  EXPECT_EQ(flat.difference.state(), estimate::status::insufficient);
  EXPECT_EQ(flat.difference.value(), 0.0);
  EXPECT_TRUE(std::isnan(flat.p_value));
}

TEST(NpsCompare, DifferentScalesThrow) {
  EXPECT_THROW((void)compare_nps(trinomial(1, 2, 3), score_counts(scale::custom(0, 10, 8, 6))), incompatible_merge);
  EXPECT_THROW((void)compare_nps(trinomial(1, 2, 3), trinomial(1, 2, 3), 1.5), invalid_argument);
}

// --------------------------------------------------------- accumulator ---

TEST(NpsAccumulator, MergeEqualsConcatenation) {
  const auto rows = random_rows(400, 31337);
  for (bool weighted : {false, true}) {
    nps_accumulator all, left, right;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      auto& part = i < 150 ? left : right;
      if (weighted) {
        // Dyadic weights sum exactly, so the states are identical bit for bit.
        const double w = std::round(rows[i].weight * 4.0) / 4.0;
        all.add(rows[i].score, w);
        part.add(rows[i].score, w);
      } else {
        all.add(rows[i].score);
        part.add(rows[i].score);
      }
    }
    left.merge(right);
    EXPECT_EQ(left, all);
    EXPECT_EQ(left.count(), 400u);
    EXPECT_EQ(left.result(), all.result());
  }
}

TEST(NpsAccumulator, OrderIndependence) {
  auto rows = random_rows(300, 5);
  for (auto& r : rows) r.weight = std::round(r.weight * 8.0) / 8.0;  // dyadic: exact sums
  for (auto m : {interval_method::adjusted_wald, interval_method::bootstrap, interval_method::bayes_dirichlet}) {
    nps_accumulator a, aw;
    for (const auto& r : rows) {
      a.add(r.score);
      aw.add(r.score, r.weight);
    }
    auto shuffled = rows;
    boost::random::mt19937_64 rng(77);
    for (std::size_t i = shuffled.size() - 1; i > 0; --i) {
      boost::random::uniform_int_distribution<std::size_t> pick(0, i);
      std::swap(shuffled[i], shuffled[pick(rng)]);
    }
    nps_accumulator b, bw;
    for (const auto& r : shuffled) {
      b.add(r.score);
      bw.add(r.score, r.weight);
    }
    EXPECT_EQ(a.result(with_method(m)), b.result(with_method(m))) << to_string(m);
    EXPECT_EQ(aw.result(with_method(m)), bw.result(with_method(m))) << to_string(m);
  }
}

TEST(NpsAccumulator, RegularValueType) {
  nps_accumulator a;
  a.add(9);
  a.add(3, 2.0);
  nps_accumulator copy = a;
  EXPECT_EQ(copy, a);
  copy.add(10);
  EXPECT_NE(copy, a);
  EXPECT_EQ(a.count(), 2u);
  EXPECT_FALSE(a.empty());
  EXPECT_TRUE(a.counts().weighted());
  EXPECT_EQ(a.counts().count_of(9), 1u);
}

// --------------------------------------------------------------- errors ---

TEST(NpsErrors, ScoreOutOfScaleNamesTheValue) {
  nps_accumulator acc;
  try {
    acc.add(11, at_row(4, "nps"));
    FAIL() << "no exception";
  } catch (const score_out_of_scale& e) {
    EXPECT_NE(std::string(e.what()).find("score 11"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("row 4"), std::string::npos) << e.what();
  }
  EXPECT_THROW(acc.add(-1), score_out_of_scale);
  EXPECT_TRUE(acc.empty());
}

TEST(NpsErrors, BadWeights) {
  nps_accumulator acc;
  EXPECT_THROW(acc.add(5, nan_v), invalid_weight);
  EXPECT_THROW(acc.add(5, -1.0), invalid_weight);
  EXPECT_THROW(acc.add(5, std::numeric_limits<double>::infinity()), invalid_weight);
  EXPECT_TRUE(acc.empty());
}

TEST(NpsErrors, BadOptions) {
  for (double level : {0.0, 1.0, -0.5, 1.5, nan_v}) {
    nps_options o;
    o.level = level;
    EXPECT_THROW((void)compute_nps(trinomial(1, 1, 1), o), invalid_argument) << level;
    EXPECT_THROW((void)nps_accumulator{}.result(o), invalid_argument) << level;
    // Options are checked even without data.
    EXPECT_THROW((void)compute_nps(score_counts(scale::nps()), o), invalid_argument) << level;
  }
  for (auto m : {interval_method::wilson, interval_method::mover, interval_method::jeffreys, interval_method::newcombe}) {
    EXPECT_THROW((void)compute_nps(trinomial(1, 1, 1), with_method(m)), invalid_argument) << to_string(m);
  }
  nps_options o;
  o.prior = 0.0;
  EXPECT_THROW((void)compute_nps(trinomial(1, 1, 1), o), invalid_argument);
  o.prior = std::numeric_limits<double>::infinity();
  EXPECT_THROW((void)compute_nps(trinomial(1, 1, 1), o), invalid_argument);
  o = nps_options{};
  o.bootstrap_replicates = 1;
  EXPECT_THROW((void)compute_nps(trinomial(1, 1, 1), o), invalid_argument);
}

TEST(NpsErrors, WrongScaleAndIncompatibleMerge) {
  EXPECT_THROW((void)compute_nps(score_counts(scale::csat())), invalid_argument);
  EXPECT_THROW((void)compute_nps(score_counts(scale::binary())), invalid_argument);
  // An nps_accumulator holds counts on the NPS scale only: a custom 0..10
  // scale with other cuts is refused, by the constructor and by add_counts.
  const auto custom = scale::custom(0, 10, 8, 6);
  EXPECT_THROW(nps_accumulator{custom}, invalid_argument);
  EXPECT_THROW(nps_accumulator{score_counts(custom)}, invalid_argument);
  nps_accumulator a;
  a.add(9);
  try {
    a.add_counts(score_counts(custom));
    FAIL() << "no exception";
  } catch (const incompatible_merge& e) {
    EXPECT_NE(std::string(e.what()).find("the custom scale 0..10 (high from 8) into the NPS scale 0..10 (high from 9)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(a.count(), 1u);
}

TEST(NpsAccumulator, StatesThatDifferOnlyInTheIntervalAskedForMerge) {
  // The interval is a question asked of the state, not part of it: one
  // reader wants a 90 % Bayesian interval, the other a 95 % Wald one, and
  // their states merge. Merged: scores 9, 10, 3 and 7, 0, 10 → promoters
  // 9, 10, 10 (3), passive 7 (1), detractors 3, 0 (2), n = 6:
  //   NPS = 100·(3 − 2)/6 = 16.666…
  //   Wald SE = 100·√((3/6 + 2/6 − (1/6)²)/6) = 100·√(29/216) = 36.6414…
  nps_accumulator east, west;
  for (int s : {9, 10, 3}) east.add(s);
  for (int s : {7, 0, 10}) west.add(s);
  nps_options bayes;
  bayes.level = 0.90;
  bayes.method = interval_method::bayes_dirichlet;
  const auto east_alone = east.result(bayes);
  ASSERT_NO_THROW(east.merge(west));
  EXPECT_EQ(east.count(), 6u);
  const auto wald = east.result(with_method(interval_method::wald));
  EXPECT_NEAR(wald.nps.value(), 100.0 / 6.0, 1e-12);
  EXPECT_NEAR(wald.nps.se(), 100.0 * std::sqrt(29.0 / 216.0), 1e-12);
  EXPECT_EQ(wald.nps.ci()->level, 0.95);
  // The same state answers the Bayesian question too, as the counts alone do.
  EXPECT_EQ(east.result(bayes), compute_nps(trinomial(2, 1, 3), bayes));
  EXPECT_EQ(east.result(bayes).nps.ci()->level, 0.90);
  EXPECT_NE(east.result(bayes), east_alone);
}

TEST(NpsScale, CustomScaleNetScore) {
  // A 1–7 scale with high 6–7 and low 1–3: net score of its own groups.
  score_counts c(scale::custom(1, 7, 6, 3));
  c.add_count(1, 2);  // low
  c.add_count(5, 3);  // middle
  c.add_count(7, 5);  // high
  const auto r = compute_nps(c, with_method(interval_method::wald));
  // θ = (5 − 2)/10 = 0.3, Var = (0.7 − 0.09)/10 = 0.061
  EXPECT_NEAR(r.nps.value(), 30.0, 1e-12);
  EXPECT_NEAR(r.nps.se(), 100.0 * std::sqrt(0.061), 1e-12);
}

}  // namespace
