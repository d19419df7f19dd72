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
// Merging accumulators with different options throws incompatible_merge.
// No answered responses gives a no_data rate, never an exception.
// It satisfies cxm::accumulator (engine/accumulator.hpp) and also adds a
// cxm::response (its resolved field) or a whole resolved-flag column through the
// SIMD engine (−1 counted as unknown), with the same counts.
//
// Header: cxmetrics/metrics/resolution.hpp. Complexity: O(1) everywhere.
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
#include "cxmetrics/stats/proportion.hpp"

namespace cxm {

struct resolution_options {
  double level = 0.95;                              ///< 0 < level < 1
  interval_method method = interval_method::wilson;  ///< a proportion interval method
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
  const stats::proportion_options po{opt.level, opt.method};
  r.rate = c.weighted() ? stats::proportion(yes, all, po) : stats::proportion(yes.n, all.n, po);
  return r;
}

/// Mergeable resolution state: yes/no counts plus unknowns.
class resolution_accumulator {
 public:
  using result_type = resolution_result;

  resolution_accumulator() : resolution_accumulator(resolution_options{}) {}
  /// Throws invalid_argument for unusable options.
  explicit resolution_accumulator(resolution_options opt) : opt_(opt), counts_(scale::binary()) {
    check_resolution_options(opt_);
  }
  /// Rebuilds a state from its parts (deserialisation): yes/no counts on
  /// scale::binary() and `unknown` unanswered responses. Throws invalid_argument
  /// for unusable options, counts on another scale, or a total past 2^64 − 1.
  resolution_accumulator(resolution_options opt, score_counts counts, std::uint64_t unknown)
      : resolution_accumulator(opt) {
    if (!(counts.scale_of() == counts_.scale_of())) {
      throw invalid_argument("resolution_accumulator needs counts on the binary scale 0..1, got the " +
                             counts.scale_of().describe());
    }
    if (unknown > UINT64_MAX - counts.count()) {
      throw invalid_argument("resolution_accumulator: answered + unknown responses exceed 2^64 - 1");
    }
    counts_ = std::move(counts);
    unknown_ = unknown;
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
  /// Adds r.resolved, weighted by the rule of engine/accumulator.hpp (a weight
  /// other than 1 makes the state weighted, also for an unknown answer).
  /// Throws invalid_weight (field "weight") or invalid_value (field "resolved").
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
  /// Adds a column of resolved flags (int8: 1 yes, 0 no, −1 unknown, as in
  /// response_table) through the engine. Throws invalid_value naming the first
  /// row holding another value (engine/accumulator.hpp).
  void add(std::span<const std::int8_t> flags, const engine::count_options& o = {}) {
    add_column(engine::count_resolved(flags, o));
  }
  void add(std::span<const std::int8_t> flags, std::span<const float> weights, const engine::count_options& o = {}) {
    add_column(engine::count_resolved(flags, weights, o));
  }
  void add(std::span<const std::int8_t> flags, std::span<const double> weights, const engine::count_options& o = {}) {
    add_column(engine::count_resolved(flags, weights, o));
  }

  /// Adds `other` into this state. Throws incompatible_merge when the options differ.
  void merge(const resolution_accumulator& other) {
    if (!(other.opt_ == opt_)) {
      throw incompatible_merge("cannot merge resolution accumulators with different options (level or method)");
    }
    counts_.merge(other.counts_);
    unknown_ += other.unknown_;
  }

  /// Every response added: answered + unknown.
  [[nodiscard]] std::uint64_t count() const noexcept { return counts_.count() + unknown_; }
  [[nodiscard]] bool empty() const noexcept { return count() == 0; }
  /// Yes + no: the responses the rate rests on.
  [[nodiscard]] std::uint64_t answered() const noexcept { return counts_.count(); }
  [[nodiscard]] std::uint64_t unknown() const noexcept { return unknown_; }
  [[nodiscard]] resolution_result result() const { return compute_resolution(counts_, unknown_, opt_); }
  /// The yes/no histogram (binary scale: 0 = no, 1 = yes).
  [[nodiscard]] const score_counts& counts() const noexcept { return counts_; }
  [[nodiscard]] const resolution_options& options() const noexcept { return opt_; }

  friend bool operator==(const resolution_accumulator&, const resolution_accumulator&) = default;

 private:
  void add_column(const engine::column_counts& c) {
    counts_.merge(c.counts);
    unknown_ += c.missing;
  }

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

  resolution_options opt_;
  score_counts counts_;
  std::uint64_t unknown_ = 0;
};

// --- fields (core/fields.hpp) ---------------------------------------------------

constexpr serial_type serial_type_of(serial_tag<resolution_options>) noexcept {
  return {type_tag::none, 1, "resolution_options"};
}

/// Fields of resolution_options: level, method.
template <class Ar>
void visit_fields(Ar& ar, resolution_options& o) {
  resolution_options v = o;
  detail::visit_level(ar, v.level);
  detail::visit_method(ar, "method", v.method);
  ar.check([&] { check_resolution_options(v); });
  if constexpr (Ar::loading) o = v;
}

constexpr serial_type serial_type_of(serial_tag<resolution_accumulator>) noexcept {
  return {type_tag::resolution_accumulator, 1, "resolution_accumulator"};
}

/// Fields of resolution_accumulator: options, counts (binary scale), unknown.
template <class Ar>
void visit_fields(Ar& ar, resolution_accumulator& a) {
  resolution_options o = a.options();
  score_counts c = a.counts();
  std::uint64_t unknown = a.unknown();
  ar.field("options", o);
  const auto at = ar.mark();
  ar.field("counts", c);
  ar.field("unknown", unknown);
  if (unknown > UINT64_MAX - c.count()) ar.fail("counts sum past 2^64 - 1");
  if constexpr (Ar::loading) {
    detail::expect_scale(ar, at, "counts.scale", c, scale::binary(), "the options");
    a = ar.rebuild([&] { return resolution_accumulator(o, std::move(c), unknown); });
  }
}

}  // namespace cxm
