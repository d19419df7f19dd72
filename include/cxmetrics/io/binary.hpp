// Versioned, endian-stable binary form of every mergeable state, so that
// shards counted on many machines can be shipped and merged later
// (the serialise/deserialise contract of Apache DataSketches: a versioned
// preamble, a static deserialize that checks every length, golden files).
//
//   std::vector<std::byte> bytes = cxm::serialize(acc);                 // any registered type
//   auto back = cxm::deserialize<cxm::nps_accumulator>(bytes);           // checks everything
//   back.merge(other_shard);
//
// Why std::vector<std::byte>: the bytes are not text, and std::byte cannot be
// mistaken for characters (no printing, no NUL-termination, no char signedness);
// it is what deserialize reads (std::span<const std::byte>), so
// deserialize<T>(serialize(x)) needs no conversion. Bytes held in a
// std::string or a uint8_t buffer are passed as std::as_bytes(std::span(s)).
//
// ENCODING. Every integer is little-endian, written and read one byte at a
// time (shifts, never memcpy of host integers), so the bytes are the same on
// every host. i32 is two's complement. f64 is the IEEE-754 binary64 bit
// pattern written as a u64 (NaN is never accepted by any state below, so no
// NaN payloads can appear). A bool is one byte, 0 or 1 (anything else is
// rejected). Enumerations are written as the fixed codes of the tables below,
// never as the C++ enumerator values. A string (for composites' keys) is a u32
// byte count followed by the bytes, no terminator.
//
// PREAMBLE (16 bytes), then the payload:
//
//   offset  size  field
//   ------  ----  -------------------------------------------------------------
//        0     4  magic "CXMS" (0x43 0x58 0x4D 0x53)
//        4     1  format version = serial_format_version (1): the preamble layout
//        5     1  state version of the type (1 for every type below)
//        6     2  type tag (u16, enum type_tag)
//        8     4  payload length P (u32); the buffer must be exactly 16 + P bytes
//       12     4  CRC-32 of the P payload bytes (u32)
//       16     P  payload (the state, layouts below)
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
// every field of the payload: each length against the bytes that remain
// BEFORE anything is allocated, each value against its domain, and the state
// must end exactly at the end of the payload.
//
// TYPE TAGS (type_tag) and payload layouts, version 1. Offsets are relative to
// the start of the payload; a nested state (e.g. the score_counts inside an
// accumulator) is written inline, without preamble, at that place.
//
//   0x0001 scale  (17 bytes)
//     +0  u8   kind: 0 nps, 1 csat, 2 ces, 3 binary, 4 custom
//     +1  i32  min        +5 i32 max        +9 i32 high_min        +13 i32 low_max
//     The scale is rebuilt through its factory (scale::csat(6 - high_min),
//     scale::ces(high_min), scale::custom(...)) and every field must match it.
//
//   0x0002 score_counts  (22 + 8·B, or 22 + 24·B when weighted)
//     +0   17     scale
//     +17  u8     weighted: 0 or 1
//     +18  u32    B = number of bins; must equal the scale's points
//     +22  B×u64  counts per bin (score min .. max); their sum must fit a u64
//     then, only when weighted:
//          B×f64  Σw per bin       finite, >= 0, and 0 when the bin's count is 0
//          B×f64  Σw² per bin      same rules
//
//   0x0010 nps_accumulator   (33 + score_counts)
//     +0 f64 level   +8 u8 method   +9 f64 prior   +17 u64 bootstrap_replicates
//     +25 u64 seed   +33 score_counts on scale::nps()
//   0x0011 csat_accumulator  (13 + score_counts)
//     +0 f64 level   +8 i32 top_box (1..4)   +12 u8 share_method
//     +13 score_counts on scale::csat(top_box)
//   0x0012 ces_accumulator   (13 + score_counts)
//     +0 f64 level   +8 i32 easy_min (2..7)  +12 u8 share_method
//     +13 score_counts on scale::ces(easy_min)
//   0x0013 resolution_accumulator  (9 + score_counts + 8)
//     +0 f64 level   +8 u8 method   +9 score_counts on scale::binary()
//     then u64 unknown (answered + unknown must fit a u64)
//   Options are checked with check_nps_options / check_csat_options / ... .
//
//   0x0014 score_histogram  (score_counts)                 io/binary_engine.hpp
//     +0 score_counts, on any scale
//
//   0x0020 engine::nps_tally  (24 bytes)
//     +0 u64 detractors   +8 u64 passives   +16 u64 promoters   (sum fits a u64)
//   0x0021 engine::weighted_nps_tally  (72 bytes)
//     detractors, passives, promoters, each: u64 n, f64 Σw, f64 Σw²
//     (Σw, Σw² finite, >= 0, and 0 when n is 0; the three n sum within a u64)
//   0x0022 engine::grouped_nps  (8 + 4·K + 24·C)
//     +0 u32 K key columns   +4 K×u32 cardinalities   then u32 C cells
//     then C × nps_tally (24 bytes each, row-major, last key fastest)
//     C must equal the product of the cardinalities; K = 0 with C = 0 is the
//     default-constructed (empty) grouping.
//
//   0x0030 metric_set<A...>  (12 + sum of (7 + member))   io/binary_engine.hpp
//     +0  u64 rows = count(); must be >= the count of every member
//     +8  u32 M members; must equal sizeof...(A)
//     +12 M nested members in member order (u16 tag, u8 state version,
//         u32 length L, then L bytes of state); member i's tag must be that
//         of A_i, e.g. 0x0010 then 0x0011 for
//         metric_set<nps_accumulator, csat_accumulator>
//
//   0x0031 group_by<Acc, Key...>  (4 + 5·K + 7 + prototype + 4 + groups)
//                                                          io/binary_engine.hpp
//     +0  u32 K keys; must equal sizeof...(Key)
//     +4  K × (u8 kind, u32 cardinality), key by key: the kind must be the
//         Key's (codes below); the cardinality is N for dense_key<N>, any for
//         dense_key<> (an all-dense grouping has at most max_dense_groups =
//         2^20 cells, the product), 0 for a hashed key
//     then the prototype as a nested state (u16 tag of Acc, u8 version, u32
//         length, state: so the tag names Acc); it must be empty
//     then u32 G groups, then G times:
//         the key, one value per key: dense u32 below its cardinality,
//         uint64 / int64 u64 (two's complement), uint32 u32, int32 i32,
//         string u32 byte count + bytes
//         then that group's Acc state inline (the layout of Acc's tag)
//     Keys strictly ascending (std::tuple's <; strings bytewise as unsigned
//     char, a prefix first), so each at most once; each state is as
//     insert() keeps it, i.e. inserting it into the prototype leaves its
//     bytes unchanged; the groups' counts sum within a u64.
//   group_by key kinds: 0 dense (dense_key<N>), 1 dense_runtime
//   (dense_key<>), 2 uint64, 3 int64, 4 uint32, 5 int32 (any integer type of
//   that width and signedness), 6 string (std::string).
//
//   0x8000..0xFFFF: free for application types (never used by cxmetrics).
//
//   interval_method codes: 0 wald, 1 adjusted_wald, 2 wilson, 3 jeffreys,
//   4 clopper_pearson, 5 agresti_coull, 6 t, 7 bayes_dirichlet, 8 bootstrap,
//   9 newcombe.
//
// A NESTED STATE whose type the reader must check (members of a composite)
// is written with binary_writer::write_nested and read with
// binary_reader::read_nested<T>:
//     u16 type tag, u8 state version, u32 length L, then L bytes of state.
//
// ADDING A TYPE. Serialization is an ADL customisation point; a type T joins
// by declaring, in T's own namespace (so argument-dependent lookup finds
// them; serial_tag<T> carries T's namespace):
//
//   constexpr cxm::serial_type serial_type_of(cxm::serial_tag<T>) noexcept {
//     return {cxm::type_tag::my_type, 1, "my_type"};     // tag, state version, name
//   }
//   void write_state(cxm::binary_writer& w, const T& x);  // the payload only
//   T read_state(cxm::binary_reader& r, cxm::serial_tag<T>);
//
// and then cxm::serialize(x) / cxm::deserialize<T>(bytes) work (the concept
// cxm::serializable<T> checks the three). Rules for those functions:
//   1. Tag: a cxmetrics type adds an enumerator to type_tag (a new number,
//      never reuse or renumber one) and a
//      row to the tables in this comment; an application type uses a number
//      in 0x8000..0xFFFF without touching this header.
//   2. Write fixed-width fields with write_u8/u16/u32/u64/i32/f64/bool,
//      strings with write_string and every count of elements with
//      write_length (u32). Write members of
//      cxmetrics types with write_state(w, member) when the layout fixes their
//      type, or with w.write_nested(member) when the reader must check it
//      (e.g. metric_set<A...>: write_length(sizeof...(A)), then write_nested
//      of each member; group_by<Acc, Key...>: the prototype nested, so its
//      tag names Acc, then the groups' states inline).
//   3. Read in the same order. Give every read a field name
//      (r.read_u64("seed"), r.read_u64({"counts", i})) and wrap members in
//      `auto s = r.enter("counts");` so errors name the full path. Read every
//      element count with r.read_length(field, min_bytes_per_element): it
//      throws unless that many elements can still fit in the bytes left, so
//      reserve/resize only after it. Check every value against its domain and
//      report a bad one with r.fail(why) (the field just read) or
//      r.fail_at(offset, field, why); convert a cxm::error thrown by a
//      constructor into r.fail_at(...) as well (deserialize turns any other
//      cxm::error escaping read_state into a serialization_error, but the
//      message is then less precise).
//   4. Canonical form: write in a deterministic order (hashed groups sorted
//      by key) and accept only bytes that the writer would produce for the
//      state read (bools 0/1, exact enum codes, no slack, keys strictly
//      ascending), so a state that deserializes re-serializes to the same
//      bytes. The fuzz target (tests/fuzz/deserialize_fuzz.cpp) asserts
//      this for every type it lists: add the type there.
//   5. Pin the layout: a golden file in tests/data/golden/ (made by
//      make_golden.py from this documented layout), a test in
//      tests/serialize_test.cpp and a seed in tests/fuzz/corpus/deserialize/.
//   6. Changing a layout: raise the version in serial_type_of; read_state sees
//      the version it must read as r.version() (1..current) and keeps reading
//      the older ones. serialize always writes the current version.
//
// The hooks of the engine's accumulators (score_histogram, metric_set,
// group_by) are in cxmetrics/io/binary_engine.hpp, which includes this one.
//
// Header: cxmetrics/io/binary.hpp (header-only: a few inline primitives and
// templates, so consumers of the headers alone can serialise). Complexity:
// O(size of the state) both ways; CRC-32 by a 256-entry table built at
// compile time.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/engine/group_by.hpp"
#include "cxmetrics/metrics/ces.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/metrics/resolution.hpp"

namespace cxm {

static_assert(std::numeric_limits<double>::is_iec559, "the binary format stores IEEE-754 binary64 doubles");

/// The four magic bytes "CXMS" that open every serialized state.
inline constexpr std::array<std::uint8_t, 4> serial_magic = {0x43, 0x58, 0x4D, 0x53};
/// Version of the preamble layout.
inline constexpr std::uint8_t serial_format_version = 1;
/// Bytes of the preamble before the payload.
inline constexpr std::size_t serial_preamble_size = 16;
/// Largest payload (its length is a u32).
inline constexpr std::size_t serial_max_payload = 0xFFFFFFFFu;

/// Registry of the type tags of the binary format (see the header comment):
/// one number per type, never reused or renumbered.
enum class type_tag : std::uint16_t {
  scale = 0x0001,
  score_counts = 0x0002,
  nps_accumulator = 0x0010,
  csat_accumulator = 0x0011,
  ces_accumulator = 0x0012,
  resolution_accumulator = 0x0013,
  score_histogram = 0x0014,  ///< hooks in io/binary_engine.hpp
  nps_tally = 0x0020,
  weighted_nps_tally = 0x0021,
  grouped_nps = 0x0022,
  metric_set = 0x0030,  ///< metric_set<A...>; hooks in io/binary_engine.hpp
  grouped = 0x0031,     ///< group_by<Acc, Key...> (named "group_by"); hooks in io/binary_engine.hpp
};

/// Every tag of the registry (for uniqueness checks and dispatch).
inline constexpr std::array<type_tag, 12> registered_type_tags = {
    type_tag::scale,           type_tag::score_counts,           type_tag::nps_accumulator,
    type_tag::csat_accumulator, type_tag::ces_accumulator,       type_tag::resolution_accumulator,
    type_tag::score_histogram, type_tag::nps_tally,              type_tag::weighted_nps_tally,
    type_tag::grouped_nps,     type_tag::metric_set,             type_tag::grouped};

/// Name of a registered tag; "" for any other number.
[[nodiscard]] constexpr const char* to_string(type_tag t) noexcept {
  switch (t) {
    case type_tag::scale: return "scale";
    case type_tag::score_counts: return "score_counts";
    case type_tag::nps_accumulator: return "nps_accumulator";
    case type_tag::csat_accumulator: return "csat_accumulator";
    case type_tag::ces_accumulator: return "ces_accumulator";
    case type_tag::resolution_accumulator: return "resolution_accumulator";
    case type_tag::score_histogram: return "score_histogram";
    case type_tag::nps_tally: return "nps_tally";
    case type_tag::weighted_nps_tally: return "weighted_nps_tally";
    case type_tag::grouped_nps: return "grouped_nps";
    case type_tag::metric_set: return "metric_set";
    case type_tag::grouped: return "group_by";
  }
  return "";
}

/// What a serializable type declares about itself (see "ADDING A TYPE").
struct serial_type {
  type_tag tag;          ///< its number in the format
  std::uint8_t version;  ///< the state version serialize writes (>= 1)
  std::string_view name; ///< used in error messages and field paths
};

/// Empty argument that selects the overloads of a type T (and, through its
/// template argument, makes ADL look in T's namespace).
template <class T>
struct serial_tag {};

/// A field name with an optional element index, used in error paths:
/// "level" or {"counts", 3} → "counts[3]".
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

class binary_writer;
class binary_reader;

/// A type with the three hooks of "ADDING A TYPE" (found by ADL).
template <class T>
concept serializable = requires(binary_writer& w, binary_reader& r, const T& x) {
  { serial_type_of(serial_tag<T>{}) } -> std::convertible_to<serial_type>;
  write_state(w, x);
  { read_state(r, serial_tag<T>{}) } -> std::same_as<T>;
};

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
  template <serializable T>
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
    ~scope() { r_->path_.pop_back(); }

   private:
    friend class binary_reader;
    explicit scope(binary_reader& r) noexcept : r_(&r) {}
    binary_reader* r_;
  };
  /// Adds `f` to the error path until the returned scope ends.
  [[nodiscard]] scope enter(field_name f) {
    path_.push_back(f);
    return scope(*this);
  }

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

  /// A member written by binary_writer::write_nested: checks its tag,
  /// version and length, reads it with read_state and checks that it used
  /// exactly its length.
  template <serializable T>
  [[nodiscard]] T read_nested(field_name f) {
    const serial_type id = serial_type_of(serial_tag<T>{});
    auto s = enter(f);
    const auto tag_at = pos_;
    const auto tag = static_cast<type_tag>(read_u16("type_tag"));
    if (tag != id.tag) fail_at(tag_at, "type_tag", "holds " + describe(tag) + ", expected " + describe(id.tag));
    const auto version = read_u8("state_version");
    check_version(version, id, pos_ - 1, "state_version");
    const auto len = static_cast<std::size_t>(read_u32("length"));
    if (len > remaining()) {
      fail("is " + std::to_string(len) + " bytes, but only " + std::to_string(remaining()) + " remain (truncated)");
    }
    const auto saved_end = end_;
    const auto saved_version = version_;
    end_ = pos_ + len;
    version_ = version;
    T x = read_state(*this, serial_tag<T>{});
    expect_end();
    end_ = saved_end;
    version_ = saved_version;
    return x;
  }

  /// Throws unless every byte of the current state was read.
  void expect_end() const {
    if (pos_ != end_) {
      fail_at(pos_, std::string_view{},
              std::to_string(end_ - pos_) + " unread bytes after the end of the state (oversize or corrupt)");
    }
  }

  /// State version being read (1 .. the type's current version).
  [[nodiscard]] std::uint8_t version() const noexcept { return version_; }
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

  /// Throws serialization_error about the field read last.
  [[noreturn]] void fail(std::string_view why) const { fail_at(last_offset_, last_, why); }
  /// Throws serialization_error about field `f` (under the current path) at byte `offset`.
  [[noreturn]] void fail_at(std::size_t offset, field_name f, std::string_view why) const {
    std::string path;
    auto add = [&path](const field_name& e) {
      if (!e.name.empty()) {
        if (!path.empty()) path.append(".");
        path.append(e.name);
      }
      if (e.index != field_name::no_index) path.append("[").append(std::to_string(e.index)).append("]");
    };
    for (const auto& e : path_) add(e);
    add(f);
    throw serialization_error("byte offset " + std::to_string(offset) + ": " + std::string(why), at_field(path));
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
  std::uint64_t get(std::size_t n, field_name f) {
    last_offset_ = pos_;
    last_ = f;
    if (n > end_ - pos_) {
      fail("needs " + std::to_string(n) + " bytes, but only " + std::to_string(end_ - pos_) +
           " remain (truncated)");
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
  field_name last_;
  std::size_t last_offset_ = 0;
};

/// The checked preamble of a buffer.
struct serial_preamble {
  std::uint8_t format_version = 0;
  std::uint8_t state_version = 0;
  type_tag tag = type_tag::scale;
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
    T x = read_state(r, serial_tag<T>{});
    r.expect_end();
    return x;
  } catch (const serialization_error&) {
    throw;
  } catch (const error& e) {
    // A hook that let a constructor's error escape: still a serialization error.
    r.fail(std::string("is not a valid ") + std::string(id.name) + " state: " + e.reason());
  }
}

// ---------------------------------------------------------------------------
// Hooks of the cxmetrics types (layouts in the header comment).

namespace detail::binary_io {

[[nodiscard]] constexpr std::uint8_t kind_code(scale_kind k) noexcept {
  switch (k) {
    case scale_kind::nps: return 0;
    case scale_kind::csat: return 1;
    case scale_kind::ces: return 2;
    case scale_kind::binary: return 3;
    case scale_kind::custom: return 4;
  }
  return 4;
}

inline constexpr std::array<interval_method, 10> method_codes = {
    interval_method::wald,        interval_method::adjusted_wald,   interval_method::wilson,
    interval_method::jeffreys,    interval_method::clopper_pearson, interval_method::agresti_coull,
    interval_method::t,           interval_method::bayes_dirichlet, interval_method::bootstrap,
    interval_method::newcombe};

[[nodiscard]] constexpr std::uint8_t method_code(interval_method m) noexcept {
  for (std::size_t i = 0; i < method_codes.size(); ++i) {
    if (method_codes[i] == m) return static_cast<std::uint8_t>(i);
  }
  return 0xFF;
}

inline interval_method read_method(binary_reader& r, field_name f) {
  const auto code = r.read_u8(f);
  if (code >= method_codes.size()) {
    r.fail("interval method code " + std::to_string(code) + " is not one of 0..9");
  }
  return method_codes[code];
}

inline double read_level(binary_reader& r) {
  const double level = r.read_f64("level");
  if (!(level > 0.0 && level < 1.0)) r.fail("confidence level must be in (0, 1), got " + std::to_string(level));
  return level;
}

/// A Σw or Σw² field: finite, >= 0, and 0 when the matching count is 0.
inline double read_weight_sum(binary_reader& r, field_name f, std::uint64_t count) {
  const double v = r.read_f64(f);
  if (!std::isfinite(v) || v < 0.0) r.fail("weight sum " + std::to_string(v) + " must be finite and >= 0");
  if (count == 0 && v != 0.0) r.fail("weight sum is " + std::to_string(v) + " but the count is 0");
  return v;
}

/// a + b, or a failure naming `f` at `at` when the sum overflows a u64.
inline std::uint64_t checked_add(const binary_reader& r, std::uint64_t a, std::uint64_t b, std::size_t at,
                                 field_name f) {
  if (b > std::numeric_limits<std::uint64_t>::max() - a) {
    r.fail_at(at, f, "counts sum past 2^64 - 1");
  }
  return a + b;
}

/// Converts a cxm::error of a constructor into a serialization failure.
template <class F>
auto rebuild(const binary_reader& r, std::size_t at, field_name f, F&& make) -> decltype(make()) {
  try {
    return make();
  } catch (const serialization_error&) {
    throw;
  } catch (const error& e) {
    r.fail_at(at, f, e.reason());
  }
}

/// The score_counts of an accumulator, which must lie on `expected`.
score_counts read_counts_on(binary_reader& r, const scale& expected, std::string_view owner);

}  // namespace detail::binary_io

// --- scale ----------------------------------------------------------------

constexpr serial_type serial_type_of(serial_tag<scale>) noexcept { return {type_tag::scale, 1, "scale"}; }

inline void write_state(binary_writer& w, const scale& s) {
  w.write_u8(detail::binary_io::kind_code(s.kind()));
  w.write_i32(s.min());
  w.write_i32(s.max());
  w.write_i32(s.high_min());
  w.write_i32(s.low_max());
}

inline scale read_state(binary_reader& r, serial_tag<scale>) {
  const auto at = r.offset();
  const auto code = r.read_u8("kind");
  if (code > 4) r.fail("scale kind code " + std::to_string(code) + " is not one of 0..4");
  const int min = r.read_i32("min");
  const int max = r.read_i32("max");
  const int high_min = r.read_i32("high_min");
  const int low_max = r.read_i32("low_max");
  const auto rebuilt = [&]() -> scale {
    switch (code) {
      case 0: return scale::nps();
      case 1:
        if (high_min < 2 || high_min > 5) r.fail_at(at + 9, "high_min", "CSAT high_min must be 2..5, got " + std::to_string(high_min));
        return scale::csat(6 - high_min);
      case 2:
        if (high_min < 2 || high_min > 7) r.fail_at(at + 9, "high_min", "CES high_min must be 2..7, got " + std::to_string(high_min));
        return scale::ces(high_min);
      case 3: return scale::binary();
      default: return scale::custom(min, max, high_min, low_max);
    }
  };
  const scale s = detail::binary_io::rebuild(r, at, "", rebuilt);
  const auto same = [&](int given, int actual, std::size_t off, std::string_view f) {
    if (given != actual) {
      r.fail_at(at + off, f,
                "is " + std::to_string(given) + ", but the " + s.describe() + " has " + std::to_string(actual));
    }
  };
  same(min, s.min(), 1, "min");
  same(max, s.max(), 5, "max");
  same(high_min, s.high_min(), 9, "high_min");
  same(low_max, s.low_max(), 13, "low_max");
  return s;
}

// --- score_counts -----------------------------------------------------------

constexpr serial_type serial_type_of(serial_tag<score_counts>) noexcept {
  return {type_tag::score_counts, 1, "score_counts"};
}

inline void write_state(binary_writer& w, const score_counts& c) {
  write_state(w, c.scale_of());
  w.write_bool(c.weighted());
  w.write_length(c.bins());
  for (std::size_t b = 0; b < c.bins(); ++b) w.write_u64(c.count(b));
  if (c.weighted()) {
    for (std::size_t b = 0; b < c.bins(); ++b) w.write_f64(c.weight(b));
    for (std::size_t b = 0; b < c.bins(); ++b) w.write_f64(c.weight_sq(b));
  }
}

inline score_counts read_state(binary_reader& r, serial_tag<score_counts>) {
  namespace d = detail::binary_io;
  const auto s = [&] {
    auto in = r.enter("scale");
    return read_state(r, serial_tag<scale>{});
  }();
  const bool weighted = r.read_bool("weighted");
  const auto points = static_cast<std::size_t>(s.points());
  const std::size_t bins = r.read_length("bins", weighted ? 24 : 8);
  if (bins != points) {
    r.fail(std::to_string(bins) + " bins, but the " + s.describe() + " has " + std::to_string(points) + " points");
  }
  std::vector<std::uint64_t> n(bins);
  std::uint64_t total = 0;
  for (std::size_t b = 0; b < bins; ++b) {
    const auto at = r.offset();
    n[b] = r.read_u64({"counts", b});
    total = d::checked_add(r, total, n[b], at, {"counts", b});
  }
  std::vector<double> w;
  std::vector<double> w2;
  if (weighted) {
    w.resize(bins);
    w2.resize(bins);
    for (std::size_t b = 0; b < bins; ++b) w[b] = d::read_weight_sum(r, {"sum_w", b}, n[b]);
    for (std::size_t b = 0; b < bins; ++b) w2[b] = d::read_weight_sum(r, {"sum_w2", b}, n[b]);
  }
  return score_counts(s, std::move(n), std::move(w), std::move(w2));
}

inline score_counts detail::binary_io::read_counts_on(binary_reader& r, const scale& expected, std::string_view owner) {
  auto in = r.enter("counts");
  const auto at = r.offset();
  auto c = read_state(r, serial_tag<score_counts>{});
  if (!(c.scale_of() == expected)) {
    r.fail_at(at, "scale",
              "is the " + c.scale_of().describe() + " (high from " + std::to_string(c.scale_of().high_min()) +
                  "), but the " + std::string(owner) + " options need the " + expected.describe() + " (high from " +
                  std::to_string(expected.high_min()) + ")");
  }
  return c;
}

// --- metric accumulators ------------------------------------------------------

constexpr serial_type serial_type_of(serial_tag<nps_accumulator>) noexcept {
  return {type_tag::nps_accumulator, 1, "nps_accumulator"};
}

inline void write_state(binary_writer& w, const nps_accumulator& a) {
  const auto& o = a.options();
  w.write_f64(o.level);
  w.write_u8(detail::binary_io::method_code(o.method));
  w.write_f64(o.prior);
  w.write_u64(static_cast<std::uint64_t>(o.bootstrap_replicates));
  w.write_u64(o.seed);
  write_state(w, a.counts());
}

inline nps_accumulator read_state(binary_reader& r, serial_tag<nps_accumulator>) {
  namespace d = detail::binary_io;
  nps_options o;
  {
    auto in = r.enter("options");
    o.level = d::read_level(r);
    o.method = d::read_method(r, "method");
    switch (o.method) {
      case interval_method::wald:
      case interval_method::adjusted_wald:
      case interval_method::bayes_dirichlet:
      case interval_method::bootstrap:
        break;
      default:
        r.fail(std::string("'") + to_string(o.method) + "' is not an NPS interval method");
    }
    o.prior = r.read_f64("prior");
    if (!(std::isfinite(o.prior) && o.prior > 0.0)) r.fail("Dirichlet prior must be finite and > 0");
    const auto reps = r.read_u64("bootstrap_replicates");
    if (reps < 2) r.fail("bootstrap replicates must be >= 2, got " + std::to_string(reps));
    if constexpr (sizeof(std::size_t) < sizeof(std::uint64_t)) {
      if (reps > std::numeric_limits<std::size_t>::max()) r.fail("bootstrap replicates do not fit a size_t");
    }
    o.bootstrap_replicates = static_cast<std::size_t>(reps);
    o.seed = r.read_u64("seed");
  }
  auto c = d::read_counts_on(r, scale::nps(), "nps_accumulator");
  return d::rebuild(r, r.offset(), "", [&] { return nps_accumulator(o, std::move(c)); });
}

constexpr serial_type serial_type_of(serial_tag<csat_accumulator>) noexcept {
  return {type_tag::csat_accumulator, 1, "csat_accumulator"};
}

inline void write_state(binary_writer& w, const csat_accumulator& a) {
  const auto& o = a.options();
  w.write_f64(o.level);
  w.write_i32(o.top_box);
  w.write_u8(detail::binary_io::method_code(o.share_method));
  write_state(w, a.counts());
}

inline csat_accumulator read_state(binary_reader& r, serial_tag<csat_accumulator>) {
  namespace d = detail::binary_io;
  csat_options o;
  {
    auto in = r.enter("options");
    o.level = d::read_level(r);
    o.top_box = r.read_i32("top_box");
    if (o.top_box < 1 || o.top_box > 4) r.fail("CSAT top-box width must be 1..4, got " + std::to_string(o.top_box));
    const auto at = r.offset();
    o.share_method = d::read_method(r, "share_method");
    (void)d::rebuild(r, at, "share_method", [&] {
      check_csat_options(o);
      return 0;
    });
  }
  auto c = d::read_counts_on(r, scale::csat(o.top_box), "csat_accumulator");
  return d::rebuild(r, r.offset(), "", [&] { return csat_accumulator(o, std::move(c)); });
}

constexpr serial_type serial_type_of(serial_tag<ces_accumulator>) noexcept {
  return {type_tag::ces_accumulator, 1, "ces_accumulator"};
}

inline void write_state(binary_writer& w, const ces_accumulator& a) {
  const auto& o = a.options();
  w.write_f64(o.level);
  w.write_i32(o.easy_min);
  w.write_u8(detail::binary_io::method_code(o.share_method));
  write_state(w, a.counts());
}

inline ces_accumulator read_state(binary_reader& r, serial_tag<ces_accumulator>) {
  namespace d = detail::binary_io;
  ces_options o;
  {
    auto in = r.enter("options");
    o.level = d::read_level(r);
    o.easy_min = r.read_i32("easy_min");
    if (o.easy_min < 2 || o.easy_min > 7) r.fail("CES 'easy' threshold must be 2..7, got " + std::to_string(o.easy_min));
    const auto at = r.offset();
    o.share_method = d::read_method(r, "share_method");
    (void)d::rebuild(r, at, "share_method", [&] {
      check_ces_options(o);
      return 0;
    });
  }
  auto c = d::read_counts_on(r, scale::ces(o.easy_min), "ces_accumulator");
  return d::rebuild(r, r.offset(), "", [&] { return ces_accumulator(o, std::move(c)); });
}

constexpr serial_type serial_type_of(serial_tag<resolution_accumulator>) noexcept {
  return {type_tag::resolution_accumulator, 1, "resolution_accumulator"};
}

inline void write_state(binary_writer& w, const resolution_accumulator& a) {
  const auto& o = a.options();
  w.write_f64(o.level);
  w.write_u8(detail::binary_io::method_code(o.method));
  write_state(w, a.counts());
  w.write_u64(a.unknown());
}

inline resolution_accumulator read_state(binary_reader& r, serial_tag<resolution_accumulator>) {
  namespace d = detail::binary_io;
  resolution_options o;
  {
    auto in = r.enter("options");
    o.level = d::read_level(r);
    const auto at = r.offset();
    o.method = d::read_method(r, "method");
    (void)d::rebuild(r, at, "method", [&] {
      check_resolution_options(o);
      return 0;
    });
  }
  auto c = d::read_counts_on(r, scale::binary(), "resolution_accumulator");
  const auto at = r.offset();
  const auto unknown = r.read_u64("unknown");
  (void)d::checked_add(r, c.count(), unknown, at, "unknown");
  return d::rebuild(r, r.offset(), "", [&] { return resolution_accumulator(o, std::move(c), unknown); });
}

// --- engine tallies -------------------------------------------------------------

namespace engine {

constexpr serial_type serial_type_of(serial_tag<nps_tally>) noexcept { return {type_tag::nps_tally, 1, "nps_tally"}; }

inline void write_state(binary_writer& w, const nps_tally& t) {
  w.write_u64(t.detractors);
  w.write_u64(t.passives);
  w.write_u64(t.promoters);
}

inline nps_tally read_state(binary_reader& r, serial_tag<nps_tally>) {
  nps_tally t;
  const auto at = r.offset();
  t.detractors = r.read_u64("detractors");
  t.passives = r.read_u64("passives");
  t.promoters = r.read_u64("promoters");
  (void)::cxm::detail::binary_io::checked_add(
      r, ::cxm::detail::binary_io::checked_add(r, t.detractors, t.passives, at + 8, "passives"), t.promoters, at + 16,
      "promoters");
  return t;
}

constexpr serial_type serial_type_of(serial_tag<weighted_nps_tally>) noexcept {
  return {type_tag::weighted_nps_tally, 1, "weighted_nps_tally"};
}

inline void write_state(binary_writer& w, const weighted_nps_tally& t) {
  for (const bin_totals* g : {&t.detractors, &t.passives, &t.promoters}) {
    w.write_u64(g->n);
    w.write_f64(g->w);
    w.write_f64(g->w2);
  }
}

inline weighted_nps_tally read_state(binary_reader& r, serial_tag<weighted_nps_tally>) {
  namespace d = ::cxm::detail::binary_io;
  weighted_nps_tally t;
  std::uint64_t total = 0;
  const std::pair<bin_totals*, std::string_view> groups[] = {
      {&t.detractors, "detractors"}, {&t.passives, "passives"}, {&t.promoters, "promoters"}};
  for (const auto& [g, name] : groups) {
    auto in = r.enter(name);
    const auto at = r.offset();
    g->n = r.read_u64("n");
    total = d::checked_add(r, total, g->n, at, "n");
    g->w = d::read_weight_sum(r, "sum_w", g->n);
    g->w2 = d::read_weight_sum(r, "sum_w2", g->n);
  }
  return t;
}

constexpr serial_type serial_type_of(serial_tag<grouped_nps>) noexcept {
  return {type_tag::grouped_nps, 1, "grouped_nps"};
}

inline void write_state(binary_writer& w, const grouped_nps& g) {
  w.write_length(g.shape().size());
  for (const auto c : g.shape()) w.write_u32(c);
  w.write_length(g.cells().size());
  for (const auto& t : g.cells()) write_state(w, t);
}

inline grouped_nps read_state(binary_reader& r, serial_tag<grouped_nps>) {
  // Bytes per cell: the three u64 of an nps_tally.
  constexpr std::size_t cell_bytes = 24;
  const std::size_t k = r.read_length("key_columns", 4);
  std::vector<std::uint32_t> shape(k);
  // Product of the cardinalities, saturated just above any cell count a u32 can give.
  constexpr std::uint64_t cap = std::uint64_t{1} << 33;
  std::uint64_t product = 1;
  for (std::size_t i = 0; i < k; ++i) {
    shape[i] = r.read_u32({"shape", i});
    product = (shape[i] != 0 && product > cap / shape[i]) ? cap : product * shape[i];
  }
  const std::size_t cells = r.read_length("cells", cell_bytes);
  if (k == 0 ? (cells != 0 && cells != 1) : (cells != product)) {
    r.fail(std::to_string(cells) + " cells, but " +
           (k == 0 ? std::string("a grouping without key columns has 0 (empty) or 1")
                   : "the product of the cardinalities is " +
                         (product >= cap ? std::string("larger than 2^32") : std::to_string(product))));
  }
  std::vector<nps_tally> t(cells);
  for (std::size_t i = 0; i < cells; ++i) {
    auto in = r.enter({"cells", i});
    t[i] = read_state(r, serial_tag<nps_tally>{});
  }
  if (k == 0 && cells == 0) return grouped_nps{};
  return ::cxm::detail::binary_io::rebuild(r, r.offset(), "", [&] { return grouped_nps(std::move(shape), std::move(t)); });
}

}  // namespace engine

}  // namespace cxm
