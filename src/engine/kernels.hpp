// Internal interface between the engine driver (engine.cpp: threads, chunks,
// errors) and the per-level SIMD kernels (kernels.cpp, compiled once per
// Highway target). Not installed.
//
// Every kernel works on one contiguous range, adds into its outputs and
// returns true when every value was valid; false means the range holds at
// least one bad value (the driver then finds the first one with scalar code).
// Outputs are unspecified when a kernel returns false.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cxm::inline v0_1::engine::detail {

/// Lanes of the fixed summation order of weighted kernels (row i of a block
/// goes to accumulator i mod kSumLanes).
inline constexpr std::size_t kSumLanes = 16;

/// Adds 16 lanes pairwise, (l0 + l1) + (l2 + l3), ... in place. The order is
/// part of the definition of a weighted result; do not change it.
inline double pairwise_sum16(double* lanes) noexcept {
  for (std::size_t width = kSumLanes; width > 1; width /= 2) {
    for (std::size_t j = 0; j < width / 2; ++j) lanes[j] = lanes[2 * j] + lanes[2 * j + 1];
  }
  return lanes[0];
}

/// A scale as the kernels see it: scores are bytes, bins are score - lo.
struct scale_params {
  std::uint8_t lo;        ///< smallest valid score
  std::uint8_t low_max;   ///< largest score of the low group
  std::uint8_t high_min;  ///< smallest score of the high group (> low_max)
  std::uint16_t npoints;  ///< number of points, 2..256 (largest score lo + npoints - 1)
};

/// Rows per block of the fixed summation order (engine::block_rows).
inline constexpr std::size_t kBlockRows = 4096;

/// Partial sums of one block of a weighted tally: index 0 low, 1 middle, 2 high.
struct tally_block {
  std::uint64_t n[3];
  double w[3];
  double w2[3];
};

/// Adds the low / middle / high counts of s[0..n) to out[0..2].
using tally_fn = bool (*)(const std::uint8_t* s, std::size_t n, const scale_params& p, std::uint64_t* out);

/// Adds the per-point counts of s[0..n) to out[0..npoints); npoints <= 16.
using hist_fn = bool (*)(const std::uint8_t* s, std::size_t n, const scale_params& p, std::uint64_t* out);

/// Weighted tally of rows [0, n) that start on a block boundary: writes one
/// tally_block per block (ceil(n / block) of them) in the fixed order.
using wtally_f32_fn = bool (*)(const std::uint8_t* s, const float* w, std::size_t n, const scale_params& p,
                               tally_block* out);
using wtally_f64_fn = bool (*)(const std::uint8_t* s, const double* w, std::size_t n, const scale_params& p,
                               tally_block* out);

/// Sum of bytes.
using sum_fn = std::uint64_t (*)(const std::uint8_t* p, std::size_t n);

// ------------------------------------------------------------------ grouped

/// How a time key column turns a time into a key (key_view::width 8).
struct time_keys {
  std::int64_t offset;         ///< seconds added to a time before its day is taken (the UTC offset)
  std::int64_t first_day;      ///< day number (days since 1970-01-01, local) of day_key[0]
  std::uint32_t days;          ///< days covered: day_key[0 .. days)
  const std::int32_t* day_key; ///< key of each day, then (day_key[days]) the key of a missing time
};

/// One key column as the grouped kernels see it.
struct key_view {
  const void* data;          ///< first key of the column (row 0 of the whole column)
  unsigned width;            ///< 1, 2 or 4 bytes of an integer key; 8: Unix seconds (int64) keyed by `time`
  std::uint32_t limit;       ///< cardinality: keys must be < limit
  std::uint32_t stride;      ///< counter-index multiplier of this key
  const time_keys* time;     ///< width 8: the day table; a time outside it is a bad value
};

/// What a grouped kernel counts per cell.
enum class cell_code : std::uint8_t {
  tally,  ///< three counters: the low, middle and high group of the scale (missing_score is bad)
  bins,   ///< one counter per point, then one for missing_score (255); the scale lies within 0..254
};

/// Layout of the counters of a grouped kernel. Counter index of a row:
/// cell · width + code + copy · copy_stride, with width 3 (tally) or
/// npoints + 1 (bins), cell row-major through key_view::stride, and copy =
/// row mod copies.
struct grouped_params {
  scale_params scale;
  cell_code code;
  std::uint32_t copies;       ///< 1 or 4
  std::uint32_t copy_stride;  ///< counters per copy
  bool narrow;                ///< 16-bit index lanes: copies · copy_stride <= 65536, no 32-bit key column
};

/// Rows per call of grouped_index_fn.
inline constexpr std::size_t kIndexRows = 4096;

/// Grouped counts of rows [begin, begin + n), n < 2^32: `scratch` holds
/// copies · copy_stride zeroed uint32 counters and is zeroed again on return;
/// the copies are summed into out[0 .. copy_stride).
using grouped_fn = bool (*)(const std::uint8_t* s, const key_view* keys, std::size_t nkeys, std::size_t begin,
                            std::size_t n, const grouped_params& g, std::uint32_t* scratch, std::uint64_t* out);

/// Counter index of each of the rows [begin, begin + n), n <= kIndexRows, into
/// idx[0 .. n) (g.copies must be 1 and g.narrow false).
using grouped_index_fn = bool (*)(const std::uint8_t* s, const key_view* keys, std::size_t nkeys, std::size_t begin,
                                  std::size_t n, const grouped_params& g, std::uint32_t* idx);

struct grouped_kernels {
  grouped_fn count;
  grouped_index_fn index;
};

// ------------------------------------------------------------------ per level

struct kernel_table {
  tally_fn tally;
  hist_fn hist;
  wtally_f32_fn wtally_f32;
  wtally_f64_fn wtally_f64;
  grouped_kernels grouped;
  sum_fn sum;
};

}  // namespace cxm::engine::detail
