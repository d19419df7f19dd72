// Close-the-loop alert rules: what makes a response worth a call back, and
// how rules are read from JSON.
//
// Four kinds of rule (alert_rule_kind):
//
//   score_at_most  a response whose score on `field` (nps, csat or ces) is at
//                  most `threshold` on the rule's scale. The default rule,
//                  alert_rule::detractor(), is "NPS 6 or less on 0..10".
//   not_resolved   a response whose resolved flag is "no" (unknown never matches).
//   window_below   a metric over the last `last_responses` responses or the
//                  last `last_days` days falls below `threshold` while the
//                  window holds at least `min_n` answers. Metrics: nps (points
//                  −100..100), csat and ces (top-box share 0..1 on the rule's
//                  scale: score >= high_min), resolution (yes / (yes + no), 0..1).
//   baseline_drop  the same metric over the current window is significantly
//                  lower than over a fixed baseline period [baseline_from,
//                  baseline_to): the project's two-sample tests (compare_nps,
//                  Wald; compare_proportions, pooled z) give a two-sided p-value;
//                  a drop matches when the difference is negative and p < alpha,
//                  both sides with at least `min_n` answers. Responses timed in
//                  the baseline period fill the baseline; later ones the window.
//
// Per group. A window_below or baseline_drop rule with `group_by` (any of
// id, agent, channel, segment) keeps one window, and one baseline, per value
// of those fields: "an agent's NPS over their last 50 answers below 0" is
// below_last(nps, 50, 0, min_n, name).grouped_by({alert_key_field::agent}).
// Each group's window holds only that group's answers, its alert carries
// the group ("agent=A7"), and the rule's cool-down is kept per group. At most
// `max_groups` groups are kept per rule (memory: alerts/alert_engine.hpp);
// when a new group arrives at a full table, the group seen least recently is
// dropped and its window starts again empty should it come back.
//
// Every rule has a cool-down (alert_cooldown): after an alert, further
// matches of the same rule with the same key values (response id, agent,
// channel, segment, or the rule alone; a grouped rule's group always belongs
// to its key) within `seconds` are suppressed, each with a suppression record
// saying why (see alerts/alert_engine.hpp).
//
// JSON (parse_alert_rules): an object {"rules": [ ... ]} or an array of rules;
// each rule an object, e.g.
//
//   {"name": "detractor", "kind": "score_at_most", "field": "nps", "threshold": 6,
//    "cooldown": {"key": ["id"], "seconds": 86400}}
//   {"name": "unresolved", "kind": "not_resolved"}
//   {"name": "nps-last-50", "kind": "window_below", "metric": "nps",
//    "last_responses": 50, "threshold": 0, "min_n": 30}
//   {"name": "csat-7d", "kind": "window_below", "metric": "csat", "last_days": 7,
//    "threshold": 0.7, "min_n": 20, "scale": {"min": 1, "max": 5, "high_min": 4, "low_max": 2}}
//   {"name": "nps-drop", "kind": "baseline_drop", "metric": "nps", "last_days": 7,
//    "baseline": {"from": "2024-01-01", "to": "2024-02-01"}, "alpha": 0.01, "min_n": 30}
//   {"name": "agent-nps-50", "kind": "window_below", "metric": "nps", "last_responses": 50,
//    "threshold": 0, "min_n": 30, "group_by": ["agent"], "max_groups": 5000,
//    "cooldown": {"seconds": 86400}}
//
// A key the kind does not take, a missing or ill-typed key, a threshold
// outside the scale, a group_by field that is unknown or listed twice, or
// two rules with one name throw invalid_argument naming the rule (its number
// and name) and the key:
//   [cxm.invalid_argument.201] rules.json, field 'threshold': rule 2 ('low-nps'): 11 is outside the NPS scale 0..10
//
// Header: cxmetrics/alerts/alert_rule.hpp (header-only; nlohmann/json).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/timestamp.hpp"

namespace cxm::inline v0_1 {

enum class alert_rule_kind : std::uint8_t { score_at_most, not_resolved, window_below, baseline_drop };

/// The score a rule reads, or the metric a window rule computes.
enum class alert_metric : std::uint8_t { nps, csat, ces, resolution };

/// Fields a cool-down key or a rule's groups may combine. An empty list keys
/// on the rule alone (one stream, one cool-down).
enum class alert_key_field : std::uint8_t { id, agent, channel, segment };

[[nodiscard]] constexpr std::string_view to_string(alert_rule_kind k) noexcept {
  switch (k) {
    case alert_rule_kind::score_at_most: return "score_at_most";
    case alert_rule_kind::not_resolved: return "not_resolved";
    case alert_rule_kind::window_below: return "window_below";
    case alert_rule_kind::baseline_drop: return "baseline_drop";
  }
  return "score_at_most";
}

[[nodiscard]] constexpr std::string_view to_string(alert_metric m) noexcept {
  switch (m) {
    case alert_metric::nps: return "nps";
    case alert_metric::csat: return "csat";
    case alert_metric::ces: return "ces";
    case alert_metric::resolution: return "resolution";
  }
  return "nps";
}

[[nodiscard]] constexpr std::string_view to_string(alert_key_field f) noexcept {
  switch (f) {
    case alert_key_field::id: return "id";
    case alert_key_field::agent: return "agent";
    case alert_key_field::channel: return "channel";
    case alert_key_field::segment: return "segment";
  }
  return "id";
}

/// Suppression of repeated alerts: one alert per key value per `seconds`
/// (0: no cool-down). Time is the response's time, or the engine's clock for
/// a response without one.
struct alert_cooldown {
  std::vector<alert_key_field> key;  ///< empty: the rule alone is the key
  std::int64_t seconds = 0;
  friend bool operator==(const alert_cooldown&, const alert_cooldown&) = default;
};

/// One rule (see the header comment). Build one with the named constructors
/// or parse_alert_rules; check() validates it.
struct alert_rule {
  std::string name = "detractor";
  alert_rule_kind kind = alert_rule_kind::score_at_most;
  alert_metric metric = alert_metric::nps;  ///< score_at_most: the field; windows: the metric
  cxm::scale scale = cxm::scale::nps();     ///< the metric's scale (unused for resolution)
  double threshold = 6;                     ///< score (score_at_most) or metric value (window_below)
  std::uint64_t last_responses = 0;         ///< window of the last N answers (0: by days)
  std::int64_t last_days = 0;               ///< window of the last D days (0: by responses)
  std::uint64_t min_n = 1;                  ///< answers the window (and baseline) needs
  timestamp baseline_from{};                ///< baseline_drop: start of the baseline period
  timestamp baseline_to{};                  ///< baseline_drop: end (exclusive)
  double alpha = 0.05;                      ///< baseline_drop: significance level, 0 < alpha < 1
  alert_cooldown cooldown;
  /// window_below, baseline_drop: one window (and baseline) per value of
  /// these fields; empty: one for the whole stream.
  std::vector<alert_key_field> group_by;
  /// Most groups kept at once (>= 1); beyond, the least recently seen is dropped.
  std::uint64_t max_groups = default_max_groups;

  /// The longest window by responses (the engine keeps one byte per answer).
  static constexpr std::uint64_t max_last_responses = 10'000'000;
  /// Groups a rule keeps unless told otherwise, and the most it may be told.
  static constexpr std::uint64_t default_max_groups = 10'000;
  static constexpr std::uint64_t max_max_groups = 10'000'000;
  /// The most window memory a grouped rule may reserve: max_groups times the
  /// bytes of one group's window (last_responses bytes, or 32 per day).
  static constexpr std::uint64_t max_window_bytes = std::uint64_t{1} << 30;
  /// The longest cool-down: 100 years of 366 days.
  static constexpr std::int64_t max_cooldown_seconds = std::int64_t{100} * 366 * 86400;

  /// NPS of `threshold` or less on 0..10 (the default rule: 6).
  [[nodiscard]] static alert_rule detractor(int threshold = 6, std::string name = "detractor") {
    alert_rule r;
    r.name = std::move(name);
    r.threshold = threshold;
    return r;
  }
  /// CSAT of `threshold` or less on `s` (default 1..5).
  [[nodiscard]] static alert_rule csat_at_most(int threshold, std::string name = "low-csat",
                                               cxm::scale s = cxm::scale::csat()) {
    alert_rule r;
    r.name = std::move(name);
    r.metric = alert_metric::csat;
    r.scale = s;
    r.threshold = threshold;
    return r;
  }
  /// Resolved flag "no".
  [[nodiscard]] static alert_rule unresolved(std::string name = "unresolved") {
    alert_rule r;
    r.name = std::move(name);
    r.kind = alert_rule_kind::not_resolved;
    r.metric = alert_metric::resolution;
    r.scale = cxm::scale::binary();
    r.threshold = 0;
    return r;
  }
  /// `m` over the last `n` answers below `threshold`, with at least `min_n`.
  [[nodiscard]] static alert_rule below_last(alert_metric m, std::uint64_t n, double threshold, std::uint64_t min_n,
                                             std::string name) {
    alert_rule r;
    r.name = std::move(name);
    r.kind = alert_rule_kind::window_below;
    r.metric = m;
    r.scale = default_scale(m);
    r.threshold = threshold;
    r.last_responses = n;
    r.min_n = min_n;
    return r;
  }
  /// `m` over the last `days` days below `threshold`, with at least `min_n`.
  [[nodiscard]] static alert_rule below_days(alert_metric m, std::int64_t days, double threshold, std::uint64_t min_n,
                                             std::string name) {
    auto r = below_last(m, 0, threshold, min_n, std::move(name));
    r.last_days = days;
    return r;
  }

  /// This rule kept per value of `fields` (window and baseline rules).
  [[nodiscard]] alert_rule grouped_by(std::vector<alert_key_field> fields,
                                      std::uint64_t groups = default_max_groups) const {
    alert_rule r = *this;
    r.group_by = std::move(fields);
    r.max_groups = groups;
    return r;
  }

  /// Bytes of window state one group needs (the ring of classes, or the day
  /// buckets), without the fixed counts.
  [[nodiscard]] std::uint64_t window_bytes_per_group() const noexcept {
    return last_responses > 0 ? last_responses : 32 * static_cast<std::uint64_t>(std::max<std::int64_t>(last_days, 0));
  }

  /// The scale a metric is read on by default.
  [[nodiscard]] static cxm::scale default_scale(alert_metric m) noexcept {
    switch (m) {
      case alert_metric::csat: return cxm::scale::csat();
      case alert_metric::ces: return cxm::scale::ces();
      case alert_metric::resolution: return cxm::scale::binary();
      case alert_metric::nps: break;
    }
    return cxm::scale::nps();
  }

  /// What keeps the rule from running: {key, description}; nullopt when it can run.
  [[nodiscard]] std::optional<std::pair<std::string, std::string>> problem() const {
    using P = std::pair<std::string, std::string>;
    if (name.empty()) return P{"name", "a rule needs a non-empty name"};
    switch (kind) {
      case alert_rule_kind::score_at_most:
        if (metric == alert_metric::resolution) return P{"field", "score_at_most reads nps, csat or ces"};
        if (!(std::isfinite(threshold) && threshold == std::floor(threshold) && std::fabs(threshold) < 1e9) ||
            !scale.contains(static_cast<int>(threshold))) {
          return P{"threshold", "threshold " + number_text(threshold) + " is not a point of the " + scale.describe()};
        }
        break;
      case alert_rule_kind::not_resolved:
        break;
      case alert_rule_kind::window_below:
      case alert_rule_kind::baseline_drop: {
        if ((last_responses == 0) == (last_days <= 0)) {
          return P{last_days < 0 ? "last_days" : "last_responses",
                   "a window rule needs exactly one of last_responses (>= 1) and last_days (>= 1)"};
        }
        if (last_days > 36600) return P{"last_days", "at most 36600 days, got " + std::to_string(last_days)};
        if (last_responses > max_last_responses) {
          return P{"last_responses", "at most " + std::to_string(max_last_responses) + " responses, got " +
                                         std::to_string(last_responses)};
        }
        if (min_n < 1) return P{"min_n", "min_n must be >= 1"};
        if (kind == alert_rule_kind::window_below) {
          const double lo = metric == alert_metric::nps ? -100.0 : 0.0;
          const double hi = metric == alert_metric::nps ? 100.0 : 1.0;
          if (!(std::isfinite(threshold) && threshold >= lo && threshold <= hi)) {
            return P{"threshold", "threshold " + number_text(threshold) + " of " + std::string(to_string(metric)) +
                                      " must lie in " + number_text(lo) + ".." + number_text(hi)};
          }
        } else {
          if (!(alpha > 0.0 && alpha < 1.0)) return P{"alpha", "alpha must lie strictly between 0 and 1"};
          if (!(baseline_from < baseline_to)) return P{"baseline", "the baseline period needs from < to"};
        }
        break;
      }
    }
    if (!group_by.empty() && kind != alert_rule_kind::window_below && kind != alert_rule_kind::baseline_drop) {
      return P{"group_by", "only window_below and baseline_drop rules are kept per group"};
    }
    for (std::size_t i = 0; i < group_by.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (group_by[i] == group_by[j]) {
          return P{"group_by", "field " + std::string(to_string(group_by[i])) + " is listed twice"};
        }
      }
    }
    if (max_groups < 1 || max_groups > max_max_groups) {
      return P{"max_groups", "max_groups must lie in 1.." + std::to_string(max_max_groups) + ", got " +
                                 std::to_string(max_groups)};
    }
    if (!group_by.empty() && window_bytes_per_group() > max_window_bytes / max_groups) {
      return P{"max_groups", std::to_string(max_groups) + " groups of " + std::to_string(window_bytes_per_group()) +
                                 " window bytes each exceed " + std::to_string(max_window_bytes) +
                                 " bytes; lower max_groups or the window"};
    }
    if (cooldown.seconds < 0 || cooldown.seconds > max_cooldown_seconds) {
      return P{"cooldown", "cool-down seconds must lie in 0.." + std::to_string(max_cooldown_seconds) + ", got " +
                               std::to_string(cooldown.seconds)};
    }
    return std::nullopt;
  }

  /// Throws invalid_argument naming this rule and the key when the rule cannot run.
  void check() const {
    if (auto p = problem()) throw invalid_argument("rule '" + name + "': " + p->second, at_field(p->first));
  }

  /// "6" for 6.0, else the shortest round-trip text.
  [[nodiscard]] static std::string number_text(double v) {
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
    nlohmann::json j = v;
    return j.dump();
  }

  friend bool operator==(const alert_rule&, const alert_rule&) = default;
};

namespace detail {

/// Reads one rule object; `where` is "rule N ('name')" for messages, `file`
/// the source named in errors.
inline alert_rule alert_rule_from_json(const nlohmann::json& j, std::size_t number, const std::string& file) {
  std::string label = "rule " + std::to_string(number);
  const auto fail = [&](const std::string& key, const std::string& what) -> void {
    location l;
    l.file = file;
    l.field = key;
    throw invalid_argument(label + ": " + what, l);
  };
  if (!j.is_object()) fail("", "a rule must be a JSON object, got " + std::string(j.type_name()));
  alert_rule r;
  if (j.contains("name")) {
    if (!j["name"].is_string()) fail("name", "name must be a string");
    r.name = j["name"].get<std::string>();
    label += " ('" + r.name + "')";
  } else {
    fail("name", "a rule needs a \"name\"");
  }
  const auto text = [&](const char* key) -> std::string {
    if (!j[key].is_string()) fail(key, std::string(key) + " must be a string, got " + j[key].type_name());
    return j[key].get<std::string>();
  };
  const auto number_of = [&](const nlohmann::json& v, const std::string& key) -> double {
    if (!v.is_number()) fail(key, key + " must be a number, got " + std::string(v.type_name()));
    return v.get<double>();
  };
  const auto count_of = [&](const nlohmann::json& v, const std::string& key) -> std::uint64_t {
    if (!v.is_number_unsigned()) fail(key, key + " must be a whole number >= 0, got " + v.dump());
    return v.get<std::uint64_t>();
  };
  // A list of id, agent, channel, segment (cool-down keys and group_by).
  const auto fields_of = [&](const nlohmann::json& v, const std::string& key) -> std::vector<alert_key_field> {
    if (!v.is_array()) fail(key, key + " must be an array of id, agent, channel, segment, got " + v.dump());
    std::vector<alert_key_field> out;
    for (const auto& f : v) {
      const std::string s = f.is_string() ? f.get<std::string>() : f.dump();
      if (s == "id") {
        out.push_back(alert_key_field::id);
      } else if (s == "agent") {
        out.push_back(alert_key_field::agent);
      } else if (s == "channel") {
        out.push_back(alert_key_field::channel);
      } else if (s == "segment") {
        out.push_back(alert_key_field::segment);
      } else {
        fail(key, "unknown key field " + s + " (id, agent, channel, segment)");
      }
    }
    return out;
  };
  const auto time_of = [&](const nlohmann::json& v, const std::string& key) -> timestamp {
    if (!v.is_string()) fail(key, key + " must be a date or time text, e.g. \"2024-01-01\"");
    const auto p = try_parse_timestamp(v.get<std::string>());
    if (p.state != timestamp_parse::status::ok) fail(key, p.reason);
    return p.value;
  };
  if (!j.contains("kind")) fail("kind", "a rule needs a \"kind\" (score_at_most, not_resolved, window_below, baseline_drop)");
  const std::string kind = text("kind");
  std::set<std::string> allowed{"name", "kind", "cooldown"};
  if (kind == "score_at_most") {
    r.kind = alert_rule_kind::score_at_most;
    allowed.insert({"field", "threshold", "scale"});
  } else if (kind == "not_resolved") {
    r.kind = alert_rule_kind::not_resolved;
    r.metric = alert_metric::resolution;
    r.threshold = 0;
  } else if (kind == "window_below" || kind == "baseline_drop") {
    r.kind = kind == "window_below" ? alert_rule_kind::window_below : alert_rule_kind::baseline_drop;
    allowed.insert({"metric", "scale", "last_responses", "last_days", "min_n", "group_by", "max_groups"});
    if (r.kind == alert_rule_kind::window_below) {
      allowed.insert("threshold");
    } else {
      allowed.insert({"baseline", "alpha"});
    }
  } else {
    fail("kind", "unknown kind '" + kind + "' (score_at_most, not_resolved, window_below, baseline_drop)");
  }
  for (const auto& [key, value] : j.items()) {
    if (!allowed.contains(key)) fail(key, "key '" + key + "' is not one a " + kind + " rule takes");
  }
  const char* metric_key = r.kind == alert_rule_kind::score_at_most ? "field" : "metric";
  if (allowed.contains(metric_key)) {
    if (!j.contains(metric_key)) {
      if (r.kind != alert_rule_kind::score_at_most) fail(metric_key, std::string("a ") + kind + " rule needs \"metric\"");
    } else {
      const std::string m = text(metric_key);
      if (m == "nps") {
        r.metric = alert_metric::nps;
      } else if (m == "csat") {
        r.metric = alert_metric::csat;
      } else if (m == "ces") {
        r.metric = alert_metric::ces;
      } else if (m == "resolution" && r.kind != alert_rule_kind::score_at_most) {
        r.metric = alert_metric::resolution;
      } else {
        fail(metric_key, "unknown " + std::string(metric_key) + " '" + m + "' (nps, csat, ces" +
                             (r.kind == alert_rule_kind::score_at_most ? ")" : ", resolution)"));
      }
    }
  }
  r.scale = alert_rule::default_scale(r.metric);
  if (j.contains("scale")) {
    const auto& s = j["scale"];
    if (!s.is_object()) fail("scale", "scale must be an object {\"min\", \"max\", \"high_min\", \"low_max\"}");
    int b[4] = {0, 0, 0, 0};
    const char* names[4] = {"min", "max", "high_min", "low_max"};
    for (int i = 0; i < 4; ++i) {
      if (!s.contains(names[i]) || !s[names[i]].is_number_integer()) {
        fail("scale", std::string("scale needs an integer \"") + names[i] + "\"");
      }
      b[i] = s[names[i]].get<int>();
    }
    try {
      r.scale = cxm::scale::custom(b[0], b[1], b[2], b[3]);
    } catch (const error& e) {
      fail("scale", e.reason());
    }
  }
  if (j.contains("threshold")) {
    r.threshold = number_of(j["threshold"], "threshold");
  } else if (r.kind == alert_rule_kind::score_at_most) {
    if (r.metric != alert_metric::nps) fail("threshold", "a score_at_most rule on " + std::string(to_string(r.metric)) + " needs \"threshold\"");
  } else if (r.kind == alert_rule_kind::window_below) {
    fail("threshold", "a window_below rule needs \"threshold\"");
  }
  if (j.contains("last_responses")) r.last_responses = count_of(j["last_responses"], "last_responses");
  if (j.contains("last_days")) {
    const auto v = count_of(j["last_days"], "last_days");
    if (v > 36600) fail("last_days", "at most 36600 days, got " + std::to_string(v));
    r.last_days = static_cast<std::int64_t>(v);
  }
  if (j.contains("min_n")) r.min_n = count_of(j["min_n"], "min_n");
  if (j.contains("alpha")) r.alpha = number_of(j["alpha"], "alpha");
  if (r.kind == alert_rule_kind::baseline_drop) {
    if (!j.contains("baseline") || !j["baseline"].is_object()) {
      fail("baseline", "a baseline_drop rule needs \"baseline\": {\"from\": DATE, \"to\": DATE}");
    }
    const auto& b = j["baseline"];
    for (const auto& [key, value] : b.items()) {
      if (key != "from" && key != "to") fail("baseline." + key, "baseline takes only \"from\" and \"to\"");
    }
    if (!b.contains("from") || !b.contains("to")) fail("baseline", "baseline needs \"from\" and \"to\"");
    r.baseline_from = time_of(b["from"], "baseline.from");
    r.baseline_to = time_of(b["to"], "baseline.to");
  }
  if (j.contains("cooldown")) {
    const auto& c = j["cooldown"];
    if (!c.is_object()) fail("cooldown", "cooldown must be an object {\"key\": [...], \"seconds\": N}");
    for (const auto& [key, value] : c.items()) {
      if (key != "key" && key != "seconds") fail("cooldown." + key, "cooldown takes only \"key\" and \"seconds\"");
    }
    if (c.contains("seconds")) {
      const auto v = count_of(c["seconds"], "cooldown.seconds");
      if (v > static_cast<std::uint64_t>(alert_rule::max_cooldown_seconds)) {
        fail("cooldown.seconds", "at most " + std::to_string(alert_rule::max_cooldown_seconds) + " seconds, got " +
                                     std::to_string(v));
      }
      r.cooldown.seconds = static_cast<std::int64_t>(v);
    }
    if (c.contains("key")) r.cooldown.key = fields_of(c["key"], "cooldown.key");
  }
  if (j.contains("group_by")) r.group_by = fields_of(j["group_by"], "group_by");
  if (j.contains("max_groups")) r.max_groups = count_of(j["max_groups"], "max_groups");
  if (auto p = r.problem()) fail(p->first, p->second);
  return r;
}

}  // namespace detail

/// Rules from parsed JSON: {"rules": [...]} or [...] (see the header
/// comment); `file` names the source in errors. Throws invalid_argument.
[[nodiscard]] inline std::vector<alert_rule> alert_rules_from_json(const nlohmann::json& j,
                                                                   const std::string& file = {}) {
  location top;
  top.file = file;
  const nlohmann::json* list = &j;
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if (key != "rules") {
        top.field = key;
        throw invalid_argument("key '" + key + "' is not known here (the rules file is {\"rules\": [...]})", top);
      }
    }
    if (!j.contains("rules")) throw invalid_argument("the rules file needs \"rules\": [...]", top);
    list = &j["rules"];
  }
  if (!list->is_array()) {
    top.field = "rules";
    throw invalid_argument("rules must be an array of rule objects", top);
  }
  if (list->empty()) {
    top.field = "rules";
    throw invalid_argument("the rules list is empty", top);
  }
  std::vector<alert_rule> out;
  std::set<std::string> names;
  for (std::size_t i = 0; i < list->size(); ++i) {
    out.push_back(detail::alert_rule_from_json((*list)[i], i + 1, file));
    if (!names.insert(out.back().name).second) {
      location l;
      l.file = file;
      l.field = "name";
      throw invalid_argument("rule " + std::to_string(i + 1) + " ('" + out.back().name + "'): the name is used by an earlier rule", l);
    }
  }
  return out;
}

/// Rules from JSON text (see alert_rules_from_json). Text that is not JSON
/// throws invalid_argument naming `file` and the parser's line and column.
[[nodiscard]] inline std::vector<alert_rule> parse_alert_rules(std::string_view text, const std::string& file = {}) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    location l;
    l.file = file;
    std::string what = e.what();
    const auto at = what.find("] ");
    throw invalid_argument("the rules are not valid JSON: " + (at == std::string::npos ? what : what.substr(at + 2)), l);
  }
  return alert_rules_from_json(j, file);
}

}  // namespace cxm
