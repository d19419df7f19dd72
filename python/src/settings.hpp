// The reading options of the Python functions that read files
// (cxmetrics.read, summarize, ...): keyword arguments named as cxm's input
// flags, turned into cxm::ingest_settings (io/ingest_settings.hpp), so a
// file is read the same way from Python as by `cxm`.
#pragma once

#include <pybind11/pybind11.h>

#include "cxmetrics/io/ingest_settings.hpp"

namespace cxm::python {

/// The keyword arguments of a reading function. Accepted: format, delimiter,
/// decimal_comma, epoch_unit, mapping (a path), columns (a dict field ->
/// column, or a list of "FIELD=COLUMN"), fields (a list of "NAME:KIND[:SCALE]"),
/// channels (a list: a closed channel set), strict, threads, chunk_bytes.
/// Another name is a TypeError naming it and the accepted ones; a value of
/// the wrong type a TypeError naming the argument.
[[nodiscard]] cxm::ingest_settings settings_from(const pybind11::kwargs& kwargs);

/// The accepted names, for docstrings and errors.
inline constexpr const char* settings_names =
    "format, delimiter, decimal_comma, epoch_unit, mapping, columns, fields, channels, strict, threads, chunk_bytes, "
    "byte_range";

}  // namespace cxm::python
