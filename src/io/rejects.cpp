// Rejects and counts: the names and error ids of the causes, a reject's
// message and typed error, their JSON and rejects files. See
// include/cxmetrics/io/rejects.hpp.
#include "cxmetrics/io/rejects.hpp"

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

namespace cxm::inline v0_1 {

std::string_view to_string(reject_cause c) noexcept {
  switch (c) {
    case reject_cause::score_out_of_scale: return "score_out_of_scale";
    case reject_cause::not_an_integer: return "not_an_integer";
    case reject_cause::not_a_number: return "not_a_number";
    case reject_cause::malformed_timestamp: return "malformed_timestamp";
    case reject_cause::unknown_channel: return "unknown_channel";
    case reject_cause::invalid_flag: return "invalid_flag";
    case reject_cause::invalid_weight: return "invalid_weight";
    case reject_cause::invalid_utf8: return "invalid_utf8";
    case reject_cause::invalid_value: return "invalid_value";
    case reject_cause::field_count: return "field_count";
    case reject_cause::malformed_csv: return "malformed_csv";
    case reject_cause::malformed_json: return "malformed_json";
    case reject_cause::record_too_long: return "record_too_long";
    case reject_cause::timestamp_out_of_range: return "timestamp_out_of_range";
  }
  return "invalid_value";
}

int reject_error_id(reject_cause c) noexcept {
  switch (c) {
    case reject_cause::score_out_of_scale: return score_out_of_scale::code;
    case reject_cause::not_an_integer: return invalid_value::code;
    case reject_cause::malformed_timestamp:
    case reject_cause::timestamp_out_of_range: return malformed_timestamp::code;
    case reject_cause::unknown_channel: return unknown_channel::code;
    case reject_cause::invalid_flag: return invalid_value::code;
    case reject_cause::invalid_weight: return invalid_weight::code;
    case reject_cause::invalid_value: return invalid_value::code;
    case reject_cause::not_a_number:
    case reject_cause::invalid_utf8:
    case reject_cause::field_count:
    case reject_cause::malformed_csv:
    case reject_cause::malformed_json:
    case reject_cause::record_too_long: return parse_error::code;
  }
  return parse_error::code;
}

location ingest_reject::where() const {
  location l;
  l.file = file;
  l.line = line;
  if (column != 0) l.column = column;
  l.field = field;
  return l;
}

std::string ingest_reject::message() const {
  std::string m = "[cxm.";
  m += error_kind(error_id);
  m += '.';
  m += std::to_string(error_id);
  m += "] ";
  m += where().to_string();
  m += ": ";
  m += reason;
  return m;
}

void ingest_reject::raise() const {
  switch (error_id) {
    case score_out_of_scale::code: throw score_out_of_scale(reason, where());
    case invalid_weight::code: throw invalid_weight(reason, where());
    case unknown_channel::code: throw unknown_channel(reason, where());
    case malformed_timestamp::code: throw malformed_timestamp(reason, where());
    case invalid_value::code: throw invalid_value(reason, where());
    default: throw parse_error(reason, where());
  }
}

void to_json(nlohmann::json& j, const ingest_summary& s) {
  j = nlohmann::json{{"rows_read", s.rows_read},
                     {"accepted", s.accepted},
                     {"rejected", s.rejected},
                     {"empty_lines", s.empty_lines},
                     {"rejected_by_reason", s.rejected_by_reason},
                     {"rejected_by_cause", s.rejected_by_cause},
                     {"missing_by_field", s.missing_by_field},
                     {"bytes_read", s.bytes_read}};
}

void to_json(nlohmann::json& j, const ingest_reject& r) {
  j = nlohmann::json{{"file", r.file},     {"line", r.line},         {"column", r.column},
                     {"field", r.field},   {"value", r.value},       {"reason", r.reason},
                     {"error_id", r.error_id}, {"cause", std::string(to_string(r.cause))}};
}

namespace {

void write_csv_field(std::ostream& out, std::string_view s) {
  const bool quote = s.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out << s;
    return;
  }
  out << '"';
  for (char c : s) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

}  // namespace

reject_csv_writer::reject_csv_writer(std::ostream& out, bool header) : out_(&out) {
  if (header) *out_ << "file,line,column,field,cause,error_id,reason,value\n";
}

void reject_csv_writer::operator()(const ingest_reject& r) const {
  std::ostream& o = *out_;
  write_csv_field(o, r.file);
  o << ',' << r.line << ',' << r.column << ',';
  write_csv_field(o, r.field);
  o << ',' << to_string(r.cause) << ',' << r.error_id << ',';
  write_csv_field(o, r.reason);
  o << ',';
  write_csv_field(o, r.value);
  o << '\n';
}

}  // namespace cxm
