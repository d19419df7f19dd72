// Internal (not installed): the CSV dialect rule of io/ingest_options.hpp
// ("CSV dialect"): the delimiter and the decimal point an input is read with
// when the options leave them to detection.
#pragma once

#include <cstddef>
#include <string>

#include "cxmetrics/io/ingest_options.hpp"
#include "io/text_reader.hpp"

namespace cxm::inline v0_1::detail {

/// The delimiter the rule picks for the bytes [0, size) of the input.
char detect_delimiter(const char* buf, std::size_t size, bool eof);

/// Whether the weight column (index `col` of `ncols`) of the records in
/// the window from `pos` (up to 64 KiB of them) has values like 0,87 and
/// none like 0.87.
bool weights_use_decimal_comma(const window_view& w, std::size_t pos, char d, std::size_t col, std::size_t ncols,
                               std::size_t max_bytes);

/// True when the source is named *.tsv (any case): then tab-separated.
bool named_tsv(const std::string& source);

/// For a header that lacks a score column or a required one under `used`:
/// "with --delimiter ';' the header has columns ..." for the first other
/// candidate under which it has them all, else "".
std::string other_delimiter_hint(const window_view& w, std::size_t header_pos, char used, const ingest_options& o,
                                 const schema& s);

}  // namespace cxm::detail
