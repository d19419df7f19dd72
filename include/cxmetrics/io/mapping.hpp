// A JSON mapping file: the column names, dialect, vocabulary, channel set,
// scales and declared fields of an input, kept beside it and read into
// ingest_options (cxm's --mapping).
//
// Header: cxmetrics/io/mapping.hpp; implemented in src/io/mapping.cpp.
#pragma once

#include <filesystem>
#include <string_view>

#include "cxmetrics/export.hpp"
#include "cxmetrics/io/ingest_options.hpp"

namespace cxm::inline v0_1 {

/// Reads a JSON mapping file into options (starting from `base`):
///
///   {
///     "format": "csv",                          (optional) csv | tsv | jsonl | sav | ...
///     "delimiter": ";",                         one character; "tab" or "\t" for a tab;
///                                               "detect" (the default) to detect it
///     "decimal_point": ",",
///     "columns": {"nps": "Q1 Recommend", "csat": "Q2", "why": ""},
///     "required": ["nps", "timestamp"],
///     "resolved": {"yes": ["kyllä", "k"], "no": ["ei", "e"], "unknown": ["eos"]},
///     "channels": ["phone", "chat", "email"],   a closed set of exactly these
///     "fields": [{"name": "q1", "kind": "score", "scale": "1-5"},
///                {"name": "region", "kind": "category"},
///                {"name": "callback", "kind": "flag", "vocabulary": {"yes": ["ja"], "no": ["nein"]}}],
///     "strict": false,
///     "csat_top_box": 2, "ces_easy_min": 5
///   }
///
/// Every key is optional; "columns" changes only the fields it names, and
/// each field it gives a non-empty name becomes required (its column must
/// exist); "required" replaces base.required (the fields of "columns" are
/// added to it); "format": "tsv" is CSV with a tab delimiter unless
/// "delimiter" says otherwise; a "resolved" list replaces the default list
/// of that kind; "fields" declares fields (core/schema.hpp) after those of
/// base.schema: "scale" as parse_scale reads it (scores need one),
/// "vocabulary" for flags (a list given replaces the default list of that
/// kind), each read from the column of its own name. An unknown key,
/// a wrong type or a bad value throws invalid_argument naming the key (field
/// 'mapping.<key>'); text that is not JSON throws parse_error.
[[nodiscard]] CXMETRICS_API ingest_options load_mapping(const std::filesystem::path& file,
                                                        const ingest_options& base = {});
/// Same for mapping text; `source` names it in errors.
[[nodiscard]] CXMETRICS_API ingest_options mapping_from_json(std::string_view json_text,
                                                             const ingest_options& base = {},
                                                             std::string_view source = "mapping");

}  // namespace cxm
