// The parts of the cxmetrics Python module (extension cxmetrics._core), one
// function per source file, called in this order by module.cpp.
#pragma once

#include <pybind11/pybind11.h>

namespace cxm::python {

/// cxmetrics.Error and its subclasses, one per C++ error id; the translator
/// that turns a cxm::error into them (bind_errors.cpp).
void bind_errors(pybind11::module_& m);
/// Estimate and the counting functions over NumPy arrays (bind_counting.cpp).
void bind_counting(pybind11::module_& m);
/// cxmetrics.read and ReadResult (bind_io.cpp).
void bind_io(pybind11::module_& m);
/// The accumulators, MetricSet and GroupBy with their results (bind_states.cpp).
void bind_states(pybind11::module_& m);
/// cxmetrics.summarize, merged and SummaryState (bind_summary.cpp).
void bind_summary(pybind11::module_& m);

}  // namespace cxm::python
