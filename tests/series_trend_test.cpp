// series<A> (periods, merge laws, empty periods, rolling windows, changes),
// the WLS and Theil–Sen/Mann–Kendall trends and the EWMA/CUSUM charts.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "cxmetrics/core/period.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/series/change.hpp"
#include "cxmetrics/series/series.hpp"
#include "cxmetrics/series/trend.hpp"
#include "cxmetrics/testing/merge_laws.hpp"

namespace {

using cxm::nps_accumulator;
using cxm::period;
using cxm::series;
using cxm::time_bucket;
using cxm::timestamp;
using cxm::trend_observation;

timestamp at(int y, unsigned m, unsigned d, int hour = 12) {
  using namespace std::chrono;
  return timestamp{sys_days{year{y} / month{m} / day{d}}.time_since_epoch() + hours{hour}};
}

const auto nps_of = [](const nps_accumulator& a) { return a.result().nps; };

struct timed_score {
  timestamp t;
  int score;
};

std::vector<timed_score> random_scores(std::size_t n, std::uint32_t seed, int months) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> score(0, 10), month(0, months - 1), day(1, 28), hour(0, 23);
  std::vector<timed_score> out;
  for (std::size_t i = 0; i < n; ++i) {
    const int m = month(rng);
    out.push_back({at(2024 + m / 12, static_cast<unsigned>(m % 12 + 1), static_cast<unsigned>(day(rng)), hour(rng)),
                   score(rng)});
  }
  return out;
}

TEST(Series, EmptyPeriodsArePresentAndMarked) {
  series<nps_accumulator> s(time_bucket::month);
  // January: 6 promoters, 2 passives, 2 detractors (NPS 40); March: one 10.
  for (int v : {9, 10, 9, 10, 9, 10, 7, 8, 3, 6}) s.add(at(2024, 1, 15), v);
  s.add(at(2024, 3, 2), 10);
  const auto pts = s.points(nps_of, 5);
  ASSERT_EQ(pts.size(), 3U);
  EXPECT_EQ(cxm::to_string(pts[0].at), "2024-01");
  EXPECT_EQ(cxm::to_string(pts[1].at), "2024-02");
  EXPECT_EQ(cxm::to_string(pts[2].at), "2024-03");
  EXPECT_FALSE(pts[0].empty);
  EXPECT_FALSE(pts[0].thin);
  EXPECT_DOUBLE_EQ(pts[0].value.value(), 40.0);  // 60 % − 20 %
  // Wald SE: 100·√((p+ + p− − (p+ − p−)²)/n) = 100·√((0.8 − 0.16)/10).
  EXPECT_NEAR(pts[0].value.se(), 100.0 * std::sqrt(0.064), 1e-9);
  EXPECT_EQ(pts[0].value.n(), 10U);
  EXPECT_TRUE(pts[1].empty);
  EXPECT_TRUE(pts[1].thin);
  EXPECT_FALSE(pts[1].value.has_value());
  EXPECT_FALSE(pts[2].empty);
  EXPECT_TRUE(pts[2].thin);  // n = 1 < 5
  EXPECT_EQ(s.count(), 11U);
  EXPECT_EQ(s.result().size(), 3U);
}

TEST(Series, OffsetMovesResponsesAcrossPeriods) {
  // 2024-01-31T23:30Z is February 1st at UTC+01:00.
  const timestamp t = at(2024, 1, 31, 23) + std::chrono::minutes{30};
  series<nps_accumulator> utc(time_bucket::month), east(time_bucket::month, std::chrono::hours{1});
  utc.add(t, 9);
  east.add(t, 9);
  EXPECT_EQ(cxm::to_string(*utc.first()), "2024-01");
  EXPECT_EQ(cxm::to_string(*east.first()), "2024-02");
}

TEST(Series, MergeLawsHold) {
  const auto rows = random_scores(400, 7, 8);
  for (const auto b : {time_bucket::day, time_bucket::iso_week, time_bucket::month, time_bucket::quarter}) {
    const auto report = cxm::testing::check_merge_laws(
        [b] { return series<nps_accumulator>(b, std::chrono::hours{-5}); },
        [](series<nps_accumulator>& s, const timed_score& r, std::size_t) { s.add(r.t, r.score); }, rows);
    EXPECT_TRUE(report) << cxm::to_string(b) << "\n" << report.message();
  }
}

TEST(Series, IncompatibleMergesThrowAndChangeNothing) {
  series<nps_accumulator> m(time_bucket::month), q(time_bucket::quarter), m2(time_bucket::month, std::chrono::hours{2});
  m.add(at(2024, 1, 1), 9);
  q.add(at(2024, 1, 1), 3);
  m2.add(at(2024, 1, 1), 3);
  const auto before = m;
  EXPECT_THROW(m.merge(q), cxm::incompatible_merge);
  EXPECT_THROW(m.merge(m2), cxm::incompatible_merge);
  EXPECT_EQ(m, before);
  // Another scale in the prototype: the states do not merge.
  series<cxm::score_histogram> h(time_bucket::month), h5(time_bucket::month, {},
                                                         cxm::score_histogram(cxm::scale::csat()));
  h.add(at(2024, 1, 1), 9);
  h5.add(at(2024, 1, 1), 5);
  const auto h_before = h;
  EXPECT_THROW(h.merge(h5), cxm::incompatible_merge);
  EXPECT_EQ(h, h_before);
  // An add that throws (score off the scale) changes nothing.
  EXPECT_THROW(m.add(at(2024, 1, 1), 11), cxm::error);
  EXPECT_THROW(m.add(at(2024, 5, 1), 11), cxm::error);
  EXPECT_EQ(m, before);
  EXPECT_EQ(*m.last(), *before.last());
}

TEST(Series, RollingWindowIsTheAccumulatorOfTheWindowsResponses) {
  const auto rows = random_scores(3000, 11, 14);
  series<nps_accumulator> s(time_bucket::month);
  for (const auto& r : rows) s.add(r.t, r.score);
  for (const std::size_t k : {1U, 3U, 6U}) {
    const auto roll = s.rolling(nps_of, k);
    ASSERT_EQ(roll.size(), 14U);
    for (const auto& p : roll) {
      // The raw responses whose month lies in (end − k, end].
      nps_accumulator direct;
      for (const auto& r : rows) {
        const auto idx = cxm::period_of(r.t, time_bucket::month).index;
        if (idx <= p.at.index && idx > p.at.index - static_cast<std::int32_t>(k)) direct.add(r.score);
      }
      EXPECT_EQ(s.window(p.at, k), direct);
      EXPECT_DOUBLE_EQ(p.value.value(), direct.result().nps.value());
      EXPECT_EQ(p.value.n(), direct.count());
    }
  }
}

TEST(Series, WindowsAndYearOverYearSpanEmptyPeriods) {
  series<nps_accumulator> s(time_bucket::month);
  s.add(at(2024, 1, 5), 10);
  s.add(at(2024, 3, 5), 0);
  s.add(at(2025, 1, 5), 9);
  const period mar = s.period_at(at(2024, 3, 5));
  nps_accumulator jan_mar;
  jan_mar.add(10);
  jan_mar.add(0);
  nps_accumulator only_mar;
  only_mar.add(0);
  EXPECT_EQ(s.window(mar, 2), only_mar);  // February is empty
  EXPECT_EQ(s.window(mar, 3), jan_mar);
  EXPECT_THROW((void)s.window(mar, 0), cxm::invalid_argument);
  EXPECT_THROW((void)s.window(period{time_bucket::quarter, 216}, 1), cxm::invalid_argument);
  const auto yoy = s.changes(cxm::compare_nps_states{}, s.year_lag());
  ASSERT_EQ(yoy.size(), 1U);  // 2025-01 against 2024-01; the 11 months between are empty
  EXPECT_EQ(cxm::to_string(yoy[0].at), "2025-01");
  EXPECT_EQ(cxm::to_string(yoy[0].previous), "2024-01");
  EXPECT_DOUBLE_EQ(yoy[0].change.difference.value(), 0.0);  // 100 − 100
  EXPECT_EQ(s.points(nps_of).size(), 13U);
  const auto roll = s.rolling(nps_of, 3);
  EXPECT_EQ(roll[2].periods, 3U);
  EXPECT_EQ(roll[0].periods, 1U);
  EXPECT_TRUE(roll[5].empty);  // 2024-04..06: nothing
}

TEST(Series, ChangesUseTheTwoSampleTest) {
  series<nps_accumulator> s(time_bucket::month);
  for (int v : {9, 10, 9, 10, 9, 10, 7, 8, 3, 6}) s.add(at(2024, 1, 10), v);  // NPS 40
  for (int v : {9, 10, 9, 7, 8, 7, 8, 1, 2, 6}) s.add(at(2024, 2, 10), v);    // 3 pro, 4 pas, 3 det: NPS 0
  const auto ch = s.changes(cxm::compare_nps_states{}, 1);
  ASSERT_EQ(ch.size(), 1U);
  EXPECT_EQ(cxm::to_string(ch[0].at), "2024-02");
  EXPECT_EQ(cxm::to_string(ch[0].previous), "2024-01");
  // Wald: d = 0 − 40; SE = 100·√(0.064 + 0.06) = 35.2136; z = −1.13592;
  // R: 2*pnorm(-40/(100*sqrt(0.124))) = 0.2559885117.
  EXPECT_NEAR(ch[0].change.difference.value(), -40.0, 1e-12);
  EXPECT_NEAR(ch[0].change.difference.se(), 100.0 * std::sqrt(0.124), 1e-9);
  EXPECT_NEAR(ch[0].change.p_value, 0.2559885117, 1e-9);
  EXPECT_EQ(s.year_lag(), 12U);
  EXPECT_TRUE(s.changes(cxm::compare_nps_states{}, s.year_lag()).empty());

  // Shares: CSAT top box by compare_estimates.
  series<cxm::csat_accumulator> c(time_bucket::quarter);
  for (int v : {5, 4, 4, 2}) c.add(at(2024, 1, 10), v);
  for (int v : {5, 5, 4, 4}) c.add(at(2024, 4, 10), v);
  const auto share = [](const cxm::csat_accumulator& a) { return a.result().satisfied; };
  const auto cc = c.changes(cxm::compare_by_estimate(share), 1);
  ASSERT_EQ(cc.size(), 1U);
  EXPECT_NEAR(cc[0].change.difference.value(), 0.25, 1e-12);
}

// ---- trend ------------------------------------------------------------------

const std::vector<trend_observation> wls_data = {{0, 10, 2}, {1, 12, 1}, {2, 11, 2}, {3, 15, 1}, {4, 16, 2}};

TEST(Trend, WlsMatchesClosedFormAndR) {
  // Closed form: with w = 1/se², t̄ = Σwt/Σw, ȳ = Σwy/Σw,
  //   b = Σw(t − t̄)(y − ȳ) / Σw(t − t̄)², Var_known(b) = 1/Σw(t − t̄)²,
  //   σ̂² = Σw(y − a − bt)²/(m − 2), Var_lm(b) = σ̂²·Var_known(b).
  double sw = 0, swt = 0, swy = 0;
  for (const auto& o : wls_data) {
    const double w = 1 / (o.se * o.se);
    sw += w;
    swt += w * o.t;
    swy += w * o.value;
  }
  const double tb = swt / sw, yb = swy / sw;
  double sxx = 0, sxy = 0;
  for (const auto& o : wls_data) {
    const double w = 1 / (o.se * o.se);
    sxx += w * (o.t - tb) * (o.t - tb);
    sxy += w * (o.t - tb) * (o.value - yb);
  }
  const double b = sxy / sxx, a = yb - b * tb;
  double rss = 0;
  for (const auto& o : wls_data) rss += (o.value - a - b * o.t) * (o.value - a - b * o.t) / (o.se * o.se);
  const double s2 = rss / 3.0;

  const auto fit = cxm::fit_wls_trend(wls_data);
  EXPECT_NEAR(fit.slope.value(), b, 1e-12);
  EXPECT_NEAR(fit.intercept, a, 1e-12);
  EXPECT_NEAR(fit.residual_variance, s2, 1e-12);
  EXPECT_NEAR(fit.slope.se(), std::sqrt(s2 / sxx), 1e-12);
  EXPECT_TRUE(fit.residual_scaled);
  // R: summary(lm(y ~ t, weights = 1/se^2)) with t = 0:4,
  // y = c(10,12,11,15,16), se = c(2,1,2,1,2): slope 1.5, SE 0.342672208421,
  // p 0.02206547599633, confint 0.409464096387 .. 2.59053590361,
  // sigma^2 0.469696969697.
  EXPECT_NEAR(fit.slope.value(), 1.5, 1e-12);
  EXPECT_NEAR(fit.slope.se(), 0.342672208421, 1e-10);
  EXPECT_NEAR(fit.p_value, 0.02206547599633, 1e-9);
  EXPECT_NEAR(fit.slope.ci()->lower, 0.409464096387, 1e-8);
  EXPECT_NEAR(fit.slope.ci()->upper, 2.59053590361, 1e-8);
  EXPECT_NEAR(fit.residual_variance, 0.469696969697, 1e-10);
  EXPECT_DOUBLE_EQ(fit.df, 3.0);

  cxm::wls_options known;
  known.variance = cxm::trend_variance::known;
  const auto k = cxm::fit_wls_trend(wls_data, known);
  EXPECT_NEAR(k.slope.se(), 1 / std::sqrt(sxx), 1e-12);  // 0.5 here
  EXPECT_NEAR(k.slope.se(), 0.5, 1e-12);
  EXPECT_FALSE(k.residual_scaled);
  EXPECT_NEAR(k.p_value, 2 * 0.5 * std::erfc(3.0 / std::sqrt(2.0)), 1e-12);  // z = 1.5/0.5 = 3
}

TEST(Trend, WlsEdgeCases) {
  EXPECT_FALSE(cxm::fit_wls_trend(std::vector<trend_observation>{}).slope.has_value());
  const std::vector<trend_observation> two = {{0, 1, 1}, {1, 3, 1}};
  const auto f = cxm::fit_wls_trend(two);
  EXPECT_EQ(f.slope.state(), cxm::estimate::status::insufficient);
  EXPECT_DOUBLE_EQ(f.slope.value(), 2.0);
  // Points without an SE carry no weight and are skipped.
  std::vector<trend_observation> with_zero = wls_data;
  with_zero.push_back({5, 100, 0});
  EXPECT_NEAR(cxm::fit_wls_trend(with_zero).slope.value(), 1.5, 1e-12);
}

TEST(Trend, TheilSenAndMannKendallByHand) {
  // y = 1, 3, 2, 5, 5, 4 at t = 0..5.
  // Pairs (i<j) sgn(y_j − y_i): from 1: +5; from 3: −1 +1 +1 +1 = 2; from 2:
  // +3; from 5: 0 −1; from 5: −1 → S = 5 + 2 + 3 − 1 − 1 = 8.
  // Ties: one group of two (the 5s): Var(S) = (6·5·17 − 2·1·9)/18 = 492/18.
  // Z = (8 − 1)/√(492/18) = 1.338914; R cor.test(0:5, y, method = "kendall",
  // exact = FALSE, continuity = TRUE): z = 1.3389, p-value = 0.1806.
  const std::vector<trend_observation> y = {{0, 1, 1}, {1, 3, 1}, {2, 2, 1}, {3, 5, 1}, {4, 5, 1}, {5, 4, 1}};
  const auto ts = cxm::theil_sen_trend(y);
  EXPECT_DOUBLE_EQ(ts.test.s, 8.0);
  EXPECT_NEAR(ts.test.variance, 492.0 / 18.0, 1e-12);
  EXPECT_NEAR(ts.test.z, 7.0 / std::sqrt(492.0 / 18.0), 1e-12);
  EXPECT_NEAR(ts.test.z, 1.3389, 5e-5);
  EXPECT_NEAR(ts.test.p_value, 0.1806, 5e-5);
  EXPECT_NEAR(ts.test.tau, 8.0 / 15.0, 1e-12);
  // The 15 pairwise slopes sorted: −1 −1 −½ 0 ¼ ½ 0.6 ⅔ ⅔ 1 1 4/3 1.5 2 3;
  // median (8th) ⅔. Sen 95 %: C = 1.959964·√(492/18) = 10.24693,
  // M1 = (15 − C)/2 = 2.376535 → −1 + 0.376535·½ = −0.811733,
  // M2 + 1 = (15 + C)/2 + 1 = 13.623465 → 1.5 + 0.623465·½ = 1.811733.
  EXPECT_NEAR(ts.slope.value(), 2.0 / 3.0, 1e-12);
  const double c = 1.959963984540054 * std::sqrt(492.0 / 18.0);
  EXPECT_NEAR(ts.slope.ci()->lower, -1.0 + ((15 - c) / 2 - 2) * 0.5, 1e-9);
  EXPECT_NEAR(ts.slope.ci()->upper, 1.5 + ((15 + c) / 2 + 1 - 13) * 0.5, 1e-9);
  EXPECT_NEAR(ts.slope.ci()->lower, -0.8117361597, 1e-9);
  EXPECT_NEAR(ts.slope.ci()->upper, 1.8117361597, 1e-9);
  // Intercept: median of y − ⅔t = 1, 7/3, 2/3, 3, 7/3, 2/3 → (1 + 7/3)/2.
  EXPECT_NEAR(ts.intercept, 5.0 / 3.0, 1e-12);

  // No ties, decreasing: S = −m(m−1)/2, Var = m(m−1)(2m+5)/18.
  const std::vector<trend_observation> down = {{0, 5, 1}, {1, 4, 1}, {2, 3, 1}, {3, 2, 1}};
  const auto d = cxm::mann_kendall_test(down);
  EXPECT_DOUBLE_EQ(d.s, -6.0);
  EXPECT_NEAR(d.variance, 4.0 * 3 * 13 / 18, 1e-12);
  EXPECT_NEAR(d.z, -5.0 / std::sqrt(156.0 / 18), 1e-12);
  EXPECT_DOUBLE_EQ(cxm::theil_sen_trend(down).slope.value(), -1.0);
}

// ---- change detection ---------------------------------------------------------

std::vector<trend_observation> step_series(double shift, std::size_t at_point) {
  std::vector<trend_observation> out;
  for (std::size_t i = 0; i < 24; ++i) out.push_back({double(i), i >= at_point ? shift : 0.0, 1.0});
  return out;
}

TEST(Change, SignalsAPlantedShiftAtTheRightBucket) {
  cxm::ewma_options eo;
  eo.target.target = 0.0;
  cxm::cusum_options co;
  co.target.target = 0.0;
  // A step of +3 SE at point 12, no noise.
  // CUSUM (k = ½, h = 5): C⁺ = 2.5, 5.0 (not > 5), 7.5 → first signal at 14.
  const auto up = step_series(3.0, 12);
  const auto c = cxm::cusum_chart(up, co);
  ASSERT_TRUE(c.first_signal);
  EXPECT_EQ(*c.first_signal, 14U);
  EXPECT_EQ(c.direction, cxm::shift_direction::up);
  // EWMA (λ = 0.2, L = 3): z_12 = 0.6, z_13 = 0.2·3 + 0.8·0.6 = 1.08; the
  // limit is 3·√(0.2/1.8·(1 − 0.8^28)) = 0.99998 → first signal at 13.
  const auto e = cxm::ewma_chart(up, eo);
  ASSERT_TRUE(e.first_signal);
  EXPECT_EQ(*e.first_signal, 13U);
  EXPECT_EQ(e.direction, cxm::shift_direction::up);
  EXPECT_NEAR(e.points[13].upper, 3 * std::sqrt(0.2 / 1.8 * (1 - std::pow(0.8, 28))), 1e-12);
  // Downward, and a point's SE counts: the same step with SE 10 is no signal.
  EXPECT_EQ(cxm::cusum_chart(step_series(-3.0, 12), co).direction, cxm::shift_direction::down);
  auto noisy = up;
  for (auto& o : noisy) o.se = 10.0;
  EXPECT_FALSE(cxm::cusum_chart(noisy, co).first_signal);
  EXPECT_FALSE(cxm::ewma_chart(noisy, eo).first_signal);

  // With seeded noise, varying SEs and the target from the first 6 points:
  // a shift of 2 SE at point 12 is found between 12 and 17 by both charts.
  std::mt19937_64 rng(2024);
  std::normal_distribution<double> z(0.0, 1.0);
  std::uniform_real_distribution<double> se(2.0, 6.0);
  std::vector<trend_observation> obs;
  for (std::size_t i = 0; i < 24; ++i) {
    const double s = se(rng);
    obs.push_back({double(i), 30.0 + (i >= 12 ? 2.0 * s : 0.0) + s * z(rng), s});
  }
  const auto c2 = cxm::cusum_chart(obs);
  const auto e2 = cxm::ewma_chart(obs);
  ASSERT_TRUE(c2.first_signal);
  ASSERT_TRUE(e2.first_signal);
  EXPECT_GE(*c2.first_signal, 12U);
  EXPECT_LE(*c2.first_signal, 17U);
  EXPECT_GE(*e2.first_signal, 12U);
  EXPECT_LE(*e2.first_signal, 17U);
  EXPECT_EQ(c2.direction, cxm::shift_direction::up);
}

TEST(Change, EwmaVarianceFollowsEachPointsSe) {
  // Constant SE σ: Var(z_i) = σ²λ/(2 − λ)·(1 − (1 − λ)^{2i}) (Montgomery §9.2).
  std::vector<trend_observation> flat(10, trend_observation{0, 50, 4});
  for (std::size_t i = 0; i < flat.size(); ++i) flat[i].t = double(i);
  cxm::ewma_options o;
  o.target.target = 50.0;
  const auto e = cxm::ewma_chart(flat, o);
  for (std::size_t i = 0; i < 10; ++i) {
    const double v = 16 * 0.2 / 1.8 * (1 - std::pow(0.8, 2.0 * double(i + 1)));
    EXPECT_NEAR(e.points[i].upper - 50.0, 3 * std::sqrt(v), 1e-12);
  }
  EXPECT_FALSE(e.first_signal);
  EXPECT_THROW((void)cxm::ewma_chart(flat, cxm::ewma_options{0.0, 3.0, {}}), cxm::invalid_argument);
  EXPECT_THROW((void)cxm::cusum_chart(flat, cxm::cusum_options{0.5, 0.0, {}}), cxm::invalid_argument);
}

TEST(Change, EwmaFalseAlarmRateMatchesItsLimits) {
  // In control, with normal points of known SEs, z_i is normal with exactly
  // the variance of the recursion: P(|z_i − μ0| > L·sd_i) = 2(1 − Φ(3)) =
  // 0.0026998 (R: 2*(1-pnorm(3))). Point 20 of 20 000 seeded series with SEs
  // drawn per point: the count is Binomial(20000, 0.0026998), mean 54.0,
  // SD 7.34; accepted within ±5 SD.
  std::mt19937_64 rng(99);
  std::normal_distribution<double> z(0.0, 1.0);
  std::uniform_real_distribution<double> se(1.0, 8.0);
  cxm::ewma_options o;
  o.target.target = 0.0;
  int alarms = 0;
  const int reps = 20000;
  std::vector<trend_observation> obs(20);
  for (int r = 0; r < reps; ++r) {
    for (std::size_t i = 0; i < obs.size(); ++i) {
      const double s = se(rng);
      obs[i] = {double(i), s * z(rng), s};
    }
    alarms += cxm::ewma_chart(obs, o).points.back().signal != cxm::shift_direction::none;
  }
  const double p = 0.0026997960632601866, mean = reps * p, sd = std::sqrt(reps * p * (1 - p));
  EXPECT_NEAR(alarms, mean, 5 * sd);
}

TEST(Change, CusumInControlRunLengthMatchesTheLiterature) {
  // Two-sided tabular CUSUM, k = ½, h = 4: in-control ARL 168 (Montgomery,
  // Table 9.3). 1 500 seeded runs with SEs drawn per point; the run length is
  // about geometric (SD ≈ mean), so the mean of 1 500 has SE ≈ 168/√1500 =
  // 4.3; accepted within ±5 SE (±22).
  std::mt19937_64 rng(7);
  std::normal_distribution<double> z(0.0, 1.0);
  std::uniform_real_distribution<double> se(1.0, 8.0);
  cxm::cusum_options o;
  o.h = 4.0;
  o.target.target = 0.0;
  const int runs = 1500;
  double total = 0;
  std::vector<trend_observation> obs;
  for (int r = 0; r < runs; ++r) {
    // Grow the series until the chart signals (incremental: the sums are a
    // function of the prefix).
    obs.clear();
    double hi = 0, lo = 0;
    std::size_t len = 0;
    while (true) {
      const double s = se(rng);
      const double x = s * z(rng);
      ++len;
      hi = std::max(0.0, hi + x / s - 0.5);
      lo = std::max(0.0, lo - x / s - 0.5);
      obs.push_back({double(len), x, s});
      if (hi > 4.0 || lo > 4.0) break;
    }
    // The chart finds the same first signal as the hand recursion.
    const auto c = cxm::cusum_chart(obs, o);
    ASSERT_TRUE(c.first_signal);
    ASSERT_EQ(*c.first_signal + 1, len);
    total += double(len);
  }
  EXPECT_NEAR(total / runs, 168.0, 22.0);
}

}  // namespace
