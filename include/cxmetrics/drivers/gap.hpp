// Perception gap: how a team's view of its own work compares with its
// customers' view of the same contacts ("we think vs they say").
//
// Input: per contact a self-assessment s (the agent's or unit's rating of
// the contact) and the customer's rating c, each a score on its declared
// scale, and optionally a group key (agent, unit). The state holds integer
// sums only, so states of disjoint rows (threads, files, shards) merge
// exactly, and the merge of the parts equals the state of the whole.
//
// Scales. Self and customer may be on different scales. The self rating is
// then mapped linearly onto the customer's scale, end point to end point,
//   s' = c_min + (s − s_min)·(c_max − c_min)/(s_max − s_min),
// and every mean and the gap are in points of the customer's scale (with
// one scale, s' = s). Comparisons of s' with c ("self higher", "tie") are
// made exactly in integers: D = (s − s_min)(c_max − c_min) − (c − c_min)(s_max
// − s_min) is (s' − c)·(s_max − s_min). Top boxes are each scale's own: the
// scale's high group (scale::high_min()), or with top_box = K the top K
// points of each scale.
//
// Missing values. A row without a self rating, without a customer rating,
// or without both is dropped from every figure and counted by that reason
// (missing_self, missing_customer, missing_both), never silently.
//
// Result (result(options)), for the organisation and for each group:
//   self_mean, customer_mean  means on the customer's scale, Student t
//             interval x̄ ± t_{n−1}·s/√n (the formula of stats/mean.hpp)
//   gap       mean of d = s' − c with the paired t interval
//             d̄ ± t_{n−1}·s_d/√n, s_d² = Σ(d − d̄)²/(n − 1) (Student 1908);
//             positive: the self-view is the higher
//   calibration  Pearson's r of s and c (invariant under the mapping) with
//             Fisher's interval tanh(atanh r ± z_{1−α/2}/√(n − 3)) (Fisher
//             1921); the SE is the delta-method (1 − r²)/√(n − 3); the
//             interval's method is tagged wald (a Wald interval on the z
//             scale, transformed back). n ≤ 3: the value, no interval; r = ±1
//             gives the interval [r, r]; a side that does not vary: no_data
//             (r is undefined), with a note naming the side
//   self_higher  share of contacts with s' > c, Wilson interval
//             (stats/proportion.hpp); ties (s' = c) are counted and given
//             as their own share (Wilson), and self_lower = n − higher − ties
//   self_top_box, customer_top_box  the two top-box shares (Wilson), "we
//             think" and "they say"
//   top_box_gap  self_top_box − customer_top_box. Both shares come from the
//             same contacts, so the interval is the paired one of
//             stats/paired_proportions.hpp (Newcombe 1998, paired, method
//             10) with McNemar's test, not the interval of two independent
//             proportions: with the positive correlation of self and
//             customer top boxes usual in practice the independent interval
//             would be too wide, and with a negative one too narrow.
//
// Groups (agents, units) are ranked by |gap|, the smallest first (the
// self-view closest to the customers'), ties by key; equal |gap| share a
// rank (1, 2, 2, 4). A group with fewer than min_n pairs (gap_options,
// default 30) or without a gap is listed but not ranked. The groups come
// ranked first, in rank order, then the unranked by key. Rows whose group
// key is missing count in the organisation only (ungrouped()).
//
//   cxm::drivers::perception_gap g(cxm::scale::csat(), cxm::scale::csat());
//   g.add(5, 3, "AG01");                     // self, customer, agent
//   g.add(std::nullopt, 4, "AG01");          // counted as missing_self
//   auto r = g.result();                     // r.organisation.gap, r.groups
//
//   cxm::drivers::gap_input in(table.schema(), "self", "csat", "agent");
//   in.add(table);                           // or each batch of a read
//   auto r2 = in.state().result({0.95, 30});
//
// JSON form (to_json/from_json): {"self_scale": {scale}, "customer_scale":
// {scale}, "top_box": K, "total": {counts}, "groups": [{"group": "AG01",
// "counts": {counts}}, ...]}, counts an object of the gap_counts members by
// name; reading checks the scales, the top box and that the counts agree
// (serialization_error naming what does not).
//
// Each row counts once; survey weights are not used. The sums are exact
// while they fit in 64 bits: Σ of squares of scores up to 254 and of D up
// to 254² allow more than 4·10⁹ pairs per group.
//
// Header: cxmetrics/drivers/gap.hpp (header-only). Complexity: O(1) per row
// plus a map lookup per group label and batch; result O(groups·log groups).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/io/json.hpp"
#include "cxmetrics/stats/compare.hpp"
#include "cxmetrics/stats/distributions.hpp"
#include "cxmetrics/stats/paired_proportions.hpp"
#include "cxmetrics/stats/proportion.hpp"

namespace cxm::inline v0_1::drivers {

/// The sums of one set of (self, customer) pairs: everything a result needs.
struct gap_counts {
  std::uint64_t n = 0;              ///< pairs with both ratings
  std::uint64_t sum_self = 0;       ///< Σs, points of the self scale
  std::uint64_t sum_self2 = 0;      ///< Σs²
  std::uint64_t sum_customer = 0;   ///< Σc, points of the customer scale
  std::uint64_t sum_customer2 = 0;  ///< Σc²
  std::uint64_t sum_cross = 0;      ///< Σs·c
  std::int64_t sum_diff = 0;        ///< ΣD, D = (s' − c)·(s_max − s_min) (see the header comment)
  std::uint64_t sum_diff2 = 0;      ///< ΣD²
  std::uint64_t self_higher = 0;    ///< pairs with s' > c
  std::uint64_t ties = 0;           ///< pairs with s' = c
  std::uint64_t both_top = 0;       ///< self and customer in their top boxes
  std::uint64_t self_top_only = 0;  ///< self in its top box, customer not
  std::uint64_t customer_top_only = 0;  ///< customer in its top box, self not
  std::uint64_t missing_self = 0;       ///< rows dropped: no self rating
  std::uint64_t missing_customer = 0;   ///< rows dropped: no customer rating
  std::uint64_t missing_both = 0;       ///< rows dropped: neither

  /// Rows seen: the pairs and the rows dropped.
  [[nodiscard]] std::uint64_t rows() const noexcept { return n + missing_self + missing_customer + missing_both; }
  [[nodiscard]] std::uint64_t dropped() const noexcept { return missing_self + missing_customer + missing_both; }
  /// Adds the sums of other rows.
  void merge(const gap_counts& o) noexcept {
    n += o.n;
    sum_self += o.sum_self;
    sum_self2 += o.sum_self2;
    sum_customer += o.sum_customer;
    sum_customer2 += o.sum_customer2;
    sum_cross += o.sum_cross;
    sum_diff += o.sum_diff;
    sum_diff2 += o.sum_diff2;
    self_higher += o.self_higher;
    ties += o.ties;
    both_top += o.both_top;
    self_top_only += o.self_top_only;
    customer_top_only += o.customer_top_only;
    missing_self += o.missing_self;
    missing_customer += o.missing_customer;
    missing_both += o.missing_both;
  }
  friend bool operator==(const gap_counts&, const gap_counts&) = default;
};

/// JSON form of gap_counts: an object of its members by name.
inline void to_json(nlohmann::json& j, const gap_counts& c) {
  j = nlohmann::json{{"n", c.n},
                     {"sum_self", c.sum_self},
                     {"sum_self2", c.sum_self2},
                     {"sum_customer", c.sum_customer},
                     {"sum_customer2", c.sum_customer2},
                     {"sum_cross", c.sum_cross},
                     {"sum_diff", c.sum_diff},
                     {"sum_diff2", c.sum_diff2},
                     {"self_higher", c.self_higher},
                     {"ties", c.ties},
                     {"both_top", c.both_top},
                     {"self_top_only", c.self_top_only},
                     {"customer_top_only", c.customer_top_only},
                     {"missing_self", c.missing_self},
                     {"missing_customer", c.missing_customer},
                     {"missing_both", c.missing_both}};
}
/// Reads the JSON form; throws serialization_error naming a missing or
/// inconsistent member.
inline void from_json(const nlohmann::json& j, gap_counts& c) {
  const auto bad = [](const std::string& why) { return serialization_error("perception gap counts: " + why); };
  gap_counts t;
  try {
    const auto u = [&](const char* k) { return j.at(k).get<std::uint64_t>(); };
    t.n = u("n");
    t.sum_self = u("sum_self");
    t.sum_self2 = u("sum_self2");
    t.sum_customer = u("sum_customer");
    t.sum_customer2 = u("sum_customer2");
    t.sum_cross = u("sum_cross");
    t.sum_diff = j.at("sum_diff").get<std::int64_t>();
    t.sum_diff2 = u("sum_diff2");
    t.self_higher = u("self_higher");
    t.ties = u("ties");
    t.both_top = u("both_top");
    t.self_top_only = u("self_top_only");
    t.customer_top_only = u("customer_top_only");
    t.missing_self = u("missing_self");
    t.missing_customer = u("missing_customer");
    t.missing_both = u("missing_both");
  } catch (const nlohmann::json::exception& e) {
    throw bad(e.what());
  }
  if (t.self_higher > t.n || t.ties > t.n - t.self_higher) throw bad("self_higher + ties exceed n");
  if (t.both_top > t.n || t.self_top_only > t.n - t.both_top ||
      t.customer_top_only > t.n - t.both_top - t.self_top_only) {
    throw bad("the top-box counts exceed n");
  }
  if (t.n == 0 && (t.sum_self || t.sum_customer || t.sum_self2 || t.sum_customer2 || t.sum_cross || t.sum_diff ||
                   t.sum_diff2)) {
    throw bad("sums without pairs");
  }
  c = t;
}

/// What result() is asked for (not part of the state).
struct gap_options {
  double level = 0.95;        ///< of every interval
  std::uint64_t min_n = 30;   ///< groups with fewer pairs are listed but not ranked
};

/// The figures of one set of pairs (see the header comment).
struct gap_result {
  std::uint64_t rows = 0;            ///< rows seen
  std::uint64_t n = 0;               ///< pairs with both ratings
  std::uint64_t missing_self = 0;
  std::uint64_t missing_customer = 0;
  std::uint64_t missing_both = 0;
  estimate self_mean;                ///< on the customer's scale, t interval
  estimate customer_mean;            ///< t interval
  estimate gap;                      ///< mean of s' − c, paired t interval
  estimate calibration;              ///< Pearson's r, Fisher z interval
  estimate self_higher;              ///< share with s' > c, Wilson
  estimate ties;                     ///< share with s' = c, Wilson
  std::uint64_t self_higher_count = 0;
  std::uint64_t tie_count = 0;
  std::uint64_t self_lower_count = 0;
  estimate self_top_box;             ///< "we think": self top-box share, Wilson
  estimate customer_top_box;         ///< "they say": customer top-box share, Wilson
  stats::comparison top_box_gap;     ///< self − customer top box: paired Newcombe, McNemar
};

/// One group's figures and its rank (none below min_n or without a gap).
struct group_gap {
  std::string group;
  gap_result result;
  std::optional<std::uint64_t> rank;
};

/// The organisation and its groups (ranked first, in rank order; then the
/// unranked by key).
struct gap_report {
  gap_result organisation;
  std::vector<group_gap> groups;
  std::uint64_t ungrouped = 0;  ///< rows without a group key (in the organisation only)
  std::uint64_t min_n = 0;
};

/// The mergeable state of a perception-gap analysis (see the header comment).
class perception_gap {
 public:
  using result_type = gap_report;

  /// Both ratings on the CSAT scale 1–5, top box 4–5.
  perception_gap() : perception_gap(scale::csat(), scale::csat()) {}

  /// Self ratings on `self`, customer ratings on `customer`; `top_box` 0
  /// takes each scale's high group as its top box, K > 0 the top K points
  /// of each. Throws invalid_argument when K leaves no point outside the
  /// top box of a scale.
  perception_gap(scale self, scale customer, int top_box = 0) : self_(self), customer_(customer), top_box_(top_box) {
    if (top_box < 0) throw invalid_argument("top box must be 0 (each scale's high group) or K >= 1 points, got " +
                                            std::to_string(top_box));
    for (const scale* s : {&self_, &customer_}) {
      if (top_box >= s->points()) {
        throw invalid_argument("a top box of " + std::to_string(top_box) + " points leaves nothing outside it on the " +
                               s->describe());
      }
    }
    self_top_ = top_box == 0 ? self_.high_min() : self_.max() - top_box + 1;
    customer_top_ = top_box == 0 ? customer_.high_min() : customer_.max() - top_box + 1;
  }

  [[nodiscard]] const scale& self_scale() const noexcept { return self_; }
  [[nodiscard]] const scale& customer_scale() const noexcept { return customer_; }
  /// 0: each scale's high group; K: the top K points.
  [[nodiscard]] int top_box() const noexcept { return top_box_; }
  /// The lowest self (customer) score in the top box.
  [[nodiscard]] int self_top_min() const noexcept { return self_top_; }
  [[nodiscard]] int customer_top_min() const noexcept { return customer_top_; }

  /// Rows added (pairs and dropped rows).
  [[nodiscard]] std::uint64_t count() const noexcept { return total_.rows(); }
  [[nodiscard]] bool empty() const noexcept { return total_.rows() == 0; }
  /// The sums of every row, and of each group by key.
  [[nodiscard]] const gap_counts& total() const noexcept { return total_; }
  [[nodiscard]] const std::map<std::string, gap_counts, std::less<>>& groups() const noexcept { return groups_; }
  /// Rows without a group key.
  [[nodiscard]] std::uint64_t ungrouped() const noexcept {
    std::uint64_t grouped = 0;
    for (const auto& [k, g] : groups_) grouped += g.rows();
    return total_.rows() - grouped;
  }

  /// Adds one contact: its self and customer ratings (nullopt when missing)
  /// and its group key (empty: none). Throws score_out_of_scale naming the
  /// side when a rating is off its scale.
  void add(std::optional<int> self, std::optional<int> customer, std::string_view group = {}) {
    gap_counts one;
    count_into(one, self, customer);
    total_.merge(one);
    if (!group.empty()) group_of(group).merge(one);
  }

  /// Adds the rows of `other`. Throws incompatible_merge when its scales
  /// or top box differ.
  void merge(const perception_gap& other) {
    if (!(other.self_ == self_) || !(other.customer_ == customer_) || other.self_top_ != self_top_ ||
        other.customer_top_ != customer_top_) {
      throw incompatible_merge("perception gap of self " + other.self_.describe() + " (top box from " +
                               std::to_string(other.self_top_) + "), customer " + other.customer_.describe() +
                               " (from " + std::to_string(other.customer_top_) + ") merged into self " +
                               self_.describe() + " (from " + std::to_string(self_top_) + "), customer " +
                               customer_.describe() + " (from " + std::to_string(customer_top_) + ")");
    }
    total_.merge(other.total_);
    for (const auto& [k, g] : other.groups_) group_of(k).merge(g);
  }

  /// Adds counts already gathered on this state's scales (e.g. by id within
  /// one batch) to the group `group` (empty: the organisation only).
  void add_counts(const gap_counts& c, std::string_view group = {}) {
    total_.merge(c);
    if (!group.empty()) group_of(group).merge(c);
  }

  /// Counts one contact into `c` (no group), as add() does.
  void count_into(gap_counts& c, std::optional<int> self, std::optional<int> customer) const {
    if (!self || !customer) {
      if (!self && !customer) ++c.missing_both;
      else if (!self) ++c.missing_self;
      else ++c.missing_customer;
      return;
    }
    const int s = *self, k = *customer;
    self_.check(s, at_field("self"));
    customer_.check(k, at_field("customer"));
    const auto su = static_cast<std::uint64_t>(s), ku = static_cast<std::uint64_t>(k);
    const std::int64_t d = static_cast<std::int64_t>(s - self_.min()) * (customer_.max() - customer_.min()) -
                           static_cast<std::int64_t>(k - customer_.min()) * (self_.max() - self_.min());
    ++c.n;
    c.sum_self += su;
    c.sum_self2 += su * su;
    c.sum_customer += ku;
    c.sum_customer2 += ku * ku;
    c.sum_cross += su * ku;
    c.sum_diff += d;
    c.sum_diff2 += static_cast<std::uint64_t>(d * d);
    c.self_higher += d > 0 ? 1 : 0;
    c.ties += d == 0 ? 1 : 0;
    const bool st = s >= self_top_, ct = k >= customer_top_;
    c.both_top += st && ct ? 1 : 0;
    c.self_top_only += st && !ct ? 1 : 0;
    c.customer_top_only += !st && ct ? 1 : 0;
  }

  /// The figures of a set of sums on this state's scales.
  [[nodiscard]] gap_result result_of(const gap_counts& c, double level = 0.95) const {
    check_level(level);
    gap_result r;
    r.rows = c.rows();
    r.n = c.n;
    r.missing_self = c.missing_self;
    r.missing_customer = c.missing_customer;
    r.missing_both = c.missing_both;
    r.self_higher_count = c.self_higher;
    r.tie_count = c.ties;
    r.self_lower_count = c.n - c.self_higher - c.ties;
    const double span_s = self_.max() - self_.min();
    const double span_c = customer_.max() - customer_.min();
    const double b = span_c / span_s;                                     // s' = a + b·s
    const double a = customer_.min() - b * self_.min();
    const double n = static_cast<double>(c.n);
    const double ss = centred(c.sum_self2, c.sum_self, c.sum_self, c.n);
    const double sc = centred(c.sum_customer2, c.sum_customer, c.sum_customer, c.n);
    const double sx = centred(c.sum_cross, c.sum_self, c.sum_customer, c.n);
    r.self_mean = t_mean(c.n, a + b * static_cast<double>(c.sum_self) / std::max(n, 1.0), b * b * ss, level);
    r.customer_mean = t_mean(c.n, static_cast<double>(c.sum_customer) / std::max(n, 1.0), sc, level);
    // The gap from its own sums: d = D/span_s.
    {
      const double sd = static_cast<double>(c.sum_diff);
      const double sdd = std::max(static_cast<double>(c.sum_diff2) - (c.n ? sd * sd / n : 0.0), 0.0);
      r.gap = t_mean(c.n, sd / std::max(n, 1.0) / span_s, sdd / (span_s * span_s), level);
    }
    r.calibration = pearson(c.n, ss, sc, sx, level);
    stats::proportion_options po;
    po.level = level;
    r.self_higher = stats::proportion(c.self_higher, c.n, po);
    r.ties = stats::proportion(c.ties, c.n, po);
    r.self_top_box = stats::proportion(c.both_top + c.self_top_only, c.n, po);
    r.customer_top_box = stats::proportion(c.both_top + c.customer_top_only, c.n, po);
    const std::uint64_t neither = c.n - c.both_top - c.self_top_only - c.customer_top_only;
    r.top_box_gap = stats::compare_paired_proportions(c.both_top, c.self_top_only, c.customer_top_only, neither, level);
    return r;
  }

  /// The organisation's and every group's figures, the groups ranked (see
  /// the header comment). Throws invalid_argument for a bad level.
  [[nodiscard]] gap_report result(const gap_options& o = {}) const {
    check_level(o.level);
    gap_report out;
    out.organisation = result_of(total_, o.level);
    out.ungrouped = ungrouped();
    out.min_n = o.min_n;
    std::vector<group_gap> ranked, unranked;
    for (const auto& [k, g] : groups_) {
      group_gap x{k, result_of(g, o.level), std::nullopt};
      if (g.n >= o.min_n && x.result.gap.has_value()) {
        ranked.push_back(std::move(x));
      } else {
        unranked.push_back(std::move(x));
      }
    }
    // By |gap|, then key (already in key order: the sort is stable).
    std::stable_sort(ranked.begin(), ranked.end(), [](const group_gap& x, const group_gap& y) {
      return std::abs(x.result.gap.value()) < std::abs(y.result.gap.value());
    });
    for (std::size_t i = 0; i < ranked.size(); ++i) {
      const bool tied = i > 0 && std::abs(ranked[i].result.gap.value()) == std::abs(ranked[i - 1].result.gap.value());
      ranked[i].rank = tied ? ranked[i - 1].rank : std::optional<std::uint64_t>(i + 1);
    }
    out.groups = std::move(ranked);
    for (auto& x : unranked) out.groups.push_back(std::move(x));
    return out;
  }

  /// JSON form (see the header comment).
  friend void to_json(nlohmann::json& j, const perception_gap& g) {
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& [k, c] : g.groups_) groups.push_back(nlohmann::json{{"group", k}, {"counts", c}});
    j = nlohmann::json{{"self_scale", g.self_},   {"customer_scale", g.customer_}, {"top_box", g.top_box_},
                       {"total", g.total_},       {"groups", std::move(groups)}};
  }
  /// Reads the JSON form; throws serialization_error naming what is missing
  /// or inconsistent (a bad scale or top box, counts that do not agree, a
  /// group named twice or with more rows than the total).
  friend void from_json(const nlohmann::json& j, perception_gap& g) {
    const auto bad = [](const std::string& why) { return serialization_error("perception gap: " + why); };
    try {
      perception_gap t(j.at("self_scale").get<scale>(), j.at("customer_scale").get<scale>(),
                       j.at("top_box").get<int>());
      t.total_ = j.at("total").get<gap_counts>();
      std::uint64_t rows = 0;
      for (const auto& e : j.at("groups")) {
        const auto key = e.at("group").get<std::string>();
        if (key.empty()) throw bad("a group without a key");
        if (!t.groups_.emplace(key, e.at("counts").get<gap_counts>()).second) throw bad("group '" + key + "' twice");
        rows += t.groups_.at(key).rows();
      }
      if (rows > t.total_.rows()) throw bad("the groups hold more rows than the total");
      g = std::move(t);
    } catch (const nlohmann::json::exception& e) {
      throw bad(e.what());
    } catch (const invalid_argument& e) {
      throw bad(e.reason());
    }
  }

  friend bool operator==(const perception_gap& x, const perception_gap& y) {
    return x.self_ == y.self_ && x.customer_ == y.customer_ && x.top_box_ == y.top_box_ && x.self_top_ == y.self_top_ &&
           x.customer_top_ == y.customer_top_ && x.total_ == y.total_ && x.groups_ == y.groups_;
  }

 private:
  gap_counts& group_of(std::string_view key) {
    auto it = groups_.find(key);
    if (it == groups_.end()) it = groups_.emplace(std::string(key), gap_counts{}).first;
    return it->second;
  }

  // Σ(x − x̄)(y − ȳ) = Σxy − ΣxΣy/n.
  static double centred(std::uint64_t sxy, std::uint64_t sx, std::uint64_t sy, std::uint64_t n) {
    if (n == 0) return 0.0;
    const double v = static_cast<double>(sxy) - static_cast<double>(sx) * static_cast<double>(sy) / static_cast<double>(n);
    return v;
  }

  // A mean with its t interval from n and the centred sum of squares.
  static estimate t_mean(std::uint64_t n, double mean, double ss, double level) {
    if (n == 0) return estimate::no_data(0, "no pairs with both ratings");
    const double nd = static_cast<double>(n);
    if (n == 1) return estimate::insufficient(mean, n, nd, "a t interval needs at least 2 pairs");
    const double se = std::sqrt(std::max(ss, 0.0) / (nd - 1.0) / nd);
    const double half = stats::t_for_level(level, nd - 1.0) * se;
    return estimate(mean, se, interval{mean - half, mean + half, level, interval_method::t}, n, nd);
  }

  // Pearson's r with Fisher's z interval.
  static estimate pearson(std::uint64_t n, double ss, double sc, double sx, double level) {
    if (n == 0) return estimate::no_data(0, "no pairs with both ratings");
    const double nd = static_cast<double>(n);
    // A side is constant when its centred sum of squares is 0 (exact in
    // integers: n·Σx² = (Σx)²); rounding leaves at most a few ulps of Σx².
    if (!(ss > 0.0)) return estimate::no_data(n, "the self ratings do not vary: no correlation");
    if (!(sc > 0.0)) return estimate::no_data(n, "the customer ratings do not vary: no correlation");
    const double r = std::clamp(sx / std::sqrt(ss * sc), -1.0, 1.0);
    if (n <= 3) return estimate::insufficient(r, n, nd, "Fisher's interval needs at least 4 pairs");
    const double se_z = 1.0 / std::sqrt(nd - 3.0);
    if (std::abs(r) == 1.0) return estimate(r, 0.0, interval{r, r, level, interval_method::wald}, n, nd);
    const double z = std::atanh(r);
    const double h = stats::z_for_level(level) * se_z;
    return estimate(r, (1.0 - r * r) * se_z, interval{std::tanh(z - h), std::tanh(z + h), level, interval_method::wald},
                    n, nd);
  }

  scale self_;
  scale customer_;
  int top_box_ = 0;
  int self_top_ = 0;
  int customer_top_ = 0;
  gap_counts total_;
  std::map<std::string, gap_counts, std::less<>> groups_;
};

/// Reads the pairs of a perception-gap analysis from declared fields: a
/// self and a customer score field of a schema (core/schema.hpp) and
/// optionally a group field (a category: agent, segment, channel or a
/// declared one), fed from a response_table or a reader's response_batch.
class gap_input {
 public:
  /// Binds the fields by name (compared as field keys). Throws
  /// invalid_argument naming the field when a name is not a field of `s`,
  /// self or customer is not a score field, the group is not a category
  /// field, or self and customer are one field; and as perception_gap's
  /// constructor for `top_box`.
  gap_input(const schema& s, const std::string& self, const std::string& customer, const std::string& group = {},
            int top_box = 0)
      : self_name_(self), customer_name_(customer), group_name_(group),
        self_id_(bind_score(s, self)), customer_id_(bind_score(s, customer)),
        state_(*s[self_id_].score_scale, *s[customer_id_].score_scale, top_box) {
    if (self_id_ == customer_id_) {
      throw invalid_argument("is named as both the self and the customer rating", at_field(customer));
    }
    if (!group.empty()) {
      const auto id = s.find(group);
      if (!id) throw invalid_argument("is not a field of the input (declare it, e.g. --field " + group + ":category)",
                                      at_field(group));
      if (s[*id].kind != field_kind::category) {
        throw invalid_argument("is a " + std::string(to_string(s[*id].kind)) +
                                   " field; a group must be a category field (agent, segment, channel, ...)",
                               at_field(group));
      }
      group_id_ = *id;
    }
  }

  /// Adds the rows of a response_table or response_batch whose schema has
  /// the bound fields at the same ids. Throws invalid_argument otherwise.
  template <class Columns>
  void add(const Columns& t) {
    const std::size_t rows = t.size();
    if (rows == 0) return;
    check_field(t.schema(), self_id_, self_name_);
    check_field(t.schema(), customer_id_, customer_name_);
    const auto self = t.scores(self_id_);
    const auto customer = t.scores(customer_id_);
    const auto opt = [](std::uint8_t v) {
      return v == response_table::missing_score ? std::nullopt : std::optional<int>(v);
    };
    if (!group_id_) {
      gap_counts c;
      for (std::size_t r = 0; r < rows; ++r) state_.count_into(c, opt(self[r]), opt(customer[r]));
      state_.add_counts(c);
      return;
    }
    check_field(t.schema(), *group_id_, group_name_);
    // Counted by the group's id within the batch, then added by label.
    std::vector<gap_counts> by_id;
    const auto count = [&](auto ids) {
      for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t g = ids[r];
        if (g >= by_id.size()) by_id.resize(g + 1);
        state_.count_into(by_id[g], opt(self[r]), opt(customer[r]));
      }
    };
    if (t.schema().type_of(*group_id_) == column_type::channel) {
      count(t.channel());
    } else {
      count(t.categories(*group_id_));
    }
    for (std::size_t g = 0; g < by_id.size(); ++g) {
      if (by_id[g].rows() == 0) continue;
      // Id 0 is the missing label: the organisation only.
      state_.add_counts(by_id[g], g == 0 ? std::string_view{}
                                         : std::string_view(t.label(*group_id_, static_cast<std::uint32_t>(g))));
    }
  }

  [[nodiscard]] const perception_gap& state() const noexcept { return state_; }
  [[nodiscard]] perception_gap& state() noexcept { return state_; }
  [[nodiscard]] const std::string& self_field() const noexcept { return self_name_; }
  [[nodiscard]] const std::string& customer_field() const noexcept { return customer_name_; }
  /// The group field's name (empty: none).
  [[nodiscard]] const std::string& group_field() const noexcept { return group_name_; }

 private:
  static field_id bind_score(const schema& s, const std::string& name) {
    const auto id = s.find(name);
    if (!id) {
      throw invalid_argument("is not a field of the input (declare it, e.g. --field " + name + ":score:1-5)",
                             at_field(name));
    }
    const field& f = s[*id];
    if (f.kind != field_kind::score || !f.score_scale) {
      throw invalid_argument("is a " + std::string(to_string(f.kind)) +
                                 " field; self and customer ratings must be score fields",
                             at_field(name));
    }
    return *id;
  }

  static void check_field(const schema& s, field_id id, const std::string& name) {
    if (id.value >= s.size() || field_key(s[id].name) != field_key(name)) {
      throw invalid_argument("the input's field of this id is not the one bound", at_field(name));
    }
  }

  std::string self_name_, customer_name_, group_name_;
  field_id self_id_, customer_id_;
  std::optional<field_id> group_id_;
  perception_gap state_;
};

}  // namespace cxm::drivers
