// large_buffer<T>: an array of trivially copyable T for big working sets
// (hash indexes, staging areas of bulk adds), allocated zero-filled.
//
// Arrays of 2 MiB and more are mapped on their own, 2 MiB-aligned, and on
// Linux offered to the kernel for transparent huge pages
// (madvise(MADV_HUGEPAGE)): a 300 MB buffer then costs about 150 page
// faults instead of some 75,000, which on virtual machines is the larger
// part of filling it. Fresh mappings are already zero, so no pass clears
// them. Smaller arrays, and every array elsewhere, come from the aligned
// operator new and are cleared with memset.
//
//   cxm::detail::large_buffer<std::uint64_t> slots(1 << 20);   // all zero
//   slots[42] = 7;
//
// Header: cxmetrics/core/large_buffer.hpp. Throws std::bad_alloc.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "cxmetrics/export.hpp"

namespace cxm::inline v0_1::detail {

/// `bytes` zero bytes aligned to 64 (2 MiB when bytes ≥ 2 MiB); std::bad_alloc when none.
[[nodiscard]] CXMETRICS_API void* allocate_large(std::size_t bytes);
/// Frees what allocate_large(bytes) returned (p may be null).
CXMETRICS_API void release_large(void* p, std::size_t bytes) noexcept;

template <class T>
class large_buffer {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  large_buffer() = default;
  explicit large_buffer(std::size_t n) : p_(static_cast<T*>(allocate_large(n * sizeof(T)))), n_(n) {}
  large_buffer(large_buffer&& o) noexcept : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  large_buffer& operator=(large_buffer&& o) noexcept {
    std::swap(p_, o.p_);
    std::swap(n_, o.n_);
    return *this;
  }
  large_buffer(const large_buffer&) = delete;
  large_buffer& operator=(const large_buffer&) = delete;
  ~large_buffer() { release_large(p_, n_ * sizeof(T)); }

  [[nodiscard]] T* data() noexcept { return p_; }
  [[nodiscard]] const T* data() const noexcept { return p_; }
  [[nodiscard]] std::size_t size() const noexcept { return n_; }
  [[nodiscard]] bool empty() const noexcept { return n_ == 0; }
  T& operator[](std::size_t i) noexcept { return p_[i]; }
  const T& operator[](std::size_t i) const noexcept { return p_[i]; }

 private:
  T* p_ = nullptr;
  std::size_t n_ = 0;
};

}  // namespace cxm::inline v0_1::detail
