// What `cxm summary` and the report model keep per group, and how both choose
// the groups they show.
//
// answer_counts is the state of one group as group_by builds it: NPS, CSAT
// and CES histograms on the input's scales, resolution with its unknowns,
// and the rows (metric_set::count()). largest_groups marks the max_groups
// groups with the most rows (ties: the earlier), the others being pooled
// into "other (k groups)" by the caller.
//
// Header: src/report/answer_counts.hpp (private; header-only). Complexity:
// largest_groups O(groups) expected.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/engine/accumulator.hpp"
#include "cxmetrics/engine/metric_set.hpp"
#include "cxmetrics/metrics/resolution.hpp"

namespace cxm::inline v0_1::detail {

using answer_counts = metric_set<score_histogram, score_histogram, score_histogram, resolution_accumulator>;

[[nodiscard]] inline answer_counts empty_answer_counts(const table_scales& s) {
  return answer_counts(score_histogram(s.nps), score_histogram(s.csat), score_histogram(s.ces),
                       resolution_accumulator{});
}
[[nodiscard]] inline const score_counts& nps_of(const answer_counts& g) noexcept { return g.get<0>().counts(); }
[[nodiscard]] inline const score_counts& csat_of(const answer_counts& g) noexcept { return g.get<1>().counts(); }
[[nodiscard]] inline const score_counts& ces_of(const answer_counts& g) noexcept { return g.get<2>().counts(); }
[[nodiscard]] inline const score_counts& res_of(const answer_counts& g) noexcept { return g.get<3>().counts(); }
[[nodiscard]] inline std::uint64_t unknown_of(const answer_counts& g) noexcept { return g.get<3>().unknown(); }

/// keep[i]: group i is among the `max_groups` with the most rows (ties: the
/// smaller i); all true when max_groups is 0 or not below the groups.
[[nodiscard]] inline std::vector<bool> largest_groups(std::span<const std::uint64_t> rows, std::size_t max_groups) {
  std::vector<bool> keep(rows.size(), max_groups == 0 || rows.size() <= max_groups);
  if (keep.empty() || keep.front()) return keep;
  std::vector<std::size_t> idx(rows.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::nth_element(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(max_groups), idx.end(),
                   [&](std::size_t a, std::size_t b) { return rows[a] != rows[b] ? rows[a] > rows[b] : a < b; });
  for (std::size_t i = 0; i < max_groups; ++i) keep[idx[i]] = true;
  return keep;
}

}  // namespace cxm::detail
