// Columnar score counting at memory-bandwidth speed: the engine's hot path.
//
// Input is a column of scores stored one per byte (the raw score value, so the
// scale must lie within 0..255), optionally with a column of weights (float or
// double) of the same length. Output is either the full histogram
// (cxm::score_counts, the sufficient statistic of every score metric) or a
// three-group tally (detractors / passives / promoters for NPS; for other
// scales the low group, the middle and the high group of cxm::scale).
//
//   std::vector<std::uint8_t> nps = ...;               // one byte per response
//   auto t = cxm::engine::count_nps(nps);               // {detractors, passives, promoters}
//   auto h = cxm::engine::count_scores(nps, cxm::scale::nps());  // 11 bins
//   cxm::engine::count_options o;
//   o.threads = 4;
//   auto w = cxm::engine::count_nps(nps, weights, cxm::scale::nps(), o);
//
// Kernels. SIMD kernels (AVX-512, AVX2, SSSE3, NEON, portable fallback; see
// core/isa.hpp) chosen at run time. A tally maps each score through a 16-entry byte
// table (one shuffle per vector) into nibble counters that are flushed with
// sums of absolute differences every 15 vectors; a histogram of up to 16
// points uses one such table per pair of points (with an odd number of points
// the last one is n minus the others). Scales with more than 16 points use
// compare-and-subtract byte counters (tally) or four interleaved scalar count
// tables (histogram). Weighted tallies sum in double with masked vector adds;
// weighted histograms are counted by scalar code at every level. Streaming
// loops prefetch 4 KiB ahead.
//
// Errors. A score outside its scale or a weight that is NaN, infinite,
// negative or outside 0 and min_weight .. max_weight (1e-100 .. 1e100,
// core/counts.hpp) makes the call throw score_out_of_scale / invalid_weight
// naming the first such row (count_options::first_row + index) and field;
// nothing is returned, so no partial counts can reach the caller's state. The
// kernels only detect that a chunk holds a bad value (a running maximum of the
// scores; the minimum of the nonzero weights, their maximum and their sums); a
// scalar pass over that chunk then finds the first bad row. Values are never
// clamped or skipped.
//
// Threads and determinism. The column is cut into chunks of count_options::chunk
// rows that count_options::threads threads (std::thread) take in turn. Counts
// are integers, so they do not depend on the split. Weighted sums are made
// independent of it too: rows are summed in fixed blocks of block_rows rows
// (chunks are rounded up to whole blocks), inside a block row i is added to
// accumulator i mod 16 and the 16 accumulators are added pairwise at the end
// of the block, and block sums are added in block order. Every level follows
// this order, so results are bit-identical for any thread count, chunk size and
// instruction-set level (on targets with IEEE double arithmetic, such as
// x86-64 and AArch64). Σw² is accumulated as Σ (double)w · (double)w.
// Threads are started by each call and joined before it returns (tens of
// microseconds); an input of one chunk runs on the calling thread alone.
//
// Header: cxmetrics/engine/count.hpp. Compiled part: src/engine/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/isa.hpp"
#include "cxmetrics/export.hpp"

namespace cxm::inline v0_1::engine {

/// Rows per summation block of weighted kernels (see the header comment).
inline constexpr std::size_t block_rows = 4096;

/// How a column is split and reported.
struct count_options {
  /// Worker threads, including the calling one; 0 means std::thread::hardware_concurrency().
  unsigned threads = 1;
  /// Rows per work item, rounded up to a multiple of block_rows.
  std::size_t chunk = std::size_t{1} << 20;
  /// Instruction-set level for this call; empty means active_isa().
  std::optional<isa> level;
  /// Row number of element 0, used in error messages (e.g. the offset of a slice).
  std::uint64_t first_row = 0;
  /// Field names used in error messages.
  std::string score_field = "score";
  std::string weight_field = "weight";
};

/// Responses in the low, middle and high groups of a scale. For NPS these are
/// detractors (0–6), passives (7–8) and promoters (9–10).
struct nps_tally {
  std::uint64_t detractors = 0;  ///< low group: score <= scale.low_max()
  std::uint64_t passives = 0;    ///< between the groups
  std::uint64_t promoters = 0;   ///< high group: score >= scale.high_min()

  [[nodiscard]] constexpr std::uint64_t n() const noexcept { return detractors + passives + promoters; }
  friend constexpr bool operator==(const nps_tally&, const nps_tally&) noexcept = default;
};

/// Counts and weight sums (Σw, Σw²) of the three groups of a scale.
struct weighted_nps_tally {
  bin_totals detractors;
  bin_totals passives;
  bin_totals promoters;

  [[nodiscard]] bin_totals total() const noexcept {
    bin_totals t;
    t.n = detractors.n + passives.n + promoters.n;
    t.w = detractors.w + passives.w + promoters.w;
    t.w2 = detractors.w2 + passives.w2 + promoters.w2;
    return t;
  }
  friend bool operator==(const weighted_nps_tally&, const weighted_nps_tally&) = default;
};

/// Full histogram of `scores` on `s` (one bin per point). Throws
/// score_out_of_scale (first bad row) and invalid_argument (a scale outside 0..255).
[[nodiscard]] CXMETRICS_API score_counts count_scores(std::span<const std::uint8_t> scores, const scale& s,
                                                      const count_options& options = {});

/// Weighted histogram: per-point counts, Σw and Σw². `weights` must have one
/// entry per score. Also throws invalid_weight.
[[nodiscard]] CXMETRICS_API score_counts count_scores(std::span<const std::uint8_t> scores,
                                                      std::span<const float> weights, const scale& s,
                                                      const count_options& options = {});
[[nodiscard]] CXMETRICS_API score_counts count_scores(std::span<const std::uint8_t> scores,
                                                      std::span<const double> weights, const scale& s,
                                                      const count_options& options = {});

/// Three-group tally of `scores` on `s` (NPS by default).
[[nodiscard]] CXMETRICS_API nps_tally count_nps(std::span<const std::uint8_t> scores, const scale& s = scale::nps(),
                                                const count_options& options = {});

/// Weighted three-group tally.
[[nodiscard]] CXMETRICS_API weighted_nps_tally count_nps(std::span<const std::uint8_t> scores,
                                                         std::span<const float> weights,
                                                         const scale& s = scale::nps(),
                                                         const count_options& options = {});
[[nodiscard]] CXMETRICS_API weighted_nps_tally count_nps(std::span<const std::uint8_t> scores,
                                                         std::span<const double> weights,
                                                         const scale& s = scale::nps(),
                                                         const count_options& options = {});

/// Sum of all bytes, read with the same vector level, chunks and threads as
/// the kernels. It is the read-bandwidth ceiling the benchmarks compare with.
[[nodiscard]] CXMETRICS_API std::uint64_t sum_bytes(std::span<const std::uint8_t> bytes,
                                                    const count_options& options = {});

}  // namespace cxm::engine
