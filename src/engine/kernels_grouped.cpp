// SIMD kernels of grouped counting (kernels.hpp: grouped_fn and
// grouped_index_fn), compiled once per instruction-set level like
// kernels.cpp; the HWY_ONCE part at the end hands each level's pair to
// kernels.cpp's table.
//
// A row's counter index is cell · width + code (+ copy · copy_stride). Per
// tile of kTile rows, SIMD code builds the indices in registers from the
// score and every key column and stores them once; then scalar code
// increments the counters of the tile (grouped_fn) or the indices are handed
// to the driver (grouped_index_fn, for weighted sums that it adds in row
// order). Tiles are small so that the loads of one tile and the increments of
// the previous one overlap in the out-of-order window; every column is
// prefetched kGroupedAheadRows ahead. Up to three key columns take one fused
// pass (FusedTiles); more take one pass per column (GroupedTiles).
//
// Codes. tally: the group of the score (0 low, 1 middle, 2 high), by one byte
// shuffle per vector on scales of <= 16 points, else by two compares. bins:
// the bin itself (score - lo), and npoints for missing_score.
//
// Time keys (key_view::width 8). Per tile, each time's local day is computed
// in double (see TimeTile: exact over the range of response times) and its
// key gathered from the day table; a time outside the table makes the tile
// bad. The portable levels emulate the gather lane by lane.
//
// Checks. Every tile is checked (scores on the scale, keys below their
// cardinality, times inside the table) before any counter is touched: a bad
// key could point outside the counters.
#include "core/simd_levels.hpp"  // the library's one Highway configuration, before Highway

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "engine/kernels.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/kernels_grouped.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h, which the helpers include

#include "engine/simd-inl.hpp"

HWY_BEFORE_NAMESPACE();
namespace cxm::inline v0_1::engine::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Rows per tile (see the header comment).
constexpr std::size_t kTile = 256;

// Rows the fused kernel prefetches ahead in every column (2 KiB of scores,
// 4 KiB of 16-bit keys). Measured on AVX-512 with 8 × 36 cells: 1024 to 2048
// rows are best; 4096 and more fall back.
constexpr std::size_t kGroupedAheadRows = 2048;

// Added to (t + offset) / 86400 before the floor (see TimeTile).
constexpr double kDayEpsilon = 1e-9;

// How a fused pass codes a score.
enum class Code { kTallyTable, kTallyCompare, kBins };

// Code of a bin (score - lo, wrapped to a byte) in scalar code; false when
// the score is neither on the scale nor, for bins, missing_score.
HWY_INLINE bool ScalarCode(unsigned bin, const grouped_params& g, unsigned& code) {
  const scale_params& p = g.scale;
  if (g.code == cell_code::tally) {
    code = GroupOf(bin, p.low_max - p.lo, p.high_min - p.lo);
    return bin < p.npoints;
  }
  if (bin == static_cast<std::uint8_t>(255 - p.lo)) {
    code = p.npoints;
    return true;
  }
  code = bin;
  return bin < p.npoints;
}

// ------------------------------------------------------------------ time keys

// Day (relative to the table) of x = t + offset seconds, in double: exact
// for the times of 1900..2200 (see TimeTile).
HWY_INLINE double DayOf(std::int64_t t, const time_keys& k) {
  const double x = static_cast<double>(t) + static_cast<double>(k.offset);
  return std::floor(x * (1.0 / 86400.0) + kDayEpsilon) - static_cast<double>(k.first_day);
}

// The key of a time in scalar code; false when it lies outside the table.
HWY_INLINE bool ScalarTimeKey(std::int64_t t, const time_keys& k, std::int32_t& key) {
  if (t == std::numeric_limits<std::int64_t>::min()) {
    key = k.day_key[k.days];
    return true;
  }
  const double rel = DayOf(t, k);
  const bool inside = rel >= 0.0 && rel < static_cast<double>(k.days);
  key = inside ? k.day_key[static_cast<std::size_t>(rel)] : 0;
  return inside;
}

// Keys of the times t[0, m) into out[0, m): day_key[floor((t + offset) /
// 86400) - first_day], day_key[days] for a missing time (INT64_MIN).
//
// The day is computed in double: x = t + offset is exact (|x| < 2^53), and
// x · (1/86400) + 1e-9, each operation rounded, lies within 4e-11 of
// x / 86400 + 1e-9 for |x| < 2^33 (times of 1900..2200); a quotient that is
// not a whole number is at least 1/86400 below the next one, so the floor is
// the exact day. Times farther out fall outside any table and are reported.
//
// A tile whose earliest and latest times (none missing) have one key, as in
// time-ordered input, takes that key for every row without a lookup.
// Returns false when a time lies outside the table (its key is then 0).
template <class TI>
bool TimeTile(const std::int64_t* HWY_RESTRICT t, std::size_t m, const time_keys& k, TI* HWY_RESTRICT out) {
  const hn::ScalableTag<double> dd;
  const hn::Rebind<std::int64_t, decltype(dd)> di;
  const hn::Rebind<std::int32_t, decltype(dd)> d32;
  const hn::Rebind<TI, decltype(dd)> dt;
  const std::size_t N = hn::Lanes(dd);
  const auto missing = hn::Set(di, std::numeric_limits<std::int64_t>::min());
  if (m >= N) {
    auto lo = hn::LoadU(di, t);
    auto hi = lo;
    std::size_t i = 0;
    for (; i + N <= m; i += N) {
      const auto v = hn::LoadU(di, t + i);
      lo = hn::Min(lo, v);
      hi = hn::Max(hi, v);
    }
    std::int64_t first = hn::GetLane(hn::MinOfLanes(di, lo));
    std::int64_t last = hn::GetLane(hn::MaxOfLanes(di, hi));
    for (; i < m; ++i) {
      first = std::min(first, t[i]);
      last = std::max(last, t[i]);
    }
    std::int32_t key_first = 0;
    std::int32_t key_last = 0;
    if (first != std::numeric_limits<std::int64_t>::min() && ScalarTimeKey(first, k, key_first) &&
        ScalarTimeKey(last, k, key_last) && key_first == key_last) {
      const hn::ScalableTag<TI> du;
      const auto key = hn::Set(du, static_cast<TI>(key_first));
      std::size_t j = 0;
      for (; j + hn::Lanes(du) <= m; j += hn::Lanes(du)) hn::StoreU(key, du, out + j);
      for (; j < m; ++j) out[j] = static_cast<TI>(key_first);
      return true;
    }
  }
  const auto offset = hn::Set(dd, static_cast<double>(k.offset));
  const auto inv_day = hn::Set(dd, 1.0 / 86400.0);
  const auto eps = hn::Set(dd, kDayEpsilon);
  const auto first = hn::Set(dd, static_cast<double>(k.first_day));
  const auto days = hn::Set(dd, static_cast<double>(k.days));
  const auto zero = hn::Zero(dd);
  auto bad = hn::FirstN(dd, 0);
  std::size_t i = 0;
  for (; i + N <= m; i += N) {
    const auto raw = hn::LoadU(di, t + i);
    const auto is_missing = hn::RebindMask(dd, hn::Eq(raw, missing));
    const auto x = hn::Add(hn::ConvertTo(dd, raw), offset);
    const auto rel = hn::Sub(hn::Floor(hn::Add(hn::Mul(x, inv_day), eps)), first);
    const auto outside = hn::AndNot(is_missing, hn::Or(hn::Lt(rel, zero), hn::Ge(rel, days)));
    bad = hn::Or(bad, outside);
    const auto slot = hn::IfThenElse(is_missing, days, hn::IfThenZeroElse(outside, rel));
    const auto key = hn::GatherIndex(d32, k.day_key, hn::DemoteTo(d32, slot));
    if constexpr (sizeof(TI) == 4) {
      hn::StoreU(hn::BitCast(dt, key), dt, out + i);
    } else {
      hn::StoreU(hn::DemoteTo(dt, key), dt, out + i);
    }
  }
  bool ok = hn::AllFalse(dd, bad);
  for (; i < m; ++i) {
    std::int32_t key = 0;
    ok &= ScalarTimeKey(t[i], k, key);
    out[i] = static_cast<TI>(key);
  }
  return ok;
}

// ------------------------------------------------------------------ key columns of a tile

// The keys of the current tile: first key, and log2 of the bytes per key.
struct tile_key {
  const std::uint8_t* data;
  unsigned shift;  // 0, 1 or 2
};

HWY_INLINE unsigned ShiftOf(unsigned width) { return width == 1 ? 0u : (width == 2 ? 1u : 2u); }

// Points `tk` at the keys of rows [row, row + m): the column itself, or for a
// time column the keys TimeTile writes to `buffer`. False when a time is bad.
template <class TI>
HWY_INLINE bool TileKeys(const key_view& k, std::size_t row, std::size_t m, TI* buffer, tile_key& tk) {
  if (k.width == 8) {
    tk = {reinterpret_cast<const std::uint8_t*>(buffer), ShiftOf(sizeof(TI))};
    return TimeTile(static_cast<const std::int64_t*>(k.data) + row, m, *k.time, buffer);
  }
  tk.shift = ShiftOf(k.width);
  tk.data = static_cast<const std::uint8_t*>(k.data) + (row << tk.shift);
  return true;
}

// Key i of a tile in scalar code.
HWY_INLINE std::uint32_t KeyAt(const tile_key& k, std::size_t i) {
  switch (k.shift) {
    case 0: return k.data[i];
    case 1: return reinterpret_cast<const std::uint16_t*>(k.data)[i];
    default: return reinterpret_cast<const std::uint32_t*>(k.data)[i];
  }
}

// Keys i .. i + Lanes(du) of a tile widened to the index type. A 32-bit
// column only reaches here with 32-bit lanes (see grouped_params::narrow).
template <class D>
HWY_INLINE hn::Vec<D> LoadKey(D du, const tile_key& k, std::size_t i) {
  using TI = hn::TFromD<D>;
  const std::uint8_t* p = k.data + (i << k.shift);
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

// Prefetches, kGroupedAheadRows ahead, the lines of a column that the step
// reading `lanes` rows from `row` on will need.
HWY_INLINE void PrefetchColumn(const key_view& k, std::size_t row, std::size_t lanes) {
  const auto* base = static_cast<const std::uint8_t*>(k.data);
  const unsigned shift = k.width == 8 ? 3u : ShiftOf(k.width);
  for (std::size_t b = 0; b < (lanes << shift); b += kLineBytes) {
    PrefetchAhead(base + (row << shift) + b, kGroupedAheadRows << shift);
  }
}

// Group codes of the bins of a scale of at most 16 points (0 low, 1 middle,
// 2 high), as a byte table for TableLookupBytes.
HWY_INLINE void GroupCodes(const scale_params& p, std::uint8_t* codes) {
  for (unsigned b = 0; b < 16; ++b) {
    codes[b] = static_cast<std::uint8_t>(b < p.npoints ? GroupOf(b, p.low_max - p.lo, p.high_min - p.lo) : 0);
  }
}

// Increments counters[idx[i]] for i < m, four rows per step.
template <class TI>
HWY_INLINE void Increment(const TI* HWY_RESTRICT idx, std::size_t m, std::uint32_t* HWY_RESTRICT counters) {
  std::size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    ++counters[idx[i]];
    ++counters[idx[i + 1]];
    ++counters[idx[i + 2]];
    ++counters[idx[i + 3]];
  }
  for (; i < m; ++i) ++counters[idx[i]];
}

// ------------------------------------------------------------------ fused pass (up to three keys)

// One pass per tile for up to three key columns: the index of a row is built
// in registers (code, copy and every key) and stored once; then the tile's
// counters are incremented, or with kStore the indices are written to
// out[0 .. n) instead (one copy, 32-bit lanes).
template <class TI, std::size_t NK, Code M, bool kStore>
bool FusedTiles(const std::uint8_t* HWY_RESTRICT s, const key_view* keys, std::size_t begin, std::size_t n,
                const grouped_params& g, std::uint32_t* HWY_RESTRICT out) {
  static_assert(!kStore || sizeof(TI) == 4, "indices are handed over as 32-bit values");
  const hn::ScalableTag<TI> du;
  const hn::Rebind<std::uint8_t, decltype(du)> d8;
  using V = hn::Vec<decltype(du)>;
  const std::size_t N = hn::Lanes(du);
  const scale_params& p = g.scale;
  const auto offset = hn::Set(d8, p.lo);
  const auto last_bin8 = hn::Set(d8, static_cast<std::uint8_t>(p.npoints - 1));
  const V last_bin = hn::Set(du, static_cast<TI>(p.npoints - 1));
  const V missing_bin = hn::Set(du, static_cast<TI>(static_cast<std::uint8_t>(255 - p.lo)));
  const V missing_code = hn::Set(du, static_cast<TI>(p.npoints));
  const V low_v = hn::Set(du, static_cast<TI>(p.low_max - p.lo));
  const V high_m1 = hn::Set(du, static_cast<TI>(p.high_min - p.lo - 1));
  // Lane l of every vector holds a row = l (mod 4) because N is a multiple of 4.
  const V copy_offsets = g.copies == 4 ? hn::Mul(hn::And(hn::Iota(du, 0), hn::Set(du, TI{3})),
                                                 hn::Set(du, static_cast<TI>(g.copy_stride)))
                                       : hn::Zero(du);
#if HWY_TARGET != HWY_SCALAR
  // The table must span 16 bytes even where the score vector is shorter.
  using DT = std::conditional_t<(hn::MaxLanes(d8) >= 16), decltype(d8), hn::Full128<std::uint8_t>>;
  alignas(16) std::uint8_t codes[16];
  GroupCodes(p, codes);
  const auto table = hn::LoadDup128(DT(), codes);
#else
  static_assert(M != Code::kTallyTable, "one-lane vectors cannot hold a table");
#endif
  V strides[NK];
  V limits[NK];
  for (std::size_t j = 0; j < NK; ++j) {
    strides[j] = hn::Set(du, static_cast<TI>(keys[j].stride));
    limits[j] = hn::Set(du, static_cast<TI>(keys[j].limit - 1));
  }

  alignas(64) TI local[kTile];
  alignas(64) TI time_keys_of[NK][kTile];
  for (std::size_t t = 0; t < n; t += kTile) {
    const std::size_t m = std::min(kTile, n - t);
    const std::size_t row = begin + t;
    bool ok = true;
    tile_key tk[NK];
    for (std::size_t j = 0; j < NK; ++j) ok &= TileKeys(keys[j], row, m, time_keys_of[j], tk[j]);
    TI* HWY_RESTRICT idx = local;
    if constexpr (kStore) idx = out + t;
    auto vmax8 = hn::Zero(d8);
    V vmax_bin = hn::Zero(du);
    V kmax[NK];
    for (std::size_t j = 0; j < NK; ++j) kmax[j] = hn::Zero(du);
    std::size_t i = 0;
    for (; i + N <= m; i += N) {
      PrefetchAhead(s + row + i, kGroupedAheadRows);
      for (std::size_t j = 0; j < NK; ++j) PrefetchColumn(keys[j], row + i, N);
      const auto bin8 = hn::Sub(hn::LoadU(d8, s + row + i), offset);
      V x;
#if HWY_TARGET != HWY_SCALAR
      if constexpr (M == Code::kTallyTable) {
        vmax8 = hn::Max(vmax8, bin8);
        x = hn::Add(hn::PromoteTo(du, hn::TableLookupBytes(table, bin8)), copy_offsets);
      } else
#endif
      if constexpr (M == Code::kTallyCompare) {
        vmax8 = hn::Max(vmax8, bin8);
        // Masks are all ones (-1): subtracting one adds 1 to the group.
        const V bin = hn::PromoteTo(du, bin8);
        x = hn::Sub(hn::Sub(copy_offsets, hn::VecFromMask(du, hn::Gt(bin, low_v))),
                    hn::VecFromMask(du, hn::Gt(bin, high_m1)));
      } else if constexpr (M == Code::kBins) {
        const V bin = hn::PromoteTo(du, bin8);
        const auto is_missing = hn::Eq(bin, missing_bin);
        vmax_bin = hn::Max(vmax_bin, hn::IfThenZeroElse(is_missing, bin));
        x = hn::Add(hn::IfThenElse(is_missing, missing_code, bin), copy_offsets);
      }
      for (std::size_t j = 0; j < NK; ++j) {
        const V k = LoadKey(du, tk[j], i);
        kmax[j] = hn::Max(kmax[j], k);
        x = hn::Add(x, hn::Mul(k, strides[j]));
      }
      hn::StoreU(x, du, idx + i);
    }
    if constexpr (M == Code::kBins) {
      ok &= hn::AllFalse(du, hn::Gt(vmax_bin, last_bin));
    } else {
      ok &= hn::AllFalse(d8, hn::Gt(vmax8, last_bin8));
    }
    for (std::size_t j = 0; j < NK; ++j) ok &= hn::AllFalse(du, hn::Gt(kmax[j], limits[j]));
    for (; i < m; ++i) {
      unsigned code = 0;
      ok &= ScalarCode(static_cast<std::uint8_t>(s[row + i] - p.lo), g, code);
      std::uint32_t x = code + static_cast<std::uint32_t>(i % g.copies) * g.copy_stride;
      for (std::size_t j = 0; j < NK; ++j) {
        const std::uint32_t k = KeyAt(tk[j], i);
        ok &= k < keys[j].limit;
        x += k * keys[j].stride;
      }
      idx[i] = static_cast<TI>(x);
    }
    if (!ok) return false;
    if constexpr (!kStore) Increment(idx, m, out);
  }
  return true;
}

template <class TI, Code M, bool kStore>
bool FusedAny(const std::uint8_t* s, const key_view* keys, std::size_t nkeys, std::size_t begin, std::size_t n,
              const grouped_params& g, std::uint32_t* out) {
  switch (nkeys) {
    case 1: return FusedTiles<TI, 1, M, kStore>(s, keys, begin, n, g, out);
    case 2: return FusedTiles<TI, 2, M, kStore>(s, keys, begin, n, g, out);
    default: return FusedTiles<TI, 3, M, kStore>(s, keys, begin, n, g, out);
  }
}

// ------------------------------------------------------------------ one pass per key (four keys or more)

// idx[i] = code of s[i] + (i mod copies) · copy_stride; false when a score is bad.
template <class TI>
bool ScorePass(const std::uint8_t* HWY_RESTRICT s, std::size_t n, const grouped_params& g, TI* HWY_RESTRICT idx) {
  const hn::ScalableTag<TI> du;
  const hn::Rebind<std::uint8_t, decltype(du)> d8;
  using V = hn::Vec<decltype(du)>;
  const std::size_t N = hn::Lanes(du);
  const scale_params& p = g.scale;
  const bool bins = g.code == cell_code::bins;
  const V low_v = hn::Set(du, static_cast<TI>(p.low_max - p.lo));
  const V high_m1 = hn::Set(du, static_cast<TI>(p.high_min - p.lo - 1));
  const V missing_bin = hn::Set(du, static_cast<TI>(static_cast<std::uint8_t>(255 - p.lo)));
  const V missing_code = hn::Set(du, static_cast<TI>(p.npoints));
  const auto offset = hn::Set(d8, p.lo);
  const V copy_offsets = g.copies == 4 ? hn::Mul(hn::And(hn::Iota(du, 0), hn::Set(du, TI{3})),
                                                 hn::Set(du, static_cast<TI>(g.copy_stride)))
                                       : hn::Zero(du);
  V vmax = hn::Zero(du);
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    const V bin = hn::PromoteTo(du, hn::Sub(hn::LoadU(d8, s + i), offset));
    V x;
    if (bins) {
      const auto is_missing = hn::Eq(bin, missing_bin);
      vmax = hn::Max(vmax, hn::IfThenZeroElse(is_missing, bin));
      x = hn::IfThenElse(is_missing, missing_code, bin);
    } else {
      vmax = hn::Max(vmax, bin);
      x = hn::Sub(hn::Sub(hn::Zero(du), hn::VecFromMask(du, hn::Gt(bin, low_v))),
                  hn::VecFromMask(du, hn::Gt(bin, high_m1)));
    }
    hn::StoreU(hn::Add(x, copy_offsets), du, idx + i);
  }
  bool ok = hn::AllFalse(du, hn::Gt(vmax, hn::Set(du, static_cast<TI>(p.npoints - 1))));
  for (; i < n; ++i) {
    unsigned code = 0;
    ok &= ScalarCode(static_cast<std::uint8_t>(s[i] - p.lo), g, code);
    idx[i] = static_cast<TI>(code + (i % g.copies) * g.copy_stride);
  }
  return ok;
}

// idx[i] += key[i] · stride; false when a key is not below `limit`.
template <class TI, class TK>
bool KeyPass(const TK* HWY_RESTRICT key, std::size_t n, std::uint32_t stride, std::uint32_t limit,
             TI* HWY_RESTRICT idx) {
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
  bool ok = hn::AllFalse(du, hn::Gt(vmax, hn::Set(du, static_cast<TI>(limit - 1))));
  for (; i < n; ++i) {
    ok &= key[i] < limit;
    idx[i] = static_cast<TI>(idx[i] + static_cast<TI>(key[i]) * static_cast<TI>(stride));
  }
  return ok;
}

template <class TI>
bool KeyPassAny(const key_view& k, std::size_t begin, std::size_t n, TI* buffer, TI* idx) {
  switch (k.width) {
    case 1: return KeyPass(static_cast<const std::uint8_t*>(k.data) + begin, n, k.stride, k.limit, idx);
    case 2: return KeyPass(static_cast<const std::uint16_t*>(k.data) + begin, n, k.stride, k.limit, idx);
    case 8: {
      const bool ok = TimeTile(static_cast<const std::int64_t*>(k.data) + begin, n, *k.time, buffer);
      return KeyPass(static_cast<const TI*>(buffer), n, k.stride, k.limit, idx) && ok;
    }
    default:
      if constexpr (sizeof(TI) == 4) {
        return KeyPass(static_cast<const std::uint32_t*>(k.data) + begin, n, k.stride, k.limit, idx);
      } else {
        return false;  // the driver never asks for 16-bit lanes with 32-bit keys
      }
  }
}

template <class TI, bool kStore>
bool GroupedTiles(const std::uint8_t* HWY_RESTRICT s, const key_view* keys, std::size_t nkeys, std::size_t begin,
                  std::size_t n, const grouped_params& g, std::uint32_t* HWY_RESTRICT out) {
  alignas(64) TI local[kTile];
  alignas(64) TI buffer[kTile];
  for (std::size_t t = 0; t < n; t += kTile) {
    const std::size_t m = std::min(kTile, n - t);
    const std::size_t row = begin + t;
    TI* HWY_RESTRICT idx = local;
    if constexpr (kStore) idx = out + t;
    bool ok = ScorePass(s + row, m, g, idx);
    for (std::size_t j = 0; j < nkeys; ++j) ok &= KeyPassAny(keys[j], row, m, buffer, idx);
    if (!ok) return false;
    if constexpr (!kStore) Increment(idx, m, out);
  }
  return true;
}

// ------------------------------------------------------------------ entry points

template <class TI, bool kStore>
bool AnyTiles(const std::uint8_t* s, const key_view* keys, std::size_t nkeys, std::size_t begin, std::size_t n,
              const grouped_params& g, std::uint32_t* out) {
  if (nkeys > 3) return GroupedTiles<TI, kStore>(s, keys, nkeys, begin, n, g, out);
  if constexpr (kStore) {
    return FusedAny<TI, Code::kBins, true>(s, keys, nkeys, begin, n, g, out);
  } else {
    if (g.code == cell_code::bins) return FusedAny<TI, Code::kBins, false>(s, keys, nkeys, begin, n, g, out);
#if HWY_TARGET != HWY_SCALAR
    if (g.scale.npoints <= 16) return FusedAny<TI, Code::kTallyTable, false>(s, keys, nkeys, begin, n, g, out);
#endif
    return FusedAny<TI, Code::kTallyCompare, false>(s, keys, nkeys, begin, n, g, out);
  }
}

bool Grouped(const std::uint8_t* s, const key_view* keys, std::size_t nkeys, std::size_t begin, std::size_t n,
             const grouped_params& g, std::uint32_t* scratch, std::uint64_t* out) {
  const bool ok = g.narrow ? AnyTiles<std::uint16_t, false>(s, keys, nkeys, begin, n, g, scratch)
                           : AnyTiles<std::uint32_t, false>(s, keys, nkeys, begin, n, g, scratch);
  for (std::uint32_t c = 0; c < g.copies; ++c) {
    const std::uint32_t* part = scratch + static_cast<std::size_t>(c) * g.copy_stride;
    for (std::uint32_t j = 0; j < g.copy_stride; ++j) out[j] += part[j];
  }
  std::memset(scratch, 0, sizeof(std::uint32_t) * g.copies * g.copy_stride);
  return ok;
}

bool GroupedIndex(const std::uint8_t* s, const key_view* keys, std::size_t nkeys, std::size_t begin, std::size_t n,
                  const grouped_params& g, std::uint32_t* idx) {
  if (g.code != cell_code::bins || g.copies != 1 || n > kIndexRows) return false;
  return AnyTiles<std::uint32_t, true>(s, keys, nkeys, begin, n, g, idx);
}

grouped_kernels GroupedTable() { return grouped_kernels{&Grouped, &GroupedIndex}; }

}  // namespace cxm::engine::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "engine/dispatch.hpp"

namespace cxm::inline v0_1::engine::detail {

grouped_kernels grouped_kernels_for(isa level) {
#define CXMETRICS_PICK_LEVEL(l, target, ns) \
  if (level == (l)) return ns::GroupedTable();
  CXMETRICS_FOR_EACH_LEVEL(CXMETRICS_PICK_LEVEL)
#undef CXMETRICS_PICK_LEVEL
  return grouped_kernels{nullptr, nullptr};
}

}  // namespace cxm::engine::detail
#endif  // HWY_ONCE
