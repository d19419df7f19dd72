// The interval methods of stats/net_score.hpp, stats/net_compare.hpp and
// stats/weighted_se.hpp as the metrics offer them: compute_nps with tango and
// t, compare_nps with adjusted_wald and mover, and the one weighted SE in NPS,
// proportions and means.
//
// The stats functions are checked against independent references in
// intervals_test.cpp and weighted_se_test.cpp; here the metrics must give the
// same figures in points (×100), and the weighted figures must equal the
// survey::svymean references of weighted_se_test.cpp (mpmath, computed from
// the responses one by one), restated below.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/stats/mean.hpp"
#include "cxmetrics/stats/net_compare.hpp"
#include "cxmetrics/stats/net_score.hpp"
#include "cxmetrics/stats/proportion.hpp"

namespace {

using namespace cxm;

score_counts groups(std::uint64_t det, std::uint64_t pas, std::uint64_t pro) {
  score_counts c(scale::nps());
  c.add_count(0, det);
  c.add_count(7, pas);
  c.add_count(10, pro);
  return c;
}

nps_options with(interval_method m, double level = 0.95) {
  nps_options o;
  o.method = m;
  o.level = level;
  return o;
}

void expect_points(const estimate& got, const estimate& on_unit) {
  ASSERT_EQ(got.state(), on_unit.state()) << got.note();
  EXPECT_NEAR(got.value(), 100.0 * on_unit.value(), 1e-12);
  if (!on_unit.ok()) return;
  EXPECT_NEAR(got.se(), 100.0 * on_unit.se(), 1e-12);
  EXPECT_NEAR(got.ci()->lower, 100.0 * on_unit.ci()->lower, 1e-10);
  EXPECT_NEAR(got.ci()->upper, 100.0 * on_unit.ci()->upper, 1e-10);
  EXPECT_EQ(got.ci()->method, on_unit.ci()->method);
  EXPECT_EQ(got.n(), on_unit.n());
}

TEST(NpsMethods, TangoAndTAreTheStatsIntervalsInPoints) {
  for (const auto& [d, p, r] : {std::array<std::uint64_t, 3>{120, 300, 410}, {3, 4, 3}, {0, 0, 1}, {0, 0, 7},
                                {5, 0, 0}, {2, 0, 9}, {1'000'000'000, 500'000'000, 2'000'000'000}}) {
    const stats::net_counts nc{static_cast<double>(d), static_cast<double>(p), static_cast<double>(r)};
    for (double level : {0.80, 0.90, 0.95, 0.99}) {
      const auto c = groups(d, p, r);
      expect_points(compute_nps(c, with(interval_method::tango, level)).nps, stats::net_score_tango(nc, level));
      expect_points(compute_nps(c, with(interval_method::t, level)).nps, stats::net_score_t(nc, level));
    }
  }
  // The edges the issue names: defined at n = 1, limits ±100 for one class.
  EXPECT_TRUE(compute_nps(groups(0, 0, 1), with(interval_method::tango)).nps.ok());
  EXPECT_EQ(compute_nps(groups(0, 0, 7), with(interval_method::tango)).nps.ci()->upper, 100.0);
  EXPECT_EQ(compute_nps(groups(5, 0, 0), with(interval_method::tango)).nps.ci()->lower, -100.0);
  EXPECT_EQ(compute_nps(groups(0, 0, 1), with(interval_method::t)).nps.state(), estimate::status::insufficient);
}

TEST(NpsMethods, TheAccumulatorTakesTheNewMethodsAtResultTime) {
  nps_accumulator a;
  for (int s : {10, 9, 0, 7, 8, 10, 3}) a.add(s);
  const stats::net_counts nc{2, 2, 3};
  expect_points(a.result({0.90, interval_method::tango}).nps, stats::net_score_tango(nc, 0.90));
  expect_points(a.result({0.90, interval_method::t}).nps, stats::net_score_t(nc, 0.90));
  EXPECT_THROW((void)a.result({0.95, interval_method::mover}), invalid_argument);
  EXPECT_THROW((void)a.result({0.95, interval_method::wilson}), invalid_argument);
}

TEST(NpsMethods, CompareByAdjustedWaldAndMoverInPoints) {
  const auto a = groups(30, 50, 120);
  const auto b = groups(45, 60, 95);
  const stats::net_counts na{30, 50, 120}, nb{45, 60, 95};
  nps_compare_options o;
  o.method = interval_method::adjusted_wald;
  const auto aw = compare_nps(a, b, o);
  const auto ref = stats::compare_net_adjusted_wald(na, nb);
  EXPECT_NEAR(aw.difference.value(), 100.0 * ref.difference.value(), 1e-12);
  EXPECT_NEAR(aw.difference.se(), 100.0 * ref.difference.se(), 1e-12);
  EXPECT_NEAR(aw.difference.ci()->lower, 100.0 * ref.difference.ci()->lower, 1e-10);
  EXPECT_NEAR(aw.statistic, ref.statistic, 1e-12);
  EXPECT_NEAR(aw.p_value, ref.p_value, 1e-12);
  EXPECT_EQ(aw.difference.n(), 400u);
  // The sign is a − b: swapping the groups negates the difference and z.
  const auto swapped = compare_nps(b, a, o);
  EXPECT_NEAR(swapped.difference.value(), -aw.difference.value(), 1e-12);
  EXPECT_NEAR(swapped.statistic, -aw.statistic, 1e-12);

  o.method = interval_method::mover;
  o.level = 0.90;
  const auto mv = compare_nps(a, b, o);
  const auto mref = stats::compare_net_mover(na, nb, 0.90);
  EXPECT_NEAR(mv.difference.value(), 100.0 * mref.value(), 1e-12);
  EXPECT_NEAR(mv.difference.ci()->lower, 100.0 * mref.ci()->lower, 1e-10);
  EXPECT_NEAR(mv.difference.ci()->upper, 100.0 * mref.ci()->upper, 1e-10);
  EXPECT_EQ(mv.difference.ci()->method, interval_method::mover);
  EXPECT_TRUE(std::isnan(mv.p_value));  // an interval, not a test

  // The default stays the Wald difference of the two Wald SEs.
  const auto wald = compare_nps(a, b);
  const double ta = 90.0 / 200.0, tb = 50.0 / 200.0;
  const double va = (120.0 / 200 + 30.0 / 200 - ta * ta) / 200, vb = (95.0 / 200 + 45.0 / 200 - tb * tb) / 200;
  EXPECT_NEAR(wald.difference.value(), 100.0 * (ta - tb), 1e-12);
  EXPECT_NEAR(wald.difference.se(), 100.0 * std::sqrt(va + vb), 1e-12);

  // An empty side is no_data; other methods are refused.
  o.method = interval_method::adjusted_wald;
  EXPECT_EQ(compare_nps(a, score_counts(scale::nps()), o).difference.state(), estimate::status::no_data);
  o.method = interval_method::tango;
  EXPECT_THROW((void)compare_nps(a, b, o), invalid_argument);
}

// The twelve weighted responses of weighted_se_test.cpp: scores
// [10, 9, 10, 7, 8, 3, 9, 0, 7, 10, 6, 9], weights
// [1.5, 0.5, 2, 1, 3, 0.7, 1.2, 2.5, 0.3, 1, 1.8, 0.9]; references from
// survey::svymean's estimator (linearised, n/(n − 1)) and Kish's.
score_counts twelve() {
  const int scores[] = {10, 9, 10, 7, 8, 3, 9, 0, 7, 10, 6, 9};
  const double weights[] = {1.5, 0.5, 2, 1, 3, 0.7, 1.2, 2.5, 0.3, 1, 1.8, 0.9};
  score_counts c(scale::nps());
  for (int i = 0; i < 12; ++i) c.add(scores[i], weights[i]);
  return c;
}

TEST(WeightedSeInMetrics, NpsCarriesTheLinearisedSeOrKishs) {
  const auto c = twelve();
  const auto wald = compute_nps(c, with(interval_method::wald)).nps;
  EXPECT_NEAR(wald.value(), 12.804878048780488, 1e-10);
  EXPECT_NEAR(wald.se(), 28.678824099313442, 1e-10);
  EXPECT_NEAR(wald.ci()->lower, -43.404584304833218, 1e-9);
  EXPECT_NEAR(wald.ci()->upper, 69.014340402394194, 1e-9);
  const auto t90 = compute_nps(c, with(interval_method::t, 0.90)).nps;  // 11 df
  EXPECT_NEAR(t90.ci()->lower, -38.698986769460204, 1e-9);
  EXPECT_NEAR(t90.ci()->upper, 64.308742867021179, 1e-9);
  auto kish = with(interval_method::t, 0.99);
  kish.weighted_se = stats::weighted_se::kish;
  const auto k = compute_nps(c, kish).nps;
  EXPECT_NEAR(k.se(), 29.992889044693211, 1e-10);
  EXPECT_NEAR(k.ci()->lower, -87.761995045866636, 1e-9);
  EXPECT_EQ(k.ci()->upper, 100.0);  // 113.4 clipped
  // Methods on effective counts report the same weighted SE.
  EXPECT_NEAR(compute_nps(c, with(interval_method::tango)).nps.se(), 28.678824099313442, 1e-10);
  EXPECT_NEAR(compute_nps(c).nps.se(), 28.678824099313442, 1e-10);
}

TEST(WeightedSeInMetrics, ProportionAndMeanShareTheDefinition) {
  const auto c = twelve();
  // Top-2 box (9–10) share: svy SE 0.16725506064097939, Kish 0.17496634019450868.
  EXPECT_NEAR(stats::proportion(c.high(), c.total()).se(), 0.16725506064097939, 1e-13);
  stats::proportion_options k;
  k.se = stats::weighted_se::kish;
  EXPECT_NEAR(stats::proportion(c.high(), c.total(), k).se(), 0.17496634019450868, 1e-13);
  // Mean score, t 90 % with 11 df (svy) and t 99 % with ñ − 1 df (Kish).
  const auto m = stats::mean_t(c, 0.90);
  EXPECT_NEAR(m.value(), 6.975609756097561, 1e-12);
  EXPECT_NEAR(m.se(), 1.2752567159120415, 1e-12);
  EXPECT_NEAR(m.ci()->lower, 4.6853955800407497, 1e-10);
  EXPECT_NEAR(m.ci()->upper, 9.2658239321543723, 1e-10);
  const auto mk = stats::mean_t(c, 0.99, stats::weighted_se::kish);
  EXPECT_NEAR(mk.se(), 1.2000092252188057, 1e-12);
  EXPECT_NEAR(mk.ci()->lower, 2.9519501718155938, 1e-10);
}

TEST(WeightedSeInMetrics, UnitWeightsGiveTheTSeAndTheUnweightedIntervals) {
  const int scores[] = {10, 9, 10, 7, 8, 3, 9, 0, 7, 10, 6, 9};
  score_counts w(scale::nps()), u(scale::nps());
  for (int s : scores) {
    w.add(s, 1.0);
    u.add(s);
  }
  // NPS: the weighted SE is the t SE, √(12/11) times the unweighted Wald SE.
  const auto ww = compute_nps(w, with(interval_method::wald)).nps;
  const auto uw = compute_nps(u, with(interval_method::wald)).nps;
  EXPECT_NEAR(ww.se(), uw.se() * std::sqrt(12.0 / 11.0), 1e-12);
  EXPECT_NEAR(ww.se(), compute_nps(u, with(interval_method::t)).nps.se(), 1e-12);
  // Proportions: the SE gets the factor, the interval (effective counts) does not.
  const auto pw = stats::proportion(w.high(), w.total());
  const auto pu = stats::proportion(u.high().n, u.count());
  EXPECT_NEAR(pw.se(), pu.se() * std::sqrt(12.0 / 11.0), 1e-12);
  EXPECT_NEAR(pw.ci()->lower, pu.ci()->lower, 1e-12);
  EXPECT_NEAR(pw.ci()->upper, pu.ci()->upper, 1e-12);
  // Means: the unweighted t interval.
  const auto mw = stats::mean_t(w);
  const auto mu = stats::mean_t(u);
  EXPECT_NEAR(mw.se(), mu.se(), 1e-12);
  EXPECT_NEAR(mw.ci()->lower, mu.ci()->lower, 1e-10);
}

}  // namespace
