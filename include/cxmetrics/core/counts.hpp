// score_counts: the sufficient statistic of every score metric.
//
// NPS, CSAT, CES, resolution rate and their variances depend only on how many
// responses fell on each point of the scale. For weighted data each bin also
// keeps Σw and Σw² (the latter gives linearised variances and Kish's
// effective n). Counts add, so they merge across threads, shards and time
// buckets: merge(counts(A), counts(B)) == counts(A ∪ B).
//
// Unweighted counts are exact integers. A state becomes weighted on its first
// weighted add (or merge with a weighted state); from then on an unweighted
// response counts as weight 1, so an unweighted state is exactly a weighted
// one whose weights are all 1.
//
// Serialization (core/fields.hpp): score_counts is its scale, a weighted
// flag, the count of every bin and, when weighted, Σw and Σw² of every bin;
// bin_totals is n, Σw and Σw². Counts sum to at most 2^64 − 1; weight sums
// are finite, >= 0 and 0 where the count is 0.
//
// Header: cxmetrics/core/counts.hpp. Complexity: add O(1), merge O(points).
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/fields.hpp"
#include "cxmetrics/core/scale.hpp"

namespace cxm::inline v0_1 {

/// The range of a weight: 0, or min_weight .. max_weight. With |w| <= 1e100,
/// w² <= 1e200 and the sums of 10^18 responses (Σw <= 1e118, Σw² <= 1e218,
/// (Σw)² <= 1e236) stay finite; with w >= 1e-100, w² >= 1e-200 stays a normal
/// double, so Σw² (Kish's effective n, every variance) keeps every response.
/// A weight outside, a subnormal one included, is a data error, not a weight.
inline constexpr double min_weight = 1e-100;
inline constexpr double max_weight = 1e100;

namespace detail {
/// Shortest text that reads back as v ("1e+155", "9.99e-101").
inline std::string shortest_text(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}
}  // namespace detail

/// Throws invalid_weight naming `where` unless `w` is 0 (or -0) or lies in
/// [min_weight, max_weight].
inline void check_weight(double w, const location& where = {}) {
  if ((w >= min_weight && w <= max_weight) || w == 0.0) return;
  if (std::isnan(w)) throw invalid_weight("weight is NaN", where);
  if (std::isinf(w)) throw invalid_weight("weight is infinite (" + std::to_string(w) + ")", where);
  if (w < 0.0) throw invalid_weight("weight " + std::to_string(w) + " is negative", where);
  throw invalid_weight("weight " + detail::shortest_text(w) + " is outside the range of weights: 0, or 1e-100 to 1e100",
                       where);
}

/// Throws invalid_weight naming `where` unless the sum of weights (or of
/// squared weights) `s` is finite and >= 0.
inline void check_weight_sum(double s, const location& where = {}) {
  if (std::isnan(s)) throw invalid_weight("weight sum is NaN", where);
  if (std::isinf(s)) throw invalid_weight("weight sum is infinite (" + std::to_string(s) + ")", where);
  if (s < 0.0) throw invalid_weight("weight sum " + std::to_string(s) + " is negative", where);
}

/// Count and weight totals of a set of bins.
struct bin_totals {
  std::uint64_t n = 0;  ///< responses
  double w = 0.0;       ///< Σw (equals n when unweighted)
  double w2 = 0.0;      ///< Σw² (equals n when unweighted)
  friend bool operator==(const bin_totals&, const bin_totals&) = default;
};

/// Per-point histogram of scores on one scale (see the header comment).
class score_counts {
 public:
  explicit score_counts(scale s = scale::nps()) : scale_(s), n_(static_cast<std::size_t>(s.points()), 0) {}

  /// Rebuilds a state from its parts (deserialisation, engines). `n` must have
  /// one entry per point; `w`/`w2` are either both empty (unweighted) or both
  /// of that size with finite, non-negative entries.
  score_counts(scale s, std::vector<std::uint64_t> n, std::vector<double> w = {}, std::vector<double> w2 = {})
      : scale_(s), n_(std::move(n)), w_(std::move(w)), w2_(std::move(w2)) {
    const auto points = static_cast<std::size_t>(s.points());
    if (n_.size() != points) {
      throw invalid_argument("score_counts for the " + s.describe() + " needs " + std::to_string(points) +
                             " bins, got " + std::to_string(n_.size()));
    }
    if (w_.size() != w2_.size() || (!w_.empty() && w_.size() != points)) {
      throw invalid_argument("score_counts weight sums must be empty or have one entry per bin");
    }
    for (std::size_t i = 0; i < w_.size(); ++i) {
      check_weight_sum(w_[i], at_field("sum_w[" + std::to_string(i) + "]"));
      check_weight_sum(w2_[i], at_field("sum_w2[" + std::to_string(i) + "]"));
    }
  }

  [[nodiscard]] const scale& scale_of() const noexcept { return scale_; }

  /// Adds one unweighted response. Throws score_out_of_scale.
  void add(int score, const location& where = {}) {
    scale_.check(score, where);
    const auto b = scale_.bin(score);
    ++n_[b];
    if (weighted()) {
      w_[b] += 1.0;
      w2_[b] += 1.0;
    }
  }

  /// Adds one response with weight `w` (0, or min_weight .. max_weight; 0
  /// counts as a response that carries no weight). Throws score_out_of_scale
  /// or invalid_weight.
  void add(int score, double w, const location& where = {}) {
    scale_.check(score, where);
    check_weight(w, where);
    make_weighted();
    const auto b = scale_.bin(score);
    ++n_[b];
    w_[b] += w;
    w2_[b] += w * w;
  }

  /// Adds `count` unweighted responses of the same score.
  void add_count(int score, std::uint64_t count, const location& where = {}) {
    scale_.check(score, where);
    const auto b = scale_.bin(score);
    n_[b] += count;
    if (weighted()) {
      w_[b] += static_cast<double>(count);
      w2_[b] += static_cast<double>(count);
    }
  }

  /// Adds `other` into this state. Throws incompatible_merge when the scales differ.
  void merge(const score_counts& other) {
    if (!(other.scale_ == scale_)) {
      throw incompatible_merge("cannot merge counts on the " + other.scale_.describe() + " (high from " +
                               std::to_string(other.scale_.high_min()) + ") into counts on the " +
                               scale_.describe() + " (high from " + std::to_string(scale_.high_min()) + ")");
    }
    if (other.weighted()) make_weighted();
    for (std::size_t b = 0; b < n_.size(); ++b) {
      n_[b] += other.n_[b];
      if (weighted()) {
        w_[b] += other.weight(b);
        w2_[b] += other.weight_sq(b);
      }
    }
  }

  /// Adds bins counted elsewhere (the engine's grouped counts), one entry per
  /// point: `n` responses per bin and, unless `w` is empty, their Σw and Σw²
  /// (`w2`); empty weight sums count each response with weight 1. Equals
  /// merge(score_counts(scale_of(), n, w, w2)) without building that state.
  /// Throws invalid_argument for other sizes and invalid_weight for a sum that
  /// is not finite and >= 0, before changing anything.
  void add_bins(std::span<const std::uint64_t> n, std::span<const double> w = {}, std::span<const double> w2 = {}) {
    if (n.size() != n_.size() || w.size() != w2.size() || (!w.empty() && w.size() != n_.size())) {
      throw invalid_argument("score_counts::add_bins needs " + std::to_string(n_.size()) +
                             " counts and as many weight sums, or none");
    }
    bool valid = true;  // one cheap pass; the messages only when a sum is bad
    for (std::size_t i = 0; i < w.size(); ++i) {
      if (!(w[i] >= 0.0 && w2[i] >= 0.0 && std::isfinite(w[i] + w2[i]))) valid = false;
    }
    if (!valid) {
      for (std::size_t i = 0; i < w.size(); ++i) {
        check_weight_sum(w[i], at_field("sum_w[" + std::to_string(i) + "]"));
        check_weight_sum(w2[i], at_field("sum_w2[" + std::to_string(i) + "]"));
      }
    }
    if (!w.empty()) make_weighted();
    const std::size_t bins = n_.size();
    for (std::size_t b = 0; b < bins; ++b) n_[b] += n[b];
    if (!weighted()) return;
    if (w.empty()) {
      for (std::size_t b = 0; b < bins; ++b) {
        w_[b] += static_cast<double>(n[b]);
        w2_[b] += static_cast<double>(n[b]);
      }
    } else {
      for (std::size_t b = 0; b < bins; ++b) {
        w_[b] += w[b];
        w2_[b] += w2[b];
      }
    }
  }

  /// Total number of responses (including zero-weight ones).
  [[nodiscard]] std::uint64_t count() const noexcept {
    std::uint64_t total = 0;
    for (auto c : n_) total += c;
    return total;
  }
  [[nodiscard]] bool empty() const noexcept { return count() == 0; }
  [[nodiscard]] bool weighted() const noexcept { return !w_.empty(); }

  [[nodiscard]] std::size_t bins() const noexcept { return n_.size(); }
  /// Responses in bin `b` (0-based; score = scale_of().score_of(b)).
  [[nodiscard]] std::uint64_t count(std::size_t b) const noexcept { return n_[b]; }
  /// Σw of bin `b` (the count when unweighted).
  [[nodiscard]] double weight(std::size_t b) const noexcept {
    return weighted() ? w_[b] : static_cast<double>(n_[b]);
  }
  /// Σw² of bin `b` (the count when unweighted).
  [[nodiscard]] double weight_sq(std::size_t b) const noexcept {
    return weighted() ? w2_[b] : static_cast<double>(n_[b]);
  }
  /// Responses with a given score. Throws score_out_of_scale.
  [[nodiscard]] std::uint64_t count_of(int score) const {
    scale_.check(score);
    return n_[scale_.bin(score)];
  }

  [[nodiscard]] std::span<const std::uint64_t> raw_counts() const noexcept { return n_; }

  /// Totals over scores lo..hi (inclusive, clipped to the scale).
  [[nodiscard]] bin_totals range(int lo, int hi) const noexcept {
    bin_totals t;
    for (int s = std::max(lo, scale_.min()); s <= std::min(hi, scale_.max()); ++s) {
      const auto b = scale_.bin(s);
      t.n += n_[b];
      t.w += weight(b);
      t.w2 += weight_sq(b);
    }
    return t;
  }
  [[nodiscard]] bin_totals total() const noexcept { return range(scale_.min(), scale_.max()); }
  /// Low group (detractors / dissatisfied / difficult / "no").
  [[nodiscard]] bin_totals low() const noexcept { return range(scale_.min(), scale_.low_max()); }
  /// High group (promoters / satisfied / easy / "yes").
  [[nodiscard]] bin_totals high() const noexcept { return range(scale_.high_min(), scale_.max()); }
  /// Between the two groups (passives).
  [[nodiscard]] bin_totals middle() const noexcept { return range(scale_.low_max() + 1, scale_.high_min() - 1); }

  /// Kish's effective sample size (Σw)² / Σw²; equals count() when unweighted
  /// and 0 when there is no weight.
  [[nodiscard]] double effective_n() const noexcept {
    const auto t = total();
    return t.w2 > 0.0 ? t.w * t.w / t.w2 : 0.0;
  }

  friend bool operator==(const score_counts& a, const score_counts& b) noexcept {
    if (!(a.scale_ == b.scale_) || a.n_ != b.n_) return false;
    if (a.weighted() != b.weighted()) return false;
    return a.w_ == b.w_ && a.w2_ == b.w2_;
  }

 private:
  void make_weighted() {
    if (weighted()) return;
    w_.assign(n_.begin(), n_.end());
    w2_.assign(n_.begin(), n_.end());
  }

  scale scale_;
  std::vector<std::uint64_t> n_;
  std::vector<double> w_;   // Σw per bin; empty when unweighted
  std::vector<double> w2_;  // Σw² per bin; empty when unweighted
};

/// Merges two states into a new one.
[[nodiscard]] inline score_counts merged(score_counts a, const score_counts& b) {
  a.merge(b);
  return a;
}

// --- fields (core/fields.hpp) ---------------------------------------------------

namespace detail {

/// A Σw or Σw² value: finite, >= 0, and 0 when the matching count is 0.
template <class Ar>
void visit_weight_sum(Ar& ar, double& v, std::uint64_t count) {
  ar.value(v);
  if (!std::isfinite(v) || v < 0.0) ar.fail("weight sum " + std::to_string(v) + " must be finite and >= 0");
  if (count == 0 && v != 0.0) ar.fail("weight sum is " + std::to_string(v) + " but the count is 0");
}

/// The sequence `name` of one weight sum per bin of `n`.
template <class Ar>
void visit_weight_sums(Ar& ar, std::string_view name, std::vector<double>& v, const std::vector<std::uint64_t>& n) {
  ar.fixed(name, n.size());
  auto in = ar.member(name);
  for (std::size_t b = 0; b < n.size(); ++b) {
    auto e = ar.element(b);
    visit_weight_sum(ar, v[b], n[b]);
  }
}

/// Throws, at the field `field` read at `at`, unless `c` lies on `expected`
/// ("is the X (high from h), but <who_needs> the Y (high from h')").
template <class Ar, class Mark>
void expect_scale(Ar& ar, const Mark& at, std::string_view field, const score_counts& c, const scale& expected,
                  std::string_view who_needs) {
  if (c.scale_of() == expected) return;
  ar.fail_at(at, field,
             "is the " + c.scale_of().describe() + " (high from " + std::to_string(c.scale_of().high_min()) +
                 "), but " + std::string(who_needs) + " the " + expected.describe() + " (high from " +
                 std::to_string(expected.high_min()) + ")");
}

}  // namespace detail

constexpr serial_type serial_type_of(serial_tag<bin_totals>) noexcept { return {type_tag::none, 1, "bin_totals"}; }

/// Fields of bin_totals: n, sum_w, sum_w2.
template <class Ar>
void visit_fields(Ar& ar, bin_totals& t) {
  bin_totals v = t;
  ar.field("n", v.n);
  {
    auto in = ar.member("sum_w");
    detail::visit_weight_sum(ar, v.w, v.n);
  }
  {
    auto in = ar.member("sum_w2");
    detail::visit_weight_sum(ar, v.w2, v.n);
  }
  if constexpr (Ar::loading) t = v;
}

constexpr serial_type serial_type_of(serial_tag<score_counts>) noexcept {
  return {type_tag::score_counts, 1, "score_counts"};
}

/// Fields of score_counts: scale, weighted (JSON: implied by sum_w and
/// sum_w2), counts (binary: the bin count is written once, as "bins"), then
/// sum_w and sum_w2 when weighted.
template <class Ar>
void visit_fields(Ar& ar, score_counts& c) {
  scale s = c.scale_of();
  ar.field("scale", s);
  bool weighted = c.weighted();
  ar.implied_flag("weighted", weighted, {"sum_w", "sum_w2"});
  const auto points = static_cast<std::size_t>(s.points());
  std::size_t bins = points;
  ar.sequence("counts", bins, weighted ? 24 : 8, "bins");
  if (bins != points) {
    ar.fail(std::to_string(bins) + " bins, but the " + s.describe() + " has " + std::to_string(points) + " points");
  }
  std::vector<std::uint64_t> n(points, 0);
  std::vector<double> w;
  std::vector<double> w2;
  if (weighted) {
    w.assign(points, 0.0);
    w2.assign(points, 0.0);
  }
  if constexpr (!Ar::loading) {
    for (std::size_t b = 0; b < points; ++b) {
      n[b] = c.count(b);
      if (weighted) {
        w[b] = c.weight(b);
        w2[b] = c.weight_sq(b);
      }
    }
  }
  {
    auto in = ar.member("counts");
    std::uint64_t total = 0;
    for (std::size_t b = 0; b < points; ++b) {
      auto e = ar.element(b);
      ar.value(n[b]);
      if (n[b] > UINT64_MAX - total) ar.fail("counts sum past 2^64 - 1");
      total += n[b];
    }
  }
  if (weighted) {
    detail::visit_weight_sums(ar, "sum_w", w, n);
    detail::visit_weight_sums(ar, "sum_w2", w2, n);
  }
  if constexpr (Ar::loading) {
    c = ar.rebuild([&] { return score_counts(s, std::move(n), std::move(w), std::move(w2)); });
  }
}

}  // namespace cxm
