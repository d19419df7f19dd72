// A chunk's dictionary of strings (src/io/local_dict.hpp).
#include "io/local_dict.hpp"

#include <algorithm>
#include <utility>

#include "cxmetrics/core/error.hpp"

namespace cxm::inline v0_1::detail {

void local_dict::clear() {
  bytes_.clear();
  ends_.clear();
  // A table the previous chunk grew is kept (the next chunk of the input
  // likely holds as many distinct strings), up to 2^16 slots: clearing it
  // costs less than growing it again through every power of two.
  if (slots_.empty() || slots_.size() > (std::size_t{1} << 16)) {
    slots_.assign(64, slot{});
    mask_ = 63;
    shift_ = 58;
  } else {
    std::fill(slots_.begin(), slots_.end(), slot{});
  }
  (void)intern(std::string_view());
}

std::uint32_t local_dict::add(std::string_view s, const key& k, std::uint64_t j) {
  if (ends_.size() >= 0xFFFFFFF0U) throw invalid_argument("too many distinct strings in one chunk of input");
  const auto id = static_cast<std::uint32_t>(ends_.size());
  bytes_.insert(bytes_.end(), s.begin(), s.end());
  ends_.push_back(bytes_.size());
  slot& sl = slots_[j];
  sl.w0 = k.w0;
  sl.w1 = k.w1;
  sl.len = k.len;
  sl.id1 = id + 1;
  if (ends_.size() * 4 > slots_.size()) grow();  // load <= 1/4: most lookups probe one slot
  return id;
}

void local_dict::grow() {
  std::vector<slot> slots(slots_.size() * 2);
  const std::uint64_t mask = slots.size() - 1;
  const unsigned shift = shift_ - 1;
  for (const slot& sl : slots_) {
    if (sl.id1 == 0) continue;
    std::uint64_t j = key_of(at(sl.id1 - 1)).hash >> shift;
    while (slots[j].id1 != 0) j = (j + 1) & mask;
    slots[j] = sl;
  }
  slots_ = std::move(slots);
  mask_ = mask;
  shift_ = shift;
}

}  // namespace cxm::detail
