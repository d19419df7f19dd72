// The ETS family of include/cxmetrics/series/ets.hpp: likelihood,
// admissibility, starting states, Nelder-Mead estimation and selection by
// AICc (the recursion: series/ets_recursion.hpp; forecasts: ets_forecast.cpp).
#include "cxmetrics/series/ets.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <string>
#include <utility>

#include "cxmetrics/core/error.hpp"
#include "series/ets_recursion.hpp"

namespace cxm::inline v0_1::forecasting {

using detail::damped;
using detail::has_season;
using detail::has_trend;
using detail::recursion;
using detail::ring_state;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// Bounds of the usual region (R's forecast::ets defaults).
constexpr double par_lo = 1e-4;
constexpr double par_hi = 0.9999;
constexpr double phi_lo = 0.8;
constexpr double phi_hi = 0.98;


void check_series(std::span<const double> y) {
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      throw invalid_argument("ETS: value " + std::to_string(i + 1) + " of the series is not finite");
    }
  }
}

bool needs_positive(const ets_spec& s) {
  return s.error == ets_error::multiplicative || s.season == ets_season::multiplicative;
}

// Free parameters: smoothing parameters, then x_0 (level, trend, m-1 seasons).
std::size_t n_smoothing(const ets_spec& s) {
  return 1 + (has_trend(s) ? 1 : 0) + (has_season(s) ? 1 : 0) + (damped(s) ? 1 : 0);
}
std::size_t n_states(const ets_spec& s, int m) {
  return 1 + (has_trend(s) ? 1 : 0) + (has_season(s) ? static_cast<std::size_t>(m - 1) : 0);
}
int k_of(const ets_spec& s, int m) { return static_cast<int>(n_smoothing(s) + n_states(s, m) + 1); }

// Schur-Cohn step-down: true when every root of sum c[j] z^j (degree
// c.size() - 1, leading coefficient nonzero) lies strictly inside the unit
// circle. Each step replaces A by (a_d A(z) - a_0 A*(z)) / z, which keeps
// the number of roots inside the circle when |a_0| < |a_d| (Schur 1917;
// Cohn 1922); |a_0| >= |a_d| means a root on or outside it.
bool roots_inside_unit_circle(double* c, double* next, std::size_t size) {
  while (size > 1) {
    const std::size_t d = size - 1;
    const double a0 = c[0], ad = c[d];
    if (!(std::abs(a0) < std::abs(ad))) return false;
    {
      const double* __restrict from = c;
      double* __restrict to = next;
      for (std::size_t j = 0; j < d; ++j) to[j] = ad * from[j + 1] - a0 * from[d - 1 - j];
    }
    // The new leading coefficient is ad^2 - a0^2 > 0 in exact arithmetic;
    // rescale only when the numbers drift far from 1 (a division per step
    // would sit on the critical path of this short loop).
    const double lead = std::abs(next[d - 1]);
    if (!(lead > 0.0) || !std::isfinite(lead)) return false;
    if (lead < 0x1p-200 || lead > 0x1p200) {
      const double inv = 1.0 / lead;
      for (std::size_t j = 0; j < d; ++j) next[j] *= inv;
    }
    std::swap(c, next);
    size = d;
  }
  return true;
}

// The characteristic polynomial of D = F - g w' of the linear seasonal model
// with the root z = 1 of the seasonal normalisation divided out; written
// from D x = z x (states l, b, s_1..s_m; u = w'x):
//   trend A/Ad:  P(z) = (1 + z + ... + z^{m-1}) Q(z) + gamma (z - phi),
//                Q(z) = z^2 + (alpha + phi beta - 1 - phi) z + phi (1 - alpha)
//   trend N:     P(z) = (1 + z + ... + z^{m-1}) (z - 1 + alpha) + gamma
// (phi = 1 for trend A). Coefficients in rising powers of z.
// Writes the m + 2 (trend) or m + 1 coefficients into c; returns their number.
std::size_t seasonal_polynomial(const ets_spec& s, std::size_t m, const ets_params& p, double* c) {
  double q[3];
  std::size_t nq = 0;
  const double phi = damped(s) ? p.phi : 1.0;
  if (has_trend(s)) {
    q[0] = phi * (1.0 - p.alpha);
    q[1] = p.alpha + phi * p.beta - 1.0 - phi;
    q[2] = 1.0;
    nq = 3;
  } else {
    q[0] = p.alpha - 1.0;
    q[1] = 1.0;
    nq = 2;
  }
  const std::size_t size = m + nq - 1;
  std::fill(c, c + size, 0.0);
  for (std::size_t k = 0; k < m; ++k) {
    for (std::size_t j = 0; j < nq; ++j) c[k + j] += q[j];
  }
  if (has_trend(s)) {
    c[0] -= p.gamma * phi;
    c[1] += p.gamma;
  } else {
    c[0] += p.gamma;
  }
  return size;
}

// Starting state by the heuristic of Hyndman et al. (2008), section 2.6.1.
ets_state heuristic_state(std::span<const double> y, const ets_spec& s, int m) {
  const std::size_t n = y.size();
  const auto mm = static_cast<std::size_t>(m);
  ets_state x;
  std::vector<double> sa(y.begin(), y.end());  // seasonally adjusted
  if (has_season(s)) {
    const bool mul = s.season == ets_season::multiplicative;
    std::vector<double> idx(mm, mul ? 1.0 : 0.0);
    if (n >= 2 * mm) {
      // 2xm centred moving average over the first (up to) three years; the
      // detrended values averaged per season.
      const std::size_t k = std::min(n, 3 * mm);
      std::vector<double> sum(mm, 0.0);
      std::vector<int> cnt(mm, 0);
      const std::size_t half = mm / 2;
      for (std::size_t t = half; t + half < k; ++t) {
        double ma = 0.0;
        if (mm % 2 == 0) {
          for (std::size_t j = t - half; j <= t + half; ++j) {
            const double w = (j == t - half || j == t + half) ? 0.5 : 1.0;
            ma += w * y[j];
          }
        } else {
          for (std::size_t j = t - half; j <= t + half; ++j) ma += y[j];
        }
        ma /= static_cast<double>(mm);
        sum[t % mm] += mul ? y[t] / ma : y[t] - ma;
        ++cnt[t % mm];
      }
      for (std::size_t j = 0; j < mm; ++j) {
        if (cnt[j] > 0) idx[j] = sum[j] / cnt[j];
      }
    } else {
      // Fewer than two years: the first year against its mean.
      double mean = 0.0;
      for (std::size_t j = 0; j < mm; ++j) mean += y[j];
      mean /= static_cast<double>(mm);
      for (std::size_t j = 0; j < mm; ++j) idx[j] = mul ? y[j] / mean : y[j] - mean;
    }
    // Normalise: additive indices sum to 0, multiplicative average 1.
    const double avg = std::accumulate(idx.begin(), idx.end(), 0.0) / static_cast<double>(mm);
    for (auto& v : idx) v = mul ? v / avg : v - avg;
    for (std::size_t t = 0; t < n; ++t) sa[t] = mul ? y[t] / idx[t % mm] : y[t] - idx[t % mm];
    x.season.resize(mm);
    for (std::size_t k = 0; k < mm; ++k) x.season[k] = idx[mm - 1 - k];  // newest (position m-1) first
  }
  // Level and slope from a line through the first max(10, 2m) adjusted values.
  const std::size_t k = std::min(n, std::max<std::size_t>(10, has_season(s) ? 2 * mm : 0));
  if (has_trend(s) && k >= 2) {
    double st = 0.0, sy = 0.0, stt = 0.0, sty = 0.0;
    for (std::size_t t = 0; t < k; ++t) {
      const double tt = static_cast<double>(t + 1);
      st += tt;
      sy += sa[t];
      stt += tt * tt;
      sty += tt * sa[t];
    }
    const double kk = static_cast<double>(k);
    const double slope = (kk * sty - st * sy) / (kk * stt - st * st);
    x.level = (sy - slope * st) / kk;
    x.trend = slope;
  } else {
    x.level = std::accumulate(sa.begin(), sa.begin() + static_cast<std::ptrdiff_t>(k), 0.0) / static_cast<double>(k);
  }
  return x;
}

// -2 log L without its constant n (log(2 pi / n) + 1); +inf when the model
// breaks down (a mean <= 0 under multiplicative parts, a non-finite value).
// The hot loop of estimation, compiled once per combination of components
// (the same recursion as `recursion`, with the switches known). `ring` holds
// the seasons oldest first and is overwritten. Under multiplicative errors
// sum log mu_t is kept as a running product split by frexp into mantissa
// and exponent: one log per series instead of one per point.
//
// The recursion is carried in T_t = l_{t-1} + phi b_{t-1} instead of the
// level, which shortens the chain of dependent operations from one point to
// the next: with d_t = a_t - T_t (a_t the seasonally adjusted value),
//   l_t = T_t + alpha d_t,  b_t = phi b_{t-1} + beta d_t   (beta* alpha = beta),
//   T_{t+1} = l_t + phi b_t = (T_t + phi^2 b_{t-1}) + (alpha + phi beta) d_t,
// one subtraction and one fused multiply-add after T_t, the rest alongside.
// Divisions stay off that chain: a_t = y_t / S does not depend on T_t.
template <bool Trend, int Season, bool MulErr>
double objective_t(std::span<const double> y, const ets_params& p, double level, double trend, double* ring,
                   std::size_t m) {
  constexpr bool positive = MulErr || Season == 2;
  const double alpha = p.alpha, beta = Trend ? p.beta : 0.0, gamma = p.gamma;
  const double phi = Trend ? p.phi : 0.0;
  const double c_d = alpha + phi * beta, phi2 = phi * phi;
  double t = Trend ? level + phi * trend : level;
  double b = trend;
  double sse = 0.0, mant = 1.0;
  long exp2 = 0;
  std::size_t pos = 0;
  for (double v : y) {
    double s_old = 0.0, mu = t, a = v;
    if constexpr (Season == 1) {
      s_old = ring[pos];
      mu = t + s_old;
      a = v - s_old;
    } else if constexpr (Season == 2) {
      s_old = ring[pos];
      mu = t * s_old;
      a = v / s_old;
    }
    if constexpr (positive) {
      if (!(mu > 0.0)) return inf;
    }
    double e = v - mu, target = 0.0;
    if constexpr (MulErr && Season == 2) {
      // With q = y / mu and mu = T S: e = q - 1 and y / T = q S.
      const double q = v / mu;
      e = q - 1.0;
      target = q * s_old;
    } else if constexpr (MulErr) {
      e /= mu;
    }
    if constexpr (Season == 1) {
      target = v - t;
    } else if constexpr (Season == 2 && !MulErr) {
      target = v / t;
    }
    if constexpr (MulErr) {
      mant *= mu;
      if (!(mant < 0x1p500 && mant > 0x1p-500)) {
        int k = 0;
        mant = std::frexp(mant, &k);
        exp2 += k;
      }
    }
    sse += e * e;
    const double d = a - t;
    if constexpr (Trend) {
      const double u = t + phi2 * b;
      b = phi * b + beta * d;
      t = u + c_d * d;
    } else {
      t += alpha * d;
    }
    if constexpr (Season != 0) {
      ring[pos] = s_old + gamma * (target - s_old);
      pos = pos + 1 == m ? 0 : pos + 1;
    }
  }
  const double n = static_cast<double>(y.size());
  double out = n * std::log(sse);
  if constexpr (MulErr) out += 2.0 * (std::log(mant) + static_cast<double>(exp2) * std::numbers::ln2);
  return std::isfinite(out) ? out : inf;
}

using objective_fn = double (*)(std::span<const double>, const ets_params&, double, double, double*, std::size_t);

template <bool Trend, int Season>
objective_fn pick_error(bool mul_err) {
  return mul_err ? &objective_t<Trend, Season, true> : &objective_t<Trend, Season, false>;
}

template <bool Trend>
objective_fn pick_season(ets_season s, bool mul_err) {
  switch (s) {
    case ets_season::none: return pick_error<Trend, 0>(mul_err);
    case ets_season::additive: return pick_error<Trend, 1>(mul_err);
    default: return pick_error<Trend, 2>(mul_err);
  }
}

objective_fn objective_for(const ets_spec& s) {
  const bool mul_err = s.error == ets_error::multiplicative;
  return has_trend(s) ? pick_season<true>(s.season, mul_err) : pick_season<false>(s.season, mul_err);
}

// A general Nelder-Mead simplex (Nelder & Mead 1965) with the coefficients
// that adapt to the dimension d of Gao & Han (2012): reflection 1, expansion
// 1 + 2/d, contraction 3/4 - 1/(2d), shrink 1 - 1/d, which keep the simplex
// from collapsing in the 10-17 dimensions of a monthly seasonal model.
// Infeasible points have f = +inf.
template <class F>
std::vector<double> nelder_mead(F&& f, std::vector<double> x0, const std::vector<double>& step, int max_eval,
                                double& fbest) {
  const std::size_t d = x0.size();
  std::vector<std::vector<double>> pts(d + 1, x0);
  std::vector<double> fv(d + 1);
  fv[0] = f(x0);
  int evals = 1;
  for (std::size_t i = 0; i < d; ++i) {
    pts[i + 1][i] += step[i];
    fv[i + 1] = f(pts[i + 1]);
    ++evals;
    if (!std::isfinite(fv[i + 1])) {
      pts[i + 1][i] = x0[i] - step[i];
      fv[i + 1] = f(pts[i + 1]);
      ++evals;
    }
  }
  std::vector<double> centre(d), xr(d), xe(d), xc(d);
  const double dd = static_cast<double>(d);
  double stall_f = inf;
  int stall_at = evals;
  std::vector<double> sum(d, 0.0);
  bool sum_valid = false;
  const double c_expand = 1.0 + 2.0 / dd, c_contract = 0.75 - 0.5 / dd, c_shrink = d > 1 ? 1.0 - 1.0 / dd : 0.5;
  // The points by value, ties by position: order[0] is the best (the first
  // of the least), order[d] the worst (the last of the greatest), order[d-1]
  // the second worst. Kept sorted by moving the replaced point into place,
  // instead of scanning every value at every step.
  std::vector<std::size_t> order(d + 1);
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto before = [&fv](std::size_t a, std::size_t b) { return fv[a] < fv[b] || (fv[a] == fv[b] && a < b); };
  bool sorted = false;
  while (evals < max_eval) {
    if (!sorted) {
      std::sort(order.begin(), order.end(), before);
      sorted = true;
    }
    const std::size_t best = order[0], worst = order[d], second = order[d > 0 ? d - 1 : 0];
    if (std::isfinite(fv[worst]) && std::abs(fv[worst] - fv[best]) <= 1e-7 * (std::abs(fv[best]) + 1e-3)) break;
    // Stalled: the best value gained less than 1e-3 (in -2 log L) over the
    // last 20 d evaluations.
    if (fv[best] < stall_f - 1e-3) {
      stall_f = fv[best];
      stall_at = evals;
    } else if (evals - stall_at > 20 * static_cast<int>(d)) {
      break;
    }
    // The centroid of all but the worst point, from the running sum.
    if (!sum_valid) {
      std::fill(sum.begin(), sum.end(), 0.0);
      for (std::size_t j = 0; j <= d; ++j) {
        for (std::size_t k = 0; k < d; ++k) sum[k] += pts[j][k];
      }
      sum_valid = true;
    }
    for (std::size_t k = 0; k < d; ++k) centre[k] = (sum[k] - pts[worst][k]) / dd;
    // Replaces the worst point, keeping the sum.
    const auto replace_worst = [&](const std::vector<double>& x, double fx) {
      for (std::size_t k = 0; k < d; ++k) sum[k] += x[k] - pts[worst][k];
      pts[worst] = x;
      fv[worst] = fx;
      std::size_t at = d;
      while (at > 0 && before(worst, order[at - 1])) {
        order[at] = order[at - 1];
        --at;
      }
      order[at] = worst;
    };
    for (std::size_t k = 0; k < d; ++k) xr[k] = centre[k] + (centre[k] - pts[worst][k]);
    const double fr = f(xr);
    ++evals;
    if (fr < fv[best]) {
      for (std::size_t k = 0; k < d; ++k) xe[k] = centre[k] + c_expand * (centre[k] - pts[worst][k]);
      const double fe = f(xe);
      ++evals;
      if (fe < fr) {
        replace_worst(xe, fe);
      } else {
        replace_worst(xr, fr);
      }
      continue;
    }
    if (fr < fv[second]) {
      replace_worst(xr, fr);
      continue;
    }
    // Contraction: outside when the reflection improved on the worst point.
    const bool outside = fr < fv[worst];
    for (std::size_t k = 0; k < d; ++k) {
      xc[k] = outside ? centre[k] + c_contract * (xr[k] - centre[k]) : centre[k] + c_contract * (pts[worst][k] - centre[k]);
    }
    const double fc = f(xc);
    ++evals;
    if (fc < (outside ? fr : fv[worst])) {
      replace_worst(xc, fc);
      continue;
    }
    // Shrink towards the best point.
    for (std::size_t j = 0; j <= d; ++j) {
      if (j == best) continue;
      for (std::size_t k = 0; k < d; ++k) pts[j][k] = pts[best][k] + c_shrink * (pts[j][k] - pts[best][k]);
      fv[j] = f(pts[j]);
      ++evals;
    }
    sum_valid = false;  // recomputed from the points: no drift from many updates
    sorted = false;
  }
  const auto b = static_cast<std::size_t>(std::min_element(fv.begin(), fv.end()) - fv.begin());
  fbest = fv[b];
  return pts[b];
}

// The parameter vector of the optimiser and back.
struct layout {
  ets_spec spec;
  int m;

  void unpack(const std::vector<double>& v, ets_params& p, ets_state& x) const {
    std::size_t i = 0;
    p.alpha = v[i++];
    p.beta = has_trend(spec) ? v[i++] : 0.0;
    p.gamma = has_season(spec) ? v[i++] : 0.0;
    p.phi = damped(spec) ? v[i++] : 1.0;
    x.level = v[i++];
    x.trend = has_trend(spec) ? v[i++] : 0.0;
    if (has_season(spec)) {
      const auto mm = static_cast<std::size_t>(m);
      x.season.resize(mm);
      double sum = 0.0;
      for (std::size_t k = 0; k + 1 < mm; ++k) {
        x.season[k] = v[i++];
        sum += x.season[k];
      }
      x.season[mm - 1] = (spec.season == ets_season::multiplicative ? static_cast<double>(m) : 0.0) - sum;
    } else {
      x.season.clear();
    }
  }
};

bool in_usual_region(const ets_spec& s, const ets_params& p) {
  if (!(p.alpha > par_lo && p.alpha < par_hi)) return false;
  if (has_trend(s) && !(p.beta > par_lo && p.beta < p.alpha)) return false;
  if (has_season(s) && !(p.gamma > par_lo && p.gamma < 1.0 - p.alpha)) return false;
  if (damped(s) && !(p.phi >= phi_lo && p.phi <= phi_hi)) return false;
  return true;
}

void check_spec_for_data(std::span<const double> y, const ets_spec& s, int m) {
  if (m < 1) throw invalid_argument("ETS: the period must be >= 1, got " + std::to_string(m));
  if (s.error == ets_error::additive && s.season == ets_season::multiplicative) {
    throw invalid_argument("ETS: model " + s.name() + " (additive error, multiplicative season) is not admissible");
  }
  if (has_season(s) && m < 2) throw invalid_argument("ETS: seasonal model " + s.name() + " needs a period >= 2");
  if (needs_positive(s)) {
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (!(y[i] > 0.0)) {
        throw invalid_argument("ETS: model " + s.name() + " needs positive data; value " + std::to_string(i + 1) +
                               " is " + std::to_string(y[i]));
      }
    }
  }
}

}  // namespace

std::string ets_spec::name() const {
  std::string out;
  out += error == ets_error::additive ? 'A' : 'M';
  out += trend == ets_trend::none ? "N" : trend == ets_trend::additive ? "A" : "Ad";
  out += season == ets_season::none ? 'N' : season == ets_season::additive ? 'A' : 'M';
  return out;
}

std::optional<ets_spec> ets_spec::parse(std::string_view name) {
  ets_spec s;
  if (name.size() < 3 || name.size() > 4) return std::nullopt;
  if (name[0] == 'A') {
    s.error = ets_error::additive;
  } else if (name[0] == 'M') {
    s.error = ets_error::multiplicative;
  } else {
    return std::nullopt;
  }
  std::size_t i = 1;
  if (name.substr(1, 2) == "Ad") {
    s.trend = ets_trend::damped;
    i = 3;
  } else if (name[1] == 'A') {
    s.trend = ets_trend::additive;
    i = 2;
  } else if (name[1] == 'N') {
    s.trend = ets_trend::none;
    i = 2;
  } else {
    return std::nullopt;
  }
  if (name.size() != i + 1) return std::nullopt;
  switch (name[i]) {
    case 'N': s.season = ets_season::none; break;
    case 'A': s.season = ets_season::additive; break;
    case 'M': s.season = ets_season::multiplicative; break;
    default: return std::nullopt;
  }
  if (s.error == ets_error::additive && s.season == ets_season::multiplicative) return std::nullopt;
  return s;
}

ets_filter_result ets_filter(std::span<const double> y, const ets_spec& spec, int period, const ets_params& params,
                             const ets_state& initial) {
  check_series(y);
  check_spec_for_data(y, spec, period);
  const std::size_t m = has_season(spec) ? static_cast<std::size_t>(period) : 0;
  if (initial.season.size() != m) {
    throw invalid_argument("ETS: the initial state has " + std::to_string(initial.season.size()) +
                           " seasonal values, model " + spec.name() + " needs " + std::to_string(m));
  }
  if (y.empty()) throw invalid_argument("ETS: the series is empty");
  const recursion r(spec, params);
  ring_state x = ring_state::from(initial);
  ets_filter_result out;
  out.fitted.reserve(y.size());
  out.residuals.reserve(y.size());
  const bool mul_err = spec.error == ets_error::multiplicative;
  double sse = 0.0, log_mu = 0.0;
  for (double v : y) {
    const double mu = r.mean(x);
    double e = v - mu;
    if (mul_err) {
      if (!(mu > 0.0)) throw invalid_argument("ETS: a one-step mean <= 0 under multiplicative errors");
      e /= mu;
      log_mu += std::log(mu);
    }
    out.fitted.push_back(mu);
    out.residuals.push_back(e);
    sse += e * e;
    r.update(x, v);
  }
  const double n = static_cast<double>(y.size());
  out.sigma2 = sse / n;
  out.loglik = -0.5 * n * (std::log(2.0 * std::numbers::pi * out.sigma2) + 1.0) - log_mu;
  out.last = x.to_state();
  return out;
}

bool ets_admissible(const ets_spec& spec, int period, const ets_params& params) {
  if (!in_usual_region(spec, params)) return false;
  if (!has_season(spec)) return true;  // the usual region lies inside the admissible one (book, ch. 10)
  if (period < 2) return false;
  // Without a trend, too: every root of P(z) = (1 + ... + z^{m-1})(z - rho) +
  // gamma, rho = 1 - alpha, lies inside the unit circle when 0 < gamma <
  // 1 - alpha and 0 < alpha < 1. Proof: P(1) = m alpha + gamma > 0, and any
  // other root z of P is one of (z - 1) P(z) = (z^m - 1)(z - rho) + gamma (z - 1),
  // i.e. of z^m (z - rho) = (z - rho) - gamma (z - 1). For |z| = r >= 1,
  // z = r e^{i theta}, the squared moduli of z - rho and of the right side differ by
  //   gamma [(2 - gamma) r^2 - 2 (1 + rho - gamma) r cos theta + 2 rho - gamma],
  // which is 0 at z = 1 and otherwise > 0 (at cos theta = 1 a convex function
  // of r, 0 at r = 1 with slope 2 alpha > 0; smaller cos theta adds to it),
  // so |z^m (z - rho)| >= |z - rho| > |right side| and z is not a root.
  // The roots are needed only with a trend.
  if (!has_trend(spec)) return true;
  const auto m = static_cast<std::size_t>(period);
  constexpr std::size_t small = 64;
  if (m + 2 <= small) {
    double c[small], work[small];
    const std::size_t size = seasonal_polynomial(spec, m, params, c);
    return roots_inside_unit_circle(c, work, size);
  }
  std::vector<double> c(m + 2), work(m + 2);
  const std::size_t size = seasonal_polynomial(spec, m, params, c.data());
  return roots_inside_unit_circle(c.data(), work.data(), size);
}

namespace {

// Fits one model: a Nelder-Mead run of `first` evaluations, then a restart
// of `restart` (none when 0) from its optimum with a fresh, smaller simplex
// (Nelder-Mead can stall on a collapsed one). `vec` holds the optimiser's
// vector: when not empty on entry the run starts there with the smaller
// simplex (a continuation); on return it holds the optimum.
ets_model fit_impl(std::span<const double> y, const ets_spec& spec, int period, int first, int restart,
                   std::vector<double>& vec) {
  check_series(y);
  const int m = has_season(spec) ? period : 1;
  check_spec_for_data(y, spec, period);
  const int k = k_of(spec, m);
  if (y.size() <= static_cast<std::size_t>(k) + 1) {
    throw invalid_argument("ETS: model " + spec.name() + " has " + std::to_string(k) + " parameters and needs more than " +
                           std::to_string(k + 1) + " points, the series has " + std::to_string(y.size()));
  }
  if (has_season(spec) && (period > 24 || y.size() <= static_cast<std::size_t>(period))) {
    throw invalid_argument("ETS: a seasonal model needs a period of at most 24 and more points than the period");
  }
  const ets_state x_start = heuristic_state(y, spec, m);
  // Starting parameters, a fixed point well inside the usual region.
  ets_params p0;
  p0.alpha = has_season(spec) ? 0.1 : 0.3;
  p0.beta = 0.01;
  p0.gamma = 0.01;
  p0.phi = 0.95;
  const layout lay{spec, m};
  std::vector<double> v0, step;
  const auto push = [&](double v, double s) {
    v0.push_back(v);
    step.push_back(s);
  };
  double scale = 0.0;
  for (double v : y) scale += std::abs(v);
  scale = std::max(scale / static_cast<double>(y.size()), 1e-8);
  push(p0.alpha, 0.1);
  if (has_trend(spec)) push(p0.beta, 0.005);
  if (has_season(spec)) push(p0.gamma, 0.05);
  if (damped(spec)) push(p0.phi, 0.01);
  push(x_start.level, 0.05 * scale + 0.05 * std::abs(x_start.level));
  if (has_trend(spec)) push(x_start.trend, 0.01 * scale + 0.1 * std::abs(x_start.trend));
  if (has_season(spec)) {
    const bool mul = spec.season == ets_season::multiplicative;
    for (std::size_t j = 0; j + 1 < static_cast<std::size_t>(m); ++j) {
      push(x_start.season[j], mul ? 0.02 : 0.02 * scale + 0.1 * std::abs(x_start.season[j]));
    }
  }
  ets_params p;
  ets_state x;
  std::vector<double> ring;
  const bool mul_season = spec.season == ets_season::multiplicative;
  const objective_fn obj = objective_for(spec);
  const auto f = [&](const std::vector<double>& v) {
    lay.unpack(v, p, x);
    if (!ets_admissible(spec, m, p)) return inf;
    if (mul_season) {
      for (double s : x.season) {
        if (!(s > 0.0)) return inf;
      }
    }
    ring.assign(x.season.rbegin(), x.season.rend());  // oldest first
    return obj(y, p, x.level, x.trend, ring.data(), ring.size());
  };
  double fbest = inf;
  std::vector<double> best;
  if (vec.size() == v0.size()) {
    for (auto& s : step) s *= 0.5;
    best = nelder_mead(f, vec, step, first, fbest);
  } else {
    best = nelder_mead(f, v0, step, first, fbest);
    for (auto& s : step) s *= 0.5;
  }
  if (restart > 0) best = nelder_mead(f, best, step, restart, fbest);
  vec = best;
  if (!std::isfinite(fbest)) {
    throw invalid_argument("ETS: no admissible parameters of " + spec.name() + " fit these data");
  }
  ets_model model;
  model.spec = spec;
  model.period = m;
  lay.unpack(best, model.params, model.initial);
  auto run = ets_filter(y, spec, m, model.params, model.initial);
  model.last = std::move(run.last);
  // As R's ets(): the residual variance over n minus the free parameters
  // (k - 1: smoothing parameters and initial states), which the forecast
  // variances and sample paths use; the likelihood keeps SSE / n.
  model.sigma2 = run.sigma2 * static_cast<double>(y.size()) / static_cast<double>(y.size() - static_cast<std::size_t>(k - 1));
  model.loglik = run.loglik;
  model.n = y.size();
  model.n_params = k;
  const double n = static_cast<double>(y.size());
  model.aic = -2.0 * model.loglik + 2.0 * k;
  model.aicc = model.aic + 2.0 * k * (k + 1.0) / (n - k - 1.0);
  model.bic = -2.0 * model.loglik + std::log(n) * k;
  model.fitted = std::move(run.fitted);
  model.residuals = std::move(run.residuals);
  return model;
}

}  // namespace

ets_model fit_ets(std::span<const double> y, const ets_spec& spec, int period, const ets_fit_options& options) {
  std::vector<double> vec;
  return fit_impl(y, spec, period, options.max_evaluations, options.max_evaluations / 3, vec);
}

std::vector<ets_spec> ets_candidates(std::span<const double> y, int period) {
  check_series(y);
  const bool positive = std::all_of(y.begin(), y.end(), [](double v) { return v > 0.0; });
  const bool seasonal = period >= 2 && period <= 24 && y.size() > static_cast<std::size_t>(period);
  std::vector<ets_spec> out;
  for (auto e : {ets_error::additive, ets_error::multiplicative}) {
    if (e == ets_error::multiplicative && !positive) continue;
    for (auto t : {ets_trend::none, ets_trend::additive, ets_trend::damped}) {
      for (auto s : {ets_season::none, ets_season::additive, ets_season::multiplicative}) {
        if (s != ets_season::none && !seasonal) continue;
        if (s == ets_season::multiplicative && (e == ets_error::additive || !positive)) continue;
        const ets_spec spec{e, t, s};
        const int m = s == ets_season::none ? 1 : period;
        if (y.size() <= static_cast<std::size_t>(k_of(spec, m)) + 1) continue;
        out.push_back(spec);
      }
    }
  }
  return out;
}

ets_model auto_ets(std::span<const double> y, int period, const ets_fit_options& options) {
  check_series(y);
  if (y.size() < 3) throw invalid_argument("ETS: a series needs at least 3 points, got " + std::to_string(y.size()));
  const auto specs = ets_candidates(y, period);
  // Every candidate gets a quick fit; those within refine_within of the least
  // AICc are then refined with the full budget, continuing from there: only
  // a model that can win gets the long search.
  struct candidate {
    ets_model model;
    std::vector<double> vec;
  };
  std::vector<candidate> fitted;
  const int quick = std::max(200, options.max_evaluations * 2 / 5);
  for (const auto& s : specs) {
    if (options.additive_only && !s.linear()) continue;
    try {
      candidate c;
      c.model = fit_impl(y, s, period, quick, 0, c.vec);
      fitted.push_back(std::move(c));
    } catch (const invalid_argument&) {
      // A candidate with no admissible fit is skipped; the others compete.
    }
  }
  double least = inf;
  for (const auto& c : fitted) least = std::min(least, c.model.aicc);
  std::optional<ets_model> best;
  for (auto& c : fitted) {
    if (c.model.aicc <= least + options.refine_within) {
      c.model = fit_impl(y, c.model.spec, period, options.max_evaluations, options.max_evaluations / 3, c.vec);
    }
    if (!best || c.model.aicc < best->aicc) best = std::move(c.model);
  }
  if (!best) throw invalid_argument("ETS: no model of the family fits this series");
  return std::move(*best);
}

}  // namespace cxm::inline v0_1::forecasting
