// The ETS family and forecasts (series/ets.hpp, series/forecast.hpp) against
// references written here: the book's error-form recursions (Hyndman et al.
// 2008, Table 2.3), its closed-form forecast variances (Table 6.1),
// eigenvalues of the state-space matrix D from Eigen, and seeded simulations.
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <map>
#include <numbers>
#include <vector>

#include <Eigen/Dense>
#include <gtest/gtest.h>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/series/ets.hpp"
#include "cxmetrics/series/forecast.hpp"

namespace {

using namespace cxm::forecasting;

ets_spec spec(const char* name) {
  const auto s = ets_spec::parse(name);
  EXPECT_TRUE(s.has_value()) << name;
  return *s;
}

// ---- Reference recursions in the book's error form ------------------------

struct hand_result {
  double loglik;
  std::vector<double> mu;
  double level, trend;
  std::vector<double> season;  // by time: season[t] = s_{t + 1 - m} for the final block
};

// Additive or multiplicative error, trend N/A/Ad, season N/A/M, written
// directly from Table 2.3 with e_t, not the error-correction form of the library.
hand_result hand(const std::vector<double>& y, bool mul_err, char trend, char season, double alpha, double beta,
                 double gamma, double phi, double l, double b, std::vector<double> s_init /* newest first */) {
  const std::size_t m = s_init.size();
  // seasons by time; s[j] for j = 0 .. m-1 holds s_{1-m+j}
  std::vector<double> s(s_init.rbegin(), s_init.rend());
  double sse = 0.0, logmu = 0.0;
  std::vector<double> mus;
  const double ph = trend == 'd' ? phi : (trend == 'A' ? 1.0 : 0.0);
  for (std::size_t t = 0; t < y.size(); ++t) {
    const double sm = season == 'N' ? (season == 'M' ? 1.0 : 0.0) : s[t];  // s_{t-m}
    const double lb = l + ph * b;
    const double mu = season == 'M' ? lb * sm : lb + (season == 'A' ? sm : 0.0);
    mus.push_back(mu);
    double e;
    if (mul_err) {
      e = (y[t] - mu) / mu;
      logmu += std::log(std::abs(mu));
    } else {
      e = y[t] - mu;
    }
    sse += e * e;
    double nl, nb, ns = 0.0;
    if (!mul_err) {
      // Additive error (Table 2.3, upper half).
      if (season == 'M') {
        nl = lb + alpha * e / sm;
        nb = ph * b + beta * e / sm;
        ns = sm + gamma * e / lb;
      } else {
        nl = lb + alpha * e;
        nb = ph * b + beta * e;
        ns = sm + gamma * e;
      }
    } else {
      // Multiplicative error (lower half).
      if (season == 'M') {
        nl = lb * (1 + alpha * e);
        nb = ph * b + beta * lb * e;
        ns = sm * (1 + gamma * e);
      } else if (season == 'A') {
        nl = lb + alpha * mu * e;
        nb = ph * b + beta * mu * e;
        ns = sm + gamma * mu * e;
      } else {
        nl = lb * (1 + alpha * e);
        nb = ph * b + beta * lb * e;
      }
    }
    l = nl;
    b = trend == 'N' ? 0.0 : nb;
    if (season != 'N') s.push_back(ns);
  }
  const double n = static_cast<double>(y.size());
  const double sigma2 = sse / n;
  hand_result r;
  r.loglik = -0.5 * n * std::log(2 * std::numbers::pi * sigma2) - 0.5 * n - logmu;
  r.mu = mus;
  r.level = l;
  r.trend = b;
  for (std::size_t k = 0; k < m; ++k) r.season.push_back(s[s.size() - 1 - k]);  // newest first
  return r;
}

// A model with given parameters and final state, for forecasts.
ets_model fixed_model(const char* name, ets_params p, ets_state last, double sigma2, int m) {
  ets_model mod;
  mod.spec = spec(name);
  mod.period = m;
  mod.params = p;
  mod.last = std::move(last);
  mod.sigma2 = sigma2;
  return mod;
}

const std::vector<double> small{112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118, 115, 126, 141, 135};

TEST(EtsSpec, NamesRoundTripAndExcludedModelsAreRefused) {
  for (const char* n : {"ANN", "AAN", "AAdN", "ANA", "AAA", "AAdA", "MNN", "MAN", "MAdN", "MNA", "MAA", "MAdA", "MNM",
                        "MAM", "MAdM"}) {
    const auto s = ets_spec::parse(n);
    ASSERT_TRUE(s) << n;
    EXPECT_EQ(s->name(), n);
  }
  for (const char* n : {"ANM", "AAM", "AAdM", "AMN", "MMN", "X", "AN", "AAdd", "aNN", "ANNN"}) {
    EXPECT_FALSE(ets_spec::parse(n)) << n;
  }
}

TEST(EtsFilter, LikelihoodMatchesTheBookRecursions) {
  struct c {
    const char* name;
    bool mul;
    char trend, season;
    ets_params p;
    double l, b;
    std::vector<double> s;
  };
  const std::vector<c> cases{
      {"ANN", false, 'N', 'N', {0.3, 0, 0, 1}, 115.0, 0.0, {}},
      {"MNN", true, 'N', 'N', {0.6, 0, 0, 1}, 110.0, 0.0, {}},
      {"AAN", false, 'A', 'N', {0.5, 0.1, 0, 1}, 110.0, 1.5, {}},
      {"AAdN", false, 'd', 'N', {0.4, 0.05, 0, 0.9}, 110.0, 2.0, {}},
      {"MAdN", true, 'd', 'N', {0.4, 0.05, 0, 0.9}, 110.0, 2.0, {}},
      {"ANA", false, 'N', 'A', {0.2, 0, 0.3, 1}, 125.0, 0.0, {-3, 10, 2, -9}},
      {"AAdA", false, 'd', 'A', {0.2, 0.1, 0.3, 0.95}, 125.0, 0.5, {-3, 10, 2, -9}},
      {"MAA", true, 'A', 'A', {0.2, 0.1, 0.3, 1}, 125.0, 0.5, {-3, 10, 2, -9}},
      {"MNM", true, 'N', 'M', {0.25, 0, 0.2, 1}, 125.0, 0.0, {0.97, 1.08, 1.02, 0.93}},
      {"MAM", true, 'A', 'M', {0.25, 0.05, 0.2, 1}, 125.0, 0.5, {0.97, 1.08, 1.02, 0.93}},
      {"MAdM", true, 'd', 'M', {0.25, 0.05, 0.2, 0.85}, 125.0, 0.5, {0.97, 1.08, 1.02, 0.93}},
  };
  for (const auto& k : cases) {
    const auto sp = spec(k.name);
    ets_state x0{k.l, k.b, k.s};
    const auto got = ets_filter(small, sp, 4, k.p, x0);
    const auto ref = hand(small, k.mul, k.trend, k.season, k.p.alpha, k.p.beta, k.p.gamma, k.p.phi, k.l, k.b, k.s);
    EXPECT_NEAR(got.loglik, ref.loglik, 1e-9 * std::abs(ref.loglik)) << k.name;
    ASSERT_EQ(got.fitted.size(), ref.mu.size());
    for (std::size_t t = 0; t < ref.mu.size(); ++t) EXPECT_NEAR(got.fitted[t], ref.mu[t], 1e-9 * ref.mu[t]) << k.name;
    EXPECT_NEAR(got.last.level, ref.level, 1e-9 * std::abs(ref.level)) << k.name;
    EXPECT_NEAR(got.last.trend, ref.trend, 1e-9) << k.name;
    ASSERT_EQ(got.last.season.size(), ref.season.size()) << k.name;
    for (std::size_t j = 0; j < ref.season.size(); ++j) EXPECT_NEAR(got.last.season[j], ref.season[j], 1e-9) << k.name;
  }
}

// Fitted models of R's forecast::ets on `small` (frequency 4), parameters
// and initial states printed with digits = 17:
//   y <- ts(small, frequency = 4)
//   f <- ets(y, model = "ANN"); f$par; f$loglik; forecast(f, h = 3, level = 95)$upper
//   g <- ets(y, model = "MAM", damped = FALSE); g$par; g$initstate; g$loglik; forecast(g, h = 2)$mean
// R's loglik leaves out constants: -0.5 (n log SSE + 2 sum log|mu|), so ours
// is it plus n/2 (log n - log 2 pi - 1); R's sigma2 is SSE / (n - p).
TEST(EtsFilter, LikelihoodAndForecastsMatchRForecastEts) {
  const double n = 16;
  const double shift = n / 2 * (std::log(n) - std::log(2 * std::numbers::pi) - 1);
  {
    const ets_params p{0.99989996711972196, 0, 0, 1};
    const auto r = ets_filter(small, spec("ANN"), 1, p, {112.00864473697419044, 0, {}});
    EXPECT_NEAR(r.loglik, -60.460105296991443 + shift, 1e-8);
    ets_model m = fixed_model("ANN", p, r.last, r.sigma2 * n / (n - 2), 1);
    const auto f = forecast(m, {.horizon = 3});
    const double upper[] = {157.92390356711670, 167.41742536472404, 174.70227863976879};
    for (int h = 0; h < 3; ++h) EXPECT_NEAR(f[h].hi95, upper[h], 1e-6) << h;
  }
  {
    const ets_params p{9.9989706420053170e-01, 1.0020086223252848e-04, 1.0001639251670138e-04, 1};
    const ets_state x0{120.15826160532289180, 2.39887711722360963,
                       {1.03325386344696302, 1.02892365942370745, 0.98334244424401795, 0.95448003288531158}};
    const auto r = ets_filter(small, spec("MAM"), 4, p, x0);
    EXPECT_NEAR(r.loglik, -58.593381603866547 + shift, 1e-8);
    ets_model m = fixed_model("MAM", p, r.last, r.sigma2 * n / (n - 8), 4);
    const auto f = forecast(m, {.horizon = 2});
    EXPECT_NEAR(f[0].mean, 126.99474658511139, 1e-8);
    EXPECT_NEAR(f[1].mean, 133.19079115357937, 1e-8);
  }
}

TEST(EtsFilter, RefusesModelsTheDataCannotTake) {
  const std::vector<double> y{1, 2, -1, 3, 4, 5};
  EXPECT_THROW((void)ets_filter(y, spec("MNN"), 1, {}, {1.0, 0.0, {}}), cxm::invalid_argument);
  EXPECT_THROW((void)ets_filter(small, spec("ANA"), 4, {}, {1.0, 0.0, {1, 2}}), cxm::invalid_argument);
  ets_spec aam{ets_error::additive, ets_trend::additive, ets_season::multiplicative};
  EXPECT_THROW((void)fit_ets(small, aam, 4), cxm::invalid_argument);
  const auto cands = ets_candidates(y, 1);
  for (const auto& s : cands) EXPECT_EQ(s.error, ets_error::additive);
}

// Forecasts of fixed models against the closed forms of Hyndman et al.
// (2008), Table 6.1 (class 1 variances) and the point-forecast formulas.
TEST(EtsForecast, Class1MeansAndVariancesMatchClosedForms) {
  const double z95 = 1.959963984540054, z80 = 1.2815515655446004;  // qnorm(0.975), qnorm(0.9)
  const double s2 = 4.0;
  {
    // AAN: mean l + h b; v_h = s2 [1 + (h-1){alpha^2 + alpha beta h + beta^2 h (2h-1)/6}].
    const double a = 0.5, b = 0.2;
    const auto f = forecast(fixed_model("AAN", {a, b, 0, 1}, {100, 2, {}}, s2, 1), {.horizon = 6});
    for (int h = 1; h <= 6; ++h) {
      const double v = s2 * (1 + (h - 1) * (a * a + a * b * h + b * b * h * (2.0 * h - 1) / 6.0));
      EXPECT_NEAR(f[h - 1].mean, 100 + 2.0 * h, 1e-12);
      EXPECT_NEAR(f[h - 1].hi95 - f[h - 1].mean, z95 * std::sqrt(v), 1e-9) << h;
      EXPECT_NEAR(f[h - 1].mean - f[h - 1].lo80, z80 * std::sqrt(v), 1e-9) << h;
    }
  }
  {
    // AAdN: mean l + (phi + ... + phi^h) b; v_h from Table 6.1.
    const double a = 0.4, b = 0.1, p = 0.9;
    const auto f = forecast(fixed_model("AAdN", {a, b, 0, p}, {50, 3, {}}, s2, 1), {.horizon = 8});
    for (int h = 1; h <= 8; ++h) {
      double phih = 0;
      for (int j = 1; j <= h; ++j) phih += std::pow(p, j);
      const double v = s2 * (1 + a * a * (h - 1) + b * p * h / ((1 - p) * (1 - p)) * (2 * a * (1 - p) + b * p) -
                             b * p * (1 - std::pow(p, h)) / ((1 - p) * (1 - p) * (1 - p * p)) *
                                 (2 * a * (1 - p * p) + b * p * (1 + 2 * p - std::pow(p, h))));
      EXPECT_NEAR(f[h - 1].mean, 50 + phih * 3, 1e-12);
      EXPECT_NEAR(f[h - 1].hi95 - f[h - 1].mean, z95 * std::sqrt(v), 1e-9) << h;
    }
  }
  {
    // ANA, m = 4: mean l + s_{n+h-m(k+1)}; v_h = s2 [1 + (h-1) alpha^2 + k gamma (2 alpha + gamma)], k = floor((h-1)/m).
    const double a = 0.3, g = 0.2;
    const std::vector<double> seas{4, -1, -2, -1};  // newest first: s_n, s_{n-1}, s_{n-2}, s_{n-3}
    const auto f = forecast(fixed_model("ANA", {a, 0, g, 1}, {20, 0, seas}, s2, 4), {.horizon = 10});
    for (int h = 1; h <= 10; ++h) {
      const int k = (h - 1) / 4;
      const double v = s2 * (1 + (h - 1) * a * a + k * g * (2 * a + g));
      const double season = seas[static_cast<std::size_t>(3 - (h - 1) % 4)];
      EXPECT_NEAR(f[h - 1].mean, 20 + season, 1e-12) << h;
      EXPECT_NEAR(f[h - 1].hi95 - f[h - 1].mean, z95 * std::sqrt(v), 1e-9) << h;
    }
  }
}

// The analytic interval of a damped seasonal model (no closed form above)
// against the quantiles of 40,000 futures drawn with ets_simulate.
TEST(EtsForecast, AnalyticIntervalsMatchSimulatedFutures) {
  const auto mod = fixed_model("AAdA", {0.3, 0.05, 0.15, 0.9}, {20, 0.5, {1, -2, 3, -2}}, 1.0, 4);
  const auto f = forecast(mod, {.horizon = 9});
  const std::size_t reps = 40000;
  std::vector<std::vector<double>> at(9);
  for (std::size_t r = 0; r < reps; ++r) {
    const auto path = ets_simulate(mod.spec, 4, mod.params, mod.last, mod.sigma2, 9, 1000 + r);
    for (std::size_t h = 0; h < 9; ++h) at[h].push_back(path[h]);
  }
  for (std::size_t h = 0; h < 9; ++h) {
    auto& v = at[h];
    std::sort(v.begin(), v.end());
    const double q975 = v[static_cast<std::size_t>(0.975 * reps)], q025 = v[static_cast<std::size_t>(0.025 * reps)];
    // Half-width within 3 % (the sampling error of a 2.5 % quantile of
    // 40,000 draws is about 0.6 % of it).
    EXPECT_NEAR((q975 - q025) / (f[h].hi95 - f[h].lo95), 1.0, 0.03) << h;
    EXPECT_NEAR(0.5 * (q975 + q025), f[h].mean, 0.05 * (f[h].hi95 - f[h].lo95)) << h;
  }
}

// ---- Admissibility against the eigenvalues of D = F - g w' -----------------

// Largest |eigenvalue| of D of the linear seasonal model (l, b, s_1..s_m),
// leaving out the unit root of the seasonal normalisation.
double radius_of_d(bool trend, double a, double b, double g, double phi, int m) {
  const int k = trend ? 2 : 1;
  const int d = k + m;
  Eigen::MatrixXd F = Eigen::MatrixXd::Zero(d, d);
  Eigen::VectorXd gv = Eigen::VectorXd::Zero(d), w = Eigen::VectorXd::Zero(d);
  F(0, 0) = 1;
  w(0) = 1;
  gv(0) = a;
  if (trend) {
    F(0, 1) = phi;
    F(1, 1) = phi;
    w(1) = phi;
    gv(1) = b;
  }
  F(k, k + m - 1) = 1;  // the oldest season becomes the newest
  for (int j = 1; j < m; ++j) F(k + j, k + j - 1) = 1;
  w(k + m - 1) = 1;
  gv(k) = g;
  const Eigen::MatrixXd D = F - gv * w.transpose();
  const Eigen::VectorXcd ev = D.eigenvalues();
  double r = 0.0;
  bool dropped = false;
  // Drop the one eigenvalue closest to 1.
  int at = 0;
  for (int i = 1; i < d; ++i) {
    if (std::abs(ev(i) - 1.0) < std::abs(ev(at) - 1.0)) at = i;
  }
  for (int i = 0; i < d; ++i) {
    if (i == at && !dropped) {
      dropped = true;
      continue;
    }
    r = std::max(r, std::abs(ev(i)));
  }
  return r;
}

TEST(EtsAdmissible, SchurCohnAgreesWithEigenvaluesOfD) {
  std::uint64_t state = 12345;
  const auto uniform = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  };
  int agree = 0, tested = 0, inadmissible = 0;
  for (int i = 0; i < 3000; ++i) {
    const int m = 2 + static_cast<int>(uniform() * 11);
    const int kind = i % 3;  // N, A, Ad
    const char* name = kind == 0 ? "ANA" : kind == 1 ? "AAA" : "AAdA";
    ets_params p;
    p.alpha = 1e-4 + uniform() * 0.9998;
    p.beta = kind ? 1e-4 + uniform() * (p.alpha - 1e-4) : 0.0;
    p.gamma = 1e-4 + uniform() * (1.0 - p.alpha - 1e-4);
    p.phi = kind == 2 ? 0.8 + uniform() * 0.18 : 1.0;
    const double r = radius_of_d(kind != 0, p.alpha, p.beta, p.gamma, kind == 2 ? p.phi : 1.0, m);
    if (std::abs(r - 1.0) < 1e-6) continue;  // too close to the boundary to call
    ++tested;
    const bool want = r < 1.0;
    inadmissible += want ? 0 : 1;
    agree += ets_admissible(spec(name), m, p) == want ? 1 : 0;
  }
  EXPECT_EQ(agree, tested);
  EXPECT_GT(inadmissible, 50);  // the usual region does hold inadmissible points
}

// ---- Estimation and selection on simulated series ---------------------------

TEST(EtsFit, RecoversTheParametersOfSimulatedSeries) {
  // 40 series of 300 points per model; the mean estimate within 4 standard
  // errors of the mean (spread of the 40 estimates / sqrt 40) of the truth,
  // plus 0.02 for the small-sample bias of the MLE.
  struct c {
    const char* name;
    ets_params p;
    ets_state x0;
    double sigma2;
    int m;
  };
  const std::vector<c> cases{
      {"ANN", {0.3, 0, 0, 1}, {50, 0, {}}, 1.0, 1},
      {"AAdN", {0.5, 0.1, 0, 0.9}, {50, 1, {}}, 1.0, 1},
      {"MNM", {0.2, 0, 0.1, 1}, {50, 0, {1.2, 0.9, 1.1, 0.8}}, 0.0009, 4},
  };
  for (const auto& k : cases) {
    const auto sp = spec(k.name);
    std::map<char, std::vector<double>> est;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      const auto y = ets_simulate(sp, k.m, k.p, k.x0, k.sigma2, 300, seed);
      const auto f = fit_ets(y, sp, k.m);
      est['a'].push_back(f.params.alpha);
      if (sp.trend != ets_trend::none) est['b'].push_back(f.params.beta);
      if (sp.trend == ets_trend::damped) est['p'].push_back(f.params.phi);
      if (sp.season != ets_season::none) est['g'].push_back(f.params.gamma);
      est['s'].push_back(f.sigma2 / k.sigma2);
    }
    const std::map<char, double> truth{{'a', k.p.alpha}, {'b', k.p.beta}, {'p', k.p.phi}, {'g', k.p.gamma}, {'s', 1.0}};
    for (const auto& [which, v] : est) {
      double mean = 0, ss = 0;
      for (double x : v) mean += x;
      mean /= static_cast<double>(v.size());
      for (double x : v) ss += (x - mean) * (x - mean);
      const double se = std::sqrt(ss / (static_cast<double>(v.size()) - 1) / static_cast<double>(v.size()));
      EXPECT_NEAR(mean, truth.at(which), 4 * se + 0.02) << k.name << " parameter " << which;
    }
  }
}

TEST(EtsSelect, PicksTheComponentsOfTheSimulatingModel) {
  struct c {
    const char* name;
    ets_params p;
    ets_state x0;
    double sigma2;
    int m;
  };
  const std::vector<c> cases{
      {"ANN", {0.3, 0, 0, 1}, {50, 0, {}}, 1.0, 4},
      {"AAN", {0.4, 0.2, 0, 1}, {50, 1, {}}, 1.0, 4},
      {"ANA", {0.3, 0, 0.2, 1}, {50, 0, {6, -3, 2, -5}}, 1.0, 4},
      {"MNM", {0.2, 0, 0.1, 1}, {50, 0, {1.3, 0.8, 1.1, 0.8}}, 0.0016, 4},
  };
  for (const auto& k : cases) {
    const auto sp = spec(k.name);
    int trend_ok = 0, season_ok = 0;
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
      const auto y = ets_simulate(sp, k.m, k.p, k.x0, k.sigma2, 120, 100 + seed);
      const auto f = auto_ets(y, k.m);
      trend_ok += (f.spec.trend == ets_trend::none) == (sp.trend == ets_trend::none) ? 1 : 0;
      season_ok += f.spec.season == sp.season ? 1 : 0;
    }
    EXPECT_GE(trend_ok, 8) << k.name;
    EXPECT_GE(season_ok, 8) << k.name;
  }
}

// ---- Intervals cover at their level ------------------------------------------

TEST(EtsForecast, IntervalsCoverSimulatedFuturesAtTheirLevel) {
  // 300 series per model, each fitted on 80 points and scored on the next 3:
  // 900 forecasts. Under the 95 % claim the count inside is Binomial(900,
  // 0.95), sd 6.5; the bound is 4.5 sd below (estimated parameters widen the
  // true spread a little) and 3 sd above.
  struct c {
    const char* name;
    ets_params p;
    ets_state x0;
    double sigma2;
    int m;
    bool simulate;
  };
  const std::vector<c> cases{
      {"ANN", {0.4, 0, 0, 1}, {50, 0, {}}, 1.0, 1, false},    // analytic intervals, class 1
      {"MNN", {0.4, 0, 0, 1}, {50, 0, {}}, 0.0025, 1, false},  // analytic intervals, class 2
      {"MNN", {0.4, 0, 0, 1}, {50, 0, {}}, 0.0025, 1, true}    // sample-path intervals
  };
  for (const auto& k : cases) {
    const auto sp = spec(k.name);
    int in95 = 0, in80 = 0, total = 0;
    for (std::uint64_t seed = 1; seed <= 300; ++seed) {
      const auto y = ets_simulate(sp, k.m, k.p, k.x0, k.sigma2, 83, 7000 + seed);
      const std::vector<double> train(y.begin(), y.begin() + 80);
      const auto f = forecast(fit_ets(train, sp, k.m), {.horizon = 3, .paths = 2000, .seed = seed, .simulate = k.simulate});
      for (std::size_t h = 0; h < 3; ++h) {
        in95 += (y[80 + h] >= f[h].lo95 && y[80 + h] <= f[h].hi95) ? 1 : 0;
        in80 += (y[80 + h] >= f[h].lo80 && y[80 + h] <= f[h].hi80) ? 1 : 0;
        ++total;
      }
    }
    const double sd95 = std::sqrt(total * 0.95 * 0.05), sd80 = std::sqrt(total * 0.8 * 0.2);
    EXPECT_GE(in95, 0.95 * total - 4.5 * sd95) << k.name;
    EXPECT_LE(in95, 0.95 * total + 3 * sd95) << k.name;
    EXPECT_GE(in80, 0.8 * total - 4.5 * sd80) << k.name;
    EXPECT_LE(in80, 0.8 * total + 3 * sd80) << k.name;
  }
}

TEST(EtsForecast, SamplePathsAreSeeded) {
  const auto y = ets_simulate(spec("MNN"), 1, {0.3, 0, 0, 1}, {20, 0, {}}, 0.01, 60, 3);
  const auto m = fit_ets(y, spec("MNN"), 1);
  const auto a = forecast(m, {.horizon = 4, .seed = 9, .simulate = true});
  const auto b = forecast(m, {.horizon = 4, .seed = 9, .simulate = true});
  const auto c = forecast(m, {.horizon = 4, .seed = 10, .simulate = true});
  EXPECT_EQ(a[3].hi95, b[3].hi95);
  EXPECT_NE(a[3].hi95, c[3].hi95);
}

// ---- Bounded series ------------------------------------------------------------

TEST(Forecast, BoundedForecastsStayInsideTheirBounds) {
  // Shares drifting up towards 1, NPS near +100 and near -100, with noise;
  // every mean and interval bound strictly inside the range, at long horizons.
  std::uint64_t state = 99;
  const auto noise = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0 - 0.5;
  };
  struct c {
    double lo, hi;
    std::vector<double> y;
  };
  std::vector<c> cases;
  for (int run = 0; run < 6; ++run) {
    c share{0.0, 1.0, {}}, nps_hi{-100, 100, {}}, nps_lo{-100, 100, {}};
    for (int t = 0; t < 48; ++t) {
      share.y.push_back(std::min(1.0, 0.80 + 0.004 * t + 0.05 * noise()));
      nps_hi.y.push_back(std::min(100.0, 80 + 0.5 * t + 10 * noise()));
      nps_lo.y.push_back(std::max(-100.0, -85 - 0.4 * t + 12 * noise()));
    }
    cases.push_back(share);
    cases.push_back(nps_hi);
    cases.push_back(nps_lo);
  }
  int on_bound = 0;
  for (const auto& k : cases) {
    for (double v : k.y) on_bound += (v == k.lo || v == k.hi) ? 1 : 0;
    for (const char* model : {"auto", "AAN", "AAdA"}) {
      forecast_options o;
      o.horizon = 36;
      o.period = 12;
      o.bounds = value_bounds{k.lo, k.hi};
      if (std::string(model) != "auto") o.model = spec(model);
      const auto f = forecast_series(k.y, o);
      EXPECT_TRUE(f.model.spec.linear());
      for (const auto& p : f.points) {
        // Inside the closed range (a back-transformed value within 1e-16 of
        // a bound rounds onto it).
        for (double v : {p.mean, p.lo80, p.hi80, p.lo95, p.hi95}) {
          EXPECT_GE(v, k.lo);
          EXPECT_LE(v, k.hi);
        }
        EXPECT_LE(p.lo95, p.lo80);
        EXPECT_LE(p.lo80, p.mean);
        EXPECT_LE(p.mean, p.hi80);
        EXPECT_LE(p.hi80, p.hi95);
      }
    }
  }
  EXPECT_GT(on_bound, 10);  // the data do touch the bounds
}

TEST(Forecast, BoundedForecastsAreImagesOfTheLogOddsForecast) {
  // Shares whose log-odds follow ANN: the forecast of z is N(l_n, sigma2)
  // (h = 1), so the point forecast is logistic(l_n) and the 95 % bounds are
  // logistic(l_n -+ 1.959964 sigma).
  std::vector<double> y;
  const auto z = ets_simulate(spec("ANN"), 1, {0.2, 0, 0, 1}, {1.0, 0, {}}, 0.25, 200, 5);
  for (double v : z) y.push_back(1.0 / (1.0 + std::exp(-v)));
  forecast_options o;
  o.horizon = 1;
  o.bounds = value_bounds{0.0, 1.0};
  o.model = spec("ANN");
  const auto f = forecast_series(y, o);
  const double mu = f.model.last.level, sd = std::sqrt(f.model.sigma2);
  const auto logistic = [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
  EXPECT_NEAR(f.points[0].mean, logistic(mu), 1e-12);
  EXPECT_NEAR(f.points[0].lo95, logistic(mu - 1.959963984540054 * sd), 1e-12);
  EXPECT_NEAR(f.points[0].hi95, logistic(mu + 1.959963984540054 * sd), 1e-12);
  // The fit is on z: its alpha is near the simulating 0.2 and sigma2 near 0.25.
  EXPECT_NEAR(f.model.sigma2, 0.25, 0.25 * 4 * std::sqrt(2.0 / 200));
  // Nonlinear models are refused with bounds.
  o.model = spec("MNN");
  EXPECT_THROW((void)forecast_series(y, o), cxm::invalid_argument);
}

TEST(Forecast, ValuesOutsideTheBoundsAreErrors) {
  forecast_options o;
  o.horizon = 2;
  o.bounds = value_bounds{0.0, 1.0};
  const std::vector<double> y{0.5, 0.6, 1.2, 0.7, 0.6};
  try {
    (void)forecast_series(y, o);
    FAIL() << "no error";
  } catch (const cxm::invalid_value& e) {
    EXPECT_NE(std::string(e.what()).find("position 3"), std::string::npos) << e.what();
  }
  o.bounds = value_bounds{1.0, 1.0};
  EXPECT_THROW((void)forecast_series(y, o), cxm::invalid_argument);
}

// ---- Backtest --------------------------------------------------------------------

TEST(Backtest, ScoresEachOriginAsDefined) {
  const auto y = ets_simulate(spec("AAN"), 1, {0.5, 0.1, 0, 1}, {20, 0.5, {}}, 1.0, 40, 11);
  forecast_options o;
  o.horizon = 3;
  o.model = spec("AAN");
  const auto r = backtest(y, o, {.origins = 4, .step = 2});
  // The same origins scored here from the definitions (Hyndman & Koehler 2006).
  double mase = 0, smape = 0;
  int in95 = 0, count = 0;
  for (std::size_t origin : {31u, 33u, 35u, 37u}) {
    const std::vector<double> train(y.begin(), y.begin() + static_cast<std::ptrdiff_t>(origin));
    double q = 0;
    for (std::size_t t = 1; t < origin; ++t) q += std::abs(train[t] - train[t - 1]);
    q /= static_cast<double>(origin - 1);
    const auto f = forecast_series(train, o);
    for (std::size_t h = 0; h < 3; ++h) {
      const double a = y[origin + h], m = f.points[h].mean;
      mase += std::abs(a - m) / q;
      smape += 200 * std::abs(a - m) / (std::abs(a) + std::abs(m));
      in95 += a >= f.points[h].lo95 && a <= f.points[h].hi95;
      ++count;
    }
  }
  EXPECT_EQ(r.origins, 4u);
  EXPECT_EQ(r.forecasts, 12u);
  EXPECT_NEAR(r.mase, mase / count, 1e-12);
  EXPECT_NEAR(r.smape, smape / count, 1e-12);
  EXPECT_NEAR(r.coverage95, static_cast<double>(in95) / count, 1e-12);
}

}  // namespace
