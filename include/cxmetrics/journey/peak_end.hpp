// Peak-end: what a customer remembers of a journey.
//
// By the peak-end rule (Kahneman, Fredrickson, Schreiber & Redelmeier 1993,
// "When more pain is preferred to less", Psychological Science 4(6)), people
// judge an episode by its most intense moment and by its end, hardly by its
// average or its length. peak_end_state is the sufficient statistic of one
// journey for that judgement, an accumulator under the project's contract
// (engine/accumulator.hpp): events are added one at a time, in any order,
// and two states of the same journey (split across files, threads or days)
// merge exactly into the state of all its events.
//
// EVENTS. A journey_event is one moment on the experience scale −1…1
// (journey/experience.hpp), with its time, its input order (which breaks
// ties in time: of two events in the same second the later row is the later
// moment), an optional duration and a tag: a number the caller gives the
// event's place (journey::journeys gives the id of the touchpoint, owner,
// channel and stage combination), kept for the worst moment and the end.
//
// THE STATE keeps, for its events:
//
//   best      the highest x
//   worst     the lowest x; of equal lows, the earliest (time, then the
//             smaller tag), whose tag and time it keeps
//   intense   the most intense moment, max |x| with its sign: worst when
//             |worst| ≥ best, else best — so of a −0.6 and a +0.6 the
//             negative one counts (bad moments weigh more than good ones of
//             the same size: Baumeister, Bratslavsky, Finkenauer & Vohs 2001,
//             "Bad is stronger than good")
//   end       the x of the latest event by (time, input order), its tag
//   sum, count, mean = sum / count, and the sum of durations
//   outcome   the journey's outcome, when one was given (e.g. its NPS 0–10):
//             set_outcome; two parts with different outcomes do not merge
//
// Every rule is a max or a min under a total order, so add and merge are
// commutative and associative, and a journey read shuffled gives the state
// it gives sorted (with equal times in the same relative input order).
// best, worst, end and the duration sum are kept in single precision (the
// state is 64 bytes): any point of a scale of up to 255 points maps to
// within 6·10⁻⁸ of its x; the sum and the mean are double.
//
// REMEMBERED SCORE. remembered(state, weights) is
//
//   w_intense·intense + w_trough·worst + w_best·best + w_end·end + w_mean·mean
//
// by default w_intense = w_end = ½ (the classic peak-end average); the peak
// is chosen by which weight is set: the most intense moment, the trough
// (worst), the best, or trough and best with their own weights. Weights that
// are ≥ 0 and sum to 1 keep the score on −1…1.
//
// Header: cxmetrics/journey/peak_end.hpp (header-only).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/fields.hpp"

namespace cxm::inline v0_1 {

/// One moment of a journey (see the header comment).
struct journey_event {
  double x = 0.0;            ///< the experience, −1…1
  std::int64_t time = 0;     ///< when, Unix seconds (or any clock that orders the events)
  std::uint64_t order = 0;   ///< input order: breaks ties in time (later row, later moment)
  std::uint32_t tag = 0;     ///< the caller's label of the event's place
  double duration = 0.0;     ///< optional, ≥ 0 (e.g. seconds spent)
};

/// The summary of one journey: what peak_end_state::result() gives.
struct peak_end_values {
  std::uint64_t events = 0;
  int outcome = -1;       ///< the journey's outcome score, −1 when none
  double intense = 0.0;   ///< the most intense moment, with its sign
  double best = 0.0;
  double worst = 0.0;
  double end = 0.0;
  double mean = 0.0;
  double duration = 0.0;  ///< sum of the events' durations
  friend bool operator==(const peak_end_values&, const peak_end_values&) = default;
};

/// The weights of a remembered score (see the header comment).
struct memory_weights {
  double intense = 0.5;  ///< the most intense moment (the "peak")
  double trough = 0.0;   ///< the worst moment
  double best = 0.0;     ///< the best moment
  double end = 0.5;      ///< the last moment
  double mean = 0.0;     ///< the average of all moments
  friend bool operator==(const memory_weights&, const memory_weights&) = default;
};

/// Throws invalid_argument unless every weight is finite and one is not 0.
inline void check_memory_weights(const memory_weights& w) {
  const double all[] = {w.intense, w.trough, w.best, w.end, w.mean};
  bool any = false;
  for (const double v : all) {
    if (!std::isfinite(v)) throw invalid_argument("memory weights must be finite numbers");
    any = any || v != 0.0;
  }
  if (!any) throw invalid_argument("memory weights are all 0: give at least one (peak, trough, best, end, mean)");
}

/// The per-journey sufficient statistic of peak-end memory (see the header
/// comment). 64 bytes; regular value type; an accumulator.
class peak_end_state {
 public:
  using result_type = peak_end_values;

  peak_end_state() = default;

  /// Adds one event. Throws invalid_argument (and changes nothing) unless
  /// −1 ≤ x ≤ 1 and the duration is finite and ≥ 0; limit_exceeded past
  /// 2^32 − 1 events.
  void add(const journey_event& e) {
    if (!(e.x >= -1.0 && e.x <= 1.0)) {
      throw invalid_argument("a journey event's experience must lie in -1..1, got " + std::to_string(e.x));
    }
    if (!(std::isfinite(e.duration) && e.duration >= 0.0 && e.duration <= 3.0e38)) {
      throw invalid_argument("a journey event's duration must be a finite number >= 0, got " +
                             std::to_string(e.duration));
    }
    if (count_ == std::numeric_limits<std::uint32_t>::max()) {
      throw limit_exceeded("a journey holds more than 2^32 - 1 events");
    }
    add_valid(e.x, e.time, e.order, e.tag, static_cast<float>(e.duration));
  }

  /// add() of an event whose x is known to lie in −1…1 and whose duration
  /// is finite and ≥ 0 (the bulk paths check x themselves); the same
  /// state. Throws limit_exceeded past 2^32 − 1 events.
  void add_valid(double xd, std::int64_t time, std::uint64_t order, std::uint32_t tag, float duration = 0.0F) {
    if (count_ == std::numeric_limits<std::uint32_t>::max()) {
      throw limit_exceeded("a journey holds more than 2^32 - 1 events");
    }
    const auto x = static_cast<float>(xd);
    if (count_ == 0) {
      best_ = worst_ = end_ = x;
      worst_time_ = end_time_ = time;
      end_order_ = order;
      worst_tag_ = end_tag_ = tag;
    } else {
      // The rules of merge, for one event, as selects rather than branches:
      // with scores in random order a branch on each comparison would be
      // mispredicted half the time.
      best_ = x > best_ ? x : best_;
      const bool low = (x < worst_) | ((x == worst_) & ((time < worst_time_) | ((time == worst_time_) & (tag < worst_tag_))));
      worst_ = low ? x : worst_;
      worst_time_ = low ? time : worst_time_;
      worst_tag_ = low ? tag : worst_tag_;
      const bool last = (time > end_time_) | ((time == end_time_) & (order > end_order_));
      end_ = last ? x : end_;
      end_time_ = last ? time : end_time_;
      end_order_ = last ? order : end_order_;
      end_tag_ = last ? tag : end_tag_;
    }
    ++count_;
    sum_ += xd;
    duration_ += duration;
  }

  /// Sets the journey's outcome (a score 0..32767, e.g. its NPS). Throws
  /// invalid_argument for a score outside that range and incompatible_merge
  /// when the journey already has another outcome; changes nothing then.
  void set_outcome(int score) {
    if (score < 0 || score > std::numeric_limits<std::int16_t>::max()) {
      throw invalid_argument("a journey's outcome must be a score 0..32767, got " + std::to_string(score));
    }
    if (outcome_ >= 0 && outcome_ != score) {
      throw incompatible_merge("the journey's outcome is already " + std::to_string(outcome_) + ", not " +
                               std::to_string(score));
    }
    outcome_ = static_cast<std::int16_t>(score);
  }
  [[nodiscard]] bool has_outcome() const noexcept { return outcome_ >= 0; }
  /// The outcome score, −1 when none was given.
  [[nodiscard]] int outcome() const noexcept { return outcome_; }

  /// Adds the events of `o` (another part of the same journey). Throws
  /// limit_exceeded past 2^32 − 1 events and incompatible_merge when both
  /// have outcomes that differ; changes nothing then.
  void merge(const peak_end_state& o) {
    if (o.outcome_ >= 0 && outcome_ >= 0 && o.outcome_ != outcome_) {
      throw incompatible_merge("the parts of a journey have different outcomes, " + std::to_string(outcome_) +
                               " and " + std::to_string(o.outcome_));
    }
    if (o.count_ > std::numeric_limits<std::uint32_t>::max() - count_) {
      throw limit_exceeded("a journey holds more than 2^32 - 1 events");
    }
    if (o.outcome_ >= 0) outcome_ = o.outcome_;
    if (o.count_ == 0) return;
    if (count_ == 0) {
      const std::int16_t kept = outcome_;
      *this = o;
      outcome_ = kept;
      return;
    }
    count_ += o.count_;
    sum_ += o.sum_;
    duration_ += o.duration_;
    if (o.best_ > best_) best_ = o.best_;
    if (o.worst_ < worst_ || (o.worst_ == worst_ && (o.worst_time_ < worst_time_ ||
                                                     (o.worst_time_ == worst_time_ && o.worst_tag_ < worst_tag_)))) {
      worst_ = o.worst_;
      worst_time_ = o.worst_time_;
      worst_tag_ = o.worst_tag_;
    }
    if (o.end_time_ > end_time_ || (o.end_time_ == end_time_ && o.end_order_ > end_order_)) {
      end_ = o.end_;
      end_time_ = o.end_time_;
      end_order_ = o.end_order_;
      end_tag_ = o.end_tag_;
    }
  }

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] bool empty() const noexcept { return count_ == 0; }

  // The parts below are 0 for an empty state.
  [[nodiscard]] double best() const noexcept { return best_; }
  [[nodiscard]] double worst() const noexcept { return worst_; }
  /// The most intense moment: worst when |worst| ≥ best, else best.
  [[nodiscard]] double intense() const noexcept { return -worst_ >= best_ ? worst_ : best_; }
  [[nodiscard]] double end() const noexcept { return end_; }
  [[nodiscard]] double sum() const noexcept { return sum_; }
  [[nodiscard]] double mean() const noexcept { return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_); }
  [[nodiscard]] double duration() const noexcept { return static_cast<double>(duration_); }
  [[nodiscard]] std::int64_t end_time() const noexcept { return end_time_; }
  [[nodiscard]] std::uint64_t end_order() const noexcept { return end_order_; }
  [[nodiscard]] std::uint32_t end_tag() const noexcept { return end_tag_; }
  [[nodiscard]] std::int64_t worst_time() const noexcept { return worst_time_; }
  [[nodiscard]] std::uint32_t worst_tag() const noexcept { return worst_tag_; }

  [[nodiscard]] peak_end_values result() const noexcept {
    return {count_, outcome_, intense(), best(), worst(), end(), mean(), duration()};
  }

  friend bool operator==(const peak_end_state&, const peak_end_state&) = default;

  /// The state from its parts, checked (the serial readers' way in): throws
  /// invalid_argument naming the first part that cannot belong to a journey.
  struct parts {
    std::uint64_t count = 0;
    double sum = 0.0, duration = 0.0, best = 0.0, worst = 0.0, end = 0.0;
    std::int64_t worst_time = 0, end_time = 0;
    std::uint64_t end_order = 0;
    std::uint32_t worst_tag = 0, end_tag = 0;
    int outcome = -1;
    friend bool operator==(const parts&, const parts&) = default;
  };
  [[nodiscard]] static peak_end_state from_parts(const parts& p) {
    const auto single = [](double v) { return static_cast<double>(static_cast<float>(v)) == v; };
    if (p.count > std::numeric_limits<std::uint32_t>::max()) throw invalid_argument("count past 2^32 - 1");
    if (p.outcome < -1 || p.outcome > std::numeric_limits<std::int16_t>::max()) {
      throw invalid_argument("outcome must be -1 (none) or a score 0..32767");
    }
    if (p.count == 0) {
      if (!(p == parts{.outcome = p.outcome})) throw invalid_argument("a journey without events has every part 0");
      peak_end_state s;
      s.outcome_ = static_cast<std::int16_t>(p.outcome);
      return s;
    }
    if (!(p.worst >= -1.0 && p.worst <= p.end && p.end <= p.best && p.best <= 1.0)) {
      throw invalid_argument("needs -1 <= worst <= end <= best <= 1");
    }
    if (!single(p.worst) || !single(p.end) || !single(p.best)) {
      throw invalid_argument("worst, end and best are single-precision values");
    }
    const auto n = static_cast<double>(p.count);
    if (!(std::isfinite(p.sum) && p.sum >= p.worst * n - 1e-7 * n && p.sum <= p.best * n + 1e-7 * n)) {
      throw invalid_argument("sum must lie between count·worst and count·best");
    }
    if (!(std::isfinite(p.duration) && p.duration >= 0.0 && single(p.duration))) {
      throw invalid_argument("duration must be a finite single-precision value >= 0");
    }
    peak_end_state s;
    s.count_ = static_cast<std::uint32_t>(p.count);
    s.sum_ = p.sum;
    s.duration_ = static_cast<float>(p.duration);
    s.best_ = static_cast<float>(p.best);
    s.worst_ = static_cast<float>(p.worst);
    s.end_ = static_cast<float>(p.end);
    s.worst_time_ = p.worst_time;
    s.end_time_ = p.end_time;
    s.end_order_ = p.end_order;
    s.worst_tag_ = p.worst_tag;
    s.end_tag_ = p.end_tag;
    s.outcome_ = static_cast<std::int16_t>(p.outcome);
    return s;
  }
  [[nodiscard]] parts to_parts() const noexcept {
    return {count_,     sum_,       duration_, best_,      worst_,   end_, worst_time_,
            end_time_, end_order_, worst_tag_, end_tag_, outcome_};
  }

 private:
  double sum_ = 0.0;
  std::int64_t worst_time_ = 0;
  std::int64_t end_time_ = 0;
  std::uint64_t end_order_ = 0;
  float best_ = 0.0F;
  float worst_ = 0.0F;
  float end_ = 0.0F;
  float duration_ = 0.0F;
  std::uint32_t count_ = 0;
  std::uint32_t worst_tag_ = 0;
  std::uint32_t end_tag_ = 0;
  std::int16_t outcome_ = -1;
};

static_assert(sizeof(peak_end_state) == 64, "peak_end_state is documented as 64 bytes");

namespace detail {
/// remembered() of a journey with events under weights already checked
/// (the summaries check theirs once, not per journey).
[[nodiscard]] inline double remembered_unchecked(const peak_end_state& s, const memory_weights& w) noexcept {
  return w.intense * s.intense() + w.trough * s.worst() + w.best * s.best() + w.end * s.end() + w.mean * s.mean();
}
}  // namespace detail

/// The remembered score of a journey under `w` (see the header comment).
/// Throws invalid_argument for an empty journey or weights that are not
/// finite or all 0.
[[nodiscard]] inline double remembered(const peak_end_state& s, const memory_weights& w = {}) {
  check_memory_weights(w);
  if (s.empty()) throw invalid_argument("an empty journey has no remembered score");
  return detail::remembered_unchecked(s, w);
}

// --- fields (core/fields.hpp) ---------------------------------------------------

constexpr serial_type serial_type_of(serial_tag<peak_end_state>) noexcept {
  return {type_tag::peak_end_state, 1, "peak_end_state"};
}

/// Fields of peak_end_state: count, sum, duration, best, worst, end,
/// worst_time, worst_tag, end_time, end_order, end_tag, outcome (io/binary.hpp has
/// the layout).
template <class Ar>
void visit_fields(Ar& ar, peak_end_state& s) {
  ar.only_members({"count", "sum", "duration", "best", "worst", "end", "worst_time", "worst_tag", "end_time",
                   "end_order", "end_tag", "outcome"});
  peak_end_state::parts p = s.to_parts();
  ar.field("count", p.count);
  ar.field("sum", p.sum);
  ar.field("duration", p.duration);
  ar.field("best", p.best);
  ar.field("worst", p.worst);
  ar.field("end", p.end);
  ar.field("worst_time", p.worst_time);
  ar.field("worst_tag", p.worst_tag);
  ar.field("end_time", p.end_time);
  ar.field("end_order", p.end_order);
  ar.field("end_tag", p.end_tag);
  auto outcome = static_cast<std::int32_t>(p.outcome);
  ar.field("outcome", outcome);
  p.outcome = outcome;
  if constexpr (Ar::loading) s = ar.rebuild([&] { return peak_end_state::from_parts(p); });
}

}  // namespace cxm
