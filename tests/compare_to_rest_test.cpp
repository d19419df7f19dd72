// Each group against the rest (stats/compare_to_rest.hpp).
//
// References are closed forms evaluated outside the library (Python's math
// module, printed with "%.17g"; erfc gives the normal tail:
// p = erfc(|z|/√2)), or published output of R:
//   shares   p̄ = (x1+x2)/(n1+n2); z = (x1/n1 − x2/n2)/sqrt(p̄(1−p̄)(1/n1+1/n2));
//            p = erfc(|z|/sqrt(2)) — R: prop.test(c(x1,x2), c(n1,n2), correct=FALSE)$p.value
//   NPS      θ = (pro − det)/n per side; ph, pl pooled promoter and detractor
//            shares; V = ph + pl − (ph − pl)²; z = (θ1 − θ2)/sqrt(V(1/n1+1/n2))
//   Welch    R's example t.test(extra ~ group, data = sleep) prints
//            t = -1.8608, df = 17.776, p-value = 0.07939 (the same data
//            times 10 plus 20 below: t, df and p do not change under an
//            affine map of the scores).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/stats/compare_to_rest.hpp"

namespace {

using namespace cxm;
using stats::compare_group_to_rest;
using stats::compare_to_rest;
using stats::rest_metric;
using stats::rest_options;
using stats::rest_status;

::testing::AssertionResult close_to(double got, double want, double rel = 1e-9) {
  if (std::abs(got - want) <= rel * std::abs(want)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << got << ", want " << want;
}

// Binary counts (0 = not high, 1 = high) of x high out of n.
score_counts binary(std::uint64_t x, std::uint64_t n) {
  score_counts c(scale::binary());
  c.add_count(1, x);
  c.add_count(0, n - x);
  return c;
}

// NPS counts with det detractors (score 3), pas passives (8), pro promoters (10).
score_counts nps(std::uint64_t det, std::uint64_t pas, std::uint64_t pro) {
  score_counts c(scale::nps());
  c.add_count(3, det);
  c.add_count(8, pas);
  c.add_count(10, pro);
  return c;
}

TEST(CompareToRest, ShareIsThePooledTwoProportionTest) {
  // Group 30 of 50 against the rest 40 of 100.
  // Python: z 2.3145502494313783, p 0.020637558243972218
  //   = prop.test(c(30, 40), c(50, 100), correct = FALSE)$p.value
  const auto g = binary(30, 50);
  const auto total = merged(g, binary(40, 100));
  const auto r = compare_group_to_rest(g, total, rest_metric::share);
  ASSERT_EQ(r.status, rest_status::tested);
  EXPECT_TRUE(close_to(r.vs_rest.statistic, 2.3145502494313783));
  EXPECT_TRUE(close_to(r.vs_rest.p_value, 0.020637558243972218));
  EXPECT_TRUE(close_to(r.vs_rest.difference.value(), 0.2));
  // Unpooled SE sqrt(0.6·0.4/50 + 0.4·0.6/100) = sqrt(0.0072).
  EXPECT_TRUE(close_to(r.vs_rest.difference.se(), std::sqrt(0.0072)));
  EXPECT_EQ(r.vs_rest.difference.ci()->method, interval_method::newcombe);
}

TEST(CompareToRest, NetScoreWithoutPassivesIsTheSameTest) {
  // y = 2·[promoter] − 1: the pooled NPS test equals the pooled two-proportion
  // test of the promoter share, the same p as above.
  const auto g = nps(20, 0, 30);
  const auto total = merged(g, nps(60, 0, 40));
  const auto r = compare_group_to_rest(g, total, rest_metric::net_score);
  ASSERT_EQ(r.status, rest_status::tested);
  EXPECT_TRUE(close_to(r.vs_rest.p_value, 0.020637558243972218));
  EXPECT_TRUE(close_to(r.vs_rest.difference.value(), 40.0));  // points
}

TEST(CompareToRest, NetScorePoolsTheVarianceUnderTheNullHypothesis) {
  // Group det 10, pas 15, pro 25; rest det 40, pas 30, pro 30. Python:
  //   d 40, unpooled SE 13.820274961085252, z 2.762455533096785,
  //   p 0.0057368375617895618
  const auto g = nps(10, 15, 25);
  const auto total = merged(g, nps(40, 30, 30));
  const auto r = compare_group_to_rest(g, total, rest_metric::net_score);
  ASSERT_EQ(r.status, rest_status::tested);
  EXPECT_TRUE(close_to(r.vs_rest.difference.value(), 40.0));
  EXPECT_TRUE(close_to(r.vs_rest.difference.se(), 13.820274961085252));
  EXPECT_TRUE(close_to(r.vs_rest.statistic, 2.762455533096785));
  EXPECT_TRUE(close_to(r.vs_rest.p_value, 0.0057368375617895618));
  const double z = stats::z_for_level(0.95);
  EXPECT_TRUE(close_to(r.vs_rest.difference.ci()->lower, 40.0 - z * 13.820274961085252));
}

TEST(CompareToRest, TwoPromotersAreTooFewAndNotSignificantEvenWhenTested) {
  // Two promoters against a rest of 1000 at NPS 8.5.
  const auto g = nps(0, 0, 2);
  const auto total = merged(g, nps(300, 315, 385));
  const auto r = compare_group_to_rest(g, total, rest_metric::net_score);
  EXPECT_EQ(r.status, rest_status::too_few);
  EXPECT_NE(r.note.find("group n 2 < 30"), std::string::npos) << r.note;
  EXPECT_TRUE(std::isnan(r.vs_rest.p_value));
  EXPECT_TRUE(close_to(r.vs_rest.difference.value(), 91.5));
  EXPECT_FALSE(r.vs_rest.difference.has_interval());
  // Without the guard the pooled test is still not fooled. Python:
  //   ph = 387/1002; pl = 300/1002; V = ph + pl − (ph − pl)²
  //   z = (1 − 0.085)/sqrt(V(1/2 + 1/1000)) = 1.5698515435317224,
  //   p = 0.11644965296559759 (the unpooled Wald SE of the group is 0).
  rest_options o;
  o.min_n = 0;
  const auto t = compare_group_to_rest(g, total, rest_metric::net_score, o);
  ASSERT_EQ(t.status, rest_status::tested);
  EXPECT_TRUE(close_to(t.vs_rest.statistic, 1.5698515435317224));
  EXPECT_TRUE(close_to(t.vs_rest.p_value, 0.11644965296559759));
}

TEST(CompareToRest, CochransExpectedCountRuleForShares) {
  // 29 of 30 against 95 of 100: pooled share 124/130, expected "not high"
  // count of the group 30·6/130 = 1.38 < 5.
  const auto g = binary(29, 30);
  const auto total = merged(g, binary(95, 100));
  const auto r = compare_group_to_rest(g, total, rest_metric::share);
  EXPECT_EQ(r.status, rest_status::too_few);
  EXPECT_NE(r.note.find("expected count of 1.3"), std::string::npos) << r.note;
  rest_options o;
  o.min_expected = 0;
  EXPECT_EQ(compare_group_to_rest(g, total, rest_metric::share, o).status, rest_status::tested);
}

TEST(CompareToRest, MeansByWelch) {
  // R's sleep data, times 10 plus 20, on a custom 0..100 scale.
  const scale s = scale::custom(0, 100, 90, 10);
  score_counts a(s), b(s);
  for (int x : {27, 4, 18, 8, 19, 54, 57, 28, 20, 40}) a.add(x);
  for (int x : {39, 28, 31, 21, 19, 64, 75, 36, 66, 54}) b.add(x);
  rest_options o;
  o.min_n = 2;
  const auto r = compare_group_to_rest(a, merged(a, b), rest_metric::mean, o);
  ASSERT_EQ(r.status, rest_status::tested);
  // Published: t = -1.8608, df = 17.776, p-value = 0.07939. Closed forms
  // (Python): t -1.8608134674868526, df 17.776473516178491, d -15.8,
  // SE 8.4909101723876201; p by numerical integration of the t density
  // 0.0793941401874.
  EXPECT_TRUE(close_to(r.vs_rest.statistic, -1.8608134674868526, 1e-12));
  EXPECT_TRUE(close_to(r.df, 17.776473516178491, 1e-12));
  EXPECT_TRUE(close_to(r.vs_rest.p_value, 0.0793941401874, 1e-8));
  EXPECT_NEAR(r.vs_rest.p_value, 0.07939, 5e-6);
  EXPECT_TRUE(close_to(r.vs_rest.difference.value(), -15.8, 1e-12));
  EXPECT_TRUE(close_to(r.vs_rest.difference.se(), 8.4909101723876201, 1e-12));
  // Ten responses a side are too few at the default min_n.
  EXPECT_EQ(compare_group_to_rest(a, merged(a, b), rest_metric::mean).status, rest_status::too_few);
}

TEST(CompareToRest, WeightedSharesUseKishsEffectiveSizes) {
  // Group: 20 hits of weight 2, 20 misses of weight 1: p1 = 40/60, ñ1 =
  // 60²/100 = 36. Rest: 30 hits and 50 misses of weight 1: p2 = 0.375, ñ2 = 80.
  // Python: p̄ = (p1·36 + p2·80)/116; z = (p1 − p2)/sqrt(p̄(1−p̄)(1/36 + 1/80))
  //   = 2.9135287780049199, p = 0.0035736889643967346
  score_counts g(scale::binary()), rest(scale::binary());
  for (int i = 0; i < 20; ++i) {
    g.add(1, 2.0);
    g.add(0, 1.0);
  }
  for (int i = 0; i < 30; ++i) rest.add(1, 1.0);
  for (int i = 0; i < 50; ++i) rest.add(0, 1.0);
  const auto r = compare_group_to_rest(g, merged(g, rest), rest_metric::share);
  ASSERT_EQ(r.status, rest_status::tested);
  EXPECT_TRUE(close_to(r.vs_rest.statistic, 2.9135287780049199, 1e-12));
  EXPECT_TRUE(close_to(r.vs_rest.p_value, 0.0035736889643967346, 1e-10));
  // Unit weights give exactly the unweighted test.
  score_counts u(scale::binary()), v(scale::binary());
  for (int i = 0; i < 50; ++i) u.add(i < 30 ? 1 : 0, 1.0);
  for (int i = 0; i < 100; ++i) v.add(i < 40 ? 1 : 0, 1.0);
  const auto w = compare_group_to_rest(u, merged(u, v), rest_metric::share);
  EXPECT_TRUE(close_to(w.vs_rest.p_value, 0.020637558243972218, 1e-12));
}

TEST(CompareToRest, AdjustsOnlyTheTestedGroups) {
  // Three groups: two tested, one too few. Holm over the two tested only:
  // adjusted = max-cumulative (m − i + 1)·p(i) with m = 2.
  const std::vector<score_counts> groups{binary(30, 50), binary(40, 100), binary(1, 3)};
  score_counts total(scale::binary());
  for (const auto& g : groups) total.merge(g);
  const auto rows = compare_to_rest(groups, total, rest_metric::share);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2].status, rest_status::too_few);
  EXPECT_TRUE(std::isnan(rows[2].p_adjusted));
  EXPECT_FALSE(rows[2].significant);
  ASSERT_EQ(rows[0].status, rest_status::tested);
  ASSERT_EQ(rows[1].status, rest_status::tested);
  const double p0 = rows[0].vs_rest.p_value, p1 = rows[1].vs_rest.p_value;
  const double lo = std::min(p0, p1), hi = std::max(p0, p1);
  const double adj_lo = std::min(1.0, 2.0 * lo);
  const double adj_hi = std::min(1.0, std::max(adj_lo, hi));
  EXPECT_DOUBLE_EQ(p0 < p1 ? rows[0].p_adjusted : rows[1].p_adjusted, adj_lo);
  EXPECT_DOUBLE_EQ(p0 < p1 ? rows[1].p_adjusted : rows[0].p_adjusted, adj_hi);
}

TEST(CompareToRest, EmptySidesAndBadInput) {
  const auto g = binary(3, 40);
  // The only group: the rest is empty.
  const auto r = compare_group_to_rest(g, g, rest_metric::share);
  EXPECT_EQ(r.status, rest_status::too_few);
  EXPECT_EQ(r.note, "the rest has no responses");
  EXPECT_FALSE(r.vs_rest.difference.has_value());
  // A group larger than the total, or on another scale.
  EXPECT_THROW((void)compare_group_to_rest(binary(5, 50), g, rest_metric::share), invalid_argument);
  EXPECT_THROW((void)compare_group_to_rest(nps(1, 1, 1), g, rest_metric::share), incompatible_merge);
  rest_options bad;
  bad.min_n = -1;
  EXPECT_THROW((void)compare_group_to_rest(g, g, rest_metric::share, bad), invalid_argument);
  // Everybody in one category on both sides: difference 0, p = 1.
  const auto same = binary(40, 40);
  const auto t = compare_group_to_rest(same, merged(same, binary(50, 50)), rest_metric::share,
                                       rest_options{0.95, stats::p_adjust::holm, 30, 0});
  EXPECT_EQ(t.status, rest_status::tested);
  EXPECT_EQ(t.vs_rest.p_value, 1.0);
}

}  // namespace
