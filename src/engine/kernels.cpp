// SIMD counting kernels, compiled once per instruction-set level.
//
// Google Highway's foreach_target.h re-includes this file once per target
// (HWY_NAMESPACE = N_AVX3, N_AVX2, N_SSSE3, N_EMU128, N_NEON, ...); each
// pass defines the kernels of kernels.hpp in that namespace with that
// target's instructions enabled. The HWY_ONCE part at the end collects one
// kernel_table per compiled target for the driver (engine.cpp), which picks a
// table by CPU support and by the level the caller forced.
//
// Techniques:
// * tally of a scale of <= 16 points: a byte shuffle maps each score to a code
//   (1 = low group, 16 = high group, 0 = middle) added into byte counters; after
//   15 vectors the two nibbles are split and summed with SumsOf8 (psadbw).
//   Wider scales compare and subtract (mask = -1) into byte counters that are
//   flushed every 255 vectors.
// * histogram of <= 16 points: one shuffle table per pair of points, code 1
//   for the even point and 16 for the odd one, same nibble flush; with an odd
//   number of points the last one is n minus the others.
// * range checks: bin = score - lo wraps below lo, so one running maximum of
//   the bins against npoints - 1 catches both ends.
// * streaming loops prefetch 4 KiB ahead and keep loaded vectors in registers
//   (see PrefetchAhead and InRegister).
// * weighted tally: per block of kBlockRows rows, the tally kernel counts and
//   checks the scores, then the weights are summed in double into 16 fixed
//   lanes (row i -> lane i mod 16) with masked adds and reduced pairwise at the
//   end of the block; a running minimum catches negative weights, NaN and
//   infinite ones make a block sum non-finite (checked per block), and the
//   next block is prefetched meanwhile. The lane order does not depend on the
//   vector width, so every target gives bit-identical sums (the file is
//   compiled with -ffp-contract=off).
// * grouped counts: see kernels_grouped.cpp.
//
// The one-lane HWY_SCALAR target (the portable level under GCC < 12.3) cannot
// hold a 16-byte table and uses compare and plain counting loops instead.

#include "core/simd_levels.hpp"  // the library's one Highway configuration, before Highway

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "cxmetrics/core/counts.hpp"  // min_weight, max_weight
#include "engine/kernels.hpp"
#include <hwy/cache_control.h>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/kernels.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h
#include <hwy/highway.h>

#include "engine/simd-inl.hpp"

HWY_BEFORE_NAMESPACE();
namespace cxm::inline v0_1::engine::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// ------------------------------------------------------------------ tally

// The end of both tallies: the vector counters (bins already offset by
// p.lo) reduced, the scores from `i` on counted one by one, the three groups
// added to `out`. True when every score lay on the scale.
template <class D, class D64>
HWY_INLINE bool FinishTally(D d, D64 d64, hn::Vec<D> vmax, hn::Vec<D64> low, hn::Vec<D64> high,
                            const std::uint8_t* HWY_RESTRICT s, std::size_t i, std::size_t n, const scale_params& p,
                            std::uint64_t* HWY_RESTRICT out) {
  const unsigned low_bin = p.low_max - p.lo;
  const unsigned high_bin = p.high_min - p.lo;
  std::uint64_t n_low = SumLanes(d64, low);
  std::uint64_t n_high = SumLanes(d64, high);
  unsigned top = MaxLane(d, vmax);
  for (; i < n; ++i) {
    const unsigned bin = static_cast<std::uint8_t>(s[i] - p.lo);
    top = std::max(top, bin);
    const unsigned g = GroupOf(bin, low_bin, high_bin);
    n_low += g == 0;
    n_high += g == 2;
  }
  out[0] += n_low;
  out[1] += n - n_low - n_high;
  out[2] += n_high;
  return top < p.npoints;
}

// Scales of at most 16 points: shuffle table and nibble counters.
template <bool kOffset>
bool TallyTable(const std::uint8_t* HWY_RESTRICT s, std::size_t n, const scale_params& p,
                std::uint64_t* HWY_RESTRICT out) {
  const hn::ScalableTag<std::uint8_t> d;
  const hn::Repartition<std::uint64_t, decltype(d)> d64;
  const std::size_t N = hn::Lanes(d);
  const unsigned low_bin = p.low_max - p.lo;
  const unsigned high_bin = p.high_min - p.lo;

  alignas(16) std::uint8_t codes[16] = {};
  for (unsigned b = 0; b < p.npoints; ++b) {
    const unsigned g = GroupOf(b, low_bin, high_bin);
    codes[b] = static_cast<std::uint8_t>(g == 0 ? 1 : (g == 2 ? 16 : 0));
  }
  const auto table = hn::LoadDup128(d, codes);
  const auto nibble = hn::Set(d, std::uint8_t{0x0F});
  const auto offset = hn::Set(d, p.lo);
  auto vmax = hn::Zero(d);
  auto low = hn::Zero(d64);
  auto high = hn::Zero(d64);

  // Four vectors per step into four nibble counters; a nibble takes at most
  // 15 adds, and the four counters' nibbles add to at most 60 per byte.
  std::size_t i = 0;
  const std::size_t step = 4 * N;
  while (i + N <= n) {
    const bool whole = i + step <= n;
    const std::size_t iters = whole ? std::min<std::size_t>(15, (n - i) / step) : (n - i) / N;
    auto a0 = hn::Zero(d);
    auto a1 = hn::Zero(d);
    auto a2 = hn::Zero(d);
    auto a3 = hn::Zero(d);
    if (whole) {
      for (std::size_t k = 0; k < iters; ++k, i += step) {
        PrefetchSpan(s + i, step);
        auto v0 = InRegister(hn::LoadU(d, s + i));
        auto v1 = InRegister(hn::LoadU(d, s + i + N));
        auto v2 = InRegister(hn::LoadU(d, s + i + 2 * N));
        auto v3 = InRegister(hn::LoadU(d, s + i + 3 * N));
        if constexpr (kOffset) {
          v0 = hn::Sub(v0, offset);
          v1 = hn::Sub(v1, offset);
          v2 = hn::Sub(v2, offset);
          v3 = hn::Sub(v3, offset);
        }
        vmax = hn::Max(vmax, hn::Max(hn::Max(v0, v1), hn::Max(v2, v3)));
        a0 = hn::Add(hn::TableLookupBytes(table, v0), a0);
        a1 = hn::Add(hn::TableLookupBytes(table, v1), a1);
        a2 = hn::Add(hn::TableLookupBytes(table, v2), a2);
        a3 = hn::Add(hn::TableLookupBytes(table, v3), a3);
      }
    } else {
      for (std::size_t k = 0; k < iters; ++k, i += N) {  // at most 3 vectors
        auto v = hn::LoadU(d, s + i);
        if constexpr (kOffset) v = hn::Sub(v, offset);
        vmax = hn::Max(vmax, v);
        a0 = hn::Add(a0, hn::TableLookupBytes(table, v));
      }
    }
    const auto lo4 = hn::Add(hn::Add(hn::And(a0, nibble), hn::And(a1, nibble)),
                             hn::Add(hn::And(a2, nibble), hn::And(a3, nibble)));
    const auto hi4 = hn::Add(hn::Add(hn::ShiftRight<4>(a0), hn::ShiftRight<4>(a1)),
                             hn::Add(hn::ShiftRight<4>(a2), hn::ShiftRight<4>(a3)));
    low = hn::Add(low, hn::SumsOf8(lo4));
    high = hn::Add(high, hn::SumsOf8(hi4));
  }
  return FinishTally(d, d64, vmax, low, high, s, i, n, p, out);
}

// Any scale: compare and subtract into byte counters.
bool TallyCompare(const std::uint8_t* HWY_RESTRICT s, std::size_t n, const scale_params& p,
                  std::uint64_t* HWY_RESTRICT out) {
  const hn::ScalableTag<std::uint8_t> d;
  const hn::Repartition<std::uint64_t, decltype(d)> d64;
  const std::size_t N = hn::Lanes(d);
  const unsigned low_bin = p.low_max - p.lo;    // <= 254
  const unsigned high_bin = p.high_min - p.lo;  // >= 1
  const auto below_low = hn::Set(d, static_cast<std::uint8_t>(low_bin + 1));  // bin <= low_bin
  const auto above_high = hn::Set(d, static_cast<std::uint8_t>(high_bin - 1));  // bin >= high_bin
  const auto offset = hn::Set(d, p.lo);
  auto vmax = hn::Zero(d);
  auto low = hn::Zero(d64);
  auto high = hn::Zero(d64);

  std::size_t i = 0;
  while (i + N <= n) {
    const std::size_t iters = std::min<std::size_t>(255, (n - i) / N);
    auto cl = hn::Zero(d);
    auto ch = hn::Zero(d);
    for (std::size_t k = 0; k < iters; ++k, i += N) {
      PrefetchAhead(s + i);
      const auto v = hn::Sub(hn::LoadU(d, s + i), offset);
      vmax = hn::Max(vmax, v);
      cl = hn::Sub(cl, hn::VecFromMask(d, hn::Lt(v, below_low)));
      ch = hn::Sub(ch, hn::VecFromMask(d, hn::Gt(v, above_high)));
    }
    low = hn::Add(low, hn::SumsOf8(cl));
    high = hn::Add(high, hn::SumsOf8(ch));
  }
  return FinishTally(d, d64, vmax, low, high, s, i, n, p, out);
}

bool Tally(const std::uint8_t* HWY_RESTRICT s, std::size_t n, const scale_params& p,
           std::uint64_t* HWY_RESTRICT out) {
#if HWY_TARGET == HWY_SCALAR
  // One-lane vectors cannot hold a 16-byte table.
  return TallyCompare(s, n, p, out);
#endif
  if (p.npoints > 16) return TallyCompare(s, n, p, out);
  return p.lo == 0 ? TallyTable<false>(s, n, p, out) : TallyTable<true>(s, n, p, out);
}

// ------------------------------------------------------------------ histogram

// J = points / 2 shuffle tables, one per pair of bins (2j -> code 1,
// 2j + 1 -> code 16); with an odd number of points the last bin is n minus the rest.
template <std::size_t J, bool kOffset>
bool HistTable(const std::uint8_t* HWY_RESTRICT s, std::size_t n, const scale_params& p,
               std::uint64_t* HWY_RESTRICT out) {
  const hn::ScalableTag<std::uint8_t> d;
  const hn::Repartition<std::uint64_t, decltype(d)> d64;
  using V = hn::Vec<decltype(d)>;
  using V64 = hn::Vec<decltype(d64)>;
  const std::size_t N = hn::Lanes(d);

  alignas(16) std::uint8_t codes[J][16] = {};
  for (unsigned b = 0; b < p.npoints && b < 2 * J; ++b) codes[b / 2][b] = (b % 2 == 0) ? 1 : 16;
  V tables[J];
  V64 even[J];
  V64 odd[J];
  for (std::size_t j = 0; j < J; ++j) {
    tables[j] = hn::LoadDup128(d, codes[j]);
    even[j] = hn::Zero(d64);
    odd[j] = hn::Zero(d64);
  }
  const auto nibble = hn::Set(d, std::uint8_t{0x0F});
  const auto offset = hn::Set(d, p.lo);
  auto vmax = hn::Zero(d);

  std::size_t i = 0;
  while (i + N <= n) {
    const std::size_t iters = std::min<std::size_t>(15, (n - i) / N);
    V acc[J];
    for (std::size_t j = 0; j < J; ++j) acc[j] = hn::Zero(d);
    for (std::size_t k = 0; k < iters; ++k, i += N) {
      PrefetchAhead(s + i);
      auto v = InRegister(hn::LoadU(d, s + i));
      if constexpr (kOffset) v = hn::Sub(v, offset);
      vmax = hn::Max(vmax, v);
      for (std::size_t j = 0; j < J; ++j) acc[j] = hn::Add(acc[j], hn::TableLookupBytes(tables[j], v));
    }
    for (std::size_t j = 0; j < J; ++j) {
      even[j] = hn::Add(even[j], hn::SumsOf8(hn::And(acc[j], nibble)));
      odd[j] = hn::Add(odd[j], hn::SumsOf8(hn::ShiftRight<4>(acc[j])));
    }
  }
  unsigned top = MaxLane(d, vmax);
  std::uint64_t counts[2 * J + 2] = {};
  for (std::size_t j = 0; j < J; ++j) {
    counts[2 * j] = SumLanes(d64, even[j]);
    counts[2 * j + 1] = SumLanes(d64, odd[j]);
  }
  for (; i < n; ++i) {
    const unsigned bin = static_cast<std::uint8_t>(s[i] - p.lo);
    top = std::max(top, bin);
    if (bin < 2 * J) ++counts[bin];
  }
  // An odd number of points leaves the last one without a table: once every
  // score is known to be on the scale, it holds the rest.
  std::uint64_t counted = 0;
  for (unsigned b = 0; b < 2 * J; ++b) {
    counted += counts[b];
    out[b] += counts[b];
  }
  if (p.npoints > 2 * J) out[2 * J] += n - counted;
  return top < p.npoints;
}

template <bool kOffset>
bool HistPoints(const std::uint8_t* s, std::size_t n, const scale_params& p, std::uint64_t* out) {
  switch (p.npoints / 2) {
    case 1: return HistTable<1, kOffset>(s, n, p, out);
    case 2: return HistTable<2, kOffset>(s, n, p, out);
    case 3: return HistTable<3, kOffset>(s, n, p, out);
    case 4: return HistTable<4, kOffset>(s, n, p, out);
    case 5: return HistTable<5, kOffset>(s, n, p, out);
    case 6: return HistTable<6, kOffset>(s, n, p, out);
    case 7: return HistTable<7, kOffset>(s, n, p, out);
    default: return HistTable<8, kOffset>(s, n, p, out);
  }
}

// Plain counting loop for the one-lane HWY_SCALAR target.
bool HistLoop(const std::uint8_t* HWY_RESTRICT s, std::size_t n, const scale_params& p,
              std::uint64_t* HWY_RESTRICT out) {
  std::uint64_t counts[256] = {};
  for (std::size_t i = 0; i < n; ++i) ++counts[static_cast<std::uint8_t>(s[i] - p.lo)];
  bool ok = true;
  for (unsigned b = 0; b < 256; ++b) {
    if (b < p.npoints) {
      out[b] += counts[b];
    } else {
      ok &= counts[b] == 0;
    }
  }
  return ok;
}

bool Hist(const std::uint8_t* HWY_RESTRICT s, std::size_t n, const scale_params& p,
          std::uint64_t* HWY_RESTRICT out) {
#if HWY_TARGET == HWY_SCALAR
  return HistLoop(s, n, p, out);
#endif
  return p.lo == 0 ? HistPoints<false>(s, n, p, out) : HistPoints<true>(s, n, p, out);
}

// ------------------------------------------------------------------ weighted tally

template <class DD>
HWY_INLINE hn::Vec<DD> LoadWeights(DD dd, const float* HWY_RESTRICT w) {
  const hn::Rebind<float, DD> df;
  return hn::PromoteTo(dd, hn::LoadU(df, w));
}
template <class DD>
HWY_INLINE hn::Vec<DD> LoadWeights(DD dd, const double* HWY_RESTRICT w) {
  return hn::LoadU(dd, w);
}

// Σw and Σw² of one block in the fixed order; false when a weight is outside
// 0 and min_weight .. max_weight (core/counts.hpp: a running minimum of the
// nonzero weights and a running maximum; NaN shows up as a non-finite sum,
// checked by the caller).
//
// The 16 lanes of 3 groups × (Σw, Σw²) are 96 doubles: 12 AVX-512 registers,
// but 24 AVX2 or 48 SSE ones, more than there are. Narrower targets therefore
// make one pass over the block (it is in L1) per vector of lanes, so the six
// accumulators of a pass stay in registers; every row is still read once.
template <class TW>
bool BlockSums(const std::uint8_t* HWY_RESTRICT s, const TW* HWY_RESTRICT w, std::size_t m, const scale_params& p,
               tally_block& out) {
  const hn::ScalableTag<double> dd;
  const hn::Rebind<std::int32_t, decltype(dd)> di;
  const hn::Rebind<std::uint8_t, decltype(dd)> d8;
  using VD = hn::Vec<decltype(dd)>;
  constexpr std::size_t N = hn::MaxLanes(dd);
  static_assert(kSumLanes % N == 0, "a vector must cover whole sum lanes");
  constexpr std::size_t K = kSumLanes / N;                // vectors per 16 rows
  constexpr std::size_t kPerPass = N >= 8 ? K : 1;         // vectors summed per pass
  constexpr std::size_t kPasses = K / kPerPass;

  const VD low_max = hn::Set(dd, p.low_max);
  const VD high_min = hn::Set(dd, p.high_min);
  const std::size_t whole = m / kSumLanes * kSumLanes;
  alignas(64) double lw[3][kSumLanes];
  alignas(64) double lw2[3][kSumLanes];
  bool ok = true;

  for (std::size_t pass = 0; pass < kPasses; ++pass) {
    VD sw[3][kPerPass];
    VD sw2[3][kPerPass];
    for (std::size_t g = 0; g < 3; ++g) {
      for (std::size_t k = 0; k < kPerPass; ++k) {
        sw[g][k] = hn::Zero(dd);
        sw2[g][k] = hn::Zero(dd);
      }
    }
    const VD one = hn::Set(dd, 1.0);
    VD vmin = one;  // smallest nonzero weight (1 while there is none)
    VD vmax = hn::Zero(dd);
    for (std::size_t i = 0; i < whole; i += kSumLanes) {
      if (pass == 0) {
        // Bring in the next block while this one is summed: the lines of
        // weights this step covers (one of floats, two of doubles) and one
        // line of scores every fourth step, one block ahead.
        PrefetchAhead(w + i, kBlockRows * sizeof(TW));
        if constexpr (sizeof(TW) == 8) PrefetchAhead(w + i + 8, kBlockRows * sizeof(TW));
        if (i % (4 * kSumLanes) == 0) PrefetchAhead(s + i, kBlockRows);
      }
#if HWY_TARGET <= HWY_AVX3 && !HWY_COMPILER_CLANG
      // AVX-512 masks are bit masks: compare the 16 score bytes once and hand
      // each half of the bits to the double lanes (no conversion of the scores).
      static_assert(K == 2 && kPasses == 1, "AVX-512 holds 8 doubles");
      const __m128i scores = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
      const __mmask16 low_bits = _mm_cmplt_epu8_mask(scores, _mm_set1_epi8(static_cast<char>(p.low_max + 1)));
      const __mmask16 high_bits = _mm_cmpgt_epu8_mask(scores, _mm_set1_epi8(static_cast<char>(p.high_min - 1)));
      const __mmask16 mid_bits = _knot_mask16(_kor_mask16(low_bits, high_bits));
      // Shifts stay in mask registers (a shift of the bits as an integer makes
      // clang spill the mask through memory).
      const __mmask16 low_half[2] = {low_bits, _kshiftri_mask16(low_bits, 8)};
      const __mmask16 mid_half[2] = {mid_bits, _kshiftri_mask16(mid_bits, 8)};
      const __mmask16 high_half[2] = {high_bits, _kshiftri_mask16(high_bits, 8)};
      for (std::size_t k = 0; k < kPerPass; ++k) {
        const hn::Mask512<double> is_low{static_cast<__mmask8>(low_half[k])};
        const hn::Mask512<double> is_mid{static_cast<__mmask8>(mid_half[k])};
        const hn::Mask512<double> is_high{static_cast<__mmask8>(high_half[k])};
        const std::size_t at = i + k * N;
#else
      for (std::size_t k = 0; k < kPerPass; ++k) {
        const std::size_t at = i + (pass * kPerPass + k) * N;
        const VD score = hn::PromoteTo(dd, hn::PromoteTo(di, hn::LoadU(d8, s + at)));
        const auto is_low = hn::Le(score, low_max);
        const auto is_high = hn::Ge(score, high_min);
        const auto is_mid = hn::Not(hn::Or(is_low, is_high));
#endif
        const VD x = LoadWeights(dd, w + at);
        const VD x2 = hn::Mul(x, x);
        vmin = hn::Min(vmin, hn::IfThenElse(hn::Eq(x, hn::Zero(dd)), one, x));
        vmax = hn::Max(vmax, x);
#if HWY_TARGET <= HWY_AVX3
        // Masked adds (one instruction each).
        sw[0][k] = hn::IfThenElse(is_low, hn::Add(sw[0][k], x), sw[0][k]);
        sw2[0][k] = hn::IfThenElse(is_low, hn::Add(sw2[0][k], x2), sw2[0][k]);
        sw[1][k] = hn::IfThenElse(is_mid, hn::Add(sw[1][k], x), sw[1][k]);
        sw2[1][k] = hn::IfThenElse(is_mid, hn::Add(sw2[1][k], x2), sw2[1][k]);
        sw[2][k] = hn::IfThenElse(is_high, hn::Add(sw[2][k], x), sw[2][k]);
        sw2[2][k] = hn::IfThenElse(is_high, hn::Add(sw2[2][k], x2), sw2[2][k]);
#else
        // Vector masks: add x AND mask, i.e. x or +0.0. Adding +0.0 leaves a
        // sum that is never -0.0 unchanged, so this equals the masked add.
        sw[0][k] = hn::Add(sw[0][k], hn::IfThenElseZero(is_low, x));
        sw2[0][k] = hn::Add(sw2[0][k], hn::IfThenElseZero(is_low, x2));
        sw[1][k] = hn::Add(sw[1][k], hn::IfThenElseZero(is_mid, x));
        sw2[1][k] = hn::Add(sw2[1][k], hn::IfThenElseZero(is_mid, x2));
        sw[2][k] = hn::Add(sw[2][k], hn::IfThenElseZero(is_high, x));
        sw2[2][k] = hn::Add(sw2[2][k], hn::IfThenElseZero(is_high, x2));
#endif
      }
    }
    for (std::size_t g = 0; g < 3; ++g) {
      for (std::size_t k = 0; k < kPerPass; ++k) {
        hn::Store(sw[g][k], dd, &lw[g][(pass * kPerPass + k) * N]);
        hn::Store(sw2[g][k], dd, &lw2[g][(pass * kPerPass + k) * N]);
      }
    }
    ok &= hn::AllFalse(dd, hn::Lt(vmin, hn::Set(dd, min_weight)));
    ok &= hn::AllFalse(dd, hn::Gt(vmax, hn::Set(dd, max_weight)));
  }
  for (std::size_t i = whole; i < m; ++i) {
    const unsigned g = s[i] <= p.low_max ? 0u : (s[i] >= p.high_min ? 2u : 1u);
    const double x = static_cast<double>(w[i]);
    ok &= (x >= min_weight && x <= max_weight) || x == 0.0;
    lw[g][i % kSumLanes] += x;
    lw2[g][i % kSumLanes] += x * x;
  }
  for (std::size_t g = 0; g < 3; ++g) {
    out.w[g] = pairwise_sum16(lw[g]);
    out.w2[g] = pairwise_sum16(lw2[g]);
  }
  return ok;
}

template <class TW>
bool WeightedTally(const std::uint8_t* HWY_RESTRICT s, const TW* HWY_RESTRICT w, std::size_t n, const scale_params& p,
                   tally_block* HWY_RESTRICT out) {
  bool ok = true;
  for (std::size_t start = 0, b = 0; start < n; start += kBlockRows, ++b) {
    const std::size_t m = std::min(kBlockRows, n - start);
    tally_block& tb = out[b];
    std::uint64_t counts[3] = {0, 0, 0};
    ok &= Tally(s + start, m, p, counts);
    ok &= BlockSums(s + start, w + start, m, p, tb);
    for (std::size_t g = 0; g < 3; ++g) {
      tb.n[g] = counts[g];
      ok &= std::isfinite(tb.w[g]) && std::isfinite(tb.w2[g]);
    }
  }
  return ok;
}

bool WeightedTallyF32(const std::uint8_t* s, const float* w, std::size_t n, const scale_params& p, tally_block* out) {
  return WeightedTally(s, w, n, p, out);
}
bool WeightedTallyF64(const std::uint8_t* s, const double* w, std::size_t n, const scale_params& p,
                      tally_block* out) {
  return WeightedTally(s, w, n, p, out);
}

// ------------------------------------------------------------------ read ceiling

std::uint64_t SumBytes(const std::uint8_t* HWY_RESTRICT s, std::size_t n) {
  const hn::ScalableTag<std::uint8_t> d;
  const hn::Repartition<std::uint64_t, decltype(d)> d64;
  const std::size_t N = hn::Lanes(d);
  auto a0 = hn::Zero(d64);
  auto a1 = hn::Zero(d64);
  auto a2 = hn::Zero(d64);
  auto a3 = hn::Zero(d64);
  std::size_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    PrefetchSpan(s + i, 4 * N);
    a0 = hn::Add(a0, hn::SumsOf8(hn::LoadU(d, s + i)));
    a1 = hn::Add(a1, hn::SumsOf8(hn::LoadU(d, s + i + N)));
    a2 = hn::Add(a2, hn::SumsOf8(hn::LoadU(d, s + i + 2 * N)));
    a3 = hn::Add(a3, hn::SumsOf8(hn::LoadU(d, s + i + 3 * N)));
  }
  for (; i + N <= n; i += N) a0 = hn::Add(a0, hn::SumsOf8(hn::LoadU(d, s + i)));
  std::uint64_t total = SumLanes(d64, hn::Add(hn::Add(a0, a1), hn::Add(a2, a3)));
  for (; i < n; ++i) total += s[i];
  return total;
}

kernel_table Table() {
  kernel_table t;
  t.tally = &Tally;
  t.hist = &Hist;
  t.wtally_f32 = &WeightedTallyF32;
  t.wtally_f64 = &WeightedTallyF64;
  t.sum = &SumBytes;
  return t;
}

}  // namespace HWY_NAMESPACE
}  // namespace cxm::engine::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "engine/dispatch.hpp"

namespace cxm::inline v0_1::engine::detail {

std::vector<compiled_level> compiled_levels() {
  std::vector<compiled_level> out;
#define CXMETRICS_ADD_LEVEL(level, target, ns) out.push_back({level, ns::Table()});
  CXMETRICS_FOR_EACH_LEVEL(CXMETRICS_ADD_LEVEL)
#undef CXMETRICS_ADD_LEVEL
  for (auto& l : out) l.kernels.grouped = grouped_kernels_for(l.level);
  return out;
}

}  // namespace cxm::engine::detail
#endif  // HWY_ONCE
