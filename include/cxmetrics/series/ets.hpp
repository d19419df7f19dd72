// Exponential smoothing in state-space form: the ETS family of Hyndman,
// Koehler, Ord & Snyder (2008), "Forecasting with Exponential Smoothing: the
// state space approach", Springer (chapters 2, 5, 6 and 10).
//
// A model is named by three letters, error-trend-season: error A (additive)
// or M (multiplicative); trend N (none), A (additive) or Ad (additive damped);
// season N, A or M. "ANN" is simple exponential smoothing, "AAdN" damped Holt,
// "MAM" multiplicative Holt-Winters with multiplicative errors. As in the
// default of R's forecast::ets (restrict = TRUE, no multiplicative trend):
//   - additive error with a multiplicative season (AxM) is not admissible;
//   - models with a multiplicative part need strictly positive data;
//   - seasonal models need a period m >= 2, m <= 24 and more than m points.
//
// State x_t = (level l, trend b, seasons s_{t-1} ... s_{t-m}). With T the
// level plus (damped) trend of the last state and S = s_{t-m}:
//   one-step mean   mu_t = T (+ S | * S)
//   error           e_t = y_t - mu_t (A)   or (y_t - mu_t) / mu_t (M)
//   level           l_t = T + alpha (a_t - T),   a_t = y_t (- S | / S)
//   trend           b_t = phi b + (beta / alpha) (l_t - l_{t-1} - phi b)
//   season          s_t = S + gamma (y_t - T - S)  |  S + gamma (y_t / T - S)
// (the error-correction form of the book's Table 2.3, the same for both
// error types; phi = 1 for trend A).
//
// Likelihood (book eq. 5.3, sigma^2 concentrated out): with n points,
//   log L = -n/2 (log(2 pi sigma^2) + 1) - sum log|mu_t| [M error only],
//   sigma^2 = (1/n) sum e_t^2,
// a Gaussian log-likelihood of y in both error types, so additive and
// multiplicative models compare on one scale. AICc = -2 log L + 2k +
// 2k(k+1)/(n-k-1), k = smoothing parameters + free initial states + 1
// (R's count: the m seasonal starting values sum to 0, or to m, so m-1 are
// free).
//
// Estimation: smoothing parameters and initial states jointly by maximum
// likelihood (a Nelder-Mead simplex of our own with the dimension-adapted
// coefficients of Gao & Han 2012, restarted once from its optimum), inside
// the usual region
//   1e-4 < alpha < 0.9999, 1e-4 < beta < alpha, 1e-4 < gamma < 1 - alpha,
//   0.8 <= phi <= 0.98
// and, for seasonal models, the admissible region (the roots of the
// characteristic polynomial of the book's chapter 10 inside the unit
// circle, tested by the Schur-Cohn step-down recursion). Starting states by
// the heuristic of the book's section 2.6.1: seasonal indices from a 2xm
// centred moving average over the first years, level and slope from a linear
// fit to the first ten seasonally adjusted values (level: their mean for
// trend N).
//
// Forecasts: point forecasts from the recursion with zero errors. Prediction
// intervals are normal, mean +- z sd, with the exact mean and variance of
// y_{n+h} given the last state, for the three classes of Hyndman, Koehler,
// Ord & Snyder (2005, J. Forecasting 24, 17-37; book chapter 6), as R's
// forecast::ets does by default:
//   class 1 (ANN AAN AAdN ANA AAA AAdA, linear): sigma_h^2 = sigma^2 (1 +
//     sum_{j<h} c_j^2), c_j = w' F^{j-1} g (book eq. 6.1);
//   class 2 (MNN MAN MAdN MNA MAA MAdA, multiplicative error): v_h = (1 +
//     sigma^2) theta_h - mu_h^2, theta_1 = mu_1^2, theta_h = mu_h^2 + sigma^2
//     sum_{j<h} c_j^2 theta_{h-j}, with the c_j of class 1;
//   class 3 (MNM MAM MAdM, multiplicative error and season): the first two
//     moments from the level/trend pair and the season in use (derived in
//     src/series/ets_forecast.cpp); here the mean exceeds the point forecast
//     for h > m by a term of order sigma^2, and the reported mean is the
//     exact one, as in R.
// Models outside the classes (an additive error with a multiplicative
// season, built by hand), and every model with ets_forecast_options::simulate,
// take the 2.5/10/90/97.5 % quantiles of seeded sample paths instead.
// sigma^2 there is the residual variance over n - p (p free parameters), as in R.
//
// Header: cxmetrics/series/ets.hpp. Bounded series and backtests:
// cxmetrics/series/forecast.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/export.hpp"

namespace cxm::inline v0_1::forecasting {

enum class ets_error : unsigned char { additive, multiplicative };
enum class ets_trend : unsigned char { none, additive, damped };
enum class ets_season : unsigned char { none, additive, multiplicative };

/// A member of the family: "ANN", "AAdN", "MAM", ...
struct ets_spec {
  ets_error error = ets_error::additive;
  ets_trend trend = ets_trend::none;
  ets_season season = ets_season::none;

  /// "ANN", "AAdM", ...
  [[nodiscard]] CXMETRICS_API std::string name() const;
  /// The spec of a name ("ANN", "AAdN", "MAM"; case-sensitive as in the
  /// book, "Ad" for damped), nullopt for anything else, including the
  /// excluded AxM and multiplicative trends.
  [[nodiscard]] CXMETRICS_API static std::optional<ets_spec> parse(std::string_view name);
  /// Linear model (class 1): additive error, no multiplicative season.
  [[nodiscard]] bool linear() const noexcept {
    return error == ets_error::additive && season != ets_season::multiplicative;
  }
  [[nodiscard]] bool operator==(const ets_spec&) const = default;
};

/// The class of a model for its prediction intervals (see the header
/// comment): 1 linear, 2 multiplicative error with additive trend and season,
/// 3 multiplicative error and season; `none` (an additive error with a
/// multiplicative season) has no analytic variance and is simulated.
enum class ets_class : unsigned char { none = 0, linear = 1, multiplicative_error = 2, multiplicative_season = 3 };

[[nodiscard]] constexpr ets_class ets_class_of(const ets_spec& s) noexcept {
  if (s.error == ets_error::additive) {
    return s.season == ets_season::multiplicative ? ets_class::none : ets_class::linear;
  }
  return s.season == ets_season::multiplicative ? ets_class::multiplicative_season : ets_class::multiplicative_error;
}

/// Smoothing parameters; beta, gamma and phi are unused (0, 0, 1) when the
/// model has no trend, season or damping.
struct ets_params {
  double alpha = 0.5;
  double beta = 0.0;
  double gamma = 0.0;
  double phi = 1.0;
};

/// A state (level, trend, seasons). season[0] is the most recent seasonal
/// state s_{t-1}, season[m-1] the oldest s_{t-m}, the one the next point uses.
struct ets_state {
  double level = 0.0;
  double trend = 0.0;
  std::vector<double> season;
};

/// A fitted model.
struct ets_model {
  ets_spec spec;
  int period = 1;             ///< m: 1 for a model without season
  ets_params params;
  ets_state initial;          ///< x_0
  ets_state last;             ///< x_n, where forecasts start
  /// sum e_t^2 / (n - p), p = k - 1 the smoothing parameters and free
  /// initial states (relative errors for M), as R's ets() reports it; the
  /// forecast variances and sample paths use it. The likelihood's variance
  /// is sum e_t^2 / n (ets_filter_result::sigma2).
  double sigma2 = 0.0;
  double loglik = 0.0;        ///< Gaussian log-likelihood of y (see above)
  double aic = 0.0, aicc = 0.0, bic = 0.0;
  int n_params = 0;           ///< k of the information criteria (sigma included)
  std::size_t n = 0;          ///< points fitted
  std::vector<double> fitted;     ///< one-step means mu_t
  std::vector<double> residuals;  ///< e_t (relative for M)
};

/// Result of running the recursion with given parameters and x_0.
struct ets_filter_result {
  double loglik = 0.0;
  double sigma2 = 0.0;  ///< (1/n) sum e_t^2, the maximum-likelihood variance
  std::vector<double> fitted;
  std::vector<double> residuals;
  ets_state last;
};

/// The recursion for fixed parameters and initial state (the likelihood of
/// a given model). Throws invalid_argument when the spec does not fit the
/// data (multiplicative part with a value <= 0, season size != period).
[[nodiscard]] CXMETRICS_API ets_filter_result ets_filter(std::span<const double> y, const ets_spec& spec, int period,
                                                         const ets_params& params, const ets_state& initial);

/// Whether parameters lie in the usual region and (seasonal models) the
/// admissible one; `period` is m.
[[nodiscard]] CXMETRICS_API bool ets_admissible(const ets_spec& spec, int period, const ets_params& params);

struct ets_fit_options {
  int max_evaluations = 1500;  ///< first Nelder-Mead run; the restart gets a third
  bool additive_only = false;  ///< auto_ets: only the linear models (AxN, AxA)
  /// auto_ets: every candidate is first fitted with 2/5 of the budget; those
  /// within this AICc of the least are refined with the full budget.
  double refine_within = 10.0;
};

/// Fits one model by maximum likelihood. Throws invalid_argument when the
/// model is not admissible for the data (see the header comment) or the
/// series is too short for its parameters (n <= k + 1, k as in AICc).
[[nodiscard]] CXMETRICS_API ets_model fit_ets(std::span<const double> y, const ets_spec& spec, int period,
                                              const ets_fit_options& options = {});

/// Every admissible model for these data and period (the 15 of R's default
/// for positive seasonal data, fewer otherwise), each feasible for n.
[[nodiscard]] CXMETRICS_API std::vector<ets_spec> ets_candidates(std::span<const double> y, int period);

/// Fits every candidate (only the linear ones with options.additive_only)
/// and returns the one of least AICc. To save time, candidates are first
/// fitted with a short search and only those within options.refine_within
/// of the least AICc get the full one (a model more than that behind after
/// the short search is taken not to win). Throws
/// invalid_argument for a series of fewer than 3 points or with a
/// non-finite value.
[[nodiscard]] CXMETRICS_API ets_model auto_ets(std::span<const double> y, int period,
                                               const ets_fit_options& options = {});

/// One step of a forecast: the mean and the bounds of the central 80 % and
/// 95 % prediction intervals.
struct forecast_point {
  double mean = 0.0;
  double lo80 = 0.0, hi80 = 0.0;
  double lo95 = 0.0, hi95 = 0.0;
};

struct ets_forecast_options {
  std::size_t horizon = 1;
  std::size_t paths = 5000;         ///< sample paths when simulated (at least 100)
  std::uint64_t seed = 0x5eed;      ///< of the sample paths
  /// Intervals from sample paths for every model, as R's forecast(simulate =
  /// TRUE); otherwise only for models outside classes 1-3.
  bool simulate = false;
};

/// Forecasts 1..horizon steps after the data the model was fitted to.
[[nodiscard]] CXMETRICS_API std::vector<forecast_point> forecast(const ets_model& model,
                                                                 const ets_forecast_options& options);

/// Simulates `length` points of a model from state `start` with Gaussian
/// errors of variance sigma2, seeded: for tests and studies.
[[nodiscard]] CXMETRICS_API std::vector<double> ets_simulate(const ets_spec& spec, int period, const ets_params& params,
                                                             const ets_state& start, double sigma2, std::size_t length,
                                                             std::uint64_t seed);

}  // namespace cxm::inline v0_1::forecasting
