// Resolution rate ("was your issue resolved?") with its interval, and the
// mergeable accumulator.
//
//   rate = yes / (yes + no), a proportion 0…1 with the interval of
//          resolution_options::method (stats::proportion: Wilson by default;
//          Jeffreys, Clopper–Pearson, Agresti–Coull or Wald). Weighted:
//          Σw(yes)/Σw(yes + no) with the linearised SE and Kish's effective n
//          (see stats/proportion.hpp).
//
// Unknown answers (resolution::unknown: skipped question, "n/a") are counted
// and reported but excluded from the rate: they are never treated as "no".
// The estimate's n is the number of answered (yes/no) responses.
//
// resolution_accumulator keeps a score_counts on scale::binary() (0 = no,
// 1 = yes) plus the number of unknowns; a regular value type (copyable, ==).
//   count()     every response added, answered or unknown (so empty() means
//               nothing was added)
//   answered()  yes + no (the rate's n)
//   unknown()   the unknowns; a weight given with an unknown answer is
//               checked (NaN, infinite, negative → invalid_weight) but not
//               kept, since unknowns take no part in the rate
// The state is those counts alone: the level and interval method are given
// to result(resolution_options), never stored, so any two states merge.
// No answered responses gives a no_data rate, never an exception. A state of
// serial version 1 (io/binary.hpp) still held its options; they are read,
// checked and dropped.
// It satisfies cxm::accumulator (engine/accumulator.hpp); a whole column of
// resolved flags goes through the SIMD engine with engine::add_column (−1
// counted as unknown), which hands its counts to add_counts().
//
// Header: cxmetrics/metrics/resolution.hpp. Complexity: O(1) everywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/metrics/score_metric.hpp"
#include "cxmetrics/stats/proportion.hpp"
#include "cxmetrics/stats/weighted_se.hpp"

namespace cxm::inline v0_1 {

struct resolution_options {
  double level = 0.95;                              ///< 0 < level < 1
  interval_method method = interval_method::wilson;  ///< a proportion interval method
  stats::weighted_se weighted_se = stats::weighted_se::linearized;  ///< the SE of weighted counts
  friend bool operator==(const resolution_options&, const resolution_options&) = default;
};

struct resolution_result {
  estimate rate;               ///< yes / (yes + no), 0…1
  std::uint64_t yes = 0;       ///< responses answering yes
  std::uint64_t no = 0;        ///< responses answering no
  std::uint64_t unknown = 0;   ///< responses without an answer (not in the rate)
  friend bool operator==(const resolution_result&, const resolution_result&) = default;
};

/// Throws invalid_argument for a bad level or a non-proportion method.
inline void check_resolution_options(const resolution_options& opt) {
  // Checks level and method even when there are no responses yet.
  (void)stats::proportion_interval(0.0, 1.0, opt.level, opt.method);
}

/// Resolution rate of yes/no counts on the binary scale, with `unknown`
/// unanswered responses reported alongside. Throws invalid_argument for bad
/// options or counts on another scale.
[[nodiscard]] inline resolution_result compute_resolution(const score_counts& c, std::uint64_t unknown = 0,
                                                          const resolution_options& opt = {}) {
  check_resolution_options(opt);
  if (!(c.scale_of() == scale::binary())) {
    throw invalid_argument("resolution rate needs counts on the binary scale 0..1, got counts on the " +
                           c.scale_of().describe());
  }
  resolution_result r;
  const auto yes = c.high();
  const auto all = c.total();
  r.yes = yes.n;
  r.no = c.low().n;
  r.unknown = unknown;
  const stats::proportion_options po{opt.level, opt.method, opt.weighted_se};
  r.rate = c.weighted() ? stats::proportion(yes, all, po) : stats::proportion(yes.n, all.n, po);
  return r;
}

/// Mergeable resolution state: yes/no counts plus unknowns.
class resolution_accumulator {
 public:
  using options_type = resolution_options;
  using result_type = resolution_result;

  resolution_accumulator() = default;
  /// Rebuilds a state from its parts (deserialisation, the engine): yes/no
  /// counts on scale::binary() and `unknown` unanswered responses. Throws
  /// invalid_argument for counts on another scale or a total past 2^64 − 1.
  resolution_accumulator(score_counts counts, std::uint64_t unknown) {
    add_counts(counts, unknown);
  }

  /// Adds one answer. Throws invalid_value for a value that is not yes, no or unknown.
  void add(resolution r, const location& where = {}) {
    if (r == resolution::unknown) {
      ++unknown_;
      return;
    }
    counts_.add(score_of(r, where), where);
  }
  /// Adds one weighted answer. Throws invalid_weight or invalid_value.
  void add(resolution r, double weight, const location& where = {}) {
    if (r == resolution::unknown) {
      check_weight(weight, where);
      ++unknown_;
      return;
    }
    counts_.add(score_of(r, where), weight, where);
  }
  /// Adds r.resolved, weighted by the rule of metrics/score_metric.hpp (a
  /// weight other than 1 makes the state weighted, also for an unknown
  /// answer). Throws invalid_weight (field "weight") or invalid_value (field
  /// "resolved").
  void add(const response& r, const location& where = {}) {
    check_weight(r.weight, detail::with_field(where, "weight"));
    if (r.resolved == resolution::unknown) {
      if (r.weight != 1.0) detail::make_weighted(counts_);
      ++unknown_;
      return;
    }
    const int yes = score_of(r.resolved, detail::with_field(where, "resolved"));
    if (r.weight != 1.0) {
      counts_.add(yes, r.weight);
    } else {
      counts_.add(yes);
    }
  }
  /// Adds answers counted elsewhere (a column counted by the engine): yes/no
  /// counts on scale::binary() and `unknown` unanswered ones. Throws
  /// invalid_argument for counts on another scale or a total past 2^64 − 1,
  /// changing nothing.
  void add_counts(const score_counts& yes_no, std::uint64_t unknown) {
    if (!(yes_no.scale_of() == scale::binary())) {
      throw invalid_argument("resolution_accumulator needs counts on the binary scale 0..1, got the " +
                             yes_no.scale_of().describe());
    }
    const std::uint64_t before = count();
    const std::uint64_t answered = yes_no.count();
    if (answered > UINT64_MAX - before || unknown > UINT64_MAX - before - answered) {
      throw invalid_argument("resolution_accumulator: answered + unknown responses exceed 2^64 - 1");
    }
    counts_.merge(yes_no);
    unknown_ += unknown;
  }

  /// Adds bins counted elsewhere (score_counts::add_bins; bin 0 no, 1 yes)
  /// and `unknown` unanswered answers. Throws as score_counts::add_bins.
  void add_bins(std::span<const std::uint64_t> n, std::span<const double> w, std::span<const double> w2,
                std::uint64_t unknown) {
    counts_.add_bins(n, w, w2);
    unknown_ += unknown;
  }

  /// Adds `other`'s answers into this state (never incompatible: the options
  /// of result() play no part).
  void merge(const resolution_accumulator& other) {
    counts_.merge(other.counts_);
    unknown_ += other.unknown_;
  }

  /// Every response added: answered + unknown.
  [[nodiscard]] std::uint64_t count() const noexcept { return counts_.count() + unknown_; }
  [[nodiscard]] bool empty() const noexcept { return count() == 0; }
  /// Yes + no: the responses the rate rests on.
  [[nodiscard]] std::uint64_t answered() const noexcept { return counts_.count(); }
  [[nodiscard]] std::uint64_t unknown() const noexcept { return unknown_; }
  /// The rate of the answers added, with the interval of `options`.
  [[nodiscard]] resolution_result result(const resolution_options& options = {}) const {
    return compute_resolution(counts_, unknown_, options);
  }
  /// The yes/no histogram (binary scale: 0 = no, 1 = yes).
  [[nodiscard]] const score_counts& counts() const noexcept { return counts_; }

  friend bool operator==(const resolution_accumulator&, const resolution_accumulator&) = default;

 private:
  static int score_of(resolution r, const location& where) {
    switch (r) {
      case resolution::yes: return 1;
      case resolution::no: return 0;
      case resolution::unknown: break;
    }
    throw invalid_value("resolved flag has the value " + std::to_string(static_cast<int>(r)) +
                            ", which is not yes (1), no (0) or unknown (-1)",
                        where);
  }

  score_counts counts_{scale::binary()};
  std::uint64_t unknown_ = 0;
};

// --- fields (core/fields.hpp) ---------------------------------------------------

constexpr serial_type serial_type_of(serial_tag<resolution_options>) noexcept {
  return {type_tag::none, 1, "resolution_options"};
}

/// Fields of resolution_options: level, method.
template <class Ar>
void visit_fields(Ar& ar, resolution_options& o) {
  detail::visit_level_and_method(ar, o, &resolution_options::method, "method", check_resolution_options);
}

constexpr serial_type serial_type_of(serial_tag<resolution_accumulator>) noexcept {
  return {type_tag::resolution_accumulator, 2, "resolution_accumulator"};
}

/// Fields of resolution_accumulator: counts (binary scale), unknown. Serial
/// version 1 held the options first: they are read, checked and dropped.
template <class Ar>
void visit_fields(Ar& ar, resolution_accumulator& a) {
  ar.only_members({"options", "counts", "unknown"});
  (void)detail::visit_v1_options<resolution_options>(ar, [](const resolution_options&) -> std::optional<scale> { return std::nullopt; });
  score_counts c = a.counts();
  std::uint64_t unknown = a.unknown();
  const auto at = ar.mark();
  ar.field("counts", c);
  ar.field("unknown", unknown);
  if (unknown > UINT64_MAX - c.count()) ar.fail("counts sum past 2^64 - 1");
  if constexpr (Ar::loading) {
    detail::expect_scale(ar, at, "counts.scale", c, scale::binary(), "a resolution_accumulator needs");
    a = ar.rebuild([&] { return resolution_accumulator(std::move(c), unknown); });
  }
}

}  // namespace cxm
