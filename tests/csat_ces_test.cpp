// CSAT and CES: top-box / easy shares, means with t intervals (stats::mean_t)
// and the accumulators.
//
// Reference values come from base R (the expression is in the comment next to
// each value) or from hand arithmetic shown in the comment.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "cxmetrics/metrics/ces.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/rating.hpp"
#include "cxmetrics/stats/mean.hpp"

namespace {

using namespace cxm;

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

/// Counts on `s` with counts[i] responses on score s.min() + i.
score_counts histogram(scale s, const std::vector<std::uint64_t>& counts) {
  score_counts c(s);
  for (std::size_t i = 0; i < counts.size(); ++i) c.add_count(s.score_of(i), counts[i]);
  return c;
}

struct bounds {
  double lower, upper;
};

/// Intervals of every proportion method for one (x, n), from R:
///   wilson           prop.test(x, n, correct = FALSE)$conf.int
///   jeffreys         qbeta(c(.025,.975), x+.5, n-x+.5); lower is 0 at x = 0 and
///                    upper 1 at x = n (Brown, Cai & DasGupta 2001, §4.1.2)
///   clopper_pearson  binom.test(x, n)$conf.int
///   agresti_coull    z <- qnorm(.975); nt <- n+z^2; pt <- (x+z^2/2)/nt;
///                    pmin(pmax(pt + c(-1,1)*z*sqrt(pt*(1-pt)/nt), 0), 1)
///   wald             p <- x/n; pmin(pmax(p + c(-1,1)*z*sqrt(p*(1-p)/n), 0), 1)
struct method_refs {
  bounds wilson, jeffreys, clopper_pearson, agresti_coull, wald;
  [[nodiscard]] std::vector<std::pair<interval_method, bounds>> all() const {
    return {{interval_method::wilson, wilson},
            {interval_method::jeffreys, jeffreys},
            {interval_method::clopper_pearson, clopper_pearson},
            {interval_method::agresti_coull, agresti_coull},
            {interval_method::wald, wald}};
  }
};

// ------------------------------------------------------------- mean_t ---

TEST(MeanT, UnweightedMatchesStudentT) {
  // R: x <- rep(1:5, c(2,1,1,5,3)); mean(x); sd(x)/sqrt(12); t.test(x)$conf.int
  //    → 3.5, 0.417423554968361, 2.58125695004194 4.41874304995806
  //    t.test(x, conf.level = .9)$conf.int → 2.75035537466285 4.24964462533715
  const auto c = histogram(scale::csat(), {2, 1, 1, 5, 3});
  const auto m = stats::mean_t(c);
  ASSERT_TRUE(m.ok());
  EXPECT_NEAR(m.value(), 3.5, 1e-14);
  EXPECT_NEAR(m.se(), 0.417423554968361, 1e-13);
  EXPECT_NEAR(m.ci()->lower, 2.58125695004194, 1e-12);
  EXPECT_NEAR(m.ci()->upper, 4.41874304995806, 1e-12);
  EXPECT_EQ(m.ci()->method, interval_method::t);
  EXPECT_EQ(m.n(), 12u);
  const auto m90 = stats::mean_t(c, 0.90);
  EXPECT_NEAR(m90.ci()->lower, 2.75035537466285, 1e-12);
  EXPECT_NEAR(m90.ci()->upper, 4.24964462533715, 1e-12);
}

TEST(MeanT, EdgeCases) {
  // n = 0
  const auto none = stats::mean_t(score_counts(scale::csat()));
  EXPECT_EQ(none.state(), estimate::status::no_data);
  EXPECT_TRUE(std::isnan(none.value()));
  // n = 1: value but no interval
  const auto one = stats::mean_t(histogram(scale::csat(), {0, 0, 0, 1, 0}));
  EXPECT_EQ(one.state(), estimate::status::insufficient);
  EXPECT_EQ(one.value(), 4.0);
  EXPECT_NE(one.note().find("at least 2"), std::string::npos) << one.note();
  EXPECT_FALSE(one.ci().has_value());
  // n = 2: df = 1. R: t.test(c(4,5))$conf.int → -1.85310236808735 10.85310236808735
  const auto two = stats::mean_t(histogram(scale::csat(), {0, 0, 0, 1, 1}));
  EXPECT_NEAR(two.ci()->lower, -1.85310236808735, 1e-11);
  EXPECT_NEAR(two.ci()->upper, 10.85310236808735, 1e-11);
  // all equal: s = 0 → SE 0, zero-width interval, status ok
  const auto same = stats::mean_t(histogram(scale::ces(), {0, 0, 0, 0, 9, 0, 0}));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same.value(), 5.0);
  EXPECT_EQ(same.se(), 0.0);
  EXPECT_EQ(same.ci()->lower, 5.0);
  EXPECT_EQ(same.ci()->upper, 5.0);
}

TEST(MeanT, VeryLargeN) {
  // 5·10⁸ ones and 5·10⁸ fives: mean 3, s² = 4·n/(n − 1), SE = s/√n.
  // R: n <- 1e9; sqrt(4*n/(n-1))/sqrt(n) → 6.32455532349904e-05; qt(.975, n-1) → 1.95996398691233
  score_counts c(scale::csat());
  c.add_count(1, 500'000'000);
  c.add_count(5, 500'000'000);
  const auto m = stats::mean_t(c);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m.value(), 3.0);
  EXPECT_NEAR(m.se(), 6.32455532349904e-05, 1e-15);
  EXPECT_NEAR(m.ci()->upper - 3.0, 1.95996398691233 * 6.32455532349904e-05, 1e-14);
}

TEST(MeanT, WeightedMatchesPerResponseLinearisation) {
  // Scores 1..5 twice, weights 1,2,3 cycling. Second method in R, per response:
  //   x <- rep(1:5, 2); w <- rep(c(1,2,3), length.out = 10); m <- weighted.mean(x, w)
  //   V <- sum(w^2*(x-m)^2)/sum(w)^2; ne <- sum(w)^2/sum(w^2); se_k <- sqrt(V*ne/(ne-1))
  //   → m 2.947368421052631, se_k 0.484322770980631, ne 8.395348837209303
  // The SE is survey::svymean's, sqrt(V*n/(n-1)) with n = 10, and the t
  // interval has n − 1 = 9 degrees of freedom (qt(.975, 9) = 2.2621571627982):
  // V is recovered from se_k as se_k²·(ne − 1)/ne.
  score_counts c(scale::csat());
  const double w[] = {1, 2, 3};
  for (int i = 0; i < 10; ++i) c.add(i % 5 + 1, w[i % 3]);
  const auto m = stats::mean_t(c);
  ASSERT_TRUE(m.ok());
  EXPECT_NEAR(m.value(), 2.947368421052631, 1e-14);
  const double ne = 8.395348837209303;
  const double v = 0.484322770980631 * 0.484322770980631 * (ne - 1.0) / ne;
  const double se = std::sqrt(v * 10.0 / 9.0);
  EXPECT_NEAR(m.se(), se, 1e-13);
  EXPECT_NEAR(m.effective_n(), ne, 1e-12);
  EXPECT_NEAR(m.ci()->lower, 2.947368421052631 - 2.2621571627982 * se, 1e-10);
  EXPECT_NEAR(m.ci()->upper, 2.947368421052631 + 2.2621571627982 * se, 1e-10);
  EXPECT_EQ(m.n(), 10u);
}

TEST(MeanT, ConstantAndZeroWeights) {
  const auto plain = histogram(scale::csat(), {2, 1, 1, 5, 3});
  // Every weight 0.7: same value and SE as unweighted (the n/(n − 1) factor
  // turns the n-divisor linearisation into s/√n).
  score_counts scaled(scale::csat());
  for (int s = 1; s <= 5; ++s) {
    for (std::uint64_t k = 0; k < plain.count_of(s); ++k) scaled.add(s, 0.7);
  }
  const auto a = stats::mean_t(plain);
  const auto b = stats::mean_t(scaled);
  EXPECT_NEAR(b.value(), a.value(), 1e-13);
  EXPECT_NEAR(b.se(), a.se(), 1e-13);
  EXPECT_NEAR(b.ci()->lower, a.ci()->lower, 1e-10);
  EXPECT_NEAR(b.ci()->upper, a.ci()->upper, 1e-10);
  // Zero-weight responses (here on score 1) count in n, as in survey: the
  // value stays, the SE takes √((14/13)/(12/11)).
  score_counts mixed = scaled;
  mixed.add(1, 0.0);
  mixed.add(1, 0.0);
  const auto z = stats::mean_t(mixed);
  EXPECT_NEAR(z.value(), a.value(), 1e-13);
  EXPECT_NEAR(z.se(), a.se() * std::sqrt((14.0 / 13.0) / (12.0 / 11.0)), 1e-13);
  EXPECT_EQ(z.n(), 14u);
  // All weights zero → no_data; one positive weight → insufficient.
  score_counts zero(scale::csat());
  zero.add(3, 0.0);
  EXPECT_EQ(stats::mean_t(zero).state(), estimate::status::no_data);
  EXPECT_EQ(stats::mean_t(zero).note(), "all weights are zero");
  zero.add(4, 2.0);
  const auto single = stats::mean_t(zero);
  EXPECT_EQ(single.state(), estimate::status::insufficient);
  EXPECT_EQ(single.value(), 4.0);
}

TEST(MeanT, BadLevel) {
  const auto c = histogram(scale::csat(), {1, 1, 1, 1, 1});
  for (double level : {0.0, 1.0, nan_v, -1.0}) EXPECT_THROW((void)stats::mean_t(c, level), invalid_argument);
}

// --------------------------------------------------------------- CSAT ---

TEST(Csat, TopBoxShareEveryMethod) {
  // Sample: rep(1:5, c(2,1,1,5,3)); top-2-box 8/12, top-1-box 3/12.
  const auto c = histogram(scale::csat(), {2, 1, 1, 5, 3});
  const method_refs top2{{0.390622088872800, 0.861879908908787},
                         {0.387563896557623, 0.875462678547851},
                         {0.348875506418814, 0.900753908850417},
                         {0.388010965785954, 0.864491031995632},
                         {0.399949351313594, 0.933383982019739}};
  const method_refs top1{{0.0889416683940547, 0.5323053349335656},
                         {0.0759423289194849, 0.5291910836265508},
                         {0.0548606445279928, 0.5718584618781891},
                         {0.0827489133234792, 0.5384980900041412},
                         {0.0050045019324933, 0.4949954980675067}};
  for (const auto& [method, ref] : top2.all()) {
    csat_options o;
    o.share_method = method;
    const auto r = compute_csat(c, o);
    EXPECT_NEAR(r.satisfied.value(), 8.0 / 12.0, 1e-15);
    EXPECT_NEAR(r.satisfied.ci()->lower, ref.lower, 1e-10) << to_string(method);
    EXPECT_NEAR(r.satisfied.ci()->upper, ref.upper, 1e-10) << to_string(method);
    EXPECT_EQ(r.satisfied.ci()->method, method);
  }
  for (const auto& [method, ref] : top1.all()) {
    csat_options o;
    o.top_box = 1;
    o.share_method = method;
    const auto r = compute_csat(c, o);  // counts built with top-2 cut: the option decides
    EXPECT_NEAR(r.satisfied.value(), 0.25, 1e-15);
    EXPECT_NEAR(r.satisfied.ci()->lower, ref.lower, 1e-10) << to_string(method);
    EXPECT_NEAR(r.satisfied.ci()->upper, ref.upper, 1e-10) << to_string(method);
  }
  // The mean comes along (R: mean(x) = 3.5).
  EXPECT_NEAR(compute_csat(c).mean.value(), 3.5, 1e-14);

  // An accumulator keeps its top box in its scale and is asked the rest:
  // the same responses on scale::csat(1) give the top-1 references, and a
  // rating_accumulator on a custom 1..5 scale gives the same numbers for the
  // same cut (top box 4–5 / 5).
  csat_accumulator acc1(scale::csat(1));
  rating_accumulator r2(scale::custom(1, 5, 4, 2)), r1(scale::custom(1, 5, 5, 1));
  for (int score = 1; score <= 5; ++score) {
    for (std::uint64_t k = 0; k < c.count_of(score); ++k) {
      acc1.add(score);
      r1.add(score);
      r2.add(score);
    }
  }
  for (const auto& [method, ref] : top1.all()) {
    for (const auto& e : {acc1.result({0.95, method}).satisfied, r1.result({0.95, method}).top_box}) {
      EXPECT_NEAR(e.value(), 0.25, 1e-15);
      EXPECT_NEAR(e.ci()->lower, ref.lower, 1e-10) << to_string(method);
      EXPECT_NEAR(e.ci()->upper, ref.upper, 1e-10) << to_string(method);
    }
  }
  for (const auto& [method, ref] : top2.all()) {
    const auto e = r2.result({0.95, method}).top_box;
    EXPECT_NEAR(e.value(), 8.0 / 12.0, 1e-15);
    EXPECT_NEAR(e.ci()->lower, ref.lower, 1e-10) << to_string(method);
    EXPECT_NEAR(e.ci()->upper, ref.upper, 1e-10) << to_string(method);
  }
  EXPECT_NEAR(r2.result().mean.value(), 3.5, 1e-14);
  EXPECT_EQ(r2.result().mean, acc1.result().mean);
}

TEST(Csat, NoneAndAllSatisfiedEveryMethod) {
  // x = 0 and x = n = 12 (R expressions as in method_refs).
  const method_refs none{{0.0, 0.242494006655241},
                         {0.0, 1.85305938312485e-01},  // qbeta upper; lower 0 by convention
                         {0.0, 0.264648469397051},
                         {0.0, 0.281985321888164},
                         {0.0, 0.0}};
  const method_refs all{{0.757505993344759, 1.0},
                        {0.814694061687515, 1.0},  // qbeta lower; upper 1 by convention
                        {0.735351530602949, 1.0},
                        {0.718014678111836, 1.0},
                        {1.0, 1.0}};
  const auto lows = histogram(scale::csat(), {12, 0, 0, 0, 0});
  const auto highs = histogram(scale::csat(), {0, 0, 0, 4, 8});
  for (const auto& [method, ref] : none.all()) {
    csat_options o;
    o.share_method = method;
    const auto r = compute_csat(lows, o);
    EXPECT_EQ(r.satisfied.value(), 0.0);
    EXPECT_NEAR(r.satisfied.ci()->lower, ref.lower, 1e-10) << to_string(method);
    EXPECT_NEAR(r.satisfied.ci()->upper, ref.upper, 1e-10) << to_string(method);
  }
  for (const auto& [method, ref] : all.all()) {
    csat_options o;
    o.share_method = method;
    const auto r = compute_csat(highs, o);
    EXPECT_EQ(r.satisfied.value(), 1.0);
    EXPECT_NEAR(r.satisfied.ci()->lower, ref.lower, 1e-10) << to_string(method);
    EXPECT_NEAR(r.satisfied.ci()->upper, ref.upper, 1e-10) << to_string(method);
  }
}

TEST(Csat, EmptyAndSingle) {
  const auto r = compute_csat(score_counts(scale::csat()));
  EXPECT_EQ(r.satisfied.state(), estimate::status::no_data);
  EXPECT_EQ(r.mean.state(), estimate::status::no_data);
  csat_accumulator acc;
  acc.add(5);
  const auto one = acc.result();
  EXPECT_TRUE(one.satisfied.ok());
  EXPECT_EQ(one.satisfied.value(), 1.0);
  EXPECT_EQ(one.mean.state(), estimate::status::insufficient);
}

TEST(Csat, WeightedShareUsesEffectiveN) {
  // Weighted: p = Σw(4–5)/Σw; with every weight 3 it equals the unweighted
  // share and interval (ñ = n); its SE is the linearised one, √(n/(n − 1))
  // times the binomial SE, and the mean's SE the unweighted one.
  const auto plain = histogram(scale::csat(), {2, 1, 1, 5, 3});
  csat_accumulator acc;
  for (int s = 1; s <= 5; ++s) {
    for (std::uint64_t k = 0; k < plain.count_of(s); ++k) acc.add(s, 3.0);
  }
  const auto a = compute_csat(plain);
  const auto b = acc.result();
  EXPECT_NEAR(b.satisfied.value(), a.satisfied.value(), 1e-14);
  EXPECT_NEAR(b.satisfied.se(), a.satisfied.se() * std::sqrt(12.0 / 11.0), 1e-14);
  EXPECT_NEAR(b.satisfied.ci()->lower, a.satisfied.ci()->lower, 1e-12);
  EXPECT_NEAR(b.mean.se(), a.mean.se(), 1e-13);
}

std::vector<std::pair<int, double>> random_rows(int lo, int hi, std::size_t n, std::uint64_t seed) {
  boost::random::mt19937_64 rng(seed);
  boost::random::uniform_int_distribution<int> score(lo, hi);
  boost::random::uniform_int_distribution<int> quarter(0, 12);
  std::vector<std::pair<int, double>> rows;
  for (std::size_t i = 0; i < n; ++i) rows.emplace_back(score(rng), quarter(rng) / 4.0);  // dyadic weights
  return rows;
}

TEST(Csat, MergeEqualsConcatenationAndOrderIndependence) {
  const auto rows = random_rows(1, 5, 250, 11);
  for (bool weighted : {false, true}) {
    csat_accumulator all, left, right, reversed;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      auto& part = i < 100 ? left : right;
      const auto& [s, w] = rows[i];
      const auto& [rs, rw] = rows[rows.size() - 1 - i];
      if (weighted) {
        all.add(s, w);
        part.add(s, w);
        reversed.add(rs, rw);
      } else {
        all.add(s);
        part.add(s);
        reversed.add(rs);
      }
    }
    left.merge(right);
    EXPECT_EQ(left, all);
    EXPECT_EQ(left.result(), all.result());
    EXPECT_EQ(reversed.result(), all.result());
    EXPECT_EQ(all.count(), 250u);
  }
}

TEST(Csat, Errors) {
  csat_accumulator acc;
  try {
    acc.add(6, at_row(2, "csat"));
    FAIL() << "no exception";
  } catch (const score_out_of_scale& e) {
    EXPECT_NE(std::string(e.what()).find("score 6"), std::string::npos) << e.what();
  }
  EXPECT_THROW(acc.add(0), score_out_of_scale);
  EXPECT_THROW(acc.add(3, nan_v), invalid_weight);
  EXPECT_THROW(acc.add(3, -0.5), invalid_weight);
  EXPECT_THROW(acc.add(3, std::numeric_limits<double>::infinity()), invalid_weight);
  EXPECT_TRUE(acc.empty());

  csat_options bad;
  bad.top_box = 0;
  EXPECT_THROW((void)compute_csat(score_counts(scale::csat()), bad), invalid_argument);
  bad.top_box = 5;
  EXPECT_THROW((void)compute_csat(score_counts(scale::csat()), bad), invalid_argument);
  bad = csat_options{};
  bad.share_method = interval_method::t;
  EXPECT_THROW((void)compute_csat(score_counts(scale::csat()), bad), invalid_argument);
  // The accumulator takes the same check when asked (its top box is its own).
  EXPECT_THROW((void)acc.result({0.95, interval_method::t}), invalid_argument);
  EXPECT_THROW((void)acc.result({1.0, interval_method::wilson}), invalid_argument);
  EXPECT_THROW(csat_accumulator{scale::ces()}, invalid_argument);
  bad.share_method = interval_method::bootstrap;
  EXPECT_THROW((void)compute_csat(score_counts(scale::csat()), bad), invalid_argument);
  bad = csat_options{};
  bad.level = 1.0;
  EXPECT_THROW((void)compute_csat(score_counts(scale::csat()), bad), invalid_argument);
  EXPECT_THROW((void)compute_csat(score_counts(scale::nps())), invalid_argument);

  // The top box is part of the state: top-2 and top-1 states do not merge,
  // and the message names both cuts.
  csat_accumulator other(scale::csat(1));
  other.add(5);
  try {
    acc.merge(other);
    FAIL() << "no exception";
  } catch (const incompatible_merge& e) {
    EXPECT_NE(std::string(e.what()).find("the CSAT scale 1..5 (high from 5) into the CSAT scale 1..5 (high from 4)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(acc.empty());
}

// ---------------------------------------------------------------- CES ---

TEST(Ces, MeanAndEasyShare) {
  // Sample: rep(1:7, c(1,0,2,3,4,5,5)), n = 20.
  // R: mean(x) → 5.2; sd(x)/sqrt(20) → 0.367065174192899;
  //    t.test(x)$conf.int → 4.43172376087869 5.96827623912131
  const auto c = histogram(scale::ces(), {1, 0, 2, 3, 4, 5, 5});
  const auto r = compute_ces(c);
  ASSERT_TRUE(r.mean.ok());
  EXPECT_NEAR(r.mean.value(), 5.2, 1e-14);
  EXPECT_NEAR(r.mean.se(), 0.367065174192899, 1e-13);
  EXPECT_NEAR(r.mean.ci()->lower, 4.43172376087869, 1e-11);
  EXPECT_NEAR(r.mean.ci()->upper, 5.96827623912131, 1e-11);
  // easy (>= 5): 14/20; easy_min 6: 10/20.
  const method_refs easy5{{0.481027181646477, 0.854522755132396},
                          {0.482771751433028, 0.863883773412810},
                          {0.457210817723711, 0.881068409594272},
                          {0.478709192358045, 0.856840744420827},
                          {0.499163455473641, 0.900836544526359}};
  const method_refs easy6{{0.299298008198212, 0.700701991801788},
                          {0.293376484733194, 0.706623515266806},
                          {0.271957849560792, 0.728042150439208},
                          {0.299298008198212, 0.700701991801788},
                          {0.280869364855855, 0.719130635144145}};
  for (const auto& [method, ref] : easy5.all()) {
    ces_options o;
    o.share_method = method;
    const auto e = compute_ces(c, o).easy;
    EXPECT_NEAR(e.value(), 0.7, 1e-15);
    EXPECT_NEAR(e.ci()->lower, ref.lower, 1e-10) << to_string(method);
    EXPECT_NEAR(e.ci()->upper, ref.upper, 1e-10) << to_string(method);
  }
  for (const auto& [method, ref] : easy6.all()) {
    ces_options o;
    o.easy_min = 6;
    o.share_method = method;
    const auto e = compute_ces(c, o).easy;
    EXPECT_NEAR(e.value(), 0.5, 1e-15);
    EXPECT_NEAR(e.ci()->lower, ref.lower, 1e-10) << to_string(method);
    EXPECT_NEAR(e.ci()->upper, ref.upper, 1e-10) << to_string(method);
  }
}

TEST(Ces, NoneAndAllEasyEveryMethod) {
  // x = 0 and x = n = 20 (R expressions as in method_refs).
  const method_refs none{{0.0, 0.161125158052819},
                         {0.0, 1.16638982904875e-01},
                         {0.0, 0.168433470983085},
                         {0.0, 0.189809560542489},
                         {0.0, 0.0}};
  const method_refs all{{0.838874841947181, 1.0},
                        {0.883361017095125, 1.0},
                        {0.831566529016915, 1.0},
                        {0.810190439457511, 1.0},
                        {1.0, 1.0}};
  const auto hard = histogram(scale::ces(), {10, 5, 5, 0, 0, 0, 0});
  const auto easy = histogram(scale::ces(), {0, 0, 0, 0, 5, 5, 10});
  for (const auto& [method, ref] : none.all()) {
    ces_options o;
    o.share_method = method;
    const auto e = compute_ces(hard, o).easy;
    EXPECT_EQ(e.value(), 0.0);
    EXPECT_NEAR(e.ci()->lower, ref.lower, 1e-10) << to_string(method);
    EXPECT_NEAR(e.ci()->upper, ref.upper, 1e-10) << to_string(method);
  }
  for (const auto& [method, ref] : all.all()) {
    ces_options o;
    o.share_method = method;
    const auto e = compute_ces(easy, o).easy;
    EXPECT_EQ(e.value(), 1.0);
    EXPECT_NEAR(e.ci()->lower, ref.lower, 1e-10) << to_string(method);
    EXPECT_NEAR(e.ci()->upper, ref.upper, 1e-10) << to_string(method);
  }
}

TEST(Ces, AccumulatorMergeOrderAndErrors) {
  const auto rows = random_rows(1, 7, 300, 23);
  for (bool weighted : {false, true}) {
    ces_accumulator all, left, right, reversed;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      auto& part = i < 120 ? left : right;
      const auto& [s, w] = rows[i];
      const auto& [rs, rw] = rows[rows.size() - 1 - i];
      if (weighted) {
        all.add(s, w);
        part.add(s, w);
        reversed.add(rs, rw);
      } else {
        all.add(s);
        part.add(s);
        reversed.add(rs);
      }
    }
    left.merge(right);
    EXPECT_EQ(left, all);
    EXPECT_EQ(left.result(), all.result());
    EXPECT_EQ(reversed.result(), all.result());
  }
  ces_accumulator acc;
  EXPECT_TRUE(acc.empty());
  EXPECT_EQ(acc.result().mean.state(), estimate::status::no_data);
  EXPECT_EQ(acc.result().easy.state(), estimate::status::no_data);
  try {
    acc.add(8);
    FAIL() << "no exception";
  } catch (const score_out_of_scale& e) {
    EXPECT_NE(std::string(e.what()).find("score 8"), std::string::npos) << e.what();
  }
  EXPECT_THROW(acc.add(4, -1.0), invalid_weight);
  ces_options o;
  o.easy_min = 1;
  EXPECT_THROW((void)compute_ces(score_counts(scale::ces()), o), invalid_argument);
  EXPECT_THROW(ces_accumulator{scale::csat()}, invalid_argument);
  ces_accumulator six(scale::ces(6));
  EXPECT_THROW(acc.merge(six), incompatible_merge);
  EXPECT_THROW(acc.add_counts(score_counts(scale::ces(6))), incompatible_merge);
  o = ces_options{};
  o.share_method = interval_method::adjusted_wald;
  EXPECT_THROW((void)compute_ces(score_counts(scale::ces()), o), invalid_argument);
  EXPECT_THROW((void)compute_ces(score_counts(scale::csat())), invalid_argument);
}

TEST(Ces, VeryLargeN) {
  // 10⁹ responses, half 7 and half 1: easy share ½ with SE √(¼/10⁹).
  score_counts c(scale::ces());
  c.add_count(1, 500'000'000);
  c.add_count(7, 500'000'000);
  const auto r = compute_ces(c);
  EXPECT_EQ(r.easy.value(), 0.5);
  EXPECT_NEAR(r.easy.se(), std::sqrt(0.25 / 1e9), 1e-18);
  EXPECT_EQ(r.mean.value(), 4.0);
  EXPECT_TRUE(std::isfinite(r.mean.ci()->lower));
}

}  // namespace
