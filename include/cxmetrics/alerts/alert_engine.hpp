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
//
// Time. A response's time is its own (response::time) or, without one, the
// engine's clock (alert_engine_options::clock, injectable for tests; default
// the system clock). That time drives the cool-downs, the day windows and the
// baseline period; `raised_at` of every record is the clock's reading (read
// at most once per response).
// Day windows are UTC calendar days: "the last 7 days" are the day of the
// latest response seen and the 6 before it; a response older than that does
// not enter the window and does not match (counted in counts().late).
//
// Windows. A window rule keeps, per answer, only its class (low, middle,
// high of the rule's scale; resolution no/yes) and the counts of the window,
// updated as answers enter and leave (a ring of the last N classes, or one
// count triple per day): O(1) per response, O(N) bytes or O(D) counts of
// memory. The baseline test builds the project's states from those counts
// (score_counts on the rule's scale for compare_nps, Wald; successes of n for
// compare_proportions) only when the window's value is below the baseline's
// and the test's z, computed first by its closed form, reaches 99.9 % of the
// critical value: the project's test then decides.
// Windows count responses, not weights.
//
// Scores outside a rule's scale throw score_out_of_scale naming the rule,
// the response's index (row) and the field, before any rule has seen it.
//
// Not thread-safe: one engine per stream (the sinks run on the calling thread).
//
// Header: cxmetrics/alerts/alert_engine.hpp (header-only).
#pragma once

#include <algorithm>
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
#include <unordered_map>
#include <utility>
#include <vector>

#include "cxmetrics/alerts/alert.hpp"
#include "cxmetrics/alerts/alert_rule.hpp"
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
    state_.resize(rules_.size());
    for (std::size_t k = 0; k < rules_.size(); ++k) {
      const auto& r = rules_[k];
      r.check();
      for (std::size_t i = 0; i < k; ++i) {
        if (rules_[i].name == r.name) throw invalid_argument("two rules are named '" + r.name + "'", at_field("name"));
      }
      auto& s = state_[k];
      if (r.last_responses > 0) s.ring.assign(static_cast<std::size_t>(r.last_responses), 0);
      if (r.last_days > 0) s.days.assign(static_cast<std::size_t>(r.last_days), day_bucket{});
      if (r.kind == alert_rule_kind::baseline_drop) s.z_critical = stats::z_for_level(1.0 - r.alpha);
    }
  }

  /// Adds a sink; every record goes to every sink, in the order added.
  void add_sink(alert_sink sink) { sinks_.push_back(std::move(sink)); }

  /// Names channel ids from `s` from now on (null: the built-in channels).
  void set_channels(const channel_set* s) noexcept { opt_.channels = s; }

  /// Checks every rule against `r` and produces one record per match (see the
  /// header comment). Sink exceptions never escape; score_out_of_scale does,
  /// before anything changed.
  void process(const response& r) {
    validate(r);
    const std::uint64_t seq = total_.responses++;
    now_.reset();
    const response* rp = &r;
    for (std::size_t k = 0; k < rules_.size(); ++k) {
      const alert_rule& rule = rules_[k];
      rule_state& st = state_[k];
      ++st.counts.responses;
      switch (rule.kind) {
        case alert_rule_kind::score_at_most: {
          const auto& score = answer(r, rule.metric);
          if (score && *score <= static_cast<int>(rule.threshold)) emit(k, *rp, seq, {});
          break;
        }
        case alert_rule_kind::not_resolved:
          if (r.resolved == resolution::no) emit(k, *rp, seq, {});
          break;
        case alert_rule_kind::window_below:
        case alert_rule_kind::baseline_drop:
          window_step(k, r, seq);
          break;
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
  [[nodiscard]] const alert_counts& counts(std::size_t k) const { return state_.at(k).counts; }
  /// Records some sink refused on every attempt, oldest first.
  [[nodiscard]] const std::vector<alert>& failed() const noexcept { return failed_; }
  /// Moves the failed records out (their count stays in counts()).
  [[nodiscard]] std::vector<alert> take_failed() { return std::exchange(failed_, {}); }

 private:
  struct day_bucket {
    std::int64_t day = std::numeric_limits<std::int64_t>::min();
    std::uint64_t c[3] = {0, 0, 0};
  };
  struct rule_state {
    alert_counts counts;
    std::uint64_t c[3] = {0, 0, 0};       // the window's low, middle, high (resolution: no, -, yes)
    std::vector<std::uint8_t> ring;       // last N: classes
    std::size_t head = 0, filled = 0;
    std::vector<day_bucket> days;         // last D days
    std::int64_t current_day = std::numeric_limits<std::int64_t>::min();
    std::uint64_t base[3] = {0, 0, 0};    // baseline_drop: the baseline period
    std::unordered_map<std::string, timestamp> last_alert;  // cool-down key -> time of its last alert
    std::size_t prune_at = 1024;
    double z_critical = 0.0;              // baseline_drop: z of the two-sided test at alpha
  };

  static const std::optional<int>& answer(const response& r, alert_metric m) noexcept {
    switch (m) {
      case alert_metric::csat: return r.csat;
      case alert_metric::ces: return r.ces;
      default: return r.nps;
    }
  }

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

  static std::int64_t day_of(timestamp t) noexcept {
    return std::chrono::floor<std::chrono::days>(t).time_since_epoch().count();
  }

  // The class of the rule's answer in `r`: 0 low, 1 middle, 2 high; -1 none.
  static int class_of(const alert_rule& rule, const response& r) noexcept {
    if (rule.metric == alert_metric::resolution) {
      return r.resolved == resolution::yes ? 2 : r.resolved == resolution::no ? 0 : -1;
    }
    const auto& s = answer(r, rule.metric);
    if (!s) return -1;
    if (rule.metric == alert_metric::nps) return rule.scale.is_low(*s) ? 0 : rule.scale.is_high(*s) ? 2 : 1;
    return rule.scale.is_high(*s) ? 2 : 0;  // top-box share: hit or not
  }

  static double value_of(const alert_rule& rule, const std::uint64_t (&c)[3]) noexcept {
    const double n = static_cast<double>(c[0] + c[1] + c[2]);
    if (rule.metric == alert_metric::nps) return 100.0 * (static_cast<double>(c[2]) - static_cast<double>(c[0])) / n;
    return static_cast<double>(c[2]) / n;
  }

  void window_step(std::size_t k, const response& r, std::uint64_t seq) {
    const alert_rule& rule = rules_[k];
    rule_state& st = state_[k];
    const int cls = class_of(rule, r);
    if (cls < 0) return;
    if (rule.kind == alert_rule_kind::baseline_drop) {
      const timestamp t = time_of(r);
      if (t < rule.baseline_from) return;
      if (t < rule.baseline_to) {
        ++st.base[cls];
        return;
      }
    }
    if (rule.last_responses > 0) {
      if (st.filled == st.ring.size()) {
        --st.c[st.ring[st.head]];
      } else {
        ++st.filled;
      }
      st.ring[st.head] = static_cast<std::uint8_t>(cls);
      st.head = st.head + 1 == st.ring.size() ? 0 : st.head + 1;
      ++st.c[cls];
    } else {
      const std::int64_t d = day_of(time_of(r));
      const auto span = static_cast<std::int64_t>(st.days.size());
      if (st.current_day != std::numeric_limits<std::int64_t>::min() && d <= st.current_day - span) {
        ++st.counts.late;
        ++total_.late;
        return;
      }
      if (d > st.current_day) {
        st.current_day = d;
        for (auto& b : st.days) {
          if (b.day != std::numeric_limits<std::int64_t>::min() && b.day <= d - span) {
            for (int i = 0; i < 3; ++i) st.c[i] -= b.c[i];
            b = day_bucket{};
          }
        }
      }
      auto& b = st.days[static_cast<std::size_t>(((d % span) + span) % span)];
      b.day = d;
      ++b.c[cls];
      ++st.c[cls];
    }
    const std::uint64_t n = st.c[0] + st.c[1] + st.c[2];
    if (n < rule.min_n) return;
    const double v = value_of(rule, st.c);
    if (rule.kind == alert_rule_kind::window_below) {
      if (v < rule.threshold) emit(k, r, seq, window_fact{v, n, {}, 0, {}});
      return;
    }
    const std::uint64_t bn = st.base[0] + st.base[1] + st.base[2];
    if (bn < rule.min_n) return;
    const double bv = value_of(rule, st.base);
    if (!(v < bv)) return;  // a significant drop needs a drop
    // The test's z by its own closed form first (unweighted counts: Wald for
    // NPS, pooled for a proportion); the project's test runs, and decides,
    // only when |z| reaches 99.9 % of the critical value.
    const double z = quick_z(rule, st.c, n, st.base, bn);
    if (!(std::fabs(z) >= 0.999 * st.z_critical)) return;
    const double level = 1.0 - rule.alpha;
    stats::comparison cmp;
    if (rule.metric == alert_metric::nps) {
      cmp = compare_nps(counts_of(rule.scale, st.c), counts_of(rule.scale, st.base), level);
    } else {
      cmp = stats::compare_proportions(st.c[2], n, st.base[2], bn, level);
    }
    if (cmp.p_value < rule.alpha && cmp.difference.value() < 0.0) {
      emit(k, r, seq, window_fact{v, n, bv, bn, cmp.p_value});
    }
  }

  static double quick_z(const alert_rule& rule, const std::uint64_t (&a)[3], std::uint64_t na,
                        const std::uint64_t (&b)[3], std::uint64_t nb) noexcept {
    const double n1 = static_cast<double>(na), n2 = static_cast<double>(nb);
    if (rule.metric == alert_metric::nps) {
      const double t1 = (static_cast<double>(a[2]) - static_cast<double>(a[0])) / n1;
      const double t2 = (static_cast<double>(b[2]) - static_cast<double>(b[0])) / n2;
      const double v1 = ((static_cast<double>(a[2]) + static_cast<double>(a[0])) / n1 - t1 * t1) / n1;
      const double v2 = ((static_cast<double>(b[2]) + static_cast<double>(b[0])) / n2 - t2 * t2) / n2;
      return (t1 - t2) / std::sqrt(v1 + v2);
    }
    const double p1 = static_cast<double>(a[2]) / n1, p2 = static_cast<double>(b[2]) / n2;
    const double pooled = (static_cast<double>(a[2]) + static_cast<double>(b[2])) / (n1 + n2);
    return (p1 - p2) / std::sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2));
  }

  // A score_counts on `s` with c[0] low, c[1] middle and c[2] high answers
  // (all compare_nps reads of a state).
  static score_counts counts_of(const cxm::scale& s, const std::uint64_t (&c)[3]) {
    score_counts out(s);
    if (c[0] > 0) out.add_count(s.min(), c[0]);
    if (c[1] > 0) out.add_count(s.low_max() + 1, c[1]);
    if (c[2] > 0) out.add_count(s.max(), c[2]);
    return out;
  }

  struct window_fact {
    double value;
    std::uint64_t n;
    std::optional<double> baseline_value;
    std::uint64_t baseline_n;
    std::optional<double> p_value;
  };

  // Appends the shortest text of `v` to `out` (6 significant digits).
  static void num(std::string& out, double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 6);
    out.append(buf, r.ptr);
  }
  static void num(std::string& out, std::uint64_t v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
  }

  std::string_view channel_name(channel_id id) const {
    static const channel_set builtin;
    const channel_set& s = opt_.channels ? *opt_.channels : builtin;
    if (id.value < s.size()) return s.names()[id.value];
    return {};
  }

  // What matched, into `out` (appended piece by piece: its buffer is reused).
  static void describe(const alert_rule& rule, const response& r, const std::optional<window_fact>& w,
                       std::string& out) {
    out.clear();
    switch (rule.kind) {
      case alert_rule_kind::score_at_most:
        out.append(to_string(rule.metric)).append(" ");
        num(out, static_cast<double>(*answer(r, rule.metric)));
        out.append(" is at most ");
        num(out, rule.threshold);
        return;
      case alert_rule_kind::not_resolved:
        out.append("the issue was not resolved");
        return;
      case alert_rule_kind::window_below:
      case alert_rule_kind::baseline_drop:
        break;
    }
    out.append(to_string(rule.metric)).append(" over the last ");
    if (rule.last_responses > 0) {
      num(out, rule.last_responses);
      out.append(" answers is ");
    } else {
      num(out, static_cast<std::uint64_t>(rule.last_days));
      out.append(" days is ");
    }
    num(out, w->value);
    out.append(" (n ");
    num(out, w->n);
    out.append(")");
    if (rule.kind == alert_rule_kind::window_below) {
      out.append(", below ");
      num(out, rule.threshold);
    } else {
      out.append(", against ");
      num(out, *w->baseline_value);
      out.append(" (n ");
      num(out, w->baseline_n);
      out.append(") in the baseline ")
          .append(format_timestamp(rule.baseline_from))
          .append("..")
          .append(format_timestamp(rule.baseline_to))
          .append(": p ");
      num(out, *w->p_value);
      out.append(" < alpha ");
      num(out, rule.alpha);
    }
  }

  void emit(std::size_t k, const response& r, std::uint64_t seq, std::optional<window_fact> w) {
    const alert_rule& rule = rules_[k];
    rule_state& st = state_[k];
    ++st.counts.matches;
    ++total_.matches;
    alert& a = rec_;
    a.outcome = alert_outcome::alert;
    a.rule = rule.name;
    a.kind = rule.kind;
    describe(rule, r, w, a.reason);
    a.detail.clear();
    a.sequence = seq;
    a.id = r.id;
    a.channel = channel_name(r.channel);
    a.agent = r.agent;
    a.segment = r.segment;
    a.time = r.time;
    if (!now_) now_ = opt_.clock();
    a.raised_at = *now_;
    a.nps = r.nps;
    a.csat = r.csat;
    a.ces = r.ces;
    a.resolved = r.resolved;
    a.why = r.why;
    a.attempts = 0;
    a.value.reset();
    a.n = 0;
    a.threshold.reset();
    a.baseline_value.reset();
    a.baseline_n = 0;
    a.p_value.reset();
    a.alpha.reset();
    if (w) {
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
    if (rule.cooldown.seconds > 0) {
      for (const auto f : rule.cooldown.key) {
        if (!a.key.empty()) a.key += "; ";
        a.key += to_string(f);
        a.key += '=';
        switch (f) {
          case alert_key_field::id: a.key += r.id; break;
          case alert_key_field::agent: a.key += r.agent; break;
          case alert_key_field::channel: a.key += a.channel; break;
          case alert_key_field::segment: a.key += r.segment; break;
        }
      }
      event = time_of(r);
      const auto it = st.last_alert.find(a.key);
      if (it != st.last_alert.end() && *event >= it->second &&
          (*event - it->second).count() < rule.cooldown.seconds) {
        a.outcome = alert_outcome::suppressed;
        a.detail = "cool-down: rule '" + rule.name + "' alerted" + (a.key.empty() ? "" : " for " + a.key) + " at " +
                   format_timestamp(it->second) + "; the next alert is due from " +
                   format_timestamp(it->second + std::chrono::seconds{rule.cooldown.seconds});
      }
    }
    if (!deliver(a)) {
      ++st.counts.failed;
      ++total_.failed;
      failed_.push_back(a);
      return;
    }
    if (a.outcome == alert_outcome::suppressed) {
      ++st.counts.suppressed;
      ++total_.suppressed;
      return;
    }
    ++st.counts.alerts;
    ++total_.alerts;
    if (event) {
      st.last_alert.insert_or_assign(a.key, *event);
      if (st.last_alert.size() >= st.prune_at) prune(rule, st, *event);
    }
  }

  // Drops cool-down entries that can no longer suppress anything at `now`
  // (keeps the map within about twice its live keys).
  static void prune(const alert_rule& rule, rule_state& st, timestamp now) {
    std::erase_if(st.last_alert, [&](const auto& e) { return (now - e.second).count() >= rule.cooldown.seconds; });
    st.prune_at = std::max<std::size_t>(1024, 2 * st.last_alert.size());
  }

  // Hands `a` to every sink, each up to max_attempts times. False when a
  // sink refused it every time: then `a` is marked failed with the error.
  bool deliver(alert& a) {
    bool ok = true;
    for (std::size_t i = 0; i < sinks_.size(); ++i) {
      std::string error;
      unsigned tries = 0;
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
  std::vector<rule_state> state_;
  std::vector<alert_sink> sinks_;
  std::vector<alert> failed_;
  alert_counts total_;
  alert rec_;                       // the record being built (its buffers are reused)
  std::optional<timestamp> now_;    // the clock's reading for the current response
};

}  // namespace cxm
