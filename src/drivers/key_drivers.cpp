// Key-driver measures from a correlation matrix, with Eigen (see
// include/cxmetrics/drivers/key_drivers.hpp for the formulas and sources).
#include "cxmetrics/drivers/key_drivers.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/stats/bootstrap.hpp"
#include "cxmetrics/stats/distributions.hpp"

namespace cxm::inline v0_1::drivers {
namespace {

using matrix = Eigen::MatrixXd;
using vector = Eigen::VectorXd;

// Below this smallest eigenvalue of R_xx the drivers are called collinear.
constexpr double singular_eigenvalue = 1e-10;
// A VIF above this is reported as a warning (a common rule of thumb).
constexpr double vif_warning = 10.0;

std::string in_quotes(const std::string& s) { return "'" + s + "'"; }

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + in_quotes(v[i]);
  return out;
}

const std::string& name_of(std::size_t v, const std::string& outcome, std::span<const std::string> drivers) {
  return v == 0 ? outcome : drivers[v - 1];
}

void check_names(std::size_t variables, const std::string& outcome, std::span<const std::string> drivers) {
  if (drivers.empty()) throw invalid_argument("a driver analysis needs at least one driver");
  if (variables != drivers.size() + 1) {
    throw invalid_argument("moments of " + std::to_string(variables) + " variables analysed with the outcome and " +
                           std::to_string(drivers.size()) + " drivers");
  }
  for (std::size_t i = 0; i <= drivers.size(); ++i) {
    for (std::size_t j = i + 1; j <= drivers.size(); ++j) {
      if (name_of(i, outcome, drivers) == name_of(j, outcome, drivers)) {
        throw invalid_argument("field " + in_quotes(name_of(i, outcome, drivers)) +
                               " is named twice among the outcome and drivers");
      }
    }
  }
}

// R² of the outcome on the drivers of `mask` (bit j: driver j).
double subset_r2(const matrix& rxx, const vector& rxy, std::uint32_t mask, matrix& sub, vector& rs) {
  const auto k = static_cast<std::size_t>(rxx.rows());
  std::size_t idx[32];
  std::size_t s = 0;
  for (std::size_t j = 0; j < k; ++j) {
    if (mask & (std::uint32_t{1} << j)) idx[s++] = j;
  }
  if (s == 0) return 0.0;
  const auto ss = static_cast<Eigen::Index>(s);
  sub.resize(ss, ss);
  rs.resize(ss);
  for (std::size_t a = 0; a < s; ++a) {
    rs(static_cast<Eigen::Index>(a)) = rxy(static_cast<Eigen::Index>(idx[a]));
    for (std::size_t b = 0; b < s; ++b) {
      sub(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) =
          rxx(static_cast<Eigen::Index>(idx[a]), static_cast<Eigen::Index>(idx[b]));
    }
  }
  const Eigen::LLT<matrix> llt(sub);
  const vector z = llt.matrixL().solve(rs);
  return z.squaredNorm();
}

// LMG: the Shapley value of R² over the 2^k subsets.
std::vector<double> lmg_of(const matrix& rxx, const vector& rxy) {
  const auto k = static_cast<std::size_t>(rxx.rows());
  const std::uint32_t subsets = std::uint32_t{1} << k;
  std::vector<double> r2(subsets);
  matrix sub;
  vector rs;
  for (std::uint32_t mask = 0; mask < subsets; ++mask) r2[mask] = subset_r2(rxx, rxy, mask, sub, rs);
  // weight(s) = s!(k − s − 1)!/k!, by the recurrence weight(s+1) = weight(s)·(s+1)/(k−s−1).
  std::vector<double> weight(k);
  weight[0] = 1.0 / static_cast<double>(k);
  for (std::size_t s = 0; s + 1 < k; ++s) {
    weight[s + 1] = weight[s] * static_cast<double>(s + 1) / static_cast<double>(k - s - 1);
  }
  std::vector<double> out(k, 0.0);
  for (std::uint32_t mask = 0; mask < subsets; ++mask) {
    const auto s = static_cast<std::size_t>(std::popcount(mask));
    for (std::size_t j = 0; j < k; ++j) {
      const std::uint32_t bit = std::uint32_t{1} << j;
      if (mask & bit) continue;
      out[j] += weight[s] * (r2[mask | bit] - r2[mask]);
    }
  }
  return out;
}

}  // namespace

driver_analysis analyse_correlation(std::span<const double> r, std::uint64_t n, const std::string& outcome,
                                    std::span<const std::string> drivers, const driver_options& options) {
  check_level(options.level);
  const std::size_t k = drivers.size();
  const std::size_t m = k + 1;
  if (r.size() != m * m) {
    throw invalid_argument("a correlation matrix of " + std::to_string(r.size()) + " entries for " +
                           std::to_string(m) + " variables (needs " + std::to_string(m * m) + ")");
  }
  check_names(m, outcome, drivers);
  if (options.lmg && k > max_lmg_drivers) {
    throw invalid_argument("exact LMG over " + std::to_string(k) + " drivers needs 2^" + std::to_string(k) + " = " +
                           std::to_string(std::uint64_t{1} << std::min<std::size_t>(k, 63)) +
                           " subset regressions; it is limited to " + std::to_string(max_lmg_drivers) +
                           " drivers (2^15 = 32768): use fewer drivers or the other measures (relweight, pratt, "
                           "first, last, beta)");
  }
  for (std::size_t i = 0; i < m; ++i) {
    if (!(r[i * m + i] == 1.0)) {
      throw invalid_value("the field does not vary over the rows analysed (or has fewer than 2): it has no "
                          "correlation with anything",
                          at_field(name_of(i, outcome, drivers)));
    }
    for (std::size_t j = 0; j < m; ++j) {
      const double x = r[i * m + j];
      if (!std::isfinite(x) || std::abs(x) > 1.0 + 1e-12 || !(std::abs(x - r[j * m + i]) <= 1e-12)) {
        throw invalid_value("the correlation of " + in_quotes(name_of(i, outcome, drivers)) + " and " +
                            in_quotes(name_of(j, outcome, drivers)) +
                            " is not a number in [-1, 1] symmetric in the pair (no rows with both, or one does "
                            "not vary over them)",
                            at_field(name_of(i, outcome, drivers)));
      }
    }
  }
  if (n < k + 2) {
    throw invalid_value(std::to_string(k) + " driver(s) need at least " + std::to_string(k + 2) +
                            " rows (n - k - 1 >= 1 residual degrees of freedom), got " + std::to_string(n),
                        at_field(outcome));
  }

  const auto ki = static_cast<Eigen::Index>(k);
  matrix rxx(ki, ki);
  vector rxy(ki);
  for (std::size_t i = 0; i < k; ++i) {
    rxy(static_cast<Eigen::Index>(i)) = r[(i + 1) * m];
    for (std::size_t j = 0; j < k; ++j) {
      rxx(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = r[(i + 1) * m + j + 1];
    }
  }
  driver_analysis out;
  out.outcome = outcome;
  out.n = n;

  const Eigen::SelfAdjointEigenSolver<matrix> eig(rxx);
  const vector lambda = eig.eigenvalues();  // ascending
  const matrix& p = eig.eigenvectors();
  if (lambda(0) < -singular_eigenvalue) {
    throw invalid_value("the drivers' correlation matrix is not positive semi-definite (smallest eigenvalue " +
                            std::to_string(lambda(0)) +
                            "): pairwise correlations that no data set could have; use listwise deletion",
                        at_field(drivers[0]));
  }
  if (!(lambda(0) > singular_eigenvalue)) {
    std::vector<std::string> involved;
    for (std::size_t j = 0; j < k; ++j) {
      if (std::abs(p(static_cast<Eigen::Index>(j), 0)) > 0.1) involved.push_back(drivers[j]);
    }
    throw invalid_value(
        "the drivers " + join(involved) +
            " are collinear (one is a linear combination of the others: the smallest eigenvalue of their "
            "correlation matrix is " +
            std::to_string(lambda(0)) + "); drop one of them",
        at_field(involved.empty() ? drivers[0] : involved[0]));
  }
  const vector inv_sqrt = lambda.array().rsqrt().matrix();
  const matrix rinv = p * lambda.cwiseInverse().asDiagonal() * p.transpose();
  const vector beta = rinv * rxy;
  const double r2 = rxy.dot(beta);
  if (!(r2 <= 1.0 + 1e-9)) {
    throw invalid_value("the correlations give an R² of " + std::to_string(r2) +
                            ", above 1: pairwise correlations that no data set could have; use listwise deletion",
                        at_field(outcome));
  }
  out.r2 = std::min(r2, 1.0);
  if (out.r2 > 1.0 - 1e-12) out.warnings.push_back("the drivers predict the outcome exactly (R² = 1)");

  // Johnson's relative weights: Λ* = PΛ^{1/2}Pᵀ, β* = Λ*⁻¹r = PΛ^{-1/2}Pᵀr.
  const matrix lam_star = p * lambda.cwiseSqrt().asDiagonal() * p.transpose();
  const vector beta_star = p * (inv_sqrt.asDiagonal() * (p.transpose() * rxy));
  const vector relweight = lam_star.cwiseAbs2() * beta_star.cwiseAbs2();

  std::vector<double> lmg(k, std::numeric_limits<double>::quiet_NaN());
  if (options.lmg) lmg = lmg_of(rxx, rxy);

  const double df = static_cast<double>(n - k - 1);
  const double t = stats::t_for_level(options.level, df);
  for (std::size_t j = 0; j < k; ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    driver_importance d;
    d.name = drivers[j];
    d.beta_std = beta(jj);
    d.vif = rinv(jj, jj);
    d.beta_se = std::sqrt(std::max(0.0, 1.0 - out.r2) / df * d.vif);
    d.beta_ci = interval{d.beta_std - t * d.beta_se, d.beta_std + t * d.beta_se, options.level, interval_method::t};
    d.first_r2 = rxy(jj) * rxy(jj);
    d.last_r2 = beta(jj) * beta(jj) / d.vif;
    d.pratt = beta(jj) * rxy(jj);
    d.lmg = lmg[j];
    d.relweight = relweight(jj);
    if (d.vif > vif_warning) {
      out.warnings.push_back("driver " + in_quotes(d.name) + " has a variance inflation factor of " +
                             std::to_string(d.vif) + " (above 10): its beta and last R² are unstable");
    }
    for (const double x : {d.beta_std, d.beta_se, d.first_r2, d.last_r2, d.pratt, d.relweight}) {
      if (!std::isfinite(x)) {
        throw invalid_value("a measure of the driver is not finite (ill-conditioned correlations)", at_field(d.name));
      }
    }
    out.drivers.push_back(std::move(d));
  }
  return out;
}

driver_analysis analyse_drivers(const moments& m, const std::string& outcome, std::span<const std::string> drivers,
                                const driver_options& options) {
  check_names(m.variables(), outcome, drivers);
  const std::size_t vars = m.variables();
  const bool listwise = m.policy() == missing_policy::listwise;
  std::uint64_t n = listwise ? m.complete() : std::numeric_limits<std::uint64_t>::max();
  if (!listwise) {
    for (std::size_t i = 0; i < vars; ++i) {
      for (std::size_t j = i; j < vars; ++j) n = std::min(n, m.pair_count(i, j));
    }
  }
  const std::size_t k = drivers.size();
  if (n < k + 2) {
    const std::string where = listwise ? " rows with every value present (" + std::to_string(m.dropped(missing_policy::listwise)) +
                                             " of " + std::to_string(m.rows()) + " dropped for a missing value)"
                                       : " rows in the pair with the fewest (pairwise)";
    throw invalid_value(std::to_string(k) + " driver(s) need at least " + std::to_string(k + 2) +
                            " rows (n - k - 1 >= 1 residual degrees of freedom), got " + std::to_string(n) + where,
                        at_field(outcome));
  }
  // A variable that does not vary: its sum of squares is zero up to
  // rounding (a block mean of equal values may differ from them in the last bit).
  for (std::size_t i = 0; i < vars; ++i) {
    const double ss = listwise ? m.comoment(i, i) : m.pair_sum_squares(i, i);
    const double mean = listwise ? m.mean(i) : m.pair_mean(i, i);
    const double rows = static_cast<double>(listwise ? m.complete() : m.pair_count(i, i));
    const double tiny = 1e-10 * std::max(1.0, std::abs(mean));
    if (!(ss > rows * tiny * tiny)) {
      throw invalid_value("the field does not vary: every one of its " + std::to_string(static_cast<std::uint64_t>(rows)) +
                              " values analysed is " + std::to_string(mean) +
                              ", so it explains nothing and has no correlation",
                          at_field(name_of(i, outcome, drivers)));
    }
  }
  driver_analysis out = analyse_correlation(m.correlation(), n, outcome, drivers, options);
  out.policy = m.policy();
  out.rows = m.rows();
  out.dropped_listwise = m.dropped(missing_policy::listwise);
  out.dropped_pairwise = m.dropped(missing_policy::pairwise);
  return out;
}

driver_bootstrap bootstrap_drivers(std::span<const double> data, std::size_t drivers, missing_policy policy,
                                   const driver_options& options, const bootstrap_options& boot) {
  check_level(options.level);
  const std::size_t m = drivers + 1;
  if (drivers == 0 || data.size() % m != 0) {
    throw invalid_argument("bootstrap data of " + std::to_string(data.size()) + " values is not rows of " +
                           std::to_string(m) + " (the outcome and " + std::to_string(drivers) + " drivers)");
  }
  if (boot.replicates < 2) {
    throw invalid_argument("bootstrap needs at least 2 replicates, got " + std::to_string(boot.replicates));
  }
  const std::size_t rows = data.size() / m;
  if (rows == 0) throw invalid_value("bootstrap of no rows");
  std::vector<std::string> names(drivers);
  for (std::size_t j = 0; j < drivers; ++j) names[j] = "x" + std::to_string(j + 1);
  const std::string outcome = "y";

  // values[measure][driver] over the replicates; r2 apart.
  constexpr std::size_t measures = 6;
  std::vector<std::vector<std::vector<double>>> values(measures, std::vector<std::vector<double>>(drivers));
  std::vector<double> r2;
  boost::random::mt19937_64 rng(boot.seed);
  boost::random::uniform_int_distribution<std::size_t> pick(0, rows - 1);
  std::vector<double> cols(m * rows);
  std::vector<const double*> ptr(m);
  for (std::size_t i = 0; i < m; ++i) ptr[i] = cols.data() + i * rows;
  driver_bootstrap out;
  out.replicates = boot.replicates;
  for (std::size_t b = 0; b < boot.replicates; ++b) {
    for (std::size_t r = 0; r < rows; ++r) {
      const double* row = data.data() + pick(rng) * m;
      for (std::size_t i = 0; i < m; ++i) cols[i * rows + r] = row[i];
    }
    moments mm(m, policy);
    mm.add_columns(ptr, rows);
    driver_analysis a;
    try {
      a = analyse_drivers(mm, outcome, names, options);
    } catch (const invalid_value&) {
      ++out.failed;
      continue;
    }
    r2.push_back(a.r2);
    for (std::size_t j = 0; j < drivers; ++j) {
      const auto& d = a.drivers[j];
      const double v[measures] = {d.beta_std, d.first_r2, d.last_r2, d.pratt, d.lmg, d.relweight};
      for (std::size_t q = 0; q < measures; ++q) values[q][j].push_back(v[q]);
    }
  }
  if (out.failed * 2 > boot.replicates) {
    throw invalid_value(std::to_string(out.failed) + " of " + std::to_string(boot.replicates) +
                        " bootstrap resamples could not be analysed (a driver constant or collinear in the "
                        "resample): too few rows for a bootstrap");
  }
  const double alpha = 1.0 - options.level;
  const auto ci = [&](std::vector<double>& v) {
    if (std::any_of(v.begin(), v.end(), [](double x) { return std::isnan(x); })) {
      const double nan = std::numeric_limits<double>::quiet_NaN();
      return interval{nan, nan, options.level, interval_method::bootstrap};
    }
    std::sort(v.begin(), v.end());
    return interval{stats::percentile_sorted(v, alpha / 2), stats::percentile_sorted(v, 1 - alpha / 2), options.level,
                    interval_method::bootstrap};
  };
  out.r2 = ci(r2);
  for (std::size_t j = 0; j < drivers; ++j) {
    driver_intervals d;
    d.beta_std = ci(values[0][j]);
    d.first_r2 = ci(values[1][j]);
    d.last_r2 = ci(values[2][j]);
    d.pratt = ci(values[3][j]);
    d.lmg = ci(values[4][j]);
    d.relweight = ci(values[5][j]);
    out.drivers.push_back(d);
  }
  return out;
}

double median(std::span<const double> v) {
  if (v.empty()) throw invalid_argument("the median of no values");
  std::vector<double> s(v.begin(), v.end());
  if (std::any_of(s.begin(), s.end(), [](double x) { return std::isnan(x); })) {
    throw invalid_argument("the median of values holding a NaN");
  }
  std::sort(s.begin(), s.end());
  const std::size_t h = s.size() / 2;
  return s.size() % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

std::vector<quadrant> quadrants(std::span<const double> importance, std::span<const double> performance) {
  if (importance.size() != performance.size()) {
    throw invalid_argument(std::to_string(importance.size()) + " importances and " +
                           std::to_string(performance.size()) + " performances");
  }
  const double mi = median(importance);
  const double mp = median(performance);
  std::vector<quadrant> out;
  for (std::size_t j = 0; j < importance.size(); ++j) {
    const bool hi = importance[j] >= mi;
    const bool hp = performance[j] >= mp;
    out.push_back(hi ? (hp ? quadrant::keep_up : quadrant::fix_first)
                     : (hp ? quadrant::possible_overkill : quadrant::low_priority));
  }
  return out;
}

}  // namespace cxm::drivers
