// make_ingest_options: the reading options in words (io/ingest_settings.hpp).
#include "cxmetrics/io/ingest_settings.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/io/column_map.hpp"
#include "cxmetrics/io/mapping.hpp"

namespace cxm::inline v0_1 {
namespace {

[[noreturn]] void bad(const char* setting, std::string reason) {
  throw invalid_argument(std::move(reason), at_field(setting));
}

void add_required(ingest_options& o, response_field f) {
  if (std::find(o.required.begin(), o.required.end(), f) == o.required.end()) o.required.push_back(f);
}

}  // namespace

ingest_options make_ingest_options(const ingest_settings& s) {
  ingest_options o;
  if (!s.mapping.empty()) o = load_mapping(s.mapping, o);
  if (!s.format.empty()) {
    const auto f = format_from_name(s.format);
    if (!f) bad("format", "unknown input format '" + s.format + "'");
    o.format = *f;
    std::string lower = s.format;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "tsv") o.delimiter = '\t';  // the delimiter setting, below, still wins
  }
  if (!s.delimiter.empty()) {
    if (s.delimiter == "tab" || s.delimiter == "\\t") {
      o.delimiter = '\t';
    } else if (s.delimiter.size() == 1) {
      o.delimiter = s.delimiter[0];
    } else {
      bad("delimiter", "the delimiter is one character or 'tab', got '" + s.delimiter + "'");
    }
  }
  if (s.decimal_comma) o.decimal_point = ',';
  if (s.epoch_unit == "seconds") {
    o.epoch_unit = epoch_unit::seconds;
  } else if (s.epoch_unit == "milliseconds") {
    o.epoch_unit = epoch_unit::milliseconds;
  } else if (s.epoch_unit == "auto") {
    o.epoch_unit = epoch_unit::automatic;
  } else if (!s.epoch_unit.empty()) {
    bad("epoch_unit", "the epoch unit is seconds, milliseconds or auto, got '" + s.epoch_unit + "'");
  }
  for (const auto& pair : s.columns) {
    const auto eq = pair.find('=');
    if (eq == std::string::npos) bad("columns", "a column is given as FIELD=COLUMN, got '" + pair + "'");
    const auto field = field_from_name(pair.substr(0, eq));
    if (!field) bad("columns", "unknown field '" + pair.substr(0, eq) + "'");
    const std::string name = pair.substr(eq + 1);
    o.columns.name_of(*field) = name;
    // A column named here must exist (the read throws parse_error naming the
    // columns found); FIELD= means the field is not read at all.
    const bool listed = std::find(o.required.begin(), o.required.end(), *field) != o.required.end();
    if (!column_key(name).empty() && !listed) o.required.push_back(*field);
    if (column_key(name).empty() && listed) std::erase(o.required, *field);
  }
  if (!s.fields.empty()) {
    // After the mapping's "fields"; a bad or repeated declaration is
    // invalid_argument naming it.
    schema_builder declared(o.schema);
    for (const auto& spec : s.fields) declared.add(parse_field(spec));
    o.schema = std::move(declared).build();
  }
  if (!s.channels.empty()) o.channels = channel_set::closed_of(s.channels);
  if (s.strict) o.errors = on_error::strict;
  o.threads = s.threads;
  o.chunk_bytes = s.chunk_bytes;
  o.range = s.range;
  o.dictionaries = s.dictionaries;
  for (const auto f : s.required) add_required(o, f);
  return o;
}

}  // namespace cxm
