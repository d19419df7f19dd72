// The journey states: experience scale, peak-end state, the summary across
// journeys, the memory models and touchpoint impact. Expected values are
// worked by hand in the comments, or computed by a second method written
// here (plain least squares per journey, not from the states' sums).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cxmetrics/core/hash.hpp"
#include "cxmetrics/engine/accumulator.hpp"
#include "cxmetrics/io/binary.hpp"
#include "cxmetrics/io/json.hpp"
#include "cxmetrics/journey/experience.hpp"
#include "cxmetrics/journey/journey_table.hpp"
#include "cxmetrics/journey/memory_models.hpp"
#include "cxmetrics/journey/peak_end.hpp"
#include "cxmetrics/journey/summary.hpp"
#include "cxmetrics/journey/touchpoints.hpp"
#include "cxmetrics/testing/merge_laws.hpp"

namespace {

using cxm::journey_event;
using cxm::peak_end_state;

static_assert(cxm::accumulator<peak_end_state>);
static_assert(cxm::accumulator<cxm::journey_summary>);
static_assert(cxm::accumulator<cxm::memory_model_state>);
static_assert(cxm::accumulator<cxm::touchpoint_impact>);

peak_end_state journey(const std::vector<journey_event>& events) {
  peak_end_state s;
  for (const auto& e : events) s.add(e);
  return s;
}

// --- experience scale -----------------------------------------------------------

TEST(ExperienceScale, MidpointMapsBothEndsToOne) {
  const cxm::experience_map ltr(cxm::scale::nps());  // 0..10, neutral 5
  EXPECT_DOUBLE_EQ(ltr(10), 1.0);
  EXPECT_DOUBLE_EQ(ltr(5), 0.0);
  EXPECT_DOUBLE_EQ(ltr(0), -1.0);
  EXPECT_DOUBLE_EQ(ltr(9), 0.8);  // (9 − 5) / (10 − 5)
  EXPECT_DOUBLE_EQ(ltr(2), -0.6);
  const cxm::experience_map csat(cxm::scale::csat());  // 1..5, neutral 3
  EXPECT_DOUBLE_EQ(csat(5), 1.0);
  EXPECT_DOUBLE_EQ(csat(2), -0.5);
  const cxm::experience_map ces(cxm::scale::ces());  // 1..7, neutral 4
  EXPECT_DOUBLE_EQ(ces(6), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(ces(1), -1.0);
}

TEST(ExperienceScale, DeclaredNeutralStretchesEachSide) {
  const cxm::experience_map ltr(cxm::scale::nps(), 7.0);
  EXPECT_DOUBLE_EQ(ltr(7), 0.0);
  EXPECT_DOUBLE_EQ(ltr(10), 1.0);
  EXPECT_DOUBLE_EQ(ltr(0), -1.0);
  EXPECT_DOUBLE_EQ(ltr(8), 1.0 / 3.0);   // (8 − 7) / (10 − 7)
  EXPECT_DOUBLE_EQ(ltr(6), -1.0 / 7.0);  // (6 − 7) / (7 − 0)
  EXPECT_THROW((void)cxm::experience_map(cxm::scale::nps(), 10.0), cxm::invalid_argument);
  EXPECT_THROW((void)cxm::experience_map(cxm::scale::nps(), 0.0), cxm::invalid_argument);
  EXPECT_THROW((void)cxm::experience_map(cxm::scale::nps(), NAN), cxm::invalid_argument);
  EXPECT_THROW((void)ltr(11), cxm::score_out_of_scale);
}

// --- peak-end state -------------------------------------------------------------

// A journey of five moments on a 1–5 scale: 4, 2, 5, 1, 3 at times 10..50,
// i.e. x = 0.5, −0.5, 1, −1, 0.
std::vector<journey_event> five() {
  return {{0.5, 10, 0, 1}, {-0.5, 20, 1, 2}, {1.0, 30, 2, 3}, {-1.0, 40, 3, 4}, {0.0, 50, 4, 5}};
}

TEST(PeakEnd, HandComputedJourney) {
  const auto s = journey(five());
  EXPECT_EQ(s.count(), 5u);
  EXPECT_EQ(s.best(), 1.0);
  EXPECT_EQ(s.worst(), -1.0);
  EXPECT_EQ(s.intense(), -1.0);  // |−1| = 1 ties the best: the negative moment counts
  EXPECT_EQ(s.end(), 0.0);
  EXPECT_EQ(s.mean(), 0.0);       // (0.5 − 0.5 + 1 − 1 + 0) / 5
  EXPECT_EQ(s.worst_tag(), 4u);
  EXPECT_EQ(s.end_tag(), 5u);
  EXPECT_EQ(s.end_time(), 50);
  // Default ½ intense + ½ end = −0.5; the plain mean says 0.
  EXPECT_DOUBLE_EQ(cxm::remembered(s), -0.5);
  // Trough and best with their own weights: 0.3·(−1) + 0.2·1 + 0.5·0 = −0.1.
  EXPECT_DOUBLE_EQ(cxm::remembered(s, {.intense = 0, .trough = 0.3, .best = 0.2, .end = 0.5, .mean = 0}), -0.1);
  // Best-only peak with the mean: 0.5·1 + 0.5·0 = 0.5.
  EXPECT_DOUBLE_EQ(cxm::remembered(s, {.intense = 0, .trough = 0, .best = 0.5, .end = 0, .mean = 0.5}), 0.5);
  // Trough and end: 0.5·(−1) + 0.5·0.
  EXPECT_DOUBLE_EQ(cxm::remembered(s, {.intense = 0, .trough = 0.5, .best = 0, .end = 0.5, .mean = 0}), -0.5);
}

TEST(PeakEnd, MostIntenseTakesTheSignOfTheLargerMagnitude) {
  EXPECT_EQ(journey({{0.5, 1}, {-0.25, 2}}).intense(), 0.5);
  EXPECT_EQ(journey({{0.25, 1}, {-0.5, 2}}).intense(), -0.5);
  EXPECT_EQ(journey({{-0.5, 1}, {-0.25, 2}}).intense(), -0.5);  // all negative: the lowest
  EXPECT_EQ(journey({{0.25, 1}, {0.5, 2}}).intense(), 0.5);     // all positive: the highest
}

TEST(PeakEnd, SingleEventIsItsOwnPeakEndAndMean) {
  const auto s = journey({{-0.5, 7, 3, 9}});
  EXPECT_EQ(s.intense(), -0.5);
  EXPECT_EQ(s.end(), -0.5);
  EXPECT_EQ(s.mean(), -0.5);
  EXPECT_EQ(s.best(), -0.5);
  EXPECT_DOUBLE_EQ(cxm::remembered(s), -0.5);
}

TEST(PeakEnd, EqualTimesEndAtTheLaterRow) {
  // Two events in the same second: the later input row is the end, in
  // whichever order they are added.
  const journey_event a{0.5, 100, 7, 1};
  const journey_event b{-0.5, 100, 8, 2};
  EXPECT_EQ(journey({a, b}).end(), -0.5);
  EXPECT_EQ(journey({b, a}).end(), -0.5);
  EXPECT_EQ(journey({b, a}).end_tag(), 2u);
}

TEST(PeakEnd, EqualLowsKeepTheEarliestThenTheSmallerTag) {
  EXPECT_EQ(journey({{-0.5, 30, 0, 7}, {-0.5, 20, 1, 8}}).worst_tag(), 8u);  // earlier time
  EXPECT_EQ(journey({{-0.5, 20, 0, 7}, {-0.5, 20, 1, 3}}).worst_tag(), 3u);  // same time: smaller tag
}

TEST(PeakEnd, MixedScalesMeetOnTheExperienceScale) {
  // CSAT 2 (1–5) → −0.5, CES 7 (1–7) → 1, a 0–10 score 2 → −0.6 at the end.
  const cxm::experience_map csat(cxm::scale::csat()), ces(cxm::scale::ces()), ltr(cxm::scale::nps());
  const auto s = journey({{csat(2), 1, 0}, {ces(7), 2, 1}, {ltr(2), 3, 2}});
  EXPECT_EQ(s.intense(), 1.0);
  EXPECT_NEAR(s.end(), -0.6, 1e-7);  // single precision
  EXPECT_NEAR(s.mean(), (-0.5 + 1.0 - 0.6) / 3.0, 1e-15);
  EXPECT_NEAR(cxm::remembered(s), 0.5 * 1.0 + 0.5 * -0.6, 1e-7);
}

TEST(PeakEnd, AnyOrderAndAnySplitGiveTheSameState) {
  auto events = five();
  const auto whole = journey(events);
  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.order < b.order; });
  do {
    EXPECT_EQ(journey(events), whole);
    for (std::size_t k = 0; k <= events.size(); ++k) {
      auto left = journey({events.begin(), events.begin() + static_cast<std::ptrdiff_t>(k)});
      left.merge(journey({events.begin() + static_cast<std::ptrdiff_t>(k), events.end()}));
      EXPECT_EQ(left, whole) << "split at " << k;
    }
  } while (std::next_permutation(events.begin(), events.end(),
                                 [](const auto& a, const auto& b) { return a.order < b.order; }));
}

TEST(PeakEnd, MergeLaws) {
  std::mt19937_64 rng(5);
  std::vector<journey_event> events;
  for (std::uint64_t i = 0; i < 40; ++i) {
    const int s = static_cast<int>(rng() % 5);  // 1–5 scale: x in steps of ½, sums exact
    events.push_back({(s - 2) / 2.0, static_cast<std::int64_t>(rng() % 10), i, static_cast<std::uint32_t>(rng() % 4)});
  }
  const auto report = cxm::testing::check_merge_laws([] { return peak_end_state{}; },
                                                     [](peak_end_state& a, const journey_event& e, std::size_t) { a.add(e); },
                                                     events);
  EXPECT_TRUE(report) << report.message();
}

TEST(PeakEnd, OutcomeIsKeptOnceAndConflictsAreRefused) {
  peak_end_state a;
  a.set_outcome(9);
  a.set_outcome(9);
  EXPECT_THROW(a.set_outcome(3), cxm::incompatible_merge);
  EXPECT_EQ(a.outcome(), 9);
  EXPECT_TRUE(a.empty());  // an outcome is not an event
  a.add({0.5, 1});
  peak_end_state b;
  b.add({-0.5, 2});
  b.merge(a);
  EXPECT_EQ(b.outcome(), 9);
  peak_end_state c;
  c.set_outcome(2);
  const auto before = b;
  EXPECT_THROW(b.merge(c), cxm::incompatible_merge);
  EXPECT_EQ(b, before);
}

TEST(PeakEnd, BadEventsChangeNothing) {
  auto s = journey(five());
  const auto before = s;
  EXPECT_THROW(s.add({1.5, 1}), cxm::invalid_argument);
  EXPECT_THROW(s.add({NAN, 1}), cxm::invalid_argument);
  EXPECT_THROW(s.add({0.0, 1, 0, 0, -1.0}), cxm::invalid_argument);
  EXPECT_EQ(s, before);
  EXPECT_THROW((void)cxm::remembered(peak_end_state{}), cxm::invalid_argument);
  EXPECT_THROW((void)cxm::remembered(s, {0, 0, 0, 0, 0}), cxm::invalid_argument);
}

TEST(PeakEnd, BothSerialFormsRoundTripAndRejectImpossibleStates) {
  auto s = journey(five());
  s.set_outcome(4);
  EXPECT_EQ(cxm::deserialize<peak_end_state>(cxm::serialize(s)), s);
  const nlohmann::json j = s;
  EXPECT_EQ(j.get<peak_end_state>(), s);
  EXPECT_EQ(j.at("worst").get<double>(), -1.0);
  auto bad = j;
  bad["best"] = -0.75;  // below end
  EXPECT_THROW((void)bad.get<peak_end_state>(), cxm::serialization_error);
  bad = j;
  bad["sum"] = 9.0;  // above count·best
  EXPECT_THROW((void)bad.get<peak_end_state>(), cxm::serialization_error);
  EXPECT_EQ(sizeof(peak_end_state), 64u);
}

// --- summary across journeys ---------------------------------------------------

TEST(JourneySummary, HandComputed) {
  // Journey A: x 0.5, 0.5, −1 (ends badly): intense −1, end −1 → remembered −1, mean 0.
  // Journey B: x 1, 0.5 → intense 1, end 0.5 → 0.75, mean 0.75.
  // Journey C: x 0.5, −1, 0.5, 0.5, 0.5 → intense −1, end 0.5 → −0.25, mean 0.2: disagrees.
  const auto a = journey({{0.5, 1, 0}, {0.5, 2, 1}, {-1.0, 3, 2}});
  const auto b = journey({{1.0, 1, 0}, {0.5, 2, 1}});
  const auto c = journey({{0.5, 1, 0}, {-1.0, 2, 1}, {0.5, 3, 2}, {0.5, 4, 3}, {0.5, 5, 4}});
  cxm::journey_summary s;
  s.add(a);
  s.add(b);
  s.add(c);
  s.add(peak_end_state{});  // no events: not counted
  const auto r = s.result();
  EXPECT_EQ(r.journeys, 3u);
  EXPECT_NEAR(r.remembered.value(), (-1.0 + 0.75 - 0.25) / 3.0, 1e-15);
  EXPECT_NEAR(r.mean.value(), (0.0 + 0.75 + 0.2) / 3.0, 1e-15);
  // t interval: sd of (−1, 0.75, −0.25) = √(Σ(x − x̄)²/2); x̄ = −1/6.
  const double m = -1.0 / 6.0;
  const double sd = std::sqrt(((-1 - m) * (-1 - m) + (0.75 - m) * (0.75 - m) + (-0.25 - m) * (-0.25 - m)) / 2.0);
  const double half = 4.302652729911275 * sd / std::sqrt(3.0);  // t(0.975, 2) = 4.30265…
  EXPECT_NEAR(r.remembered.ci()->lower, m - half, 1e-9);
  EXPECT_NEAR(r.remembered.ci()->upper, m + half, 1e-9);
  // Disagreement: C only (A's mean is 0: no sign). Wilson for 1 of 3.
  EXPECT_EQ(s.disagreeing(), 1u);
  EXPECT_NEAR(r.disagreement.value(), 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(r.disagreement.ci()->lower, 0.0614919, 1e-6);  // Wilson(1, 3), z = 1.95996
  EXPECT_NEAR(r.disagreement.ci()->upper, 0.7923404, 1e-6);
  // Histogram: −1 → bin 0, −0.25 → bin 7 ([−0.3, −0.2)), 0.75 → bin 17.
  EXPECT_EQ(r.histogram[0], 1u);
  EXPECT_EQ(r.histogram[7], 1u);
  EXPECT_EQ(r.histogram[17], 1u);
  EXPECT_EQ(std::accumulate(r.histogram.begin(), r.histogram.end(), std::uint64_t{0}), 3u);
}

TEST(JourneySummary, MergesExactlyAndRefusesOtherWeights) {
  std::mt19937_64 rng(3);
  std::vector<peak_end_state> js;
  for (int j = 0; j < 30; ++j) {
    peak_end_state s;
    const auto n = 1 + rng() % 5;
    for (std::uint64_t i = 0; i < n; ++i) s.add({(static_cast<int>(rng() % 5) - 2) / 2.0, static_cast<std::int64_t>(i), i});
    js.push_back(s);
  }
  cxm::journey_summary whole, left, right;
  for (std::size_t i = 0; i < js.size(); ++i) {
    whole.add(js[i]);
    (i < 11 ? left : right).add(js[i]);
  }
  left.merge(right);
  EXPECT_EQ(left.count(), whole.count());
  EXPECT_EQ(left.disagreeing(), whole.disagreeing());
  EXPECT_NEAR(left.result().remembered.value(), whole.result().remembered.value(), 1e-14);
  EXPECT_NEAR(left.result().remembered.se(), whole.result().remembered.se(), 1e-14);
  EXPECT_EQ(left.result().histogram, whole.result().histogram);
  cxm::journey_summary other({.intense = 0, .trough = 0.5, .best = 0, .end = 0.5, .mean = 0});
  EXPECT_THROW(left.merge(other), cxm::incompatible_merge);
}

// --- memory models ---------------------------------------------------------------

struct simulated {
  std::vector<peak_end_state> journeys;
  std::vector<std::uint64_t> hashes;
};

// Journeys of 2–8 moments on the 1–5 scale; outcome 0–10 from `truth`
// (a function of the state) plus normal noise, rounded and clamped.
template <class Truth>
simulated simulate(std::uint64_t seed, std::size_t n, Truth truth, double noise) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> eps(0.0, noise);
  simulated out;
  for (std::size_t j = 0; j < n; ++j) {
    peak_end_state s;
    const auto len = 2 + rng() % 7;
    for (std::uint64_t i = 0; i < len; ++i) {
      s.add({(static_cast<int>(rng() % 5) - 2) / 2.0, static_cast<std::int64_t>(i), i});
    }
    const double y = std::round(truth(s) + eps(rng));
    s.set_outcome(static_cast<int>(std::clamp(y, 0.0, 10.0)));
    out.journeys.push_back(s);
    out.hashes.push_back(cxm::hash_text(std::to_string(j)));
  }
  return out;
}

cxm::memory_model_state state_of(const simulated& d, std::uint64_t seed = 1) {
  cxm::memory_model_state st(seed);
  for (std::size_t i = 0; i < d.journeys.size(); ++i) st.add(d.journeys[i], d.hashes[i]);
  return st;
}

const cxm::memory_model_fit& model(const cxm::memory_model_report& r, const std::string& name) {
  for (const auto& m : r.models) {
    if (m.name == name) return m;
  }
  throw std::runtime_error("no model " + name);
}

// Simple regression y ~ a + b·x by the textbook closed form, on the rows
// `use`, scored on the rows `score`: the second method for every number.
struct line {
  double a, b;
};
line fit_line(const std::vector<double>& x, const std::vector<double>& y, const std::vector<bool>& use) {
  double n = 0, sx = 0, sy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!use[i]) continue;
    n += 1;
    sx += x[i];
    sy += y[i];
  }
  const double mx = sx / n, my = sy / n;
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!use[i]) continue;
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  const double b = sxy / sxx;
  return {my - b * mx, b};
}

TEST(MemoryModels, SingleTermModelsMatchTheClosedFormAndItsFolds) {
  const auto d = simulate(21, 400, [](const peak_end_state& s) { return 5.0 + 3.0 * s.end(); }, 1.5);
  const auto st = state_of(d);
  const auto rep = cxm::compare_memory_models(st);
  ASSERT_EQ(rep.n, 400u);
  std::vector<double> x, y;
  std::vector<std::size_t> fold;
  for (std::size_t i = 0; i < d.journeys.size(); ++i) {
    x.push_back(d.journeys[i].end());
    y.push_back(d.journeys[i].outcome());
    fold.push_back(st.fold_of(d.hashes[i]));
  }
  const std::vector<bool> all(x.size(), true);
  const line l = fit_line(x, y, all);
  double sse = 0, sst = 0;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    sse += std::pow(y[i] - l.a - l.b * x[i], 2);
    sst += std::pow(y[i] - my, 2);
  }
  double cv = 0;
  for (std::size_t k = 0; k < 10; ++k) {
    std::vector<bool> train(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) train[i] = fold[i] != k;
    const line lk = fit_line(x, y, train);
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!train[i]) cv += std::pow(y[i] - lk.a - lk.b * x[i], 2);
    }
  }
  const auto& end = model(rep, "end");
  ASSERT_TRUE(end.fitted);
  EXPECT_NEAR(end.terms[0].coef.value(), l.a, 1e-9);
  EXPECT_NEAR(end.terms[1].coef.value(), l.b, 1e-9);
  EXPECT_NEAR(end.r2, 1.0 - sse / sst, 1e-9);
  EXPECT_NEAR(end.rmse, std::sqrt(sse / 400.0), 1e-9);
  EXPECT_NEAR(end.cv_rmse, std::sqrt(cv / 400.0), 1e-9);
  // The slope's SE by the textbook formula: s / √Sxx, s² = SSE / (n − 2).
  double sxx = 0;
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / 400.0;
  for (const double v : x) sxx += (v - mx) * (v - mx);
  EXPECT_NEAR(end.terms[1].coef.se(), std::sqrt(sse / 398.0) / std::sqrt(sxx), 1e-9);
  EXPECT_EQ(rep.best, "end") << "the outcomes follow the end only";
}

TEST(MemoryModels, PeakEndProcessIsRecoveredAndBeatsTheMean) {
  // outcome = 5 + 2·intense + 2·end + noise: the fitted weights recover 2, 2
  // and 0 on the mean within their 95 % intervals, and peak-end beats the
  // mean out of sample.
  const auto d = simulate(7, 3000, [](const peak_end_state& s) { return 5.0 + 2.0 * s.intense() + 2.0 * s.end(); }, 1.0);
  const auto rep = cxm::compare_memory_models(state_of(d));
  const auto& fitted = model(rep, "fitted");
  ASSERT_TRUE(fitted.fitted) << fitted.note;
  ASSERT_EQ(fitted.terms.size(), 4u);  // intercept, peak, end, mean
  EXPECT_EQ(fitted.terms[1].name, "peak");
  // Rounding to whole points and clamping at 0 and 10 bias the slopes a
  // little; the true values must still lie in the intervals.
  EXPECT_TRUE(fitted.terms[1].coef.ci()->contains(2.0)) << fitted.terms[1].coef.value();
  EXPECT_TRUE(fitted.terms[2].coef.ci()->contains(2.0)) << fitted.terms[2].coef.value();
  EXPECT_TRUE(fitted.terms[3].coef.ci()->contains(0.0)) << fitted.terms[3].coef.value();
  EXPECT_LT(model(rep, "peak_end").cv_rmse, model(rep, "mean").cv_rmse);
  EXPECT_GT(model(rep, "peak_end").r2, model(rep, "mean").r2);
}

TEST(MemoryModels, MeanProcessMakesTheMeanWin) {
  const auto d = simulate(8, 3000, [](const peak_end_state& s) { return 5.0 + 4.0 * s.mean(); }, 1.0);
  const auto rep = cxm::compare_memory_models(state_of(d));
  EXPECT_LT(model(rep, "mean").cv_rmse, model(rep, "peak_end").cv_rmse);
  EXPECT_LT(model(rep, "mean").cv_rmse, model(rep, "peak").cv_rmse);
  EXPECT_TRUE(model(rep, "fitted").terms[3].coef.ci()->contains(4.0));
}

TEST(MemoryModels, MergedShardsGiveTheWholeAndFoldsFollowTheJourney) {
  const auto d = simulate(9, 500, [](const peak_end_state& s) { return 6.0 + 3.0 * s.end(); }, 1.0);
  const auto whole = state_of(d);
  cxm::memory_model_state a, b;
  for (std::size_t i = 0; i < d.journeys.size(); ++i) (i % 3 == 0 ? a : b).add(d.journeys[i], d.hashes[i]);
  b.merge(a);
  const auto r1 = cxm::compare_memory_models(whole);
  const auto r2 = cxm::compare_memory_models(b);
  for (std::size_t m = 0; m < r1.models.size(); ++m) {
    EXPECT_NEAR(r1.models[m].cv_rmse, r2.models[m].cv_rmse, 1e-9);
    EXPECT_NEAR(r1.models[m].r2, r2.models[m].r2, 1e-9);
  }
  EXPECT_THROW(b.merge(cxm::memory_model_state(2)), cxm::incompatible_merge);
}

TEST(MemoryModels, CollinearPredictorsLeaveTheFreeModelUnfitted) {
  // Every journey one event: intense = end = mean.
  std::vector<peak_end_state> js;
  cxm::memory_model_state st;
  for (int j = 0; j < 50; ++j) {
    peak_end_state s;
    s.add({(j % 5 - 2) / 2.0, 0, 0});
    s.set_outcome(j % 11);
    st.add(s, static_cast<std::uint64_t>(j) * 7919);
  }
  const auto rep = cxm::compare_memory_models(st);
  EXPECT_FALSE(model(rep, "fitted").fitted);
  EXPECT_NE(model(rep, "fitted").note.find("collinear"), std::string::npos);
  EXPECT_TRUE(model(rep, "mean").fitted);
  EXPECT_TRUE(std::isfinite(model(rep, "mean").cv_rmse));
  // The user's own weights get their own row.
  const auto own = cxm::compare_memory_models(st, {.weights = {.intense = 0, .trough = 0.7, .best = 0, .end = 0.3, .mean = 0}});
  EXPECT_NO_THROW((void)model(own, "remembered"));
  EXPECT_THROW((void)model(rep, "remembered"), std::runtime_error);
}

// --- journeys in any order -----------------------------------------------------------

TEST(JourneyTable, AnyOrderEqualsSortedStreamingAndShardsMerge) {
  // 3000 journeys of 1–6 events; the events shuffled; keys spread over 64 bits.
  std::mt19937_64 rng(12);
  struct ev {
    std::uint64_t key;
    std::uint32_t number;
    journey_event e;
  };
  std::vector<ev> events;
  std::uint64_t row = 0;
  for (std::uint32_t j = 0; j < 3000; ++j) {
    const auto n = 1 + rng() % 6;
    for (std::uint64_t i = 0; i < n; ++i) {
      events.push_back({rng(), j, {(static_cast<int>(rng() % 5) - 2) / 2.0, static_cast<std::int64_t>(rng() % 5), row++,
                                   static_cast<std::uint32_t>(rng() % 3)}});
      events.back().key = cxm::hash_text("journey-" + std::to_string(j));
    }
  }
  // Sorted streaming: one state per journey, in input order (rows are
  // already grouped by journey here), the reference.
  std::vector<peak_end_state> streamed(3000);
  for (const auto& v : events) streamed[v.number].add(v.e);
  std::shuffle(events.begin(), events.end(), rng);
  cxm::journey_table table, left, right;
  cxm::dense_journeys dense(3000);
  for (std::size_t i = 0; i < events.size(); ++i) {
    table[events[i].key].add(events[i].e);
    dense[events[i].number].add(events[i].e);
    (i % 2 == 0 ? left : right)[events[i].key].add(events[i].e);
  }
  left.merge(right);
  // In bulk, with the pipeline's fetches ahead: the same states; and a batch
  // shorter than the pipeline.
  std::vector<std::uint64_t> keys;
  std::vector<std::uint32_t> numbers;
  std::vector<journey_event> evs;
  for (const auto& v : events) {
    keys.push_back(v.key);
    numbers.push_back(v.number);
    evs.push_back(v.e);
  }
  cxm::journey_table bulk;
  bulk.add(std::span(keys).first(3), std::span(evs).first(3));
  bulk.add(std::span(keys).subspan(3), std::span(evs).subspan(3));
  cxm::dense_journeys dense_bulk;
  dense_bulk.add(numbers, evs);
  EXPECT_THROW(bulk.add(std::span(keys).first(2), std::span(evs).first(3)), cxm::invalid_argument);
  // The column form, the order being the row: the same states as events
  // carrying that order; a bad x anywhere throws before anything is added.
  std::vector<std::int64_t> times;
  std::vector<double> xs;
  std::vector<std::uint32_t> tags;
  for (const auto& e : evs) {
    times.push_back(e.time);
    xs.push_back(e.x);
    tags.push_back(e.tag);
  }
  cxm::journey_table by_columns, by_position;
  by_columns.add(keys, times, xs, 0, tags);
  for (std::size_t i = 0; i < evs.size(); ++i) by_position[keys[i]].add({evs[i].x, evs[i].time, i, evs[i].tag});
  auto bad = xs;
  bad[7] = 1.5;
  EXPECT_THROW(by_columns.add(keys, times, bad, 0, tags), cxm::invalid_argument);
  cxm::dense_journeys dense_columns;
  dense_columns.add(numbers, times, xs, 0, tags);
  ASSERT_EQ(bulk.size(), 3000u);
  ASSERT_EQ(table.size(), 3000u);
  ASSERT_EQ(left.size(), 3000u);
  ASSERT_EQ(dense.size(), 3000u);
  for (std::uint32_t j = 0; j < 3000; ++j) {
    const auto key = cxm::hash_text("journey-" + std::to_string(j));
    ASSERT_NE(table.find(key), nullptr);
    EXPECT_EQ(*table.find(key), streamed[j]) << j;
    EXPECT_EQ(*left.find(key), streamed[j]) << j;
    EXPECT_EQ(dense.states()[j], streamed[j]) << j;
    EXPECT_EQ(*bulk.find(key), streamed[j]) << j;
    EXPECT_EQ(dense_bulk.states()[j], streamed[j]) << j;
    EXPECT_EQ(*by_columns.find(key), *by_position.find(key)) << j;
    EXPECT_EQ(dense_columns.states()[j], *by_position.find(key)) << j;
  }
  EXPECT_EQ(table.find(cxm::hash_text("journey-3000")), nullptr);
  std::size_t seen = 0;
  table.for_each([&](std::uint64_t, const peak_end_state& s) { seen += s.count(); });
  EXPECT_EQ(seen, events.size());
  const cxm::journey_table copy = table;
  EXPECT_EQ(copy.size(), table.size());
  EXPECT_EQ(*copy.find(cxm::hash_text("journey-7")), streamed[7]);
  // Memory: 64-byte states, 8-byte keys in blocks of 4096, and the index.
  EXPECT_EQ(dense.memory_bytes(), 3000u * 64u);
  EXPECT_GE(table.memory_bytes(), 4096u * 72u);
}

// A bulk add of 2^16 events or more is staged by partition; every journey
// must still see its events in input order, so its state equals the one
// built event by event bit for bit (the mean's sum included), whether the
// journey is new or already held, whatever the stage size, and in the
// event form as in the column form.
TEST(JourneyTable, StagedBulkAddsEqualAddingEventByEvent) {
  std::mt19937_64 rng(11);
  constexpr std::size_t journeys = 5000;
  const std::size_t n = cxm::journey_table::stage_from + 14'000;
  std::vector<std::uint64_t> keys(n);
  std::vector<std::int64_t> times(n);
  std::vector<double> xs(n);
  std::vector<std::uint32_t> tags(n);
  std::vector<journey_event> evs(n);
  for (std::size_t i = 0; i < n; ++i) {
    keys[i] = cxm::hash_text("staged-" + std::to_string(rng() % journeys));
    times[i] = static_cast<std::int64_t>(rng() % 4);  // many ties in time
    xs[i] = static_cast<double>(rng() % 2001) / 1000.0 - 1.0;  // sums that depend on their order
    tags[i] = static_cast<std::uint32_t>(rng() % 3);
    evs[i] = {xs[i], times[i], 1000 + i, tags[i], static_cast<double>(rng() % 7)};
  }
  // The reference: event by event, and a first small batch (added through
  // the plain path) that the staged one then extends.
  cxm::journey_table one_by_one, one_by_one_events;
  for (std::size_t i = 0; i < n; ++i) {
    one_by_one[keys[i]].add({xs[i], times[i], 1000 + i, tags[i]});
    one_by_one_events[keys[i]].add(evs[i]);
  }
  constexpr std::size_t head = 700;
  for (const std::size_t stage : {std::size_t{1} << 25, std::size_t{4099}, std::size_t{1}}) {
    cxm::journey_table columns(stage), events(stage);
    columns.add(std::span(keys).first(head), std::span(times).first(head), std::span(xs).first(head), 1000,
                std::span(tags).first(head));
    columns.add(std::span(keys).subspan(head), std::span(times).subspan(head), std::span(xs).subspan(head),
                1000 + head, std::span(tags).subspan(head));
    events.add(keys, evs);
    ASSERT_EQ(columns.size(), one_by_one.size()) << stage;
    ASSERT_EQ(events.size(), one_by_one.size()) << stage;
    std::size_t checked = 0;
    one_by_one.for_each([&](std::uint64_t key, const peak_end_state& s) {
      ASSERT_NE(columns.find(key), nullptr);
      EXPECT_EQ(*columns.find(key), s) << stage;
      EXPECT_EQ(columns.find(key)->sum(), s.sum()) << stage;
      EXPECT_EQ(*events.find(key), *one_by_one_events.find(key)) << stage;
      ++checked;
    });
    EXPECT_EQ(checked, journeys) << stage;
  }
  EXPECT_EQ(one_by_one.find(cxm::hash_text("staged-" + std::to_string(journeys))), nullptr);
  EXPECT_THROW(cxm::journey_table(0), cxm::invalid_argument);
}

// The index: moved-from tables are empty and usable; every partition grows
// together, so the index stays within ¾ of the fullest partition.
TEST(JourneyTable, MovedFromTablesAreEmptyAndTheIndexStaysSmall) {
  cxm::journey_table t;
  for (std::uint64_t k = 0; k < 100'000; ++k) t[k].add({0.5, 1, k});
  cxm::journey_table u = std::move(t);
  EXPECT_EQ(u.size(), 100'000u);
  EXPECT_EQ(t.size(), 0u);  // NOLINT(bugprone-use-after-move): the documented state
  EXPECT_EQ(t.find(3), nullptr);
  t[3].add({0.5, 1, 0});
  EXPECT_EQ(t.size(), 1u);
  ASSERT_NE(u.find(99'999), nullptr);
  EXPECT_EQ(u.find(99'999)->count(), 1u);
  // 100,000 journeys in 256 partitions: about 391 each, the fullest some
  // 450, so 1024 slots per partition (450 > ¾ · 512): 2 MiB of slots. The
  // states and keys take 72 bytes each, in slabs of at most 2 MiB: at most
  // one slab of each is partly used.
  const std::size_t held = 100'000u * 72u, slots = 256u * 1024u * 8u, slack = 2u * (2u << 20) + 8192u;
  EXPECT_GE(u.memory_bytes(), held + slots);
  EXPECT_LE(u.memory_bytes(), held + slots + slack);
}

// --- touchpoint impact -------------------------------------------------------------

TEST(TouchpointImpact, HandComputedLift) {
  // Tags: 1 delivery, 2 support. Four journeys with outcomes:
  //   J1 worst at 1 (−1), ends at 2, outcome 3 (detractor)
  //   J2 worst at 1 (−0.5), ends at 1, outcome 5 (detractor)
  //   J3 worst at 2 (−0.5), ends at 2, outcome 9
  //   J4 no negative moment, ends at 1, outcome 10
  cxm::touchpoint_impact t;
  const auto add = [&](std::vector<journey_event> ev, int outcome) {
    auto s = journey(ev);
    s.set_outcome(outcome);
    for (const auto& e : ev) t.add_event(e.tag, e.x);
    t.add_journey(s);
  };
  add({{0.5, 1, 0, 2}, {-1.0, 2, 1, 1}, {0.0, 3, 2, 2}}, 3);
  add({{-0.5, 1, 0, 1}}, 5);
  add({{-0.5, 1, 0, 2}, {0.5, 2, 1, 2}}, 9);
  add({{0.5, 1, 0, 1}}, 10);
  const auto rows = t.result();
  ASSERT_EQ(rows.size(), 2u);
  const auto& delivery = rows[0];
  EXPECT_EQ(delivery.tag, 1u);
  EXPECT_EQ(delivery.events, 3u);
  EXPECT_NEAR(delivery.score.value(), (-1.0 - 0.5 + 0.5) / 3.0, 1e-15);
  EXPECT_EQ(delivery.peak.detractors, 2u);
  EXPECT_EQ(delivery.peak.journeys, 2u);
  EXPECT_DOUBLE_EQ(delivery.peak.share.value(), 1.0);  // both detractors' troughs
  EXPECT_DOUBLE_EQ(delivery.peak.base, 0.5);            // 2 of 4 journeys
  EXPECT_DOUBLE_EQ(delivery.peak.lift.value(), 2.0);
  EXPECT_DOUBLE_EQ(delivery.outcome_when_peak.value(), 4.0);  // (3 + 5) / 2
  // The lift's interval (cells full/empty: Haldane's ½): a = 2.5 of d = 3,
  // c = 0.5 of m = 3: q1 = 5/6, q0 = 1/6, w = ½, base ½; log lift = log(5/3);
  // g1 = 6/5 − 1 = 0.2, g0 = −1; Var = 0.04·(5/36)/3 + (5/36)/3.
  const double var = 0.04 * (5.0 / 36.0) / 3.0 + 1.0 * (5.0 / 36.0) / 3.0;
  EXPECT_NEAR(delivery.peak.lift.ci()->lower, std::exp(std::log(5.0 / 3.0) - 1.959963984540054 * std::sqrt(var)), 1e-9);
  // Its upper limit, exp(log(5/3) + 1.96·√Var) ≈ 3.5, is cut at the largest
  // lift possible, 1/w = 2.
  EXPECT_GT(std::exp(std::log(5.0 / 3.0) + 1.959963984540054 * std::sqrt(var)), 2.0);
  EXPECT_DOUBLE_EQ(delivery.peak.lift.ci()->upper, 2.0);
  // End: delivery ends J2 (detractor) and J4: share ½, base ½, lift 1.
  EXPECT_EQ(delivery.end.detractors, 1u);
  EXPECT_DOUBLE_EQ(delivery.end.lift.value(), 1.0);
  const auto& support = rows[1];
  EXPECT_EQ(support.peak.detractors, 0u);
  EXPECT_EQ(support.peak.journeys, 1u);
  EXPECT_DOUBLE_EQ(support.peak.lift.value(), 0.0);
  // Regrouped onto one place, the lift is 1 by construction.
  const std::vector<std::uint32_t> one{0, 0, 0};
  const auto g = t.regroup(one).result();
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].events, 7u);
  EXPECT_DOUBLE_EQ(g[0].end.lift.value(), 1.0);
}

TEST(TouchpointImpact, MergeLaws) {
  struct row {
    std::vector<journey_event> events;
    int outcome;
  };
  std::mt19937_64 rng(4);
  std::vector<row> rows;
  for (int j = 0; j < 30; ++j) {
    row r{{}, static_cast<int>(rng() % 11)};
    const auto n = 1 + rng() % 4;
    for (std::uint64_t i = 0; i < n; ++i) {
      r.events.push_back({(static_cast<int>(rng() % 5) - 2) / 2.0, static_cast<std::int64_t>(i), i,
                          static_cast<std::uint32_t>(rng() % 3)});
    }
    rows.push_back(r);
  }
  const auto report = cxm::testing::check_merge_laws(
      [] { return cxm::touchpoint_impact{}; },
      [](cxm::touchpoint_impact& t, const row& r, std::size_t) {
        auto s = journey(r.events);
        s.set_outcome(r.outcome);
        t.add_journey(s);
      },
      rows);
  EXPECT_TRUE(report) << report.message();
}

}  // namespace
