// Field names and finding columns: the one matcher of CSV headers, JSON keys
// and variable names. See include/cxmetrics/io/column_map.hpp for the rules.
#include "io/column_match.hpp"

#include <algorithm>

#include "cxmetrics/core/error.hpp"
#include "io/text.hpp"

namespace cxm::inline v0_1 {

std::string column_key(std::string_view name) {
  std::string k;
  detail::column_key_into(name, k);
  return k;
}

namespace detail {

void column_key_into(std::string_view name, std::string& out) { field_key_into(name, out); }

bool named_by_default(const ingest_options& o, response_field f) {
  return column_key(o.columns.name_of(f)) == to_string(f);
}

std::vector<field_id> required_fields(const ingest_options& o, const schema& s) {
  std::vector<field_id> r(o.required.begin(), o.required.end());
  for (std::size_t i = predefined_field_count; i < s.size(); ++i) r.emplace_back(i);
  return r;
}

namespace {

// The key each field is found under: a predefined field's column name (from
// the options), a declared field's own name.
std::vector<std::string> primary_keys(const ingest_options& o, const schema& s) {
  std::vector<std::string> k(s.size());
  for (std::size_t f = 0; f < s.size(); ++f) {
    k[f] = column_key(f < predefined_field_count ? o.columns.name_of(static_cast<response_field>(f)) : s[field_id(f)].name);
  }
  return k;
}

}  // namespace

header_match match_header(const std::vector<std::string>& names, const ingest_options& o, const schema& s) {
  header_match m;
  m.column_field.assign(names.size(), std::nullopt);
  m.field_column.assign(s.size(), std::nullopt);
  std::vector<std::string> keys(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) column_key_into(names[i], keys[i]);
  const auto primary = primary_keys(o, s);
  auto take = [&](std::size_t f, std::size_t i, bool alias) {
    if (m.field_column[f]) {
      m.twice = std::make_pair(*m.field_column[f], i);
      m.twice_field = field_id(f);
      m.twice_by_alias = alias;
      return false;
    }
    m.field_column[f] = i;
    m.column_field[i] = field_id(f);
    if (s[field_id(f)].kind == field_kind::score) m.score_found = true;
    return true;
  };
  // Own, declared and explicit names first: an alias never takes their column.
  for (std::size_t f = 0; f < s.size(); ++f) {
    if (primary[f].empty()) continue;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (keys[i] == primary[f] && !m.column_field[i] && !take(f, i, false)) return m;
    }
  }
  for (std::size_t f = 0; f < predefined_field_count; ++f) {
    const auto field = static_cast<response_field>(f);
    if (primary[f].empty() || m.field_column[f] || primary[f] != to_string(field)) continue;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (m.column_field[i]) continue;
      for (const auto& a : column_aliases) {
        if (a.field == field && a.name == keys[i]) {
          if (!take(f, i, true)) return m;
          break;
        }
      }
    }
  }
  return m;
}

namespace {

// The column (not read as any field) closest to one of `wanted` (keys), when
// close enough: a distance of at most max(len, 3) / 3 for a wanted name of
// len bytes, the bound rustc uses when it suggests similar names
// (rustc_span::edit_distance::find_best_match_for_name). First in header
// order among the closest.
std::optional<std::size_t> closest_column(const std::vector<std::string>& names, const header_match& m,
                                          const std::vector<std::string>& wanted) {
  std::optional<std::size_t> best;
  std::size_t best_d = 0;
  std::string key;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (m.column_field[i]) continue;
    column_key_into(names[i], key);
    for (const auto& w : wanted) {
      const std::size_t cap = std::max<std::size_t>(w.size(), 3) / 3;
      const std::size_t d = name_distance(key, w, cap);
      if (d <= cap && (!best || d < best_d)) {
        best = i;
        best_d = d;
      }
    }
  }
  return best;
}

// The own name and the aliases of a field, as keys.
std::vector<std::string> default_keys(response_field f) {
  std::vector<std::string> k{to_string(f)};
  for (const auto& a : column_aliases) {
    if (a.field == f) k.emplace_back(a.name);
  }
  return k;
}

// A column (not read as any field) whose key is one of `keys`.
std::optional<std::size_t> column_named(const std::vector<std::string>& names, const header_match& m,
                                        const std::vector<std::string>& keys) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!m.column_field[i] && std::find(keys.begin(), keys.end(), column_key(names[i])) != keys.end()) return i;
  }
  return std::nullopt;
}

}  // namespace

header_mapping map_header(const std::vector<std::string>& names, const ingest_options& o, const schema& s,
                          const std::string& source, std::uint64_t line, std::string_view what_view,
                          std::string_view hint) {
  const std::string what(what_view);
  const header_match hm = match_header(names, o, s);
  if (hm.twice) {
    const auto [a, b] = *hm.twice;
    const std::string field = s[hm.twice_field].name;
    const std::string where = " (" + what + "s " + std::to_string(a + 1) + " and " + std::to_string(b + 1) + ")";
    if (hm.twice_by_alias) {
      throw parse_error(what + "s '" + shorten(names[a]) + "' and '" + shorten(names[b]) + "'" + where +
                            " are both names of field '" + field + "'; name the one to read (cxm: --column " + field +
                            "=NAME; a mapping's \"columns\")",
                        in_file(source, line, b + 1, field));
    }
    throw parse_error(names[a] == names[b] ? what + " '" + shorten(names[b]) + "' appears twice in the header" + where
                                           : what + "s '" + shorten(names[a]) + "' and '" + shorten(names[b]) + "'" +
                                                 where + " are one name for field '" + field + "'",
                      in_file(source, line, b + 1, field));
  }
  // "; did you mean 'x'? columns found: ..." or "; columns found: ...".
  auto ending = [&](const std::optional<std::size_t>& near) {
    return (near ? "; did you mean '" + shorten(names[*near]) + "'? " : std::string("; ")) + what +
           "s found: " + list_names(names) + (hint.empty() ? std::string() : " (" + std::string(hint) + ")");
  };
  for (const auto id : required_fields(o, s)) {
    if (hm.has(id)) continue;
    const std::string& field = s[id].name;
    if (!id.predefined()) {  // a declared field: found under its own name only
      throw parse_error("required " + what + " '" + shorten(field) + "' (declared field '" + shorten(field) + "', a " +
                            std::string(to_string(s[id].kind)) + ") is missing" +
                            ending(closest_column(names, hm, {column_key(field)})),
                        in_file(source, line, std::nullopt, field));
    }
    const auto f = static_cast<response_field>(id.value);
    const std::string& name = o.columns.name_of(f);
    std::string msg = "required " + what + " '" + shorten(name) + "' (field '" + field + "'";
    std::optional<std::size_t> near;
    if (named_by_default(o, f)) {
      const auto keys = default_keys(f);
      std::string other;  // the first two aliases, as examples
      for (std::size_t k = 1; k < keys.size() && k < 3; ++k) other += (k > 1 ? ", '" : "'") + keys[k] + "'";
      if (!other.empty()) msg += ", or an alias such as " + other;
      near = closest_column(names, hm, keys);
    } else {
      near = closest_column(names, hm, {column_key(name)});
      if (!near) near = column_named(names, hm, default_keys(f));  // the column it would have by default
    }
    msg += ") is missing";
    throw parse_error(msg + ending(near), in_file(source, line, std::nullopt, field));
  }
  if (!hm.has_score()) {
    std::string msg = "no score " + what + ": the header needs at least one of '" + shorten(o.columns.nps) + "', '" +
                      shorten(o.columns.csat) + "', '" + shorten(o.columns.ces) + "'";
    std::vector<std::string> wanted;
    std::string examples;
    for (const auto f : {response_field::nps, response_field::csat, response_field::ces}) {
      const std::string key = column_key(o.columns.name_of(f));
      if (key.empty()) continue;
      if (key != to_string(f)) {
        wanted.push_back(key);
        continue;
      }
      const auto keys = default_keys(f);
      wanted.insert(wanted.end(), keys.begin(), keys.end());
      if (keys.size() > 1) examples += (examples.empty() ? "'" : ", '") + keys[1] + "'";
    }
    if (!examples.empty()) msg += " (or an alias, e.g. " + examples + ")";
    msg += ending(closest_column(names, hm, wanted));
    throw parse_error(msg, in_file(source, line));
  }
  header_mapping m;
  m.column_field = hm.column_field;
  m.present.assign(s.size(), false);
  for (std::size_t f = 0; f < s.size(); ++f) m.present[f] = hm.field_column[f].has_value();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!m.column_field[i]) m.ignored.push_back(names[i]);
  }
  return m;
}

name_index::name_index(const ingest_options& o, const schema& s) {
  const auto primary = primary_keys(o, s);
  for (std::size_t f = 0; f < s.size(); ++f) {
    if (!primary[f].empty()) keys_.emplace_back(primary[f], field_id(f));
  }
  for (const auto& a : column_aliases) {
    const auto f = static_cast<std::size_t>(a.field);
    if (primary[f] != to_string(a.field)) continue;  // named explicitly (or never read): no aliases
    if (std::find(primary.begin(), primary.end(), a.name) != primary.end()) continue;  // another field's name
    keys_.emplace_back(std::string(a.name), a.field);
  }
  std::sort(keys_.begin(), keys_.end());
}

void name_index::narrow(const std::vector<std::string>& names, const std::vector<std::optional<field_id>>& column_field) {
  for (std::size_t i = 0; i < names.size() && i < column_field.size(); ++i) {
    if (!column_field[i]) continue;
    const field_id f = *column_field[i];
    std::erase_if(keys_, [f](const auto& e) { return e.second == f; });
    keys_.emplace_back(column_key(names[i]), f);
  }
  std::sort(keys_.begin(), keys_.end());
}

void name_index::remember_order(const std::vector<std::string>& names) {
  order_.clear();
  std::string scratch;
  for (const auto& n : names) order_.emplace_back(n, find(n, scratch));
}

std::optional<field_id> name_index::find(std::string_view name, std::string& scratch) const {
  column_key_into(name, scratch);
  const auto it = std::lower_bound(keys_.begin(), keys_.end(), scratch,
                                   [](const auto& e, const std::string& k) { return e.first < k; });
  if (it != keys_.end() && it->first == scratch) return it->second;
  return std::nullopt;
}

}  // namespace detail

}  // namespace cxm
