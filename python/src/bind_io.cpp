// cxmetrics.read: a file of responses through the project's readers (CSV,
// JSON Lines, SPSS/Stata/SAS), with the same options, rejects and summary as
// `cxm`, returned as a ReadResult whose columns are NumPy arrays over the
// table the reader filled (no copy; read-only, kept alive by the arrays).
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "settings.hpp"
#include "cxmetrics/io/ingest.hpp"

namespace py = pybind11;

namespace cxm::python {
namespace {

struct read_result {
  cxm::ingest_result r;
  // The text columns as tuples of str, made on first use: converting every
  // string is the one cost of `columns` proportional to n, so it is paid once.
  // (Not the whole dict: its arrays hold the ReadResult, which would make a
  // cycle through a type the garbage collector does not see.)
  py::dict texts;
};

py::object from_json(const nlohmann::json& j) { return py::module_::import("json").attr("loads")(j.dump()); }

// A read-only NumPy view of `s`, owned by `owner` (the ReadResult).
template <class T>
py::array view(std::span<const T> s, py::handle owner) {
  py::array_t<T> a({static_cast<py::ssize_t>(s.size())}, {static_cast<py::ssize_t>(sizeof(T))}, s.data(), owner);
  a.attr("flags").attr("writeable") = false;
  return a;
}

py::dict columns_of(py::object self) {
  const auto& rr = self.cast<const read_result&>();
  const auto& t = rr.r.table;
  const auto& sch = t.schema();
  py::dict out;
  for (std::size_t i = 0; i < sch.size(); ++i) {
    const cxm::field_id f(i);
    if (!rr.r.report.has(f)) continue;
    const std::string& name = sch[f].name;
    switch (sch.type_of(f)) {
      case cxm::column_type::score: out[name.c_str()] = view(t.scores(f), self); break;
      case cxm::column_type::flag: out[name.c_str()] = view(t.flags(f), self); break;
      case cxm::column_type::time: out[name.c_str()] = view(t.times(f), self); break;
      case cxm::column_type::channel: out[name.c_str()] = view(t.channel(), self); break;
      case cxm::column_type::category: out[name.c_str()] = view(t.categories(f), self); break;
      case cxm::column_type::number: out[name.c_str()] = view(t.numbers(f), self); break;
      case cxm::column_type::text: {
        auto& cache = self.cast<read_result&>().texts;
        if (!cache.contains(name)) {
          const auto column = t.texts(f);
          py::tuple texts(column.size());
          for (std::size_t k = 0; k < column.size(); ++k) texts[k] = py::str(column[k]);
          cache[name.c_str()] = texts;
        }
        out[name.c_str()] = cache[name.c_str()];
        break;
      }
    }
  }
  return out;
}

py::dict kinds_of(const read_result& rr) {
  const auto& sch = rr.r.table.schema();
  py::dict out;
  for (std::size_t i = 0; i < sch.size(); ++i) {
    const cxm::field_id f(i);
    if (!rr.r.report.has(f)) continue;
    out[sch[f].name.c_str()] = std::string(cxm::to_string(sch[f].kind));
  }
  return out;
}

py::dict labels_of(const read_result& rr) {
  const auto& t = rr.r.table;
  const auto& sch = t.schema();
  py::dict out;
  for (std::size_t i = 0; i < sch.size(); ++i) {
    const cxm::field_id f(i);
    if (!rr.r.report.has(f)) continue;
    if (sch.type_of(f) == cxm::column_type::channel) out[sch[f].name.c_str()] = t.channel_labels().names();
    if (sch.type_of(f) == cxm::column_type::category) out[sch[f].name.c_str()] = t.labels(f).names();
  }
  return out;
}

py::dict report_of(const read_result& rr) {
  const auto& rep = rr.r.report;
  const auto& sch = rr.r.table.schema();
  py::dict d;
  d["format"] = std::string(cxm::to_string(rep.format));
  d["header"] = rep.header;
  d["ignored_columns"] = rep.ignored_columns;
  py::dict cols;
  for (std::size_t i = 0; i < sch.size() && i < rep.column_of.size(); ++i) {
    if (!rep.column_of[i].empty()) cols[sch[cxm::field_id(i)].name.c_str()] = rep.column_of[i];
  }
  d["column_of"] = cols;
  d["delimiter"] = rep.delimiter ? py::object(py::str(std::string(1, rep.delimiter))) : py::object(py::none());
  d["delimiter_detected"] = rep.delimiter_detected;
  d["decimal_point"] =
      rep.decimal_point ? py::object(py::str(std::string(1, rep.decimal_point))) : py::object(py::none());
  d["decimal_point_detected"] = rep.decimal_point_detected;
  return d;
}

constexpr const char* read_doc = R"doc(read(path, **options) -> ReadResult

Reads a file of survey responses with the project's readers: CSV/TSV,
JSON Lines, and SPSS (.sav), Stata (.dta) and SAS (.sas7bdat) when the
library was built with ReadStat. The options are cxm's input flags:

  format         csv, tsv, jsonl, sav, dta, ... (default: from the extension)
  delimiter      one character or 'tab' (default: detected)
  decimal_comma  weights use a decimal comma
  epoch_unit     seconds, milliseconds or auto, for bare-number timestamps
  mapping        a JSON mapping file (columns, dialect, vocabulary, fields)
  columns        {field: column}; the file must have each column named;
                 a field mapped to '' or None is not read
  fields         ["NAME:KIND[:SCALE]", ...]: declared fields, e.g. "q1:score:1-5"
  channels       a closed channel set: other labels are rejected
  strict         raise the first bad row's error instead of keeping it
  threads        parsing threads (0: all cores)
  chunk_bytes    bytes per thread and window
  byte_range     (begin, end): CSV and JSON Lines only, the records that
                 start at a byte in [begin, end) (end None: to the end);
                 ranges that tile a file read every record once, so their
                 states merge to the whole file's. A CSV record must not
                 span lines (a quoted line break raises ParseError)

No row is dropped silently: every row is either accepted (a row of the
columns) or a reject with its reason, and summary counts both
(rows_read == accepted + rejected). Errors (a missing file, a missing
named column, a bad option, the first bad row with strict=True) raise
cxmetrics.Error subclasses carrying the C++ error id.

The result's columns are NumPy arrays over the table the reader filled,
without a copy (read-only). Missing values: scores 255 (MISSING_SCORE),
flags -1, times INT64_MIN (NaT when viewed as datetime64[s]), categories
and channels an id whose label is '' or 'other', numbers NaN.)doc";

}  // namespace

void bind_io(py::module_& m) {
  m.attr("MISSING_SCORE") = 255;
  py::class_<read_result, std::shared_ptr<read_result>>(m, "ReadResult",
                                                        "What cxmetrics.read returns: columns, labels, summary, rejects.")
      .def("__len__", [](const read_result& r) { return r.r.table.size(); })
      .def_property_readonly("columns", &columns_of,
                             "{field: NumPy array} for every field the input has a column for, in schema order; "
                             "text fields are tuples of str (converted once).")
      .def_property_readonly("kinds", &kinds_of, "{field: kind} (score, flag, time, category, numeric, text, ...).")
      .def_property_readonly("labels", &labels_of,
                             "{field: [label, ...]} for channel and category fields: the label of id k is labels[k].")
      .def_property_readonly(
          "summary",
          [](const read_result& r) {
            nlohmann::json j;
            to_json(j, r.r.report.summary);
            return from_json(j);
          },
          "The ingest summary: rows_read, accepted, rejected, empty_lines, rejected_by_reason, rejected_by_cause, "
          "missing_by_field, bytes_read.")
      .def_property_readonly(
          "rejects",
          [](const read_result& r) {
            py::list out;
            for (const auto& x : r.r.rejects) {
              nlohmann::json j;
              to_json(j, x);
              out.append(from_json(j));
            }
            return out;
          },
          "Every rejected row: file, line, column, field, value, reason, error_id, cause.")
      .def_property_readonly("report", &report_of,
                             "How the input was read: format, header, ignored_columns, column_of, delimiter, "
                             "decimal_point (and whether each was detected).");

  m.def(
      "read",
      [](const py::object& path, const py::kwargs& kwargs) {
        const cxm::ingest_settings s = settings_from(kwargs);
        std::string file;
        if (py::isinstance<py::str>(path)) {
          file = path.cast<std::string>();
        } else if (py::hasattr(path, "__fspath__")) {
          file = path.attr("__fspath__")().cast<std::string>();
        } else {
          throw py::type_error("read: path must be a str or os.PathLike");
        }
        auto out = std::make_shared<read_result>();
        {
          py::gil_scoped_release nogil;
          out->r = cxm::read_responses(file, cxm::make_ingest_options(s));
        }
        return out;
      },
      py::arg("path"), read_doc);
}

}  // namespace cxm::python
