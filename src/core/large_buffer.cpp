// Large zero-filled buffers (core/large_buffer.hpp): own 2 MiB-aligned
// mappings offered for transparent huge pages on Linux, aligned operator
// new otherwise.
#include "cxmetrics/core/large_buffer.hpp"

#include <cstdint>
#include <cstring>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace cxm::inline v0_1::detail {

namespace {

constexpr std::size_t huge_page = std::size_t{2} << 20;
constexpr std::align_val_t small_alignment{64};

#if defined(__linux__)
bool mapped(std::size_t bytes) noexcept { return bytes >= huge_page; }
std::size_t rounded(std::size_t bytes) noexcept { return (bytes + huge_page - 1) & ~(huge_page - 1); }
#endif

}  // namespace

void* allocate_large(std::size_t bytes) {
  if (bytes == 0) return nullptr;
#if defined(__linux__)
  if (mapped(bytes)) {
    if (bytes > SIZE_MAX - 2 * huge_page) throw std::bad_alloc();
    const std::size_t size = rounded(bytes);
    // Map one huge page more than needed, then unmap the slack on both
    // sides of the first 2 MiB boundary, so every page can be huge.
    void* raw = ::mmap(nullptr, size + huge_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto at = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (at + huge_page - 1) & ~(std::uintptr_t{huge_page} - 1);
    if (aligned > at) ::munmap(raw, aligned - at);
    const std::uintptr_t tail = at + size + huge_page - (aligned + size);
    if (tail > 0) ::munmap(reinterpret_cast<void*>(aligned + size), tail);
#if defined(MADV_HUGEPAGE)
    ::madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);  // advice only: failure is harmless
#endif
    return reinterpret_cast<void*>(aligned);
  }
#endif
  void* p = ::operator new(bytes, small_alignment);
  std::memset(p, 0, bytes);
  return p;
}

void release_large(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) return;
#if defined(__linux__)
  if (mapped(bytes)) {
    ::munmap(p, rounded(bytes));
    return;
  }
#endif
  ::operator delete(p, small_alignment);
}

}  // namespace cxm::inline v0_1::detail
