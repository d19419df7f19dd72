// Multiple-testing adjustment of p-values.
//
// Comparing every channel, agent or segment with every other produces many
// p-values; some will be small by chance alone. adjust_p() turns raw p-values
// into adjusted ones that can be compared with the usual alpha:
//
//   none                 the raw values
//   bonferroni           min(1, m·p), controls the family-wise error rate
//   holm                 step-down Bonferroni, Holm (1979), "A simple
//                        sequentially rejective multiple test procedure",
//                        Scand. J. Statist. 6:65–70. With the values sorted
//                        p(1) <= … <= p(m):
//                          p̃(i) = min(1, max_{j<=i} (m − j + 1)·p(j))
//                        Controls the family-wise error rate, never less
//                        powerful than Bonferroni.
//   benjamini_hochberg   step-up, Benjamini & Hochberg (1995), "Controlling
//                        the false discovery rate", J. R. Statist. Soc. B
//                        57:289–300:
//                          p̃(i) = min(1, min_{j>=i} (m/j)·p(j))
//                        Controls the false discovery rate (independent or
//                        positively dependent tests).
//
// The results are those of R's p.adjust(p, method) with methods "none",
// "bonferroni", "holm" and "BH": same order as the input, tied p-values get
// the same adjusted value, NaN entries (R's NA) stay NaN and do not count in
// m. A p-value outside [0, 1] (or infinite) is an error naming its index.
//
// Header: cxmetrics/stats/multiplicity.hpp. Complexity: O(m log m).
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/core/error.hpp"

namespace cxm::inline v0_1::stats {

/// How to adjust a family of p-values (see the header comment).
enum class p_adjust : std::uint8_t { none, bonferroni, holm, benjamini_hochberg };

[[nodiscard]] constexpr const char* to_string(p_adjust m) noexcept {
  switch (m) {
    case p_adjust::none: return "none";
    case p_adjust::bonferroni: return "bonferroni";
    case p_adjust::holm: return "holm";
    case p_adjust::benjamini_hochberg: return "benjamini_hochberg";
  }
  return "none";
}

/// Parses a method name, ignoring case and surrounding blanks: "none",
/// "bonferroni", "holm", and "bh", "fdr" or "benjamini_hochberg" (also with
/// '-' or ' ' for '_'). Anything else (including R's "hochberg", a different
/// procedure) throws invalid_argument naming `where`.
[[nodiscard]] inline p_adjust parse_p_adjust(std::string_view text, const location& where = {}) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  std::string t(text);
  for (auto& c : t) c = (c == '-' || c == ' ') ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "none") return p_adjust::none;
  if (t == "bonferroni") return p_adjust::bonferroni;
  if (t == "holm") return p_adjust::holm;
  if (t == "bh" || t == "fdr" || t == "benjamini_hochberg") return p_adjust::benjamini_hochberg;
  throw invalid_argument("unknown p-value adjustment '" + std::string(text) +
                             "' (use none, bonferroni, holm, or bh / fdr / benjamini_hochberg)",
                         where);
}

/// Adjusted p-values, in the order of `p` (see the header comment). Throws
/// invalid_argument naming the index of the first value outside [0, 1].
[[nodiscard]] inline std::vector<double> adjust_p(std::span<const double> p, p_adjust method) {
  std::vector<std::size_t> order;  // indices of the non-NaN values
  order.reserve(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (std::isnan(p[i])) continue;
    if (!(p[i] >= 0.0 && p[i] <= 1.0)) {
      throw invalid_argument("p-value " + std::to_string(p[i]) + " is outside [0, 1]",
                             at_field("p[" + std::to_string(i) + "]"));
    }
    order.push_back(i);
  }
  std::vector<double> out(p.begin(), p.end());
  const std::size_t m = order.size();
  if (m == 0) return out;
  const double md = static_cast<double>(m);

  switch (method) {
    case p_adjust::none:
      break;
    case p_adjust::bonferroni:
      for (auto i : order) out[i] = std::min(1.0, md * p[i]);
      break;
    case p_adjust::holm: {
      // Ascending; a stable sort keeps ties in input order as R's order() does
      // (tied values end up with the same adjusted value either way).
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
      double running = 0.0;
      for (std::size_t k = 0; k < m; ++k) {
        running = std::max(running, static_cast<double>(m - k) * p[order[k]]);
        out[order[k]] = std::min(1.0, running);
      }
      break;
    }
    case p_adjust::benjamini_hochberg: {
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] > p[b]; });
      double running = 1.0;  // every candidate above 1 is capped anyway
      for (std::size_t k = 0; k < m; ++k) {
        const double rank = static_cast<double>(m - k);  // 1-based rank in ascending order
        running = std::min(running, md / rank * p[order[k]]);
        out[order[k]] = running;
      }
      break;
    }
    default:
      throw invalid_argument("unknown p-value adjustment method (" + std::to_string(static_cast<int>(method)) + ")");
  }
  return out;
}

}  // namespace cxm::stats
