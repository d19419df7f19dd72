// The ETS models' state and one-step recursion, shared by the estimation
// (src/series/ets.cpp) and the forecasts (src/series/ets_forecast.cpp) of
// include/cxmetrics/series/ets.hpp. Private to the compiled part.
#pragma once

#include <cstddef>
#include <vector>

#include "cxmetrics/series/ets.hpp"

namespace cxm::inline v0_1::forecasting::detail {

inline bool has_trend(const ets_spec& s) { return s.trend != ets_trend::none; }
inline bool has_season(const ets_spec& s) { return s.season != ets_season::none; }
inline bool damped(const ets_spec& s) { return s.trend == ets_trend::damped; }

// The state with its seasons in a ring: ring[pos] is the oldest, s_{t-m}.
struct ring_state {
  double level = 0.0;
  double trend = 0.0;
  std::vector<double> ring;
  std::size_t pos = 0;

  static ring_state from(const ets_state& x) {
    ring_state r;
    r.level = x.level;
    r.trend = x.trend;
    // x.season[0] is the newest, x.season[m-1] the oldest; the ring runs
    // from the oldest (pos 0) to the newest.
    r.ring.assign(x.season.rbegin(), x.season.rend());
    return r;
  }
  [[nodiscard]] ets_state to_state() const {
    ets_state x;
    x.level = level;
    x.trend = trend;
    const std::size_t m = ring.size();
    x.season.resize(m);
    for (std::size_t k = 0; k < m; ++k) x.season[k] = ring[(pos + m - 1 - k) % m];  // newest first
    return x;
  }
};

// One model's recursion, with the spec's switches read once.
struct recursion {
  bool trend, season_add, season_mul;
  double alpha, beta_star, gamma, phi;

  recursion(const ets_spec& s, const ets_params& p)
      : trend(has_trend(s)),
        season_add(s.season == ets_season::additive),
        season_mul(s.season == ets_season::multiplicative),
        alpha(p.alpha),
        beta_star(has_trend(s) ? p.beta / p.alpha : 0.0),
        gamma(has_season(s) ? p.gamma : 0.0),
        phi(s.trend == ets_trend::damped ? p.phi : 1.0) {}

  // T: the level plus the (damped) trend of the last state.
  [[nodiscard]] double base(const ring_state& x) const { return trend ? x.level + phi * x.trend : x.level; }

  [[nodiscard]] double mean(const ring_state& x) const {
    const double t = base(x);
    if (season_add) return t + x.ring[x.pos];
    if (season_mul) return t * x.ring[x.pos];
    return t;
  }

  void update(ring_state& x, double y) const {
    const double t = base(x);
    double a = y;
    double s_old = 0.0;
    if (season_add || season_mul) {
      s_old = x.ring[x.pos];
      a = season_add ? y - s_old : y / s_old;
    }
    const double level = t + alpha * (a - t);
    if (trend) {
      const double phib = phi * x.trend;
      x.trend = phib + beta_star * (level - x.level - phib);
    }
    x.level = level;
    if (season_add || season_mul) {
      const double target = season_add ? y - t : y / t;
      x.ring[x.pos] = s_old + gamma * (target - s_old);
      x.pos = x.pos + 1 == x.ring.size() ? 0 : x.pos + 1;
    }
  }
};

}  // namespace cxm::inline v0_1::forecasting::detail
