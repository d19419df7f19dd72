// Binomial proportion intervals (stats/proportion.hpp) against R 4.x.
//
// Every reference bound below was printed with sprintf("%.17g") by base R:
//   wilson           prop.test(x, n, correct = FALSE, conf.level = l)$conf.int
//   clopper_pearson  binom.test(x, n, conf.level = l)$conf.int; for n = 1e9
//                    (binom.test's p-value would sum 1e9 terms) the same
//                    bounds it computes: c(if (x == 0) 0 else qbeta(a/2, x, n-x+1),
//                    if (x == n) 1 else qbeta(1-a/2, x+1, n-x)), a = 1 - l
//   jeffreys         ci <- qbeta(c(a/2, 1-a/2), x+0.5, n-x+0.5);
//                    if (x == 0) ci[1] <- 0; if (x == n) ci[2] <- 1
//   agresti_coull    z <- qnorm(1-a/2); nt <- n+z^2; pt <- (x+z^2/2)/nt;
//                    h <- z*sqrt(pt*(1-pt)/nt); c(max(0, pt-h), min(1, pt+h))
//   wald             p <- x/n; h <- z*sqrt(p*(1-p)/n); c(max(0, p-h), min(1, p+h))
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/stats/proportion.hpp"

namespace {

using namespace cxm;
using cxm::stats::proportion;
using cxm::stats::proportion_interval;
using cxm::stats::proportion_options;

struct ref_interval {
  std::uint64_t x;
  std::uint64_t n;
  double level;
  double lower;
  double upper;
};

// Relative agreement to 1e-9 (exact when the reference is 0 or 1).
::testing::AssertionResult close_to(double got, double want) {
  const double tol = 1e-9 * std::abs(want);
  if (std::abs(got - want) <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << got << ", want " << want << " (tolerance " << tol << ")";
}

void check_table(interval_method method, const std::vector<ref_interval>& table) {
  for (const auto& r : table) {
    SCOPED_TRACE(std::string(to_string(method)) + " x=" + std::to_string(r.x) + " n=" + std::to_string(r.n) +
                 " level=" + std::to_string(r.level));
    const auto e = proportion(r.x, r.n, proportion_options{r.level, method});
    ASSERT_TRUE(e.ok());
    ASSERT_TRUE(e.ci().has_value());
    EXPECT_TRUE(close_to(e.ci()->lower, r.lower));
    EXPECT_TRUE(close_to(e.ci()->upper, r.upper));
    EXPECT_EQ(e.ci()->method, method);
    EXPECT_EQ(e.ci()->level, r.level);
    // Value and SE: x/n and sqrt(p(1-p)/n) by hand.
    const double p = static_cast<double>(r.x) / static_cast<double>(r.n);
    EXPECT_EQ(e.value(), p);
    EXPECT_TRUE(close_to(e.se(), std::sqrt(p * (1 - p) / static_cast<double>(r.n))));
    EXPECT_EQ(e.n(), r.n);
    EXPECT_EQ(e.effective_n(), static_cast<double>(r.n));
  }
}

TEST(ProportionInterval, WilsonMatchesRPropTest) {
  check_table(interval_method::wilson, {
                                           {0, 10, 0.95, 0, 0.27753279986288915},
                                           {10, 10, 0.95, 0.72246720013711085, 1},
                                           {0, 1, 0.95, 0, 0.79345068562276255},
                                           {1, 1, 0.95, 0.2065493143772375, 1},
                                           {7, 23, 0.9, 0.17424907814592944, 0.47563188951102481},
                                           {81, 263, 0.95, 0.25528851987827428, 0.36620957698280016},
                                           {3, 40, 0.99, 0.019163255329385141, 0.25176897615206156},
                                           {39, 40, 0.99, 0.81778242039965066, 0.99705802676814437},
                                           {123456789, 1000000000, 0.95, 0.12343640161927887, 0.12347717927367156},
                                           {1, 1000000000, 0.99, 1.1740546412304596e-10, 8.5174910796065193e-09},
                                       });
}

TEST(ProportionInterval, ClopperPearsonMatchesRBinomTest) {
  check_table(interval_method::clopper_pearson,
              {
                  {0, 10, 0.95, 0, 0.30849710781876083},
                  {10, 10, 0.95, 0.69150289218123917, 1},
                  {0, 1, 0.95, 0, 0.97499999999999998},
                  {1, 1, 0.95, 0.025000000000000022, 1},
                  {7, 23, 0.9, 0.15247968742967721, 0.49643508371406275},
                  {81, 263, 0.95, 0.25273674558527121, 0.3676219226013514},
                  {3, 40, 0.99, 0.0086277888417227392, 0.2483722747694953},
                  {39, 40, 0.99, 0.82848467113190605, 0.99987469430582576},
                  {123456789, 1000000000, 0.95, 0.12343640076268983, 0.12347717941704361},
                  {1, 1000000000, 0.99, 5.0125418235317264e-12, 7.4301294763917625e-09},
              });
}

TEST(ProportionInterval, JeffreysMatchesRQbeta) {
  check_table(interval_method::jeffreys,
              {
                  {0, 10, 0.95, 0, 0.21719626750921051},
                  {10, 10, 0.95, 0.78280373249078949, 1},
                  {0, 1, 0.95, 0, 0.85325368369042476},
                  {1, 1, 0.95, 0.14674631630957519, 1},
                  {7, 23, 0.9, 0.16922419743632655, 0.47389450285541423},
                  {81, 263, 0.95, 0.25452193499102344, 0.36564749917408246},
                  {3, 40, 0.99, 0.012687837294392181, 0.23042301532154863},
                  {39, 40, 0.99, 0.85086207849147444, 0.99909821600045012},
                  {123456789, 1000000000, 0.95, 0.12343640126265436, 0.12347717891700805},
                  {1, 1000000000, 0.99, 3.5860887301568138e-11, 6.4190782143018175e-09},
              });
}

TEST(ProportionInterval, AgrestiCoullMatchesClosedForm) {
  check_table(interval_method::agresti_coull,
              {
                  {0, 10, 0.95, 0, 0.32088730575054569},
                  {10, 10, 0.95, 0.6791126942494542, 1},
                  {0, 1, 0.95, 0, 0.83250051452058693},
                  {1, 1, 0.95, 0.16749948547941307, 1},
                  {7, 23, 0.9, 0.17299534680683437, 0.47688562085011987},
                  {81, 263, 0.95, 0.25522066518999675, 0.36627743167107751},
                  {3, 40, 0.99, 0.0063834518425234243, 0.26454877963892326},
                  {39, 40, 0.99, 0.79809412217493725, 1},
                  {123456789, 1000000000, 0.95, 0.12343640161922757, 0.12347717927372291},
                  {1, 1000000000, 0.99, 0, 9.6696275056294375e-09},
              });
}

TEST(ProportionInterval, WaldMatchesClosedForm) {
  check_table(interval_method::wald, {
                                         {0, 10, 0.95, 0, 0},
                                         {10, 10, 0.95, 1, 1},
                                         {0, 1, 0.95, 0, 0},
                                         {1, 1, 0.95, 1, 1},
                                         {7, 23, 0.9, 0.14653419441766824, 0.46216145775624484},
                                         {81, 263, 0.95, 0.25219012621310721, 0.36377945553594226},
                                         {3, 40, 0.99, 0, 0.18227254444822388},
                                         {39, 40, 0.99, 0.91141430887182784, 1},
                                         {123456789, 1000000000, 0.95, 0.12343640017281579, 0.1234771778271842},
                                         {1, 1000000000, 0.99, 0, 3.5758293022609851e-09},
                                     });
}

TEST(ProportionInterval, DefaultIsWilsonAt95) {
  const auto e = proportion(81, 263);
  ASSERT_TRUE(e.ci().has_value());
  EXPECT_EQ(e.ci()->method, interval_method::wilson);
  EXPECT_EQ(e.ci()->level, 0.95);
  EXPECT_TRUE(close_to(e.ci()->lower, 0.25528851987827428));  // prop.test(81, 263, correct=FALSE)
}

TEST(ProportionInterval, FractionalCountsMatchRPropTest) {
  // Effective counts: prop.test accepts non-integer x and n.
  // prop.test(4.5, 6.25, correct = FALSE)$conf.int
  const auto ci = proportion_interval(4.5, 6.25);
  EXPECT_TRUE(close_to(ci.lower, 0.34684866108789736));
  EXPECT_TRUE(close_to(ci.upper, 0.92565901583594756));
}

TEST(Proportion, NoResponsesIsNoData) {
  const auto e = proportion(0, 0);
  EXPECT_EQ(e.state(), estimate::status::no_data);
  EXPECT_TRUE(std::isnan(e.value()));
  EXPECT_FALSE(e.ci().has_value());
}

TEST(Proportion, InvalidInputThrows) {
  EXPECT_THROW((void)proportion(11, 10), invalid_argument);
  EXPECT_THROW((void)proportion(1, 10, proportion_options{0.0, interval_method::wilson}), invalid_argument);
  EXPECT_THROW((void)proportion(1, 10, proportion_options{1.0, interval_method::wilson}), invalid_argument);
  EXPECT_THROW((void)proportion(1, 10, proportion_options{1.5, interval_method::wilson}), invalid_argument);
  EXPECT_THROW((void)proportion(1, 10, proportion_options{std::nan(""), interval_method::wilson}), invalid_argument);
  // A level is checked even when there is no data to use it on.
  EXPECT_THROW((void)proportion(0, 0, proportion_options{2.0, interval_method::wilson}), invalid_argument);
  // Methods that are not binomial-proportion intervals.
  for (auto m : {interval_method::t, interval_method::newcombe, interval_method::bootstrap,
                 interval_method::bayes_dirichlet, interval_method::adjusted_wald}) {
    EXPECT_THROW((void)proportion(3, 10, proportion_options{0.95, m}), invalid_argument) << to_string(m);
  }
  EXPECT_THROW((void)proportion_interval(1.0, 0.0), invalid_argument);
  EXPECT_THROW((void)proportion_interval(-0.5, 3.0), invalid_argument);
  EXPECT_THROW((void)proportion_interval(3.5, 3.0), invalid_argument);
  EXPECT_THROW((void)proportion_interval(1.0, INFINITY), invalid_argument);
  try {
    (void)proportion(12, 10);
    FAIL() << "no exception";
  } catch (const invalid_argument& e) {
    EXPECT_EQ(e.id(), 201);
    EXPECT_NE(std::string(e.what()).find("12 > 10"), std::string::npos) << e.what();
  }
}

// ---- weighted ---------------------------------------------------------------

bin_totals unit_totals(std::uint64_t n) {
  bin_totals t;
  t.n = n;
  t.w = static_cast<double>(n);
  t.w2 = static_cast<double>(n);
  return t;
}

bin_totals totals(std::uint64_t n, double w, double w2) {
  bin_totals t;
  t.n = n;
  t.w = w;
  t.w2 = w2;
  return t;
}

// With every weight 1 the weighted proportion has the unweighted value,
// interval, n and effective n; its SE is the linearised one of
// stats/weighted_se.hpp, √(p̂(1−p̂)/(n − 1)) = the binomial SE·√(n/(n − 1))
// (0 at n = 1, as the binomial SE of one response).
TEST(WeightedProportion, UnitWeightsGiveTheUnweightedIntervalAndTheLinearisedSe) {
  for (auto method : {interval_method::wilson, interval_method::jeffreys, interval_method::clopper_pearson,
                      interval_method::agresti_coull, interval_method::wald}) {
    for (std::uint64_t n : {1u, 7u, 10u, 263u, 1000u, 99991u}) {
      for (std::uint64_t x : {std::uint64_t{0}, std::uint64_t{1}, n / 3, n / 2, n - 1, n}) {
        if (x > n) continue;
        SCOPED_TRACE(std::string(to_string(method)) + " x=" + std::to_string(x) + " n=" + std::to_string(n));
        const proportion_options opt{0.95, method};
        const auto u = proportion(x, n, opt);
        const auto w = proportion(unit_totals(x), unit_totals(n), opt);
        EXPECT_EQ(w.value(), u.value());
        EXPECT_EQ(w.ci(), u.ci());
        EXPECT_EQ(w.n(), u.n());
        EXPECT_EQ(w.effective_n(), u.effective_n());
        EXPECT_EQ(w.state(), u.state());
        const double nd = static_cast<double>(n);
        EXPECT_NEAR(w.se(), n == 1 ? 0.0 : u.se() * std::sqrt(nd / (nd - 1.0)), 1e-15);
      }
    }
  }
}

TEST(WeightedProportion, ConstantWeightsGiveTheSameValueAndInterval) {
  // Weights c on every response: Σw = c·n, Σw² = c²·n, Kish n = n.
  const std::uint64_t x = 37;
  const std::uint64_t n = 120;
  const auto u = proportion(x, n);
  for (double c : {0.25, 2.5, 1e-3, 7e4}) {
    SCOPED_TRACE(c);
    const double xd = static_cast<double>(x);
    const double nd = static_cast<double>(n);
    const auto w = proportion(totals(x, c * xd, c * c * xd), totals(n, c * nd, c * c * nd));
    ASSERT_TRUE(w.ok());
    EXPECT_NEAR(w.value(), u.value(), 1e-15);
    EXPECT_NEAR(w.se(), u.se() * std::sqrt(nd / (nd - 1.0)), 1e-15);  // the linearised n/(n − 1)
    EXPECT_NEAR(w.effective_n(), nd, 1e-9);
    EXPECT_NEAR(w.ci()->lower, u.ci()->lower, 1e-12);
    EXPECT_NEAR(w.ci()->upper, u.ci()->upper, 1e-12);
    EXPECT_EQ(w.n(), n);
  }
}

// Zero-weight rows count in n, as units outside a domain do in survey: they
// change nothing but n and, through n/(n − 1), the SE.
TEST(WeightedProportion, ZeroWeightRowsChangeNothingButNAndTheSeFactor) {
  const auto base = proportion(totals(4, 3.5, 3.75), totals(9, 8.25, 10.0625));
  // Add 3 zero-weight successes and 5 zero-weight misses.
  const auto more = proportion(totals(7, 3.5, 3.75), totals(17, 8.25, 10.0625));
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(more.value(), base.value());
  EXPECT_NEAR(more.se(), base.se() * std::sqrt((17.0 / 16.0) / (9.0 / 8.0)), 1e-15);
  EXPECT_EQ(more.ci(), base.ci());
  EXPECT_EQ(more.effective_n(), base.effective_n());
  EXPECT_EQ(base.n(), 9u);
  EXPECT_EQ(more.n(), 17u);
  // Only zero weights: no data, but the responses are counted.
  const auto none = proportion(totals(2, 0, 0), totals(5, 0, 0));
  EXPECT_EQ(none.state(), estimate::status::no_data);
  EXPECT_EQ(none.n(), 5u);
}

TEST(WeightedProportion, MatchesRPerResponseComputation) {
  // w <- c(1.5, 0.5, 2, 1, 1, 0.8, 1.2, 3); y <- c(1,0,1,1,0,1,0,1)
  // p <- sum(w*y)/sum(w); n <- 8; se <- sqrt(n/(n-1)*sum(w^2*(y-p)^2))/sum(w)
  // (= svymean(~y, svydesign(ids=~1, weights=~w))'s SE); ne <- sum(w)^2/sum(w^2)
  // prop.test(p*ne, ne, correct=FALSE)$conf.int
  const std::vector<double> w = {1.5, 0.5, 2, 1, 1, 0.8, 1.2, 3};
  const std::vector<int> y = {1, 0, 1, 1, 0, 1, 0, 1};
  bin_totals hit;
  bin_totals all;
  for (std::size_t i = 0; i < w.size(); ++i) {
    all.n += 1;
    all.w += w[i];
    all.w2 += w[i] * w[i];
    if (y[i] == 1) {
      hit.n += 1;
      hit.w += w[i];
      hit.w2 += w[i] * w[i];
    }
  }
  const auto e = proportion(hit, all);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(close_to(e.value(), 0.75454545454545463));
  EXPECT_TRUE(close_to(e.se(), 0.14514481485826636 * std::sqrt(8.0 / 7.0)));  // √(Σw²(y−p)²)/Σw · √(n/(n−1))
  EXPECT_TRUE(close_to(e.effective_n(), 6.17977528089887684));
  EXPECT_TRUE(close_to(e.ci()->lower, 0.37321565424310926));
  EXPECT_TRUE(close_to(e.ci()->upper, 0.94072446369408447));
  EXPECT_EQ(e.n(), 8u);
}

TEST(WeightedProportion, LinearisedSeEqualsDirectPerResponseSum) {
  // Random weights and outcomes (fixed seed); the SE from bin totals must
  // equal √(n/(n − 1)·Σ w_i²(y_i − p̂)²)/Σw computed response by response.
  std::mt19937_64 rng(424242);
  std::uniform_real_distribution<double> weight(0.0, 4.0);
  std::bernoulli_distribution hit_of(0.3);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t n = 5 + static_cast<std::size_t>(trial) * 37;
    std::vector<double> w(n);
    std::vector<int> y(n);
    bin_totals hit;
    bin_totals all;
    for (std::size_t i = 0; i < n; ++i) {
      w[i] = weight(rng);
      y[i] = hit_of(rng) ? 1 : 0;
      all.n += 1;
      all.w += w[i];
      all.w2 += w[i] * w[i];
      if (y[i]) {
        hit.n += 1;
        hit.w += w[i];
        hit.w2 += w[i] * w[i];
      }
    }
    double sw = 0;
    double swy = 0;
    for (std::size_t i = 0; i < n; ++i) {
      sw += w[i];
      swy += w[i] * y[i];
    }
    const double p = swy / sw;
    double ss = 0;
    for (std::size_t i = 0; i < n; ++i) ss += w[i] * w[i] * (y[i] - p) * (y[i] - p);
    const auto e = proportion(hit, all);
    ASSERT_TRUE(e.ok());
    EXPECT_NEAR(e.value(), p, 1e-12);
    const double nd = static_cast<double>(n);
    EXPECT_NEAR(e.se(), std::sqrt(nd / (nd - 1.0) * ss) / sw, 1e-12) << "trial " << trial;
  }
}

TEST(WeightedProportion, InvalidInputThrows) {
  // Successes not a subset of all responses.
  EXPECT_THROW((void)proportion(totals(5, 2, 2), totals(4, 4, 4)), invalid_argument);
  EXPECT_THROW((void)proportion(totals(2, 5, 5), totals(4, 4, 4)), invalid_argument);
  EXPECT_THROW((void)proportion(totals(2, 2, 9), totals(4, 4, 4)), invalid_argument);
  // Bad level, bad method.
  EXPECT_THROW((void)proportion(unit_totals(2), unit_totals(4), proportion_options{0.0, interval_method::wilson}),
               invalid_argument);
  EXPECT_THROW((void)proportion(unit_totals(2), unit_totals(4), proportion_options{1.0, interval_method::wilson}),
               invalid_argument);
  EXPECT_THROW((void)proportion(unit_totals(2), unit_totals(4), proportion_options{0.95, interval_method::t}),
               invalid_argument);
}

}  // namespace
