// Comparisons of two groups (stats/compare.hpp).
//
// References, all printed with sprintf("%.17g") by base R 4.x:
//   Newcombe interval   nc <- function(x1, n1, x2, n2, l) {
//                         w1 <- prop.test(x1, n1, correct=FALSE, conf.level=l)$conf.int
//                         w2 <- prop.test(x2, n2, correct=FALSE, conf.level=l)$conf.int
//                         p1 <- x1/n1; p2 <- x2/n2; d <- p1 - p2
//                         c(d - sqrt((p1-w1[1])^2 + (w2[2]-p2)^2),
//                           d + sqrt((w1[2]-p1)^2 + (p2-w2[1])^2)) }
//                       (Newcombe 1998, Statistics in Medicine 17:873–890,
//                       method 10). At 95 % these reproduce, to the 4 decimals
//                       printed, the method-10 column of the paper's Table II,
//                       e.g. 56/70 − 48/80: 0.0524 to 0.3339.
//   unpooled SE         sqrt(p1*(1-p1)/n1 + p2*(1-p2)/n2)
//   p-value             prop.test(c(x1, x2), c(n1, n2), correct=FALSE)$p.value
//   |z|                 sqrt(prop.test(c(x1, x2), c(n1, n2), correct=FALSE)$statistic)
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/stats/compare.hpp"
#include "cxmetrics/stats/proportion.hpp"

namespace {

using namespace cxm;
using cxm::stats::compare_estimates;
using cxm::stats::compare_proportions;
using cxm::stats::comparison;

::testing::AssertionResult close_to(double got, double want, double rel = 1e-9) {
  const double tol = rel * std::abs(want);
  if (std::abs(got - want) <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << got << ", want " << want << " (tolerance " << tol << ")";
}

struct ref_comparison {
  std::uint64_t x1, n1, x2, n2;
  double level;
  double lower, upper;  // Newcombe interval
  double se;            // unpooled
  double p;             // prop.test p-value
  double abs_z;         // sqrt of prop.test's X-squared
};

TEST(CompareProportions, MatchesNewcombeAndRPropTest) {
  const std::vector<ref_comparison> table = {
      // Newcombe 1998 Table II examples (a)–(d), (f):
      {56, 70, 48, 80, 0.95, 0.052431472402364926, 0.33387265403690586, 0.072702917999996994, 0.0080450813681965643,
       2.6501719512585331},
      {9, 10, 3, 10, 0.95, 0.17052272393450307, 0.80901797353548799, 0.1732050807568877, 0.0061698993205441532,
       2.7386127875258306},
      {6, 7, 2, 7, 0.95, 0.058227927482312314, 0.80624963752422774, 0.21597969886241558, 0.030753561259274559,
       2.1602468994692865},
      {5, 56, 0, 29, 0.95, -0.038137147903536853, 0.19256001385511157, 0.038105533791555242, 0.097186568170579746,
       1.6586488692392285},
      {10, 10, 0, 20, 0.95, 0.67908603714191484, 1, 0, 4.3204630578274968e-08, 5.4772255750516612},
      // Other levels, n = 1, a side at 0 and the other at 1, very large n.
      {56, 70, 48, 80, 0.9, 0.076564191544072138, 0.31364458358294378, 0.072702917999996994, 0.0080450813681965643,
       2.6501719512585331},
      {56, 70, 48, 80, 0.99, 0.0053708692500785693, 0.37180843177577361, 0.072702917999996994,
       0.0080450813681965643, 2.6501719512585331},
      {1, 1, 0, 1, 0.95, -0.12210872068194178, 1, 0, 0.15729920705028447, 1.4142135623730951},
      {0, 15, 15, 15, 0.95, -1, -0.71166547053370643, 0, 4.3204630578274968e-08, 5.4772255750516612},
      {130, 400, 160, 410, 0.99, -0.15047588807939272, 0.021462808624707022, 0.033597799508670846,
       0.052814026884257056, 1.9364384273072432},
      {500000000, 1000000000, 499950000, 1000000000, 0.95, 6.1738730291082379e-06, 9.3826126699294007e-05,
       2.2360679719096197e-05, 0.025347318494406093, 2.2360679802948749},
  };
  for (const auto& r : table) {
    SCOPED_TRACE(std::to_string(r.x1) + "/" + std::to_string(r.n1) + " vs " + std::to_string(r.x2) + "/" +
                 std::to_string(r.n2) + " at " + std::to_string(r.level));
    const auto c = compare_proportions(r.x1, r.n1, r.x2, r.n2, r.level);
    const auto& d = c.difference;
    ASSERT_TRUE(d.ok());
    const double p1 = static_cast<double>(r.x1) / static_cast<double>(r.n1);
    const double p2 = static_cast<double>(r.x2) / static_cast<double>(r.n2);
    EXPECT_EQ(d.value(), p1 - p2);
    EXPECT_TRUE(close_to(d.ci()->lower, r.lower, 1e-8));
    EXPECT_TRUE(close_to(d.ci()->upper, r.upper, 1e-8));
    EXPECT_EQ(d.ci()->method, interval_method::newcombe);
    EXPECT_EQ(d.ci()->level, r.level);
    EXPECT_TRUE(close_to(d.se(), r.se));
    EXPECT_TRUE(close_to(c.p_value, r.p, 1e-7));
    EXPECT_TRUE(close_to(std::abs(c.statistic), r.abs_z));
    EXPECT_EQ(c.statistic > 0, p1 > p2);
    EXPECT_EQ(d.n(), r.n1 + r.n2);
  }
}

TEST(CompareProportions, PaperTableIIToFourDecimals) {
  // Newcombe 1998, Table II, method 10 column (as printed, 4 decimals).
  auto ci = [](std::uint64_t x1, std::uint64_t n1, std::uint64_t x2, std::uint64_t n2) {
    return *compare_proportions(x1, n1, x2, n2).difference.ci();
  };
  EXPECT_NEAR(ci(56, 70, 48, 80).lower, 0.0524, 5e-5);
  EXPECT_NEAR(ci(56, 70, 48, 80).upper, 0.3339, 5e-5);
  EXPECT_NEAR(ci(0, 10, 0, 20).lower, -0.1611, 5e-5);
  EXPECT_NEAR(ci(0, 10, 0, 20).upper, 0.2775, 5e-5);
}

TEST(CompareProportions, BothSidesAtTheSameBoundaryHaveP1) {
  // 0/10 vs 0/20: pooled variance 0; R's prop.test gives NaN, here p = 1 by
  // definition (documented). Newcombe: nc(0, 10, 0, 20, 0.95) above.
  for (auto [x1, n1, x2, n2] : {std::array<std::uint64_t, 4>{0, 10, 0, 20}, std::array<std::uint64_t, 4>{7, 7, 3, 3}}) {
    const auto c = compare_proportions(x1, n1, x2, n2);
    ASSERT_TRUE(c.difference.ok());
    EXPECT_EQ(c.difference.value(), 0.0);
    EXPECT_EQ(c.difference.se(), 0.0);
    EXPECT_EQ(c.statistic, 0.0);
    EXPECT_EQ(c.p_value, 1.0);
    EXPECT_FALSE(c.significant());
    EXPECT_LT(c.difference.ci()->lower, 0.0);
    EXPECT_GT(c.difference.ci()->upper, 0.0);
  }
  const auto c = compare_proportions(0, 10, 0, 20);
  EXPECT_TRUE(close_to(c.difference.ci()->lower, -0.1611251580528193));  // nc(0, 10, 0, 20, 0.95)
  EXPECT_TRUE(close_to(c.difference.ci()->upper, 0.27753279986288915));
}

TEST(CompareProportions, SwappingSidesMirrorsTheResult) {
  const auto ab = compare_proportions(56, 70, 48, 80);
  const auto ba = compare_proportions(48, 80, 56, 70);
  EXPECT_EQ(ba.difference.value(), -ab.difference.value());
  EXPECT_DOUBLE_EQ(ba.difference.ci()->lower, -ab.difference.ci()->upper);
  EXPECT_DOUBLE_EQ(ba.difference.ci()->upper, -ab.difference.ci()->lower);
  EXPECT_DOUBLE_EQ(ba.statistic, -ab.statistic);
  EXPECT_DOUBLE_EQ(ba.p_value, ab.p_value);
}

TEST(CompareProportions, EmptySideIsNoData) {
  for (auto c : {compare_proportions(0, 0, 3, 10), compare_proportions(3, 10, 0, 0), compare_proportions(0, 0, 0, 0)}) {
    EXPECT_EQ(c.difference.state(), estimate::status::no_data);
    EXPECT_TRUE(std::isnan(c.difference.value()));
    EXPECT_TRUE(std::isnan(c.statistic));
    EXPECT_TRUE(std::isnan(c.p_value));
    EXPECT_FALSE(c.significant());
  }
  EXPECT_EQ(compare_proportions(0, 0, 3, 10).difference.n(), 10u);
  EXPECT_NE(compare_proportions(0, 0, 3, 10).difference.note().find("group a"), std::string::npos);
  EXPECT_NE(compare_proportions(3, 10, 0, 0).difference.note().find("group b"), std::string::npos);
}

TEST(CompareProportions, InvalidInputThrows) {
  EXPECT_THROW((void)compare_proportions(11, 10, 3, 10), invalid_argument);
  try {
    (void)compare_proportions(1, 10, 4, 3);
    FAIL() << "no exception";
  } catch (const invalid_argument& e) {
    EXPECT_EQ(e.where().field, "group b");
  }
  EXPECT_THROW((void)compare_proportions(1, 10, 3, 10, 1.0), invalid_argument);
  EXPECT_THROW((void)compare_proportions(1, 10, 3, 10, 0.0), invalid_argument);
  EXPECT_THROW((void)compare_proportions(0, 0, 0, 0, 2.0), invalid_argument);  // level checked even without data
}

TEST(Comparison, SignificantIsStrictAndChecksAlpha) {
  comparison c;
  c.p_value = 0.05;
  EXPECT_FALSE(c.significant());
  EXPECT_TRUE(c.significant(0.051));
  c.p_value = 0.0499;
  EXPECT_TRUE(c.significant());
  EXPECT_FALSE(c.significant(0.01));
  EXPECT_THROW((void)c.significant(0.0), invalid_argument);
  EXPECT_THROW((void)c.significant(1.0), invalid_argument);
  EXPECT_THROW((void)c.significant(std::nan("")), invalid_argument);
  EXPECT_TRUE(compare_proportions(56, 70, 48, 80).significant());   // p = 0.00805
  EXPECT_FALSE(compare_proportions(5, 56, 0, 29).significant());    // p = 0.0972
  EXPECT_TRUE(compare_proportions(5, 56, 0, 29).significant(0.1));
}

// ---- two estimates -----------------------------------------------------------

estimate make(double value, double se, std::uint64_t n) {
  return estimate(value, se, interval{value - 1.96 * se, value + 1.96 * se, 0.95, interval_method::wald}, n,
                  static_cast<double>(n));
}

TEST(CompareEstimates, WaldDifferenceAndZTest) {
  // a = 32 (SE 4), b = 20 (SE 3): d = 12, SE = 5, z = 2.4.
  // R: 2*pnorm(-2.4) = 0.016395071849192269
  //    12 + c(-1, 1)*qnorm(0.975)*5 = 2.2001800772997324, 21.799819922700266
  //    12 + c(-1, 1)*qnorm(0.95)*5  = 3.7757318652426424, 20.224268134757359
  const auto c = compare_estimates(make(32, 4, 100), make(20, 3, 150));
  ASSERT_TRUE(c.difference.ok());
  EXPECT_EQ(c.difference.value(), 12.0);
  EXPECT_DOUBLE_EQ(c.difference.se(), 5.0);
  EXPECT_DOUBLE_EQ(c.statistic, 2.4);
  EXPECT_TRUE(close_to(c.p_value, 0.016395071849192269));
  EXPECT_TRUE(close_to(c.difference.ci()->lower, 2.2001800772997324));
  EXPECT_TRUE(close_to(c.difference.ci()->upper, 21.799819922700266));
  EXPECT_EQ(c.difference.ci()->method, interval_method::wald);
  EXPECT_EQ(c.difference.n(), 250u);
  EXPECT_EQ(c.difference.effective_n(), 250.0);

  const auto c90 = compare_estimates(make(32, 4, 100), make(20, 3, 150), 0.90);
  EXPECT_TRUE(close_to(c90.difference.ci()->lower, 3.7757318652426424));
  EXPECT_TRUE(close_to(c90.difference.ci()->upper, 20.224268134757359));
  EXPECT_EQ(c90.p_value, c.p_value);  // the test does not depend on the level

  const auto rev = compare_estimates(make(20, 3, 150), make(32, 4, 100));
  EXPECT_DOUBLE_EQ(rev.statistic, -2.4);
  EXPECT_DOUBLE_EQ(rev.p_value, c.p_value);
}

TEST(CompareEstimates, MissingSidesAreReported) {
  const auto ok = make(10, 2, 50);
  const auto empty = estimate::no_data();
  const auto insufficient = estimate::insufficient(7.0, 1, 1.0, "a t interval needs at least 2 responses");

  const auto c1 = compare_estimates(ok, empty);
  EXPECT_EQ(c1.difference.state(), estimate::status::no_data);
  EXPECT_TRUE(std::isnan(c1.p_value));
  EXPECT_TRUE(std::isnan(c1.statistic));
  EXPECT_NE(c1.difference.note().find("group b"), std::string::npos) << c1.difference.note();

  const auto c2 = compare_estimates(insufficient, ok);
  EXPECT_EQ(c2.difference.state(), estimate::status::insufficient);
  EXPECT_EQ(c2.difference.value(), -3.0);
  EXPECT_FALSE(c2.difference.ci().has_value());
  EXPECT_TRUE(std::isnan(c2.p_value));
  EXPECT_NE(c2.difference.note().find("group a"), std::string::npos) << c2.difference.note();
  EXPECT_NE(c2.difference.note().find("at least 2"), std::string::npos) << c2.difference.note();
  EXPECT_EQ(c2.difference.n(), 51u);

  const auto c3 = compare_estimates(empty, empty);
  EXPECT_EQ(c3.difference.state(), estimate::status::no_data);
  EXPECT_FALSE(c3.significant());
}

TEST(CompareEstimates, ZeroStandardErrorsAreInsufficient) {
  const auto c = compare_estimates(make(100, 0, 3), make(-100, 0, 2));
  EXPECT_EQ(c.difference.state(), estimate::status::insufficient);
  EXPECT_EQ(c.difference.value(), 200.0);
  EXPECT_TRUE(std::isnan(c.p_value));
  // One zero SE is fine: SE is the other one.
  const auto d = compare_estimates(make(100, 0, 3), make(90, 4, 50));
  ASSERT_TRUE(d.difference.ok());
  EXPECT_EQ(d.difference.se(), 4.0);
  EXPECT_DOUBLE_EQ(d.statistic, 2.5);
}

TEST(CompareEstimates, AgreesWithWaldOnTwoProportions) {
  // Two proportion estimates: compare_estimates gives the unpooled Wald test.
  // R: p1 <- 56/70; p2 <- 48/80; se <- sqrt(p1*(1-p1)/70 + p2*(1-p2)/80)
  //    2*pnorm(-abs(p1-p2)/se) = 0.005942793304202768
  const auto c = compare_estimates(stats::proportion(56, 70), stats::proportion(48, 80));
  EXPECT_TRUE(close_to(c.difference.se(), 0.072702917999996994));
  EXPECT_TRUE(close_to(c.p_value, 0.005942793304202768, 1e-7));
  EXPECT_THROW((void)compare_estimates(c.difference, c.difference, 1.5), invalid_argument);
}

// ---- weighted proportions ----------------------------------------------------

bin_totals add_rows(const std::vector<double>& w, const std::vector<int>& y, bool hits_only) {
  bin_totals t;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (hits_only && y[i] == 0) continue;
    t.n += 1;
    t.w += w[i];
    t.w2 += w[i] * w[i];
  }
  return t;
}

TEST(CompareWeightedProportions, MatchesRPerResponseComputation) {
  // R:
  // wa <- c(1.5, 0.5, 2, 1, 1, 0.8, 1.2, 3); ya <- c(1,0,1,1,0,1,0,1)
  // wb <- c(0.7, 1.1, 2.2, 0.9, 1.3, 1, 0.6); yb <- c(0,1,0,0,1,0,1)
  // side <- function(w, y) { p <- sum(w*y)/sum(w); se <- sqrt(sum(w^2*(y-p)^2))/sum(w)
  //   ne <- sum(w)^2/sum(w^2); ci <- prop.test(p*ne, ne, correct=FALSE)$conf.int
  //   c(p=p, se=se, l=ci[1], u=ci[2]) }
  // a <- side(wa, ya); b <- side(wb, yb); d <- a["p"] - b["p"]; se <- sqrt(a["se"]^2 + b["se"]^2)
  // d - sqrt((a["p"]-a["l"])^2 + (b["u"]-b["p"])^2); d + sqrt((a["u"]-a["p"])^2 + (b["p"]-b["l"])^2)
  // d/se; 2*pnorm(-abs(d/se))
  const std::vector<double> wa = {1.5, 0.5, 2, 1, 1, 0.8, 1.2, 3};
  const std::vector<int> ya = {1, 0, 1, 1, 0, 1, 0, 1};
  const std::vector<double> wb = {0.7, 1.1, 2.2, 0.9, 1.3, 1, 0.6};
  const std::vector<int> yb = {0, 1, 0, 0, 1, 0, 1};
  const auto c = compare_proportions(add_rows(wa, ya, true), add_rows(wa, ya, false), add_rows(wb, yb, true),
                                     add_rows(wb, yb, false));
  ASSERT_TRUE(c.difference.ok());
  EXPECT_TRUE(close_to(c.difference.value(), 0.36993006993007005));
  // The SEs of `side` lack survey::svymean's n/(n − 1) (stats/weighted_se.hpp),
  // which every weighted SE now has: with a's SE 0.14514481485826636 (R, side(wa, ya))
  // and b's from the difference's, se² = se_a²·8/7 + se_b²·7/6.
  const double se_a2 = 0.14514481485826636 * 0.14514481485826636;
  const double se_b2 = 0.24232080286397611 * 0.24232080286397611 - se_a2;
  const double se = std::sqrt(se_a2 * 8.0 / 7.0 + se_b2 * 7.0 / 6.0);
  EXPECT_TRUE(close_to(c.difference.se(), se));
  EXPECT_TRUE(close_to(c.difference.ci()->lower, -0.15135727056007053));
  EXPECT_TRUE(close_to(c.difference.ci()->upper, 0.69293938893641838));
  EXPECT_EQ(c.difference.ci()->method, interval_method::newcombe);
  EXPECT_TRUE(close_to(c.statistic, 0.36993006993007005 / se));
  EXPECT_TRUE(close_to(c.p_value, std::erfc(0.36993006993007005 / se / std::sqrt(2.0)), 1e-8));
  EXPECT_EQ(c.difference.n(), 15u);
  // Kish n: 6.17977528089887684 + 5.85000000000000053 (sum(w)^2/sum(w^2) per side)
  EXPECT_TRUE(close_to(c.difference.effective_n(), 6.17977528089887684 + 5.85000000000000053));
}

bin_totals unit(std::uint64_t n) {
  bin_totals t;
  t.n = n;
  t.w = static_cast<double>(n);
  t.w2 = static_cast<double>(n);
  return t;
}

TEST(CompareWeightedProportions, UnitWeightsGiveTheUnweightedIntervalAndAWaldTest) {
  // Value and Newcombe interval as unweighted; the SE is the linearised one
  // (n − 1 divisors, stats/weighted_se.hpp) and the test the unpooled Wald
  // test on it: p1 <- 56/70; p2 <- 48/80; se <- sqrt(p1*(1-p1)/69 + p2*(1-p2)/79);
  // 2*pnorm(-abs(p1-p2)/se).
  const auto w = compare_proportions(unit(56), unit(70), unit(48), unit(80));
  const auto u = compare_proportions(56, 70, 48, 80);
  const double p1 = 56.0 / 70.0;
  const double p2 = 48.0 / 80.0;
  const double se = std::sqrt(p1 * (1 - p1) / 69.0 + p2 * (1 - p2) / 79.0);
  EXPECT_EQ(w.difference.value(), u.difference.value());
  EXPECT_TRUE(close_to(w.difference.se(), se));
  EXPECT_DOUBLE_EQ(w.difference.ci()->lower, u.difference.ci()->lower);
  EXPECT_DOUBLE_EQ(w.difference.ci()->upper, u.difference.ci()->upper);
  EXPECT_TRUE(close_to(w.p_value, std::erfc((p1 - p2) / se / std::sqrt(2.0)), 1e-9));
}

TEST(CompareWeightedProportions, DegenerateSides) {
  // Both at 1: d = 0, unpooled SE 0 -> statistic 0, p = 1.
  const auto same = compare_proportions(unit(7), unit(7), unit(3), unit(3));
  EXPECT_EQ(same.statistic, 0.0);
  EXPECT_EQ(same.p_value, 1.0);
  // 10/10 vs 0/20 with unit weights: pooled fallback equals the unweighted
  // test, prop.test(c(10, 0), c(10, 20), correct=FALSE)$p.value = 4.3204630578274968e-08.
  const auto apart = compare_proportions(unit(10), unit(10), unit(0), unit(20));
  EXPECT_TRUE(close_to(apart.p_value, 4.3204630578274968e-08, 1e-7));
  EXPECT_TRUE(close_to(apart.statistic, 5.4772255750516612));
  // A side whose weights are all zero has no data.
  bin_totals zero;
  zero.n = 4;
  const auto none = compare_proportions(zero, zero, unit(3), unit(9));
  EXPECT_EQ(none.difference.state(), estimate::status::no_data);
  EXPECT_EQ(none.difference.n(), 13u);
  EXPECT_TRUE(std::isnan(none.p_value));
  // Successes that are not a subset throw.
  EXPECT_THROW((void)compare_proportions(unit(5), unit(4), unit(3), unit(9)), invalid_argument);
  EXPECT_THROW((void)compare_proportions(unit(3), unit(4), unit(3), unit(9), 0.0), invalid_argument);
}

}  // namespace
