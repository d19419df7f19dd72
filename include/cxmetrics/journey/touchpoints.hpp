// Touchpoint impact: which places of a journey make detractors.
//
// A journey's place is a tag (journey/peak_end.hpp): the caller's number for
// an event's touchpoint, or its (touchpoint, owner, channel, stage)
// combination. touchpoint_impact counts, for each tag,
//
//   events         the events there and their mean experience x (t interval):
//                  the touchpoint's own score
//   negative peak  the journeys whose worst moment is there and below 0 —
//                  among detractors (outcome ≤ detractor_max, by default 6 on
//                  the 0–10 scale) and among all journeys with an outcome
//   end            the journeys that end there, the same two ways
//   outcome        the mean outcome of the journeys whose negative peak is
//                  there (t interval), beside the touchpoint's own score
//
// and for the negative peak and the end
//
//   share   of detractor journeys where it happens there (Wilson interval)
//   base    the same share among all journeys with an outcome
//   lift    share / base: above 1, the place is where detractors' journeys
//           go wrong (or end) more often than journeys in general.
//
// The lift's interval is Wald on the log scale by the delta method, with
// the detractors' share p₁ = a/d and the others' p₀ = c/m as independent
// binomial proportions and base = w·p₁ + (1 − w)·p₀, w = d/(d + m):
//   ∂log lift/∂p₁ = 1/p₁ − w/base,  ∂log lift/∂p₀ = −(1 − w)/base,
//   Var = (∂/∂p₁)²·p₁(1 − p₁)/d + (∂/∂p₀)²·p₀(1 − p₀)/m.
// When a cell is 0 or full (a ∈ {0, d} or c ∈ {0, m}) the interval is
// computed with ½ added to a, c and their complements (Haldane 1956); the
// point value is never corrected. The upper limit is cut at the largest
// lift possible, 1/w (the place only ever in detractors' journeys). No
// detractors, or no other journeys,
// leave the lift without a value (no_data).
//
// Journeys without an outcome or without events are not counted (their
// events still count for the touchpoint's own score). Tags are whatever the
// caller numbers: states merge tag by tag, so merge only states whose tags
// mean the same places. regroup() maps tags onto groups (e.g. each
// combination onto its touchpoint, or onto its owner class) and sums them.
//
// Header: cxmetrics/journey/touchpoints.hpp (header-only).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/journey/peak_end.hpp"
#include "cxmetrics/journey/summary.hpp"
#include "cxmetrics/stats/distributions.hpp"
#include "cxmetrics/stats/proportion.hpp"

namespace cxm::inline v0_1 {

/// The negative peak or the end at one place (see the header comment).
struct touchpoint_side {
  std::uint64_t detractors = 0;  ///< detractor journeys where it happens here
  std::uint64_t journeys = 0;    ///< journeys with an outcome where it happens here
  estimate share;                ///< detractors / all detractors, Wilson
  double base = 0.0;             ///< journeys / all journeys with an outcome
  estimate lift;                 ///< share / base, delta-method interval on the log scale
};

/// One place's impact (see the header comment).
struct touchpoint_row {
  std::uint32_t tag = 0;
  std::uint64_t events = 0;
  estimate score;                ///< mean experience x of its events, t interval
  touchpoint_side peak;          ///< as the negative peak
  touchpoint_side end;           ///< as the end
  estimate outcome_when_peak;    ///< mean outcome of the journeys whose negative peak is here
};

namespace journey_detail {

/// The lift of a place over its base rate (see the header comment).
inline estimate lift(std::uint64_t a, std::uint64_t d, std::uint64_t c, std::uint64_t m, double level) {
  if (d == 0) return estimate::no_data(0, "no detractor journeys");
  if (m == 0) return estimate::no_data(d, "every journey is a detractor");
  const double dd = static_cast<double>(d);
  const double md = static_cast<double>(m);
  const double w = dd / (dd + md);
  const double p1 = static_cast<double>(a) / dd;
  const double p0 = static_cast<double>(c) / md;
  const double base = w * p1 + (1.0 - w) * p0;
  if (base == 0.0) return estimate::no_data(d + m, "it is never there");
  const double value = p1 / base;
  // Interval, with Haldane's ½ when a cell is empty or full.
  double ai = static_cast<double>(a);
  double ci = static_cast<double>(c);
  double di = dd;
  double mi = md;
  if (a == 0 || a == d || c == 0 || c == m) {
    ai += 0.5;
    ci += 0.5;
    di += 1.0;
    mi += 1.0;
  }
  const double q1 = ai / di;
  const double q0 = ci / mi;
  const double wi = di / (di + mi);
  const double bi = wi * q1 + (1.0 - wi) * q0;
  const double g1 = 1.0 / q1 - wi / bi;
  const double g0 = -(1.0 - wi) / bi;
  const double se_log = std::sqrt(g1 * g1 * q1 * (1.0 - q1) / di + g0 * g0 * q0 * (1.0 - q0) / mi);
  const double centre = std::log(q1 / bi);
  const double z = stats::z_for_level(level);
  // The lift cannot pass 1/w (every journey with it here a detractor): the
  // upper limit is cut there.
  const double ceiling = (dd + md) / dd;
  const interval ci_lift{std::exp(centre - z * se_log), std::min(std::exp(centre + z * se_log), ceiling), level,
                         interval_method::wald};
  return estimate(value, value * se_log, ci_lift, d + m, dd + md);
}

}  // namespace journey_detail

/// Touchpoint impact over journeys (see the header comment).
class touchpoint_impact {
 public:
  /// Counts per tag.
  struct tag_counts {
    journey_detail::moments score;    ///< the x of its events
    journey_detail::moments outcome;  ///< outcomes of the journeys whose negative peak is here
    std::uint64_t peak_detractors = 0, peak_journeys = 0;
    std::uint64_t end_detractors = 0, end_journeys = 0;
    friend bool operator==(const tag_counts&, const tag_counts&) = default;
  };
  using result_type = std::vector<touchpoint_row>;

  /// Detractors are outcomes ≤ 6.
  touchpoint_impact() = default;
  /// Detractors are outcomes ≤ detractor_max (≥ 0).
  explicit touchpoint_impact(int detractor_max) : detractor_max_(detractor_max) {
    if (detractor_max < 0) throw invalid_argument("detractor_max must be >= 0, got " + std::to_string(detractor_max));
  }

  /// Counts one event at `tag` (its experience x, −1…1).
  void add_event(std::uint32_t tag, double x) {
    if (!(x >= -1.0 && x <= 1.0)) throw invalid_argument("an event's experience must lie in -1..1");
    at(tag).score.add(x);
  }

  /// Counts a journey's negative peak and end (journeys with events and an outcome).
  void add_journey(const peak_end_state& j) {
    if (j.empty() || !j.has_outcome()) return;
    const bool detractor = j.outcome() <= detractor_max_;
    ++journeys_;
    if (detractor) ++detractors_;
    if (j.worst() < 0.0) {
      auto& t = at(j.worst_tag());
      ++t.peak_journeys;
      if (detractor) ++t.peak_detractors;
      t.outcome.add(static_cast<double>(j.outcome()));
    }
    auto& e = at(j.end_tag());
    ++e.end_journeys;
    if (detractor) ++e.end_detractors;
  }

  /// Adds `o`'s counts tag by tag; throws incompatible_merge when its
  /// detractor cut differs.
  void merge(const touchpoint_impact& o) {
    if (o.detractor_max_ != detractor_max_) throw incompatible_merge("touchpoint impacts with different detractor cuts do not merge");
    if (o.tags_.size() > tags_.size()) tags_.resize(o.tags_.size());
    for (std::size_t i = 0; i < o.tags_.size(); ++i) add_into(tags_[i], o.tags_[i]);
    journeys_ += o.journeys_;
    detractors_ += o.detractors_;
  }

  /// The counts with tag t summed into group tag_to_group[t]; throws
  /// invalid_argument when a counted tag has no group.
  [[nodiscard]] touchpoint_impact regroup(std::span<const std::uint32_t> tag_to_group) const {
    touchpoint_impact g(detractor_max_);
    g.journeys_ = journeys_;
    g.detractors_ = detractors_;
    for (std::size_t i = 0; i < tags_.size(); ++i) {
      if (tags_[i] == tag_counts{}) continue;
      if (i >= tag_to_group.size()) throw invalid_argument("tag " + std::to_string(i) + " has no group");
      add_into(g.at(tag_to_group[i]), tags_[i]);
    }
    return g;
  }

  [[nodiscard]] std::uint64_t count() const noexcept { return journeys_; }
  [[nodiscard]] bool empty() const noexcept { return journeys_ == 0; }
  [[nodiscard]] std::uint64_t detractors() const noexcept { return detractors_; }
  [[nodiscard]] int detractor_max() const noexcept { return detractor_max_; }
  [[nodiscard]] std::span<const tag_counts> tags() const noexcept { return tags_; }

  /// One row per tag with any count, in tag order.
  [[nodiscard]] std::vector<touchpoint_row> result(double level) const {
    check_level(level);
    std::vector<touchpoint_row> rows;
    const std::uint64_t others = journeys_ - detractors_;
    for (std::size_t i = 0; i < tags_.size(); ++i) {
      const tag_counts& t = tags_[i];
      if (t == tag_counts{}) continue;
      touchpoint_row r;
      r.tag = static_cast<std::uint32_t>(i);
      r.events = t.score.n;
      r.score = t.score.mean_t(level);
      r.outcome_when_peak = t.outcome.mean_t(level);
      const auto side = [&](std::uint64_t det, std::uint64_t all) {
        touchpoint_side s;
        s.detractors = det;
        s.journeys = all;
        s.share = detractors_ == 0 ? estimate::no_data(0, "no detractor journeys")
                                   : stats::proportion(det, detractors_, stats::proportion_options{level});
        s.base = journeys_ == 0 ? 0.0 : static_cast<double>(all) / static_cast<double>(journeys_);
        s.lift = journey_detail::lift(det, detractors_, all - det, others, level);
        return s;
      };
      r.peak = side(t.peak_detractors, t.peak_journeys);
      r.end = side(t.end_detractors, t.end_journeys);
      rows.push_back(std::move(r));
    }
    return rows;
  }
  [[nodiscard]] std::vector<touchpoint_row> result() const { return result(0.95); }

  friend bool operator==(const touchpoint_impact&, const touchpoint_impact&) = default;

 private:
  static void add_into(tag_counts& into, const tag_counts& from) {
    into.score.merge(from.score);
    into.outcome.merge(from.outcome);
    into.peak_detractors += from.peak_detractors;
    into.peak_journeys += from.peak_journeys;
    into.end_detractors += from.end_detractors;
    into.end_journeys += from.end_journeys;
  }
  tag_counts& at(std::uint32_t tag) {
    if (tag >= tags_.size()) tags_.resize(static_cast<std::size_t>(tag) + 1);
    return tags_[tag];
  }

  int detractor_max_ = 6;
  std::uint64_t journeys_ = 0;
  std::uint64_t detractors_ = 0;
  std::vector<tag_counts> tags_;
};

}  // namespace cxm
