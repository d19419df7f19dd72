// Customer satisfaction (CSAT, 1–5): top-box share and mean, and the
// mergeable accumulator.
//
//   satisfied  share of responses in the top `top_box` points (2 → 4–5, the
//              usual "top-2-box"; 1 → 5 only), a proportion 0…1 with the
//              interval of share_method (stats::proportion: Wilson by
//              default; Jeffreys, Clopper–Pearson, Agresti–Coull or Wald).
//              Weighted: Σw(top box)/Σw with the linearised SE and Kish's
//              effective n (see stats/proportion.hpp).
//   mean       mean score 1…5 with a Student t interval (stats::mean_t).
//
// compute_csat takes counts on the CSAT scale 1..5 whatever their own top-box
// cut: the top box of the options decides the share (so one histogram serves
// top-1 and top-2 reporting). Counts on any other scale are rejected.
//
// csat_accumulator: a regular value type (copyable, ==) holding the options
// and a score_counts on scale::csat(top_box); add / merge / count / empty /
// result. Merging accumulators with different options throws
// incompatible_merge. n = 0 gives no_data estimates, never an exception.
// It satisfies cxm::accumulator (engine/accumulator.hpp) and also adds a
// cxm::response (its csat field) or a whole score column through the
// SIMD engine (missing answers skipped), with the same counts.
//
// Header: cxmetrics/metrics/csat.hpp. Complexity: add O(1), merge and result O(5).
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

struct csat_options {
  double level = 0.95;                                    ///< 0 < level < 1
  int top_box = 2;                                        ///< 1..4 top points count as "satisfied"
  interval_method share_method = interval_method::wilson;  ///< a proportion interval method
  friend bool operator==(const csat_options&, const csat_options&) = default;
};

struct csat_result {
  estimate satisfied;  ///< top-box share, 0…1
  estimate mean;       ///< mean score, 1…5
  friend bool operator==(const csat_result&, const csat_result&) = default;
};

/// Throws invalid_argument for a bad level, top box or share method.
inline void check_csat_options(const csat_options& opt) {
  (void)scale::csat(opt.top_box);  // validates 1..4
  // Checks level and method (a non-proportion method throws, naming the
  // accepted ones) even when there are no responses yet.
  (void)stats::proportion_interval(0.0, 1.0, opt.level, opt.share_method);
}

/// Top-box share and mean of CSAT counts (see the header comment).
[[nodiscard]] inline csat_result compute_csat(const score_counts& c, const csat_options& opt = {}) {
  check_csat_options(opt);
  const auto& s = c.scale_of();
  if (s.kind() != scale_kind::csat) {
    throw invalid_argument("CSAT needs counts on the CSAT scale 1..5, got counts on the " + s.describe());
  }
  csat_result r;
  const stats::proportion_options share{opt.level, opt.share_method};
  const auto top = c.range(s.max() - opt.top_box + 1, s.max());
  r.satisfied = c.weighted() ? stats::proportion(top, c.total(), share) : stats::proportion(top.n, c.count(), share);
  r.mean = stats::mean_t(c, opt.level);
  return r;
}

/// Mergeable CSAT state.
class csat_accumulator {
 public:
  using result_type = csat_result;

  csat_accumulator() : csat_accumulator(csat_options{}) {}
  /// Throws invalid_argument for unusable options.
  explicit csat_accumulator(csat_options opt) : opt_(checked(opt)), counts_(scale::csat(opt.top_box)) {}
  /// Rebuilds a state from its parts (deserialisation). Throws invalid_argument
  /// for unusable options or counts on another scale than scale::csat(top_box).
  csat_accumulator(csat_options opt, score_counts counts) : csat_accumulator(opt) {
    if (!(counts.scale_of() == counts_.scale_of())) {
      throw invalid_argument("csat_accumulator with top box " + std::to_string(opt.top_box) +
                             " needs counts on the CSAT scale with high group from " +
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
  /// Adds r.csat if present, weighted by the rule of engine/accumulator.hpp
  /// (a weight other than 1 makes the state weighted). Throws
  /// score_out_of_scale (field "csat") or invalid_weight (field "weight").
  void add(const response& r, const location& where = {}) {
    detail::add_answer(counts_, r.csat, r.weight, where, "csat");
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
  void merge(const csat_accumulator& other) {
    if (!(other.opt_ == opt_)) {
      throw incompatible_merge("cannot merge CSAT accumulators with different options (level, top box or share method)");
    }
    counts_.merge(other.counts_);
  }

  [[nodiscard]] std::uint64_t count() const noexcept { return counts_.count(); }
  [[nodiscard]] bool empty() const noexcept { return counts_.empty(); }
  [[nodiscard]] csat_result result() const { return compute_csat(counts_, opt_); }
  [[nodiscard]] const score_counts& counts() const noexcept { return counts_; }
  [[nodiscard]] const csat_options& options() const noexcept { return opt_; }

  friend bool operator==(const csat_accumulator&, const csat_accumulator&) = default;

 private:
  static const csat_options& checked(const csat_options& o) {
    check_csat_options(o);
    return o;
  }
  csat_options opt_;
  score_counts counts_;
};

// --- fields (core/fields.hpp) ---------------------------------------------------

constexpr serial_type serial_type_of(serial_tag<csat_options>) noexcept { return {type_tag::none, 1, "csat_options"}; }

/// Fields of csat_options: level, top_box, share_method.
template <class Ar>
void visit_fields(Ar& ar, csat_options& o) {
  csat_options v = o;
  detail::visit_level(ar, v.level);
  ar.field("top_box", v.top_box);
  if (v.top_box < 1 || v.top_box > 4) ar.fail("CSAT top-box width must be 1..4, got " + std::to_string(v.top_box));
  detail::visit_method(ar, "share_method", v.share_method);
  ar.check([&] { check_csat_options(v); });
  if constexpr (Ar::loading) o = v;
}

constexpr serial_type serial_type_of(serial_tag<csat_accumulator>) noexcept {
  return {type_tag::csat_accumulator, 1, "csat_accumulator"};
}

/// Fields of csat_accumulator: options, counts (on scale::csat(o.top_box)).
template <class Ar>
void visit_fields(Ar& ar, csat_accumulator& a) {
  csat_options o = a.options();
  score_counts c = a.counts();
  ar.field("options", o);
  const auto at = ar.mark();
  ar.field("counts", c);
  if constexpr (Ar::loading) {
    detail::expect_scale(ar, at, "counts.scale", c, scale::csat(o.top_box), "the options");
    a = ar.rebuild([&] { return csat_accumulator(o, std::move(c)); });
  }
}

}  // namespace cxm
