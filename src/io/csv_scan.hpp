// Internal: SIMD kernels that find the structure of CSV text (csv_scan.cpp,
// compiled once per instruction-set level like the counting engine; the level
// follows cxm::active_isa(), so force_isa() pins it in tests).
//
// Method (Langdale & Lemire, "Parsing Gigabytes of JSON per Second", VLDB
// Journal 28, 2019, §3.1, applied to CSV as in their simdcsv): per block of
// 64 bytes, compare against '"', the delimiter, LF and CR to get 64-bit
// masks; the prefix XOR of the quote mask, XOR the state carried in from the
// previous block, marks the bytes inside quotes; delimiters and line breaks
// outside quotes are the structural characters, whose positions are written
// to an index. Line breaks are LF, CR+LF (the LF is indexed) and a lone CR.
//
// The scan also checks that quote parity agrees with the RFC 4180 state
// machine of io/csv.hpp (where a quote inside an unquoted field is a literal
// and text after a closing quote is an error): it does exactly when every
// opening quote follows a delimiter, a line break, a closing quote or the
// record start, and every closing quote is followed by a delimiter, a line
// break, a quote or the end of the input. The first quote that breaks this
// ("anomaly") stops the scan; the reader parses that record with the state
// machine and restarts the scan after it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cxm::inline v0_1::detail {

/// State carried between scan calls.
struct scan_state {
  std::uint64_t inside = 0;        ///< all ones when the byte before the next block is inside quotes
  std::uint64_t prev_special = 1;  ///< 1 when the byte before is '"', the delimiter, CR, LF, or a record start
};

struct scan_out {
  std::size_t n_idx = 0;   ///< structural positions written
  std::size_t n_qnl = 0;   ///< positions of line breaks inside quotes written
  std::size_t stop = 0;    ///< first byte not scanned (the anomaly, or end)
  bool anomaly = false;
};

/// Scans buf[begin, end) (buf readable to begin + ceil((end - begin) / 64) * 64).
/// next_byte is the byte at `end` (-1: end of input; -2: unknown). Writes the
/// positions of structural bytes to idx and of quoted line breaks to qnl;
/// each needs room for (end - begin) + 72 entries. Writes one byte per
/// 64-byte block scanned to hi: nonzero when the block has a byte >= 0x80.
using scan_fn = void (*)(const std::uint8_t* buf, std::size_t begin, std::size_t end, int next_byte,
                         std::uint8_t delimiter, scan_state* st, std::uint32_t* idx, std::uint32_t* qnl,
                         std::uint8_t* hi, scan_out* out);

/// Counts in p[0, n): '"', LF, CR, and CR followed by LF (pairs inside the range).
struct byte_counts {
  std::uint64_t quotes = 0;
  std::uint64_t lf = 0;
  std::uint64_t cr = 0;
  std::uint64_t crlf = 0;
};
using count_fn = void (*)(const std::uint8_t* p, std::size_t n, byte_counts* out);

struct csv_kernels {
  scan_fn scan;
  count_fn count;
};

/// Kernels of the active level (cxm::active_isa()).
const csv_kernels& active_csv_kernels();

}  // namespace cxm::detail
