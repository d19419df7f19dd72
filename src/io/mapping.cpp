// JSON mapping files into ingest_options. See include/cxmetrics/io/mapping.hpp.
#include "cxmetrics/io/mapping.hpp"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/schema.hpp"
#include "io/field_rules.hpp"
#include "io/session.hpp"
#include "io/text.hpp"

namespace cxm::inline v0_1 {

namespace {

[[noreturn]] void bad_key(std::string_view key, const std::string& why) {
  throw invalid_argument(why, at_field("mapping." + std::string(key)));
}

std::vector<std::string> string_list(const nlohmann::json& v, std::string_view key) {
  if (!v.is_array()) bad_key(key, "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) bad_key(key, "must be an array of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

// make(), its invalid_argument reported as one of the key.
template <class Make>
auto checked(std::string_view key, Make make) {
  try {
    return make();
  } catch (const invalid_argument& e) {
    bad_key(key, e.reason());
  }
}

// The lists of a vocabulary object {"yes": [...], "no": [...], "unknown":
// [...]} at `where`; a list given replaces that of `out`.
void read_vocabulary(const nlohmann::json& v, const std::string& where, flag_vocabulary& out) {
  if (!v.is_object()) bad_key(where, "must be an object with lists \"yes\", \"no\", \"unknown\"");
  for (const auto& [kind, list] : v.items()) {
    if (kind == "yes") {
      out.yes = string_list(list, where + ".yes");
    } else if (kind == "no") {
      out.no = string_list(list, where + ".no");
    } else if (kind == "unknown") {
      out.unknown = string_list(list, where + ".unknown");
    } else {
      bad_key(where + "." + detail::shorten(kind), "unknown key (expected yes, no, unknown)");
    }
  }
}

// A declared field from a "fields" entry: {"name", "kind", "scale"
// (scores), "vocabulary": {"yes": [...], "no": [...], "unknown": [...]} (flags)}.
field declared_field(const nlohmann::json& v, const std::string& at) {
  if (!v.is_object()) bad_key(at, "must be an object with \"name\" and \"kind\"");
  field f;
  bool named = false;
  bool kind = false;
  std::optional<std::string> scale_text;
  for (const auto& [key, x] : v.items()) {
    const std::string where = at + "." + detail::shorten(key);
    if (key == "name") {
      if (!x.is_string()) bad_key(where, "must be a string");
      f.name = x.get<std::string>();
      named = true;
    } else if (key == "kind") {
      const auto k = x.is_string() ? field_kind_from_name(x.get<std::string>()) : std::nullopt;
      if (!k) bad_key(where, "must be one of score, flag, time, category, numeric, text, weight, id");
      f.kind = *k;
      kind = true;
    } else if (key == "scale") {
      if (!x.is_string()) bad_key(where, "must be a string such as \"1-5\" or \"nps\"");
      scale_text = x.get<std::string>();
    } else if (key == "vocabulary") {
      read_vocabulary(x, where, f.vocabulary);
    } else {
      bad_key(where, "unknown key (expected name, kind, scale, vocabulary)");
    }
  }
  if (!named) bad_key(at, "has no \"name\"");
  if (!kind) bad_key(at, "has no \"kind\"");
  if (scale_text) f.score_scale = checked(at + ".scale", [&] { return parse_scale(*scale_text, f.name); });
  if (v.contains("vocabulary") && f.kind != field_kind::flag) bad_key(at + ".vocabulary", "only a flag takes a vocabulary");
  return f;
}

// A scale built from an integer setting, which the scale checks.
template <class Make>
scale scale_setting(const nlohmann::json& v, std::string_view key, const char* range, Make make) {
  if (!v.is_number_integer()) bad_key(key, std::string("must be an integer ") + range);
  return checked(key, [&] { return make(v.get<int>()); });
}

}  // namespace

ingest_options mapping_from_json(std::string_view json_text, const ingest_options& base, std::string_view source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text.begin(), json_text.end());
  } catch (const nlohmann::json::parse_error& e) {
    location where;
    where.file = std::string(source);
    throw parse_error(std::string("the mapping is not JSON: ") + e.what(), where);
  }
  if (!j.is_object()) bad_key("", "the mapping must be a JSON object");
  ingest_options o = base;
  bool tsv = false;
  bool delimiter_given = false;
  std::vector<std::pair<response_field, bool>> named;  // fields "columns" names, and whether with a non-empty name
  for (const auto& [key, v] : j.items()) {
    if (key == "format") {
      if (!v.is_string()) bad_key(key, "must be a string");
      const auto f = format_from_name(v.get<std::string>());
      if (!f) bad_key(key, "'" + detail::shorten(v.get<std::string>()) + "' is not a known format");
      o.format = *f;
      tsv = detail::lower_trimmed(v.get<std::string>()) == "tsv";
    } else if (key == "delimiter") {
      if (!v.is_string()) bad_key(key, "must be a string of one character, \"tab\" or \"detect\"");
      const auto s = v.get<std::string>();
      delimiter_given = true;
      if (s == "tab" || s == "\\t") {
        o.delimiter = '\t';
      } else if (s == "detect") {
        o.delimiter = 0;
      } else if (s.size() == 1) {
        o.delimiter = s[0];
      } else {
        bad_key(key, "must be one character, \"tab\" or \"detect\", got '" + detail::shorten(s) + "'");
      }
    } else if (key == "decimal_point") {
      if (!v.is_string() || v.get<std::string>().size() != 1) bad_key(key, "must be \".\" or \",\"");
      o.decimal_point = v.get<std::string>()[0];
    } else if (key == "columns") {
      if (!v.is_object()) bad_key(key, "must be an object of field: column name");
      for (const auto& [fname, col] : v.items()) {
        const auto f = field_from_name(fname);
        if (!f) {
          bad_key(key + "." + detail::shorten(fname),
                  "'" + detail::shorten(fname) +
                      "' is not a response field (id, timestamp, channel, agent, segment, nps, csat, ces, resolved, "
                      "weight, why)");
        }
        if (!col.is_string()) bad_key(key + "." + fname, "must be a string (empty: never read)");
        o.columns.name_of(*f) = col.get<std::string>();
        named.emplace_back(*f, !column_key(col.get<std::string>()).empty());
      }
    } else if (key == "required") {
      o.required.clear();
      for (const auto& name : string_list(v, key)) {
        const auto f = field_from_name(name);
        if (!f) bad_key(key, "'" + detail::shorten(name) + "' is not a response field");
        o.required.push_back(*f);
      }
    } else if (key == "resolved") {
      read_vocabulary(v, key, o.resolved);
    } else if (key == "channels") {
      o.channels = checked(key, [&list = v, &name = key] { return channel_set::closed_of(string_list(list, name)); });
    } else if (key == "fields") {
      if (!v.is_array()) bad_key(key, "must be an array of fields: {\"name\": ..., \"kind\": ...}");
      schema_builder b(o.schema);
      for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string at = key + "[" + std::to_string(i) + "]";
        field f = declared_field(v[i], at);
        checked(at, [&] { return &b.add(std::move(f)); });
      }
      o.schema = std::move(b).build();
    } else if (key == "strict") {
      if (!v.is_boolean()) bad_key(key, "must be true or false");
      o.errors = v.get<bool>() ? on_error::strict : on_error::skip;
    } else if (key == "csat_top_box") {
      o.scales.csat = scale_setting(v, key, "1..4", [](int k) { return scale::csat(k); });
    } else if (key == "ces_easy_min") {
      o.scales.ces = scale_setting(v, key, "2..7", [](int k) { return scale::ces(k); });
    } else {
      bad_key(key, "unknown key (expected format, delimiter, decimal_point, columns, required, resolved, channels, "
                   "fields, strict, csat_top_box, ces_easy_min)");
    }
  }
  if (tsv && !delimiter_given) o.delimiter = '\t';
  // A column the mapping names must exist.
  for (const auto& [f, read] : named) {
    if (read && std::find(o.required.begin(), o.required.end(), f) == o.required.end()) o.required.push_back(f);
  }
  detail::check_options(o);
  (void)detail::row_plan(o, schema_of(o));  // checks the resolved vocabulary
  return o;
}

ingest_options load_mapping(const std::filesystem::path& file, const ingest_options& base) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    location where;
    where.file = file.string();
    throw parse_error("cannot open the mapping file", where);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return mapping_from_json(text.str(), base, file.string());
}

}  // namespace cxm
