// Top-box share and mean of a rating on any scale, and the query options
// shared by every top-box/mean metric (CSAT, CES, a driver rating 1–5).
//
//   top box  share of responses in the scale's high group (score >=
//            high_min), a proportion 0…1 with the interval of share_method
//            (stats::proportion: Wilson by default; Jeffreys,
//            Clopper–Pearson, Agresti–Coull or Wald). Weighted: Σw(top)/Σw
//            with the linearised SE and Kish's effective n
//            (stats/proportion.hpp).
//   mean     mean score with a Student t interval (stats::mean_t).
//
// rating_accumulator is score_metric<rating_spec> (metrics/score_metric.hpp):
// a histogram on the scale given at construction (custom 1..5 with top box
// 4–5 by default), merged only with states on the same scale and cut, with
// rating_options passed to result(). csat_accumulator and ces_accumulator are
// the same code on their own scales, with their own result names.
//
// Header: cxmetrics/metrics/rating.hpp. Complexity: result O(points).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/metrics/score_metric.hpp"
#include "cxmetrics/stats/mean.hpp"
#include "cxmetrics/stats/proportion.hpp"
#include "cxmetrics/stats/weighted_se.hpp"

namespace cxm::inline v0_1 {

/// What result() of a top-box/mean metric takes: asked at query time, never
/// part of the state.
struct rating_options {
  double level = 0.95;                                     ///< 0 < level < 1, for the share and the mean
  interval_method share_method = interval_method::wilson;  ///< a proportion interval method
  stats::weighted_se weighted_se = stats::weighted_se::linearized;  ///< the SE of weighted counts
  friend bool operator==(const rating_options&, const rating_options&) = default;
};

/// Top-box share and mean of a rating.
struct rating_result {
  estimate top_box;  ///< share of the scale's high group, 0…1
  estimate mean;     ///< mean score, in scale units
  friend bool operator==(const rating_result&, const rating_result&) = default;
};

/// Throws invalid_argument for a bad level or a non-proportion method
/// (checked even when there are no responses yet).
inline void check_rating_options(const rating_options& opt) {
  (void)stats::proportion_interval(0.0, 1.0, opt.level, opt.share_method);
}

constexpr serial_type serial_type_of(serial_tag<rating_options>) noexcept {
  return {type_tag::none, 1, "rating_options"};
}

/// Fields of rating_options (core/fields.hpp): level, share_method.
template <class Ar>
void visit_fields(Ar& ar, rating_options& o) {
  detail::visit_level_and_method(ar, o, &rating_options::share_method, "share_method", check_rating_options);
}

namespace detail {

/// The share of scores >= `top_min` and the mean of `c`.
[[nodiscard]] inline std::pair<estimate, estimate> share_and_mean(const score_counts& c, int top_min, double level,
                                                                  interval_method method, stats::weighted_se se) {
  const stats::proportion_options share{level, method, se};
  const auto top = c.range(top_min, c.scale_of().max());
  return {c.weighted() ? stats::proportion(top, c.total(), share) : stats::proportion(top.n, c.count(), share),
          stats::mean_t(c, level, se)};
}

/// The same for compute_csat and compute_ces, whose counts must lie on a
/// scale of `kind` (any cut): otherwise invalid_argument, the message
/// starting with `needs` ("CSAT needs counts on the CSAT scale 1..5").
[[nodiscard]] inline std::pair<estimate, estimate> kind_share_and_mean(const score_counts& c, scale_kind kind,
                                                                       std::string_view needs, int top_min,
                                                                       double level, interval_method method,
                                                                       stats::weighted_se se) {
  const auto& s = c.scale_of();
  if (s.kind() != kind) throw invalid_argument(std::string(needs) + ", got counts on the " + s.describe());
  return share_and_mean(c, top_min, level, method, se);
}

}  // namespace detail

/// Top-box share (the scale's high group) and mean of `c`, on any scale.
/// Throws invalid_argument for bad options.
[[nodiscard]] inline rating_result compute_rating(const score_counts& c, const rating_options& opt = {}) {
  check_rating_options(opt);
  auto [top, mean] = detail::share_and_mean(c, c.scale_of().high_min(), opt.level, opt.share_method,
                                           opt.weighted_se);
  return {std::move(top), std::move(mean)};
}

/// The Spec of rating_accumulator (metrics/score_metric.hpp).
struct rating_spec : spec_base<rating_options, rating_result> {
  static constexpr metric_names names{"rating_accumulator", "a scale", type_tag::rating_accumulator};
  /// 1..5 with top box 4–5 and bottom box 1–2.
  static scale default_scale() { return scale::custom(1, 5, 4, 2); }
  static rating_result compute(const score_counts& c, const rating_options& o) { return compute_rating(c, o); }
};

namespace detail {

/// The fields of the options of compute_csat and compute_ces: a level, an
/// integer cut (the member `cut`, field `name`, in lo..hi, `what` in the
/// message) and a share method, checked as a whole by `check(options)`.
template <class Ar, class Options, class Check>
void visit_cut_options(Ar& ar, Options& o, int Options::*cut, std::string_view name, int lo, int hi,
                       std::string_view what, Check check) {
  Options v = o;
  visit_level(ar, v.level);
  ar.field(name, v.*cut);
  if (v.*cut < lo || v.*cut > hi) {
    ar.fail(std::string(what) + " must be " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " +
            std::to_string(v.*cut));
  }
  visit_method(ar, "share_method", v.share_method);
  ar.check([&] { check(v); });
  if constexpr (Ar::loading) o = v;
}

/// What the Specs of CSAT and CES share: rating options, any scale of one
/// kind (whatever its cut), and the answers of the response field `Field`.
template <scale_kind Kind, std::optional<int> response::*Field>
struct kind_rating_spec : spec_base<rating_options, void> {
  static bool accepts(const scale& s) noexcept { return s.kind() == Kind; }
  static const std::optional<int>& answer(const response& r) noexcept { return r.*Field; }
};

}  // namespace detail

/// Mergeable top-box/mean state on any scale (see the header comment).
using rating_accumulator = score_metric<rating_spec>;

}  // namespace cxm
