// The response fields an input column can hold, and how a reader finds the
// column of each: the field names, the column_map a caller renames them
// with, the one matching rule of CSV headers, JSON keys and variable names,
// and the aliases under which survey tools export the fields.
//
// Header: cxmetrics/io/column_map.hpp; compiled part in src/io/column_match.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cxmetrics/export.hpp"

namespace cxm {

/// The response fields an input column can hold.
enum class response_field : std::uint8_t { id, timestamp, channel, agent, segment, nps, csat, ces, resolved, weight, why };

/// Number of response_field values.
inline constexpr std::size_t response_field_count = 11;

/// The field's name as used in rejects, locations, mapping files and missing_by_field.
[[nodiscard]] constexpr const char* to_string(response_field f) noexcept {
  switch (f) {
    case response_field::id: return "id";
    case response_field::timestamp: return "timestamp";
    case response_field::channel: return "channel";
    case response_field::agent: return "agent";
    case response_field::segment: return "segment";
    case response_field::nps: return "nps";
    case response_field::csat: return "csat";
    case response_field::ces: return "ces";
    case response_field::resolved: return "resolved";
    case response_field::weight: return "weight";
    case response_field::why: return "why";
  }
  return "id";
}

/// The field of a name ("nps", "why", ...; exact, lower case), if any.
[[nodiscard]] CXMETRICS_API std::optional<response_field> field_from_name(std::string_view name) noexcept;

/// Input column (CSV header name, JSON key, SPSS/Stata/SAS variable name) of
/// each field. An empty name means the field is never read.
///
/// How a reader finds a field's column (one matcher for CSV headers, JSON
/// keys and variable names):
///  * Names are compared as keys: ASCII letters in lower case, surrounding
///    blanks removed, and each run of ' ', '-' and '_' as one '_' ("Response
///    ID", "response-id" and "RESPONSE_ID" are one key).
///  * A field whose name is its own (the default, "nps" for nps) is found
///    under that name, else under one of its column_aliases (below). The own
///    name wins over an alias; two aliases of one field in one header are a
///    parse_error naming both (say which one with an explicit name).
///  * A field given another name (by the program, a mapping file's "columns"
///    or cxm's --column) is found under that name only, never an alias.
///  * A column is read as one field at most: own and explicit names are
///    matched first, aliases only among the columns left.
///  * Several columns with one field's name are a parse_error.
/// The column each field was read from is in ingest_report::column_of.
struct column_map {
  std::string id = "id";
  std::string timestamp = "timestamp";
  std::string channel = "channel";
  std::string agent = "agent";
  std::string segment = "segment";
  std::string nps = "nps";
  std::string csat = "csat";
  std::string ces = "ces";
  std::string resolved = "resolved";
  std::string weight = "weight";
  std::string why = "why";

  /// The column name of a field.
  [[nodiscard]] const std::string& name_of(response_field f) const noexcept {
    switch (f) {
      case response_field::id: return id;
      case response_field::timestamp: return timestamp;
      case response_field::channel: return channel;
      case response_field::agent: return agent;
      case response_field::segment: return segment;
      case response_field::nps: return nps;
      case response_field::csat: return csat;
      case response_field::ces: return ces;
      case response_field::resolved: return resolved;
      case response_field::weight: return weight;
      case response_field::why: return why;
    }
    return id;
  }
  /// The column name of a field, for changing it.
  [[nodiscard]] std::string& name_of(response_field f) noexcept {
    return const_cast<std::string&>(static_cast<const column_map&>(*this).name_of(f));
  }
};

/// A name under which survey tools and spreadsheets often export a field,
/// as a key (see column_map). Chosen so that none is a usual name of
/// something else: no "time" (often a time of day or a duration), no
/// "reason" (often a contact reason), no "resolution" (a ticket's outcome
/// text in help-desk exports), no "source" (a marketing source), no
/// "recommend" (often a yes/no question), no "startdate" (when a survey
/// was opened, beside its end date).
struct column_alias {
  response_field field;
  std::string_view name;
};

/// The aliases of every field (Qualtrics, SurveyMonkey, Google Forms,
/// Typeform, help-desk and spreadsheet exports):
///
///   field      aliases
///   ---------  ------------------------------------------------------------------------
///   id         response_id, responseid (Qualtrics "ResponseId"), respondent_id
///              (SurveyMonkey "Respondent ID"), respondentid, record_id
///   timestamp  date, datetime, created_at, submitted_at, submit_date, submission_date,
///              submit_date_(utc) (Typeform), response_date, completed_at, end_date
///              (SurveyMonkey "End Date"), enddate (Qualtrics "EndDate")
///   channel    contact_channel, channel_name, support_channel
///   agent      agent_id, agent_name, rep, rep_name
///   segment    customer_segment, segment_name
///   nps        ltr, likelihood_to_recommend, nps_score, net_promoter_score
///   csat       satisfaction, csat_score, customer_satisfaction
///   ces        effort, customer_effort, ces_score, customer_effort_score
///   resolved   issue_resolved, is_resolved, fcr, first_contact_resolution
///   weight     wt, survey_weight, sample_weight
///   why        comment, comments, verbatim, feedback
///
/// (Google Forms' "Timestamp" is the field's own name.) No alias is a
/// field's own name or an alias of two fields.
inline constexpr column_alias column_aliases[] = {
    {response_field::id, "response_id"},
    {response_field::id, "responseid"},
    {response_field::id, "respondent_id"},
    {response_field::id, "respondentid"},
    {response_field::id, "record_id"},
    {response_field::timestamp, "date"},
    {response_field::timestamp, "datetime"},
    {response_field::timestamp, "created_at"},
    {response_field::timestamp, "submitted_at"},
    {response_field::timestamp, "submit_date"},
    {response_field::timestamp, "submission_date"},
    {response_field::timestamp, "submit_date_(utc)"},
    {response_field::timestamp, "response_date"},
    {response_field::timestamp, "completed_at"},
    {response_field::timestamp, "end_date"},
    {response_field::timestamp, "enddate"},
    {response_field::channel, "contact_channel"},
    {response_field::channel, "channel_name"},
    {response_field::channel, "support_channel"},
    {response_field::agent, "agent_id"},
    {response_field::agent, "agent_name"},
    {response_field::agent, "rep"},
    {response_field::agent, "rep_name"},
    {response_field::segment, "customer_segment"},
    {response_field::segment, "segment_name"},
    {response_field::nps, "ltr"},
    {response_field::nps, "likelihood_to_recommend"},
    {response_field::nps, "nps_score"},
    {response_field::nps, "net_promoter_score"},
    {response_field::csat, "satisfaction"},
    {response_field::csat, "csat_score"},
    {response_field::csat, "customer_satisfaction"},
    {response_field::ces, "effort"},
    {response_field::ces, "customer_effort"},
    {response_field::ces, "ces_score"},
    {response_field::ces, "customer_effort_score"},
    {response_field::resolved, "issue_resolved"},
    {response_field::resolved, "is_resolved"},
    {response_field::resolved, "fcr"},
    {response_field::resolved, "first_contact_resolution"},
    {response_field::weight, "wt"},
    {response_field::weight, "survey_weight"},
    {response_field::weight, "sample_weight"},
    {response_field::why, "comment"},
    {response_field::why, "comments"},
    {response_field::why, "verbatim"},
    {response_field::why, "feedback"},
};

/// The key a column name is compared as (see column_map): "Response ID" →
/// "response_id".
[[nodiscard]] CXMETRICS_API std::string column_key(std::string_view name);

}  // namespace cxm
