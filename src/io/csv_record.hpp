// Internal (not installed): the scalar state machine of CSV records (RFC 4180
// with the leniencies of io/csv.hpp). It is the definition of the syntax: the
// SIMD path of src/io/csv.cpp is used only where it agrees, and dialect
// detection (src/io/csv_dialect.cpp) reads records with it too.
//
// A quote that never closes. A record whose quoted field holds a line break
// ("spans") is read as one record only when it is well formed: its quotes
// close, nothing but a delimiter, a line break or a quote follows a closing
// quote, it has the header's number of fields and at most max_record_bytes.
// Otherwise (the input ends inside the quotes; text follows the quote that
// would close them; the record it makes has another field count; it grows
// past max_record_bytes) the quote is taken for one that never closes: the
// record is one malformed_csv reject, its value the record's first physical
// line, and reading goes on at the next physical line, whose bytes are then
// read again as records. The decision needs only the bytes of the record
// from its start, so it is the same however the input is split. A record
// longer than max_record_bytes whose quotes span no line break within those
// bytes is a record_too_long reject that ends at its first line break.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/text_reader.hpp"

namespace cxm::inline v0_1::detail {

struct sm_fields {
  std::vector<std::string> fields;
  std::string error;
  std::uint64_t error_column = 0;
};

struct sm_result {
  std::size_t end = 0;        // first byte after the record and its line break
  std::size_t length = 0;     // bytes before the line break (or the end of input); a runaway quote: of its first line
  std::uint64_t lines = 0;    // line breaks passed, the record's own included
  bool empty = false;         // an empty line
  bool incomplete = false;    // the record does not end in the usable bytes
  bool too_long = false;      // longer than max_bytes (fields then incomplete)
  bool runaway = false;       // a quote that never closes (rec.error says where); the record is its first line
};

/// The record (or empty line) at pos of the window, its fields into `rec`.
/// `expected_fields` is the header's field count (0 while reading the
/// header); `line` the record's line, for messages. Implemented in
/// src/io/csv.cpp.
sm_result sm_record(const window_view& w, std::size_t pos, char delimiter, std::size_t max_bytes,
                    std::size_t expected_fields, std::uint64_t line, sm_fields& rec);

}  // namespace cxm::detail
