// Reading survey responses from JSON Lines (one JSON object per line, as
// survey platforms' exports and webhooks write them; https://jsonlines.org,
// JSON per RFC 8259).
//
//   {"id":"r1","timestamp":"2024-03-05T14:07:09Z","channel":"chat","nps":9,"csat":null,"resolved":true}
//
// Lines end in LF (a CR before it is JSON whitespace); a UTF-8 byte order mark
// at the start is skipped; blank lines are skipped and counted as empty lines.
// Keys are matched to fields like CSV header names (column_map in
// io/column_map.hpp: case, blanks and ' ', '-', '_' aside, and aliases); other
// keys are ignored. The keys of the first line that holds an object (within
// the first MiB) act as the header: it must have a score key and every
// required field, else parse_error listing its keys; the key it has for a
// field is that field's key in later objects too (a field it lacks is found
// under any of its names); an absent key in a later object is a missing value.
//
// Values: null is missing; strings follow the text rules of io/ingest.hpp;
// numbers: a score must be whole (9, 9.0, 9e0 and 0.9e1 are 9; 9.5 →
// not_an_integer), a weight is the number (0 or 1e-100 .. 1e100), a timestamp
// number is a Unix epoch in seconds or milliseconds (ingest_options::
// epoch_unit; in 1900..2200 like every timestamp); true/false
// are yes/no for resolved (the text "true"/"false" elsewhere); an object or
// array where a value belongs → invalid_value. A line that is not exactly
// one JSON object (syntax error, trailing text, a key mapped twice) is one
// malformed_json reject (invalid_utf8 when a string is not UTF-8: the reason
// gives the byte and its offset in the string, and the reject names the field
// when the string is a mapped field's value), with the 1-based byte column
// where the problem is. Strings are checked as RFC 8259
// says: escapes including surrogate pairs, no raw control characters,
// well-formed UTF-8.
//
// Lines split the input exactly (a raw line break cannot occur inside JSON
// text), so threads take chunks at any byte and start at the next line.
//
// Header: cxmetrics/io/jsonl.hpp; implemented in src/io/jsonl.cpp.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string_view>

#include "cxmetrics/export.hpp"
#include "cxmetrics/io/ingest.hpp"

namespace cxm::inline v0_1 {

/// Streams JSON Lines responses from a file to `sink` (see io/ingest.hpp).
CXMETRICS_API ingest_report stream_responses_jsonl(const std::filesystem::path& file, const ingest_options& options,
                                                   const ingest_sink& sink);
/// Same from a stream; `source` names it in rejects and errors.
CXMETRICS_API ingest_report stream_responses_jsonl(std::istream& in, std::string_view source,
                                                   const ingest_options& options, const ingest_sink& sink);
/// Same from text in memory.
CXMETRICS_API ingest_report stream_responses_jsonl_text(std::string_view text, std::string_view source,
                                                        const ingest_options& options, const ingest_sink& sink);

}  // namespace cxm
