// Forecasts of a fitted ETS model (include/cxmetrics/series/ets.hpp):
// analytic means and variances for the linear (class 1) models, seeded
// sample paths otherwise.
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

// Per step h: the point forecast, and either the normal standard deviation
// of the forecast error (linear models) or the sample-path values.
struct forecast_distribution {
  std::vector<double> point;
  std::vector<double> sd;                    // empty unless analytic
  std::vector<std::vector<double>> samples;  // empty unless simulated
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

// The 2.5, 10, 90 and 97.5 % quantiles of the values (R's default
// definition, type 7); reorders v.
std::array<double, 4> interval_quantiles(std::vector<double>& v) {
  constexpr double ps[4] = {0.025, 0.1, 0.9, 0.975};
  const std::size_t n = v.size();
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
  select_positions(v.begin(), v.end(), 0, uniq, nu);
  std::array<double, 4> out{};
  for (int i = 0; i < 4; ++i) out[i] = v[ks[2 * i]] + frac[i] * (v[ks[2 * i + 1]] - v[ks[2 * i]]);
  return out;
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
  if (s.linear()) {
    // c_j = w' F^{j-1} g: the effect of a unit error at t on the mean at
    // t + j, found by running the error-free recursion from the impulse
    // state g (alpha, beta, gamma in level, trend, newest season).
    ring_state x;
    x.level = model.params.alpha;
    x.trend = has_trend(s) ? model.params.beta : 0.0;
    if (has_season(s)) {
      x.ring.assign(static_cast<std::size_t>(model.period), 0.0);
      x.ring.back() = model.params.gamma;  // the newest position; pos 0 is the oldest
    }
    const double phi = damped(s) ? model.params.phi : 1.0;
    double sum = 1.0;
    out.sd.reserve(h);
    for (std::size_t j = 0; j < h; ++j) {
      out.sd.push_back(std::sqrt(model.sigma2 * sum));
      // F x, then c = w' x: T plus the oldest season.
      const double c = (has_trend(s) ? x.level + phi * x.trend : x.level) + (has_season(s) ? x.ring[x.pos] : 0.0);
      sum += c * c;
      // Advance the state without an error: level += phi b, b *= phi, rotate the seasons.
      x.level = has_trend(s) ? x.level + phi * x.trend : x.level;
      x.trend *= phi;
      if (has_season(s)) x.pos = x.pos + 1 == x.ring.size() ? 0 : x.pos + 1;
    }
    return out;
  }
  // Sample paths: Gaussian errors of variance sigma^2, seeded.
  boost::random::mt19937_64 rng(options.seed);
  boost::random::normal_distribution<double> z(0.0, std::sqrt(model.sigma2));
  const std::size_t paths = std::max<std::size_t>(options.paths, 100);
  out.samples.assign(h, std::vector<double>(paths));
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
      out.samples[j][p] = v;
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
      const auto q = interval_quantiles(d.samples[j]);
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
