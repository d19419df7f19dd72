// The record an alert rule produces for a matching response, its JSON form,
// and the sinks that receive records: a callback, or JSON Lines on a stream.
//
// One record per (response, matching rule), whatever happens to it
// (alerts/alert_engine.hpp states the guarantee):
//   outcome alert       delivered to every sink: someone should call back
//   outcome suppressed  the rule's cool-down held it back; `detail` says which
//                       earlier alert (its time and key) it falls under
//   outcome failed      a sink threw on every attempt; `detail` holds the last
//                       error; kept by the engine (alert_engine::failed())
//
// JSON (to_json, one object per record; JSON Lines: one per line):
//   {"outcome": "alert", "rule": "detractor", "kind": "score_at_most",
//    "reason": "nps 3 is at most 6", "detail": "", "sequence": 17,
//    "id": "R00018", "channel": "phone", "agent": "PH02", "segment": "consumer",
//    "time": "2024-01-01T09:14:00Z", "raised_at": "2024-01-01T09:14:00Z",
//    "nps": 3, "csat": 2, "ces": null, "resolved": "no", "why": "...",
//    "key": "id=R00018", "attempts": 1}
// plus, for window and baseline rules, "group" (the rule's group, as
// "agent=A7; channel=phone", or "" for a rule over the whole stream),
// "value", "n", "threshold" and for baseline rules "baseline_value",
// "baseline_n", "p_value", "alpha".
//
// Header: cxmetrics/alerts/alert.hpp (header-only; nlohmann/json).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cxmetrics/alerts/alert_rule.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/timestamp.hpp"

namespace cxm::inline v0_1 {

enum class alert_outcome : std::uint8_t { alert, suppressed, failed };

[[nodiscard]] constexpr std::string_view to_string(alert_outcome o) noexcept {
  switch (o) {
    case alert_outcome::alert: return "alert";
    case alert_outcome::suppressed: return "suppressed";
    case alert_outcome::failed: return "failed";
  }
  return "alert";
}

/// One record: the rule, what matched, and the response's context.
struct alert {
  alert_outcome outcome = alert_outcome::alert;
  std::string rule;                 ///< the rule's name
  alert_rule_kind kind = alert_rule_kind::score_at_most;
  std::string reason;               ///< what matched ("nps 3 is at most 6")
  std::string detail;               ///< suppressed / failed: why; empty for an alert
  std::uint64_t sequence = 0;       ///< 0-based index of the response in the engine's stream
  std::string id;                   ///< the response's id
  std::string channel;              ///< its channel label
  std::string agent;
  std::string segment;
  std::optional<timestamp> time;    ///< the response's time
  timestamp raised_at{};            ///< the engine's clock when the record was made
  std::optional<int> nps, csat, ces;
  resolution resolved = resolution::unknown;
  std::string why;                  ///< the free-text "why" answer
  std::string key;                  ///< the cool-down key ("id=R1", "agent=A7; channel=phone", "" for the rule)
  std::string group;                ///< window and baseline rules kept per group: the group ("agent=A7"); else ""
  unsigned attempts = 0;            ///< delivery attempts made (0 for a suppression not yet delivered)
  // Window and baseline rules:
  std::optional<double> value;      ///< the window's metric value
  std::uint64_t n = 0;              ///< answers in the window
  std::optional<double> threshold;  ///< window_below: the threshold
  std::optional<double> baseline_value;
  std::uint64_t baseline_n = 0;
  std::optional<double> p_value;    ///< baseline_drop: two-sided p-value of the difference
  std::optional<double> alpha;

  friend bool operator==(const alert&, const alert&) = default;
};

/// A receiver of records. It may throw: the engine retries and, when every
/// attempt fails, keeps the record as failed.
using alert_sink = std::function<void(const alert&)>;

inline void to_json(nlohmann::json& j, const alert& a) {
  const auto opt_int = [](const std::optional<int>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  j = nlohmann::json::object();
  j["outcome"] = to_string(a.outcome);
  j["rule"] = a.rule;
  j["kind"] = to_string(a.kind);
  j["reason"] = a.reason;
  j["detail"] = a.detail;
  j["sequence"] = a.sequence;
  j["id"] = a.id;
  j["channel"] = a.channel;
  j["agent"] = a.agent;
  j["segment"] = a.segment;
  j["time"] = a.time ? nlohmann::json(format_timestamp(*a.time)) : nlohmann::json();
  j["raised_at"] = format_timestamp(a.raised_at);
  j["nps"] = opt_int(a.nps);
  j["csat"] = opt_int(a.csat);
  j["ces"] = opt_int(a.ces);
  j["resolved"] = to_string(a.resolved);
  j["why"] = a.why;
  j["key"] = a.key;
  j["attempts"] = a.attempts;
  if (a.kind == alert_rule_kind::window_below || a.kind == alert_rule_kind::baseline_drop) {
    j["group"] = a.group;
    j["value"] = a.value ? nlohmann::json(*a.value) : nlohmann::json();
    j["n"] = a.n;
  }
  if (a.kind == alert_rule_kind::window_below) j["threshold"] = a.threshold ? nlohmann::json(*a.threshold) : nlohmann::json();
  if (a.kind == alert_rule_kind::baseline_drop) {
    j["baseline_value"] = a.baseline_value ? nlohmann::json(*a.baseline_value) : nlohmann::json();
    j["baseline_n"] = a.baseline_n;
    j["p_value"] = a.p_value ? nlohmann::json(*a.p_value) : nlohmann::json();
    j["alpha"] = a.alpha ? nlohmann::json(*a.alpha) : nlohmann::json();
  }
}

/// A sink that writes each record as one JSON line on `out` and flushes it
/// (a follower of the output sees every record at once). Throws
/// std::runtime_error when the stream fails, so the engine retries. Text
/// that is not UTF-8 is written with U+FFFD in its place. `out` must outlive
/// the sink.
[[nodiscard]] inline alert_sink jsonl_sink(std::ostream& out) {
  return [&out](const alert& a) {
    const nlohmann::json j = a;
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    out.flush();
    if (!out) throw std::runtime_error("cannot write an alert to the output stream");
  };
}

}  // namespace cxm
