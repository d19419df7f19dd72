// Key-driver analysis: how much of an outcome's variance (likelihood to
// recommend, CSAT, ...) each of k drivers accounts for, by six measures,
// all computed from the (k + 1) × (k + 1) correlation matrix R of a
// drivers::moments state (outcome first), so one pass over the rows is the
// whole cost of reading them. With R_xx the drivers' correlations, r the
// drivers' correlations with the outcome and R²(S) = r_Sᵀ R_SS⁻¹ r_S the R²
// of the regression on a subset S of drivers:
//
//   beta_std  β = R_xx⁻¹ r, the standardised OLS coefficients; their t
//             interval β_j ± t_{1−α/2, n−k−1}·√((1 − R²)/(n − k − 1)·(R_xx⁻¹)_jj)
//             (the OLS interval of the coefficient on standardised
//             variables, sample SDs taken as known)
//   first_r2  r_j², the zero-order R² of driver j alone
//   last_r2   R² − R²(all but j) = β_j² / (R_xx⁻¹)_jj, the usefulness
//             (Darlington 1968)
//   pratt     β_j·r_j (Pratt 1987); sums to R²
//   lmg       the Shapley value of R² (Lindeman, Merenda & Gold 1980; Grömping
//             2006, relaimpo): the mean over the k! orders of the drivers of
//             j's gain in R² when it enters, computed exactly over the 2^k
//             subsets, S ⊆ others weighted |S|!(k − |S| − 1)!/k!; sums to R².
//             Exact only up to max_lmg_drivers = 15 (2^15 = 32,768 subset
//             regressions); more drivers is invalid_argument naming the cost
//   relweight Johnson's relative weights (Johnson 2000, Multivariate
//             Behavioral Research 35:1–19): with R_xx = PΛPᵀ and
//             Λ* = PΛ^{1/2}Pᵀ (the correlations of X with its closest
//             orthonormal Z), β* = Λ*⁻¹ r and ε_j = Σ_i Λ*_ji²·β*_i²; sums to R²
//
// Bad data is a typed error, never a NaN: fewer complete rows than k + 2
// (n − k − 1 residual degrees of freedom needed), an outcome or driver
// that does not vary, a pair whose pairwise correlation has no rows, or
// drivers so collinear that R_xx is singular (smallest eigenvalue below
// 1e-10; the message names the drivers of that eigenvector), or pairwise
// correlations that no data set could have (R_xx with a negative
// eigenvalue, or an R² above 1) are each invalid_value naming the field.
// Strong but not singular collinearity (a VIF (R_xx⁻¹)_jj above 10) is a
// warning in the result; a bootstrap counts the replicates it skipped.
//
// Missing values follow the state's policy (drivers/moments.hpp): listwise
// n is the complete rows; pairwise, each correlation uses its own rows and
// n (for the intervals) is the smallest pair count, a conservative choice.
//
// Bootstrap (bootstrap_drivers): B resamples of the rows with replacement
// (every row, so the missing-value policy is applied within each
// resample), each analysed as above; every measure gets the percentile
// interval (R's quantile type 7 of the replicates, stats/bootstrap.hpp).
// Draws: boost::random::mt19937_64 seeded with the seed, rows by Boost's
// uniform_int_distribution, so a seed gives the same intervals everywhere.
// A replicate whose data is degenerate (a constant driver in a small
// resample) is skipped and counted.
//
// Importance × performance (quadrants): per driver an importance (any
// measure above) and a performance (a top-box share or a mean as a
// share of its scale); each is "high" when at or above the median over
// the drivers (the middle driver of an odd count is high), giving
//   fix_first          high importance, low performance
//   keep_up            high importance, high performance
//   possible_overkill  low importance, high performance
//   low_priority       low importance, low performance
//
// Header: cxmetrics/drivers/key_drivers.hpp; implemented in
// src/drivers/key_drivers.cpp (Eigen). Complexity: O(2^k·k³) for LMG, O(k³)
// for the rest; bootstrap O(B·(rows·(k + 1)² + 2^k·k³)).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/drivers/moments.hpp"
#include "cxmetrics/export.hpp"

namespace cxm::inline v0_1::drivers {

/// The most drivers exact LMG takes (2^15 subset regressions).
inline constexpr std::size_t max_lmg_drivers = 15;

/// What to compute.
struct driver_options {
  double level = 0.95;  ///< of the beta_std t intervals (and the bootstrap's)
  bool lmg = true;      ///< compute LMG (2^k subset regressions; off: NaN lmg, no limit on k)
};

/// One driver's importances (R² shares, except beta_std).
struct driver_importance {
  std::string name;
  double beta_std = 0.0;
  double beta_se = 0.0;
  interval beta_ci;  ///< t interval, n − k − 1 degrees of freedom
  double first_r2 = 0.0;
  double last_r2 = 0.0;
  double pratt = 0.0;
  double lmg = 0.0;  ///< NaN when options.lmg is off
  double relweight = 0.0;
  double vif = 0.0;  ///< variance inflation factor (R_xx⁻¹)_jj
};

/// The analysis of one outcome on k drivers.
struct driver_analysis {
  std::string outcome;
  std::vector<driver_importance> drivers;  ///< in the order given
  double r2 = 0.0;                         ///< R² of the full model
  std::uint64_t n = 0;                     ///< rows the analysis rests on (pairwise: the smallest pair count)
  missing_policy policy = missing_policy::listwise;
  std::uint64_t rows = 0;                  ///< rows seen
  std::uint64_t dropped_listwise = 0;      ///< rows with a value missing
  std::uint64_t dropped_pairwise = 0;      ///< rows with fewer than two values
  std::vector<std::string> warnings;       ///< collinearity, pairwise R not positive definite, ...
};

/// The analysis of `m` (variable 0 the outcome, 1..k the drivers), named
/// `outcome` and `drivers` (k names). Throws invalid_value for bad data
/// and invalid_argument for bad arguments (see the header comment).
[[nodiscard]] CXMETRICS_API driver_analysis analyse_drivers(const moments& m, const std::string& outcome,
                                                           std::span<const std::string> drivers,
                                                           const driver_options& options = {});

/// The same from a correlation matrix (row-major (k + 1)², outcome first)
/// and n: what analyse_drivers computes once R is known.
[[nodiscard]] CXMETRICS_API driver_analysis analyse_correlation(std::span<const double> r, std::uint64_t n,
                                                               const std::string& outcome,
                                                               std::span<const std::string> drivers,
                                                               const driver_options& options = {});

struct bootstrap_options {
  std::size_t replicates = 2000;
  std::uint64_t seed = 0;
};

/// Percentile intervals of every measure, per driver.
struct driver_intervals {
  interval beta_std, first_r2, last_r2, pratt, lmg, relweight;
};
struct driver_bootstrap {
  std::vector<driver_intervals> drivers;  ///< in the order of the drivers
  interval r2;
  std::size_t replicates = 0;  ///< replicates asked for
  std::size_t failed = 0;      ///< replicates skipped (degenerate resample)
};

/// Seeded bootstrap of analyse_drivers over the rows of `data`, row-major
/// with k + 1 values a row (outcome first, NaN missing), under `policy`.
/// Throws invalid_argument for fewer than 2 replicates or a ragged `data`,
/// invalid_value when more than half the replicates fail.
[[nodiscard]] CXMETRICS_API driver_bootstrap bootstrap_drivers(std::span<const double> data, std::size_t drivers,
                                                              missing_policy policy, const driver_options& options,
                                                              const bootstrap_options& boot);

/// The four quadrants of importance × performance (see the header comment).
enum class quadrant : std::uint8_t { fix_first, keep_up, possible_overkill, low_priority };

[[nodiscard]] constexpr const char* to_string(quadrant q) noexcept {
  switch (q) {
    case quadrant::fix_first: return "fix_first";
    case quadrant::keep_up: return "keep_up";
    case quadrant::possible_overkill: return "possible_overkill";
    case quadrant::low_priority: return "low_priority";
  }
  return "low_priority";
}

/// The median of `v` (mean of the two middle values for an even count).
/// Throws invalid_argument when `v` is empty or holds a NaN.
[[nodiscard]] CXMETRICS_API double median(std::span<const double> v);

/// The quadrant of each driver: importance and performance split at their
/// medians over the drivers, at or above the median being high. Throws
/// invalid_argument when the spans differ in length, are empty or hold a NaN.
[[nodiscard]] CXMETRICS_API std::vector<quadrant> quadrants(std::span<const double> importance,
                                                           std::span<const double> performance);

}  // namespace cxm::drivers
