// Instruction-set levels of the SIMD kernels and how one is chosen.
//
// The kernels of the counting engine (cxmetrics/engine/count.hpp and
// group_by.hpp) and of the CSV reader are compiled once per level (Google
// Highway's foreach_target mechanism, with one configuration of targets for
// the whole library) and the level is chosen when a kernel runs, from what
// the CPU reports:
//
// | level    | Highway target | needs                                   |
// |----------|----------------|-----------------------------------------|
// | avx512   | HWY_AVX3       | AVX-512 F, VL, DQ, BW (x86-64)          |
// | avx2     | HWY_AVX2       | AVX2, BMI2, FMA, F16C (x86-64)          |
// | ssse3    | HWY_SSSE3      | SSSE3 (x86-64)                          |
// | neon     | HWY_NEON       | Arm NEON with AES (AArch64)             |
// | scalar   | HWY_EMU128     | nothing: portable C++ (any CPU)         |
//
// Highway 1.0 has no plain-SSE2 target, so an x86-64 CPU without SSSE3 runs
// the portable scalar level. Every level computes exactly the same result,
// weighted sums included: floating-point sums follow one fixed order (see
// engine/count.hpp), whatever the vector width.
//
// By default the best level the CPU supports is used. force_isa() pins a level
// for the whole process (for tests, benchmarks and for ruling out a kernel when
// a bug is suspected); engine::count_options::level pins one for a single
// engine call.
//
// Header: cxmetrics/core/isa.hpp. Compiled part: src/core/isa.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "cxmetrics/export.hpp"

namespace cxm::inline v0_1 {

/// A kernel level (see the table at the top of this header).
enum class isa : std::uint8_t { scalar, ssse3, avx2, avx512, neon };

/// "scalar", "ssse3", "avx2", "avx512" or "neon".
[[nodiscard]] constexpr std::string_view to_string(isa level) noexcept {
  switch (level) {
    case isa::scalar: return "scalar";
    case isa::ssse3: return "ssse3";
    case isa::avx2: return "avx2";
    case isa::avx512: return "avx512";
    case isa::neon: return "neon";
  }
  return "scalar";
}

/// True when `level` is compiled into this build and supported by this CPU.
[[nodiscard]] CXMETRICS_API bool isa_available(isa level) noexcept;

/// Every available level, lowest first.
[[nodiscard]] CXMETRICS_API std::vector<isa> available_isas();

/// The level chosen when nothing is forced: the best available one.
[[nodiscard]] CXMETRICS_API isa best_isa() noexcept;

/// Pins every later call in this process to `level` (std::nullopt returns to
/// automatic choice). Throws invalid_argument when the level is not available.
/// Safe to call from any thread; calls already running keep their level.
CXMETRICS_API void force_isa(std::optional<isa> level);

/// The level calls without count_options::level use: the forced one, else best_isa().
[[nodiscard]] CXMETRICS_API isa active_isa() noexcept;

}  // namespace cxm
