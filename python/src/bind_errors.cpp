// cxmetrics.Error: every cxm::error reaches Python as an instance of the
// subclass for its id (cxmetrics.ScoreOutOfScale for 101, ...), carrying
//   id       the stable numeric id (core/error.hpp),
//   kind     its name ("score_out_of_scale"),
//   reason   the description without id and location,
//   location a dict (file, line, column, field, row: what is known),
// and the full message "[cxm.kind.id] where: reason" as str(e). The
// subclasses also derive from the matching built-in exception (ValueError
// for bad values and arguments, OverflowError for limits), so code that
// catches ValueError keeps working.
#include <array>
#include <string>

#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "cxmetrics/core/error.hpp"

namespace py = pybind11;

namespace cxm::python {
namespace {

struct error_class {
  int id;
  const char* name;
  PyObject* extra_base;  // a built-in base besides cxmetrics.Error, or null
};

py::dict location_dict(const cxm::location& l) {
  py::dict d;
  if (!l.file.empty()) d["file"] = l.file;
  if (l.line) d["line"] = *l.line;
  if (l.column) d["column"] = *l.column;
  if (l.row) d["row"] = *l.row;
  if (!l.field.empty()) d["field"] = l.field;
  return d;
}

}  // namespace

void bind_errors(py::module_& m) {
  // The classes live as long as the module; handles kept in static storage
  // are never released (the interpreter owns them after m.attr()).
  static py::handle base;
  static std::array<std::pair<int, py::handle>, 10> by_id{};
  base = PyErr_NewExceptionWithDoc("cxmetrics.Error",
                                   "Base of every cxmetrics error: id, kind, reason, location.", PyExc_Exception,
                                   nullptr);
  m.attr("Error") = base;
  const std::array<error_class, 10> classes = {{
      {cxm::score_out_of_scale::code, "ScoreOutOfScale", PyExc_ValueError},
      {cxm::invalid_weight::code, "InvalidWeight", PyExc_ValueError},
      {cxm::unknown_channel::code, "UnknownChannel", PyExc_ValueError},
      {cxm::malformed_timestamp::code, "MalformedTimestamp", PyExc_ValueError},
      {cxm::invalid_value::code, "InvalidValue", PyExc_ValueError},
      {cxm::invalid_argument::code, "InvalidArgument", PyExc_ValueError},
      {cxm::incompatible_merge::code, "IncompatibleMerge", PyExc_ValueError},
      {cxm::parse_error::code, "ParseError", PyExc_ValueError},
      {cxm::limit_exceeded::code, "LimitExceeded", PyExc_OverflowError},
      {cxm::serialization_error::code, "SerializationError", PyExc_ValueError},
  }};
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const auto& c = classes[i];
    const std::string qualified = std::string("cxmetrics.") + c.name;
    py::tuple bases = py::make_tuple(base, py::handle(c.extra_base));
    py::handle cls = PyErr_NewException(qualified.c_str(), bases.ptr(), nullptr);
    m.attr(c.name) = cls;
    by_id[i] = {c.id, cls};
  }

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const cxm::error& e) {
      py::handle cls = base;
      for (const auto& [id, h] : by_id) {
        if (id == e.id()) cls = h;
      }
      py::object instance = cls(py::str(e.what()));
      instance.attr("id") = e.id();
      instance.attr("kind") = std::string(cxm::error_kind(e.id()));
      instance.attr("reason") = e.reason();
      instance.attr("location") = location_dict(e.where());
      PyErr_SetObject(cls.ptr(), instance.ptr());
    }
  });
}

}  // namespace cxm::python
