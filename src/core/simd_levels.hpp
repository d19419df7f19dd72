// Internal: the one Highway configuration of the library, and the list of
// the instruction-set levels it compiles (cxmetrics/core/isa.hpp).
//
// Every source with SIMD kernels (src/engine/kernels*.cpp, src/io/csv_scan.cpp)
// includes this header before any Highway header, so that all of them compile
// the same targets; src/core/isa.cpp reports from the same list what this
// build and this CPU can run.
//
// Targets: the portable level is compiled on every build
// (HWY_COMPILE_ALL_ATTAINABLE); levels that add nothing to those listed in
// core/isa.hpp are left out (names as of Highway 1.0; targets added by later
// versions are compiled but not used).
//
// CXMETRICS_FOR_EACH_LEVEL(X) expands to X(level, target, ns) for every
// compiled level, lowest first: `level` a cxm::isa, `target` its Highway
// target bit, `ns` the namespace (N_AVX2, ...) foreach_target put that
// level's code in. A kernel file lists its tables with it, e.g.
//
//   #define CXMETRICS_ADD(level, target, ns) out.push_back({level, target, ns::Table()});
//   CXMETRICS_FOR_EACH_LEVEL(CXMETRICS_ADD)
#pragma once

#ifndef HWY_COMPILE_ALL_ATTAINABLE
#define HWY_COMPILE_ALL_ATTAINABLE
#endif
#define HWY_DISABLED_TARGETS                                                                        \
  (HWY_SSE4 | HWY_AVX3_DL | HWY_SVE | HWY_SVE2 | HWY_SVE_256 | HWY_SVE2_128 | HWY_RVV | HWY_PPC8 | HWY_WASM | \
   HWY_WASM_EMU256)

#include <hwy/detect_targets.h>

#include "cxmetrics/core/isa.hpp"

#if HWY_TARGETS & HWY_EMU128
#define CXMETRICS_LEVEL_SCALAR(X) X(::cxm::isa::scalar, HWY_EMU128, N_EMU128)
#elif HWY_TARGETS & HWY_SCALAR
#define CXMETRICS_LEVEL_SCALAR(X) X(::cxm::isa::scalar, HWY_SCALAR, N_SCALAR)
#else
#define CXMETRICS_LEVEL_SCALAR(X)
#endif
#if HWY_TARGETS & HWY_SSSE3
#define CXMETRICS_LEVEL_SSSE3(X) X(::cxm::isa::ssse3, HWY_SSSE3, N_SSSE3)
#else
#define CXMETRICS_LEVEL_SSSE3(X)
#endif
#if HWY_TARGETS & HWY_AVX2
#define CXMETRICS_LEVEL_AVX2(X) X(::cxm::isa::avx2, HWY_AVX2, N_AVX2)
#else
#define CXMETRICS_LEVEL_AVX2(X)
#endif
#if HWY_TARGETS & HWY_AVX3
#define CXMETRICS_LEVEL_AVX512(X) X(::cxm::isa::avx512, HWY_AVX3, N_AVX3)
#else
#define CXMETRICS_LEVEL_AVX512(X)
#endif
#if HWY_TARGETS & HWY_NEON
#define CXMETRICS_LEVEL_NEON(X) X(::cxm::isa::neon, HWY_NEON, N_NEON)
#else
#define CXMETRICS_LEVEL_NEON(X)
#endif

#define CXMETRICS_FOR_EACH_LEVEL(X) \
  CXMETRICS_LEVEL_SCALAR(X) CXMETRICS_LEVEL_SSSE3(X) CXMETRICS_LEVEL_AVX2(X) CXMETRICS_LEVEL_AVX512(X) CXMETRICS_LEVEL_NEON(X)
