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

namespace cxm::engine::detail {

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

/// One key column as the grouped kernel sees it.
struct key_view {
  const void* data;       ///< first key of the column (row 0 of the whole column)
  unsigned width;         ///< 1, 2 or 4 bytes
  std::uint32_t limit;    ///< cardinality: keys must be < limit
  std::uint32_t stride;   ///< counter-index multiplier of this key
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

/// Grouped tally of rows [begin, begin + n), n < 2^32. Counter index of a row
/// is 3 · cell + group + copy · copy_stride with copy = row mod copies;
/// `scratch` holds copies · copy_stride zeroed uint32 counters and is zeroed
/// again on return; the copies are summed into out[0 .. copy_stride).
/// `narrow` selects 16-bit index lanes (copies · copy_stride <= 65536 and no
/// 32-bit key column).
using grouped_fn = bool (*)(const std::uint8_t* s, const key_view* keys, std::size_t nkeys, std::size_t begin,
                            std::size_t n, const scale_params& p, std::uint32_t copies, std::uint32_t copy_stride,
                            bool narrow, std::uint32_t* scratch, std::uint64_t* out);

/// Sum of bytes.
using sum_fn = std::uint64_t (*)(const std::uint8_t* p, std::size_t n);

struct kernel_table {
  tally_fn tally;
  hist_fn hist;
  wtally_f32_fn wtally_f32;
  wtally_f64_fn wtally_f64;
  grouped_fn grouped;
  sum_fn sum;
};

}  // namespace cxm::engine::detail
