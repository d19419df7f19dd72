// The schema of a response: its fields, declared once, which every reader,
// table and batch follows.
//
// A field is a name, a kind and the options of its kind:
//
//   kind      holds                                  options      column (response_table, response_batch)
//   --------  -------------------------------------  -----------  -----------------------------------------
//   score     a whole point of a bounded scale       its scale    uint8; 255 (missing_score) when missing
//   flag      yes, no or unknown                     vocabulary   int8: 1 yes, 0 no, -1 unknown (and missing)
//   time      an instant, Unix seconds UTC           -            int64; INT64_MIN (missing_time) when missing
//   category  a label                                -            uint32 id into the field's dictionary, 0 the
//                                                                 empty label (missing); the channel: uint16
//                                                                 cxm::channel_id into a channel_set
//   numeric   a finite number                        -            double; NaN when missing
//   text      free text                              -            text, empty when missing
//   weight    a survey weight: 0 or 1e-100..1e100    -            double; 1 when missing
//   id        an identifier, kept verbatim           -            text, empty when missing
//
// Every schema starts with the eleven predefined fields (below), whose ids
// are the values of response_field (response_field::nps is the id of the
// field nps, 5); fields declared with a schema_builder follow, in the order
// declared. A field's id (field_id) is its index in the schema.
//
// Names compare as keys (field_key): ASCII letters in lower case,
// surrounding blanks removed, each run of ' ', '-', '_' and tab as one '_'
// ("Q1 Recommend" and "q1-recommend" are one name). An input column belongs
// to a declared field when its name is the field's name under that rule;
// aliases (predefined_fields[f].aliases) are the predefined fields' only.
//
//   cxm::schema s = cxm::schema_builder()
//                       .score("q1", cxm::scale::custom(1, 5, 4, 2))
//                       .category("region")
//                       .numeric("spend")
//                       .build();
//   const cxm::field_id q1 = *s.find("q1");           // 11: after the predefined fields
//   s[cxm::response_field::nps].score_scale->max();   // 10
//
// The shell's form of a declaration is NAME:KIND[:SCALE] (parse_field):
// "q1:score:1-5", "region:category", "spend:numeric".
//
// Header: cxmetrics/core/schema.hpp (header-only).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/scale.hpp"

namespace cxm::inline v0_1 {

/// What a field holds (see the header comment).
enum class field_kind : std::uint8_t { score, flag, time, category, numeric, text, weight, id };

/// Number of field_kind values.
inline constexpr std::size_t field_kind_count = 8;

/// "score", "flag", "time", "category", "numeric", "text", "weight", "id".
[[nodiscard]] constexpr std::string_view to_string(field_kind k) noexcept {
  constexpr std::array<std::string_view, field_kind_count> names{"score",   "flag", "time",   "category",
                                                                 "numeric", "text", "weight", "id"};
  const auto i = static_cast<std::size_t>(k);
  return i < names.size() ? names[i] : std::string_view("unknown");
}

/// The kind a name ("score", "category", ...; exact, lower case) names.
[[nodiscard]] constexpr std::optional<field_kind> field_kind_from_name(std::string_view name) noexcept {
  for (std::size_t k = 0; k < field_kind_count; ++k) {
    if (to_string(static_cast<field_kind>(k)) == name) return static_cast<field_kind>(k);
  }
  return std::nullopt;
}

/// Tokens of a flag field (compared case-insensitively after trimming
/// blanks). An empty value is always unknown. A token may be in one list only.
struct flag_vocabulary {
  std::vector<std::string> yes{"yes", "y", "true", "1"};
  std::vector<std::string> no{"no", "n", "false", "0"};
  std::vector<std::string> unknown{"unknown", "na", "n/a", "-"};
  friend bool operator==(const flag_vocabulary&, const flag_vocabulary&) = default;
};

/// The ids of the predefined fields (the first ids of every schema).
enum class response_field : std::uint16_t { id, timestamp, channel, agent, segment, nps, csat, ces, resolved, weight, why };

/// A name under which survey tools and spreadsheets often export a
/// predefined field, as a key (see field_key).
struct column_alias {
  response_field field;
  std::string_view name;
};

/// A predefined field: its name, kind and aliases.
struct predefined_field {
  std::string_view name;
  field_kind kind;
  std::span<const std::string_view> aliases;
};

namespace detail {
// The aliases of each predefined field (see predefined_fields).
inline constexpr std::string_view id_aliases[] = {"response_id", "responseid", "respondent_id", "respondentid",
                                                  "record_id"};
inline constexpr std::string_view timestamp_aliases[] = {
    "date",           "datetime",          "created_at",    "submitted_at", "submit_date", "submission_date",
    "submit_date_(utc)", "response_date", "completed_at", "end_date",     "enddate"};
inline constexpr std::string_view channel_aliases[] = {"contact_channel", "channel_name", "support_channel"};
inline constexpr std::string_view agent_aliases[] = {"agent_id", "agent_name", "rep", "rep_name"};
inline constexpr std::string_view segment_aliases[] = {"customer_segment", "segment_name"};
inline constexpr std::string_view nps_aliases[] = {"ltr", "likelihood_to_recommend", "nps_score", "net_promoter_score"};
inline constexpr std::string_view csat_aliases[] = {"satisfaction", "csat_score", "customer_satisfaction"};
inline constexpr std::string_view ces_aliases[] = {"effort", "customer_effort", "ces_score", "customer_effort_score"};
inline constexpr std::string_view resolved_aliases[] = {"issue_resolved", "is_resolved", "fcr",
                                                        "first_contact_resolution"};
inline constexpr std::string_view weight_aliases[] = {"wt", "survey_weight", "sample_weight"};
inline constexpr std::string_view why_aliases[] = {"comment", "comments", "verbatim", "feedback"};
}  // namespace detail

/// The eleven predefined fields, in the order of their ids (response_field),
/// with the aliases of survey exports (Qualtrics, SurveyMonkey, Google
/// Forms, Typeform, help-desk and spreadsheet exports):
///
///   field      kind      aliases
///   ---------  --------  ------------------------------------------------------------------
///   id         id        response_id, responseid (Qualtrics "ResponseId"), respondent_id
///                        (SurveyMonkey "Respondent ID"), respondentid, record_id
///   timestamp  time      date, datetime, created_at, submitted_at, submit_date, submission_date,
///                        submit_date_(utc) (Typeform), response_date, completed_at, end_date
///                        (SurveyMonkey "End Date"), enddate (Qualtrics "EndDate")
///   channel    category  contact_channel, channel_name, support_channel
///   agent      category  agent_id, agent_name, rep, rep_name
///   segment    category  customer_segment, segment_name
///   nps        score     ltr, likelihood_to_recommend, nps_score, net_promoter_score
///   csat       score     satisfaction, csat_score, customer_satisfaction
///   ces        score     effort, customer_effort, ces_score, customer_effort_score
///   resolved   flag      issue_resolved, is_resolved, fcr, first_contact_resolution
///   weight     weight    wt, survey_weight, sample_weight
///   why        text      comment, comments, verbatim, feedback
///
/// (Google Forms' "Timestamp" is the field's own name.) The aliases are
/// chosen so that none is a usual name of something else: no "time" (often
/// a time of day or a duration), no "reason" (a contact reason), no
/// "resolution" (a ticket's outcome text in help-desk exports), no "source"
/// (a marketing source), no "recommend" (often a yes/no question), no
/// "startdate" (when a survey was opened). No alias is a field's own name or
/// an alias of two fields.
inline constexpr predefined_field predefined_fields[] = {
    {"id", field_kind::id, detail::id_aliases},
    {"timestamp", field_kind::time, detail::timestamp_aliases},
    {"channel", field_kind::category, detail::channel_aliases},
    {"agent", field_kind::category, detail::agent_aliases},
    {"segment", field_kind::category, detail::segment_aliases},
    {"nps", field_kind::score, detail::nps_aliases},
    {"csat", field_kind::score, detail::csat_aliases},
    {"ces", field_kind::score, detail::ces_aliases},
    {"resolved", field_kind::flag, detail::resolved_aliases},
    {"weight", field_kind::weight, detail::weight_aliases},
    {"why", field_kind::text, detail::why_aliases},
};

/// Number of predefined fields (response_field values).
inline constexpr std::size_t predefined_field_count = std::size(predefined_fields);
static_assert(static_cast<std::size_t>(response_field::why) + 1 == predefined_field_count,
              "response_field lists the ids of predefined_fields");

/// The predefined field of an id.
[[nodiscard]] constexpr const predefined_field& predefined(response_field f) noexcept {
  return predefined_fields[static_cast<std::size_t>(f)];
}

/// The field's name as used in rejects, locations, mapping files and missing_by_field.
[[nodiscard]] constexpr const char* to_string(response_field f) noexcept {
  // The names are literals, so their data() ends in a NUL.
  return predefined(f).name.data();
}

/// A field's index in its schema. A response_field converts to the id of
/// that predefined field.
struct field_id {
  std::uint16_t value = 0;
  constexpr field_id() noexcept = default;
  constexpr explicit field_id(std::size_t index) noexcept : value(static_cast<std::uint16_t>(index)) {}
  constexpr field_id(response_field f) noexcept  // NOLINT(google-explicit-constructor): a predefined id
      : value(static_cast<std::uint16_t>(f)) {}
  [[nodiscard]] constexpr std::size_t index() const noexcept { return value; }
  /// True for the ids of the predefined fields.
  [[nodiscard]] constexpr bool predefined() const noexcept { return value < predefined_field_count; }
  friend constexpr bool operator==(field_id, field_id) noexcept = default;
  friend constexpr auto operator<=>(field_id, field_id) noexcept = default;
};

/// The scales of the three predefined score fields.
struct table_scales {
  scale nps = scale::nps();
  scale csat = scale::csat();
  scale ces = scale::ces();
};

/// One field of a schema.
struct field {
  std::string name;
  field_kind kind = field_kind::text;
  std::optional<cxm::scale> score_scale;  ///< a score's scale (required for scores, empty otherwise)
  flag_vocabulary vocabulary;             ///< a flag's tokens (other kinds keep the default)
  friend bool operator==(const field&, const field&) = default;
};

/// How a column is stored (see the header comment): one type per kind,
/// except the channel's 16-bit ids.
enum class column_type : std::uint8_t { score, flag, time, channel, category, number, text };
inline constexpr std::size_t column_type_count = 7;

/// The column type of a field of kind `k` (the predefined channel aside).
[[nodiscard]] constexpr column_type column_type_of(field_kind k) noexcept {
  switch (k) {
    case field_kind::score: return column_type::score;
    case field_kind::flag: return column_type::flag;
    case field_kind::time: return column_type::time;
    case field_kind::category: return column_type::category;
    case field_kind::numeric:
    case field_kind::weight: return column_type::number;
    case field_kind::text:
    case field_kind::id: return column_type::text;
  }
  return column_type::text;
}

/// The column type of field `f` of a schema whose kind is `k`.
[[nodiscard]] constexpr column_type column_type_of(field_id f, field_kind k) noexcept {
  return f == field_id(response_field::channel) ? column_type::channel : column_type_of(k);
}

/// The index of a predefined field's column among the columns of its type
/// (the same in every schema: declared fields come after).
[[nodiscard]] constexpr std::size_t predefined_slot(response_field f) noexcept {
  const auto i = static_cast<std::size_t>(f);
  const column_type t = column_type_of(field_id(f), predefined_fields[i].kind);
  std::size_t slot = 0;
  for (std::size_t j = 0; j < i; ++j) {
    if (column_type_of(field_id(j), predefined_fields[j].kind) == t) ++slot;
  }
  return slot;
}

namespace detail {
/// field_key() written into `out`.
inline void field_key_into(std::string_view name, std::string& out) {
  out.clear();
  while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  bool sep = false;
  for (const char c : name) {
    if (c == ' ' || c == '-' || c == '_' || c == '\t') {
      if (!sep) out += '_';
      sep = true;
      continue;
    }
    sep = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
}
}  // namespace detail

/// The key a field or column name is compared as: "Response ID" → "response_id".
[[nodiscard]] inline std::string field_key(std::string_view name) {
  std::string k;
  detail::field_key_into(name, k);
  return k;
}

/// Throws invalid_argument naming `where` when a vocabulary has an empty
/// token (an empty value is always unknown) or a token in two lists.
inline void check_vocabulary(const flag_vocabulary& v, const std::string& where) {
  const auto lower_trimmed = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    std::string t(s);
    for (auto& c : t) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return t;
  };
  const std::vector<std::string>* lists[] = {&v.yes, &v.no, &v.unknown};
  const char* kinds[] = {"yes", "no", "unknown"};
  for (std::size_t a = 0; a < 3; ++a) {
    for (const auto& token : *lists[a]) {
      const std::string t = lower_trimmed(token);
      if (t.empty()) {
        throw invalid_argument(std::string("a token of kind '") + kinds[a] + "' is empty (an empty value is always unknown)",
                               at_field(where));
      }
      for (std::size_t b = a + 1; b < 3; ++b) {
        for (const auto& other : *lists[b]) {
          if (lower_trimmed(other) == t) {
            throw invalid_argument("token '" + t + "' is listed as " + kinds[a] + " and as " + kinds[b],
                                   at_field(where));
          }
        }
      }
    }
  }
}

/// The fields of a response: the eleven predefined ones, then the declared
/// ones (schema_builder). Regular value type; cheap to copy for a handful of
/// fields.
class schema {
 public:
  /// Most fields a schema holds (ids 0 … max_fields − 1).
  static constexpr std::size_t max_fields = 0xFFFE;

  /// The predefined fields with default scales and resolved vocabulary.
  schema() : schema(table_scales{}) {}
  /// The predefined fields with these scales and resolved vocabulary.
  /// Throws invalid_argument when a scale does not fit 0..254.
  explicit schema(const table_scales& scales, const flag_vocabulary& resolved = {}) {
    for (const auto& p : predefined_fields) fields_.push_back(field{std::string(p.name), p.kind, std::nullopt, {}});
    set_predefined(scales, resolved);
  }

  [[nodiscard]] std::size_t size() const noexcept { return fields_.size(); }
  /// The field of an id (unchecked).
  [[nodiscard]] const field& operator[](field_id f) const noexcept { return fields_[f.index()]; }
  /// The field of an id; throws invalid_argument for an id not in the schema.
  [[nodiscard]] const field& at(field_id f) const {
    if (f.index() >= fields_.size()) {
      throw invalid_argument("field id " + std::to_string(f.index()) + " is not in the schema (" +
                             std::to_string(fields_.size()) + " fields)");
    }
    return fields_[f.index()];
  }
  /// Every field, indexed by id.
  [[nodiscard]] std::span<const field> fields() const noexcept { return fields_; }
  /// The declared fields (ids predefined_field_count and up).
  [[nodiscard]] std::span<const field> declared() const noexcept {
    return std::span<const field>(fields_).subspan(predefined_field_count);
  }
  /// The id of the field whose name has the key of `name`, if any.
  [[nodiscard]] std::optional<field_id> find(std::string_view name) const {
    const std::string key = field_key(name);
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      if (field_key(fields_[i].name) == key) return field_id(i);
    }
    return std::nullopt;
  }

  /// The scales of the predefined score fields.
  [[nodiscard]] table_scales scales() const {
    return table_scales{scale_of(response_field::nps), scale_of(response_field::csat), scale_of(response_field::ces)};
  }
  /// The scale of a score field; throws invalid_argument for another kind.
  [[nodiscard]] const scale& scale_of(field_id f) const {
    const field& d = at(f);
    if (!d.score_scale) throw invalid_argument("field '" + d.name + "' is a " + std::string(to_string(d.kind)) + ", not a score");
    return *d.score_scale;
  }
  /// This schema with other scales and resolved vocabulary for the predefined fields.
  [[nodiscard]] schema with(const table_scales& scales, const flag_vocabulary& resolved) const {
    schema s = *this;
    s.set_predefined(scales, resolved);
    return s;
  }

  /// How the column of a field is stored, and its index among the columns of that type.
  [[nodiscard]] column_type type_of(field_id f) const noexcept { return column_type_of(f, fields_[f.index()].kind); }
  [[nodiscard]] std::size_t slot_of(field_id f) const noexcept { return slot_[f.index()]; }
  /// Number of columns of a type.
  [[nodiscard]] std::size_t columns_of(column_type t) const noexcept { return counts_[static_cast<std::size_t>(t)]; }

  /// True when both have the same fields (names, kinds, scales) in the same
  /// order: their columns hold the same values. Vocabularies may differ.
  [[nodiscard]] bool same_columns(const schema& o) const noexcept {
    if (o.fields_.size() != fields_.size()) return false;
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      const field& a = fields_[i];
      const field& b = o.fields_[i];
      if (a.name != b.name || a.kind != b.kind || a.score_scale != b.score_scale) return false;
    }
    return true;
  }

  friend bool operator==(const schema& a, const schema& b) { return a.fields_ == b.fields_; }

 private:
  friend class schema_builder;

  // Throws what adding `f` would throw; changes nothing.
  void check_new(const field& f) const {
    const std::string key = field_key(f.name);
    if (key.empty()) throw invalid_argument("a field needs a name (got '" + f.name + "')", at_field(f.name));
    if (static_cast<std::size_t>(f.kind) >= field_kind_count) {
      throw invalid_argument("field kind " + std::to_string(static_cast<int>(f.kind)) +
                                 " is not one of score, flag, time, category, numeric, text, weight, id",
                             at_field(f.name));
    }
    if (const auto have = find(f.name)) {
      throw invalid_argument(have->predefined() ? "'" + f.name + "' is the name of the predefined field '" +
                                                      fields_[have->index()].name + "'"
                                                : "field '" + f.name + "' is declared twice (as '" +
                                                      fields_[have->index()].name + "' before)",
                             at_field(f.name));
    }
    if (fields_.size() >= max_fields) {
      throw invalid_argument("a schema holds at most " + std::to_string(max_fields) + " fields", at_field(f.name));
    }
    check_options(f);
  }

  static void check_options(const field& f) {
    if (f.kind == field_kind::score) {
      if (!f.score_scale) throw invalid_argument("score field '" + f.name + "' needs a scale (e.g. 1-5)", at_field(f.name));
      if (f.score_scale->min() < 0 || f.score_scale->max() > 254) {
        throw invalid_argument("score columns store points 0..254, but the " + f.score_scale->describe() +
                                   " of field '" + f.name + "' does not fit",
                               at_field(f.name));
      }
    } else if (f.score_scale) {
      throw invalid_argument("field '" + f.name + "' is a " + std::string(to_string(f.kind)) +
                                 ": only a score takes a scale",
                             at_field(f.name));
    }
    if (f.kind == field_kind::flag) check_vocabulary(f.vocabulary, f.name);
  }

  void push(field f) {
    const column_type t = column_type_of(field_id(fields_.size()), f.kind);
    slot_.push_back(static_cast<std::uint16_t>(counts_[static_cast<std::size_t>(t)]++));
    fields_.push_back(std::move(f));
  }

  void set_predefined(const table_scales& scales, const flag_vocabulary& resolved) {
    std::vector<field> f(fields_.begin(), fields_.end());
    f[static_cast<std::size_t>(response_field::nps)].score_scale = scales.nps;
    f[static_cast<std::size_t>(response_field::csat)].score_scale = scales.csat;
    f[static_cast<std::size_t>(response_field::ces)].score_scale = scales.ces;
    f[static_cast<std::size_t>(response_field::resolved)].vocabulary = resolved;
    for (std::size_t i = 0; i < predefined_field_count; ++i) check_options(f[i]);
    fields_.clear();
    slot_.clear();
    counts_.fill(0);
    for (auto& x : f) push(std::move(x));
  }

  std::vector<field> fields_;
  std::vector<std::uint16_t> slot_;
  std::array<std::size_t, column_type_count> counts_{};
};

/// Declares fields beyond the predefined ones. Each call checks its field
/// and throws invalid_argument naming it (field 'NAME') when the name is
/// empty or already a field's (predefined ones included), the kind is not a
/// field_kind, a score has no scale or one outside 0..254, another kind has
/// a scale, or a flag's vocabulary has an empty token or one token twice;
/// the builder is then unchanged.
class schema_builder {
 public:
  /// Starts from the predefined fields with default options.
  schema_builder() = default;
  /// Starts from `base` (its predefined options and declared fields).
  explicit schema_builder(schema base) : schema_(std::move(base)) {}

  schema_builder& score(std::string name, scale s) { return add(field{std::move(name), field_kind::score, s, {}}); }
  schema_builder& flag(std::string name, flag_vocabulary v = {}) {
    return add(field{std::move(name), field_kind::flag, std::nullopt, std::move(v)});
  }
  schema_builder& time(std::string name) { return add(field{std::move(name), field_kind::time, std::nullopt, {}}); }
  schema_builder& category(std::string name) { return add(field{std::move(name), field_kind::category, std::nullopt, {}}); }
  schema_builder& numeric(std::string name) { return add(field{std::move(name), field_kind::numeric, std::nullopt, {}}); }
  schema_builder& text(std::string name) { return add(field{std::move(name), field_kind::text, std::nullopt, {}}); }
  schema_builder& weight(std::string name) { return add(field{std::move(name), field_kind::weight, std::nullopt, {}}); }
  schema_builder& id(std::string name) { return add(field{std::move(name), field_kind::id, std::nullopt, {}}); }
  /// Declares a field given whole.
  schema_builder& add(field f) {
    schema_.check_new(f);
    schema_.push(std::move(f));
    return *this;
  }

  [[nodiscard]] schema build() const& { return schema_; }
  [[nodiscard]] schema build() && { return std::move(schema_); }

 private:
  schema schema_;
};

/// A score scale from its text: "nps", "csat" or "ces" (the standard
/// scales), or "MIN-MAX" (also "MIN..MAX") with 0 <= MIN < MAX <= 254,
/// whose high and low groups are the top and bottom two points (one each
/// on a scale of two or three points), or "MIN-MAX/K" with the top and
/// bottom K points (1 <= 2K <= points). Throws invalid_argument naming the
/// text and `where` (a field name) otherwise.
[[nodiscard]] inline scale parse_scale(std::string_view text, const std::string& where = {}) {
  const auto bad = [&](const std::string& why) -> invalid_argument {
    return invalid_argument("scale '" + std::string(text) + "' " + why, at_field(where));
  };
  if (text == "nps") return scale::nps();
  if (text == "csat") return scale::csat();
  if (text == "ces") return scale::ces();
  const auto number = [&](std::string_view s) {
    int v = 0;
    if (s.empty() || s.size() > 3) throw bad("is not nps, csat, ces or MIN-MAX[/K] with whole numbers 0..254");
    for (const char c : s) {
      if (c < '0' || c > '9') throw bad("is not nps, csat, ces or MIN-MAX[/K] with whole numbers 0..254");
      v = v * 10 + (c - '0');
    }
    return v;
  };
  std::string_view range = text;
  std::optional<int> box;
  if (const auto slash = range.find('/'); slash != std::string_view::npos) {
    box = number(range.substr(slash + 1));
    range = range.substr(0, slash);
  }
  const std::size_t dots = range.find("..");
  const std::size_t dash = dots != std::string_view::npos ? dots : range.find('-');
  if (dash == std::string_view::npos) throw bad("is not nps, csat, ces or MIN-MAX[/K] with whole numbers 0..254");
  const int lo = number(range.substr(0, dash));
  const int hi = number(range.substr(dash + (dots != std::string_view::npos ? 2 : 1)));
  if (!(lo < hi) || hi > 254) throw bad("needs 0 <= MIN < MAX <= 254");
  const int points = hi - lo + 1;
  const int k = box ? *box : (points >= 4 ? 2 : 1);
  if (k < 1 || 2 * k > points) {
    throw bad("has a top and bottom box of " + std::to_string(k) + " points, which needs 1 <= 2K <= " +
              std::to_string(points));
  }
  return scale::custom(lo, hi, hi - k + 1, lo + k - 1);
}

/// A field from its shell form NAME:KIND[:SCALE] ("q1:score:1-5",
/// "region:category"); the NAME may itself hold ':'. A score needs a SCALE
/// (parse_scale), other kinds take none; a flag gets the default
/// vocabulary. Throws invalid_argument naming the declaration.
[[nodiscard]] inline field parse_field(std::string_view spec) {
  const std::string where(spec);
  const auto bad = [&](const std::string& why) -> invalid_argument {
    return invalid_argument("field declaration '" + where + "' " + why +
                                " (NAME:KIND[:SCALE], KIND one of score, flag, time, category, numeric, text, "
                                "weight, id; e.g. q1:score:1-5)",
                            at_field(where));
  };
  const std::size_t last = spec.rfind(':');
  if (last == std::string_view::npos) throw bad("has no kind");
  field f;
  std::optional<std::string_view> scale_text;
  if (auto k = field_kind_from_name(spec.substr(last + 1))) {
    f.kind = *k;
    f.name = std::string(spec.substr(0, last));
  } else {
    const std::size_t before = last == 0 ? std::string_view::npos : spec.rfind(':', last - 1);
    k = before == std::string_view::npos ? std::nullopt : field_kind_from_name(spec.substr(before + 1, last - before - 1));
    if (!k) throw bad("names no kind");
    f.kind = *k;
    f.name = std::string(spec.substr(0, before));
    scale_text = spec.substr(last + 1);
  }
  if (field_key(f.name).empty()) throw bad("has no name");
  if (f.kind == field_kind::score) {
    if (!scale_text) throw bad("declares a score without a scale");
    try {
      f.score_scale = parse_scale(*scale_text, f.name);
    } catch (const invalid_argument& e) {
      throw bad("has a bad scale: " + e.reason());
    }
  } else if (scale_text) {
    throw bad("gives a scale to a " + std::string(to_string(f.kind)) + " (only a score takes one)");
  }
  return f;
}

}  // namespace cxm
