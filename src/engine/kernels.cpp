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
// * grouped tally: tiles of rows; SIMD code computes one counter index per row
//   (16-bit lanes when the table is small), scalar code increments and, in
//   between, prefetches the input of the tile after next.
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

HWY_BEFORE_NAMESPACE();
namespace cxm::engine::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Largest lane of a u8 vector (once per call, so a plain loop is fine).
template <class D>
HWY_INLINE unsigned MaxLane(D d, hn::Vec<D> v) {
  alignas(64) std::uint8_t lanes[hn::MaxLanes(d)];
  hn::StoreU(v, d, lanes);
  unsigned m = 0;
  for (std::size_t i = 0; i < hn::Lanes(d); ++i) m = std::max<unsigned>(m, lanes[i]);
  return m;
}

// Software prefetch distance. The hardware prefetchers alone leave a single
// core at about two thirds of the bandwidth it reaches when every loop also
// asks for the line 4 KiB ahead (measured on AVX-512 Xeon, L2 to DRAM).
// Prefetching past the end of an array is harmless (prefetches never fault);
// the address is computed on integers so no out-of-range pointer is formed.
constexpr std::size_t kAheadBytes = 4096;
constexpr std::size_t kLineBytes = 64;

template <class T>
HWY_INLINE void PrefetchAhead(const T* p, std::size_t ahead = kAheadBytes) {
  hwy::Prefetch(reinterpret_cast<const std::uint8_t*>(reinterpret_cast<std::uintptr_t>(p) + ahead));
}

// Prefetches every line of `bytes` bytes starting kAheadBytes past `p`.
template <class T>
HWY_INLINE void PrefetchSpan(const T* p, std::size_t bytes) {
  for (std::size_t b = 0; b < bytes; b += kLineBytes) PrefetchAhead(reinterpret_cast<const std::uint8_t*>(p) + b);
}

// Keeps a loaded vector in a register. Without it GCC folds the load into
// every instruction that uses the vector (max, shuffle, ...), so the same
// cache line is loaded several times; at L2 speed that costs about a fifth of
// the throughput. No code is emitted.
template <class V>
HWY_INLINE V InRegister(V v) {
#if HWY_ARCH_X86 && HWY_TARGET != HWY_SCALAR && HWY_TARGET != HWY_EMU128 && (HWY_COMPILER_GCC || HWY_COMPILER_CLANG)
#if HWY_TARGET <= HWY_AVX3
  asm("" : "+v"(v.raw));
#else
  asm("" : "+x"(v.raw));
#endif
#endif
  return v;
}

template <class D>
HWY_INLINE std::uint64_t SumLanes(D d, hn::Vec<D> v) {
  return hn::GetLane(hn::SumOfLanes(d, v));
}

// Group of a bin: 0 low, 1 middle, 2 high.
HWY_INLINE unsigned GroupOf(unsigned bin, unsigned low_bin, unsigned high_bin) {
  return bin <= low_bin ? 0u : (bin >= high_bin ? 2u : 1u);
}

// ------------------------------------------------------------------ tally

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

// ------------------------------------------------------------------ grouped tally

// Rows per tile of the grouped kernels (see FusedTiles).
constexpr std::size_t kTile = 256;

// idx[i] = group of s[i] + (i mod copies) * copy_stride; returns the largest bin.
template <class TI>
unsigned ScorePass(const std::uint8_t* HWY_RESTRICT s, std::size_t n, const scale_params& p, std::uint32_t copies,
                   std::uint32_t copy_stride, TI* HWY_RESTRICT idx) {
  const hn::ScalableTag<TI> du;
  const hn::Rebind<std::uint8_t, decltype(du)> d8;
  const std::size_t N = hn::Lanes(du);
  const unsigned low_bin = p.low_max - p.lo;
  const unsigned high_bin = p.high_min - p.lo;
  const auto below_low = hn::Set(du, static_cast<TI>(low_bin + 1));
  const auto above_high = hn::Set(du, static_cast<TI>(high_bin - 1));
  const auto one = hn::Set(du, TI{1});
  const auto offset = hn::Set(d8, p.lo);
  // Lane l of every vector starts at a row = l (mod 4) because N is a multiple of 4.
  const auto copy_offsets = copies == 4 ? hn::Mul(hn::And(hn::Iota(du, 0), hn::Set(du, TI{3})),
                                                  hn::Set(du, static_cast<TI>(copy_stride)))
                                        : hn::Zero(du);
  auto vmax = hn::Zero(d8);
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    const auto bin8 = hn::Sub(hn::LoadU(d8, s + i), offset);
    vmax = hn::Max(vmax, bin8);
    const auto bin = hn::PromoteTo(du, bin8);
    const auto g = hn::Add(hn::IfThenZeroElse(hn::Lt(bin, below_low), one),
                           hn::IfThenElseZero(hn::Gt(bin, above_high), one));
    hn::StoreU(hn::Add(g, copy_offsets), du, idx + i);
  }
  unsigned top = MaxLane(d8, vmax);
  for (; i < n; ++i) {
    const unsigned bin = static_cast<std::uint8_t>(s[i] - p.lo);
    top = std::max(top, bin);
    idx[i] = static_cast<TI>(GroupOf(bin, low_bin, high_bin) + (i % copies) * copy_stride);
  }
  return top;
}

// idx[i] += key[i] * stride; returns the largest key.
template <class TI, class TK>
std::uint32_t KeyPass(const TK* HWY_RESTRICT key, std::size_t n, std::uint32_t stride, TI* HWY_RESTRICT idx) {
  const hn::ScalableTag<TI> du;
  const hn::Rebind<TK, decltype(du)> dk;
  const std::size_t N = hn::Lanes(du);
  const auto vstride = hn::Set(du, static_cast<TI>(stride));
  auto vmax = hn::Zero(du);
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    hn::Vec<decltype(du)> k;
    if constexpr (sizeof(TK) == sizeof(TI)) {
      k = hn::LoadU(du, key + i);
    } else {
      k = hn::PromoteTo(du, hn::LoadU(dk, key + i));
    }
    vmax = hn::Max(vmax, k);
    hn::StoreU(hn::Add(hn::LoadU(du, idx + i), hn::Mul(k, vstride)), du, idx + i);
  }
  std::uint32_t top = static_cast<std::uint32_t>(hn::GetLane(hn::MaxOfLanes(du, vmax)));
  for (; i < n; ++i) {
    top = std::max<std::uint32_t>(top, key[i]);
    idx[i] = static_cast<TI>(idx[i] + static_cast<TI>(key[i]) * static_cast<TI>(stride));
  }
  return top;
}

template <class TI>
std::uint32_t KeyPassAny(const key_view& k, std::size_t begin, std::size_t n, TI* idx) {
  switch (k.width) {
    case 1: return KeyPass(static_cast<const std::uint8_t*>(k.data) + begin, n, k.stride, idx);
    case 2: return KeyPass(static_cast<const std::uint16_t*>(k.data) + begin, n, k.stride, idx);
    default:
      if constexpr (sizeof(TI) == 4) {
        return KeyPass(static_cast<const std::uint32_t*>(k.data) + begin, n, k.stride, idx);
      } else {
        return ~std::uint32_t{0};  // the driver never asks for 16-bit lanes with 32-bit keys
      }
  }
}

template <class TI>
bool GroupedTiles(const std::uint8_t* HWY_RESTRICT s, const key_view* keys, std::size_t nkeys, std::size_t begin,
                  std::size_t n, const scale_params& p, std::uint32_t copies, std::uint32_t copy_stride,
                  std::uint32_t* HWY_RESTRICT counters) {
  alignas(64) TI idx[kTile];
  for (std::size_t t = 0; t < n; t += kTile) {
    const std::size_t m = std::min(kTile, n - t);
    const std::size_t row = begin + t;
    if (ScorePass(s + row, m, p, copies, copy_stride, idx) >= p.npoints) return false;
    for (std::size_t j = 0; j < nkeys; ++j) {
      if (KeyPassAny(keys[j], row, m, idx) >= keys[j].limit) return false;
    }
    std::size_t i = 0;
    for (; i + 4 <= m; i += 4) {
      ++counters[idx[i]];
      ++counters[idx[i + 1]];
      ++counters[idx[i + 2]];
      ++counters[idx[i + 3]];
    }
    for (; i < m; ++i) ++counters[idx[i]];
  }
  return true;
}

// A key column as the fused kernel reads it: base address and log2 of its width.
struct key_stream {
  const std::uint8_t* data;
  unsigned shift;  // 0, 1 or 2
};

// The keys of rows [row, row + Lanes(du)) widened to the index type. A
// 32-bit column only reaches here with 32-bit lanes (see grouped_fn).
template <class D>
HWY_INLINE hn::Vec<D> LoadKey(D du, const key_stream& k, std::size_t row) {
  using TI = hn::TFromD<D>;
  const std::uint8_t* p = k.data + (row << k.shift);
  if (k.shift == 0) {
    const hn::Rebind<std::uint8_t, decltype(du)> d8;
    return hn::PromoteTo(du, hn::LoadU(d8, p));
  }
  if constexpr (sizeof(TI) == 2) {
    return hn::LoadU(du, reinterpret_cast<const std::uint16_t*>(p));
  } else {
    if (k.shift == 1) {
      const hn::Rebind<std::uint16_t, decltype(du)> d16;
      return hn::PromoteTo(du, hn::LoadU(d16, reinterpret_cast<const std::uint16_t*>(p)));
    }
    return hn::LoadU(du, reinterpret_cast<const std::uint32_t*>(p));
  }
}

// Group codes of the bins of a scale of at most 16 points (0 low, 1 middle,
// 2 high), as a byte table for TableLookupBytes.
HWY_INLINE void GroupCodes(const scale_params& p, std::uint8_t* codes) {
  for (unsigned b = 0; b < 16; ++b) {
    codes[b] = static_cast<std::uint8_t>(b < p.npoints ? GroupOf(b, p.low_max - p.lo, p.high_min - p.lo) : 0);
  }
}

// Rows the grouped kernel prefetches ahead in every column (2 KiB of scores,
// 4 KiB of 16-bit keys). Measured on AVX-512 with 8 × 36 cells: 1024 to 2048
// rows are best; 4096 and more fall back.
constexpr std::size_t kGroupedAheadRows = 2048;

// One pass per tile for up to three key columns: the index of a row is built
// in registers (group, copy and every key) and stored once; then scalar code
// increments the counters of the tile. Tiles are small (kTile rows) so that
// the loads of one tile and the increments of the previous one overlap in the
// out-of-order window; every column is prefetched kGroupedAheadRows ahead.
// With kTable the group of a score is one byte shuffle (scales of <= 16
// points), otherwise two compares.
template <class TI, std::size_t NK, bool kTable>
bool FusedTiles(const std::uint8_t* HWY_RESTRICT s, const key_view* keys, std::size_t begin, std::size_t n,
                const scale_params& p, std::uint32_t copies, std::uint32_t copy_stride,
                std::uint32_t* HWY_RESTRICT counters) {
  const hn::ScalableTag<TI> du;
  const hn::Rebind<std::uint8_t, decltype(du)> d8;
  using V = hn::Vec<decltype(du)>;
  const std::size_t N = hn::Lanes(du);
  const unsigned low_bin = p.low_max - p.lo;
  const unsigned high_bin = p.high_min - p.lo;
  const auto offset = hn::Set(d8, p.lo);
  const auto last_bin = hn::Set(d8, static_cast<std::uint8_t>(p.npoints - 1));
  // Lane l of every vector holds a row = l (mod 4) because N is a multiple of 4.
  const V copy_offsets = copies == 4 ? hn::Mul(hn::And(hn::Iota(du, 0), hn::Set(du, TI{3})),
                                               hn::Set(du, static_cast<TI>(copy_stride)))
                                     : hn::Zero(du);
#if HWY_TARGET != HWY_SCALAR
  // The table must span 16 bytes even where the score vector is shorter.
  using DT = std::conditional_t<(hn::MaxLanes(d8) >= 16), decltype(d8), hn::Full128<std::uint8_t>>;
  alignas(16) std::uint8_t codes[16];
  GroupCodes(p, codes);
  const auto table = hn::LoadDup128(DT(), codes);
#else
  static_assert(!kTable, "one-lane vectors cannot hold a table");
#endif
  const V low_v = hn::Set(du, static_cast<TI>(low_bin));
  const V high_m1 = hn::Set(du, static_cast<TI>(high_bin - 1));
  V strides[NK];
  V limits[NK];
  key_stream streams[NK];
  for (std::size_t j = 0; j < NK; ++j) {
    strides[j] = hn::Set(du, static_cast<TI>(keys[j].stride));
    limits[j] = hn::Set(du, static_cast<TI>(keys[j].limit - 1));
    streams[j].data = static_cast<const std::uint8_t*>(keys[j].data);
    streams[j].shift = keys[j].width == 1 ? 0u : (keys[j].width == 2 ? 1u : 2u);
  }

  alignas(64) TI idx[kTile];
  for (std::size_t t = 0; t < n; t += kTile) {
    const std::size_t m = std::min(kTile, n - t);
    const std::size_t row = begin + t;
    auto vmax = hn::Zero(d8);
    V kmax[NK];
    for (std::size_t j = 0; j < NK; ++j) kmax[j] = hn::Zero(du);
    std::size_t i = 0;
    for (; i + N <= m; i += N) {
      const std::size_t r = row + i;
      // A step reads at most one vector (<= 64 bytes) of each column.
      PrefetchAhead(s + r, kGroupedAheadRows);
      for (std::size_t j = 0; j < NK; ++j) {
        PrefetchAhead(streams[j].data + (r << streams[j].shift), kGroupedAheadRows << streams[j].shift);
      }
      const auto bin8 = hn::Sub(hn::LoadU(d8, s + r), offset);
      vmax = hn::Max(vmax, bin8);
      V x;
#if HWY_TARGET != HWY_SCALAR
      if constexpr (kTable) {
        x = hn::Add(hn::PromoteTo(du, hn::TableLookupBytes(table, bin8)), copy_offsets);
      } else
#endif
      {
        // Masks are all ones (-1): subtracting one adds 1 to the group.
        const V bin = hn::PromoteTo(du, bin8);
        x = hn::Sub(hn::Sub(copy_offsets, hn::VecFromMask(du, hn::Gt(bin, low_v))),
                    hn::VecFromMask(du, hn::Gt(bin, high_m1)));
      }
      for (std::size_t j = 0; j < NK; ++j) {
        const V k = LoadKey(du, streams[j], r);
        kmax[j] = hn::Max(kmax[j], k);
        x = hn::Add(x, hn::Mul(k, strides[j]));
      }
      hn::StoreU(x, du, idx + i);
    }
    // Check the tile before any counter is touched: a bad key could point
    // outside the counters.
    bool ok = hn::AllFalse(d8, hn::Gt(vmax, last_bin));
    for (std::size_t j = 0; j < NK; ++j) ok &= hn::AllFalse(du, hn::Gt(kmax[j], limits[j]));
    for (; i < m; ++i) {
      const unsigned bin = static_cast<std::uint8_t>(s[row + i] - p.lo);
      ok &= bin < p.npoints;
      std::uint32_t x = GroupOf(bin, low_bin, high_bin) + (i % copies) * copy_stride;
      for (std::size_t j = 0; j < NK; ++j) {
        const std::uint32_t k = keys[j].width == 1   ? static_cast<const std::uint8_t*>(keys[j].data)[row + i]
                                : keys[j].width == 2 ? static_cast<const std::uint16_t*>(keys[j].data)[row + i]
                                                     : static_cast<const std::uint32_t*>(keys[j].data)[row + i];
        ok &= k < keys[j].limit;
        x += k * keys[j].stride;
      }
      idx[i] = static_cast<TI>(x);
    }
    if (!ok) return false;
    i = 0;
    for (; i + 4 <= m; i += 4) {
      ++counters[idx[i]];
      ++counters[idx[i + 1]];
      ++counters[idx[i + 2]];
      ++counters[idx[i + 3]];
    }
    for (; i < m; ++i) ++counters[idx[i]];
  }
  return true;
}

template <class TI, bool kTable>
bool FusedAny(const std::uint8_t* s, const key_view* keys, std::size_t nkeys, std::size_t begin, std::size_t n,
              const scale_params& p, std::uint32_t copies, std::uint32_t copy_stride, std::uint32_t* counters) {
  switch (nkeys) {
    case 1: return FusedTiles<TI, 1, kTable>(s, keys, begin, n, p, copies, copy_stride, counters);
    case 2: return FusedTiles<TI, 2, kTable>(s, keys, begin, n, p, copies, copy_stride, counters);
    default: return FusedTiles<TI, 3, kTable>(s, keys, begin, n, p, copies, copy_stride, counters);
  }
}

template <class TI>
bool AnyTiles(const std::uint8_t* s, const key_view* keys, std::size_t nkeys, std::size_t begin, std::size_t n,
              const scale_params& p, std::uint32_t copies, std::uint32_t copy_stride, std::uint32_t* counters) {
  if (nkeys > 3) return GroupedTiles<TI>(s, keys, nkeys, begin, n, p, copies, copy_stride, counters);
#if HWY_TARGET != HWY_SCALAR
  if (p.npoints <= 16) return FusedAny<TI, true>(s, keys, nkeys, begin, n, p, copies, copy_stride, counters);
#endif
  return FusedAny<TI, false>(s, keys, nkeys, begin, n, p, copies, copy_stride, counters);
}

bool Grouped(const std::uint8_t* s, const key_view* keys, std::size_t nkeys, std::size_t begin, std::size_t n,
             const scale_params& p, std::uint32_t copies, std::uint32_t copy_stride, bool narrow,
             std::uint32_t* scratch, std::uint64_t* out) {
  const bool ok = narrow ? AnyTiles<std::uint16_t>(s, keys, nkeys, begin, n, p, copies, copy_stride, scratch)
                         : AnyTiles<std::uint32_t>(s, keys, nkeys, begin, n, p, copies, copy_stride, scratch);
  for (std::uint32_t c = 0; c < copies; ++c) {
    std::uint32_t* part = scratch + static_cast<std::size_t>(c) * copy_stride;
    for (std::uint32_t j = 0; j < copy_stride; ++j) out[j] += part[j];
  }
  std::memset(scratch, 0, sizeof(std::uint32_t) * copies * copy_stride);
  return ok;
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
  t.grouped = &Grouped;
  t.sum = &SumBytes;
  return t;
}

}  // namespace HWY_NAMESPACE
}  // namespace cxm::engine::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "engine/dispatch.hpp"

namespace cxm::engine::detail {

std::vector<compiled_level> compiled_levels() {
  std::vector<compiled_level> out;
#define CXMETRICS_ADD_LEVEL(level, target, ns) out.push_back({level, ns::Table()});
  CXMETRICS_FOR_EACH_LEVEL(CXMETRICS_ADD_LEVEL)
#undef CXMETRICS_ADD_LEVEL
  return out;
}

}  // namespace cxm::engine::detail
#endif  // HWY_ONCE
