// Customer effort score (CES, 1–7, "the company made it easy to handle my
// issue"): mean and "easy" share, and the mergeable accumulator.
//
//   mean   mean score 1…7 with a Student t interval (stats::mean_t).
//   easy   share of responses with score >= easy_min (default 5: 5–7), a
//          proportion 0…1 with the interval of share_method
//          (stats::proportion: Wilson by default). Weighted: Σw(easy)/Σw with
//          the linearised SE and Kish's effective n.
//
// compute_ces takes counts on the CES scale 1..7 whatever their own cut; the
// easy_min of the options decides the share. Counts on any other scale are
// rejected.
//
// ces_accumulator: a regular value type (copyable, ==) holding the options and
// a score_counts on scale::ces(easy_min); add / merge / count / empty /
// result. Merging accumulators with different options throws
// incompatible_merge. n = 0 gives no_data estimates, never an exception.
// It satisfies cxm::accumulator (engine/accumulator.hpp) and also adds a
// cxm::response (its ces field) or a whole score column through the
// SIMD engine (missing answers skipped), with the same counts.
//
// Header: cxmetrics/metrics/ces.hpp. Complexity: add O(1), merge and result O(7).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/accumulator.hpp"
#include "cxmetrics/stats/mean.hpp"
#include "cxmetrics/stats/proportion.hpp"

namespace cxm {

struct ces_options {
  double level = 0.95;                                    ///< 0 < level < 1
  int easy_min = 5;                                       ///< 2..7; scores >= easy_min count as "easy"
  interval_method share_method = interval_method::wilson;  ///< a proportion interval method
  friend bool operator==(const ces_options&, const ces_options&) = default;
};

struct ces_result {
  estimate mean;  ///< mean score, 1…7
  estimate easy;  ///< share of scores >= easy_min, 0…1
  friend bool operator==(const ces_result&, const ces_result&) = default;
};

/// Throws invalid_argument for a bad level, easy threshold or share method.
inline void check_ces_options(const ces_options& opt) {
  (void)scale::ces(opt.easy_min);  // validates 2..7
  // Checks level and method even when there are no responses yet.
  (void)stats::proportion_interval(0.0, 1.0, opt.level, opt.share_method);
}

/// Mean and easy share of CES counts (see the header comment).
[[nodiscard]] inline ces_result compute_ces(const score_counts& c, const ces_options& opt = {}) {
  check_ces_options(opt);
  const auto& s = c.scale_of();
  if (s.kind() != scale_kind::ces) {
    throw invalid_argument("CES needs counts on the CES scale 1..7, got counts on the " + s.describe());
  }
  ces_result r;
  const stats::proportion_options share{opt.level, opt.share_method};
  const auto easy = c.range(opt.easy_min, s.max());
  r.easy = c.weighted() ? stats::proportion(easy, c.total(), share) : stats::proportion(easy.n, c.count(), share);
  r.mean = stats::mean_t(c, opt.level);
  return r;
}

/// Mergeable CES state.
class ces_accumulator {
 public:
  using result_type = ces_result;

  ces_accumulator() : ces_accumulator(ces_options{}) {}
  /// Throws invalid_argument for unusable options.
  explicit ces_accumulator(ces_options opt) : opt_(checked(opt)), counts_(scale::ces(opt.easy_min)) {}
  /// Rebuilds a state from its parts (deserialisation). Throws invalid_argument
  /// for unusable options or counts on another scale than scale::ces(easy_min).
  ces_accumulator(ces_options opt, score_counts counts) : ces_accumulator(opt) {
    if (!(counts.scale_of() == counts_.scale_of())) {
      throw invalid_argument("ces_accumulator with easy_min " + std::to_string(opt.easy_min) +
                             " needs counts on the CES scale with high group from " +
                             std::to_string(counts_.scale_of().high_min()) + ", got the " +
                             counts.scale_of().describe() + " with high group from " +
                             std::to_string(counts.scale_of().high_min()));
    }
    counts_ = std::move(counts);
  }

  /// Adds one response. Throws score_out_of_scale (naming the score and `where`).
  void add(int score, const location& where = {}) { counts_.add(score, where); }
  /// Adds one weighted response. Throws score_out_of_scale or invalid_weight.
  void add(int score, double weight, const location& where = {}) { counts_.add(score, weight, where); }
  /// Adds r.ces if present, weighted by the rule of engine/accumulator.hpp
  /// (a weight other than 1 makes the state weighted). Throws
  /// score_out_of_scale (field "ces") or invalid_weight (field "weight").
  void add(const response& r, const location& where = {}) {
    detail::add_answer(counts_, r.ces, r.weight, where, "ces");
  }
  /// Adds a column of scores through the engine; missing_score (255) rows are
  /// skipped. Errors name the first bad row (engine/accumulator.hpp).
  void add(std::span<const std::uint8_t> scores, const engine::count_options& o = {}) {
    counts_.merge(engine::count_column(scores, counts_.scale_of(), o).counts);
  }
  void add(std::span<const std::uint8_t> scores, std::span<const float> weights, const engine::count_options& o = {}) {
    counts_.merge(engine::count_column(scores, weights, counts_.scale_of(), o).counts);
  }
  void add(std::span<const std::uint8_t> scores, std::span<const double> weights,
           const engine::count_options& o = {}) {
    counts_.merge(engine::count_column(scores, weights, counts_.scale_of(), o).counts);
  }

  /// Adds `other` into this state. Throws incompatible_merge when the options differ.
  void merge(const ces_accumulator& other) {
    if (!(other.opt_ == opt_)) {
      throw incompatible_merge("cannot merge CES accumulators with different options (level, easy threshold or share method)");
    }
    counts_.merge(other.counts_);
  }

  [[nodiscard]] std::uint64_t count() const noexcept { return counts_.count(); }
  [[nodiscard]] bool empty() const noexcept { return counts_.empty(); }
  [[nodiscard]] ces_result result() const { return compute_ces(counts_, opt_); }
  [[nodiscard]] const score_counts& counts() const noexcept { return counts_; }
  [[nodiscard]] const ces_options& options() const noexcept { return opt_; }

  friend bool operator==(const ces_accumulator&, const ces_accumulator&) = default;

 private:
  static const ces_options& checked(const ces_options& o) {
    check_ces_options(o);
    return o;
  }
  ces_options opt_;
  score_counts counts_;
};

// --- fields (core/fields.hpp) ---------------------------------------------------

constexpr serial_type serial_type_of(serial_tag<ces_options>) noexcept { return {type_tag::none, 1, "ces_options"}; }

/// Fields of ces_options: level, easy_min, share_method.
template <class Ar>
void visit_fields(Ar& ar, ces_options& o) {
  ces_options v = o;
  detail::visit_level(ar, v.level);
  ar.field("easy_min", v.easy_min);
  if (v.easy_min < 2 || v.easy_min > 7) ar.fail("CES 'easy' threshold must be 2..7, got " + std::to_string(v.easy_min));
  detail::visit_method(ar, "share_method", v.share_method);
  ar.check([&] { check_ces_options(v); });
  if constexpr (Ar::loading) o = v;
}

constexpr serial_type serial_type_of(serial_tag<ces_accumulator>) noexcept {
  return {type_tag::ces_accumulator, 1, "ces_accumulator"};
}

/// Fields of ces_accumulator: options, counts (on scale::ces(o.easy_min)).
template <class Ar>
void visit_fields(Ar& ar, ces_accumulator& a) {
  ces_options o = a.options();
  score_counts c = a.counts();
  ar.field("options", o);
  const auto at = ar.mark();
  ar.field("counts", c);
  if constexpr (Ar::loading) {
    detail::expect_scale(ar, at, "counts.scale", c, scale::ces(o.easy_min), "the options");
    a = ar.rebuild([&] { return ces_accumulator(o, std::move(c)); });
  }
}

}  // namespace cxm
