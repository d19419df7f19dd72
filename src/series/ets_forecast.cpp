// Forecasts of a fitted ETS model (include/cxmetrics/series/ets.hpp):
// analytic means and variances for the models of classes 1, 2 and 3 (their
// derivations below), seeded sample paths otherwise or on request.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/series/ets.hpp"
#include "cxmetrics/stats/distributions.hpp"
#include "series/ets_recursion.hpp"

namespace cxm::inline v0_1::forecasting {

using detail::damped;
using detail::has_season;
using detail::has_trend;
using detail::recursion;
using detail::ring_state;

namespace {

// Per step h: the mean, and either the normal standard deviation of the
// forecast (classes 1-3) or the sample-path values.
struct forecast_distribution {
  std::vector<double> point;
  std::vector<double> sd;       // empty unless analytic
  std::vector<double> samples;  // empty unless simulated: step j's paths at [j * paths, (j + 1) * paths)
  std::size_t paths = 0;
  [[nodiscard]] bool analytic() const noexcept { return !sd.empty(); }
};

// Puts the order statistics at the sorted positions ks[0] < ks[1] < ... of
// [first, last) (offset: the position of first) in place, by selection
// around the middle one and recursion on each side.
void select_positions(std::vector<double>::iterator first, std::vector<double>::iterator last, std::size_t offset,
                      const std::size_t* ks, std::size_t nk) {
  if (nk == 0 || first == last) return;
  const std::size_t mid = nk / 2;
  const auto at = first + static_cast<std::ptrdiff_t>(ks[mid] - offset);
  std::nth_element(first, at, last);
  select_positions(first, at, offset, ks, mid);
  select_positions(at + 1, last, ks[mid] + 1, ks + mid + 1, nk - mid - 1);
}

// The 2.5, 10, 90 and 97.5 % quantiles of the n values at v (R's default
// definition, type 7); reorders them.
std::array<double, 4> interval_quantiles(std::vector<double>::iterator v, std::size_t n) {
  constexpr double ps[4] = {0.025, 0.1, 0.9, 0.975};
  std::size_t ks[8];
  double frac[4];
  for (int i = 0; i < 4; ++i) {
    const double h = (static_cast<double>(n) - 1.0) * ps[i];
    const auto lo = static_cast<std::size_t>(std::floor(h));
    ks[2 * i] = lo;
    ks[2 * i + 1] = std::min(lo + 1, n - 1);
    frac[i] = h - static_cast<double>(lo);
  }
  // The positions without repeats (neighbours coincide for few values).
  std::size_t uniq[8];
  std::size_t nu = 0;
  for (std::size_t k : ks) {
    if (nu == 0 || k > uniq[nu - 1]) uniq[nu++] = k;
  }
  select_positions(v, v + static_cast<std::ptrdiff_t>(n), 0, uniq, nu);
  std::array<double, 4> out{};
  for (int i = 0; i < 4; ++i) out[i] = v[ks[2 * i]] + frac[i] * (v[ks[2 * i + 1]] - v[ks[2 * i]]);
  return out;
}

// c_j = w' F^{j-1} g for j = 1 .. n - 1 into c[0 .. n-2]: the effect of a
// unit error at t on the mean at t + j under the linear recursion (classes 1
// and 2), found by running the error-free recursion from the impulse state g
// (alpha, beta, gamma in level, trend, newest season).
void impulse_response(const ets_model& model, std::size_t n, std::vector<double>& c) {
  const auto& s = model.spec;
  const bool trend = has_trend(s), season = has_season(s);
  const double phi = damped(s) ? model.params.phi : 1.0;
  const auto m = static_cast<std::size_t>(model.period);
  double level = model.params.alpha, slope = trend ? model.params.beta : 0.0;
  c.assign(n > 0 ? n - 1 : 0, 0.0);
  for (std::size_t j = 1; j < n; ++j) {
    // F^{j-1} g, then w' of it: T plus the season g's gamma sits in when it
    // is the oldest one, every m steps.
    double cj = trend ? level + phi * slope : level;
    if (season && j % m == 0) cj += model.params.gamma;
    c[j - 1] = cj;
    if (trend) {
      level += phi * slope;
      slope *= phi;
    }
  }
}

// Class 3 (multiplicative error and season, trend N/A/Ad: MNM, MAM, MAdM):
// the exact mean and variance of y_{n+h} (Hyndman, Koehler, Ord & Snyder
// 2005, "Prediction intervals for exponential smoothing using two new
// classes of state space models", J. Forecasting 24, 17-37; Hyndman et al.
// 2008, section 6.4), worked out as follows.
//
// Split the state into x = (l, b)' and the seasons. With T_t = l_{t-1} +
// phi b_{t-1} = w1' x_{t-1}, w1 = (1, phi)' (phi = 1 for trend A; b = 0 and
// beta = 0 for trend N) and S_t = s_{t-m}, the model is
//   y_t = T_t S_t (1 + e_t),
//   x_t = (F1 + e_t G1) x_{t-1},  F1 = [1 phi; 0 phi],  G1 = g1 w1', g1 = (alpha, beta)',
//   s_t = S_t (1 + gamma e_t),
// e_t ~ N(0, sigma^2) independent. The general treatment writes the pair as
// p_t = vec(x_t z_t') = (B_t (x) A_t) p_{t-1} over the whole season vector
// z; only one season enters y_{n+h}, which reduces it to 2 x 2 matrices:
// the season used at step h was last updated k = floor((h-1)/m) times, at
// steps h - m, h - 2m, ..., so
//   S_{n+h} = s*_h R_h,  R_h = prod_{i=1..k} (1 + gamma e_{n+h-im}),
// s*_h the value in the last state. e_{n+h} is independent of T_{n+h} R_h, so
//   mu_h = E y_{n+h} = s*_h E[T R],
//   E y_{n+h}^2 = (1 + sigma^2) s*_h^2 E[T^2 R^2],  v_h = E y^2 - mu_h^2.
// Let xi_t = x_{n+t} R^{(t)}, R^{(t)} the factors of R_h with step <= t. Then
// xi_0 = x_n and xi_t = A_t(e) xi_{t-1} with
//   A_t = F1 + e G1                               off the season's steps,
//   A_t = (F1 + e G1)(1 + gamma e)
//       = F1 + e (G1 + gamma F1) + e^2 gamma G1   at t = h - im,
// e = e_{n+t} independent of xi_{t-1}. Writing A = K0 + e K1 + e^2 K2 and
// using E e = E e^3 = 0, E e^2 = sigma^2, E e^4 = 3 sigma^4:
//   m_t = E xi_t = (K0 + sigma^2 K2) m_{t-1},
//   P_t = E xi_t xi_t' = K0 P K0' + sigma^2 (K1 P K1' + K0 P K2' + K2 P K0')
//                        + 3 sigma^4 K2 P K2',   P = P_{t-1},
// and E[T R] = w1' m_{h-1}, E[T^2 R^2] = w1' P_{h-1} w1. Steps h of one residue
// mod m share their season steps, so one pass per residue serves them all.
// For h <= m (no update yet) mu_h is the point forecast of the recursion;
// beyond, it exceeds it by the covariance of T and R (R's forecast::ets
// reports this mean too).
void class3_moments(const ets_model& model, std::size_t h, std::vector<double>& mean, std::vector<double>& var) {
  const auto& s = model.spec;
  const auto& p = model.params;
  const double s2 = model.sigma2;
  const bool trend = has_trend(s);
  const double phi = trend ? (damped(s) ? p.phi : 1.0) : 0.0;
  const double alpha = p.alpha, beta = trend ? p.beta : 0.0, gamma = p.gamma;
  using mat = std::array<double, 4>;  // row-major 2 x 2
  const mat F{1.0, phi, 0.0, phi};
  const mat G{alpha, alpha * phi, beta, beta * phi};
  mat K1s{};  // G1 + gamma F1
  for (int i = 0; i < 4; ++i) K1s[i] = G[i] + gamma * F[i];
  mat K2s{};  // gamma G1
  for (int i = 0; i < 4; ++i) K2s[i] = gamma * G[i];
  const auto mul = [](const mat& a, const mat& b) {
    return mat{a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2],
               a[2] * b[1] + a[3] * b[3]};
  };
  const auto mul_t = [](const mat& a, const mat& b) {  // a b'
    return mat{a[0] * b[0] + a[1] * b[1], a[0] * b[2] + a[1] * b[3], a[2] * b[0] + a[3] * b[1],
               a[2] * b[2] + a[3] * b[3]};
  };
  const auto sandwich = [&](const mat& a, const mat& pm, const mat& b) { return mul_t(mul(a, pm), b); };  // a P b'
  const auto m = static_cast<std::size_t>(model.period);
  const double l0 = model.last.level, b0 = trend ? model.last.trend : 0.0;
  mean.assign(h, 0.0);
  var.assign(h, 0.0);
  for (std::size_t r = 0; r < std::min(m, h); ++r) {
    // Steps h = r + 1, r + 1 + m, ...: the season at ring position r of the
    // last state (the oldest first), updated at steps r + 1, r + 1 + m, ...
    const double sstar = model.last.season[m - 1 - r];
    double m0 = l0, m1 = b0;
    mat P{l0 * l0, l0 * b0, b0 * l0, b0 * b0};
    for (std::size_t t = 0;; ++t) {
      // Here m, P hold the moments of xi_t; step index h = t + 1.
      if (t % m == r) {
        const double eTR = m0 + phi * m1;
        const double eTTRR = P[0] + phi * (P[1] + P[2]) + phi * phi * P[3];
        const double mu = sstar * eTR;
        mean[t] = mu;
        var[t] = (1.0 + s2) * sstar * sstar * eTTRR - mu * mu;
      }
      if (t + 1 >= h) break;
      // Advance to xi_{t+1}: step n + t + 1 updates this season when
      // (t + 1) - 1 = t has residue r, i.e. it is one of the steps h - im.
      const bool update = t % m == r;
      const mat K1 = update ? K1s : G;
      const double nm0 = F[0] * m0 + F[1] * m1 + (update ? s2 * (K2s[0] * m0 + K2s[1] * m1) : 0.0);
      const double nm1 = F[2] * m0 + F[3] * m1 + (update ? s2 * (K2s[2] * m0 + K2s[3] * m1) : 0.0);
      mat nP = sandwich(F, P, F);
      const mat a = sandwich(K1, P, K1);
      for (int i = 0; i < 4; ++i) nP[i] += s2 * a[i];
      if (update) {
        const mat b = sandwich(F, P, K2s);  // K0 P K2'; K2 P K0' is its transpose
        const mat c = sandwich(K2s, P, K2s);
        nP[0] += s2 * 2.0 * b[0] + 3.0 * s2 * s2 * c[0];
        nP[1] += s2 * (b[1] + b[2]) + 3.0 * s2 * s2 * c[1];
        nP[2] += s2 * (b[2] + b[1]) + 3.0 * s2 * s2 * c[2];
        nP[3] += s2 * 2.0 * b[3] + 3.0 * s2 * s2 * c[3];
      }
      m0 = nm0;
      m1 = nm1;
      P = nP;
    }
  }
}

forecast_distribution forecast_distribution_of(const ets_model& model, const ets_forecast_options& options) {
  const auto& s = model.spec;
  const std::size_t h = options.horizon;
  forecast_distribution out;
  const recursion r(s, model.params);
  {
    ring_state x = ring_state::from(model.last);
    out.point.reserve(h);
    for (std::size_t j = 0; j < h; ++j) {
      const double mu = r.mean(x);
      out.point.push_back(mu);
      r.update(x, mu);
    }
  }
  const ets_class cls = ets_class_of(s);
  if (!options.simulate && cls == ets_class::linear) {
    // Class 1: sigma_h^2 = sigma^2 (1 + sum_{j<h} c_j^2) (book eq. 6.1).
    std::vector<double> c;
    impulse_response(model, h, c);
    double sum = 1.0;
    out.sd.resize(h);
    for (std::size_t j = 0; j < h; ++j) {
      out.sd[j] = std::sqrt(model.sigma2 * sum);
      if (j < c.size()) sum += c[j] * c[j];
    }
    return out;
  }
  if (!options.simulate && cls == ets_class::multiplicative_error) {
    // Class 2 (Hyndman et al. 2005, section 3; book section 6.3):
    // y_t = mu_t (1 + e_t) and x_t = F x_{t-1} + g mu_t e_t with the F, g, w
    // of class 1, so E y_{n+h} = mu_h = w' F^{h-1} x_n, the point forecast,
    // and with theta_h = E (w' x_{n+h-1})^2,
    //   u_h = w' x_{n+h-1} = mu_h + sum_{j<h} c_{h-j} u_j e_{n+j},
    // whose terms are uncorrelated, so
    //   theta_1 = mu_1^2,  theta_h = mu_h^2 + sigma^2 sum_{j=1}^{h-1} c_j^2 theta_{h-j},
    //   v_h = (1 + sigma^2) theta_h - mu_h^2.
    std::vector<double> c, theta(h);
    impulse_response(model, h, c);
    out.sd.resize(h);
    for (std::size_t j = 0; j < h; ++j) {
      double th = out.point[j] * out.point[j];
      for (std::size_t i = 1; i <= j; ++i) th += model.sigma2 * c[i - 1] * c[i - 1] * theta[j - i];
      theta[j] = th;
      const double v = (1.0 + model.sigma2) * th - out.point[j] * out.point[j];
      out.sd[j] = std::sqrt(std::max(v, 0.0));
    }
    return out;
  }
  if (!options.simulate && cls == ets_class::multiplicative_season) {
    std::vector<double> var;
    class3_moments(model, h, out.point, var);
    out.sd.resize(h);
    for (std::size_t j = 0; j < h; ++j) out.sd[j] = std::sqrt(std::max(var[j], 0.0));
    return out;
  }
  // Sample paths: Gaussian errors of variance sigma^2, seeded.
  boost::random::mt19937_64 rng(options.seed);
  boost::random::normal_distribution<double> z(0.0, std::sqrt(model.sigma2));
  const std::size_t paths = std::max<std::size_t>(options.paths, 100);
  out.samples.assign(h * paths, 0.0);
  out.paths = paths;
  const bool mul_err = s.error == ets_error::multiplicative;
  ring_state start = ring_state::from(model.last);
  ring_state x = start;
  for (std::size_t p = 0; p < paths; ++p) {
    x.level = start.level;
    x.trend = start.trend;
    std::copy(start.ring.begin(), start.ring.end(), x.ring.begin());
    x.pos = start.pos;
    for (std::size_t j = 0; j < h; ++j) {
      const double mu = r.mean(x);
      const double e = z(rng);
      const double v = mul_err ? mu * (1.0 + e) : mu + e;
      out.samples[j * paths + p] = v;
      r.update(x, v);
    }
  }
  return out;
}

}  // namespace

std::vector<forecast_point> forecast(const ets_model& model, const ets_forecast_options& options) {
  auto d = forecast_distribution_of(model, options);
  std::vector<forecast_point> out(options.horizon);
  const double z80 = stats::normal_quantile(0.9), z95 = stats::normal_quantile(0.975);
  for (std::size_t j = 0; j < options.horizon; ++j) {
    auto& f = out[j];
    f.mean = d.point[j];
    if (d.analytic()) {
      f.lo80 = f.mean - z80 * d.sd[j];
      f.hi80 = f.mean + z80 * d.sd[j];
      f.lo95 = f.mean - z95 * d.sd[j];
      f.hi95 = f.mean + z95 * d.sd[j];
    } else {
      const auto q = interval_quantiles(d.samples.begin() + static_cast<std::ptrdiff_t>(j * d.paths), d.paths);
      f.lo95 = q[0];
      f.lo80 = q[1];
      f.hi80 = q[2];
      f.hi95 = q[3];
    }
  }
  return out;
}

std::vector<double> ets_simulate(const ets_spec& spec, int period, const ets_params& params, const ets_state& start,
                                 double sigma2, std::size_t length, std::uint64_t seed) {
  const std::size_t m = has_season(spec) ? static_cast<std::size_t>(period) : 0;
  if (start.season.size() != m) {
    throw invalid_argument("ETS: the start state has " + std::to_string(start.season.size()) +
                           " seasonal values, model " + spec.name() + " needs " + std::to_string(m));
  }
  if (!(sigma2 >= 0.0)) throw invalid_argument("ETS: sigma2 must be >= 0");
  const recursion r(spec, params);
  ring_state x = ring_state::from(start);
  boost::random::mt19937_64 rng(seed);
  boost::random::normal_distribution<double> z(0.0, std::sqrt(sigma2));
  std::vector<double> out;
  out.reserve(length);
  const bool mul_err = spec.error == ets_error::multiplicative;
  for (std::size_t t = 0; t < length; ++t) {
    const double mu = r.mean(x);
    const double e = z(rng);
    const double v = mul_err ? mu * (1.0 + e) : mu + e;
    out.push_back(v);
    r.update(x, v);
  }
  return out;
}

}  // namespace cxm::inline v0_1::forecasting
