// SPSS, Stata and SAS files through ReadStat: see include/cxmetrics/io/readstat.hpp.
#include "cxmetrics/io/readstat.hpp"

#include <charconv>
#include <cmath>
#include <exception>
#include <map>
#include <string>
#include <vector>

#include "io/ingest_internal.hpp"

#if defined(CXMETRICS_HAVE_READSTAT) && CXMETRICS_HAVE_READSTAT
#include <readstat.h>
#define CXMETRICS_READSTAT_ON 1
#else
#define CXMETRICS_READSTAT_ON 0
#endif

namespace cxm::inline v0_1 {

bool has_readstat() noexcept { return CXMETRICS_READSTAT_ON != 0; }

#if CXMETRICS_READSTAT_ON

namespace {

using detail::chunk_out;
using detail::row_builder;
using detail::session;

// Unix time of the epochs statistics packages count from (days_from_civil of
// Hinnant 2013, evaluated by hand: 1582-10-14 is 141428 days before
// 1970-01-01, 1960-01-01 is 3653 days before it).
constexpr double kSpssEpoch = -141428.0 * 86400.0;  // 1582-10-14T00:00:00Z
constexpr double kEpoch1960 = -3653.0 * 86400.0;    // 1960-01-01T00:00:00Z

enum class date_kind : std::uint8_t { none, seconds_1582, seconds_1960, millis_1960, days_1960 };

bool starts_with_any(const std::string& s, std::initializer_list<const char*> prefixes) {
  for (const char* p : prefixes) {
    if (s.rfind(p, 0) == 0) return true;
  }
  return false;
}

date_kind date_kind_of(ingest_format f, const std::string& format) {
  std::string u;
  for (char c : format) u += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  switch (f) {
    case ingest_format::sav:
    case ingest_format::por:
      // Every SPSS date format stores seconds since 1582-10-14.
      if (starts_with_any(u, {"DATETIME", "YMDHMS", "DATE", "ADATE", "EDATE", "JDATE", "SDATE", "MOYR", "QYR", "WKYR"})) {
        return date_kind::seconds_1582;
      }
      return date_kind::none;
    case ingest_format::dta:
      if (starts_with_any(u, {"%TC"})) return date_kind::millis_1960;
      if (starts_with_any(u, {"%TD", "%D"})) return date_kind::days_1960;
      return date_kind::none;
    case ingest_format::sas7bdat:
    case ingest_format::xport:
      if (starts_with_any(u, {"DATETIME", "E8601DT", "B8601DT", "IS8601DT"})) return date_kind::seconds_1960;
      if (starts_with_any(u, {"DATE", "YYMMDD", "MMDDYY", "DDMMYY", "E8601DA", "B8601DA", "WEEKDATE", "WORDDATE",
                              "MONYY"})) {
        return date_kind::days_1960;
      }
      return date_kind::none;
    default: return date_kind::none;
  }
}

struct label_set {
  std::map<double, std::string> numbers;
  std::map<std::string, std::string> strings;
};

struct variable_info {
  std::string name;
  std::string labels;  // name of its label set, empty for none
  std::string format;
  bool numeric = true;
};

struct reader_ctx {
  ingest_format format = ingest_format::sav;
  std::vector<variable_info> vars;
  std::map<std::string, label_set> labels;
  // pass 2
  session* ses = nullptr;
  chunk_out* out = nullptr;
  row_builder* rb = nullptr;
  const schema* fields_of = nullptr;
  std::vector<std::optional<field_id>> fields;
  std::vector<date_kind> dates;
  std::vector<const label_set*> var_labels;
  std::size_t batch_rows = 0;
  long row = -1;
  // The text of each variable of the current row, one string per variable:
  // the row builder keeps views of id, agent and segment until the row ends.
  std::vector<std::string> text;
  std::exception_ptr error;
};

std::string number_text(double v) {
  char buf[64];
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9e15) {
    const auto r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v));
    return std::string(buf, r.ptr);
  }
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

int on_variable(int index, readstat_variable_t* variable, const char* val_labels, void* p) {
  auto& c = *static_cast<reader_ctx*>(p);
  try {
    if (index < 0) return READSTAT_HANDLER_OK;
    const auto i = static_cast<std::size_t>(index);
    if (c.vars.size() <= i) c.vars.resize(i + 1);
    variable_info& v = c.vars[i];
    const char* name = readstat_variable_get_name(variable);
    const char* fmt = readstat_variable_get_format(variable);
    v.name = name != nullptr ? name : "";
    v.format = fmt != nullptr ? fmt : "";
    v.labels = val_labels != nullptr ? val_labels : "";
    v.numeric = readstat_variable_get_type_class(variable) == READSTAT_TYPE_CLASS_NUMERIC;
  } catch (...) {
    c.error = std::current_exception();
    return READSTAT_HANDLER_ABORT;
  }
  return READSTAT_HANDLER_OK;
}

int on_value_label(const char* val_labels, readstat_value_t value, const char* label, void* p) {
  auto& c = *static_cast<reader_ctx*>(p);
  try {
    if (val_labels == nullptr || label == nullptr) return READSTAT_HANDLER_OK;
    label_set& s = c.labels[val_labels];
    if (readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING) {
      const char* k = readstat_string_value(value);
      s.strings[k != nullptr ? k : ""] = label;
    } else if (!readstat_value_is_system_missing(value)) {
      s.numbers[readstat_double_value(value)] = label;
    }
  } catch (...) {
    c.error = std::current_exception();
    return READSTAT_HANDLER_ABORT;
  }
  return READSTAT_HANDLER_OK;
}

void end_row(reader_ctx& c) {
  if (c.row < 0) return;
  c.rb->end();
  if (c.out->rows + c.out->rejects.size() >= c.batch_rows) {
    c.ses->deliver(*c.out);
    c.out->clear();
  }
}

const std::string* label_of(const reader_ctx& c, std::size_t var, double v) {
  const label_set* s = c.var_labels[var];
  if (s == nullptr) return nullptr;
  const auto it = s->numbers.find(v);
  return it == s->numbers.end() ? nullptr : &it->second;
}

int on_value(int obs_index, readstat_variable_t* variable, readstat_value_t value, void* p) {
  auto& c = *static_cast<reader_ctx*>(p);
  try {
    if (obs_index != c.row) {
      end_row(c);
      c.row = obs_index;
      c.rb->begin(static_cast<std::uint64_t>(obs_index) + 1);
    }
    const int vi = readstat_variable_get_index(variable);
    if (vi < 0 || static_cast<std::size_t>(vi) >= c.fields.size() || !c.fields[static_cast<std::size_t>(vi)]) {
      return READSTAT_HANDLER_OK;
    }
    const auto var = static_cast<std::size_t>(vi);
    const field_id f = *c.fields[var];
    const std::uint64_t column = var + 1;
    if (readstat_value_is_missing(value, variable)) {
      c.rb->missing(f, column);
      return READSTAT_HANDLER_OK;
    }
    if (readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING) {
      const char* s = readstat_string_value(value);
      std::string& text = c.text[var];
      text = s != nullptr ? s : "";
      c.rb->text(f, text, column);
      return READSTAT_HANDLER_OK;
    }
    const double v = readstat_double_value(value);
    std::string& text = c.text[var];
    text = number_text(v);
    switch ((*c.fields_of)[f].kind) {
      case field_kind::score:
      case field_kind::numeric:
      case field_kind::weight: c.rb->number(f, v, text, column); break;
      case field_kind::time: {
        const date_kind k = c.dates[var];
        double secs = v;
        if (k == date_kind::seconds_1582) secs = kSpssEpoch + v;
        if (k == date_kind::seconds_1960) secs = kEpoch1960 + v;
        if (k == date_kind::millis_1960) secs = kEpoch1960 + std::floor(v / 1000.0);
        if (k == date_kind::days_1960) secs = kEpoch1960 + v * 86400.0;
        secs = std::floor(secs);
        if (k == date_kind::none) {
          c.rb->text(f, text, column);  // a plain number: a Unix epoch by the text rule (epoch_unit)
        } else if (!(std::fabs(secs) < 9.2e18)) {
          c.rb->text(f, text, column);  // beyond any date: malformed_timestamp
        } else {
          c.rb->time_seconds(f, static_cast<std::int64_t>(secs), text, column);  // range-checked there
        }
        break;
      }
      default: {
        const std::string* label = label_of(c, var, v);
        c.rb->text(f, label != nullptr ? *label : text, column);
        break;
      }
    }
  } catch (...) {
    c.error = std::current_exception();
    return READSTAT_HANDLER_ABORT;
  }
  return READSTAT_HANDLER_OK;
}

void on_readstat_error(const char*, void*) {}

// Pass 2 keeps the variables of pass 1, but it sets a variable handler all the
// same: Debian's ReadStat 1.1.8 dereferences a null pointer in
// readstat_parse_sav when a value handler is set without one.
int on_variable_again(int, readstat_variable_t*, const char*, void*) { return READSTAT_HANDLER_OK; }

using parse_fn = readstat_error_t (*)(readstat_parser_t*, const char*, void*);

parse_fn parser_of(ingest_format f) {
  switch (f) {
    case ingest_format::sav: return &readstat_parse_sav;
    case ingest_format::por: return &readstat_parse_por;
    case ingest_format::dta: return &readstat_parse_dta;
    case ingest_format::sas7bdat: return &readstat_parse_sas7bdat;
    case ingest_format::xport: return &readstat_parse_xport;
    default: return nullptr;
  }
}

struct parser_handle {
  readstat_parser_t* p = readstat_parser_init();
  parser_handle() = default;
  parser_handle(const parser_handle&) = delete;
  parser_handle& operator=(const parser_handle&) = delete;
  ~parser_handle() { readstat_parser_free(p); }
};

void run(parse_fn fn, readstat_parser_t* p, const std::filesystem::path& file, reader_ctx& c) {
  const readstat_error_t err = fn(p, file.c_str(), &c);
  if (c.error) std::rethrow_exception(c.error);
  if (err != READSTAT_OK) {
    location where;
    where.file = file.string();
    throw parse_error(std::string("ReadStat cannot read the file: ") + readstat_error_message(err), where);
  }
}

}  // namespace

ingest_report stream_responses_readstat(const std::filesystem::path& file, const ingest_options& options,
                                        const ingest_sink& sink) {
  const ingest_format format = options.format ? *options.format : format_of_path(file);
  if (options.range) {
    location where;
    where.file = file.string();
    where.field = "range";
    throw invalid_argument("byte ranges read CSV and JSON Lines files; a " + std::string(to_string(format)) +
                               " file is read whole",
                           where);
  }
  const parse_fn fn = parser_of(format);
  if (fn == nullptr) {
    location where;
    where.file = file.string();
    throw invalid_argument("format '" + std::string(to_string(format)) + "' is not read through ReadStat", where);
  }
  detail::check_options(options);
  reader_ctx c;
  c.format = format;

  // Pass 1: variables and value labels (Stata keeps labels after the data;
  // the row limit makes ReadStat skip the data).
  {
    parser_handle h;
    readstat_set_variable_handler(h.p, &on_variable);
    readstat_set_value_label_handler(h.p, &on_value_label);
    readstat_set_error_handler(h.p, &on_readstat_error);
    readstat_set_row_limit(h.p, 1);
    run(fn, h.p, file, c);
  }
  if (format == ingest_format::sas7bdat && !options.sas_catalog.empty()) {
    parser_handle h;
    readstat_set_value_label_handler(h.p, &on_value_label);
    readstat_set_error_handler(h.p, &on_readstat_error);
    run(&readstat_parse_sas7bcat, h.p, options.sas_catalog, c);
  }

  session ses(options, sink, file.string(), format);
  std::vector<std::string> names;
  for (const auto& v : c.vars) names.push_back(v.name);
  detail::header_mapping m = detail::map_header(names, options, ses.fields(), ses.source(), 1, "variable");
  c.fields_of = &ses.fields();
  ses.set_present(m.present);
  c.fields = m.column_field;
  ses.set_header(names, std::move(m));
  c.text.resize(c.vars.size());
  for (const auto& v : c.vars) {
    c.dates.push_back(v.numeric ? date_kind_of(format, v.format) : date_kind::none);
    const auto it = v.labels.empty() ? c.labels.end() : c.labels.find(v.labels);
    c.var_labels.push_back(it == c.labels.end() ? nullptr : &it->second);
  }

  // Pass 2: the rows.
  chunk_out out(ses.fields());
  row_builder rb(ses.plan());
  rb.attach(&out);
  c.ses = &ses;
  c.out = &out;
  c.rb = &rb;
  c.batch_rows = options.batch_rows;
  {
    parser_handle h;
    readstat_set_variable_handler(h.p, &on_variable_again);
    readstat_set_value_handler(h.p, &on_value);
    readstat_set_error_handler(h.p, &on_readstat_error);
    run(fn, h.p, file, c);
  }
  if (c.row >= 0) c.rb->end();
  ses.deliver(out);
  return ses.finish();
}

#else  // no ReadStat

ingest_report stream_responses_readstat(const std::filesystem::path& file, const ingest_options&, const ingest_sink&) {
  location where;
  where.file = file.string();
  throw invalid_argument(
      "this build of cxmetrics has no ReadStat, so SPSS, Stata and SAS files cannot be read; install ReadStat "
      "(Debian: libreadstat-dev) and rebuild, or export the data as CSV",
      where);
}

#endif

}  // namespace cxm
