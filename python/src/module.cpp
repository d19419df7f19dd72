// cxmetrics._core: the compiled part of the `cxmetrics` Python package
// (python/cxmetrics/__init__.py re-exports it).
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "cxmetrics/version.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "cxmetrics: customer-experience metrics with honest uncertainty (C++ core)";
  m.attr("__version__") = CXMETRICS_VERSION_STRING;
  cxm::python::bind_errors(m);
  cxm::python::bind_counting(m);
  cxm::python::bind_io(m);
  cxm::python::bind_states(m);
  cxm::python::bind_summary(m);
}
