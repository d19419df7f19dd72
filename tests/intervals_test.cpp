// Net-score intervals (stats/net_score.hpp, stats/net_compare.hpp), the
// continuity-corrected Wilson interval (stats/proportion.hpp) and the
// interval_method names (core/estimate.hpp).
//
// References (SciPy 1.10 and mpmath 1.3, printed with repr / nstr(·, 17)):
//   tango(D, Q, P, l)  Tango limits at 40 digits, computed without the
//     closed-form root: q̃(d) by 200 bisections of the score equation
//       P/(q + d) − 2Q/(1 − 2q − d) + D/q = 0   (terms with a zero count left
//     out) on max(0, −d) <= q <= (1 − d)/2, Z(d) = (P − D − n·d)/√(n(2q̃ + d(1 − d))),
//     then 200 bisections of Z(d) = ±z on [−1, θ̂] and [θ̂, 1]:
//       from mpmath import mp, mpf, sqrt, erfinv; mp.dps = 40
//       z = sqrt(2)*erfinv(mpf(l))
//   t(D, Q, P, l)      θ̂ ± tq((1 − l)/2, n − 1)·√(((P + D)/n − θ̂²)/(n − 1)) at 40 digits,
//                      tq(p, ν) the upper-p quantile of Student's t solved from
//                      betainc(ν/2, 1/2, 0, ν/(ν + x²), regularized=True)/2 = p
//                      with mp.findroot (SciPy 1.10's t.ppf is off by up to
//                      4e-11 relative against it; Boost.Math agrees to 1e-16)
//   aw2(a, b, l)       per sample nt = n + 3, pd = (D + .75)/nt, pp = (P + .75)/nt,
//                      θ = pp − pd, v = (pp + pd − θ²)/nt; d = θa − θb,
//                      se = sqrt(va + vb), z = d/se, p = 2*norm.sf(|z|),
//                      d ± norm.isf((1 − l)/2)·se clipped to [−2, 2]
//   mover(a, b, l)     with tango(): d = θa − θb,
//                      d − sqrt((θa − La)² + (Ub − θb)²), d + sqrt((Ua − θa)² + (θb − Lb)²)
//   wilsoncc(k, n, l)  scipy.stats.binomtest(k, n).proportion_ci(l, 'wilsoncc')
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/stats/distributions.hpp"
#include "cxmetrics/stats/mean.hpp"
#include "cxmetrics/stats/net_compare.hpp"
#include "cxmetrics/stats/net_score.hpp"
#include "cxmetrics/stats/proportion.hpp"

namespace {

using namespace cxm;
using stats::net_counts;

::testing::AssertionResult near(double got, double want, double tol) {
  if (std::abs(got - want) <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << got << ", want " << want << " (tolerance " << tol << ")";
}

std::string describe(const net_counts& c, double level) {
  return "counts " + std::to_string(c.detractors) + "/" + std::to_string(c.passives) + "/" +
         std::to_string(c.promoters) + " level " + std::to_string(level);
}

// ---- An independent Tango statistic --------------------------------------

// The restricted MLE of the detractor share by bisection of the score
// equation (not the quadratic the library solves).
double q_by_bisection(const net_counts& c, double d) {
  double lo = std::max(0.0, -d);
  double hi = (1.0 - d) / 2.0;
  const auto slope = [&](double q) {
    double v = 0.0;
    if (c.promoters > 0) v += c.promoters / (q + d);
    if (c.passives > 0) v -= 2.0 * c.passives / (1.0 - 2.0 * q - d);
    if (c.detractors > 0) v += c.detractors / q;
    return v;
  };
  for (int i = 0; i < 2000; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    (slope(mid) > 0.0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double z_reference(const net_counts& c, double d) {
  const double n = c.total();
  const double num = c.promoters - c.detractors - n * d;
  const double v = 2.0 * q_by_bisection(c, d) + d * (1.0 - d);
  if (v <= 0.0) return num == 0.0 ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), num);
  return num / std::sqrt(n * v);
}

// ---- interval_method names ------------------------------------------------

TEST(IntervalMethod, NumericValuesStayAndNamesRoundTrip) {
  // Serialised states store these numbers: they never change.
  static_assert(static_cast<int>(interval_method::wald) == 0);
  static_assert(static_cast<int>(interval_method::newcombe) == 9);
  static_assert(static_cast<int>(interval_method::tango) == 10);
  static_assert(static_cast<int>(interval_method::wilson_cc) == 11);
  static_assert(static_cast<int>(interval_method::mover) == 12);
  int expected = 0;
  for (auto m : all_interval_methods) {
    EXPECT_EQ(static_cast<int>(m), expected++);
    const auto back = interval_method_from(to_string(m));
    ASSERT_TRUE(back.has_value()) << to_string(m);
    EXPECT_EQ(*back, m);
  }
  EXPECT_EQ(expected, 13);
  EXPECT_STREQ(to_string(interval_method::tango), "tango");
  EXPECT_STREQ(to_string(interval_method::wilson_cc), "wilson_cc");
  EXPECT_STREQ(to_string(interval_method::mover), "mover");
  EXPECT_FALSE(interval_method_from("Tango").has_value());
  EXPECT_FALSE(interval_method_from("bayes").has_value());
  EXPECT_FALSE(interval_method_from("").has_value());
}

// ---- Tango score interval ---------------------------------------------------

struct ref_tango {
  net_counts c;  // detractors, passives, promoters
  double level;
  double lower, upper;
};

// tango(D, Q, P, l) of the header comment.
const std::vector<ref_tango> tango_table = {
    {{16, 139, 6}, 0.95, -0.12402343246406815, -0.0054333957316770941},
    {{7, 13, 1}, 0.95, -0.51723227642137732, -0.026003032480868596},
    {{20, 30, 50}, 0.80, 0.19654223229256738, 0.39608552407263461},
    {{20, 30, 50}, 0.90, 0.16617343594662832, 0.42174566176518559},
    {{20, 30, 50}, 0.95, 0.13955141614195689, 0.44339306633585942},
    {{20, 30, 50}, 0.99, 0.086954025735041273, 0.48400756419049238},
    {{0, 5, 15}, 0.95, 0.46803097340756616, 0.88813829859233433},       // no detractors
    {{10, 0, 30}, 0.90, 0.2480541190803661, 0.68859243227417576},       // no passives
    {{12, 8, 0}, 0.99, -0.82086543770786528, -0.20143135824199453},     // no promoters
    {{1, 1, 1}, 0.95, -0.69240474198737676, 0.69240474198737676},
    {{1, 0, 1}, 0.80, -0.67149655994020145, 0.67149655994020145},
    {{3, 0, 0}, 0.95, -1.0, 0.12299406351009086},                       // all detractors
    {{200000000, 300000000, 500000000}, 0.95, 0.29995159159148283, 0.30004840667041449},
    {{1, 0, 999999999}, 0.99, 0.99999998296501784, 0.99999999976518907},
    {{123456789, 654321, 876543210}, 0.90, 0.75255976771543975, 0.7526281956271098},
};

TEST(Tango, MatchesHighPrecisionReference) {
  for (const auto& r : tango_table) {
    SCOPED_TRACE(describe(r.c, r.level));
    const auto ci = stats::tango_interval(r.c, r.level);
    EXPECT_TRUE(near(ci.lower, r.lower, 1e-12));
    EXPECT_TRUE(near(ci.upper, r.upper, 1e-12));
    EXPECT_EQ(ci.method, interval_method::tango);
    EXPECT_EQ(ci.level, r.level);
  }
}

TEST(Tango, PublishedExample) {
  // Fagerland, Lydersen & Laake (2017), "Statistical Analysis of Contingency
  // Tables", ch. 8: the paired table of Cavo et al. (2012), 59 / 6 / 16 / 80,
  // has the Tango 95 % interval −0.1240 to −0.0054 for (6 − 16)/161. As a
  // net score: 6 promoters, 16 detractors, 59 + 80 passives.
  const auto e = stats::net_score_tango({16, 139, 6}, 0.95);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(near(e.value(), -10.0 / 161.0, 1e-15));
  EXPECT_TRUE(near(e.ci()->lower, -0.1240, 0.5e-4));
  EXPECT_TRUE(near(e.ci()->upper, -0.0054, 0.5e-4));
}

// Z at each limit is ±z, Z just inside is smaller in size and just outside
// larger: the interval ends exactly where |Z| crosses z. "±z" to 1e-9, or to
// the resolution of the limit itself where Z is steep: a double d resolves Z
// only to |Z'(d)|·ulp(d), which near d = ±1 at n = 10⁹ is about 3e-8.
double z_tolerance(const net_counts& c, double d, double h) {
  const double slope = std::abs(z_reference(c, d - h) - z_reference(c, d + h)) / (2 * h);
  return 1e-9 + 8.0 * slope * std::abs(std::nextafter(d, 2.0) - d);
}

TEST(Tango, LimitsSolveTheScoreEquation) {
  for (const auto& r : tango_table) {
    SCOPED_TRACE(describe(r.c, r.level));
    const auto ci = stats::tango_interval(r.c, r.level);
    const double z = stats::z_for_level(r.level);
    const double step = 1e-7 * ci.width();
    if (ci.lower > -1.0) {
      const double tol = z_tolerance(r.c, ci.lower, step);
      EXPECT_TRUE(near(z_reference(r.c, ci.lower), z, tol));
      EXPECT_TRUE(near(stats::tango_statistic(r.c, ci.lower), z, tol));
      EXPECT_LT(z_reference(r.c, ci.lower + step), z);
      EXPECT_GT(z_reference(r.c, ci.lower - step), z);
    }
    if (ci.upper < 1.0) {
      const double tol = z_tolerance(r.c, ci.upper, step);
      EXPECT_TRUE(near(z_reference(r.c, ci.upper), -z, tol));
      EXPECT_TRUE(near(stats::tango_statistic(r.c, ci.upper), -z, tol));
      EXPECT_GT(z_reference(r.c, ci.upper - step), -z);
      EXPECT_LT(z_reference(r.c, ci.upper + step), -z);
    }
  }
}

// On a grid of 4001 hypotheses d in [−1, 1], d is in the interval exactly
// when |Z(d)| <= z (Z from the independent bisection).
TEST(Tango, IntervalIsTheSetOfAcceptedHypotheses) {
  const std::vector<net_counts> samples = {{16, 139, 6}, {7, 13, 1}, {0, 5, 15}, {10, 0, 30}, {12, 8, 0}, {1, 1, 1},
                                           {0, 0, 1},    {0, 1, 0},  {1, 0, 0},  {5, 0, 0},   {0, 0, 40}, {2, 96, 2}};
  for (const auto& c : samples) {
    for (double level : {0.80, 0.90, 0.95, 0.99}) {
      SCOPED_TRACE(describe(c, level));
      const auto ci = stats::tango_interval(c, level);
      const double z = stats::z_for_level(level);
      for (int k = 0; k <= 4000; ++k) {
        const double d = -1.0 + k / 2000.0;
        if (std::abs(d - ci.lower) < 1e-9 || std::abs(d - ci.upper) < 1e-9) continue;
        EXPECT_EQ(std::abs(z_reference(c, d)) <= z, ci.contains(d)) << "d = " << d;
      }
    }
  }
}

// Samples of one class, where Z has a closed form (header comment of
// stats/net_score.hpp): all promoters Z² = n(1 − d)/(1 + d), so
// L = (n − z²)/(n + z²); all passives Z² = n|d|/(1 − |d|), so ±z²/(n + z²);
// all detractors the mirror of all promoters. n = 1 is such a sample.
TEST(Tango, OneClassSamplesHaveClosedForms) {
  for (double n : {1.0, 2.0, 10.0, 1e9}) {
    for (double level : {0.80, 0.90, 0.95, 0.99}) {
      SCOPED_TRACE("n " + std::to_string(n) + " level " + std::to_string(level));
      const double z2 = std::pow(stats::z_for_level(level), 2);
      const double edge = (n - z2) / (n + z2);
      const double mid = z2 / (n + z2);
      const auto pro = stats::tango_interval({0, 0, n}, level);
      EXPECT_TRUE(near(pro.lower, edge, 1e-15));
      EXPECT_EQ(pro.upper, 1.0);
      const auto det = stats::tango_interval({n, 0, 0}, level);
      EXPECT_EQ(det.lower, -1.0);
      EXPECT_TRUE(near(det.upper, -edge, 1e-15));
      const auto pas = stats::tango_interval({0, n, 0}, level);
      EXPECT_TRUE(near(pas.lower, -mid, 1e-15));
      EXPECT_TRUE(near(pas.upper, mid, 1e-15));
      // The closed forms solve the independent score equation too.
      const double z = std::sqrt(z2);
      const double h = 1e-7 * pro.width();
      EXPECT_TRUE(near(z_reference({0, 0, n}, pro.lower), z, z_tolerance({0, 0, n}, pro.lower, h)));
      EXPECT_TRUE(near(z_reference({0, n, 0}, pas.upper), -z, z_tolerance({0, n, 0}, pas.upper, h)));
    }
  }
}

TEST(Tango, EstimateCarriesTheSampleAndItsWaldSe) {
  // 20/30/50: θ̂ = 0.3, Wald SE = √((0.7 − 0.09)/100) = √0.0061.
  const auto e = stats::net_score_tango({20, 30, 50}, 0.95);
  ASSERT_TRUE(e.ok());
  EXPECT_DOUBLE_EQ(e.value(), 0.3);
  EXPECT_TRUE(near(e.se(), std::sqrt(0.0061), 1e-15));
  EXPECT_EQ(e.n(), 100u);
  EXPECT_EQ(e.effective_n(), 100.0);
  EXPECT_TRUE(near(e.ci()->lower, 0.13955141614195689, 1e-12));
  // One response: an interval, no insufficiency (Tango is defined at n = 1).
  const auto one = stats::net_score_tango({0, 0, 1}, 0.95);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one.value(), 1.0);
  EXPECT_EQ(one.se(), 0.0);
  EXPECT_EQ(one.ci()->upper, 1.0);
  EXPECT_LT(one.ci()->lower, 0.0);
  // Empty: no data, no exception.
  EXPECT_EQ(stats::net_score_tango({0, 0, 0}).state(), estimate::status::no_data);
}

TEST(Tango, RejectsBadInput) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW((void)stats::tango_interval({0, 0, 0}), invalid_argument);
  EXPECT_THROW((void)stats::tango_interval({-1, 2, 3}), invalid_argument);
  EXPECT_THROW((void)stats::tango_interval({1, nan, 3}), invalid_argument);
  EXPECT_THROW((void)stats::net_score_tango({1, 2, std::numeric_limits<double>::infinity()}), invalid_argument);
  EXPECT_THROW((void)stats::tango_interval({1, 2, 3}, 1.0), invalid_argument);
  EXPECT_THROW((void)stats::tango_interval({1, 2, 3}, 0.0), invalid_argument);
  EXPECT_THROW((void)stats::tango_statistic({1, 2, 3}, 1.5), invalid_argument);
  EXPECT_THROW((void)stats::tango_detractor_share({1, 2, 3}, -1.01), invalid_argument);
  try {
    (void)stats::tango_interval({-1, 2, 3});
    FAIL() << "no exception";
  } catch (const invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("detractors = -1"), std::string::npos) << e.what();
  }
}

TEST(Tango, RestrictedEstimateSolvesTheScoreEquation) {
  for (const net_counts& c : {net_counts{16, 139, 6}, net_counts{0, 5, 15}, net_counts{12, 8, 0}, net_counts{3, 0, 0}}) {
    for (double d : {-0.99, -0.5, -0.1, 0.0, 0.2, 0.7, 0.999}) {
      EXPECT_TRUE(near(stats::tango_detractor_share(c, d), q_by_bisection(c, d), 1e-13))
          << describe(c, 0) << " d = " << d;
    }
  }
}

// ---- Student t interval -------------------------------------------------------

TEST(NetT, MatchesScipyAndTheMeanOfScores) {
  struct ref {
    net_counts c;
    double level, se, lower, upper;
  };
  // t(D, Q, P, l) of the header comment.
  const std::vector<ref> table = {
      {{20, 30, 50}, 0.95, 0.078495962709021931, 0.14424698016166343, 0.45575301983833657},
      {{20, 30, 50}, 0.80, 0.078495962709021931, 0.19872753555744308, 0.40127246444255692},
      {{1, 0, 1}, 0.90, 1.0, -1.0, 1.0},  // ±6.31 clipped to [−1, 1]
      {{7, 13, 1}, 0.99, 0.12233554836823932, -0.63380047940489618, 0.06237190797632475},
      {{200000000, 300000000, 500000000}, 0.95, 2.4698178082806027e-5, 0.29995159246041535, 0.30004840753958465},
  };
  const auto trinomial = scale::custom(-1, 1, 1, -1);
  for (const auto& r : table) {
    SCOPED_TRACE(describe(r.c, r.level));
    const auto e = stats::net_score_t(r.c, r.level);
    ASSERT_TRUE(e.ok());
    EXPECT_TRUE(near(e.se(), r.se, 1e-12 * r.se));
    EXPECT_TRUE(near(e.ci()->lower, r.lower, 1e-12));
    EXPECT_TRUE(near(e.ci()->upper, r.upper, 1e-12));
    EXPECT_EQ(e.ci()->method, interval_method::t);
    // A second method: the t interval of the mean of the scores −1/0/+1.
    score_counts sc(trinomial);
    sc.add_count(-1, static_cast<std::uint64_t>(r.c.detractors));
    sc.add_count(0, static_cast<std::uint64_t>(r.c.passives));
    sc.add_count(1, static_cast<std::uint64_t>(r.c.promoters));
    const auto m = stats::mean_t(sc, r.level);
    EXPECT_TRUE(near(e.value(), m.value(), 1e-15));
    EXPECT_TRUE(near(e.se(), m.se(), 1e-9 * m.se()));
  }
}

TEST(NetT, EdgesOfOneResponseAndOneClass) {
  const auto one = stats::net_score_t({0, 0, 1}, 0.95);
  EXPECT_EQ(one.state(), estimate::status::insufficient);
  EXPECT_EQ(one.value(), 1.0);
  EXPECT_FALSE(one.ci().has_value());
  EXPECT_NE(one.note().find("at least 2"), std::string::npos);
  const auto all_det = stats::net_score_t({5, 0, 0}, 0.99);
  ASSERT_TRUE(all_det.ok());
  EXPECT_EQ(all_det.se(), 0.0);
  EXPECT_EQ(all_det.ci()->lower, -1.0);
  EXPECT_EQ(all_det.ci()->upper, -1.0);
  EXPECT_EQ(stats::net_score_t({0, 0, 0}).state(), estimate::status::no_data);
  EXPECT_THROW((void)stats::net_score_t({1, -2, 3}), invalid_argument);
}

// ---- Two samples ------------------------------------------------------------

TEST(NetCompare, AdjustedWaldMatchesScipy) {
  struct ref {
    net_counts a, b;
    double level, d, se, z, p, lower, upper;
  };
  // aw2(a, b, l) of the header comment.
  const std::vector<ref> table = {
      {{20, 30, 50}, {35, 25, 40}, 0.95, 0.24271844660194175, 0.11447232600186777, 2.120324231010921,
       0.033978711572034324, 0.018356810411752966, 0.46708008279213054},
      {{35, 25, 40}, {20, 30, 50}, 0.95, -0.24271844660194175, 0.11447232600186777, -2.120324231010921,
       0.033978711572034324, -0.46708008279213054, -0.018356810411752966},
      {{0, 0, 1}, {1, 0, 0}, 0.90, 0.5, 0.5303300858899106, 0.9428090415820635, 0.3457785861511603,
       -0.3723153652575055, 1.3723153652575055},
      {{3, 10, 7}, {100, 200, 700}, 0.99, -0.4242923403701937, 0.1444438686166516, -2.9374202202812016,
       0.003309553132076741, -0.7963550898709322, -0.05222959086945517},
      {{12, 8, 0}, {0, 5, 15}, 0.80, -1.1739130434782608, 0.16242794964640023, -7.227284750154311,
       4.927462481558991e-13, -1.3820728366358046, -0.965753250320717},
      {{200000000, 300000000, 500000000}, {200100000, 300000000, 499900000}, 0.95, 0.00019999999940001345,
       3.493021551921661e-05, 5.725701843722804, 1.0300699269304682e-08, 0.00013153803501012685,
       0.00026846196378990005},
  };
  for (const auto& r : table) {
    SCOPED_TRACE(describe(r.a, r.level) + " vs " + describe(r.b, r.level));
    const auto c = stats::compare_net_adjusted_wald(r.a, r.b, r.level);
    ASSERT_TRUE(c.difference.ok());
    EXPECT_TRUE(near(c.difference.value(), r.d, 1e-12));
    EXPECT_TRUE(near(c.difference.se(), r.se, 1e-12 * r.se));
    EXPECT_TRUE(near(c.statistic, r.z, 1e-9 * std::abs(r.z)));
    EXPECT_TRUE(near(c.p_value, r.p, 1e-8 * r.p));
    EXPECT_TRUE(near(c.difference.ci()->lower, r.lower, 1e-12));
    EXPECT_TRUE(near(c.difference.ci()->upper, r.upper, 1e-12));
    EXPECT_EQ(c.difference.ci()->method, interval_method::adjusted_wald);
    EXPECT_EQ(c.difference.n(), static_cast<std::uint64_t>(r.a.total() + r.b.total()));
  }
}

TEST(NetCompare, EmptySideIsNoData) {
  const auto c = stats::compare_net_adjusted_wald({0, 0, 0}, {1, 2, 3});
  EXPECT_EQ(c.difference.state(), estimate::status::no_data);
  EXPECT_NE(c.difference.note().find("group a"), std::string::npos);
  EXPECT_TRUE(std::isnan(c.statistic));
  EXPECT_TRUE(std::isnan(c.p_value));
  EXPECT_EQ(c.difference.n(), 6u);
  const auto m = stats::compare_net_mover({1, 2, 3}, {0, 0, 0});
  EXPECT_EQ(m.state(), estimate::status::no_data);
  EXPECT_NE(m.note().find("group b"), std::string::npos);
  EXPECT_THROW((void)stats::compare_net_mover({1, 2, 3}, {1, -2, 3}), invalid_argument);
  EXPECT_THROW((void)stats::compare_net_adjusted_wald({1, 2, 3}, {1, 2, 3}, 1.5), invalid_argument);
}

TEST(NetCompare, MoverFromTheTangoLimits) {
  struct ref {
    net_counts a, b;
    double level, d, lower, upper;
  };
  // mover(a, b, l) of the header comment.
  const std::vector<ref> table = {
      {{20, 30, 50}, {35, 25, 40}, 0.95, 0.25, 0.019297691859539644, 0.47154562995694216},
      {{16, 139, 6}, {7, 13, 1}, 0.90, 0.22360248447204969, 0.0064419329495430867, 0.42508213903451866},
      {{0, 0, 10}, {0, 0, 10}, 0.95, 0.0, -0.55506559972577835, 0.55506559972577835},
      {{0, 5, 15}, {12, 8, 0}, 0.99, 1.35, 0.7593259709737786, 1.6242845964768367},
      {{1, 0, 0}, {0, 0, 1}, 0.80, -2.0, -2.0, -0.24198405866886905},
  };
  for (const auto& r : table) {
    SCOPED_TRACE(describe(r.a, r.level) + " vs " + describe(r.b, r.level));
    const auto e = stats::compare_net_mover(r.a, r.b, r.level);
    ASSERT_TRUE(e.ok());
    EXPECT_TRUE(near(e.value(), r.d, 1e-15));
    EXPECT_TRUE(near(e.ci()->lower, r.lower, 1e-12));
    EXPECT_TRUE(near(e.ci()->upper, r.upper, 1e-12));
    EXPECT_EQ(e.ci()->method, interval_method::mover);
    // A − B and B − A are mirror images.
    const auto back = stats::compare_net_mover(r.b, r.a, r.level);
    EXPECT_EQ(back.value(), -e.value());
    EXPECT_TRUE(near(back.ci()->lower, -e.ci()->upper, 1e-15));
    EXPECT_TRUE(near(back.ci()->upper, -e.ci()->lower, 1e-15));
  }
  // Unpooled Wald SE: √(0.0061 + Σ(y − 0.05)²/100²) with B = 35/25/40:
  // Σ(y − θ̂)²/n = 0.75 − 0.05² = 0.7475.
  EXPECT_TRUE(near(stats::compare_net_mover({20, 30, 50}, {35, 25, 40}).se(), std::sqrt(0.0061 + 0.007475), 1e-15));
  // Two samples of all promoters: SE 0, yet the interval is ±(1 − L), with
  // L = (10 − z²)/(10 + z²) the Tango lower limit of each.
  const double z2 = std::pow(stats::z_for_level(0.95), 2);
  const auto same = stats::compare_net_mover({0, 0, 10}, {0, 0, 10});
  EXPECT_EQ(same.se(), 0.0);
  EXPECT_TRUE(near(same.ci()->upper, 1.0 - (10 - z2) / (10 + z2), 1e-15));
}

// ---- Continuity-corrected Wilson interval ----------------------------------

TEST(WilsonCC, MatchesScipyAndItsDefiningEquation) {
  struct ref {
    double x, n, level, lower, upper;
  };
  // wilsoncc(k, n, l) of the header comment; the first four are Newcombe's
  // (1998) illustrative examples.
  const std::vector<ref> table = {
      {81, 263, 0.95, 0.25350868229518514, 0.3681762010430035},
      {15, 148, 0.95, 0.059778208428498125, 0.16444977936483698},
      {0, 20, 0.95, 0.0, 0.20045334501348705},
      {1, 29, 0.95, 0.001802640213279666, 0.19628175100975953},
      {29, 29, 0.95, 0.8543835244204265, 1.0},
      {7, 23, 0.80, 0.17995531322426908, 0.4592535427157499},
      {3, 40, 0.99, 0.01424248236696328, 0.2678588684359649},
      {0, 1, 0.90, 0.0, 0.9272394092356023},
      {1, 1, 0.80, 0.10580699626494916, 1.0},
      {1, 2, 0.95, 0.026677342008984584, 0.9733226579910155},
      {123456789, 1000000000, 0.95, 0.12343640111931437, 0.12347717977370706},
  };
  for (const auto& r : table) {
    SCOPED_TRACE(std::to_string(r.x) + "/" + std::to_string(r.n) + " level " + std::to_string(r.level));
    const auto ci = stats::proportion_interval(r.x, r.n, r.level, interval_method::wilson_cc);
    EXPECT_TRUE(near(ci.lower, r.lower, 1e-9 * r.lower));
    EXPECT_TRUE(near(ci.upper, r.upper, 1e-9 * r.upper));
    EXPECT_EQ(ci.method, interval_method::wilson_cc);
    // Each limit π inside (0, 1) solves |p − π| − 1/(2n) = z√(π(1 − π)/n).
    const double z = stats::z_for_level(r.level);
    const double p = r.x / r.n;
    for (double pi : {ci.lower, ci.upper}) {
      if (pi <= 0.0 || pi >= 1.0) continue;
      EXPECT_TRUE(near(std::abs(p - pi) - 0.5 / r.n, z * std::sqrt(pi * (1 - pi) / r.n), 1e-12));
    }
    // Wider than the Wilson interval it corrects.
    const auto w = stats::proportion_interval(r.x, r.n, r.level, interval_method::wilson);
    EXPECT_LE(ci.lower, w.lower);
    EXPECT_GE(ci.upper, w.upper);
  }
  const auto e = stats::proportion(3, 40, stats::proportion_options{0.99, interval_method::wilson_cc});
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(near(e.ci()->upper, 0.2678588684359649, 1e-9));
}

// ---- Coverage ------------------------------------------------------------------

// Exact coverage by enumerating every trinomial outcome, against the same
// sum computed in Python (cov(n, probs, l) = Σ over outcomes of the
// multinomial pmf where the interval contains θ; SciPy's brentq on the
// closed-form q̃ for Tango, NumPy for the two-sample sums).
double log_pmf(const net_counts& o, const double (&p)[3]) {
  const auto term = [](double k, double q) { return k == 0.0 ? 0.0 : k * std::log(q); };
  return std::lgamma(o.total() + 1) - std::lgamma(o.detractors + 1) - std::lgamma(o.passives + 1) -
         std::lgamma(o.promoters + 1) + term(o.detractors, p[0]) + term(o.passives, p[1]) + term(o.promoters, p[2]);
}

std::vector<std::pair<net_counts, double>> outcomes(int n, const double (&p)[3]) {
  std::vector<std::pair<net_counts, double>> out;
  for (int d = 0; d <= n; ++d) {
    for (int q = 0; q <= n - d; ++q) {
      const net_counts o{static_cast<double>(d), static_cast<double>(n - d - q), static_cast<double>(q)};
      out.emplace_back(o, std::exp(log_pmf(o, p)));
    }
  }
  return out;
}

const double shares_a[3] = {0.2, 0.3, 0.5};  // NPS +30
const double shares_b[3] = {0.3, 0.3, 0.4};  // NPS +10

TEST(Coverage, ExactEnumerationMatchesReference) {
  struct one_sample {
    int n;
    double level, coverage;
  };
  for (const auto& r : {one_sample{20, 0.90, 0.9019226719833907}, one_sample{20, 0.95, 0.9471743179732025},
                        one_sample{100, 0.90, 0.8986896860316577}, one_sample{100, 0.95, 0.9502313431069057}}) {
    double cov = 0.0;
    for (const auto& [o, pr] : outcomes(r.n, shares_a)) {
      if (stats::tango_interval(o, r.level).contains(shares_a[2] - shares_a[0])) cov += pr;
    }
    EXPECT_TRUE(near(cov, r.coverage, 1e-9)) << "Tango n = " << r.n << " level " << r.level;
  }
  // Two samples of 20, A − B = 0.2 at 95 %: 231² outcome pairs.
  const auto oa = outcomes(20, shares_a);
  const auto ob = outcomes(20, shares_b);
  const double delta = (shares_a[2] - shares_a[0]) - (shares_b[2] - shares_b[0]);
  double aw = 0.0;
  double mover = 0.0;
  for (const auto& [a, pa] : oa) {
    for (const auto& [b, pb] : ob) {
      if (stats::compare_net_adjusted_wald(a, b).difference.ci()->contains(delta)) aw += pa * pb;
      if (stats::compare_net_mover(a, b).ci()->contains(delta)) mover += pa * pb;
    }
  }
  EXPECT_TRUE(near(aw, 0.9520657651202628, 1e-9));
  EXPECT_TRUE(near(mover, 0.9489680013993518, 1e-9));
}

// Seeded simulation: R = 20000 samples from fixed shares, the share of 95 %
// intervals that contain the true value. Tolerance 4.42 binomial SDs of a
// coverage of exactly 0.95, √(0.95·0.05/R) = 0.00154, i.e. ±0.0068 (a
// two-sided 10⁻⁵ false-alarm rate, the threshold Abseil's statistical tests
// use). The methods' own exact coverages at these shares (enumerated, as
// above) are Tango 0.9472 (n = 20) and 0.9502 (n = 100), adjusted-Wald
// difference 0.9521 and 0.9501, MOVER 0.9490 and 0.9499: all within 0.003
// (2 SDs) of nominal, so the tolerance measures the implementation, not the
// methods' approximation. The generator is mt19937_64 with the uniform taken
// from its top 53 bits, the same stream on every platform.
class trinomial_sampler {
 public:
  explicit trinomial_sampler(std::uint64_t seed) : gen_(seed) {}
  net_counts draw(int n, const double (&p)[3]) {
    net_counts c;
    for (int i = 0; i < n; ++i) {
      const double u = static_cast<double>(gen_() >> 11) * 0x1.0p-53;
      (u < p[0] ? c.detractors : u < p[0] + p[1] ? c.passives : c.promoters) += 1.0;
    }
    return c;
  }

 private:
  std::mt19937_64 gen_;
};

TEST(Coverage, SeededSimulationIsNearNominal) {
  constexpr int replicates = 20000;
  const double tolerance = 4.42 * std::sqrt(0.95 * 0.05 / replicates);
  const double theta_a = shares_a[2] - shares_a[0];
  const double delta = theta_a - (shares_b[2] - shares_b[0]);
  for (int n : {20, 100}) {
    trinomial_sampler rng(0x19c0ffee + static_cast<std::uint64_t>(n));
    int tango = 0;
    int aw = 0;
    int mover = 0;
    for (int r = 0; r < replicates; ++r) {
      const auto a = rng.draw(n, shares_a);
      const auto b = rng.draw(n, shares_b);
      tango += stats::tango_interval(a, 0.95).contains(theta_a);
      aw += stats::compare_net_adjusted_wald(a, b, 0.95).difference.ci()->contains(delta);
      mover += stats::compare_net_mover(a, b, 0.95).ci()->contains(delta);
    }
    EXPECT_TRUE(near(tango / double(replicates), 0.95, tolerance)) << "Tango, n = " << n;
    EXPECT_TRUE(near(aw / double(replicates), 0.95, tolerance)) << "adjusted Wald, n = " << n;
    EXPECT_TRUE(near(mover / double(replicates), 0.95, tolerance)) << "MOVER, n = " << n;
  }
}

}  // namespace
