// The close-the-loop alert engine: fed response by response, it checks every
// rule (alerts/alert_rule.hpp) and hands one record per match to its sinks
// (alerts/alert.hpp), so that a detractor is called back the same day.
//
//   cxm::alert_engine engine({cxm::alert_rule::detractor(),          // NPS <= 6
//                             cxm::alert_rule::unresolved()});
//   engine.add_sink(cxm::jsonl_sink(std::cout));                    // JSON Lines
//   engine.add_sink([&](const cxm::alert& a) { page(a.agent, a); }); // a callback
//   for (const auto& r : responses) engine.process(r);
//
// THE GUARANTEE. Every response that matches a rule produces exactly one
// record for that rule, with one outcome:
//   alert       every sink took it;
//   suppressed  the rule's cool-down held it back, and every sink took the
//               suppression record, whose `detail` names the earlier alert;
//   failed      some sink threw on each of max_attempts attempts; the record,
//               its `detail` holding the last error, is kept in failed()
//               (take_failed() drains it) and counted. Other sinks may have
//               taken it.
// So, for the engine and for each rule, at every moment between calls:
//   counts().matches == counts().alerts + counts().suppressed + counts().failed
// Nothing is lost when a sink throws: the exception never escapes process().
// A record that failed does not start a cool-down (the next match alerts).
// The same holds group by group for a grouped rule: each match of a group's
// window is one record naming the group (alert::group).
//
// Time. A response's time is its own (response::time) or, without one, the
// engine's clock (alert_engine_options::clock, injectable for tests; default
// the system clock). That time drives the cool-downs, the day windows and the
// baseline period; `raised_at` of every record is the clock's reading (read
// at most once per response).
// Day windows are UTC calendar days: "the last 7 days" are the day of the
// latest response seen (by the group, for a grouped rule) and the 6 before it; a response older than that does
// not enter the window and does not match (counted in counts().late).
//
// Windows. A window rule keeps, per answer, only its class (low, middle,
// high of the rule's scale; resolution no/yes) and the counts of the window,
// updated as answers enter and leave (a ring of the last N classes, or one
// count triple per day): O(1) per response, O(N) bytes or O(D) counts of
// memory. The baseline test builds the project's states from those counts
// (score_counts on the rule's scale for compare_nps, Wald; successes of n for
// compare_proportions) only when the test's z, computed first by its closed
// form from the counts, reaches 99.9 % of the critical value with the
// window's value below the baseline's: the project's test then decides.
// For NPS over a full ring the closed form also bounds how many answers must
// come before it can pass (each moves the window's NPS by at most 2/N), and
// those answers skip it.
// Windows count responses, not weights.
//
// Groups. A rule with group_by keeps that state per group: a table maps the
// group's field values to a slot (one hash of them per response and table;
// rules with the same group_by and max_groups share a table), and
// each slot holds the group's counts, baseline and ring (last_responses
// bytes) or day buckets (32 bytes a day). Memory per grouped rule is at most
// max_groups × (that window + about 150 bytes of counts), plus per table
// max_groups × (the values and the text "agent=A7" + about 110 bytes), and
// alert_rule::check refuses a rule whose windows could pass 1 GiB. When a
// group arrives at a full table, the group seen least recently is dropped
// (its window, and baseline, are lost; counts().evicted counts it) and the
// newcomer starts empty, so that a stream of very many groups (customer ids)
// runs in bounded memory; a dropped group that comes back starts again, and
// its min_n keeps a short window from alerting. A grouped rule's record
// carries the group (alert::group), and its cool-down key always begins with
// the group, so one group's alert never holds back another's.
//
// The work per response: the answers are read once; the score and
// not-resolved rules are one table lookup per answer (the bits of the rules
// the answer matches; beyond 64 rules or 4096 scale points, one comparison
// per rule), records made afterwards in the order of the rules; each window rule one
// ring or bucket update and, unless the window is clearly on the quiet side
// of its threshold (a product, not a quotient), its exact test. Strings are
// formatted, keys hashed and memory touched beyond the rules' own state only
// for a match (the record, and its cool-down key when the rule has a
// cool-down) and for the groups of grouped rules. A record reuses one set of
// buffers (its reason copied from a text made per score when the rule was
// compiled), and cool-downs are open-addressing tables
// (alerts/detail/alert_cooldowns.hpp): a delivered record allocates nothing
// once the buffers and tables have grown (cool-down keys up to 15 bytes). The clock is read at most
// once per response, and only when a response lacks a time or a record is
// made.
//
// Scores outside a rule's scale throw score_out_of_scale naming the rule,
// the response's index (row) and the field, before any rule has seen it.
//
// Not thread-safe: one engine per stream (the sinks run on the calling thread).
//
// Header: cxmetrics/alerts/alert_engine.hpp (header-only).
#pragma once

#include <algorithm>
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cxmetrics/alerts/alert.hpp"
#include "cxmetrics/alerts/alert_rule.hpp"
#include "cxmetrics/alerts/detail/alert_cooldowns.hpp"
#include "cxmetrics/alerts/detail/alert_groups.hpp"
#include "cxmetrics/alerts/detail/alert_records.hpp"
#include "cxmetrics/alerts/detail/alert_windows.hpp"
#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/io/response_batch.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/stats/compare.hpp"
#include "cxmetrics/stats/distributions.hpp"

namespace cxm::inline v0_1 {

struct alert_engine_options {
  /// The engine's clock; empty: the system clock, to the second.
  std::function<timestamp()> clock;
  /// Attempts per sink before a record is kept as failed; >= 1.
  unsigned max_attempts = 3;
  /// Labels of channel ids (records name the channel); null: the built-in
  /// channels. Must outlive the engine.
  const channel_set* channels = nullptr;
};

/// What an engine (or one rule) has done.
struct alert_counts {
  std::uint64_t responses = 0;   ///< responses processed
  std::uint64_t matches = 0;     ///< (response, rule) matches
  std::uint64_t alerts = 0;      ///< records delivered as alerts
  std::uint64_t suppressed = 0;  ///< records delivered as suppressions
  std::uint64_t failed = 0;      ///< records some sink refused on every attempt
  std::uint64_t late = 0;        ///< answers older than a day window (not counted in it)
  std::uint64_t evicted = 0;     ///< groups dropped to make room for a new one (grouped rules)
  friend bool operator==(const alert_counts&, const alert_counts&) = default;
};

class alert_engine {
 public:
  /// The rules in order; none: the default rule, alert_rule::detractor()
  /// (NPS 6 or less). Throws invalid_argument for a rule that cannot run
  /// (alert_rule::check), two rules with one name, or max_attempts 0.
  explicit alert_engine(std::vector<alert_rule> rules = {}, alert_engine_options opt = {})
      : rules_(std::move(rules)), opt_(std::move(opt)) {
    if (rules_.empty()) rules_.push_back(alert_rule::detractor());
    if (opt_.max_attempts == 0) throw invalid_argument("max_attempts must be >= 1", at_field("max_attempts"));
    if (!opt_.clock) opt_.clock = [] { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); };
    counts_.resize(rules_.size());
    per_rule_.reserve(rules_.size());
    facts_.resize(rules_.size());
    hits_.assign((rules_.size() + 63) / 64, 0);
    for (std::size_t k = 0; k < rules_.size(); ++k) {
      const auto& r = rules_[k];
      r.check();
      for (std::size_t i = 0; i < k; ++i) {
        if (rules_[i].name == r.name) throw invalid_argument("two rules are named '" + r.name + "'", at_field("name"));
      }
      compile(k);
    }
    tabulate_scores();
  }

  /// Adds a sink; every record goes to every sink, in the order added.
  void add_sink(alert_sink sink) { sinks_.push_back(std::move(sink)); }

  /// Names channel ids from `s` from now on (null: the built-in channels).
  void set_channels(const channel_set* s) noexcept { opt_.channels = s; }

  /// Checks every rule against `r` and produces one record per match (see the
  /// header comment). Sink exceptions never escape; score_out_of_scale does,
  /// before anything changed.
  void process(const response& r) {
    // The answers, read once: nps, csat, ces, resolved as 0 (no) / 1 (yes).
    const int v[4] = {r.nps ? *r.nps : none, r.csat ? *r.csat : none, r.ces ? *r.ces : none,
                      r.resolved == resolution::yes ? 1 : r.resolved == resolution::no ? 0 : none};
    for (int f = 0; f < 3; ++f) {
      if (v[f] != none && (v[f] < valid_lo_[f] || v[f] > valid_hi_[f])) validate(r);
    }
    const std::uint64_t seq = total_.responses++;
    now_.reset();
    // Score and not-resolved rules: one comparison each, no branch.
    if (score_tables_) {  // up to 64 rules: per field, the rules its answer matches
      std::uint64_t bits = 0;
      for (int f = 0; f < 4; ++f) {
        const auto i = static_cast<std::uint64_t>(std::int64_t{v[f]} - score_lo_[f]);
        if (i < score_bits_[f].size()) bits |= score_bits_[f][i];
      }
      hits_[0] = bits;
    } else {
      for (const auto& s : scores_) hits_[s.rule >> 6] |= std::uint64_t{v[s.field] <= s.threshold} << (s.rule & 63);
    }
    if (!windows_.empty()) window_phase(r, v);
    // Records, in the order of the rules.
    for (std::size_t w = 0; w < hits_.size(); ++w) {
      for (std::uint64_t bits = std::exchange(hits_[w], 0); bits != 0; bits &= bits - 1) {
        const std::size_t k = w * 64 + static_cast<std::size_t>(std::countr_zero(bits));
        emit(k, r, seq, rules_[k].kind == alert_rule_kind::window_below || rules_[k].kind == alert_rule_kind::baseline_drop
                            ? &facts_[k]
                            : nullptr);
      }
    }
  }

  /// Every row of a reader's batch, its channel labels naming the channels.
  void process(const response_batch& b) {
    const channel_set* before = opt_.channels;
    opt_.channels = &b.channel_labels();
    try {
      for (std::size_t i = 0; i < b.size(); ++i) process(b.row(i));
    } catch (...) {
      opt_.channels = before;
      throw;
    }
    opt_.channels = before;
  }

  [[nodiscard]] const std::vector<alert_rule>& rules() const noexcept { return rules_; }
  /// Counts over all rules (responses: the responses processed).
  [[nodiscard]] const alert_counts& counts() const noexcept { return total_; }
  /// Counts of rule `k` (in the order given).
  [[nodiscard]] const alert_counts& counts(std::size_t k) const {
    auto& c = counts_.at(k);
    c.responses = total_.responses;  // every rule sees every response
    return c;
  }
  /// Groups rule `k` keeps now: 1 for a window or baseline rule over the
  /// whole stream, 0 for a score or not-resolved rule.
  [[nodiscard]] std::size_t groups(std::size_t k) const {
    (void)rules_.at(k);
    for (const auto& w : windows_) {
      if (w.rule == k) return w.table < 0 ? 1 : tables_[static_cast<std::size_t>(w.table)].size();
    }
    return 0;
  }
  /// Records some sink refused on every attempt, oldest first.
  [[nodiscard]] const std::vector<alert>& failed() const noexcept { return failed_; }
  /// Moves the failed records out (their count stays in counts()).
  [[nodiscard]] std::vector<alert> take_failed() { return std::exchange(failed_, {}); }

 private:
  static constexpr int none = std::numeric_limits<int>::max();  // no answer: matches no score rule
  static constexpr std::int64_t no_day = detail::alert_no_day;

  using score_rule = detail::alert_score_rule;
  using day_bucket = detail::alert_day_bucket;
  using window_slot = detail::alert_window_slot;
  using window_rule = detail::alert_window_rule;
  using window_fact = detail::alert_window_fact;

  using record_state = detail::alert_record_state;

  static const std::optional<int>& answer(const response& r, alert_metric m) noexcept {
    switch (m) {
      case alert_metric::csat: return r.csat;
      case alert_metric::ces: return r.ces;
      default: return r.nps;
    }
  }

  static std::uint32_t field_of(alert_metric m) noexcept {
    switch (m) {
      case alert_metric::nps: return 0;
      case alert_metric::csat: return 1;
      case alert_metric::ces: return 2;
      case alert_metric::resolution: return 3;
    }
    return 0;
  }

  // Rule k into the tables the hot path reads.
  void compile(std::size_t k) {
    const alert_rule& r = rules_[k];
    per_rule_.emplace_back(r);
    if (r.metric != alert_metric::resolution && r.kind != alert_rule_kind::not_resolved) {
      const auto f = field_of(r.metric);
      valid_lo_[f] = std::max(valid_lo_[f], r.scale.min());
      valid_hi_[f] = std::min(valid_hi_[f], r.scale.max());
    }
    switch (r.kind) {
      case alert_rule_kind::score_at_most:
        scores_.push_back({static_cast<std::uint32_t>(k), field_of(r.metric), static_cast<int>(r.threshold)});
        return;
      case alert_rule_kind::not_resolved:
        scores_.push_back({static_cast<std::uint32_t>(k), 3, 0});
        return;
      case alert_rule_kind::window_below:
      case alert_rule_kind::baseline_drop:
        break;
    }
    window_rule w;
    w.rule = k;
    w.field = field_of(r.metric);
    if (r.metric == alert_metric::resolution) {
      w.lo = 0;
      w.hi = 1;
    } else if (r.metric == alert_metric::nps) {
      w.lo = r.scale.low_max();
      w.hi = r.scale.high_min();
    } else {
      w.hi = r.scale.high_min();
      w.lo = w.hi - 1;
    }
    w.points = r.metric == alert_metric::nps;
    w.baseline = r.kind == alert_rule_kind::baseline_drop;
    w.by_days = r.last_days > 0;
    w.span = w.by_days ? static_cast<std::uint64_t>(r.last_days) : r.last_responses;
    w.min_n = r.min_n;
    w.threshold = r.threshold;
    // One answer moves the count of high answers, and that of low ones, by
    // at most 1 each (one enters, one may leave) and n by at most 1.
    w.step = (w.points ? 200.0 : 1.0) + std::fabs(w.threshold) + 1e-6;
    if (w.baseline) {
      w.base_from = r.baseline_from.time_since_epoch().count();
      w.base_to = r.baseline_to.time_since_epoch().count();
      const double z = 0.999 * stats::z_for_level(1.0 - r.alpha);
      w.k2 = z * z;
    }
    need_time_ = need_time_ || w.by_days || w.baseline;
    if (!r.group_by.empty()) {
      for (std::size_t t = 0; t < tables_.size(); ++t) {
        if (tables_[t].fields() == r.group_by && tables_[t].capacity() == r.max_groups) w.table = static_cast<int>(t);
      }
      if (w.table < 0) {
        w.table = static_cast<int>(tables_.size());
        tables_.emplace_back(r.group_by, static_cast<std::size_t>(r.max_groups));
        slot_.push_back(0);
      }
    } else {
      add_slot(w);
    }
    windows_.push_back(std::move(w));
  }

  // With up to 64 rules and score scales of up to 4096 values, each score
  // field's answers (resolution: 0, 1) mapped to the bits of the score and
  // not-resolved rules they match.
  void tabulate_scores() {
    if (hits_.size() != 1) return;
    for (const auto& s : scores_) {
      const std::int64_t lo = s.field == 3 ? 0 : valid_lo_[s.field], hi = s.field == 3 ? 1 : valid_hi_[s.field];
      if (hi - lo >= 4096 || hi >= none) return;
      score_lo_[s.field] = lo;
      score_bits_[s.field].resize(static_cast<std::size_t>(hi - lo + 1));
    }
    for (const auto& s : scores_) {
      auto& bits = score_bits_[s.field];
      for (std::size_t i = 0; i < bits.size(); ++i) {
        if (score_lo_[s.field] + static_cast<std::int64_t>(i) <= s.threshold) bits[i] |= std::uint64_t{1} << s.rule;
      }
    }
    score_tables_ = true;
  }

  static void add_slot(window_rule& w) {
    w.slots.emplace_back();
    if (w.by_days) {
      w.days.resize(w.days.size() + w.span);
    } else {
      w.ring.resize(w.ring.size() + w.span, std::uint8_t{3});
    }
  }

  // Slot `s` of `w` empty again (a new group, or one taking an evicted group's place).
  static void reset_slot(window_rule& w, std::uint32_t s) {
    if (s == w.slots.size()) {
      add_slot(w);
      return;
    }
    w.slots[s] = window_slot{};
    const auto at = static_cast<std::ptrdiff_t>(s * w.span);
    if (w.by_days) {
      std::fill(w.days.begin() + at, w.days.begin() + at + static_cast<std::ptrdiff_t>(w.span), day_bucket{});
    } else {
      std::fill(w.ring.begin() + at, w.ring.begin() + at + static_cast<std::ptrdiff_t>(w.span), std::uint8_t{3});
    }
  }

  // Throws score_out_of_scale for the first rule whose scale lacks r's answer.
  void validate(const response& r) const {
    for (const auto& rule : rules_) {
      if (rule.metric == alert_metric::resolution || rule.kind == alert_rule_kind::not_resolved) continue;
      const auto& s = answer(r, rule.metric);
      if (s && !rule.scale.contains(*s)) {
        throw score_out_of_scale("rule '" + rule.name + "': score " + std::to_string(*s) + " is outside the " +
                                     rule.scale.describe(),
                                 at_row(total_.responses, std::string(to_string(rule.metric))));
      }
    }
  }

  timestamp time_of(const response& r) {
    if (r.time) return *r.time;
    if (!now_) now_ = opt_.clock();
    return *now_;
  }

  // The UTC day of `t` seconds, the last one computed kept (times within
  // 2^62 s of the epoch; others are computed each time).
  std::int64_t day_of(std::int64_t t) noexcept {
    if (day_known_ && t >= day_start_ && static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(day_start_) < 86400u) {
      return day_;
    }
    const std::int64_t d = std::chrono::floor<std::chrono::days>(timestamp{std::chrono::seconds{t}}).time_since_epoch().count();
    constexpr std::int64_t far = std::int64_t{1} << 62;
    if (t > -far && t < far) {
      day_known_ = true;
      day_ = d;
      day_start_ = d * 86400;
    }
    return d;
  }

  static double value_of(bool points, const std::uint64_t* c) noexcept {
    const double n = static_cast<double>(c[0] + c[1] + c[2]);
    if (points) return 100.0 * (static_cast<double>(c[2]) - static_cast<double>(c[0])) / n;
    return static_cast<double>(c[2]) / n;
  }

  // Every window rule takes r's answer; a match sets its bit in hits_ and
  // its facts in facts_.
  void window_phase(const response& r, const int (&v)[4]) {
    std::int64_t t = 0, day = 0;
    if (need_time_) {
      t = time_of(r).time_since_epoch().count();
      day = day_of(t);
    }
    for (std::size_t i = 0; i < tables_.size(); ++i) {
      bool fresh = false;
      const std::uint64_t evicted = tables_[i].evicted();
      slot_[i] = tables_[i].find_or_add(r, channel_name(r.channel), fresh);
      if (fresh) {  // a new group, in a new slot or an evicted group's
        for (auto& w : windows_) {
          if (w.table != static_cast<int>(i)) continue;
          reset_slot(w, slot_[i]);
          if (tables_[i].evicted() != evicted) {
            ++counts_[w.rule].evicted;
            ++total_.evicted;
          }
        }
      }
    }
    for (auto& w : windows_) {
      const int x = v[w.field];
      if (x == none) continue;
      const unsigned cls = static_cast<unsigned>(x > w.lo) + static_cast<unsigned>(x >= w.hi);
      const std::uint32_t s = w.table < 0 ? 0 : slot_[static_cast<std::size_t>(w.table)];
      window_slot& st = w.slots[s];
      if (w.baseline) {
        if (t < w.base_from) continue;
        if (t < w.base_to) {
          ++st.base[cls];
          st.base_dirty = true;
          st.quiet = 0;  // the skip of the test assumed the baseline as it was
          continue;
        }
      }
      if (!w.by_days) {
        std::uint8_t& cell = w.ring[s * w.span + st.head];
        --st.c[cell];  // an empty cell (3) leaves c[3], which nothing reads
        cell = static_cast<std::uint8_t>(cls);
        st.head = st.head + 1 == w.span ? 0 : st.head + 1;
        ++st.c[cls];
      } else if (!day_step(w, st, s, day, cls)) {
        ++counts_[w.rule].late;
        ++total_.late;
        continue;
      }
      if (st.quiet > 0) {  // this answer cannot have brought the window below
        --st.quiet;
        continue;
      }
      const std::uint64_t n = st.c[0] + st.c[1] + st.c[2];
      if (n < w.min_n) continue;
      if (!w.baseline) {
        // Below the threshold? The product first: the quotient (the value a
        // record reports) only when the window is not clearly above. When it
        // is clearly above by a margin D, the next floor(D / step) answers
        // cannot close the gap (a day window's expiry, which can, resets
        // the count): they skip the test.
        const double a = w.points ? 100.0 * (static_cast<double>(st.c[2]) - static_cast<double>(st.c[0]))
                                  : static_cast<double>(st.c[2]);
        const double y = w.threshold * static_cast<double>(n);
        const double gap = a - (y + 1e-9 * (std::fabs(y) + 1.0));
        if (gap >= 0.0) {
          st.quiet = static_cast<std::uint64_t>(std::min(gap / w.step, 1e15));
          continue;
        }
        const double value = a / static_cast<double>(n);
        if (!(value < w.threshold)) continue;
        auto& f = facts_[w.rule];
        f = window_fact{value, n, {}, 0, {}, group_of(w, s)};
        hits_[w.rule >> 6] |= std::uint64_t{1} << (w.rule & 63);
      } else if (baseline_drop(w, st, n)) {
        auto& f = facts_[w.rule];
        f.group = group_of(w, s);
        hits_[w.rule >> 6] |= std::uint64_t{1} << (w.rule & 63);
      }
    }
  }

  std::string_view group_of(const window_rule& w, std::uint32_t s) const {
    return w.table < 0 ? std::string_view{} : std::string_view{tables_[static_cast<std::size_t>(w.table)].label(s)};
  }

  // A day window takes an answer of `day`: false when the day is older than
  // the window (late).
  static bool day_step(window_rule& w, window_slot& st, std::uint32_t s, std::int64_t day, unsigned cls) {
    const auto span = static_cast<std::int64_t>(w.span);
    day_bucket* buckets = w.days.data() + s * w.span;
    std::uint64_t cell;
    if (day == st.current_day) {
      cell = st.current_cell;
    } else {
      if (st.current_day != no_day && day <= st.current_day - span) return false;
      cell = static_cast<std::uint64_t>(((day % span) + span) % span);
      if (day > st.current_day) {
        for (std::uint64_t i = 0; i < w.span; ++i) {
          auto& b = buckets[i];
          if (b.day != no_day && b.day <= day - span) {
            for (int j = 0; j < 3; ++j) st.c[j] -= b.c[j];
            b = day_bucket{};
          }
        }
        st.current_day = day;
        st.current_cell = cell;
        st.quiet = 0;  // answers left the window
      }
    }
    auto& b = buckets[cell];
    b.day = day;
    ++b.c[cls];
    ++st.c[cls];
    return true;
  }

  // A significant drop of the window against the baseline? The test's z by
  // its closed form first (unweighted counts: Wald for NPS, pooled for a
  // proportion), squared against (0.999 z_critical)^2 with the inverses of
  // the counts kept; the project's test runs, and decides, only past that.
  bool baseline_drop(window_rule& w, window_slot& st, std::uint64_t n) {
    if (st.base_dirty) {
      st.base_dirty = false;
      st.bn = st.base[0] + st.base[1] + st.base[2];
      if (st.bn > 0) {
        st.inv_bn = 1.0 / static_cast<double>(st.bn);
        if (w.points) {
          st.bt = (static_cast<double>(st.base[2]) - static_cast<double>(st.base[0])) * st.inv_bn;
          st.bvar = ((static_cast<double>(st.base[2]) + static_cast<double>(st.base[0])) * st.inv_bn - st.bt * st.bt) *
                    st.inv_bn;
          st.d_min = std::sqrt(w.k2 * std::max(st.bvar, 0.0));
        } else {
          st.bt = static_cast<double>(st.base[2]) * st.inv_bn;
        }
      }
    }
    if (st.bn < w.min_n) return false;
    if (st.inv_of != n) {
      st.inv_of = n;
      st.inv_n = 1.0 / static_cast<double>(n);
    }
    const double c0 = static_cast<double>(st.c[0]), c2 = static_cast<double>(st.c[2]);
    if (w.points) {
      const double t1 = (c2 - c0) * st.inv_n;
      const double d = st.bt - t1;
      const double v1 = ((c2 + c0) * st.inv_n - t1 * t1) * st.inv_n;
      if (!(d > 0.0) || d * d < w.k2 * (v1 + st.bvar)) {
        // The test needs d >= d_min (v1 >= 0). In a full ring of n an answer
        // raises d by at most 2 / n (c2 - c0 moves by at most 2), so the next
        // answers while d + 2 j / n stays below d_min, less one, skip it.
        if (!w.by_days && n == w.span) {
          const double j = (st.d_min - d) * static_cast<double>(n) * 0.5 * (1.0 - 1e-9) - 1.0;
          if (j >= 1.0) st.quiet = static_cast<std::uint64_t>(std::min(j, 1e15));
        }
        return false;
      }
    } else {
      const double d = st.bt - c2 * st.inv_n;
      if (!(d > 0.0)) return false;
      const double pooled = (c2 + static_cast<double>(st.base[2])) / static_cast<double>(n + st.bn);
      if (d * d < w.k2 * pooled * (1.0 - pooled) * (st.inv_n + st.inv_bn)) return false;
    }
    const alert_rule& rule = rules_[w.rule];
    const double value = value_of(w.points, st.c);
    const double bv = value_of(w.points, st.base);
    if (!(value < bv)) return false;  // a significant drop needs a drop
    const double level = 1.0 - rule.alpha;
    stats::comparison cmp;
    if (w.points) {
      cmp = compare_nps(counts_of(rule.scale, st.c), counts_of(rule.scale, st.base), level);
    } else {
      cmp = stats::compare_proportions(st.c[2], n, st.base[2], st.bn, level);
    }
    if (!(cmp.p_value < rule.alpha && cmp.difference.value() < 0.0)) return false;
    facts_[w.rule] = window_fact{value, n, bv, st.bn, cmp.p_value, {}};
    return true;
  }

  // A score_counts on `s` with c[0] low, c[1] middle and c[2] high answers
  // (all compare_nps reads of a state).
  static score_counts counts_of(const cxm::scale& s, const std::uint64_t* c) {
    score_counts out(s);
    if (c[0] > 0) out.add_count(s.min(), c[0]);
    if (c[1] > 0) out.add_count(s.low_max() + 1, c[1]);
    if (c[2] > 0) out.add_count(s.max(), c[2]);
    return out;
  }

  std::string_view channel_name(channel_id id) const {
    static const channel_set builtin;
    const channel_set& s = opt_.channels ? *opt_.channels : builtin;
    if (id.value < s.size()) return s.names()[id.value];
    return {};
  }

  void emit(std::size_t k, const response& r, std::uint64_t seq, const window_fact* w) {
    const alert_rule& rule = rules_[k];
    alert_counts& counts = counts_[k];
    ++counts.matches;
    ++total_.matches;
    alert& a = rec_;
    a.outcome = alert_outcome::alert;
    a.rule = rule.name;
    a.kind = rule.kind;
    record_state& cs = per_rule_[k];
    detail::describe_alert(rule, cs, r, w, a.reason);
    if (w != nullptr && !w->group.empty()) a.reason.append(" for ").append(w->group);
    a.detail.clear();
    if (context_of_ != seq || !context_valid_) {  // the response's context, once for all its records
      a.sequence = seq;
      detail::copy_alert_text(a.id, r.id);
      detail::copy_alert_text(a.channel, channel_name(r.channel));
      detail::copy_alert_text(a.agent, r.agent);
      detail::copy_alert_text(a.segment, r.segment);
      a.time = r.time;
      if (!now_) now_ = opt_.clock();
      a.raised_at = *now_;
      a.nps = r.nps;
      a.csat = r.csat;
      a.ces = r.ces;
      a.resolved = r.resolved;
      detail::copy_alert_text(a.why, r.why);
      context_of_ = seq;
      context_valid_ = true;
    }
    a.attempts = 0;
    a.value.reset();
    a.n = 0;
    a.threshold.reset();
    a.baseline_value.reset();
    a.baseline_n = 0;
    a.p_value.reset();
    a.alpha.reset();
    a.group.clear();
    if (w != nullptr) {
      a.group = w->group;
      a.value = w->value;
      a.n = w->n;
      if (rule.kind == alert_rule_kind::window_below) a.threshold = rule.threshold;
      a.baseline_value = w->baseline_value;
      a.baseline_n = w->baseline_n;
      a.p_value = w->p_value;
      if (rule.kind == alert_rule_kind::baseline_drop) a.alpha = rule.alpha;
    }
    a.key.clear();
    std::optional<timestamp> event;
    std::uint64_t key_hash = 0;
    if (rule.cooldown.seconds > 0) {
      cs.key(a.key, r, a.channel);
      event = time_of(r);
      key_hash = detail::alert_key_hash{}(a.key);
      const timestamp* last = cs.last_alert.find(a.key, key_hash);
      if (last != nullptr && *event >= *last && (*event - *last).count() < rule.cooldown.seconds) {
        a.outcome = alert_outcome::suppressed;
        a.detail.append("cool-down: rule '").append(rule.name).append("' alerted");
        if (!a.key.empty()) a.detail.append(" for ").append(a.key);
        a.detail.append(" at ");
        detail::append_alert_time(a.detail, *last);
        a.detail.append("; the next alert is due from ");
        detail::append_alert_time(a.detail, *last + std::chrono::seconds{rule.cooldown.seconds});
      }
    }
    if (!deliver(a)) {
      ++counts.failed;
      ++total_.failed;
      failed_.push_back(a);
      return;
    }
    if (a.outcome == alert_outcome::suppressed) {
      ++counts.suppressed;
      ++total_.suppressed;
      return;
    }
    ++counts.alerts;
    ++total_.alerts;
    if (event) {
      cs.last_alert.set(a.key, key_hash, *event);
      if (cs.last_alert.size() >= cs.prune_at) prune(rule, cs, *event);
    }
  }

  // Drops cool-down entries that can no longer suppress anything at `now`
  // (keeps the map within about twice its live keys).
  static void prune(const alert_rule& rule, record_state& cs, timestamp now) {
    cs.last_alert.prune([&](timestamp t) { return (now - t).count() >= rule.cooldown.seconds; });
    cs.prune_at = std::max<std::size_t>(1024, 2 * cs.last_alert.size());
  }

  // Hands `a` to every sink, each up to max_attempts times. False when a
  // sink refused it every time: then `a` is marked failed with the error.
  bool deliver(alert& a) {
    if (sinks_.empty()) {
      a.attempts = 0;
      return true;
    }
    // Every sink's first attempt; at the first exception, the rest below.
    a.attempts = std::max(a.attempts, 1u);
    std::size_t i = 0;
    std::string error;
    try {
      for (; i < sinks_.size(); ++i) sinks_[i](a);
      return true;
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = "an exception that is not a std::exception";
    }
    return deliver_from(a, i, std::move(error));
  }

  // deliver() from sink `i`, whose first attempt failed with `error`.
  bool deliver_from(alert& a, std::size_t from, std::string first_error) {
    bool ok = true;
    for (std::size_t i = from; i < sinks_.size(); ++i) {
      std::string error = i == from ? std::move(first_error) : std::string();
      unsigned tries = i == from ? 1 : 0;
      bool done = false;
      while (!done && tries < opt_.max_attempts) {
        ++tries;
        a.attempts = std::max(a.attempts, tries);
        try {
          sinks_[i](a);
          done = true;
        } catch (const std::exception& e) {
          error = e.what();
        } catch (...) {
          error = "an exception that is not a std::exception";
        }
      }
      if (!done) {
        ok = false;
        const std::string what = "sink " + std::to_string(i + 1) + " failed " + std::to_string(tries) +
                                 " times, last: " + error;
        a.detail = a.detail.empty() ? what : a.detail + "; " + what;
      }
    }
    if (!ok) a.outcome = alert_outcome::failed;
    if (sinks_.empty()) a.attempts = 0;
    return ok;
  }

  std::vector<alert_rule> rules_;
  alert_engine_options opt_;
  mutable std::vector<alert_counts> counts_;  // per rule (responses filled in when read)
  std::vector<record_state> per_rule_;          // per rule
  std::vector<score_rule> scores_;            // the score and not-resolved rules
  bool score_tables_ = false;                 // see tabulate_scores
  std::int64_t score_lo_[4] = {0, 0, 0, 0};
  std::vector<std::uint64_t> score_bits_[4];  // per field: answer - score_lo_ -> the rules it matches
  std::vector<window_rule> windows_;          // the window and baseline rules
  std::vector<detail::alert_group_table> tables_;  // groups, shared by rules with the same group_by and max_groups
  std::vector<std::uint32_t> slot_;           // per table: the current response's group
  std::vector<std::uint64_t> hits_;           // bit k: rule k matched the current response
  std::vector<window_fact> facts_;            // per rule: what its window showed when it matched
  int valid_lo_[3] = {std::numeric_limits<int>::min(), std::numeric_limits<int>::min(), std::numeric_limits<int>::min()};
  int valid_hi_[3] = {std::numeric_limits<int>::max(), std::numeric_limits<int>::max(), std::numeric_limits<int>::max()};
  bool need_time_ = false;                    // some window counts days or has a baseline period
  bool day_known_ = false;                    // the UTC day last computed, and its first second
  std::int64_t day_start_ = 0, day_ = 0;
  std::vector<alert_sink> sinks_;
  std::vector<alert> failed_;
  alert_counts total_;
  alert rec_;                       // the record being built (its buffers are reused)
  std::uint64_t context_of_ = 0;    // the response whose context rec_ holds, when context_valid_
  bool context_valid_ = false;
  std::optional<timestamp> now_;    // the clock's reading for the current response
};

}  // namespace cxm
