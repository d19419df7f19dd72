// The reading options in words, as `cxm`'s input flags and the Python
// module's keyword arguments spell them, turned into ingest_options by one
// function, so both front ends read a file the same way.
//
//   cxm::ingest_settings s;
//   s.delimiter = "tab";
//   s.columns = {"nps=Q1 Recommend", "channel="};   // FIELD=COLUMN; FIELD= never reads it
//   s.fields = {"q1:score:1-5", "region:category"}; // NAME:KIND[:SCALE] (core/schema.hpp)
//   const cxm::ingest_options o = cxm::make_ingest_options(s);
//
// Order: the mapping file first (io/mapping.hpp), then every other setting
// over it, as on the command line. Errors: a setting that cannot be read is
// invalid_argument naming the setting (its location's field: "format",
// "delimiter", "epoch_unit", "columns", "fields") and the value; a mapping
// file that does not exist or does not parse throws what load_mapping throws.
//
// Header: cxmetrics/io/ingest_settings.hpp; implemented in src/io/ingest_settings.cpp.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cxmetrics/export.hpp"
#include "cxmetrics/io/ingest_options.hpp"

namespace cxm::inline v0_1 {

struct ingest_settings {
  std::string format;                 ///< csv, tsv, jsonl, sav, ...; empty: from the file extension
  std::string delimiter;              ///< one character, or "tab"; empty: detected
  bool decimal_comma = false;         ///< weights use a decimal comma
  std::string epoch_unit;             ///< seconds, milliseconds, auto; empty: the mapping's or automatic
  std::string mapping;                ///< JSON mapping file; empty: none
  std::vector<std::string> columns;   ///< FIELD=COLUMN pairs; a named column must exist
  std::vector<std::string> fields;    ///< NAME:KIND[:SCALE] declarations, after the mapping's
  std::vector<std::string> channels;  ///< a closed channel set; empty: open
  bool strict = false;                ///< throw the first bad row instead of keeping it as a reject
  unsigned threads = 1;               ///< parsing threads, 0: all cores
  std::size_t chunk_bytes = std::size_t{1} << 20;  ///< bytes per thread and window
  std::optional<byte_range> range;    ///< read only this part of a CSV or JSON Lines file
  /// Fields whose column must exist besides those `columns` names.
  std::vector<response_field> required;
  /// Category labels shared with the caller (ingest_options::dictionaries).
  std::shared_ptr<category_dictionaries> dictionaries;
};

/// The ingest options `s` asks for (see the header comment).
[[nodiscard]] CXMETRICS_API ingest_options make_ingest_options(const ingest_settings& s);

}  // namespace cxm
