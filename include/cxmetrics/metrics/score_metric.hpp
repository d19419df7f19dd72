// score_metric<Spec>: the one accumulator of every histogram-backed metric.
//
// NPS, CSAT, CES, a top-box/mean rating on any scale and the bare histogram
// are all a score_counts on one scale plus a function of it (Spec::compute).
// The state is the histogram alone; what a reader asks for — confidence
// level, interval method, prior, seed — is passed to result(options) and is
// never stored (DataSketches' way: query parameters stay outside the sketch).
// The scale, with its cut points (NPS promoters, CSAT's top box, CES's
// "easy" threshold), is part of the state: it decides which bin a response
// counts in, so two states merge only when their scales are equal.
//
//   cxm::csat_accumulator shard(cxm::scale::csat(1));   // top-1-box CSAT
//   shard.add(5);  shard.add(4, /*weight=*/0.5);
//   other.merge(shard);                                 // incompatible_merge unless the scales agree
//   const auto r = shard.result({0.90, cxm::interval_method::jeffreys});
//
// A Spec is a small struct (see nps.hpp, csat.hpp, ces.hpp, rating.hpp and
// histogram_spec below; spec_base gives the first three):
//
//   using options_type = ...;   what result() takes (value-initialised default)
//   using result_type = ...;    what result() returns
//   static bool accepts(const scale&);          the scales a state may hold
//   static constexpr metric_names names;        name, those scales in words,
//                                               type tag, state version, field
//   static scale default_scale();               the scale of a default state
//   static result_type compute(const score_counts&, const options_type&);
//   // optional, with names.field: the answer of a response, for add(response):
//   static const std::optional<int>& answer(const response&);
//   // optional: the options a state of serial version 1 held, and the scale
//   // they implied (std::nullopt: none):
//   using v1_options = ...;
//   static std::optional<scale> v1_scale(const v1_options&);
//
// SERIALIZATION (core/fields.hpp): one hook for every Spec, the histogram
// ("counts"); a state of version 1 also held "options" first, which are read,
// checked against the counts' scale and dropped.
//
// score_metric<Spec> is a regular value type (copyable, ==) and satisfies
// cxm::accumulator (engine/accumulator.hpp). Columns of scores are added
// through the engine, once for every such metric: engine::add_column(acc,
// scores[, weights], options), which histograms the column and hands the
// counts to add_counts().
//
// RESPONSES. add(response) follows response_table's weighting rule: a
// response whose weight is 1 adds unweighted; a weight other than 1 makes the
// state weighted (per-bin Σw, Σw²) even when the response does not answer the
// question read, so accumulators fed the same rows are all weighted or all
// unweighted. A weighted state counts an unweighted response with weight 1.
// Every add checks the score and the weight before it changes anything.
//
// Header: cxmetrics/metrics/score_metric.hpp. Complexity: add O(1), merge and
// add_counts O(points), result that of Spec::compute.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/fields.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/scale.hpp"

namespace cxm::inline v0_1 {

namespace detail {

/// `where` naming `field`.
[[nodiscard]] inline location with_field(location where, std::string field) {
  where.field = std::move(field);
  return where;
}

/// Makes `c` weighted without adding a response (a no-op when it already is).
inline void make_weighted(score_counts& c) {
  if (c.weighted()) return;
  const auto points = static_cast<std::size_t>(c.scale_of().points());
  c.merge(score_counts(c.scale_of(), std::vector<std::uint64_t>(points, 0), std::vector<double>(points, 0.0),
                       std::vector<double>(points, 0.0)));
}

/// Adds the answer `score` (if any) of a response of weight `w` to `c` by the
/// rule of the header comment. Checks the score (naming `field`) and then the
/// weight (naming "weight") before changing anything.
inline void add_answer(score_counts& c, const std::optional<int>& score, double w, const location& where,
                       const char* field) {
  if (score) c.scale_of().check(*score, with_field(where, field));
  check_weight(w, with_field(where, "weight"));
  if (score) {
    if (w != 1.0) {
      c.add(*score, w);
    } else {
      c.add(*score);
    }
  } else if (w != 1.0) {
    make_weighted(c);
  }
}

/// "the CSAT scale 1..5 (high from 4)": a scale with its cut, for messages.
[[nodiscard]] inline std::string scale_with_cut(const scale& s) {
  return "the " + s.describe() + " (high from " + std::to_string(s.high_min()) + ")";
}

}  // namespace detail

/// What a Spec says about itself (see the header comment).
struct metric_names {
  std::string_view name;          ///< "csat_accumulator": messages, the archives
  std::string_view scales;        ///< the scales it takes, in words ("a CSAT scale 1..5")
  type_tag tag = type_tag::none;  ///< its type tag in the binary format
  std::uint8_t version = 1;       ///< the state version it writes
  const char* field = nullptr;    ///< the response field add(response) reads; nullptr: none
};

/// The parts most Specs share: their option and result types, any scale.
template <class Options, class Result>
struct spec_base {
  using options_type = Options;
  using result_type = Result;
  static bool accepts(const scale&) noexcept { return true; }
};

/// A Spec whose responses come from one field of cxm::response.
template <class Spec>
concept reads_response_field = Spec::names.field != nullptr && requires(const response& r) {
  { Spec::answer(r) } -> std::same_as<const std::optional<int>&>;
};

/// The accumulator of a histogram-backed metric (see the header comment).
template <class Spec>
class score_metric {
 public:
  using spec_type = Spec;
  using options_type = typename Spec::options_type;
  using result_type = typename Spec::result_type;

  /// An empty state on Spec::default_scale().
  score_metric() : counts_(Spec::default_scale()) {}
  /// An empty state on `s`. Throws invalid_argument unless Spec accepts `s`.
  explicit score_metric(const scale& s) : counts_(checked(s)) {}
  /// Rebuilds a state from its histogram (deserialisation, the engine).
  /// Throws invalid_argument unless Spec accepts its scale.
  explicit score_metric(score_counts counts) : counts_(std::move(counts)) { (void)checked(counts_.scale_of()); }

  /// Adds one response. Throws score_out_of_scale (naming the score and `where`).
  void add(int score, const location& where = {}) { counts_.add(score, where); }
  /// Adds one weighted response. Throws score_out_of_scale or invalid_weight.
  void add(int score, double weight, const location& where = {}) { counts_.add(score, weight, where); }
  /// Adds the answer of `r` to Spec's field, weighted by the rule of the header
  /// comment. Throws score_out_of_scale (naming the field) or invalid_weight
  /// (field "weight").
  void add(const response& r, const location& where = {})
    requires reads_response_field<Spec>
  {
    detail::add_answer(counts_, Spec::answer(r), r.weight, where, Spec::names.field);
  }
  /// Adds responses counted elsewhere (a column counted by the engine, a
  /// dashboard's numbers). Throws incompatible_merge when `c` lies on another
  /// scale (cut points included).
  void add_counts(const score_counts& c) {
    if (!(c.scale_of() == counts_.scale_of())) throw mismatch(c.scale_of());
    counts_.merge(c);
  }

  /// Adds bins counted elsewhere on this state's points (score_counts::add_bins).
  void add_bins(std::span<const std::uint64_t> n, std::span<const double> w = {}, std::span<const double> w2 = {}) {
    counts_.add_bins(n, w, w2);
  }

  /// Adds `other`'s responses into this state. Throws incompatible_merge,
  /// naming both scales, when they differ (cut points included); the options
  /// of result() play no part.
  void merge(const score_metric& other) { add_counts(other.counts_); }

  /// Responses added (including zero-weight ones).
  [[nodiscard]] std::uint64_t count() const noexcept { return counts_.count(); }
  [[nodiscard]] bool empty() const noexcept { return counts_.empty(); }
  /// The metric of the responses added, computed with `options`.
  [[nodiscard]] result_type result(const options_type& options = {}) const { return Spec::compute(counts_, options); }
  /// The histogram: the whole state.
  [[nodiscard]] const score_counts& counts() const noexcept { return counts_; }
  [[nodiscard]] const scale& scale_of() const noexcept { return counts_.scale_of(); }

  friend bool operator==(const score_metric&, const score_metric&) = default;

 private:
  static const scale& checked(const scale& s) {
    if (!Spec::accepts(s)) {
      throw invalid_argument(std::string(Spec::names.name) + " needs " + std::string(Spec::names.scales) + ", got " +
                             detail::scale_with_cut(s));
    }
    return s;
  }
  incompatible_merge mismatch(const scale& other) const {
    return incompatible_merge("cannot merge " + std::string(Spec::names.name) + " states on different scales: " +
                              detail::scale_with_cut(other) + " into " + detail::scale_with_cut(counts_.scale_of()));
  }

  score_counts counts_;
};

/// Options of a metric that has none (result() of the bare histogram).
struct no_options {
  friend bool operator==(const no_options&, const no_options&) = default;
};

/// The bare histogram on any scale: result() is the score_counts itself,
/// from which every score metric is computed.
struct histogram_spec : spec_base<no_options, score_counts> {
  static constexpr metric_names names{"score_histogram", "any scale", type_tag::score_histogram};
  static scale default_scale() noexcept { return scale::nps(); }
  static score_counts compute(const score_counts& c, const no_options&) { return c; }
};

/// A score histogram on one scale as an accumulator (NPS scale by default).
using score_histogram = score_metric<histogram_spec>;

// --- fields (core/fields.hpp) ---------------------------------------------------

template <class Spec>
  requires(Spec::names.tag != type_tag::none)
constexpr serial_type serial_type_of(serial_tag<score_metric<Spec>>) noexcept {
  return {Spec::names.tag, Spec::names.version, Spec::names.name};
}

namespace detail {

/// The "options" a state of serial version 1 held before its counts: read,
/// checked and dropped. Returns the scale they implied (`implied(options)`).
template <class Options, class Ar, class F>
std::optional<scale> visit_v1_options(Ar& ar, F implied) {
  if (!ar.legacy("options", 2)) return std::nullopt;
  Options o;
  ar.field("options", o);
  return implied(o);
}

}  // namespace detail

/// Fields of score_metric<Spec>: counts, on a scale Spec accepts (and, in
/// serial version 1, the options first; see the header comment).
template <class Ar, class Spec>
  requires(Spec::names.tag != type_tag::none)
void visit_fields(Ar& ar, score_metric<Spec>& a) {
  std::optional<scale> implied;
  if constexpr (requires { typename Spec::v1_options; }) {
    ar.only_members({"options", "counts"});
    implied = detail::visit_v1_options<typename Spec::v1_options>(
        ar, [](const typename Spec::v1_options& o) { return Spec::v1_scale(o); });
  } else {
    ar.only_members({"counts"});
  }
  score_counts c = a.counts();
  const auto at = ar.mark();
  ar.field("counts", c);
  if constexpr (Ar::loading) {
    if (implied) detail::expect_scale(ar, at, "counts.scale", c, *implied, "the options need");
    if (!Spec::accepts(c.scale_of())) {
      ar.fail_at(at, "counts.scale",
                 "is " + detail::scale_with_cut(c.scale_of()) + ", but " + std::string(Spec::names.name) +
                     " holds counts on " + std::string(Spec::names.scales));
    }
    a = ar.rebuild([&] { return score_metric<Spec>(std::move(c)); });
  }
}

}  // namespace cxm
