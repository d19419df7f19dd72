// The byte level of the binary format: field names of error paths, CRC-32,
// and binary_writer / binary_reader, which write and read little-endian
// fields and check every length. The encoding, the preamble and the
// archives that walk the states' field hooks are in io/binary_archive.hpp.
//
// Header: cxmetrics/io/binary_stream.hpp (header-only).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/fields.hpp"

namespace cxm::inline v0_1 {

static_assert(std::numeric_limits<double>::is_iec559, "the binary format stores IEEE-754 binary64 doubles");

/// A field name with an optional element index, used in error paths:
/// "level" or {"counts", 3} → "counts[3]"; {"", 3} → "[3]" after the path.
struct field_name {
  static constexpr std::size_t no_index = static_cast<std::size_t>(-1);
  std::string_view name;
  std::size_t index = no_index;

  field_name(const char* n) : name(n) {}  // NOLINT: implicit on purpose
  field_name(std::string_view n) : name(n) {}  // NOLINT
  field_name(std::string_view n, std::size_t i) : name(n), index(i) {}
};

/// CRC-32/ISO-HDLC of `data` (see the header comment). `crc` continues a
/// previous value, so crc32(b, crc32(a)) == crc32(a followed by b).
[[nodiscard]] constexpr std::uint32_t crc32(std::span<const std::byte> data, std::uint32_t crc = 0) noexcept {
  // The table of the reflected polynomial 0xEDB88320, built at compile time.
  constexpr auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1u) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = ~crc;
  for (const std::byte b : data) c = table[(c ^ std::to_integer<std::uint32_t>(b)) & 0xFFu] ^ (c >> 8);
  return ~c;
}

/// Appends little-endian fields to a byte buffer.
class binary_writer {
 public:
  void write_u8(std::uint8_t v) { out_.push_back(static_cast<std::byte>(v)); }
  void write_u16(std::uint16_t v) { put(v, 2); }
  void write_u32(std::uint32_t v) { put(v, 4); }
  void write_u64(std::uint64_t v) { put(v, 8); }
  /// Two's complement, little-endian.
  void write_i32(std::int32_t v) { put(static_cast<std::uint32_t>(v), 4); }
  /// The IEEE-754 binary64 bit pattern as a u64.
  void write_f64(double v) { put(std::bit_cast<std::uint64_t>(v), 8); }
  void write_bool(bool v) { write_u8(v ? 1 : 0); }
  /// A number of elements, as a u32. Throws serialization_error above 2^32 − 1.
  void write_length(std::size_t n) {
    if (n > 0xFFFFFFFFu) {
      throw serialization_error("cannot write a length of " + std::to_string(n) + " (the format's limit is 2^32 - 1)");
    }
    write_u32(static_cast<std::uint32_t>(n));
  }
  /// A byte string: its length (u32), then its bytes.
  void write_string(std::string_view s) {
    write_length(s.size());
    for (const char c : s) write_u8(static_cast<std::uint8_t>(c));
  }
  /// A member whose type the reader checks: u16 tag, u8 version, u32 length,
  /// then the state (see the header comment).
  template <class T>
    requires described_state<T>
  void write_nested(const T& x) {
    const serial_type id = serial_type_of(serial_tag<T>{});
    write_u16(static_cast<std::uint16_t>(id.tag));
    write_u8(id.version);
    const std::size_t at = out_.size();
    write_u32(0);
    write_state(*this, x);
    const std::size_t len = out_.size() - at - 4;
    if (len > 0xFFFFFFFFu) throw serialization_error("nested " + std::string(id.name) + " state exceeds 2^32 - 1 bytes");
    patch_u32(at, static_cast<std::uint32_t>(len));
  }

  /// Overwrites 4 bytes at `at` with `v` (little-endian).
  void patch_u32(std::size_t at, std::uint32_t v) noexcept {
    for (std::size_t i = 0; i < 4; ++i) out_[at + i] = static_cast<std::byte>((v >> (8 * i)) & 0xFFu);
  }

  [[nodiscard]] std::size_t size() const noexcept { return out_.size(); }
  [[nodiscard]] std::span<const std::byte> bytes() const noexcept { return out_; }
  /// Moves the buffer out.
  [[nodiscard]] std::vector<std::byte> take() && noexcept { return std::move(out_); }

 private:
  void put(std::uint64_t v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out_.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xFFu));
  }
  std::vector<std::byte> out_;
};

/// Reads little-endian fields from [begin, end) of a buffer, checking every
/// length; errors name the field path and the absolute byte offset.
class binary_reader {
 public:
  /// Reads `buffer[begin, end)`; `version` is the state version to read and
  /// `root` the first element of error paths (the type name). Used by
  /// deserialize; tests and composite readers normally get a reader from it.
  binary_reader(std::span<const std::byte> buffer, std::size_t begin, std::size_t end, std::uint8_t version,
                std::string_view root)
      : buf_(buffer), pos_(begin), end_(end), version_(version), last_(std::string_view{}) {
    if (begin > end || end > buffer.size()) throw invalid_argument("binary_reader range is outside its buffer");
    path_.emplace_back(root);
  }

  /// RAII element of the error path (see enter()).
  class scope {
   public:
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;
    ~scope() { r_->pop_path(); }

   private:
    friend class binary_reader;
    explicit scope(binary_reader& r) noexcept : r_(&r) {}
    binary_reader* r_;
  };
  /// Adds `f` to the error path until the returned scope ends.
  [[nodiscard]] scope enter(field_name f) {
    push_path(f);
    return scope(*this);
  }
  /// The two halves of enter(), for archives that keep their own scopes.
  void push_path(field_name f) { path_.push_back(f); }
  void pop_path() noexcept { path_.pop_back(); }

  [[nodiscard]] std::uint8_t read_u8(field_name f) { return static_cast<std::uint8_t>(get(1, f)); }
  [[nodiscard]] std::uint16_t read_u16(field_name f) { return static_cast<std::uint16_t>(get(2, f)); }
  [[nodiscard]] std::uint32_t read_u32(field_name f) { return static_cast<std::uint32_t>(get(4, f)); }
  [[nodiscard]] std::uint64_t read_u64(field_name f) { return get(8, f); }
  [[nodiscard]] std::int32_t read_i32(field_name f) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(get(4, f)));
  }
  [[nodiscard]] double read_f64(field_name f) { return std::bit_cast<double>(get(8, f)); }
  /// One byte that must be 0 or 1.
  [[nodiscard]] bool read_bool(field_name f) {
    const auto v = read_u8(f);
    if (v > 1) fail("is " + std::to_string(v) + ", a flag must be 0 or 1");
    return v == 1;
  }
  /// A u32 element count; throws unless `count · min_bytes_each` bytes remain,
  /// so the caller may allocate `count` elements safely.
  [[nodiscard]] std::size_t read_length(field_name f, std::size_t min_bytes_each) {
    const auto n = static_cast<std::size_t>(read_u32(f));
    if (min_bytes_each > 0 && n > remaining() / min_bytes_each) {
      fail("declares " + std::to_string(n) + " elements of " + std::to_string(min_bytes_each) +
           " bytes, but only " + std::to_string(remaining()) + " bytes remain");
    }
    return n;
  }

  /// A string written by binary_writer::write_string (any bytes; the
  /// length is checked against the bytes left before allocating).
  [[nodiscard]] std::string read_string(field_name f) {
    const std::size_t n = read_length(f, 1);
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(std::to_integer<unsigned char>(buf_[pos_ + i]));
    pos_ += n;
    return s;
  }

  /// Where a tagged state ends and which version it is in (begin_nested).
  struct nested_frame {
    std::size_t outer_end;
    std::uint8_t outer_version;
    std::uint8_t version;  ///< the state version read from the header
  };
  /// Reads the header of a tagged state of type `id` (u16 tag, u8 version,
  /// u32 length) under the current path, checks it and limits reading to
  /// the state until end_nested.
  nested_frame begin_nested(const serial_type& id) {
    const auto tag_at = pos_;
    const auto tag = static_cast<type_tag>(read_u16("type_tag"));
    if (tag != id.tag) fail_at(tag_at, "type_tag", "holds " + describe(tag) + ", expected " + describe(id.tag));
    const auto version = read_u8("state_version");
    check_version(version, id, pos_ - 1, "state_version");
    const auto len = static_cast<std::size_t>(read_u32("length"));
    if (len > remaining()) {
      fail("is " + std::to_string(len) + " bytes, but only " + std::to_string(remaining()) + " remain (truncated)");
    }
    const nested_frame frame{end_, version_, version};
    end_ = pos_ + len;
    version_ = version;
    return frame;
  }
  /// Checks that the tagged state was read to its end and restores the outer one.
  void end_nested(const nested_frame& frame) {
    expect_end();
    end_ = frame.outer_end;
    version_ = frame.outer_version;
  }
  /// A member written by binary_writer::write_nested: checks its tag,
  /// version and length, reads it and checks that it used exactly its length.
  template <class T>
  [[nodiscard]] T read_nested(field_name f);

  /// Throws unless every byte of the current state was read.
  void expect_end() const {
    if (pos_ != end_) {
      fail_at(pos_, std::string_view{},
              std::to_string(end_ - pos_) + " unread bytes after the end of the state (oversize or corrupt)");
    }
  }

  /// State version being read (1 .. the type's current version).
  [[nodiscard]] std::uint8_t version() const noexcept { return version_; }
  /// How many states were read in a layout older than their type's current
  /// one (a tool that upgrades stored shards can tell them apart); the
  /// archives count them (note_older_layout).
  [[nodiscard]] std::size_t older_layouts() const noexcept { return older_layouts_; }
  void note_older_layout() noexcept { ++older_layouts_; }
  /// Absolute offset of the next byte.
  [[nodiscard]] std::size_t offset() const noexcept { return pos_; }
  /// Bytes left in the current state.
  [[nodiscard]] std::size_t remaining() const noexcept { return end_ - pos_; }
  /// The bytes read from absolute offset `from` (<= offset()) up to offset(),
  /// e.g. to compare a member with its re-serialized form.
  [[nodiscard]] std::span<const std::byte> bytes_from(std::size_t from) const {
    if (from > pos_) throw invalid_argument("binary_reader::bytes_from: offset is past the read position");
    return buf_.subspan(from, pos_ - from);
  }

  /// Throws serialization_error about the field read last (under the path
  /// it was read at).
  [[noreturn]] void fail(std::string_view why) const { throw error_at(last_offset_, last_path_, last_, why); }
  /// Throws serialization_error about field `f` (under the current path) at byte `offset`.
  [[noreturn]] void fail_at(std::size_t offset, field_name f, std::string_view why) const {
    throw error_at(offset, path_, f, why);
  }

  /// "nps_accumulator (tag 0x0010)" or "tag 0x8001 (not a cxmetrics type)".
  [[nodiscard]] static std::string describe(type_tag t) {
    const std::string code = "tag " + hex(static_cast<std::uint16_t>(t), 4);
    const std::string name = to_string(t);
    return !name.empty() ? name + " (" + code + ")" : code + " (not a cxmetrics type)";
  }
  /// "0x" and `digits` lower-case hex digits of `v`.
  [[nodiscard]] static std::string hex(std::uint64_t v, int digits) {
    static constexpr char xdigit[] = "0123456789abcdef";
    std::string out = "0x";
    for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) out.push_back(xdigit[(v >> shift) & 0xF]);
    return out;
  }

  /// Throws unless 1 <= version <= id.version.
  void check_version(std::uint8_t version, const serial_type& id, std::size_t at, field_name f) const {
    if (version == 0 || version > id.version) {
      fail_at(at, f,
              "state version " + std::to_string(version) + " of " + std::string(id.name) +
                  " is not supported (this build reads versions 1.." + std::to_string(id.version) +
                  (version > id.version ? "; written by a newer cxmetrics)" : ")"));
    }
  }

 private:
  static serialization_error error_at(std::size_t offset, const std::vector<field_name>& at, const field_name& f,
                                      std::string_view why) {
    std::string path;
    auto add = [&path](const field_name& e) {
      if (!e.name.empty()) {
        if (!path.empty()) path.append(".");
        path.append(e.name);
      }
      if (e.index != field_name::no_index) path.append("[").append(std::to_string(e.index)).append("]");
    };
    for (const auto& e : at) add(e);
    add(f);
    return serialization_error("byte offset " + std::to_string(offset) + ": " + std::string(why), at_field(path));
  }

  std::uint64_t get(std::size_t n, field_name f) {
    last_offset_ = pos_;
    last_ = f;
    last_path_ = path_;  // reuses its capacity: no allocation once warm
    if (n > end_ - pos_) {
      fail("needs " + std::to_string(n) + " bytes, but only " + std::to_string(end_ - pos_) + " remain (truncated)");
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= std::to_integer<std::uint64_t>(buf_[pos_ + i]) << (8 * i);
    pos_ += n;
    return v;
  }

  std::span<const std::byte> buf_;
  std::size_t pos_;
  std::size_t end_;
  std::uint8_t version_;
  std::vector<field_name> path_;
  std::vector<field_name> last_path_;
  field_name last_;
  std::size_t last_offset_ = 0;
  std::size_t older_layouts_ = 0;
};

}  // namespace cxm
