// Key-driver analysis (drivers/moments.hpp, drivers/key_drivers.hpp,
// drivers/driver_input.hpp) against references computed here by other
// means: R² of every subset by normal equations solved by Gaussian
// elimination and LMG as the average gain over all k! orders (not the
// library's subset weights); Johnson's weights through a square root of
// R_xx by the Denman–Beavers iteration (not an eigen-decomposition);
// correlations by a plain two-pass formula; closed forms (one driver,
// orthogonal drivers, the t test of a correlation); simulated data of
// known population structure; a public data set with values computed in R.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/drivers/driver_input.hpp"
#include "cxmetrics/drivers/key_drivers.hpp"
#include "cxmetrics/drivers/moments.hpp"
#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/io/ingest.hpp"

namespace {

using namespace cxm;
using namespace cxm::drivers;
using mat = std::vector<std::vector<double>>;

// ---- Plain references ------------------------------------------------------

// Rows of data, each {y, x1, ..., xk}.
using rows_t = std::vector<std::vector<double>>;

// Pearson correlations by the two-pass formula over complete rows.
mat correlation_of(const rows_t& rows) {
  const std::size_t m = rows[0].size();
  std::vector<double> mean(m, 0.0);
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < m; ++i) mean[i] += r[i];
  }
  for (auto& x : mean) x /= static_cast<double>(rows.size());
  mat s(m, std::vector<double>(m, 0.0));
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < m; ++i) {
      for (std::size_t j = 0; j < m; ++j) s[i][j] += (r[i] - mean[i]) * (r[j] - mean[j]);
    }
  }
  mat c(m, std::vector<double>(m));
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < m; ++j) c[i][j] = s[i][j] / std::sqrt(s[i][i] * s[j][j]);
  }
  return c;
}

// Solves a·x = b by Gaussian elimination with partial pivoting.
std::vector<double> solve(mat a, std::vector<double> b) {
  const std::size_t n = b.size();
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t p = c;
    for (std::size_t r = c + 1; r < n; ++r) {
      if (std::abs(a[r][c]) > std::abs(a[p][c])) p = r;
    }
    std::swap(a[c], a[p]);
    std::swap(b[c], b[p]);
    for (std::size_t r = c + 1; r < n; ++r) {
      const double f = a[r][c] / a[c][c];
      for (std::size_t k = c; k < n; ++k) a[r][k] -= f * a[c][k];
      b[r] -= f * b[c];
    }
  }
  std::vector<double> x(n);
  for (std::size_t i = n; i-- > 0;) {
    double s = b[i];
    for (std::size_t k = i + 1; k < n; ++k) s -= a[i][k] * x[k];
    x[i] = s / a[i][i];
  }
  return x;
}

mat inverse(const mat& a) {
  const std::size_t n = a.size();
  mat inv(n, std::vector<double>(n));
  for (std::size_t j = 0; j < n; ++j) {
    std::vector<double> e(n, 0.0);
    e[j] = 1.0;
    const auto col = solve(a, e);
    for (std::size_t i = 0; i < n; ++i) inv[i][j] = col[i];
  }
  return inv;
}

// R² of y (variable 0) on the drivers `s` (1-based variable indices), by
// the normal equations of the standardised regression.
double r2_ref(const mat& r, const std::vector<std::size_t>& s) {
  if (s.empty()) return 0.0;
  mat a(s.size(), std::vector<double>(s.size()));
  std::vector<double> b(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    b[i] = r[s[i]][0];
    for (std::size_t j = 0; j < s.size(); ++j) a[i][j] = r[s[i]][s[j]];
  }
  const auto beta = solve(a, b);
  double r2 = 0.0;
  for (std::size_t i = 0; i < s.size(); ++i) r2 += beta[i] * b[i];
  return r2;
}

// LMG by its definition: driver j's gain in R² when it enters, averaged
// over all k! orders of entry.
std::vector<double> lmg_ref(const mat& r) {
  const std::size_t k = r.size() - 1;
  std::vector<std::size_t> order(k);
  std::iota(order.begin(), order.end(), 1);
  std::vector<double> gain(k, 0.0);
  double orders = 0;
  do {
    std::vector<std::size_t> in;
    double before = 0.0;
    for (const std::size_t v : order) {
      in.push_back(v);
      const double after = r2_ref(r, in);
      gain[v - 1] += after - before;
      before = after;
    }
    orders += 1;
  } while (std::next_permutation(order.begin(), order.end()));
  for (auto& g : gain) g /= orders;
  return gain;
}

// Johnson's weights with Λ* = R_xx^{1/2} by the Denman–Beavers iteration
// (Y₀ = A, Z₀ = I; Y ← (Y + Z⁻¹)/2, Z ← (Z + Y⁻¹)/2; Y → A^{1/2}).
std::vector<double> relweight_ref(const mat& r) {
  const std::size_t k = r.size() - 1;
  mat y(k, std::vector<double>(k)), z(k, std::vector<double>(k, 0.0));
  std::vector<double> rxy(k);
  for (std::size_t i = 0; i < k; ++i) {
    rxy[i] = r[i + 1][0];
    z[i][i] = 1.0;
    for (std::size_t j = 0; j < k; ++j) y[i][j] = r[i + 1][j + 1];
  }
  for (int it = 0; it < 60; ++it) {
    const mat yi = inverse(y), zi = inverse(z);
    for (std::size_t i = 0; i < k; ++i) {
      for (std::size_t j = 0; j < k; ++j) {
        const double yn = (y[i][j] + zi[i][j]) / 2, zn = (z[i][j] + yi[i][j]) / 2;
        y[i][j] = yn;
        z[i][j] = zn;
      }
    }
  }
  const auto beta = solve(y, rxy);
  std::vector<double> eps(k, 0.0);
  for (std::size_t j = 0; j < k; ++j) {
    for (std::size_t i = 0; i < k; ++i) eps[j] += y[j][i] * y[j][i] * beta[i] * beta[i];
  }
  return eps;
}

// ---- Data --------------------------------------------------------------------

double normal(std::mt19937_64& g) {
  // Box–Muller from two uniforms in (0, 1].
  const double u1 = (static_cast<double>(g() >> 11) + 1.0) / 9007199254740992.0;
  const double u2 = static_cast<double>(g() >> 11) / 9007199254740992.0;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// n rows of k correlated drivers (x_j = z_j + 0.5·z_{j−1}) and
// y = Σ b_j x_j + noise.
rows_t simulate(std::size_t n, const std::vector<double>& b, double noise, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  const std::size_t k = b.size();
  rows_t rows;
  for (std::size_t r = 0; r < n; ++r) {
    std::vector<double> z(k), row(k + 1);
    for (auto& v : z) v = normal(g);
    double y = 0.0;
    for (std::size_t j = 0; j < k; ++j) {
      row[j + 1] = z[j] + (j ? 0.5 * z[j - 1] : 0.0);
      y += b[j] * row[j + 1];
    }
    row[0] = y + noise * normal(g);
    rows.push_back(row);
  }
  return rows;
}

moments moments_of(const rows_t& rows, missing_policy p = missing_policy::listwise) {
  moments m(rows[0].size(), p);
  for (const auto& r : rows) m.add(r);
  return m;
}

std::vector<std::string> names(std::size_t k) {
  std::vector<std::string> v;
  for (std::size_t j = 0; j < k; ++j) v.push_back("x" + std::to_string(j + 1));
  return v;
}

driver_analysis analyse(const rows_t& rows, const driver_options& o = {}) {
  return analyse_drivers(moments_of(rows), "y", names(rows[0].size() - 1), o);
}

// ---- moments -------------------------------------------------------------------

TEST(DriverMoments, CorrelationEqualsTwoPassFormulaAndMergeEqualsOnePass) {
  const auto rows = simulate(3001, {0.5, 0.2, -0.3, 0.1}, 1.0, 11);
  const auto ref = correlation_of(rows);
  const moments all = moments_of(rows);
  // Columns in uneven pieces, merged: blocks of 256 and Chan's update.
  moments a(5), b(5), c(5);
  std::vector<std::vector<double>> cols(5, std::vector<double>(rows.size()));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t i = 0; i < 5; ++i) cols[i][r] = rows[r][i];
  }
  const auto part = [&](moments& m, std::size_t from, std::size_t to) {
    std::vector<const double*> p;
    for (auto& col : cols) p.push_back(col.data() + from);
    m.add_columns(p, to - from);
  };
  part(a, 0, 700);
  part(b, 700, 701);
  part(c, 701, rows.size());
  c.merge(a);
  c.merge(b);
  for (const moments* m : std::vector<const moments*>{&all, &c}) {
    ASSERT_EQ(m->complete(), rows.size());
    const auto r = m->correlation();
    for (std::size_t i = 0; i < 5; ++i) {
      for (std::size_t j = 0; j < 5; ++j) EXPECT_NEAR(r[i * 5 + j], ref[i][j], 1e-12) << i << "," << j;
    }
  }
  for (std::size_t i = 0; i < 5; ++i) EXPECT_NEAR(all.mean(i), c.mean(i), 1e-12);
}

TEST(DriverMoments, LargeOffsetKeepsItsVariance) {
  // Values 1e9 + {0, 1, 2, ...}: raw sums of squares would lose the
  // variance (1e18 against 1); the centred update keeps it.
  moments m(2);
  double sxx = 0, n = 0, mean = 0;
  for (int i = 0; i < 1000; ++i) {
    const double x = i % 7, y = (i * 3) % 5;
    m.add(std::vector<double>{1e9 + x, 1e9 + y});
    mean += x;
    n += 1;
  }
  mean /= n;
  for (int i = 0; i < 1000; ++i) sxx += (i % 7 - mean) * (i % 7 - mean);
  EXPECT_NEAR(m.comoment(0, 0), sxx, 1e-6 * sxx);
}

TEST(DriverMoments, MissingValuesCountedPerPolicyAndPairwiseMatchesTwoPass) {
  const double na = std::nan("");
  const rows_t rows = {{1, 2, 3}, {2, na, 1}, {3, 5, na}, {na, na, 4}, {5, 1, 2}, {6, 3, 3}, {2, 2, na}, {na, na, na}};
  moments lw(3), pw(3, missing_policy::pairwise);
  for (const auto& r : rows) {
    lw.add(r);
    pw.add(r);
  }
  EXPECT_EQ(lw.rows(), 8u);
  EXPECT_EQ(lw.complete(), 3u);                             // rows 0, 4, 5
  EXPECT_EQ(lw.dropped(missing_policy::listwise), 5u);
  EXPECT_EQ(lw.dropped(missing_policy::pairwise), 2u);      // rows 3 and 7 have one value or none
  EXPECT_EQ(pw.dropped(missing_policy::pairwise), 2u);
  // Pair (0, 1): rows 0, 2, 4, 5, 6.
  const rows_t pair01 = {{1, 2}, {3, 5}, {5, 1}, {6, 3}, {2, 2}};
  EXPECT_EQ(pw.pair_count(0, 1), 5u);
  EXPECT_NEAR(pw.correlation()[0 * 3 + 1], correlation_of(pair01)[0][1], 1e-14);
  // Pair (1, 2): rows 0, 4, 5.
  const rows_t pair12 = {{2, 3}, {1, 2}, {3, 3}};
  EXPECT_NEAR(pw.correlation()[1 * 3 + 2], correlation_of(pair12)[0][1], 1e-14);
  // Merge of halves equals the whole, pairwise too.
  moments h1(3, missing_policy::pairwise), h2(3, missing_policy::pairwise);
  for (std::size_t r = 0; r < rows.size(); ++r) (r < 3 ? h1 : h2).add(rows[r]);
  h1.merge(h2);
  for (std::size_t i = 0; i < 9; ++i) EXPECT_NEAR(h1.correlation()[i], pw.correlation()[i], 1e-14);
  EXPECT_EQ(h1.rows(), pw.rows());
  EXPECT_THROW(lw.merge(pw), incompatible_merge);
}

TEST(DriverMoments, JsonRoundTripAndCorruptForms) {
  const auto rows = simulate(300, {0.5, 0.2}, 1.0, 2);
  for (const auto p : {missing_policy::listwise, missing_policy::pairwise}) {
    const moments m = moments_of(rows, p);
    nlohmann::json j = m;
    const moments back = j.get<moments>();
    EXPECT_EQ(back, m);
    j["comoment"].erase(0);
    EXPECT_THROW((void)j.get<moments>(), serialization_error);
  }
  EXPECT_THROW((void)nlohmann::json::parse(R"({"variables":3})").get<moments>(), serialization_error);
}

TEST(DriverMoments, InfiniteValueIsInvalidValueAndRowsBeforeItStay) {
  moments m(2);
  const std::vector<double> x = {1, 2, 3, INFINITY}, y = {2, 1, 4, 0};
  const double* cols[] = {x.data(), y.data()};
  EXPECT_THROW(m.add_columns(cols, 4), invalid_value);
  EXPECT_EQ(m.complete(), 3u);
  EXPECT_EQ(m.rows(), 3u);
  EXPECT_THROW(moments(1), invalid_argument);
}

// ---- the measures -----------------------------------------------------------------

TEST(KeyDrivers, LmgEqualsTheAverageOverAllOrders) {
  const auto rows = simulate(2000, {0.6, 0.1, 0.35, -0.2, 0.05}, 1.2, 7);
  const auto r = correlation_of(rows);
  const auto ref = lmg_ref(r);
  const auto a = analyse(rows);
  for (std::size_t j = 0; j < ref.size(); ++j) EXPECT_NEAR(a.drivers[j].lmg, ref[j], 1e-12) << j;
  std::vector<std::size_t> all{1, 2, 3, 4, 5};
  EXPECT_NEAR(a.r2, r2_ref(r, all), 1e-12);
}

TEST(KeyDrivers, RelativeWeightsEqualDenmanBeaversComputation) {
  const auto rows = simulate(1500, {0.4, 0.3, -0.25, 0.2, 0.1, 0.0}, 1.0, 3);
  const auto ref = relweight_ref(correlation_of(rows));
  const auto a = analyse(rows);
  for (std::size_t j = 0; j < ref.size(); ++j) EXPECT_NEAR(a.drivers[j].relweight, ref[j], 1e-10) << j;
}

TEST(KeyDrivers, LmgPrattAndRelativeWeightsSumToR2LastAndFirstMatchSubsets) {
  const auto rows = simulate(1000, {0.5, 0.4, 0.3, 0.2, 0.1, -0.3}, 1.0, 5);
  const auto r = correlation_of(rows);
  const auto a = analyse(rows);
  double lmg = 0, pratt = 0, rw = 0;
  std::vector<std::size_t> all{1, 2, 3, 4, 5, 6};
  for (std::size_t j = 0; j < 6; ++j) {
    const auto& d = a.drivers[j];
    lmg += d.lmg;
    pratt += d.pratt;
    rw += d.relweight;
    std::vector<std::size_t> without;
    for (const auto v : all) {
      if (v != j + 1) without.push_back(v);
    }
    EXPECT_NEAR(d.last_r2, r2_ref(r, all) - r2_ref(r, without), 1e-12);
    EXPECT_NEAR(d.first_r2, r[j + 1][0] * r[j + 1][0], 1e-12);
    EXPECT_NEAR(d.first_r2, r2_ref(r, {j + 1}), 1e-12);
  }
  EXPECT_NEAR(lmg, a.r2, 1e-12);
  EXPECT_NEAR(pratt, a.r2, 1e-12);
  EXPECT_NEAR(rw, a.r2, 1e-12);
  EXPECT_GT(a.r2, 0.3);
}

TEST(KeyDrivers, OneDriverEveryMeasureIsRSquaredAndBetaTestIsTheCorrelationTest) {
  const auto rows = simulate(60, {0.4}, 1.0, 9);
  const double rxy = correlation_of(rows)[1][0];
  const auto a = analyse(rows);
  const auto& d = a.drivers[0];
  EXPECT_NEAR(d.beta_std, rxy, 1e-13);
  for (const double v : {a.r2, d.first_r2, d.last_r2, d.pratt, d.lmg, d.relweight}) EXPECT_NEAR(v, rxy * rxy, 1e-13);
  // beta/SE is the t statistic of a correlation, r·√(n − 2)/√(1 − r²).
  EXPECT_NEAR(d.beta_std / d.beta_se, rxy * std::sqrt(58.0) / std::sqrt(1 - rxy * rxy), 1e-10);
  // 95% t interval with 58 df: qt(0.975, 58) = 2.001717 (R).
  EXPECT_NEAR(d.beta_ci.upper - d.beta_std, 2.001717 * d.beta_se, 1e-6 * d.beta_se);
}

TEST(KeyDrivers, OrthogonalDriversEveryShareIsTheSquaredCorrelation) {
  // x1, x2, x3: the ±1 columns of a 4-run two-level design, repeated:
  // mutually uncorrelated exactly; y depends on them and on a 4th pattern.
  rows_t rows;
  const int h[8][4] = {{1, 1, 1, 1},   {1, -1, 1, -1}, {1, 1, -1, -1}, {1, -1, -1, 1},
                       {-1, 1, 1, -1}, {-1, -1, 1, 1}, {-1, 1, -1, 1}, {-1, -1, -1, -1}};
  for (int rep = 0; rep < 5; ++rep) {
    for (const auto& row : h) {
      const double x1 = row[0], x2 = row[1], x3 = row[2], e = row[0] * row[1] * row[2];
      rows.push_back({3 * x1 + 2 * x2 + 0.5 * x3 + 1.5 * e, x1, x2, x3});
    }
  }
  const auto r = correlation_of(rows);
  const auto a = analyse(rows);
  double sum = 0;
  for (std::size_t j = 0; j < 3; ++j) {
    const double r2 = r[j + 1][0] * r[j + 1][0];
    const auto& d = a.drivers[j];
    for (const double v : {d.first_r2, d.last_r2, d.pratt, d.lmg, d.relweight}) EXPECT_NEAR(v, r2, 1e-13) << j;
    sum += r2;
  }
  // Var(y) = 9 + 4 + 0.25 + 2.25: shares 9/15.5, 4/15.5, 0.25/15.5.
  EXPECT_NEAR(a.drivers[0].lmg, 9 / 15.5, 1e-13);
  EXPECT_NEAR(a.drivers[1].lmg, 4 / 15.5, 1e-13);
  EXPECT_NEAR(a.drivers[2].lmg, 0.25 / 15.5, 1e-13);
  EXPECT_NEAR(a.r2, sum, 1e-13);
}

TEST(KeyDrivers, SimulatedKnownStructureRecoversPopulationShares) {
  // Independent drivers x_j ~ N(0, 1), y = 0.6 x1 + 0.3 x2 + 0·x3 + N(0, 0.7²):
  // Var(y) = 0.36 + 0.09 + 0.49 = 0.94; every share of driver j is b_j²/0.94
  // (0.3830, 0.0957, 0); population R² = 0.45/0.94 = 0.4787.
  std::mt19937_64 g(42);
  rows_t rows;
  for (int i = 0; i < 200000; ++i) {
    const double x1 = normal(g), x2 = normal(g), x3 = normal(g);
    rows.push_back({0.6 * x1 + 0.3 * x2 + 0.7 * normal(g), x1, x2, x3});
  }
  const auto a = analyse(rows);
  const double want[3] = {0.36 / 0.94, 0.09 / 0.94, 0.0};
  for (std::size_t j = 0; j < 3; ++j) {
    EXPECT_NEAR(a.drivers[j].lmg, want[j], 0.006) << j;
    EXPECT_NEAR(a.drivers[j].relweight, want[j], 0.006) << j;
  }
  EXPECT_NEAR(a.r2, 0.45 / 0.94, 0.006);
  // The true standardised beta (0.6/√0.94 = 0.6189) lies in its interval.
  EXPECT_TRUE(a.drivers[0].beta_ci.contains(0.6 / std::sqrt(0.94)));
}

TEST(KeyDrivers, TwoCorrelatedDriversLmgIsTheClosedForm) {
  // k = 2: LMG_1 = (r1² + R² − r2²)/2 (the two orders' gains averaged).
  const auto rows = simulate(500, {0.5, 0.4}, 1.0, 13);
  const auto r = correlation_of(rows);
  const auto a = analyse(rows);
  const double r1 = r[1][0], r2 = r[2][0], r12 = r[1][2];
  const double R2 = (r1 * r1 + r2 * r2 - 2 * r1 * r2 * r12) / (1 - r12 * r12);
  EXPECT_NEAR(a.r2, R2, 1e-12);
  EXPECT_NEAR(a.drivers[0].lmg, (r1 * r1 + R2 - r2 * r2) / 2, 1e-12);
  EXPECT_NEAR(a.drivers[1].lmg, (r2 * r2 + R2 - r1 * r1) / 2, 1e-12);
}

// ---- bad data --------------------------------------------------------------------------

TEST(KeyDrivers, ConstantCollinearAndTooFewRowsAreTypedErrors) {
  auto rows = simulate(50, {0.5, 0.3, 0.2}, 1.0, 17);
  auto constant = rows;
  for (auto& r : constant) r[2] = 4.0;
  try {
    (void)analyse(constant);
    FAIL();
  } catch (const invalid_value& e) {
    EXPECT_EQ(e.where().field, "x2");
    EXPECT_NE(std::string(e.what()).find("does not vary"), std::string::npos) << e.what();
  }
  auto collinear = rows;
  for (auto& r : collinear) r[3] = r[1] - 2 * r[2];
  try {
    (void)analyse(collinear);
    FAIL();
  } catch (const invalid_value& e) {
    EXPECT_NE(std::string(e.what()).find("collinear"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'x3'"), std::string::npos) << e.what();
  }
  const rows_t few(rows.begin(), rows.begin() + 4);  // 3 drivers need 5 rows
  try {
    (void)analyse(few);
    FAIL();
  } catch (const invalid_value& e) {
    EXPECT_NE(std::string(e.what()).find("at least 5 rows"), std::string::npos) << e.what();
  }
  const rows_t five(rows.begin(), rows.begin() + 5);
  EXPECT_NO_THROW((void)analyse(five));
  // A strong but not exact collinearity: a warning, not an error.
  auto strong = rows;
  std::mt19937_64 g(1);
  for (auto& r : strong) r[3] = r[1] + 0.05 * normal(g);
  const auto w = analyse(strong);
  ASSERT_FALSE(w.warnings.empty());
  EXPECT_NE(w.warnings[0].find("variance inflation"), std::string::npos);
  // Names that do not fit, a name twice.
  EXPECT_THROW((void)analyse_drivers(moments_of(rows), "y", names(2)), invalid_argument);
  EXPECT_THROW((void)analyse_drivers(moments_of(rows), "y", std::vector<std::string>{"a", "b", "a"}), invalid_argument);
}

TEST(KeyDrivers, ImpossibleOrMalformedCorrelationsAreTypedErrors) {
  const std::vector<std::string> two{"a", "b"};
  // Drivers correlated +0.9, -0.9 and +0.9 among three: eigenvalues of R_xx
  // are 1.9, 1.9 and -0.8 (R: eigen(matrix(c(1,.9,-.9,.9,1,.9,-.9,.9,1), 3))).
  const std::vector<std::string> three{"a", "b", "c"};
  const std::vector<double> impossible = {1,   0.3, 0.2, 0.1,  //
                                          0.3, 1,   0.9, -0.9,  //
                                          0.2, 0.9, 1,   0.9,  //
                                          0.1, -0.9, 0.9, 1};
  try {
    (void)analyse_correlation(impossible, 100, "y", three);
    FAIL();
  } catch (const invalid_value& e) {
    EXPECT_NE(std::string(e.what()).find("no data set could have"), std::string::npos) << e.what();
  }
  // Uncorrelated drivers with r = 0.8 each: R² = 1.28 > 1.
  const std::vector<double> above_one = {1, 0.8, 0.8, 0.8, 1, 0, 0.8, 0, 1};
  EXPECT_THROW((void)analyse_correlation(above_one, 100, "y", two), invalid_value);
  const std::vector<double> asymmetric = {1, 0.5, 0.2, 0.4, 1, 0.1, 0.2, 0.1, 1};
  EXPECT_THROW((void)analyse_correlation(asymmetric, 100, "y", two), invalid_value);
  EXPECT_THROW((void)analyse_correlation(std::vector<double>(8, 0.5), 100, "y", two), invalid_argument);
  EXPECT_THROW((void)analyse_correlation(above_one, 100, "y", std::vector<std::string>{}), invalid_argument);
  driver_options bad_level;
  bad_level.level = 1.0;
  const std::vector<double> fine = {1, 0.5, 0.2, 0.5, 1, 0.1, 0.2, 0.1, 1};
  EXPECT_THROW((void)analyse_correlation(fine, 100, "y", two, bad_level), invalid_argument);
  EXPECT_NO_THROW((void)analyse_correlation(fine, 100, "y", two));
}

TEST(KeyDrivers, MoreThanFifteenDriversNamesTheCostOfExactLmg) {
  std::vector<double> b(16, 0.1);
  const auto rows = simulate(400, b, 1.0, 19);
  try {
    (void)analyse(rows);
    FAIL();
  } catch (const invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("65536 subset regressions"), std::string::npos) << e.what();
  }
  driver_options o;
  o.lmg = false;
  const auto a = analyse(rows, o);
  double rw = 0;
  for (const auto& d : a.drivers) {
    EXPECT_TRUE(std::isnan(d.lmg));
    rw += d.relweight;
  }
  EXPECT_NEAR(rw, a.r2, 1e-12);
}

TEST(KeyDrivers, PairwiseUsesEachPairsRowsAndReportsBothDropCounts) {
  auto rows = simulate(400, {0.5, 0.3}, 1.0, 23);
  const double na = std::nan("");
  for (std::size_t r = 0; r < rows.size(); r += 7) rows[r][1] = na;
  for (std::size_t r = 3; r < rows.size(); r += 11) rows[r][2] = na;
  const moments pw = moments_of(rows, missing_policy::pairwise);
  const auto a = analyse_drivers(pw, "y", names(2));
  // The reference: each correlation from the rows of its pair.
  mat r(3, std::vector<double>(3, 1.0));
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t j = 0; j < 3; ++j) {
      rows_t pair;
      for (const auto& row : rows) {
        if (!std::isnan(row[i]) && !std::isnan(row[j])) pair.push_back({row[i], row[j]});
      }
      r[i][j] = correlation_of(pair)[0][1];
    }
  }
  const auto ref = lmg_ref(r);
  EXPECT_NEAR(a.drivers[0].lmg, ref[0], 1e-12);
  EXPECT_NEAR(a.drivers[1].lmg, ref[1], 1e-12);
  EXPECT_EQ(a.policy, missing_policy::pairwise);
  // x1 is missing in rows 0, 7, ..., 399 (58), x2 in rows 3, 14, ..., 399
  // (37); both in rows ≡ 14 (mod 77): 14, 91, 168, 245, 322, 399 (6), which
  // hold y alone and so serve no pair.
  EXPECT_EQ(a.dropped_listwise, 58u + 37u - 6u);
  EXPECT_EQ(a.dropped_pairwise, 6u);
  EXPECT_EQ(a.n, 400u - 89u);  // the pair with the fewest rows: (x1, x2)
}

TEST(KeyDrivers, BootstrapIsSeededAndCoversTheTruth) {
  // y = 0.6 x1 + 0.3 x2 + N(0, 0.7²), independent N(0, 1) drivers:
  // LMG_1 = 0.36/0.94 = 0.383.
  std::mt19937_64 g(8);
  std::vector<double> data;
  for (int i = 0; i < 1000; ++i) {
    const double x1 = normal(g), x2 = normal(g);
    for (const double v : {0.6 * x1 + 0.3 * x2 + 0.7 * normal(g), x1, x2}) data.push_back(v);
  }
  driver_options o;
  bootstrap_options b;
  b.replicates = 400;
  b.seed = 5;
  const auto one = bootstrap_drivers(data, 2, missing_policy::listwise, o, b);
  const auto two = bootstrap_drivers(data, 2, missing_policy::listwise, o, b);
  b.seed = 6;
  const auto other = bootstrap_drivers(data, 2, missing_policy::listwise, o, b);
  EXPECT_EQ(one.drivers[0].lmg, two.drivers[0].lmg);
  EXPECT_NE(one.drivers[0].lmg, other.drivers[0].lmg);
  EXPECT_TRUE(one.drivers[0].lmg.contains(0.36 / 0.94));
  EXPECT_TRUE(one.r2.contains(0.45 / 0.94));
  EXPECT_EQ(one.failed, 0u);
  // The percentile interval's width near the normal-theory one:
  // SE(β̂_std) ≈ √((1 − R²)/(n − 3)) = √(0.52/997) = 0.0228, 95%: ±0.0447.
  EXPECT_NEAR(one.drivers[0].beta_std.width(), 2 * 0.0447, 0.02);
  const auto a = analyse_drivers(
      [&] {
        moments m(3);
        for (std::size_t r = 0; r < data.size(); r += 3) m.add(std::span<const double>(data).subspan(r, 3));
        return m;
      }(),
      "y", names(2));
  EXPECT_TRUE(one.drivers[1].relweight.contains(a.drivers[1].relweight));
  b.replicates = 1;
  EXPECT_THROW((void)bootstrap_drivers(data, 2, missing_policy::listwise, o, b), invalid_argument);
  EXPECT_THROW((void)bootstrap_drivers(std::span<const double>(data).first(7), 2, missing_policy::listwise, o, b),
               invalid_argument);
}

// ---- a classic data set ---------------------------------------------------------------

// R's datasets::swiss (Mosteller & Tukey 1977; Swiss provinces, 1888):
// Fertility, Agriculture, Examination, Education, Catholic, Infant.Mortality.
const double swiss[47][6] = {
    {80.2, 17.0, 15, 12, 9.96, 22.2},   {83.1, 45.1, 6, 9, 84.84, 22.2},    {92.5, 39.7, 5, 5, 93.40, 20.2},
    {85.8, 36.5, 12, 7, 33.77, 20.3},   {76.9, 43.5, 17, 15, 5.16, 20.6},   {76.1, 35.3, 9, 7, 90.57, 26.6},
    {83.8, 70.2, 16, 7, 92.85, 23.6},   {92.4, 67.8, 14, 8, 97.16, 24.9},   {82.4, 53.3, 12, 7, 97.67, 21.0},
    {82.9, 45.2, 16, 13, 91.38, 24.4},  {87.1, 64.5, 14, 6, 98.61, 24.5},   {64.1, 62.0, 21, 12, 8.52, 16.5},
    {66.9, 67.5, 14, 7, 2.27, 19.1},    {68.9, 60.7, 19, 12, 4.43, 22.7},   {61.7, 69.3, 22, 5, 2.82, 18.7},
    {68.3, 72.6, 18, 2, 24.20, 21.2},   {71.7, 34.0, 17, 8, 3.30, 20.0},    {55.7, 19.4, 26, 28, 12.11, 20.2},
    {54.3, 15.2, 31, 20, 2.15, 10.8},   {65.1, 73.0, 19, 9, 2.84, 20.0},    {65.5, 59.8, 22, 10, 5.23, 18.0},
    {65.0, 55.1, 14, 3, 4.52, 22.4},    {56.6, 50.9, 22, 12, 15.14, 16.7},  {57.4, 54.1, 20, 6, 4.20, 15.3},
    {72.5, 71.2, 12, 1, 2.40, 21.0},    {74.2, 58.1, 14, 8, 5.23, 23.8},    {72.0, 63.5, 6, 3, 2.56, 18.0},
    {60.5, 60.8, 16, 10, 7.72, 16.3},   {58.3, 26.8, 25, 19, 18.46, 20.9},  {65.4, 49.5, 15, 8, 6.10, 22.5},
    {75.5, 85.9, 3, 2, 99.71, 15.1},    {69.3, 84.9, 7, 6, 99.68, 19.8},    {77.3, 89.7, 5, 2, 100.00, 18.3},
    {70.5, 78.2, 12, 6, 98.96, 19.4},   {79.4, 64.9, 7, 3, 98.22, 20.2},    {65.0, 75.9, 9, 9, 99.06, 17.8},
    {92.2, 84.6, 3, 3, 99.46, 16.3},    {79.3, 63.1, 13, 13, 96.83, 18.1},  {70.4, 38.4, 26, 12, 5.62, 20.3},
    {65.7, 7.7, 29, 11, 13.79, 20.5},   {72.7, 16.7, 22, 13, 11.22, 18.9},  {64.4, 17.6, 35, 32, 16.92, 23.0},
    {77.6, 37.6, 15, 7, 4.97, 20.0},    {67.6, 18.7, 25, 7, 8.65, 19.5},    {35.0, 1.2, 37, 53, 42.34, 18.0},
    {44.7, 46.6, 16, 29, 50.43, 18.2},  {42.8, 27.7, 22, 29, 58.33, 19.3}};

TEST(KeyDrivers, SwissFertilityAgreesWithR) {
  rows_t rows;
  for (const auto& r : swiss) rows.push_back(std::vector<double>(r, r + 6));
  const auto a = analyse(rows);
  // Computed with R 4 (datasets::swiss, stats::lm; relaimpo's definitions
  // written out, all subsets by lm):
  //   d <- swiss; y <- "Fertility"; x <- setdiff(names(d), y); k <- length(x)
  //   r2 <- function(s) if (length(s) == 0) 0 else summary(lm(reformulate(s, y), d))$r.squared
  //   full <- r2(x)
  //   lmg <- sapply(x, function(j) { o <- setdiff(x, j); tot <- 0
  //     for (s in 0:(k-1)) { subs <- if (s == 0) list(character(0)) else combn(o, s, simplify = FALSE)
  //       w <- factorial(s) * factorial(k - s - 1) / factorial(k)
  //       for (S in subs) tot <- tot + w * (r2(c(S, j)) - r2(S)) }
  //     tot })
  //   first <- cor(d)[x, y]^2;  last <- sapply(x, function(j) full - r2(setdiff(x, j)))
  //   b <- coef(lm(reformulate(x, y), as.data.frame(scale(d))))[x];  pratt <- b * cor(d)[x, y]
  //   R <- cor(d[x]); e <- eigen(R); L <- e$vectors %*% diag(sqrt(e$values)) %*% t(e$vectors)
  //   rw <- as.vector((L^2) %*% (solve(L, cor(d)[x, y]))^2)
  EXPECT_NEAR(a.r2, 0.7067350016, 1e-9);
  const double want[6][5] = {
      {0.05709122077, 0.171173028900, 0.2601346786, 0.10557015037, 0.11276592293},     // lmg
      {0.12466490991, 0.417164470501, 0.4406156467, 0.21500350162, 0.17351892732},     // first
      {0.04286960713, 0.007387418515, 0.1619626931, 0.06237262583, 0.05694525873},     // last
      {-0.11048599096, 0.106427404339, 0.4450045676, 0.16117681500, 0.10461220564},    // pratt
      {-0.31292128250, -0.164778222539, -0.6704007801, 0.34760002814, 0.25113597630},  // beta
      {0.04841689581, 0.154708249806, 0.2719641046, 0.11468002995, 0.11696572138}};    // relweight
  for (std::size_t j = 0; j < 5; ++j) {
    const auto& d = a.drivers[j];
    const double got[6] = {d.lmg, d.first_r2, d.last_r2, d.pratt, d.beta_std, d.relweight};
    for (std::size_t q = 0; q < 6; ++q) EXPECT_NEAR(got[q], want[q][j], 1e-9) << "measure " << q << ", driver " << j;
  }
  // R: confint(lm(Fertility ~ ., as.data.frame(scale(swiss))))["Education", ]
  //   = -0.954924103, -0.385877457 (the same t interval: 41 degrees of freedom)
  EXPECT_NEAR(a.drivers[2].beta_ci.lower, -0.954924103, 1e-8);
  EXPECT_NEAR(a.drivers[2].beta_ci.upper, -0.385877457, 1e-8);
}

// ---- importance × performance ------------------------------------------------------------

TEST(Quadrants, SplitAtTheMediansAtOrAboveIsHigh) {
  const std::vector<double> imp{0.30, 0.05, 0.20, 0.01};   // median 0.125
  const std::vector<double> perf{0.40, 0.70, 0.80, 0.10};  // median 0.55
  const auto q = quadrants(imp, perf);
  EXPECT_EQ(q[0], quadrant::fix_first);
  EXPECT_EQ(q[1], quadrant::possible_overkill);
  EXPECT_EQ(q[2], quadrant::keep_up);
  EXPECT_EQ(q[3], quadrant::low_priority);
  // Odd count: the middle driver is high on both.
  const auto q3 = quadrants(std::vector<double>{1, 2, 3}, std::vector<double>{3, 2, 1});
  EXPECT_EQ(q3[1], quadrant::keep_up);
  EXPECT_EQ(q3[0], quadrant::possible_overkill);
  EXPECT_EQ(q3[2], quadrant::fix_first);
  EXPECT_DOUBLE_EQ(median(std::vector<double>{4, 1, 3, 2}), 2.5);
  EXPECT_THROW((void)quadrants(std::vector<double>{1}, std::vector<double>{}), invalid_argument);
  EXPECT_THROW((void)median(std::vector<double>{1, NAN}), invalid_argument);
}

// ---- declared fields ---------------------------------------------------------------------

response_table table_of(const std::string& text, const schema& s) {
  ingest_options o;
  o.schema = s;
  response_table t(schema_of(o));
  ingest_sink sink;
  sink.on_batch = [&](const response_batch& b) { b.append_to(t); };
  sink.on_reject = [](const ingest_reject& r) { ADD_FAILURE() << "reject: " << r.reason; };
  (void)stream_responses_csv_text(text, "t", o, sink);
  return t;
}

TEST(DriverInput, ReadsDeclaredScoreAndNumericFieldsListwise) {
  const schema s = schema_builder().score("q1", scale::custom(1, 5, 4, 2)).numeric("spend").category("region").build();
  const std::string csv =
      "nps,q1,spend,region\n9,5,10.5,n\n7,4,3,s\n3,1,,n\n10,5,20,s\n6,2,1,n\n8,,4,s\n5,3,2.5,n\n";
  const response_table t = table_of(csv, s);
  driver_input in(t.schema(), "nps", {"q1", "spend"});
  in.add(t);
  // Complete rows: 1, 2, 4, 5, 7 (q1 = 5, 4, 5, 2, 3; spend 10.5, 3, 20, 1, 2.5).
  EXPECT_EQ(in.state().complete(), 5u);
  EXPECT_EQ(in.state().dropped(missing_policy::listwise), 2u);
  EXPECT_NEAR(in.mean(0).value(), 19.0 / 5, 1e-12);
  EXPECT_NEAR(in.mean(1).value(), 37.0 / 5, 1e-12);
  // Top box of q1 (4-5): 3 of 5; Wilson 95%: 0.2307..0.8824 (R: prop.test(3, 5, correct = FALSE)$conf.int).
  const auto top = in.top_box(0);
  ASSERT_TRUE(top && top->ok());
  EXPECT_NEAR(top->value(), 0.6, 1e-12);
  EXPECT_NEAR(top->ci()->lower, 0.2307, 1e-4);
  EXPECT_NEAR(top->ci()->upper, 0.8824, 1e-4);
  EXPECT_FALSE(in.top_box(1));
  // Mean t interval of q1 over {5, 4, 5, 2, 3}: 3.8 ± qt(.975, 4)·sd/√5, sd = 1.30384.
  EXPECT_NEAR(in.mean(0).ci()->upper, 3.8 + 2.776445 * 1.30384 / std::sqrt(5.0), 1e-4);
  // The moments equal those of the same rows added by hand.
  moments by_hand(3);
  for (const auto& r : rows_t{{9, 5, 10.5}, {7, 4, 3}, {10, 5, 20}, {6, 2, 1}, {5, 3, 2.5}}) by_hand.add(r);
  for (std::size_t i = 0; i < 9; ++i) EXPECT_NEAR(in.state().correlation()[i], by_hand.correlation()[i], 1e-13);
  EXPECT_THROW(driver_input(t.schema(), "nps", {"q9"}), invalid_argument);
  EXPECT_THROW(driver_input(t.schema(), "nps", {"region"}), invalid_argument);
  EXPECT_THROW(driver_input(t.schema(), "q1", {"Q1"}), invalid_argument);
}

}  // namespace
