// The text of the alert engine's records (alerts/alert_engine.hpp): what
// each rule's records need beyond the rule, prepared once, and the writers
// of the reason, the cool-down key and times. Every writer appends to a
// string whose buffer the engine reuses, so that a record allocates nothing
// once its buffers have grown.
//
// Header: cxmetrics/alerts/detail/alert_records.hpp (private to the engine).
#pragma once

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/alerts/alert_rule.hpp"
#include "cxmetrics/alerts/detail/alert_cooldowns.hpp"
#include "cxmetrics/alerts/detail/alert_windows.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/timestamp.hpp"

namespace cxm::inline v0_1::detail {

/// Appends the shortest text of `v` to `out` (6 significant digits).
inline void append_alert_number(std::string& out, double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 6);
  out.append(buf, r.ptr);
}
inline void append_alert_number(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

/// Appends format_timestamp(t) ("2024-01-01T09:14:00Z") to `out`, written in
/// place for the years 0..9999 (the text format_timestamp gives them).
inline void append_alert_time(std::string& out, timestamp t) {
  using namespace std::chrono;
  const auto day_point = floor<days>(t);
  const year_month_day ymd{day_point};
  const int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) {
    out.append(format_timestamp(t));
    return;
  }
  const auto s = (t - day_point).count();  // 0..86399
  const unsigned f[6] = {static_cast<unsigned>(y / 100), static_cast<unsigned>(y % 100),
                         static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                         static_cast<unsigned>(s / 3600), static_cast<unsigned>(s / 60 % 60)};
  char buf[20] = {0, 0, 0, 0, '-', 0, 0, '-', 0, 0, 'T', 0, 0, ':', 0, 0, ':', 0, 0, 'Z'};
  const int at[6] = {0, 2, 5, 8, 11, 14};
  for (int i = 0; i < 6; ++i) {
    buf[at[i]] = static_cast<char>('0' + f[i] / 10);
    buf[at[i] + 1] = static_cast<char>('0' + f[i] % 10);
  }
  buf[17] = static_cast<char>('0' + s % 60 / 10);
  buf[18] = static_cast<char>('0' + s % 10);
  out.append(buf, sizeof buf);
}

/// `dst` = `src` in dst's buffer; an empty text (a response's segment or
/// "why", often) costs no call.
inline void copy_alert_text(std::string& dst, std::string_view src) {
  dst.clear();
  if (!src.empty()) dst.append(src.data(), src.size());
}

/// What a rule's records need beyond the rule.
struct alert_record_state {
  // score_at_most: "nps " and " is at most 6" around the score, and the
  // whole reason for each score from the scale's minimum up to the threshold
  // (at most 256 of them); not_resolved: its one reason in reasons[0].
  std::string reason_head, reason_tail;
  std::vector<std::string> reasons;
  std::vector<alert_key_field> fields;  // a grouped rule's group fields, then the cool-down's own
  std::vector<std::string> key_heads;   // per field: "id=", then "; agent=", ...
  alert_cooldowns last_alert;           // key -> its last alert
  std::size_t prune_at = 1024;

  explicit alert_record_state(const alert_rule& r) {
    if (r.kind == alert_rule_kind::score_at_most) {
      reason_head.append(to_string(r.metric)).append(" ");
      reason_tail.append(" is at most ");
      append_alert_number(reason_tail, r.threshold);
      const std::int64_t top = std::min(r.scale.max(), static_cast<int>(r.threshold));
      for (std::int64_t x = r.scale.min(); x <= top && reasons.size() < 256; ++x) {
        reasons.emplace_back();
        score_reason(reasons.back(), static_cast<int>(x));
      }
    } else if (r.kind == alert_rule_kind::not_resolved) {
      reasons.emplace_back("the issue was not resolved");
    }
    fields = r.group_by;
    for (const auto f : r.cooldown.key) {
      if (std::find(fields.begin(), fields.end(), f) == fields.end()) fields.push_back(f);
    }
    for (std::size_t i = 0; i < fields.size(); ++i) {
      key_heads.emplace_back(i == 0 ? "" : "; ").append(to_string(fields[i])).append("=");
    }
  }

  /// Appends the reason of a score_at_most rule for score `x`.
  void score_reason(std::string& out, int x) const {
    char buf[16];
    const auto end = std::to_chars(buf, buf + sizeof buf, x).ptr;
    out.append(reason_head).append(buf, end).append(reason_tail);
  }

  /// The cool-down key of `r` into `out` (emptied first): the text
  /// append_alert_key (alerts/detail/alert_groups.hpp) writes for `fields`.
  void key(std::string& out, const response& r, std::string_view channel) const {
    out.clear();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      out.append(key_heads[i]);
      switch (fields[i]) {
        case alert_key_field::id: out.append(r.id); break;
        case alert_key_field::agent: out.append(r.agent); break;
        case alert_key_field::channel: out.append(channel); break;
        case alert_key_field::segment: out.append(r.segment); break;
      }
    }
  }
};

/// What matched, into `out` (its buffer reused): the reason of a record of
/// `rule` for `r`, the window's facts `w` for a window or baseline rule.
inline void describe_alert(const alert_rule& rule, const alert_record_state& rs, const response& r,
                           const alert_window_fact* w, std::string& out) {
  switch (rule.kind) {
    case alert_rule_kind::score_at_most: {
      const int x = *(rule.metric == alert_metric::csat ? r.csat : rule.metric == alert_metric::ces ? r.ces : r.nps);
      const std::int64_t i = std::int64_t{x} - rule.scale.min();
      if (i >= 0 && i < static_cast<std::int64_t>(rs.reasons.size())) {
        out.assign(rs.reasons[static_cast<std::size_t>(i)]);
      } else {
        out.clear();
        rs.score_reason(out, x);
      }
      return;
    }
    case alert_rule_kind::not_resolved:
      out.assign(rs.reasons[0]);
      return;
    case alert_rule_kind::window_below:
    case alert_rule_kind::baseline_drop:
      break;
  }
  out.clear();
  out.append(to_string(rule.metric)).append(" over the last ");
  if (rule.last_responses > 0) {
    append_alert_number(out, rule.last_responses);
    out.append(" answers is ");
  } else {
    append_alert_number(out, static_cast<std::uint64_t>(rule.last_days));
    out.append(" days is ");
  }
  append_alert_number(out, w->value);
  out.append(" (n ");
  append_alert_number(out, w->n);
  out.append(")");
  if (rule.kind == alert_rule_kind::window_below) {
    out.append(", below ");
    append_alert_number(out, rule.threshold);
  } else {
    out.append(", against ");
    append_alert_number(out, *w->baseline_value);
    out.append(" (n ");
    append_alert_number(out, w->baseline_n);
    out.append(") in the baseline ");
    append_alert_time(out, rule.baseline_from);
    out.append("..");
    append_alert_time(out, rule.baseline_to);
    out.append(": p ");
    append_alert_number(out, *w->p_value);
    out.append(" < alpha ");
    append_alert_number(out, rule.alpha);
  }
}

}  // namespace cxm::inline v0_1::detail
