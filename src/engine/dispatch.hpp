// Internal: the kernel tables compiled into this build, one per level.
#pragma once

#include <cstdint>
#include <vector>

#include "cxmetrics/core/isa.hpp"
#include "engine/kernels.hpp"

namespace cxm::inline v0_1::engine::detail {

struct compiled_level {
  isa level;
  kernel_table kernels;
};

/// Compiled levels, lowest first (defined in kernels.cpp).
std::vector<compiled_level> compiled_levels();

/// The grouped kernels of a compiled level (defined in kernels_grouped.cpp).
grouped_kernels grouped_kernels_for(isa level);

}  // namespace cxm::engine::detail
