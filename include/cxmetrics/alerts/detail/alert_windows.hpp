// The alert engine's compiled rules and per-group window state
// (alerts/alert_engine.hpp): what its hot path reads for each response.
// Internal to the engine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

namespace cxm::inline v0_1::detail {

/// No day seen yet.
inline constexpr std::int64_t alert_no_day = std::numeric_limits<std::int64_t>::min();

// A score or not-resolved rule: answer v[field] <= threshold matches.
struct alert_score_rule {
  std::uint32_t rule;
  std::uint32_t field;
  int threshold;
};

struct alert_day_bucket {
  std::int64_t day = alert_no_day;
  std::uint64_t c[3] = {0, 0, 0};
};

// One group's window (and baseline) of a window rule.
struct alert_window_slot {
  std::uint64_t c[4] = {0, 0, 0, 0};  // the window's low, middle, high; c[3] takes the ring's empty cells
  std::uint64_t base[3] = {0, 0, 0};  // baseline_drop: the baseline period
  std::uint64_t head = 0;             // last N: the ring's next cell
  std::int64_t current_day = alert_no_day;  // last D days: the latest day seen, and its bucket
  std::uint64_t current_cell = 0;
  std::uint64_t quiet = 0;            // answers to come that cannot bring it below, or pass the baseline test
  std::uint64_t inv_of = 0;           // n of which inv_n is the inverse
  double inv_n = 0.0;
  bool base_dirty = true;             // baseline_drop: the cached baseline figures below need recomputing
  std::uint64_t bn = 0;
  double inv_bn = 0.0, bt = 0.0, bvar = 0.0;  // 1/bn; NPS (proportion) and its variance, or the proportion
  double d_min = 0.0;                 // NPS: the least drop the closed-form test can pass, sqrt(k2 bvar)
};

// A window_below or baseline_drop rule, its answers classed by
// (x > lo) + (x >= hi): 0 low, 1 middle, 2 high (a top-box share and the
// resolution rate have no middle: lo = hi - 1).
struct alert_window_rule {
  std::size_t rule = 0;
  std::uint32_t field = 0;
  int lo = 0, hi = 0;
  bool points = false;     // NPS in points; else a share
  bool baseline = false;
  bool by_days = false;
  std::uint64_t span = 0;  // N answers or D days
  std::uint64_t min_n = 1;
  double threshold = 0.0;
  double step = 0.0;       // window_below: most one answer can move (value × n) − threshold × n
  std::int64_t base_from = 0, base_to = 0;  // seconds
  double k2 = 0.0;         // baseline_drop: (0.999 z_critical)^2, the closed-form pre-check
  int table = -1;          // group table, or -1: the whole stream
  std::vector<alert_window_slot> slots;
  std::vector<std::uint8_t> ring;  // last N: `span` classes per slot (3: empty)
  std::vector<alert_day_bucket> days;    // last D days: `span` buckets per slot
};

struct alert_window_fact {
  double value = 0.0;
  std::uint64_t n = 0;
  std::optional<double> baseline_value;
  std::uint64_t baseline_n = 0;
  std::optional<double> p_value;
  std::string_view group;
};

}  // namespace cxm::inline v0_1::detail
