// A fixture for the abi_namespace_catches test: two openings outside the ABI
// namespace (lines 5 and 9), one inside it and one use that is no opening.
#pragma once

namespace cxm {
int stray();
}  // namespace cxm

namespace cxm::detail {
int also_stray();
}  // namespace cxm::detail

namespace cxm::inline v0_1::detail {
int fine();
}  // namespace cxm::inline v0_1::detail

using namespace cxm;
