// Internal (not installed): where the text readers get their bytes: a file
// (pread, so threads can fill their own slices), memory, a std::istream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string_view>

namespace cxm::inline v0_1::detail {

class byte_source {
 public:
  virtual ~byte_source() = default;
  /// True when read_at may be called (from several threads at once).
  [[nodiscard]] virtual bool positional() const noexcept = 0;
  /// Reads up to n bytes at `offset`; fewer only at the end. Positional only.
  virtual std::size_t read_at(std::uint64_t offset, char* dst, std::size_t n) = 0;
  /// Reads the next up to n bytes; fewer only at the end. Sequential only.
  virtual std::size_t read(char* dst, std::size_t n) = 0;
  /// The number of bytes the source holds, when known in advance: windows
  /// are then no larger than the input needs.
  [[nodiscard]] virtual std::optional<std::uint64_t> size_hint() const noexcept { return std::nullopt; }
};

/// A file; positional when it is a regular file. Throws parse_error naming
/// the file when it cannot be opened.
std::unique_ptr<byte_source> open_file_source(const std::filesystem::path& file);
std::unique_ptr<byte_source> memory_source(std::string_view data);
std::unique_ptr<byte_source> stream_source(std::istream& in);
/// The bytes of positional `inner` below offset `end` (offsets unchanged);
/// its size hint is end - begin when end is finite.
std::unique_ptr<byte_source> clipped_source(byte_source& inner, std::uint64_t begin, std::uint64_t end);

}  // namespace cxm::detail
