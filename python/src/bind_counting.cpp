// cxmetrics.Estimate and the counting functions over NumPy arrays.
//
// Arrays are taken by the buffer protocol without a copy when they already
// have the engine's layout (C-contiguous uint8 scores; float32 or float64
// weights); the GIL is released while the engine counts.
#include <cstdint>
#include <span>
#include <string>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/metrics/nps.hpp"

namespace py = pybind11;

namespace cxm::python {
namespace {

const char* status_name(cxm::estimate::status s) {
  switch (s) {
    case cxm::estimate::status::ok: return "ok";
    case cxm::estimate::status::no_data: return "no_data";
    case cxm::estimate::status::insufficient: return "insufficient";
  }
  return "ok";
}

double nan() { return std::numeric_limits<double>::quiet_NaN(); }

std::span<const std::uint8_t> scores_of(const py::buffer_info& b) {
  if (b.ndim != 1) throw py::value_error("scores: expected a 1-d array");
  if (b.format != py::format_descriptor<std::uint8_t>::format()) {
    throw py::type_error("scores: expected a uint8 array (one byte per score), got format '" + b.format + "'");
  }
  if (b.strides[0] != 1) throw py::value_error("scores: expected a contiguous array");
  return {static_cast<const std::uint8_t*>(b.ptr), static_cast<std::size_t>(b.shape[0])};
}

}  // namespace

void bind_counting(py::module_& m) {
  py::class_<cxm::estimate>(m, "Estimate", "A point estimate with its standard error, interval, n and effective n.")
      .def_property_readonly("value", &cxm::estimate::value, "The point value (NaN when there is none).")
      .def_property_readonly("se", &cxm::estimate::se, "The standard error (NaN when there is none).")
      .def_property_readonly(
          "lower", [](const cxm::estimate& e) { return e.ci() ? e.ci()->lower : nan(); },
          "The interval's lower bound (NaN without an interval).")
      .def_property_readonly(
          "upper", [](const cxm::estimate& e) { return e.ci() ? e.ci()->upper : nan(); },
          "The interval's upper bound (NaN without an interval).")
      .def_property_readonly(
          "level", [](const cxm::estimate& e) { return e.ci() ? e.ci()->level : nan(); },
          "The interval's coverage level, e.g. 0.95.")
      .def_property_readonly(
          "method",
          [](const cxm::estimate& e) -> py::object {
            if (!e.ci()) return py::none();
            return py::str(cxm::to_string(e.ci()->method));
          },
          "The interval method's name (None without an interval).")
      .def_property_readonly("n", &cxm::estimate::n, "Responses counted.")
      .def_property_readonly("effective_n", &cxm::estimate::effective_n, "Kish effective sample size.")
      .def_property_readonly(
          "status", [](const cxm::estimate& e) { return status_name(e.state()); },
          "'ok', 'no_data' or 'insufficient'.")
      .def("__repr__", [](const cxm::estimate& e) {
        std::string s = "Estimate(value=" + std::to_string(e.value()) + ", n=" + std::to_string(e.n()) +
                        ", status='" + status_name(e.state()) + "')";
        return s;
      });

  m.def(
      "nps",
      [](py::buffer scores, double level) {
        const py::buffer_info b = scores.request();
        const auto s = scores_of(b);
        cxm::nps_result r;
        {
          py::gil_scoped_release nogil;
          const auto counts = cxm::engine::count_scores(s, cxm::scale::nps());
          cxm::nps_options o;
          o.level = level;
          r = cxm::compute_nps(counts, o);
        }
        return r.nps;
      },
      py::arg("scores"), py::arg("level") = 0.95, "NPS of a uint8 array of 0-10 scores.");
}

}  // namespace cxm::python
