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
// ces_accumulator is score_metric<ces_spec> (metrics/score_metric.hpp): a
// histogram on scale::ces(easy_min), easy from 5 by default; the threshold is
// part of the state (states with different thresholds do not merge), and the
// level and share method are given to result(rating_options). n = 0 gives
// no_data estimates, never an exception.
//
// Header: cxmetrics/metrics/ces.hpp. Complexity: add O(1), merge and result O(7).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/metrics/rating.hpp"
#include "cxmetrics/metrics/score_metric.hpp"

namespace cxm::inline v0_1 {

/// How compute_ces reads bare counts: the level, the "easy" threshold and
/// the share interval. (A ces_accumulator keeps its threshold in its scale
/// and takes rating_options.)
struct ces_options {
  double level = 0.95;                                    ///< 0 < level < 1
  int easy_min = 5;                                       ///< 2..7; scores >= easy_min count as "easy"
  interval_method share_method = interval_method::wilson;  ///< a proportion interval method
  stats::weighted_se weighted_se = stats::weighted_se::linearized;  ///< the SE of weighted counts
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
  check_rating_options({opt.level, opt.share_method});
}

constexpr serial_type serial_type_of(serial_tag<ces_options>) noexcept { return {type_tag::none, 1, "ces_options"}; }

/// Fields of ces_options (core/fields.hpp): level, easy_min, share_method.
template <class Ar>
void visit_fields(Ar& ar, ces_options& o) {
  detail::visit_cut_options(ar, o, &ces_options::easy_min, "easy_min", 2, 7, "CES 'easy' threshold", check_ces_options);
}

/// Mean and easy share of CES counts (see the header comment).
[[nodiscard]] inline ces_result compute_ces(const score_counts& c, const ces_options& opt = {}) {
  check_ces_options(opt);
  auto [easy, mean] = detail::kind_share_and_mean(c, scale_kind::ces, "CES needs counts on the CES scale 1..7",
                                                  opt.easy_min, opt.level, opt.share_method, opt.weighted_se);
  return {std::move(mean), std::move(easy)};
}

/// The Spec of ces_accumulator (metrics/score_metric.hpp); serial version 1
/// held the options first, whose easy_min fixed the scale.
struct ces_spec : detail::kind_rating_spec<scale_kind::ces, &response::ces> {
  using result_type = ces_result;
  static constexpr metric_names names{"ces_accumulator", "a CES scale 1..7", type_tag::ces_accumulator, 2, "ces"};
  static scale default_scale() { return scale::ces(); }
  using v1_options = ces_options;
  static std::optional<scale> v1_scale(const ces_options& o) { return scale::ces(o.easy_min); }
  /// The threshold is the state's own (its scale's high group).
  static ces_result compute(const score_counts& c, const rating_options& o) {
    return compute_ces(c, {o.level, c.scale_of().high_min(), o.share_method});
  }
};

/// Mergeable CES state (see the header comment).
using ces_accumulator = score_metric<ces_spec>;

}  // namespace cxm
