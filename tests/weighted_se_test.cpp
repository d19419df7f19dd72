// Standard errors of weighted estimates (stats/weighted_se.hpp).
//
// References (mpmath at 40 digits, printed with nstr(·, 17)), computed from
// the responses one by one, not from histograms:
//   svy(y, w)   survey::svymean's one-stage with-replacement estimator:
//                 W = sum(w); m = sum(w*y)/W; z = [wi*(yi - m)/W]; zb = mean(z)
//                 se = sqrt(n/(n - 1)*sum((zi - zb)**2))
//   kish(y, w)  ne = W**2/sum(w**2); s2 = sum(wi*(yi - m)**2)/W; se = sqrt(s2/(ne - 1))
//   intervals   m ± z*se with z = sqrt(2)*erfinv(l), or m ± tq((1 - l)/2, df)*se
//               with df = n - 1 (svy) or ne - 1 (kish), then clipped to the
//               range of the scores; tq(p, ν) solves
//               betainc(ν/2, 1/2, 0, ν/(ν + x²), regularized=True)/2 = p.
// The twelve responses of every reference: 0–10 scores
//   [10, 9, 10, 7, 8, 3, 9, 0, 7, 10, 6, 9]
// with weights [1.5, 0.5, 2, 1, 3, 0.7, 1.2, 2.5, 0.3, 1, 1.8, 0.9];
// y = ±1/0 (NPS classes), the score itself, or 1 for 9–10 (top-2 box).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/stats/mean.hpp"
#include "cxmetrics/stats/net_score.hpp"
#include "cxmetrics/stats/weighted_se.hpp"

namespace {

using namespace cxm;
using stats::weighted_options;
using stats::weighted_se;

::testing::AssertionResult near(double got, double want, double tol) {
  if (std::abs(got - want) <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << got << ", want " << want << " (tolerance " << tol << ")";
}

score_counts twelve() {
  const int scores[] = {10, 9, 10, 7, 8, 3, 9, 0, 7, 10, 6, 9};
  const double weights[] = {1.5, 0.5, 2, 1, 3, 0.7, 1.2, 2.5, 0.3, 1, 1.8, 0.9};
  score_counts c(scale::nps());
  for (int i = 0; i < 12; ++i) c.add(scores[i], weights[i]);
  return c;
}

weighted_options with(double level, weighted_se se, interval_method m) { return weighted_options{level, se, m}; }

struct expected {
  double value, se, lower, upper;
};

void check(const estimate& e, const expected& x, interval_method method) {
  ASSERT_TRUE(e.ok()) << e.note();
  EXPECT_TRUE(near(e.value(), x.value, 1e-14 * std::abs(x.value) + 1e-16));
  EXPECT_TRUE(near(e.se(), x.se, 1e-12 * x.se));
  EXPECT_TRUE(near(e.ci()->lower, x.lower, 1e-12 * (1 + std::abs(x.lower))));
  EXPECT_TRUE(near(e.ci()->upper, x.upper, 1e-12 * (1 + std::abs(x.upper))));
  EXPECT_EQ(e.ci()->method, method);
  EXPECT_EQ(e.n(), 12u);
  // Kish's ñ = (Σw)²/Σw² = 16.4²/29.82.
  EXPECT_TRUE(near(e.effective_n(), 9.0194500335345406, 1e-13));
}

TEST(WeightedSe, NetScoreMatchesSurveyAndKish) {
  const auto c = twelve();
  const auto net = [&](const weighted_options& o) { return stats::weighted_net_score(c.low(), c.middle(), c.high(), o); };
  // svy(y_nps, w); Wald 95 %.
  check(net(with(0.95, weighted_se::linearized, interval_method::wald)),
        {0.12804878048780488, 0.28678824099313442, -0.43404584304833218, 0.69014340402394194}, interval_method::wald);
  // svy(y_nps, w); t 90 %, 11 df.
  check(net(with(0.90, weighted_se::linearized, interval_method::t)),
        {0.12804878048780488, 0.28678824099313442, -0.38698986769460204, 0.64308742867021179}, interval_method::t);
  // kish(y_nps, w); t 99 %, ñ − 1 df; the upper 1.1337 is clipped to 1.
  check(net(with(0.99, weighted_se::kish, interval_method::t)),
        {0.12804878048780488, 0.29992889044693211, -0.87761995045866636, 1.0}, interval_method::t);
}

TEST(WeightedSe, MeanMatchesSurveyAndKish) {
  const auto c = twelve();
  check(stats::weighted_mean(c, with(0.95, weighted_se::linearized, interval_method::wald)),
        {6.975609756097561, 1.2752567159120415, 4.4761525218671322, 9.4750669903279898}, interval_method::wald);
  check(stats::weighted_mean(c, with(0.90, weighted_se::linearized, interval_method::t)),
        {6.975609756097561, 1.2752567159120415, 4.6853955800407497, 9.2658239321543723}, interval_method::t);
  // Upper 10.9993 clipped to the scale's 10.
  check(stats::weighted_mean(c, with(0.99, weighted_se::kish, interval_method::t)),
        {6.975609756097561, 1.2000092252188057, 2.9519501718155938, 10.0}, interval_method::t);
}

TEST(WeightedSe, ProportionMatchesSurveyAndKish) {
  const auto c = twelve();
  const auto top = [&](const weighted_options& o) { return stats::weighted_proportion(c.high(), c.total(), o); };
  check(top(with(0.95, weighted_se::linearized, interval_method::wald)),
        {0.43292682926829268, 0.16725506064097939, 0.10511293417991031, 0.76074072435667505}, interval_method::wald);
  check(top(with(0.90, weighted_se::linearized, interval_method::t)),
        {0.43292682926829268, 0.16725506064097939, 0.1325560050117335, 0.73329765352485186}, interval_method::t);
  // −0.154 … 1.020 clipped to 0 … 1.
  check(top(with(0.99, weighted_se::kish, interval_method::t)),
        {0.43292682926829268, 0.17496634019450868, 0.0, 1.0}, interval_method::t);
}

// With every weight equal, both SEs are the unweighted s/√n (n − 1 divisor),
// the t SE of stats::net_score_t and stats::mean_t; the n/(n − 1) factor puts
// the weighted NPS √(12/11) ≈ 1.0445 above the unweighted Wald SE at n = 12.
TEST(WeightedSe, EqualWeightsGiveTheUnweightedTSe) {
  const int scores[] = {10, 9, 10, 7, 8, 3, 9, 0, 7, 10, 6, 9};
  score_counts plain(scale::nps());
  score_counts heavy(scale::nps());
  for (int s : scores) {
    plain.add(s);
    heavy.add(s, 2.5);
  }
  const stats::net_counts classes{3, 3, 6};  // 3, 0, 6 detractors; 7, 8, 7 passives; six 9–10s
  const double t_se = stats::net_score_t(classes, 0.95).se();
  const double wald_se = stats::net_score_tango(classes, 0.95).se();
  for (auto kind : {weighted_se::linearized, weighted_se::kish}) {
    SCOPED_TRACE(to_string(kind));
    const weighted_options o{0.95, kind, interval_method::t};
    for (const auto* c : {&plain, &heavy}) {
      const auto net = stats::weighted_net_score(c->low(), c->middle(), c->high(), o);
      EXPECT_TRUE(near(net.se(), t_se, 1e-14));
      EXPECT_TRUE(near(net.se() / wald_se, std::sqrt(12.0 / 11.0), 1e-14));
      EXPECT_TRUE(near(stats::weighted_mean(*c, o).se(), stats::mean_t(plain, 0.95).se(), 1e-13));
      EXPECT_TRUE(near(stats::weighted_mean(*c, o).ci()->upper, stats::mean_t(plain, 0.95).ci()->upper, 1e-12));
    }
  }
}

// A zero-weight response is a unit of the design (as one outside a domain
// is in survey): it raises n, so the linearised SE falls by
// √((13/12)/(12/11)); Kish's SE depends on the weights only.
TEST(WeightedSe, ZeroWeightResponsesCountInTheLinearisedN) {
  const auto c = twelve();
  auto more = c;
  more.add(5, 0.0);
  const weighted_options lin{0.95, weighted_se::linearized, interval_method::wald};
  const weighted_options kish{0.95, weighted_se::kish, interval_method::wald};
  EXPECT_TRUE(near(stats::weighted_mean(more, lin).se() / stats::weighted_mean(c, lin).se(),
                   std::sqrt((13.0 / 12.0) / (12.0 / 11.0)), 1e-14));
  EXPECT_EQ(stats::weighted_mean(more, lin).value(), stats::weighted_mean(c, lin).value());
  EXPECT_TRUE(near(stats::weighted_mean(more, kish).se(), stats::weighted_mean(c, kish).se(), 1e-15));
  EXPECT_EQ(stats::weighted_mean(more, kish).n(), 13u);
}

TEST(WeightedSe, EdgeCases) {
  score_counts empty(scale::nps());
  EXPECT_EQ(stats::weighted_mean(empty).state(), estimate::status::no_data);
  score_counts zero(scale::nps());
  zero.add(9, 0.0);
  zero.add(3, 0.0);
  const auto z = stats::weighted_mean(zero);
  EXPECT_EQ(z.state(), estimate::status::no_data);
  EXPECT_EQ(z.note(), "all weights are zero");
  EXPECT_EQ(z.n(), 2u);
  score_counts one(scale::nps());
  one.add(9, 2.0);
  EXPECT_EQ(stats::weighted_mean(one).state(), estimate::status::insufficient);
  EXPECT_EQ(stats::weighted_mean(one).value(), 9.0);
  // All the weight on one response of three: Kish's ñ = 1.
  one.add(3, 0.0);
  one.add(4, 0.0);
  const auto lone = stats::weighted_net_score(one.low(), one.middle(), one.high());
  EXPECT_EQ(lone.state(), estimate::status::insufficient);
  EXPECT_EQ(lone.value(), 1.0);
  EXPECT_NE(lone.note().find("Kish"), std::string::npos);
  // All the weight on one score: SE 0, a zero-width interval.
  score_counts same(scale::nps());
  same.add(10, 1.0);
  same.add(9, 3.0);
  const auto s = stats::weighted_net_score(same.low(), same.middle(), same.high());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value(), 1.0);
  EXPECT_EQ(s.se(), 0.0);
  EXPECT_EQ(*s.ci(), (interval{1.0, 1.0, 0.95, interval_method::wald}));
}

TEST(WeightedSe, RejectsBadInput) {
  const auto c = twelve();
  EXPECT_THROW((void)stats::weighted_mean(c, with(0.95, weighted_se::kish, interval_method::wilson)), invalid_argument);
  EXPECT_THROW((void)stats::weighted_mean(c, with(1.0, weighted_se::kish, interval_method::wald)), invalid_argument);
  EXPECT_THROW((void)stats::weighted_proportion(c.total(), c.high()), invalid_argument);
  const stats::weighted_point negative[] = {{1.0, bin_totals{2, -1.0, 1.0}}, {0.0, bin_totals{1, 1.0, 1.0}}};
  EXPECT_THROW((void)stats::weighted_mean(negative), invalid_weight);
  const stats::weighted_point nan_score[] = {{std::nan(""), bin_totals{2, 1.0, 1.0}}};
  EXPECT_THROW((void)stats::weighted_mean(nan_score), invalid_argument);
  const stats::weighted_point no_squares[] = {{1.0, bin_totals{2, 1.0, 0.0}}, {0.0, bin_totals{1, 1.0, 0.0}}};
  EXPECT_THROW((void)stats::weighted_mean(no_squares), invalid_argument);
  const stats::weighted_point no_responses[] = {{1.0, bin_totals{0, 1.0, 1.0}}};
  EXPECT_THROW((void)stats::weighted_mean(no_responses), invalid_argument);
}

TEST(WeightedSe, NamesRoundTrip) {
  for (auto kind : {weighted_se::linearized, weighted_se::kish}) {
    EXPECT_EQ(stats::weighted_se_from(to_string(kind)), kind);
  }
  EXPECT_FALSE(stats::weighted_se_from("linearised").has_value());
  EXPECT_EQ(weighted_options{}.se, weighted_se::linearized);
}

}  // namespace
