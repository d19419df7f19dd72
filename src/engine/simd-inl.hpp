// Internal: helpers every SIMD kernel file of the engine uses (kernels.cpp,
// kernels_grouped.cpp), compiled once per Highway target: the file is
// re-included by foreach_target like the kernel files themselves, so its
// guard toggles with HWY_TARGET_TOGGLE (Highway's "-inl" header convention).
#if defined(CXMETRICS_ENGINE_SIMD_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef CXMETRICS_ENGINE_SIMD_INL_H_
#undef CXMETRICS_ENGINE_SIMD_INL_H_
#else
#define CXMETRICS_ENGINE_SIMD_INL_H_
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include <hwy/cache_control.h>
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace cxm::inline v0_1::engine::detail {
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

}  // namespace HWY_NAMESPACE
}  // namespace cxm::engine::detail
HWY_AFTER_NAMESPACE();

#endif  // CXMETRICS_ENGINE_SIMD_INL_H_
