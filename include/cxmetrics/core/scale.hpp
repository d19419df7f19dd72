// Bounded integer response scales: NPS 0–10, CSAT 1–5, CES 1–7 and custom.
//
// A scale knows its inclusive bounds and two cut points that split it into a
// "low" group (score <= low_max), a "high" group (score >= high_min) and the
// middle. For NPS these are detractors (0–6), passives (7–8) and promoters
// (9–10); for CSAT the high group is "satisfied" (top-2-box 4–5 by default);
// for CES it is "easy" (5–7 by default).
//
// A score outside the scale is an error (score_out_of_scale), never clamped.
//
// Serialization (core/fields.hpp): kind, min, max, high_min, low_max; a scale
// read back is rebuilt through its factory, so only scales the factories make
// are accepted, and every field must match the scale rebuilt.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/fields.hpp"

namespace cxm::inline v0_1 {

/// What a scale measures; decides its display name and default cut points.
enum class scale_kind : std::uint8_t { nps, csat, ces, binary, custom };

[[nodiscard]] constexpr const char* to_string(scale_kind k) noexcept {
  switch (k) {
    case scale_kind::nps: return "NPS";
    case scale_kind::csat: return "CSAT";
    case scale_kind::ces: return "CES";
    case scale_kind::binary: return "binary";
    case scale_kind::custom: return "custom";
  }
  return "custom";
}

/// A bounded integer scale with its low/high groups. Regular value type.
class scale {
 public:
  /// Largest number of points a scale may have (bins in a histogram).
  static constexpr int max_points = 1024;

  /// NPS "likelihood to recommend": 0–10, detractors 0–6, promoters 9–10.
  [[nodiscard]] static constexpr scale nps() noexcept { return scale(scale_kind::nps, 0, 10, 9, 6); }

  /// CSAT 1–5; "satisfied" is the top `top_box` points (2 → 4–5, 1 → 5 only).
  /// The low group is the bottom `top_box` points (2 → 1–2).
  [[nodiscard]] static constexpr scale csat(int top_box = 2) {
    if (top_box < 1 || top_box > 4) {
      throw invalid_argument("CSAT top-box width must be 1..4, got " + std::to_string(top_box));
    }
    return scale(scale_kind::csat, 1, 5, 6 - top_box, top_box);
  }

  /// CES 1–7 ("the company made it easy"); "easy" is score >= easy_min (default 5).
  /// The "difficult" group mirrors it below the midpoint (default 1–3).
  [[nodiscard]] static constexpr scale ces(int easy_min = 5) {
    if (easy_min < 2 || easy_min > 7) {
      throw invalid_argument("CES 'easy' threshold must be 2..7, got " + std::to_string(easy_min));
    }
    return scale(scale_kind::ces, 1, 7, easy_min, 8 - easy_min < easy_min ? 8 - easy_min : easy_min - 1);
  }

  /// 0 = no, 1 = yes; used for resolution ("was your issue resolved?").
  [[nodiscard]] static constexpr scale binary() noexcept { return scale(scale_kind::binary, 0, 1, 1, 0); }

  /// A user-defined scale min..max with high group [high_min, max] and low group
  /// [min, low_max]. Requires min < max, at most max_points points, and
  /// min <= low_max < high_min <= max.
  [[nodiscard]] static constexpr scale custom(int min, int max, int high_min, int low_max) {
    if (!(min < max)) {
      throw invalid_argument("custom scale needs min < max, got " + std::to_string(min) + ".." +
                             std::to_string(max));
    }
    if (static_cast<long long>(max) - min + 1 > max_points) {
      throw invalid_argument("custom scale " + std::to_string(min) + ".." + std::to_string(max) +
                             " has more than " + std::to_string(max_points) + " points");
    }
    if (!(min <= low_max && low_max < high_min && high_min <= max)) {
      throw invalid_argument("custom scale needs min <= low_max < high_min <= max, got low_max " +
                             std::to_string(low_max) + ", high_min " + std::to_string(high_min));
    }
    return scale(scale_kind::custom, min, max, high_min, low_max);
  }

  [[nodiscard]] constexpr scale_kind kind() const noexcept { return kind_; }
  [[nodiscard]] constexpr int min() const noexcept { return min_; }
  [[nodiscard]] constexpr int max() const noexcept { return max_; }
  /// Smallest score of the high group (promoter / satisfied / easy).
  [[nodiscard]] constexpr int high_min() const noexcept { return high_min_; }
  /// Largest score of the low group (detractor / dissatisfied / difficult).
  [[nodiscard]] constexpr int low_max() const noexcept { return low_max_; }
  /// Number of points (histogram bins).
  [[nodiscard]] constexpr int points() const noexcept { return max_ - min_ + 1; }

  [[nodiscard]] constexpr bool contains(int score) const noexcept { return score >= min_ && score <= max_; }
  [[nodiscard]] constexpr bool is_high(int score) const noexcept { return score >= high_min_; }
  [[nodiscard]] constexpr bool is_low(int score) const noexcept { return score <= low_max_; }

  /// Histogram bin of a score; the score must be in the scale.
  [[nodiscard]] constexpr std::size_t bin(int score) const noexcept {
    return static_cast<std::size_t>(score - min_);
  }
  /// Score of a histogram bin.
  [[nodiscard]] constexpr int score_of(std::size_t bin) const noexcept {
    return min_ + static_cast<int>(bin);
  }

  /// Throws score_out_of_scale naming `where` when `score` is not on the scale.
  constexpr void check(long long score, const location& where = {}) const {
    if (score < min_ || score > max_) {
      throw score_out_of_scale("score " + std::to_string(score) + " is outside the " + describe(), where);
    }
  }
  constexpr void check(int score, const location& where = {}) const { check(static_cast<long long>(score), where); }
  /// Same for a floating-point score: it must be a finite integer on the scale.
  void check(double score, const location& where = {}) const {
    if (!std::isfinite(score) || score != std::floor(score)) {
      throw score_out_of_scale("score " + std::to_string(score) + " is not an integer point of the " +
                                   describe(),
                               where);
    }
    if (score < min_ || score > max_) {
      throw score_out_of_scale("score " + std::to_string(score) + " is outside the " + describe(), where);
    }
  }

  /// "NPS scale 0..10" — used in messages.
  [[nodiscard]] std::string describe() const {
    return std::string(to_string(kind_)) + " scale " + std::to_string(min_) + ".." + std::to_string(max_);
  }

  friend constexpr bool operator==(const scale&, const scale&) noexcept = default;

 private:
  constexpr scale(scale_kind kind, int min, int max, int high_min, int low_max) noexcept
      : kind_(kind), min_(min), max_(max), high_min_(high_min), low_max_(low_max) {}

  scale_kind kind_;
  int min_;
  int max_;
  int high_min_;
  int low_max_;
};

/// Codes (binary) and names (JSON) of the scale kinds in the archives.
inline constexpr std::array<scale_kind, 5> scale_kind_codes = {scale_kind::nps, scale_kind::csat, scale_kind::ces,
                                                               scale_kind::binary, scale_kind::custom};
inline constexpr std::array<std::string_view, 5> scale_kind_names = {"nps", "csat", "ces", "binary", "custom"};

constexpr serial_type serial_type_of(serial_tag<scale>) noexcept { return {type_tag::scale, 1, "scale"}; }
constexpr scale serial_placeholder(serial_tag<scale>) noexcept { return scale::nps(); }

namespace detail {

inline constexpr std::array<std::string_view, 4> scale_bound_names = {"min", "max", "high_min", "low_max"};

/// The scale of `kind` with the bounds read (see visit_fields); the bounds of
/// a built-in kind may be absent (JSON) and must match when present.
template <class Ar, class Mark>
scale rebuilt_scale(Ar& ar, scale_kind kind, const std::array<std::optional<int>, 4>& b,
                    const std::array<Mark, 4>& at) {
  const auto cut = [&](int lo, int hi, int fallback) {
    const int v = b[2].value_or(fallback);
    if (v < lo || v > hi) {
      ar.fail_at(at[2], "high_min",
                 std::string(to_string(kind)) + " high_min must be " + std::to_string(lo) + ".." + std::to_string(hi) +
                     ", got " + std::to_string(v));
    }
    return v;
  };
  const scale s = ar.rebuild([&] {
    switch (kind) {
      case scale_kind::nps: return scale::nps();
      case scale_kind::csat: return scale::csat(6 - cut(2, 5, 4));
      case scale_kind::ces: return scale::ces(cut(2, 7, 5));
      case scale_kind::binary: return scale::binary();
      case scale_kind::custom: break;
    }
    if (!b[0] || !b[1] || !b[2] || !b[3]) ar.fail_here("custom scale needs min, max, high_min and low_max");
    return scale::custom(*b[0], *b[1], *b[2], *b[3]);
  });
  const std::array<int, 4> actual = {s.min(), s.max(), s.high_min(), s.low_max()};
  for (std::size_t i = 0; i < 4; ++i) {
    if (b[i] && *b[i] != actual[i]) {
      ar.fail_at(at[i], scale_bound_names[i],
                 "is " + std::to_string(*b[i]) + ", but the " + s.describe() + " has " + std::to_string(actual[i]));
    }
  }
  return s;
}

}  // namespace detail

/// Fields of a scale (core/fields.hpp): kind, then the four bounds as i32
/// (JSON may leave out the bounds of a built-in kind).
template <class Ar>
void visit_fields(Ar& ar, scale& s) {
  scale_kind kind = s.kind();
  std::array<std::optional<int>, 4> b = {s.min(), s.max(), s.high_min(), s.low_max()};
  ar.choice("kind", kind, scale_kind_codes, scale_kind_names, "scale kind");
  std::array<decltype(ar.mark()), 4> at{};
  for (std::size_t i = 0; i < 4; ++i) {
    at[i] = ar.mark();
    ar.optional_field(detail::scale_bound_names[i], b[i]);
  }
  if constexpr (Ar::loading) s = detail::rebuilt_scale(ar, kind, b, at);
}

}  // namespace cxm
