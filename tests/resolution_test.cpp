// Resolution rate ("was your issue resolved?") and its accumulator.
//
// Reference values come from base R (expressions in the comments).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "cxmetrics/metrics/resolution.hpp"

namespace {

using namespace cxm;

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

resolution_accumulator filled(std::uint64_t yes, std::uint64_t no, std::uint64_t unknown) {
  resolution_accumulator acc;
  for (std::uint64_t i = 0; i < yes; ++i) acc.add(resolution::yes);
  for (std::uint64_t i = 0; i < no; ++i) acc.add(resolution::no);
  for (std::uint64_t i = 0; i < unknown; ++i) acc.add(resolution::unknown);
  return acc;
}

resolution_options with_method(interval_method m, double level = 0.95) {
  resolution_options o;
  o.method = m;
  o.level = level;
  return o;
}

struct expected_interval {
  interval_method method;
  double lower, upper;
};

// R, for x successes out of n:
//   wilson           prop.test(x, n, correct = FALSE)$conf.int
//   jeffreys         qbeta(c(.025,.975), x+.5, n-x+.5)  (lower 0 at x = 0, upper 1 at x = n:
//                    Brown, Cai & DasGupta 2001, §4.1.2)
//   clopper_pearson  binom.test(x, n)$conf.int
//   agresti_coull    z <- qnorm(.975); nt <- n+z^2; pt <- (x+z^2/2)/nt;
//                    pmin(pmax(pt + c(-1,1)*z*sqrt(pt*(1-pt)/nt), 0), 1)
//   wald             p <- x/n; pmin(pmax(p + c(-1,1)*z*sqrt(p*(1-p)/n), 0), 1)
void expect_intervals(std::uint64_t yes, std::uint64_t no, const std::vector<expected_interval>& refs) {
  for (const auto& ref : refs) {
    const auto r = filled(yes, no, 3).result(with_method(ref.method));
    ASSERT_TRUE(r.rate.ok()) << to_string(ref.method);
    EXPECT_EQ(r.rate.ci()->method, ref.method);
    EXPECT_NEAR(r.rate.ci()->lower, ref.lower, 1e-10) << to_string(ref.method) << " " << yes << "/" << yes + no;
    EXPECT_NEAR(r.rate.ci()->upper, ref.upper, 1e-10) << to_string(ref.method) << " " << yes << "/" << yes + no;
  }
}

TEST(Resolution, RateExcludesUnknowns) {
  // 7 yes, 3 no, 5 unknown: rate 7/10 on n = 10; unknowns counted apart.
  const auto acc = filled(7, 3, 5);
  EXPECT_EQ(acc.count(), 15u);
  EXPECT_EQ(acc.answered(), 10u);
  EXPECT_EQ(acc.unknown(), 5u);
  const auto r = acc.result();
  EXPECT_EQ(r.yes, 7u);
  EXPECT_EQ(r.no, 3u);
  EXPECT_EQ(r.unknown, 5u);
  ASSERT_TRUE(r.rate.ok());
  EXPECT_NEAR(r.rate.value(), 0.7, 1e-15);
  EXPECT_NEAR(r.rate.se(), std::sqrt(0.7 * 0.3 / 10.0), 1e-15);
  EXPECT_EQ(r.rate.n(), 10u);
  // Unknowns are not "no": adding any number of them leaves the rate alone.
  EXPECT_EQ(filled(7, 3, 0).result().rate, r.rate);
  EXPECT_EQ(filled(7, 3, 1000).result().rate, r.rate);
}

TEST(Resolution, EveryMethodMidRange) {
  // x = 7, n = 10
  expect_intervals(7, 3,
                   {{interval_method::wilson, 0.396778147461145, 0.892208732593699},
                    {interval_method::jeffreys, 0.394181681851329, 0.907305406061847},
                    {interval_method::clopper_pearson, 0.347547149940003, 0.933260488822266},
                    {interval_method::agresti_coull, 0.392325297977270, 0.896661582077575},
                    {interval_method::wald, 0.415974234910675, 0.984025765089325}});
  // Level 0.90, Jeffreys. R: qbeta(c(.05,.95), 7.5, 3.5) → 0.441873233515366 0.882670623319790
  const auto r = filled(7, 3, 0).result(with_method(interval_method::jeffreys, 0.90));
  EXPECT_NEAR(r.rate.ci()->lower, 0.441873233515366, 1e-10);
  EXPECT_NEAR(r.rate.ci()->upper, 0.882670623319790, 1e-10);
}

TEST(Resolution, NoneResolvedEveryMethod) {
  // x = 0, n = 10
  expect_intervals(0, 10,
                   {{interval_method::wilson, 0.0, 0.277532799862889},
                    {interval_method::jeffreys, 0.0, 2.17196267509211e-01},
                    {interval_method::clopper_pearson, 0.0, 0.308497107818761},
                    {interval_method::agresti_coull, 0.0, 0.320887305750546},
                    {interval_method::wald, 0.0, 0.0}});
}

TEST(Resolution, AllResolvedEveryMethod) {
  // x = n = 10
  expect_intervals(10, 0,
                   {{interval_method::wilson, 0.722467200137111, 1.0},
                    {interval_method::jeffreys, 0.782803732490789, 1.0},
                    {interval_method::clopper_pearson, 0.691502892181239, 1.0},
                    {interval_method::agresti_coull, 0.679112694249454, 1.0},
                    {interval_method::wald, 1.0, 1.0}});
}

TEST(Resolution, SingleAnswerEveryMethod) {
  // n = 1: x = 0 and x = 1
  expect_intervals(0, 1,
                   {{interval_method::wilson, 0.0, 0.793450685622763},
                    {interval_method::jeffreys, 0.0, 0.853253683690424758},
                    {interval_method::clopper_pearson, 0.0, 0.975},
                    {interval_method::agresti_coull, 0.0, 0.832500514520587},
                    {interval_method::wald, 0.0, 0.0}});
  expect_intervals(1, 0,
                   {{interval_method::wilson, 0.206549314377238, 1.0},
                    {interval_method::jeffreys, 0.146746316309575, 1.0},
                    {interval_method::clopper_pearson, 0.025, 1.0},
                    {interval_method::agresti_coull, 0.167499485479413, 1.0},
                    {interval_method::wald, 1.0, 1.0}});
}

TEST(Resolution, NothingAnswered) {
  const resolution_accumulator empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.result().rate.state(), estimate::status::no_data);
  // Only unknowns: no rate, but they are counted.
  const auto unknowns = filled(0, 0, 4);
  EXPECT_FALSE(unknowns.empty());
  EXPECT_EQ(unknowns.count(), 4u);
  const auto r = unknowns.result();
  EXPECT_EQ(r.rate.state(), estimate::status::no_data);
  EXPECT_EQ(r.unknown, 4u);
  EXPECT_EQ(r.yes + r.no, 0u);
}

TEST(Resolution, Weighted) {
  // yes with weight 2 (×3), no with weight 1 (×2), unknown with weight 5:
  // rate = 6/8; linearised SE √(n/(n − 1)·Σw²(y − p)²)/Σw = √(5/4·(3·4·¼² + 2·1·¾²))/8
  // (survey::svymean's, n = 5 answers).
  resolution_accumulator acc;
  for (int i = 0; i < 3; ++i) acc.add(resolution::yes, 2.0);
  for (int i = 0; i < 2; ++i) acc.add(resolution::no, 1.0);
  acc.add(resolution::unknown, 5.0);
  const auto r = acc.result();
  EXPECT_NEAR(r.rate.value(), 0.75, 1e-15);
  EXPECT_NEAR(r.rate.se(), std::sqrt(1.25 * (3 * 4 * 0.0625 + 2 * 0.5625)) / 8.0, 1e-15);
  // ñ = 8²/(3·4 + 2·1) = 64/14
  EXPECT_NEAR(r.rate.effective_n(), 64.0 / 14.0, 1e-12);
  EXPECT_EQ(r.rate.n(), 5u);
  EXPECT_EQ(acc.count(), 6u);
  // Constant weights give the unweighted rate and interval.
  resolution_accumulator c;
  for (int i = 0; i < 7; ++i) c.add(resolution::yes, 0.5);
  for (int i = 0; i < 3; ++i) c.add(resolution::no, 0.5);
  const auto u = filled(7, 3, 0).result();
  EXPECT_NEAR(c.result().rate.value(), u.rate.value(), 1e-15);
  EXPECT_NEAR(c.result().rate.ci()->lower, u.rate.ci()->lower, 1e-12);
  EXPECT_NEAR(c.result().rate.ci()->upper, u.rate.ci()->upper, 1e-12);
  // Zero weights count as answers with no weight.
  c.add(resolution::no, 0.0);
  EXPECT_NEAR(c.result().rate.value(), 0.7, 1e-15);
  EXPECT_EQ(c.result().rate.n(), 11u);
}

TEST(Resolution, VeryLargeN) {
  score_counts c(scale::binary());
  c.add_count(1, 600'000'000);
  c.add_count(0, 400'000'000);
  const auto r = compute_resolution(c, 7);
  EXPECT_NEAR(r.rate.value(), 0.6, 1e-15);
  EXPECT_NEAR(r.rate.se(), std::sqrt(0.24 / 1e9), 1e-18);
  EXPECT_TRUE(r.rate.ci()->contains(0.6));
  EXPECT_EQ(r.unknown, 7u);
  for (auto m : {interval_method::wilson, interval_method::jeffreys, interval_method::clopper_pearson,
                 interval_method::agresti_coull, interval_method::wald}) {
    resolution_options o;
    o.method = m;
    const auto e = compute_resolution(c, 0, o).rate;
    EXPECT_NEAR(e.ci()->width(), 2 * 1.959963984540054 * std::sqrt(0.24 / 1e9), 1e-7) << to_string(m);
  }
}

TEST(Resolution, MergeEqualsConcatenationAndOrderIndependence) {
  boost::random::mt19937_64 rng(8);
  boost::random::uniform_int_distribution<int> pick(-1, 1);
  boost::random::uniform_int_distribution<int> quarter(0, 8);
  std::vector<std::pair<resolution, double>> rows;
  for (int i = 0; i < 300; ++i) rows.emplace_back(static_cast<resolution>(pick(rng)), quarter(rng) / 4.0);
  for (bool weighted : {false, true}) {
    resolution_accumulator all, left, right, reversed;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      auto& part = i < 111 ? left : right;
      const auto& [r, w] = rows[i];
      const auto& [rr, rw] = rows[rows.size() - 1 - i];
      if (weighted) {
        all.add(r, w);
        part.add(r, w);
        reversed.add(rr, rw);
      } else {
        all.add(r);
        part.add(r);
        reversed.add(rr);
      }
    }
    left.merge(right);
    EXPECT_EQ(left, all);
    EXPECT_EQ(left.result(), all.result());
    EXPECT_EQ(reversed.result(), all.result());
    EXPECT_EQ(all.count(), 300u);
    EXPECT_EQ(all.answered() + all.unknown(), 300u);
  }
}

TEST(Resolution, Errors) {
  resolution_accumulator acc;
  try {
    acc.add(static_cast<resolution>(7), at_row(12, "resolved"));
    FAIL() << "no exception";
  } catch (const invalid_value& e) {
    EXPECT_NE(std::string(e.what()).find("7"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("row 12"), std::string::npos) << e.what();
  }
  EXPECT_THROW(acc.add(resolution::yes, nan_v), invalid_weight);
  EXPECT_THROW(acc.add(resolution::no, -1.0), invalid_weight);
  EXPECT_THROW(acc.add(resolution::unknown, std::numeric_limits<double>::infinity()), invalid_weight);
  EXPECT_TRUE(acc.empty());

  // Bad options are refused when asked for, even of an empty state.
  for (auto m : {interval_method::t, interval_method::adjusted_wald, interval_method::bootstrap,
                 interval_method::bayes_dirichlet, interval_method::newcombe}) {
    EXPECT_THROW((void)acc.result(with_method(m)), invalid_argument) << to_string(m);
  }
  for (double level : {0.0, 1.0, nan_v}) {
    EXPECT_THROW((void)acc.result(with_method(interval_method::wilson, level)), invalid_argument);
  }
  EXPECT_THROW((void)compute_resolution(score_counts(scale::nps())), invalid_argument);
  // Counts from elsewhere must be yes/no counts, and the total must fit.
  EXPECT_THROW(acc.add_counts(score_counts(scale::nps()), 0), invalid_argument);
  score_counts huge(scale::binary());
  huge.add_count(1, UINT64_MAX - 1);
  EXPECT_THROW(acc.add_counts(huge, 2), invalid_argument);
  EXPECT_TRUE(acc.empty());
}

TEST(Resolution, StatesThatDifferOnlyInTheIntervalAskedForMerge) {
  // 7 yes, 3 no, 5 unknown in two shards read with different intervals.
  // R: prop.test(7, 10, correct = FALSE)$conf.int → 0.3967781 0.8922087
  //    binom.test(7, 10)$conf.int                → 0.3475471 0.9332605
  const auto a = filled(4, 1, 2);
  auto b = filled(3, 2, 3);
  const auto jeffreys_alone = b.result(with_method(interval_method::jeffreys));
  b.merge(a);
  EXPECT_EQ(b, filled(7, 3, 5));
  const auto w = b.result();
  EXPECT_NEAR(w.rate.ci()->lower, 0.3967781, 1e-7);
  EXPECT_NEAR(w.rate.ci()->upper, 0.8922087, 1e-7);
  const auto cp = b.result(with_method(interval_method::clopper_pearson));
  EXPECT_NEAR(cp.rate.ci()->lower, 0.3475471, 1e-7);
  EXPECT_NEAR(cp.rate.ci()->upper, 0.9332605, 1e-7);
  EXPECT_NE(b.result(with_method(interval_method::jeffreys)), jeffreys_alone);
}

}  // namespace
