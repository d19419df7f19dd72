// The binary format's framework: the preamble, the two archives that walk a
// state's field hook (core/fields.hpp) over the byte-level binary_writer and
// binary_reader (io/binary_stream.hpp, with CRC-32), and serialize /
// deserialize. No type is known here; io/binary.hpp includes this and the
// headers of every cxmetrics state, and has the layouts.
//
// ENCODING. Every integer is little-endian, written and read one byte at a
// time (shifts, never memcpy of host integers), so the bytes are the same on
// every host. i32 and i64 are two's complement. f64 is the IEEE-754 binary64
// bit pattern written as a u64. A bool is one byte, 0 or 1 (anything else is
// rejected). An enumeration is a u8 index into its table of codes, never the
// C++ enumerator value. A string is a u32 byte count followed by the bytes,
// no terminator. A sequence is a u32 element count, then the elements; the
// count is checked against the bytes that remain BEFORE anything is
// allocated. A part of a state is written inline, in place; a member whose
// type the reader must check (a composite's members) is a tagged state:
// u16 type tag, u8 state version, u32 length L, then L bytes of state.
//
// PREAMBLE (16 bytes), then the payload:
//
//   offset  size  field
//   ------  ----  -------------------------------------------------------------
//        0     4  magic "CXMS" (0x43 0x58 0x4D 0x53)
//        4     1  format version = serial_format_version (1): the preamble layout
//        5     1  state version of the type (serial_type::version)
//        6     2  type tag (u16, enum type_tag of core/fields.hpp)
//        8     4  payload length P (u32); the buffer must be exactly 16 + P bytes
//       12     4  CRC-32 of the P payload bytes (u32)
//       16     P  payload (the state)
//
// CRC-32 is the ISO-HDLC CRC of ITU-T V.42 / IEEE 802.3 (zlib, gzip, PNG):
// generator polynomial 0x04C11DB7 (bit-reversed 0xEDB88320), initial value
// and final XOR 0xFFFFFFFF, input and output reflected; check value
// crc32("123456789") = 0xCBF43926 (Cook, "Catalogue of parametrised CRC
// algorithms", entry CRC-32/ISO-HDLC). It detects every single-bit error, every
// burst of up to 32 bits (so every single corrupted byte) and all but 2^-32
// of other errors (Peterson & Brown 1961; Koopman 2002). The header fields are
// not covered by it but are each checked for their exact expected value.
//
// Checks, in this order, each throwing serialization_error whose field names
// the part (e.g. 'preamble.type_tag' or 'nps_accumulator.counts.counts[3]') and
// whose message gives the byte offset ("byte offset 6: ..."): buffer shorter
// than the preamble; magic; format version; type tag (names the type found and
// the type expected); state version (0 or newer than this build writes);
// payload length versus buffer size (truncated / trailing bytes); CRC; then
// every field of the payload, by the type's hook: each length against the
// bytes that remain, each value against its domain, and the state must end
// exactly at the end of the payload. A state of an older version is read in
// its own layout (the hook sees it through ar.legacy); serialize always
// writes the current one.
//
// Canonical form: a hook writes in a deterministic order (hashed groups
// sorted by key) and accepts only what it would write itself (bools 0/1,
// exact enum codes, no slack, keys strictly ascending), so a state of the
// current version that deserializes re-serializes to the same bytes (the
// fuzz target tests/fuzz/deserialize_fuzz.cpp asserts it).
//
// LOW-LEVEL HOOKS. A type may also join the binary format alone, without a
// field hook, with the functions binary_writer and binary_reader offer:
//
//   constexpr cxm::serial_type serial_type_of(cxm::serial_tag<T>) noexcept;
//   void write_state(cxm::binary_writer& w, const T& x);   // the payload only
//   T read_state(cxm::binary_reader& r, cxm::serial_tag<T>);
//
// (r.read_u64("seed"), r.read_u64({"counts", i}), `auto s = r.enter("counts");`
// for error paths, r.read_length(field, min_bytes_per_element) before any
// allocation, r.fail(why) / r.fail_at(offset, field, why) for a bad value,
// w.write_nested(member) / r.read_nested<T>(field) for a cxmetrics state
// inside). An application type takes a tag in 0x8000..0xFFFF.
//
// Header: cxmetrics/io/binary_archive.hpp (header-only). Complexity: O(size
// of the state) both ways; CRC-32 by a 256-entry table built at compile time.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/fields.hpp"
#include "cxmetrics/io/binary_stream.hpp"
#include "cxmetrics/io/detail/archive_ops.hpp"

namespace cxm::inline v0_1 {

/// The four magic bytes "CXMS" that open every serialized state.
inline constexpr std::array<std::uint8_t, 4> serial_magic = {0x43, 0x58, 0x4D, 0x53};
/// Version of the preamble layout.
inline constexpr std::uint8_t serial_format_version = 1;
/// Bytes of the preamble before the payload.
inline constexpr std::size_t serial_preamble_size = 16;
/// Largest payload (its length is a u32).
inline constexpr std::size_t serial_max_payload = 0xFFFFFFFFu;

namespace detail::binary_io {
class out;
class in;
}  // namespace detail::binary_io

/// A state with a field hook (core/fields.hpp).
template <class T>
concept field_state = described_state<T> && requires(detail::binary_io::out& w, T& x) { visit_fields(w, x); };

/// A type with the low-level binary hooks (see the header comment).
template <class T>
concept binary_hooks = requires(binary_writer& w, binary_reader& r, const T& x) {
  { serial_type_of(serial_tag<T>{}) } -> std::convertible_to<serial_type>;
  write_state(w, x);
  { read_state(r, serial_tag<T>{}) } -> std::same_as<T>;
};

/// What serialize and deserialize take: a state with a type tag of its own.
template <class T>
concept serializable = (field_state<T> || binary_hooks<T>) &&
                       requires { requires serial_type_of(serial_tag<T>{}).tag != type_tag::none; };

namespace detail::binary_io {

/// The archive that writes a state's fields (core/fields.hpp) to a binary_writer.
class out : public writer_ops<out> {
 public:
  using writer_ops::value;
  /// Scopes carry nothing when writing.
  struct scope {
    ~scope() {}  // user-provided: a scope held only for its lifetime draws no warning
  };

  explicit out(binary_writer& w) noexcept : w_(&w) {}

  scope member(std::string_view) const noexcept { return {}; }
  scope element(std::size_t) const noexcept { return {}; }
  template <class T>
  void value(T& v) {
    if constexpr (std::same_as<T, bool>) {
      w_->write_bool(v);
    } else if constexpr (std::same_as<T, std::uint8_t>) {
      w_->write_u8(v);
    } else if constexpr (std::same_as<T, std::uint32_t>) {
      w_->write_u32(v);
    } else if constexpr (std::same_as<T, std::uint64_t>) {
      w_->write_u64(v);
    } else if constexpr (std::same_as<T, std::int32_t>) {
      w_->write_i32(v);
    } else if constexpr (std::same_as<T, std::int64_t>) {
      w_->write_u64(static_cast<std::uint64_t>(v));  // two's complement
    } else if constexpr (std::same_as<T, double>) {
      w_->write_f64(v);
    } else if constexpr (std::same_as<T, std::string>) {
      w_->write_string(v);
    } else {
      visit_fields(*this, v);
    }
  }
  template <class T>
  std::uint8_t tagged(T& x) {
    w_->write_nested(x);
    return serial_type_of(serial_tag<T>{}).version;
  }
  template <class E, std::size_t N>
  void choice(std::string_view, E& e, const std::array<E, N>& codes, const std::array<std::string_view, N>&,
              std::string_view what) {
    const auto i = code_of(codes, e);
    if (i == N) throw serialization_error("cannot write a " + std::string(what) + " without a code");
    w_->write_u8(static_cast<std::uint8_t>(i));
  }
  void sequence(std::string_view, std::size_t& n, std::size_t, std::string_view = {}) { w_->write_length(n); }
  void fixed(std::string_view, std::size_t) const noexcept {}
  void implied_flag(std::string_view, bool& v, std::initializer_list<std::string_view>) { w_->write_bool(v); }
  /// Binary fields are always present: an empty one is a bug of the hook.
  template <class T>
  void optional_field(std::string_view, std::optional<T>& v) {
    if (!v) throw serialization_error("cannot write an invalid state: a binary field is missing");
    value(*v);
  }

 private:
  binary_writer* w_;
};

/// The archive that reads a state's fields (core/fields.hpp) from a binary_reader.
class in : public reader_ops<in> {
 public:
  using mark_type = std::size_t;

  /// Reads states of `version` from `r`'s current position.
  in(binary_reader& r, std::uint8_t version) : r_(&r), versions_{version}, starts_{r.offset()} {}

  /// A part of the path, and where it starts, until the scope ends.
  class scope {
   public:
    scope(in& a, field_name f) : a_(&a) {
      a.r_->push_path(f);
      a.starts_.push_back(a.r_->offset());
    }
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;
    ~scope() {
      a_->starts_.pop_back();
      a_->r_->pop_path();
    }

   private:
    in* a_;
  };

  [[nodiscard]] scope member(std::string_view name) { return scope(*this, field_name(name)); }
  [[nodiscard]] scope element(std::size_t i) { return scope(*this, field_name(std::string_view{}, i)); }
  template <class T>
  void value(T& v) {
    if constexpr (std::same_as<T, bool>) {
      v = r_->read_bool(std::string_view{});
    } else if constexpr (std::same_as<T, std::uint8_t>) {
      v = r_->read_u8(std::string_view{});
    } else if constexpr (std::same_as<T, std::uint32_t>) {
      v = r_->read_u32(std::string_view{});
    } else if constexpr (std::same_as<T, std::uint64_t>) {
      v = r_->read_u64(std::string_view{});
    } else if constexpr (std::same_as<T, std::int32_t>) {
      v = r_->read_i32(std::string_view{});
    } else if constexpr (std::same_as<T, std::int64_t>) {
      v = static_cast<std::int64_t>(r_->read_u64(std::string_view{}));  // modular: two's complement
    } else if constexpr (std::same_as<T, double>) {
      v = r_->read_f64(std::string_view{});
    } else if constexpr (std::same_as<T, std::string>) {
      v = r_->read_string(std::string_view{});
    } else {
      value(v, serial_type_of(serial_tag<T>{}).version);
    }
  }
  /// A state inline, in the layout of state version `version`.
  template <class T>
  void value(T& x, std::uint8_t version) {
    versions_.push_back(version);
    starts_.push_back(r_->offset());
    visit_fields(*this, x);
    starts_.pop_back();
    versions_.pop_back();
  }
  template <class T>
  std::uint8_t tagged(T& x) {
    const auto frame = r_->begin_nested(serial_type_of(serial_tag<T>{}));
    value(x, frame.version);
    r_->end_nested(frame);
    return frame.version;
  }
  template <class E, std::size_t N>
  void choice(std::string_view name, E& e, const std::array<E, N>& codes, const std::array<std::string_view, N>&,
              std::string_view what) {
    auto s = member(name);
    const auto code = r_->read_u8(std::string_view{});
    if (code >= N) {
      fail(std::string(what) + " code " + std::to_string(code) + " is not one of 0.." + std::to_string(N - 1));
    }
    e = codes[code];
  }
  void sequence(std::string_view name, std::size_t& n, std::size_t min_bytes_each, std::string_view binary_name = {}) {
    n = r_->read_length(binary_name.empty() ? name : binary_name, min_bytes_each);
  }
  void fixed(std::string_view, std::size_t) const noexcept {}
  void implied_flag(std::string_view name, bool& v, std::initializer_list<std::string_view>) { v = r_->read_bool(name); }
  /// Every field is present in the binary form.
  [[nodiscard]] bool has_member(std::string_view) const noexcept { return true; }
  [[nodiscard]] bool legacy(std::string_view, std::uint8_t version) const noexcept {
    const bool older = versions_.back() < version;
    if (older) r_->note_older_layout();
    return older;
  }
  void only_members(std::initializer_list<std::string_view>) const noexcept {}
  [[nodiscard]] mark_type mark() const noexcept { return r_->offset(); }
  [[noreturn]] void fail(std::string_view why) const { r_->fail(why); }
  [[noreturn]] void fail_at(mark_type at, std::string_view f, std::string_view why) const { r_->fail_at(at, f, why); }
  [[noreturn]] void fail_here(std::string_view why) const { r_->fail_at(starts_.back(), std::string_view{}, why); }
  /// Where the current object starts (what rebuild reports).
  [[nodiscard]] mark_type scope_mark() const noexcept { return starts_.back(); }
  /// The state `stored` written again gives the bytes read since `at`; for a
  /// state of an older version, stored == read.
  template <class T>
  [[nodiscard]] bool same_as_read(mark_type at, const T& stored, const T& read, std::uint8_t version) const {
    if (version != serial_type_of(serial_tag<T>{}).version) return stored == read;
    binary_writer w;
    out o(w);
    o.value(const_cast<T&>(stored));  // NOLINT: the writing archive does not change it
    const auto a = w.bytes();
    const auto b = r_->bytes_from(at);
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
  }

 private:
  binary_reader* r_;
  std::vector<std::uint8_t> versions_;
  std::vector<std::size_t> starts_;
};

/// A T of state version `version` at the reader's position.
template <class T>
[[nodiscard]] T read_as(binary_reader& r, std::uint8_t version) {
  if constexpr (field_state<T>) {
    in a(r, version);
    T x = serial_start<T>();
    visit_fields(a, x);
    return x;
  } else {
    return read_state(r, serial_tag<T>{});
  }
}

}  // namespace detail::binary_io

/// The binary form of a state with a field hook, inline (for low-level
/// hooks that hold one).
template <field_state T>
void write_state(binary_writer& w, const T& x) {
  detail::binary_io::out a(w);
  a.value(const_cast<T&>(x));  // NOLINT: the writing archive does not change it
}
/// Reads a state with a field hook written inline by write_state, in its
/// current version.
template <field_state T>
[[nodiscard]] T read_state(binary_reader& r, serial_tag<T>) {
  return detail::binary_io::read_as<T>(r, serial_type_of(serial_tag<T>{}).version);
}

template <class T>
T binary_reader::read_nested(field_name f) {
  auto s = enter(f);
  const auto frame = begin_nested(serial_type_of(serial_tag<T>{}));
  T x = detail::binary_io::read_as<T>(*this, frame.version);
  end_nested(frame);
  return x;
}

/// The checked preamble of a buffer.
struct serial_preamble {
  std::uint8_t format_version = 0;
  std::uint8_t state_version = 0;
  type_tag tag = type_tag::none;
  std::uint32_t payload_size = 0;
  std::uint32_t crc = 0;
};

namespace detail::binary_io {

inline std::uint64_t le(std::span<const std::byte> b, std::size_t at, std::size_t n) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= std::to_integer<std::uint64_t>(b[at + i]) << (8 * i);
  return v;
}

[[noreturn]] inline void fail_preamble(std::size_t offset, std::string_view field, const std::string& why) {
  throw serialization_error("byte offset " + std::to_string(offset) + ": " + why,
                            at_field(field.empty() ? std::string("preamble") : "preamble." + std::string(field)));
}

/// Checks the preamble in byte order; `expected` (when given) is checked
/// after the magic and format version: tag, then state version.
inline serial_preamble check_preamble(std::span<const std::byte> b, const serial_type* expected) {
  if (b.size() < serial_preamble_size) {
    fail_preamble(0, "",
                  "buffer of " + std::to_string(b.size()) + " bytes is shorter than the " +
                      std::to_string(serial_preamble_size) + "-byte preamble (truncated)");
  }
  for (std::size_t i = 0; i < serial_magic.size(); ++i) {
    if (std::to_integer<std::uint8_t>(b[i]) != serial_magic[i]) {
      fail_preamble(i, "magic", "magic bytes are not \"CXMS\": not a serialized cxmetrics state");
    }
  }
  serial_preamble p;
  p.format_version = static_cast<std::uint8_t>(le(b, 4, 1));
  p.state_version = static_cast<std::uint8_t>(le(b, 5, 1));
  p.tag = static_cast<type_tag>(le(b, 6, 2));
  p.payload_size = static_cast<std::uint32_t>(le(b, 8, 4));
  p.crc = static_cast<std::uint32_t>(le(b, 12, 4));
  if (p.format_version != serial_format_version) {
    fail_preamble(4, "format_version",
                  "format version " + std::to_string(p.format_version) + " is not supported (this build reads " +
                      std::to_string(serial_format_version) + ")");
  }
  if (expected != nullptr) {
    if (p.tag != expected->tag) {
      fail_preamble(6, "type_tag",
                    "holds " + binary_reader::describe(p.tag) + ", expected " + binary_reader::describe(expected->tag));
    }
    if (p.state_version == 0 || p.state_version > expected->version) {
      fail_preamble(5, "state_version",
                    "state version " + std::to_string(p.state_version) + " of " + std::string(expected->name) +
                        " is not supported (this build reads versions 1.." + std::to_string(expected->version) +
                        (p.state_version > expected->version ? "; written by a newer cxmetrics)" : ")"));
    }
  } else if (p.state_version == 0) {
    fail_preamble(5, "state_version", "state version 0 is not valid");
  }
  const std::size_t follows = b.size() - serial_preamble_size;
  if (p.payload_size > follows) {
    fail_preamble(8, "payload_length",
                  "payload length is " + std::to_string(p.payload_size) + " bytes, but only " +
                      std::to_string(follows) + " follow the preamble (truncated)");
  }
  if (p.payload_size < follows) {
    fail_preamble(8, "payload_length",
                  "payload length is " + std::to_string(p.payload_size) + " bytes, but " + std::to_string(follows) +
                      " follow the preamble (" + std::to_string(follows - p.payload_size) + " trailing bytes)");
  }
  const auto actual = crc32(b.subspan(serial_preamble_size));
  if (actual != p.crc) {
    fail_preamble(12, "crc32",
                  "CRC-32 of the payload does not match (stored " + binary_reader::hex(p.crc, 8) + ", computed " +
                      binary_reader::hex(actual, 8) + "): the data is corrupt");
  }
  return p;
}

inline void write_preamble(binary_writer& w, const serial_type& id) {
  for (auto m : serial_magic) w.write_u8(m);
  w.write_u8(serial_format_version);
  w.write_u8(id.version);
  w.write_u16(static_cast<std::uint16_t>(id.tag));
  w.write_u32(0);  // payload length, patched
  w.write_u32(0);  // CRC, patched
}

}  // namespace detail::binary_io

/// Checks the preamble of `bytes` (magic, format version, state version not
/// 0, payload length, CRC) without looking at the type, so a caller can
/// dispatch on the tag. Throws serialization_error.
[[nodiscard]] inline serial_preamble read_preamble(std::span<const std::byte> bytes) {
  return detail::binary_io::check_preamble(bytes, nullptr);
}

/// The binary form of `x`: preamble + payload (see the header comment).
/// Throws serialization_error when the payload would exceed 2^32 − 1 bytes.
template <serializable T>
[[nodiscard]] std::vector<std::byte> serialize(const T& x) {
  const serial_type id = serial_type_of(serial_tag<T>{});
  binary_writer w;
  detail::binary_io::write_preamble(w, id);
  write_state(w, x);
  const std::size_t payload = w.size() - serial_preamble_size;
  if (payload > serial_max_payload) {
    throw serialization_error(std::string(id.name) + " state of " + std::to_string(payload) +
                              " bytes exceeds the 2^32 - 1 byte payload limit");
  }
  w.patch_u32(8, static_cast<std::uint32_t>(payload));
  w.patch_u32(12, crc32(w.bytes().subspan(serial_preamble_size)));
  return std::move(w).take();
}

/// Reads a T written by serialize, checking everything (see the header
/// comment). Throws serialization_error naming the field and byte offset.
template <serializable T>
[[nodiscard]] T deserialize(std::span<const std::byte> bytes) {
  const serial_type id = serial_type_of(serial_tag<T>{});
  const auto p = detail::binary_io::check_preamble(bytes, &id);
  binary_reader r(bytes, serial_preamble_size, bytes.size(), p.state_version, id.name);
  try {
    T x = detail::binary_io::read_as<T>(r, p.state_version);
    r.expect_end();
    return x;
  } catch (const serialization_error&) {
    throw;
  } catch (const error& e) {
    // A hook that let a constructor's error escape: still a serialization error.
    r.fail(std::string("is not a valid ") + std::string(id.name) + " state: " + e.reason());
  }
}

}  // namespace cxm
