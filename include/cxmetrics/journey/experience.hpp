// The experience scale: scores on different scales meet on one scale −1…1.
//
// A score s on a scale min..max with neutral point n (by default the scale's
// midpoint, (min + max) / 2) maps to
//
//   x = (s − n) / (max − n)    for s ≥ n
//   x = (s − n) / (n − min)    for s < n
//
// so the neutral point is 0, the top of the scale 1 and the bottom −1. With
// the midpoint the two branches are one line, x = (s − mid) / (max − mid):
// on 0–10, 10 → 1, 5 → 0, 0 → −1, 9 → 0.8; on 1–5, 5 → 1, 3 → 0, 2 → −0.5.
// A neutral point the user declares (e.g. 7 on 0–10, where survey practice
// starts calling a score "good") keeps both ends at ±1: each side of it is
// stretched on its own, 7 → 0, 10 → 1, 0 → −1, 8 → 1/3, 6 → −1/7. A single
// line through such a point would send the bottom of the scale below −1,
// and a journey's most intense moment would then depend on which scale it
// was asked on.
//
//   cxm::experience_map csat(cxm::scale::csat());        // 1..5, neutral 3
//   csat(5);                                             // 1.0
//   cxm::experience_map ltr(cxm::scale::nps(), 7.0);     // 0..10, neutral 7
//   ltr(8);                                              // 0.333…
//
// Header: cxmetrics/journey/experience.hpp (header-only).
#pragma once

#include <cmath>
#include <string>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/scale.hpp"

namespace cxm::inline v0_1 {

/// Maps the scores of one scale onto the experience scale −1…1 (see the
/// header comment). Regular value type.
class experience_map {
 public:
  /// The map of the 0–10 scale with neutral point 5.
  experience_map() : experience_map(scale::nps()) {}
  /// The scale's midpoint as the neutral point.
  explicit experience_map(const scale& s)
      : experience_map(s, (static_cast<double>(s.min()) + static_cast<double>(s.max())) / 2.0) {}
  /// A declared neutral point; throws invalid_argument unless
  /// min < neutral < max (both ends must map to ±1).
  experience_map(const scale& s, double neutral) : scale_(s), neutral_(neutral) {
    const auto lo = static_cast<double>(s.min());
    const auto hi = static_cast<double>(s.max());
    if (!std::isfinite(neutral) || !(neutral > lo && neutral < hi)) {
      throw invalid_argument("the neutral point of the experience scale must lie strictly inside the " +
                             s.describe() + ", got " + std::to_string(neutral));
    }
  }

  /// x of a score; throws score_out_of_scale for a score off the scale.
  [[nodiscard]] double operator()(int score) const {
    scale_.check(score);
    return at(score);
  }
  /// x of a score known to be on the scale (unchecked).
  [[nodiscard]] double at(int score) const noexcept {
    const double d = static_cast<double>(score) - neutral_;
    return d >= 0.0 ? d / (static_cast<double>(scale_.max()) - neutral_)
                    : d / (neutral_ - static_cast<double>(scale_.min()));
  }

  [[nodiscard]] const scale& on() const noexcept { return scale_; }
  [[nodiscard]] double neutral() const noexcept { return neutral_; }
  friend bool operator==(const experience_map&, const experience_map&) = default;

 private:
  scale scale_;
  double neutral_;
};

}  // namespace cxm
