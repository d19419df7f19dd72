// SIMD kernels of the CSV reader (see csv_scan.hpp), compiled once per
// instruction-set level through Highway's foreach_target, as in
// src/engine/kernels.cpp.
#include "core/simd_levels.hpp"  // the library's one Highway configuration, before Highway

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "io/csv_scan.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "io/csv_scan.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace cxm::inline v0_1::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// At most 64 lanes, so that whole vectors tile a 64-byte block.
using D8 = hn::CappedTag<std::uint8_t, 64>;

template <class M>
HWY_INLINE std::uint64_t Bits(D8 d, M m) {
#if HWY_TARGET == HWY_AVX3
  if constexpr (hn::MaxLanes(D8()) == 64) {
    (void)d;
    return static_cast<std::uint64_t>(m.raw);  // __mmask64: one bit per byte (StoreMaskBits goes through memory)
  }
#elif HWY_TARGET == HWY_AVX2
  if constexpr (hn::MaxLanes(D8()) == 32) {
    return static_cast<std::uint32_t>(_mm256_movemask_epi8(hn::VecFromMask(d, m).raw));
  }
#endif
  std::uint8_t bytes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  hn::StoreMaskBits(d, m, bytes);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  std::uint64_t r;
  std::memcpy(&r, bytes, 8);
#else
  std::uint64_t r = 0;
  for (int i = 7; i >= 0; --i) r = (r << 8) | bytes[i];
#endif
  return r;
}

// Prefix XOR: bit i of the result is the XOR of bits 0..i of x.
HWY_INLINE std::uint64_t PrefixXor(std::uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

// Writes base + position of every set bit: twelve unconditionally, then four
// at a time (the unrolled decoding of simdjson's stage 1, with the first
// round sized for CSV, whose 64-byte blocks rarely hold more than twelve
// delimiters and line breaks, so that the loop branch is rarely taken and
// never mispredicted on the common blocks). Up to 12 entries past the count
// are written with garbage, which the caller's room allows. On x86-64 each
// store is written as one instruction: compilers otherwise gather these
// scalars into vector stores, whose shuffles cost more than they save.
HWY_INLINE void Put(std::uint32_t* o, std::uint64_t bits, std::uint32_t base) {
  const std::uint32_t v = base + static_cast<std::uint32_t>(std::countr_zero(bits | (std::uint64_t{1} << 63)));
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
  asm("movl %1, %0" : "=m"(*o) : "r"(v));
#else
  *o = v;
#endif
}

HWY_INLINE std::uint32_t* Flatten(std::uint32_t* out, std::uint64_t bits, std::uint32_t base) {
  const int cnt = std::popcount(bits);
  std::uint32_t* o = out;
  for (int k = 0; k < 12; ++k) {
    Put(o + k, bits, base);
    bits &= bits - 1;
  }
  o += 12;
  while (bits != 0) {
    Put(o, bits, base);
    bits &= bits - 1;
    Put(o + 1, bits, base);
    bits &= bits - 1;
    Put(o + 2, bits, base);
    bits &= bits - 1;
    Put(o + 3, bits, base);
    bits &= bits - 1;
    o += 4;
  }
  return out + cnt;
}

void Scan(const std::uint8_t* HWY_RESTRICT buf, std::size_t begin, std::size_t end, int next_byte,
          std::uint8_t delimiter, scan_state* st, std::uint32_t* HWY_RESTRICT idx, std::uint32_t* HWY_RESTRICT qnl,
          std::uint8_t* HWY_RESTRICT hi, scan_out* out) {
  const D8 d;
  const std::size_t N = hn::Lanes(d);
  const auto vq = hn::Set(d, std::uint8_t{'"'});
  const auto vd = hn::Set(d, delimiter);
  const auto vlf = hn::Set(d, std::uint8_t{'\n'});
  const auto vcr = hn::Set(d, std::uint8_t{'\r'});
  const hn::RebindToSigned<D8> di;
  std::uint64_t inside_carry = st->inside;
  std::uint64_t prev_special = st->prev_special;
  std::uint32_t* o = idx;
  std::uint32_t* oq = qnl;
  const bool next_special_end =
      next_byte < 0 || next_byte == '"' || next_byte == delimiter || next_byte == '\n' || next_byte == '\r';
  const bool next_lf_end = next_byte == '\n';
  for (std::size_t pos = begin; pos < end; pos += 64) {
    std::uint64_t q = 0, dl = 0, lf = 0, cr = 0;
    auto high = hn::Zero(d);
    for (std::size_t k = 0; k < 64; k += N) {
      const auto v = hn::LoadU(d, buf + pos + k);
      q |= Bits(d, hn::Eq(v, vq)) << k;
      dl |= Bits(d, hn::Eq(v, vd)) << k;
      lf |= Bits(d, hn::Eq(v, vlf)) << k;
      cr |= Bits(d, hn::Eq(v, vcr)) << k;
      high = hn::Or(high, v);
    }
    const std::size_t e = end - pos < 64 ? end - pos : 64;
    const std::uint64_t valid = e == 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << e) - 1);
    // Bytes past the end are padding or other data: conservative (a flag
    // only sends a row to the full UTF-8 check).
    *hi++ = hn::AllFalse(di, hn::Lt(hn::BitCast(di, high), hn::Zero(di))) ? 0 : 1;
    q &= valid;
    dl &= valid;
    lf &= valid;
    cr &= valid;
    const std::uint64_t special = q | dl | lf | cr;
    // Class of the byte after the last one of this block.
    bool nb_special = next_special_end;
    bool nb_lf = next_lf_end;
    if (e == 64 && pos + 64 < end) {
      const std::uint8_t nb = buf[pos + 64];
      nb_special = nb == '"' || nb == delimiter || nb == '\n' || nb == '\r';
      nb_lf = nb == '\n';
    }
    const std::uint64_t special_next = (special >> 1) | (static_cast<std::uint64_t>(nb_special) << (e - 1));
    const std::uint64_t lf_next = (lf >> 1) | (static_cast<std::uint64_t>(nb_lf) << (e - 1));
    const std::uint64_t special_prev = (special << 1) | prev_special;
    const std::uint64_t inside = PrefixXor(q) ^ inside_carry;
    const std::uint64_t bad = (q & inside & ~special_prev) | (q & ~inside & ~special_next);
    const std::uint64_t term = lf | (cr & ~lf_next);
    std::uint64_t structural = (dl | term) & ~inside;
    std::uint64_t quoted_breaks = term & inside;
    const auto base = static_cast<std::uint32_t>(pos);
    if (bad != 0) {
      const std::uint64_t before = (bad & (~bad + 1)) - 1;
      o = Flatten(o, structural & before, base);
      oq = Flatten(oq, quoted_breaks & before, base);
      out->n_idx = static_cast<std::size_t>(o - idx);
      out->n_qnl = static_cast<std::size_t>(oq - qnl);
      out->stop = pos + static_cast<std::size_t>(std::countr_zero(bad));
      out->anomaly = true;
      return;
    }
    o = Flatten(o, structural, base);
    if (quoted_breaks != 0) oq = Flatten(oq, quoted_breaks, base);
    inside_carry = ((inside >> (e - 1)) & 1) != 0 ? ~std::uint64_t{0} : 0;
    prev_special = (special >> (e - 1)) & 1;
  }
  st->inside = inside_carry;
  st->prev_special = prev_special;
  out->n_idx = static_cast<std::size_t>(o - idx);
  out->n_qnl = static_cast<std::size_t>(oq - qnl);
  out->stop = end;
  out->anomaly = false;
}

void Count(const std::uint8_t* HWY_RESTRICT p, std::size_t n, byte_counts* out) {
  const D8 d;
  const std::size_t N = hn::Lanes(d);
  const auto vq = hn::Set(d, std::uint8_t{'"'});
  const auto vlf = hn::Set(d, std::uint8_t{'\n'});
  const auto vcr = hn::Set(d, std::uint8_t{'\r'});
  std::uint64_t q = 0, lf = 0, cr = 0, crlf = 0;
  std::size_t i = 0;
  for (; i + N + 1 <= n; i += N) {
    const auto v = hn::LoadU(d, p + i);
    const auto v1 = hn::LoadU(d, p + i + 1);
    const auto is_cr = hn::Eq(v, vcr);
    q += hn::CountTrue(d, hn::Eq(v, vq));
    lf += hn::CountTrue(d, hn::Eq(v, vlf));
    cr += hn::CountTrue(d, is_cr);
    crlf += hn::CountTrue(d, hn::And(is_cr, hn::Eq(v1, vlf)));
  }
  for (; i < n; ++i) {
    q += p[i] == '"';
    lf += p[i] == '\n';
    cr += p[i] == '\r';
    crlf += p[i] == '\r' && i + 1 < n && p[i + 1] == '\n';
  }
  out->quotes = q;
  out->lf = lf;
  out->cr = cr;
  out->crlf = crlf;
}

csv_kernels Table() {
  csv_kernels t;
  t.scan = &Scan;
  t.count = &Count;
  return t;
}

}  // namespace HWY_NAMESPACE
}  // namespace cxm::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <vector>

#include "cxmetrics/core/isa.hpp"

namespace cxm::inline v0_1::detail {
namespace {

struct level_kernels {
  isa level;
  csv_kernels kernels;
};

std::vector<level_kernels> compiled() {
  std::vector<level_kernels> out;
#define CXMETRICS_ADD_LEVEL(level, target, ns) out.push_back({level, ns::Table()});
  CXMETRICS_FOR_EACH_LEVEL(CXMETRICS_ADD_LEVEL)
#undef CXMETRICS_ADD_LEVEL
  return out;
}

}  // namespace

const csv_kernels& active_csv_kernels() {
  static const std::vector<level_kernels> all = compiled();
  const isa want = active_isa();
  const level_kernels* best = nullptr;
  for (const auto& l : all) {
    if (!isa_available(l.level)) continue;
    if (l.level == want) return l.kernels;
    best = &l;  // lowest first: the last available one is the best
  }
  return best->kernels;
}

}  // namespace cxm::detail
#endif  // HWY_ONCE
