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
// csat_accumulator is score_metric<csat_spec> (metrics/score_metric.hpp): a
// histogram on scale::csat(top_box), top-2 by default; the top box is part of
// the state (merging top-1 with top-2 states throws incompatible_merge), and
// the level and share method are given to result(rating_options): they are
// not stored (a state of serial version 1 still held them: they are
// read, checked and dropped). n = 0 gives no_data estimates, never an exception.
//
//   cxm::csat_accumulator acc(cxm::scale::csat(1));      // top-1-box
//   acc.add(5);  acc.add(r);                             // a score, or a response's csat field
//   acc.result({0.90, cxm::interval_method::jeffreys});  // .satisfied, .mean
//
// Header: cxmetrics/metrics/csat.hpp. Complexity: add O(1), merge and result O(5).
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

/// How compute_csat reads bare counts: the level, the top box and the share
/// interval. (A csat_accumulator keeps its top box in its scale and takes
/// rating_options.)
struct csat_options {
  double level = 0.95;                                    ///< 0 < level < 1
  int top_box = 2;                                        ///< 1..4 top points count as "satisfied"
  interval_method share_method = interval_method::wilson;  ///< a proportion interval method
  stats::weighted_se weighted_se = stats::weighted_se::linearized;  ///< the SE of weighted counts
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
  check_rating_options({opt.level, opt.share_method});
}

constexpr serial_type serial_type_of(serial_tag<csat_options>) noexcept { return {type_tag::none, 1, "csat_options"}; }

/// Fields of csat_options (core/fields.hpp): level, top_box, share_method.
template <class Ar>
void visit_fields(Ar& ar, csat_options& o) {
  detail::visit_cut_options(ar, o, &csat_options::top_box, "top_box", 1, 4, "CSAT top-box width", check_csat_options);
}

/// Top-box share and mean of CSAT counts (see the header comment).
[[nodiscard]] inline csat_result compute_csat(const score_counts& c, const csat_options& opt = {}) {
  check_csat_options(opt);
  auto [satisfied, mean] = detail::kind_share_and_mean(c, scale_kind::csat, "CSAT needs counts on the CSAT scale 1..5",
                                                       scale::csat().max() - opt.top_box + 1, opt.level,
                                                       opt.share_method, opt.weighted_se);
  return {std::move(satisfied), std::move(mean)};
}

/// The Spec of csat_accumulator (metrics/score_metric.hpp); serial version 1
/// held the options first, whose top_box fixed the scale.
struct csat_spec : detail::kind_rating_spec<scale_kind::csat, &response::csat> {
  using result_type = csat_result;
  static constexpr metric_names names{"csat_accumulator", "a CSAT scale 1..5", type_tag::csat_accumulator, 2, "csat"};
  static scale default_scale() { return scale::csat(); }
  using v1_options = csat_options;
  static std::optional<scale> v1_scale(const csat_options& o) { return scale::csat(o.top_box); }
  /// The top box is the state's own (its scale's high group).
  static csat_result compute(const score_counts& c, const rating_options& o) {
    return compute_csat(c, {o.level, c.scale_of().max() - c.scale_of().high_min() + 1, o.share_method});
  }
};

/// Mergeable CSAT state (see the header comment).
using csat_accumulator = score_metric<csat_spec>;

}  // namespace cxm
