// Reading survey responses from SPSS (.sav, .zsav, .por), Stata (.dta) and
// SAS (.sas7bdat, .xpt) files through ReadStat (Evan Miller et al.,
// https://github.com/WizardMac/ReadStat; Debian libreadstat-dev). ReadStat is
// optional at build time: when the build did not find it, has_readstat() is
// false and stream_responses_readstat throws invalid_argument saying so.
//
// Variables map to fields by name like CSV columns (column_map in
// io/column_map.hpp: case and separators aside, and aliases). Values:
//   * missing: system missing, SPSS user-defined missing values and Stata/SAS
//     tagged missing values are missing (counted per field), as are empty strings;
//   * value labels: channel, segment, agent, id and why take a numeric
//     variable's value label when it has one (channel 1 labelled "phone" reads
//     as "phone"), else the number's text; resolved reads its label through
//     the resolved vocabulary when there is one, else the code (1/0);
//     scores and weights always use the number;
//   * scores must be whole numbers on their scale (9.0 is 9);
//   * timestamp: a number with a date format is converted to UTC seconds —
//     SPSS date and date-time formats (seconds since 1582-10-14), Stata %tc
//     (milliseconds since 1960-01-01) and %td (days since 1960-01-01), SAS
//     DATETIME/E8601DT (seconds since 1960-01-01) and DATE/YYMMDD/MMDDYY/
//     DDMMYY/E8601DA (days since 1960-01-01); another number is a Unix
//     epoch read as its text is (ingest_options::epoch_unit); a string
//     follows cxm::parse_timestamp. A time outside 1900-01-01 .. 2200-12-31
//     (UTC) is a timestamp_out_of_range reject.
// Locations: a reject's line is the 1-based row (case) number, its column
// the 1-based variable number. The header is the list of variable names; a
// missing score variable or required field is a parse_error listing them.
// Value labels are read in a first pass (Stata stores them after the data),
// rows in a second, batch_rows at a time; memory stays bounded.
//
// Header: cxmetrics/io/readstat.hpp; implemented in src/io/readstat.cpp.
#pragma once

#include <filesystem>

#include "cxmetrics/export.hpp"
#include "cxmetrics/io/ingest.hpp"

namespace cxm::inline v0_1 {

/// True when this build can read SPSS, Stata and SAS files.
[[nodiscard]] CXMETRICS_API bool has_readstat() noexcept;

/// Streams the responses of an SPSS, Stata or SAS file to `sink`; the format
/// is options.format or the extension. Throws parse_error naming the file
/// when ReadStat cannot read it, invalid_argument when this build has no
/// ReadStat or the format is not one of these.
CXMETRICS_API ingest_report stream_responses_readstat(const std::filesystem::path& file, const ingest_options& options,
                                                      const ingest_sink& sink);

}  // namespace cxm
