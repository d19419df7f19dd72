// Internal: the kernel tables compiled into this build, one per level.
#pragma once

#include <cstdint>
#include <vector>

#include "cxmetrics/engine/isa.hpp"
#include "engine/kernels.hpp"

namespace cxm::engine::detail {

struct compiled_level {
  isa level;
  std::int64_t target;  ///< Highway target bit
  kernel_table kernels;
  bool supported;       ///< the CPU running this process supports it
};

/// Compiled levels, lowest first (defined in kernels.cpp).
std::vector<compiled_level> compiled_levels();

}  // namespace cxm::engine::detail
