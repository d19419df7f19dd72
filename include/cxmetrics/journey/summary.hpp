// Across journeys: the remembered score of a population of journeys.
//
// journey_summary is an accumulator over journeys (peak_end_state, one per
// journey): mergeable, so the journeys of shards, threads or files combine
// exactly (the counts always; the sums up to floating-point rounding, and
// exactly for experiences on a grid of halves such as 1–5 or 1–3 scales).
// Group it with any key, e.g. one journey_summary per channel or segment.
// Its result gives, for the journeys with at least one event:
//
//   remembered     mean remembered score (journey/peak_end.hpp, under the
//                  summary's weights) with a Student t interval
//   mean           mean of the journeys' plain averages, with its t interval
//   disagreement   share of journeys whose remembered score and plain mean
//                  have opposite signs ("the average says fine, the customer
//                  remembers bad", and the reverse), Wilson interval; a score
//                  of exactly 0 has no sign and never disagrees
//   histogram      the remembered scores in 20 bins of width 0.1 over −1…1
//                  (bin i holds [−1 + i/10, −1 + (i+1)/10), the last also 1);
//                  below / above count scores outside −1…1 (weights that are
//                  negative or sum past 1)
//
// The weights are part of what is counted: merging summaries of different
// weights throws incompatible_merge. The moments are sums (n, Σx, Σx²), so
// merges add them, exactly for scores on a scale's grid.
//
// Header: cxmetrics/journey/summary.hpp (header-only).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/journey/peak_end.hpp"
#include "cxmetrics/stats/distributions.hpp"
#include "cxmetrics/stats/proportion.hpp"

namespace cxm::inline v0_1 {

namespace journey_detail {

/// Count, sum and sum of squares of a stream of numbers: merged by
/// addition, so values on a scale's grid (multiples of ½, whole scores)
/// merge exactly in any order.
struct moments {
  std::uint64_t n = 0;
  double sum = 0.0;
  double sum_sq = 0.0;

  void add(double x) noexcept {
    ++n;
    sum += x;
    sum_sq += x * x;
  }
  void merge(const moments& o) noexcept {
    n += o.n;
    sum += o.sum;
    sum_sq += o.sum_sq;
  }
  [[nodiscard]] double mean() const noexcept { return n == 0 ? 0.0 : sum / static_cast<double>(n); }
  /// The mean with a Student t interval at `level`.
  [[nodiscard]] estimate mean_t(double level) const {
    check_level(level);
    if (n == 0) return estimate::no_data();
    const double nd = static_cast<double>(n);
    const double m = sum / nd;
    if (n == 1) return estimate::insufficient(m, n, nd, "a t interval needs at least 2 values");
    // The values are bounded (−1…1, or a scale's scores): Σx² − n·x̄² loses
    // no meaningful precision at these magnitudes.
    const double ss = std::max(sum_sq - nd * m * m, 0.0);
    const double se = std::sqrt(ss / (nd - 1.0) / nd);
    const double half = stats::t_for_level(level, nd - 1.0) * se;
    return estimate(m, se, interval{m - half, m + half, level, interval_method::t}, n, nd);
  }
  friend bool operator==(const moments&, const moments&) = default;
};

}  // namespace journey_detail

/// What journey_summary::result gives (see the header comment).
struct journey_summary_result {
  std::uint64_t journeys = 0;  ///< journeys with at least one event
  estimate remembered;         ///< mean remembered score, t interval
  estimate mean;               ///< mean of the plain averages, t interval
  estimate disagreement;       ///< share whose remembered score and mean differ in sign, Wilson
  std::vector<std::uint64_t> histogram;  ///< 20 bins of width 0.1 over −1…1
  std::uint64_t below = 0;     ///< remembered scores below −1
  std::uint64_t above = 0;     ///< remembered scores above 1
};

/// The remembered score across journeys (see the header comment).
class journey_summary {
 public:
  using result_type = journey_summary_result;
  static constexpr std::size_t bins = 20;

  /// Summary under the default weights (½ most intense, ½ end).
  journey_summary() = default;
  /// Throws invalid_argument for weights that are not finite or all 0.
  explicit journey_summary(const memory_weights& w) : weights_(w) { check_memory_weights(w); }

  /// Adds one journey; a journey without events is not counted.
  void add(const peak_end_state& j) {
    if (j.empty()) return;
    const double r = detail::remembered_unchecked(j, weights_);  // weights checked by the constructor
    const double m = j.mean();
    remembered_.add(r);
    mean_.add(m);
    if ((r < 0.0 && m > 0.0) || (r > 0.0 && m < 0.0)) ++disagree_;
    if (r < -1.0) {
      ++below_;
    } else if (r > 1.0) {
      ++above_;
    } else {
      const auto b = static_cast<std::size_t>(std::floor((r + 1.0) * 10.0));
      ++histogram_[b < bins ? b : bins - 1];
    }
  }

  /// Adds the journeys of `o`; throws incompatible_merge when its weights differ.
  void merge(const journey_summary& o) {
    if (!(o.weights_ == weights_)) throw incompatible_merge("journey summaries under different memory weights do not merge");
    remembered_.merge(o.remembered_);
    mean_.merge(o.mean_);
    disagree_ += o.disagree_;
    below_ += o.below_;
    above_ += o.above_;
    for (std::size_t b = 0; b < bins; ++b) histogram_[b] += o.histogram_[b];
  }

  [[nodiscard]] std::uint64_t count() const noexcept { return remembered_.n; }
  [[nodiscard]] bool empty() const noexcept { return count() == 0; }
  [[nodiscard]] const memory_weights& weights() const noexcept { return weights_; }
  [[nodiscard]] std::uint64_t disagreeing() const noexcept { return disagree_; }

  [[nodiscard]] journey_summary_result result(double level) const {
    journey_summary_result r;
    r.journeys = count();
    r.remembered = remembered_.mean_t(level);
    r.mean = mean_.mean_t(level);
    r.disagreement = r.journeys == 0 ? estimate::no_data()
                                     : stats::proportion(disagree_, r.journeys, stats::proportion_options{level});
    r.histogram.assign(histogram_.begin(), histogram_.end());
    r.below = below_;
    r.above = above_;
    return r;
  }
  [[nodiscard]] journey_summary_result result() const { return result(0.95); }

  friend bool operator==(const journey_summary&, const journey_summary&) = default;

 private:
  memory_weights weights_{};
  journey_detail::moments remembered_;
  journey_detail::moments mean_;
  std::uint64_t disagree_ = 0;
  std::uint64_t below_ = 0;
  std::uint64_t above_ = 0;
  std::array<std::uint64_t, bins> histogram_{};
};

}  // namespace cxm
