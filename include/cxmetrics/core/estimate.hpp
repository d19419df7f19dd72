// estimate: a number with its uncertainty.
//
// Every metric result is an estimate, not a bare double: the value, its
// standard error, an interval (lower, upper, level and the method that made
// it), the number of responses n and the effective n (Kish's for weighted
// data). An estimate says plainly when there is not enough data:
//
//   status::ok            value, SE and interval are all defined
//   status::no_data       n = 0 (or no positive weight): value() is NaN, no interval
//   status::insufficient  a value exists but the method cannot give an SE or
//                         interval (e.g. a t interval from one response)
//
// value() is always well defined: it is quiet NaN when has_value() is false.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "cxmetrics/core/error.hpp"

namespace cxm::inline v0_1 {

/// How an interval was computed. The numeric values are stored in serialised
/// states (io/binary.hpp): they never change, and new methods are appended.
enum class interval_method : std::uint8_t {
  wald = 0,             ///< normal approximation, estimate ± z·SE
  adjusted_wald = 1,    ///< Wald after adding pseudo-observations (Agresti–Caffo; Rocks 2016 for NPS)
  wilson = 2,           ///< Wilson score interval (Wilson 1927)
  jeffreys = 3,         ///< equal-tailed Beta(x+½, n−x+½) posterior interval (Brown, Cai & DasGupta 2001)
  clopper_pearson = 4,  ///< exact binomial interval (Clopper & Pearson 1934)
  agresti_coull = 5,    ///< add z²/2 successes and failures, then Wald (Agresti & Coull 1998)
  t = 6,                ///< Student t interval of a mean
  bayes_dirichlet = 7,  ///< equal-tailed credible interval under a Dirichlet posterior
  bootstrap = 8,        ///< seeded percentile bootstrap
  newcombe = 9,         ///< hybrid score interval of a difference of proportions (Newcombe 1998, method 10)
  tango = 10,           ///< score interval of a net score p_pro − p_det (Tango 1998; Rocks 2016 for NPS)
  wilson_cc = 11,       ///< Wilson score interval with continuity correction (Newcombe 1998, method 4)
  mover = 12,           ///< difference of two estimates from their own intervals (Zou & Donner 2008)
};

/// Every interval method, in the order of their numeric values: the one
/// list the archives and the command line derive theirs from.
inline constexpr std::array<interval_method, 13> all_interval_methods = {
    interval_method::wald,      interval_method::adjusted_wald,   interval_method::wilson,
    interval_method::jeffreys,  interval_method::clopper_pearson, interval_method::agresti_coull,
    interval_method::t,         interval_method::bayes_dirichlet, interval_method::bootstrap,
    interval_method::newcombe,  interval_method::tango,           interval_method::wilson_cc,
    interval_method::mover};

[[nodiscard]] constexpr const char* to_string(interval_method m) noexcept {
  switch (m) {
    case interval_method::wald: return "wald";
    case interval_method::adjusted_wald: return "adjusted_wald";
    case interval_method::wilson: return "wilson";
    case interval_method::jeffreys: return "jeffreys";
    case interval_method::clopper_pearson: return "clopper_pearson";
    case interval_method::agresti_coull: return "agresti_coull";
    case interval_method::t: return "t";
    case interval_method::bayes_dirichlet: return "bayes_dirichlet";
    case interval_method::bootstrap: return "bootstrap";
    case interval_method::newcombe: return "newcombe";
    case interval_method::tango: return "tango";
    case interval_method::wilson_cc: return "wilson_cc";
    case interval_method::mover: return "mover";
  }
  return "wald";
}

/// The method whose to_string is `name` (exact, case-sensitive), or nullopt.
[[nodiscard]] constexpr std::optional<interval_method> interval_method_from(std::string_view name) noexcept {
  for (auto m : all_interval_methods) {
    if (name == to_string(m)) return m;
  }
  return std::nullopt;
}

/// Codes (binary) and names (JSON, the command line) of the interval methods
/// in the archives (core/fields.hpp), derived from all_interval_methods: a
/// method's code is its position there, which is its numeric value, and its
/// name is to_string's.
inline constexpr const auto& interval_method_codes = all_interval_methods;
inline constexpr std::array<std::string_view, all_interval_methods.size()> interval_method_names = [] {
  std::array<std::string_view, all_interval_methods.size()> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = to_string(all_interval_methods[i]);
  return out;
}();
static_assert(
    [] {
      for (std::size_t i = 0; i < all_interval_methods.size(); ++i) {
        if (static_cast<std::size_t>(all_interval_methods[i]) != i) return false;
      }
      // The next value has no name: a method appended to the enumeration
      // (and to to_string) is appended here too.
      const auto next = static_cast<interval_method>(all_interval_methods.size());
      return std::string_view(to_string(next)) == "wald" && next != interval_method::wald;
    }(),
    "all_interval_methods must list every method once, in the order of their numeric values");

/// An interval with its coverage level (e.g. 0.95) and method.
struct interval {
  double lower = 0.0;
  double upper = 0.0;
  double level = 0.95;
  interval_method method = interval_method::wald;

  [[nodiscard]] bool contains(double x) const noexcept { return x >= lower && x <= upper; }
  [[nodiscard]] double width() const noexcept { return upper - lower; }
  friend bool operator==(const interval&, const interval&) = default;
};

/// Throws invalid_argument unless 0 < level < 1.
inline void check_level(double level) {
  if (!(level > 0.0 && level < 1.0)) {
    throw invalid_argument("confidence level must be in (0, 1), got " + std::to_string(level));
  }
}

namespace detail {

/// The field "level" of a set of options: 0 < level < 1.
template <class Ar>
void visit_level(Ar& ar, double& level) {
  ar.field("level", level);
  if (!(level > 0.0 && level < 1.0)) ar.fail("confidence level must be in (0, 1), got " + std::to_string(level));
}

/// An interval method field, by code (binary) or name (JSON).
template <class Ar>
void visit_method(Ar& ar, std::string_view name, interval_method& m) {
  ar.choice(name, m, interval_method_codes, interval_method_names, "interval method");
}

/// The fields of options that hold a level and one interval method (the
/// member `method`, field `name`), checked as a whole by `check(options)`.
template <class Ar, class Options, class Check>
void visit_level_and_method(Ar& ar, Options& o, interval_method Options::*method, std::string_view name,
                            Check check) {
  Options v = o;
  visit_level(ar, v.level);
  visit_method(ar, name, v.*method);
  ar.check([&] { check(v); });
  if constexpr (Ar::loading) o = v;
}

}  // namespace detail

/// A value with its standard error, interval, n and effective n.
class estimate {
 public:
  enum class status : std::uint8_t { ok, no_data, insufficient };

  /// The empty estimate (n = 0): no value, no interval.
  estimate() = default;

  /// A complete estimate.
  estimate(double value, double se, interval ci, std::uint64_t n, double effective_n)
      : value_(value), se_(se), ci_(ci), n_(n), n_eff_(effective_n), status_(status::ok), note_() {}

  /// An estimate whose value is known but whose uncertainty cannot be given;
  /// `why` says what is missing (e.g. "a t interval needs at least 2 responses").
  [[nodiscard]] static estimate insufficient(double value, std::uint64_t n, double effective_n, std::string why) {
    estimate e;
    e.value_ = value;
    e.n_ = n;
    e.n_eff_ = effective_n;
    e.status_ = status::insufficient;
    e.note_ = std::move(why);
    return e;
  }

  /// The estimate of nothing: n responses but no usable data (n may be > 0
  /// when every weight is 0).
  [[nodiscard]] static estimate no_data(std::uint64_t n = 0, std::string why = "no responses") {
    estimate e;
    e.n_ = n;
    e.note_ = std::move(why);
    return e;
  }

  [[nodiscard]] status state() const noexcept { return status_; }
  [[nodiscard]] bool ok() const noexcept { return status_ == status::ok; }
  /// True when there is a point value (ok or insufficient).
  [[nodiscard]] bool has_value() const noexcept { return status_ != status::no_data; }
  /// True when an interval is available (status ok).
  [[nodiscard]] bool has_interval() const noexcept { return status_ == status::ok; }

  /// The point value; quiet NaN when has_value() is false.
  [[nodiscard]] double value() const noexcept { return value_; }
  [[nodiscard]] double value_or(double fallback) const noexcept { return has_value() ? value_ : fallback; }
  /// Standard error; NaN unless ok().
  [[nodiscard]] double se() const noexcept { return se_; }
  /// The interval, if any.
  [[nodiscard]] const std::optional<interval>& ci() const noexcept { return ci_; }
  /// Number of responses the estimate rests on.
  [[nodiscard]] std::uint64_t n() const noexcept { return n_; }
  /// Kish's effective sample size; equals n for unweighted data.
  [[nodiscard]] double effective_n() const noexcept { return n_eff_; }
  /// Why there is no value or interval (empty when ok).
  [[nodiscard]] const std::string& note() const noexcept { return note_; }

  friend bool operator==(const estimate& a, const estimate& b) noexcept {
    auto same = [](double x, double y) { return (std::isnan(x) && std::isnan(y)) || x == y; };
    return a.status_ == b.status_ && same(a.value_, b.value_) && same(a.se_, b.se_) && a.ci_ == b.ci_ &&
           a.n_ == b.n_ && same(a.n_eff_, b.n_eff_) && a.note_ == b.note_;
  }

 private:
  double value_ = std::numeric_limits<double>::quiet_NaN();
  double se_ = std::numeric_limits<double>::quiet_NaN();
  std::optional<interval> ci_;
  std::uint64_t n_ = 0;
  double n_eff_ = 0.0;
  status status_ = status::no_data;
  std::string note_ = "no responses";
};

[[nodiscard]] constexpr const char* to_string(estimate::status s) noexcept {
  switch (s) {
    case estimate::status::ok: return "ok";
    case estimate::status::no_data: return "no_data";
    case estimate::status::insufficient: return "insufficient";
  }
  return "no_data";
}

}  // namespace cxm
