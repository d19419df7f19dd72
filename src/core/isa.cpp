// Instruction-set levels (cxmetrics/core/isa.hpp): what this build compiles
// (src/core/simd_levels.hpp), what the CPU supports, and the forced level.
#include "core/simd_levels.hpp"  // before any other Highway header

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <hwy/targets.h>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/isa.hpp"

namespace cxm::inline v0_1 {

namespace {

struct level_info {
  isa level;
  std::int64_t target;
};

// Compiled levels the CPU running this process supports, lowest first.
const std::vector<isa>& supported_levels() {
  static const std::vector<isa> all = [] {
    std::vector<level_info> compiled;
#define CXMETRICS_ADD_LEVEL(level, target, ns) compiled.push_back({level, target});
    CXMETRICS_FOR_EACH_LEVEL(CXMETRICS_ADD_LEVEL)
#undef CXMETRICS_ADD_LEVEL
    const std::int64_t cpu = hwy::SupportedTargets();
    std::vector<isa> out;
    for (const auto& l : compiled) {
      if ((cpu & l.target) != 0) out.push_back(l.level);
    }
    return out;
  }();
  return all;
}

std::atomic<int> forced_level{-1};

}  // namespace

bool isa_available(isa level) noexcept {
  for (const isa l : supported_levels()) {
    if (l == level) return true;
  }
  return false;
}

std::vector<isa> available_isas() { return supported_levels(); }

isa best_isa() noexcept {
  const auto& levels = supported_levels();
  return levels.empty() ? isa::scalar : levels.back();
}

void force_isa(std::optional<isa> level) {
  if (level && !isa_available(*level)) {
    throw invalid_argument("instruction-set level '" + std::string(to_string(*level)) +
                           "' is not available in this build on this CPU");
  }
  forced_level.store(level ? static_cast<int>(*level) : -1, std::memory_order_relaxed);
}

isa active_isa() noexcept {
  const int forced = forced_level.load(std::memory_order_relaxed);
  return forced >= 0 ? static_cast<isa>(forced) : best_isa();
}

}  // namespace cxm
