// series<A>: a metric per calendar period, for trends, rolling windows and
// period-over-period change.
//
//   cxm::series<cxm::nps_accumulator> s(cxm::time_bucket::month, std::chrono::hours{2});
//   s.add(t, 9);                                  // a time and what the accumulator takes
//   s.merge(other_shard);                         // bucket by bucket
//   const auto nps = [](const cxm::nps_accumulator& a) { return a.result().nps; };
//   s.points(nps, 30);                            // every month first..last, thin below n = 30
//   s.rolling(nps, 3, 30);                        // the last 3 months merged, at each month
//   s.changes(cxm::compare_nps_states{}, 1);      // month over month, compare_nps
//   s.changes(cxm::compare_nps_states{}, s.year_lag()); // year over year
//
// STATE. One accumulator (engine/accumulator.hpp) per period of one bucket
// kind (core/period.hpp: day, ISO week, month, quarter, year) at one fixed
// UTC offset, plus the empty state new periods start from (the prototype:
// an accumulator on a custom scale starts every period on that scale). Only
// periods that received an input are stored; result() and points() list
// every period from the first to the last, the ones without responses
// included and marked empty. series<A> is itself an accumulator: add(t, in)
// puts `in` into the period of t; merge adds the other series period by
// period (so shards, days and months combine exactly); count() is the
// number of inputs; two series of another bucket kind or offset, or whose
// prototypes do not merge, throw incompatible_merge and leave the series
// unchanged. An add that throws (a time out of range, a score off the
// scale) changes nothing.
//
// POINTS. points(value, min_n) evaluates the caller's value function (state
// → estimate, e.g. the NPS of nps_accumulator::result()) on every period:
// the estimate with its interval and n. A point is empty when its period
// received nothing and thin when it is empty, its estimate has no interval
// (status other than ok), or its n is below min_n: thin points are listed
// (so a chart keeps its time axis) but are not for reporting, and the trend
// and change charts (series/trend.hpp, series/change.hpp) skip them.
//
// ROLLING WINDOWS. window(end, k) is the merge of the states of the k
// periods ending at `end` (empty periods count as periods): the metric over
// the window's raw responses, never an average of per-period values.
// rolling(value, k, min_n) is that window's point at every period (the first
// k − 1 points cover fewer periods).
//
// CHANGE. changes(compare, lag) compares each period with the one `lag`
// periods before: compare(current, previous) returns a stats::comparison of
// current − previous (compare_nps_states: compare_nps on the two NPS
// histograms, Wald; compare_by_estimate(value): stats::compare_estimates on
// two values' estimates, for shares and means). year_lag() is the lag of a
// year: 12 months, 4 quarters, 1 year, 52 ISO weeks and 365 days (a fixed
// lag: an ISO year of 53 weeks and a leap day shift the comparison by one
// period there). A change whose side is empty is listed untestable (the
// comparison's own no_data rules).
//
// SERIALIZATION. series<A> of any A with field hooks (every accumulator of
// the library) has a binary and a JSON form: include io/binary.hpp or
// io/json.hpp beside this header (cxm::serialize(s),
// cxm::deserialize<series<A>>(bytes); nlohmann::json j = s). Type tag
// 0x0050; the state carries the bucket kind, the UTC offset, the prototype
// (a tagged A, so reading another A fails naming it) and each stored period
// with its state, in ascending order. Periods whose state equals the
// prototype are not written (operator== does not see them either), so a
// round trip gives a series equal to the one written. Reading checks every
// part and throws serialization_error naming it: a bucket code beyond
// year, an offset beyond ±18 hours, a prototype that is not empty, a
// period index repeated, out of order or without a time, a period whose
// state is empty, does not merge with the prototype or changes when merged
// into it, counts summing past 2^64 − 1. io/binary.hpp has the byte
// layout, io/json.hpp the JSON form.
//
// Header: cxmetrics/series/series.hpp. Complexity: add O(log P), merge
// O(P log P), points O(span), window O(k log P), rolling O(span · k log P)
// for P stored periods and `span` periods from first to last.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/fields.hpp"
#include "cxmetrics/core/period.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/engine/accumulator.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/stats/compare.hpp"

namespace cxm::inline v0_1 {

/// One period of a series with its state (series::result()).
template <class A>
struct series_bucket {
  period at;
  A state;
  friend bool operator==(const series_bucket&, const series_bucket&) = default;
};

/// One period's point: the metric's estimate with its interval and n.
struct series_point {
  period at;
  estimate value;      ///< the value function's estimate (no_data for an empty period)
  bool empty = true;   ///< the period received no input
  bool thin = true;    ///< empty, no interval, or n below the minimum
  std::size_t periods = 1;  ///< periods the point covers (rolling windows: up to k)
};

/// A period compared with an earlier one: current − previous.
struct series_change {
  period at;        ///< the current period
  period previous;  ///< the period it is compared with
  stats::comparison change;
};

/// A metric per calendar period (see the header comment).
template <accumulator A>
class series {
 public:
  using result_type = std::vector<series_bucket<A>>;

  /// Months in UTC, periods starting from A{}.
  series() = default;
  /// Throws invalid_argument for an offset beyond ±18 hours.
  explicit series(time_bucket bucket, std::chrono::seconds utc_offset = {}, A prototype = A{})
      : bucket_(bucket), offset_(utc_offset), prototype_(std::move(prototype)) {
    check_utc_offset(offset_);
    if (!prototype_.empty()) throw invalid_argument("the prototype of a series' periods must be an empty state");
  }

  [[nodiscard]] time_bucket bucket() const noexcept { return bucket_; }
  [[nodiscard]] std::chrono::seconds utc_offset() const noexcept { return offset_; }
  [[nodiscard]] const A& prototype() const noexcept { return prototype_; }

  /// The period of `t` in this series' calendar. Throws invalid_value for a
  /// time out of range.
  [[nodiscard]] period period_at(timestamp t) const { return period_of(t, bucket_, offset_); }

  /// Adds `in` (anything A::add takes) to the period of `t`.
  template <class In>
    requires requires(A& a, const In& x) { a.add(x); }
  void add(timestamp t, const In& in) {
    add_at(period_at(t), [&](A& a) { a.add(in); });
  }
  /// Weighted.
  template <class In>
    requires requires(A& a, const In& x, double w) { a.add(x, w); }
  void add(timestamp t, const In& in, double w) {
    add_at(period_at(t), [&](A& a) { a.add(in, w); });
  }
  /// Merges `state` into period `p` (a period of this series' bucket kind).
  void merge_at(const period& p, const A& state) {
    check_period(p);
    add_at(p, [&](A& a) { a.merge(state); });
  }

  /// Adds `other` period by period (see the header comment).
  void merge(const series& other) {
    if (other.bucket_ != bucket_ || other.offset_ != offset_) {
      throw incompatible_merge(std::string("cannot merge a series of ") + to_string(other.bucket_) + " periods at UTC" +
                               format_utc_offset(other.offset_) + " into one of " + to_string(bucket_) +
                               " periods at UTC" + format_utc_offset(offset_));
    }
    A probe = prototype_;
    probe.merge(other.prototype_);  // throws when the two kinds of state do not merge
    auto merged = buckets_;
    for (const auto& [index, state] : other.buckets_) {
      if (state == other.prototype_) continue;
      merged.try_emplace(index, prototype_).first->second.merge(state);
    }
    buckets_ = std::move(merged);
  }

  /// Inputs added, over every period.
  [[nodiscard]] std::uint64_t count() const noexcept {
    std::uint64_t n = 0;
    for (const auto& b : buckets_) n += b.second.count();
    return n;
  }
  [[nodiscard]] bool empty() const noexcept { return count() == 0; }

  /// First and last period holding data; nullopt for an empty series.
  [[nodiscard]] std::optional<period> first() const {
    if (buckets_.empty()) return std::nullopt;
    return period{bucket_, buckets_.begin()->first};
  }
  [[nodiscard]] std::optional<period> last() const {
    if (buckets_.empty()) return std::nullopt;
    return period{bucket_, std::prev(buckets_.end())->first};
  }

  /// The stored periods by index (period{bucket(), index}) with their
  /// states: those that received an input or a merge. For the field hooks.
  [[nodiscard]] const std::map<std::int32_t, A>& stored() const noexcept { return buckets_; }

  /// The state of period `p` (the empty prototype when it received nothing).
  [[nodiscard]] A at(const period& p) const {
    check_period(p);
    const auto it = buckets_.find(p.index);
    return it == buckets_.end() ? prototype_ : it->second;
  }

  /// Every period from first() to last(), empty ones included.
  [[nodiscard]] result_type result() const {
    result_type out;
    if (buckets_.empty()) return out;
    const std::int32_t lo = buckets_.begin()->first, hi = std::prev(buckets_.end())->first;
    out.reserve(static_cast<std::size_t>(std::int64_t{hi} - lo + 1));
    for (std::int64_t i = lo; i <= hi; ++i) {
      const auto idx = static_cast<std::int32_t>(i);
      const auto it = buckets_.find(idx);
      out.push_back({period{bucket_, idx}, it == buckets_.end() ? prototype_ : it->second});
    }
    return out;
  }

  /// The merged state of the k periods ending at `end`. Throws
  /// invalid_argument for k = 0.
  [[nodiscard]] A window(const period& end, std::size_t k) const {
    check_period(end);
    if (k == 0) throw invalid_argument("a rolling window covers at least one period, got k = 0");
    A out = prototype_;
    const std::int64_t from = std::int64_t{end.index} - static_cast<std::int64_t>(k) + 1;
    for (auto it = buckets_.lower_bound(static_cast<std::int32_t>(std::max<std::int64_t>(from, std::numeric_limits<std::int32_t>::min() + 1)));
         it != buckets_.end() && it->first <= end.index; ++it) {
      out.merge(it->second);
    }
    return out;
  }

  /// One point per period first()..last() (see the header comment).
  template <class Value>
  [[nodiscard]] std::vector<series_point> points(Value value, std::uint64_t min_n = 0) const {
    std::vector<series_point> out;
    for (const auto& b : result()) out.push_back(point_of(b.at, b.state, value, min_n, 1));
    return out;
  }

  /// The point of the k-period window ending at each period.
  template <class Value>
  [[nodiscard]] std::vector<series_point> rolling(Value value, std::size_t k, std::uint64_t min_n = 0) const {
    std::vector<series_point> out;
    if (buckets_.empty()) return out;
    const std::int32_t lo = buckets_.begin()->first;
    for (const auto& b : result()) {
      const auto covered = std::min<std::size_t>(k, static_cast<std::size_t>(std::int64_t{b.at.index} - lo + 1));
      out.push_back(point_of(b.at, window(b.at, k), value, min_n, covered));
    }
    return out;
  }

  /// Each period from first() + lag on, compared with the period `lag`
  /// before: compare(current, previous). Throws invalid_argument for lag 0.
  template <class Compare>
  [[nodiscard]] std::vector<series_change> changes(Compare compare, std::size_t lag = 1) const {
    if (lag == 0) throw invalid_argument("a change compares with an earlier period, got lag 0");
    std::vector<series_change> out;
    const auto all = result();
    for (std::size_t i = lag; i < all.size(); ++i) {
      out.push_back({all[i].at, all[i - lag].at, compare(all[i].state, all[i - lag].state)});
    }
    return out;
  }

  /// The lag of a year in this series' periods (see the header comment).
  [[nodiscard]] std::size_t year_lag() const noexcept {
    switch (bucket_) {
      case time_bucket::day: return 365;
      case time_bucket::iso_week: return 52;
      case time_bucket::month: return 12;
      case time_bucket::quarter: return 4;
      case time_bucket::year: return 1;
    }
    return 12;
  }

  friend bool operator==(const series& a, const series& b) {
    if (a.bucket_ != b.bucket_ || a.offset_ != b.offset_ || !(a.prototype_ == b.prototype_)) return false;
    // A period stored with the prototype's state (a merge of an empty
    // state) equals an absent one.
    const auto nonempty = [](const series& x) {
      std::vector<std::pair<std::int32_t, const A*>> v;
      for (const auto& [i, s] : x.buckets_) {
        if (!(s == x.prototype_)) v.emplace_back(i, &s);
      }
      return v;
    };
    const auto va = nonempty(a), vb = nonempty(b);
    if (va.size() != vb.size()) return false;
    for (std::size_t i = 0; i < va.size(); ++i) {
      if (va[i].first != vb[i].first || !(*va[i].second == *vb[i].second)) return false;
    }
    return true;
  }

 private:
  void check_period(const period& p) const {
    if (p.bucket != bucket_ || !p.has_time()) {
      throw invalid_argument(std::string("period ") + to_string(p) + " (" + to_string(p.bucket) +
                             ") is not a period of this series of " + to_string(bucket_) + " periods");
    }
  }

  template <class Change>
  void add_at(const period& p, Change change) {
    const auto it = buckets_.find(p.index);
    if (it != buckets_.end()) {
      A next = it->second;  // an add that throws changes nothing
      change(next);
      it->second = std::move(next);
      return;
    }
    A fresh = prototype_;
    change(fresh);
    buckets_.emplace(p.index, std::move(fresh));
  }

  template <class Value>
  static series_point point_of(const period& at, const A& state, Value& value, std::uint64_t min_n,
                               std::size_t covered) {
    series_point pt;
    pt.at = at;
    pt.empty = state.empty();
    pt.value = pt.empty ? estimate::no_data() : estimate(value(state));
    pt.thin = pt.empty || !pt.value.ok() || pt.value.n() < min_n;
    pt.periods = covered;
    return pt;
  }

  time_bucket bucket_ = time_bucket::month;
  std::chrono::seconds offset_{};
  A prototype_{};
  std::map<std::int32_t, A> buckets_;
};

/// A compare function for series::changes: compare_nps (Wald, at `level`)
/// of two states holding NPS counts (nps_accumulator), current − previous.
struct compare_nps_states {
  double level = 0.95;
  template <class A>
    requires requires(const A& a) {
      { a.counts() } -> std::convertible_to<const score_counts&>;
    }
  [[nodiscard]] stats::comparison operator()(const A& current, const A& previous) const {
    return compare_nps(current.counts(), previous.counts(), level);
  }
};

/// A compare function for series::changes: stats::compare_estimates of the
/// estimates value(current) − value(previous) (shares, means).
template <class Value>
[[nodiscard]] auto compare_by_estimate(Value value, double level = 0.95) {
  return [value, level](const auto& current, const auto& previous) {
    return stats::compare_estimates(value(current), value(previous), level);
  };
}

// --- fields (core/fields.hpp) ---------------------------------------------------

namespace detail {
/// Codes and names of the bucket kinds in the archives (time_bucket's values).
inline constexpr std::array<time_bucket, 5> time_bucket_codes = {time_bucket::day, time_bucket::iso_week,
                                                                 time_bucket::month, time_bucket::quarter,
                                                                 time_bucket::year};
inline constexpr std::array<std::string_view, 5> time_bucket_names = {"day", "iso_week", "month", "quarter", "year"};
}  // namespace detail

template <class A>
  requires described_state<A>
constexpr serial_type serial_type_of(serial_tag<series<A>>) noexcept {
  return {type_tag::series, 1, "series"};
}

/// Fields of series<A>: bucket (the kind of period), utc_offset (seconds),
/// prototype (a tagged, empty A) and periods (index, state), by ascending
/// index. See SERIALIZATION in the header comment; io/binary.hpp has the
/// layout.
template <class Ar, class A>
  requires described_state<A>
void visit_fields(Ar& ar, series<A>& s) {
  ar.only_members({"bucket", "utc_offset", "prototype", "periods"});
  time_bucket bucket = s.bucket();
  ar.choice("bucket", bucket, detail::time_bucket_codes, detail::time_bucket_names, "period bucket");
  auto offset = static_cast<std::int32_t>(s.utc_offset().count());
  ar.field("utc_offset", offset);
  if (offset > max_utc_offset.count() || offset < -max_utc_offset.count()) {
    ar.fail("is " + std::to_string(offset) + " seconds, but a UTC offset lies within -18:00 .. +18:00 (" +
            std::to_string(max_utc_offset.count()) + " seconds)");
  }
  A proto = s.prototype();
  std::uint8_t version = 0;
  series<A> read;
  {
    auto in = ar.member("prototype");
    version = ar.tagged(proto);
    if (!proto.empty()) {
      ar.fail_here("counts " + std::to_string(proto.count()) +
                   " inputs, but the prototype of a series' periods must be empty");
    }
    if constexpr (Ar::loading) read = ar.rebuild([&] { return series<A>(bucket, std::chrono::seconds{offset}, proto); });
  }
  // The periods to write: those whose state is not the prototype's.
  std::vector<std::pair<std::int32_t, const A*>> stored;
  if constexpr (!Ar::loading) {
    for (const auto& [index, state] : s.stored()) {
      if (!(state == s.prototype())) stored.emplace_back(index, &state);
    }
  }
  std::size_t n = stored.size();
  ar.sequence("periods", n, 4);
  auto in = ar.member("periods");
  std::optional<std::int32_t> prev;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    auto e = ar.element(i);
    ar.only_members({"index", "state"});
    std::int32_t index = Ar::loading ? 0 : stored[i].first;
    A acc = Ar::loading ? proto : *stored[i].second;
    ar.field("index", index);
    if (index == period::no_time) ar.fail("is the index of responses without a time, which a series does not store");
    if (prev && index <= *prev) {
      ar.fail((index == *prev ? "repeats the index of period " : "is below the index of period ") + std::to_string(i - 1) +
              "; periods are stored in strictly ascending order");
    }
    auto st = ar.member("state");
    const auto state_at = ar.mark();
    ar.value(acc, version);
    if constexpr (Ar::loading) {
      if (acc == proto) ar.fail_here("is empty; a series stores only periods that received an input");
      if (acc.count() > UINT64_MAX - total) ar.fail_here("counts sum past 2^64 - 1");
      total += acc.count();
      const period at{bucket, index};
      ar.rebuild([&] {
        read.merge_at(at, acc);
        return 0;
      });
      const A stored_state = read.at(at);
      if (!ar.same_as_read(state_at, stored_state, acc, version)) {
        ar.fail_here("changes when merged into the prototype (e.g. unweighted counts under a weighted prototype); "
                     "a period is stored as the series keeps it");
      }
      prev = index;
    }
  }
  if constexpr (Ar::loading) s = std::move(read);
}

}  // namespace cxm
