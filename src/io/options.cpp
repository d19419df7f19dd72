// Input formats by name and extension, and the checks of the options every
// reader shares. See include/cxmetrics/io/ingest_options.hpp.
#include "cxmetrics/io/ingest_options.hpp"

#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "io/session.hpp"
#include "io/text.hpp"

namespace cxm::inline v0_1 {

std::string_view to_string(ingest_format f) noexcept {
  switch (f) {
    case ingest_format::csv: return "csv";
    case ingest_format::jsonl: return "jsonl";
    case ingest_format::sav: return "sav";
    case ingest_format::por: return "por";
    case ingest_format::dta: return "dta";
    case ingest_format::sas7bdat: return "sas7bdat";
    case ingest_format::xport: return "xport";
  }
  return "csv";
}

std::optional<ingest_format> format_from_name(std::string_view name) noexcept {
  std::string n;
  for (char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "csv" || n == "tsv" || n == "txt") return ingest_format::csv;
  if (n == "jsonl" || n == "ndjson" || n == "json") return ingest_format::jsonl;
  if (n == "sav" || n == "zsav") return ingest_format::sav;
  if (n == "por") return ingest_format::por;
  if (n == "dta") return ingest_format::dta;
  if (n == "sas7bdat") return ingest_format::sas7bdat;
  if (n == "xport" || n == "xpt") return ingest_format::xport;
  return std::nullopt;
}

ingest_format format_of_path(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  if (!ext.empty() && ext.front() == '.') ext.erase(0, 1);
  if (ext != "json") {  // a .json file is one document, not JSON Lines
    if (auto f = format_from_name(ext)) return *f;
  }
  location where;
  where.file = file.string();
  throw invalid_argument("cannot tell the input format from the extension '" + detail::shorten(file.extension().string()) +
                             "' (known: .csv .tsv .txt .jsonl .ndjson .sav .zsav .por .dta .sas7bdat .xpt); "
                             "name the format in the options",
                         where);
}

namespace detail {

void check_options(const ingest_options& o) {
  if (o.delimiter == '"' || o.delimiter == '\n' || o.delimiter == '\r') {
    throw invalid_argument(std::string("CSV delimiter must not be a quote or a line break (0: detect it)"),
                           at_field("delimiter"));
  }
  if (o.decimal_point != '.' && o.decimal_point != ',' && o.decimal_point != 0) {
    throw invalid_argument(std::string("decimal point must be '.' or ',' (0: detect it)"), at_field("decimal_point"));
  }
  if (o.chunk_bytes == 0) throw invalid_argument(std::string("chunk_bytes must be at least 1"), at_field("chunk_bytes"));
  if (o.max_record_bytes == 0) {
    throw invalid_argument(std::string("max_record_bytes must be at least 1"), at_field("max_record_bytes"));
  }
  if (o.range && o.range->begin > o.range->end) {
    throw invalid_argument("byte range: begin " + std::to_string(o.range->begin) + " is past end " +
                               std::to_string(o.range->end),
                           at_field("range"));
  }
  if (o.batch_rows == 0) throw invalid_argument(std::string("batch_rows must be at least 1"), at_field("batch_rows"));
  if (o.epoch_unit != epoch_unit::automatic && o.epoch_unit != epoch_unit::seconds &&
      o.epoch_unit != epoch_unit::milliseconds) {
    throw invalid_argument(std::string("epoch_unit must be automatic, seconds or milliseconds"), at_field("epoch_unit"));
  }
  // The column name of every field: a predefined field's from the options,
  // a declared field's own.
  std::vector<std::pair<std::string, std::string>> names;  // key, field
  for (std::size_t f = 0; f < predefined_field_count; ++f) {
    names.emplace_back(column_key(o.columns.name_of(static_cast<response_field>(f))), to_string(static_cast<response_field>(f)));
  }
  for (const auto& d : o.schema.declared()) names.emplace_back(column_key(d.name), d.name);
  for (std::size_t a = 0; a < names.size(); ++a) {
    if (names[a].first.empty()) continue;
    for (std::size_t b = a + 1; b < names.size(); ++b) {
      if (names[a].first == names[b].first) {
        throw invalid_argument("fields '" + shorten(names[a].second) + "' and '" + shorten(names[b].second) +
                                   "' are both mapped to the column name '" + shorten(names[a].first) + "'",
                               at_field("columns"));
      }
    }
  }
  for (const auto f : o.required) {
    if (static_cast<std::size_t>(f) >= response_field_count) {
      throw invalid_argument(std::string("required field is not a response field"), at_field("required"));
    }
    if (column_key(o.columns.name_of(f)).empty()) {
      throw invalid_argument("field '" + std::string(to_string(f)) +
                                 "' is required but has no column name (an empty name means: never read)",
                             at_field("required"));
    }
  }
}

}  // namespace detail

schema schema_of(const ingest_options& o) { return o.schema.with(o.scales, o.resolved); }

}  // namespace cxm
