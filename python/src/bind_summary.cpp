// cxmetrics.summarize and SummaryState: the state `cxm summary` keeps
// (report/summary_state.hpp), built in C++ from a file, merged, pickled
// through its binary form, and turned into the tables `cxm summary` prints.
// Raw responses never reach Python: a worker that reads a file ships only
// the state (a few hundred bytes per group).
#include <cctype>
#include <chrono>
#include <cstddef>
#include <fstream>
#include <span>
#include <string_view>
#include <type_traits>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "settings.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/io/binary.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/report/summary_state.hpp"

namespace py = pybind11;

namespace cxm::python {
namespace {

// "+HH:MM", "-HH:MM", "Z" or "UTC" (as cxm's --utc-offset), or seconds.
std::chrono::seconds offset_of(const py::object& o) {
  if (py::isinstance<py::int_>(o)) return std::chrono::seconds{o.cast<long long>()};
  const auto t = o.cast<std::string>();
  if (t == "Z" || t == "UTC" || t == "utc") return std::chrono::seconds{0};
  const bool ok = t.size() == 6 && (t[0] == '+' || t[0] == '-') && t[3] == ':' &&
                  std::isdigit(static_cast<unsigned char>(t[1])) && std::isdigit(static_cast<unsigned char>(t[2])) &&
                  std::isdigit(static_cast<unsigned char>(t[4])) && std::isdigit(static_cast<unsigned char>(t[5]));
  if (!ok) throw invalid_argument("utc_offset takes +HH:MM or -HH:MM, got '" + t + "'", at_field("utc_offset"));
  const long long s = ((t[1] - '0') * 10 + (t[2] - '0')) * 3600LL + ((t[4] - '0') * 10 + (t[5] - '0')) * 60LL;
  return std::chrono::seconds{t[0] == '-' ? -s : s};
}

summary_state summarize(const std::string& path, const std::vector<std::string>& by, const py::object& utc_offset,
                        const py::object& weight, bool unweighted, const py::kwargs& kwargs) {
  std::vector<summary_key> keys;
  for (const auto& b : by) keys.push_back(summary_key_from(b));
  ingest_settings settings = settings_from(kwargs);
  if (unweighted && !weight.is_none()) throw invalid_argument("weight and unweighted exclude each other");
  if (unweighted) {
    settings.columns.emplace_back("weight=");
  } else if (!weight.is_none()) {
    settings.columns.push_back("weight=" + weight.cast<std::string>());
    settings.required.push_back(response_field::weight);
  }
  for (auto k : keys) settings.required.push_back(field_of(k));
  const auto options = make_ingest_options(settings);
  summary_state state(keys, options, offset_of(utc_offset));
  {
    py::gil_scoped_release unlocked;
    const auto report = stream_responses(path, options, {[&](const response_batch& b) { state.feed(b); }, {}});
    state.note_input(report);
  }
  return state;
}

py::bytes to_bytes(const summary_state& s) {
  const auto b = serialize(s);
  return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
}

summary_state from_bytes(const py::bytes& b) {
  const std::string_view v = b;
  return deserialize<summary_state>(std::as_bytes(std::span(v.data(), v.size())));
}

py::object value_of(const summary_cell& c) {
  return std::visit(
      [](const auto& v) -> py::object {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::monostate>) {
          return py::none();
        } else {
          return py::cast(v);
        }
      },
      c.value);
}

// {name: [ {column: value, ...}, ... ]} as `cxm summary --format json`
// writes the tables, plus the notes and titles under "_meta".
py::dict tables_of(const summary_state& s, const std::vector<std::string>& metrics, double level,
                   const std::vector<std::string>& methods, const std::string& adjust, const std::string& weighted_se,
                   double min_n, std::size_t max_groups) {
  summary_table_options o;
  if (!metrics.empty()) o.metrics = metrics;
  if (!(level > 0.0 && level < 1.0)) throw invalid_argument("level must lie in (0, 1)", at_field("level"));
  o.level = level;
  for (const auto& name : methods) {
    auto m = interval_method_from(name);
    if (!m && name == "bayes") m = interval_method::bayes_dirichlet;
    if (!m || !o.methods.use(*m)) {
      throw invalid_argument("method " + name + " applies to no metric here (means always use t)",
                             at_field("method"));
    }
  }
  o.adjust = stats::parse_p_adjust(adjust, at_field("adjust"));
  const auto se = stats::weighted_se_from(weighted_se);
  if (!se) throw invalid_argument("weighted_se '" + weighted_se + "' is not linearized or kish", at_field("weighted_se"));
  o.se = *se;
  o.min_n = min_n;
  o.max_groups = max_groups;
  std::size_t groups = 0;
  const auto tables = summary_tables(s, o, &groups);
  py::dict out, meta;
  for (const auto& t : tables) {
    py::list rows;
    for (const auto& r : t.rows) {
      py::dict row;
      for (std::size_t i = 0; i < r.size(); ++i) row[py::str(t.columns[i])] = value_of(r[i]);
      rows.append(std::move(row));
    }
    out[py::str(t.name)] = std::move(rows);
    py::dict m;
    m["title"] = t.title;
    m["columns"] = t.columns;
    m["notes"] = t.notes;
    meta[py::str(t.name)] = std::move(m);
  }
  meta["groups"] = groups;
  out["_meta"] = std::move(meta);
  return out;
}

}  // namespace

void bind_summary(py::module_& m) {
  py::class_<summary_state>(m, "SummaryState", R"(What `cxm summary` keeps of its input: the answer counts of every group
(NPS, CSAT, CES, resolution, declared score fields) and what the reading saw.
Mergeable (merge: the state of the inputs concatenated), serialisable
(to_bytes / from_bytes, pickle, write for `cxm summary --from-states`).
Made by cxmetrics.summarize.)")
      .def_property_readonly("keys",
                             [](const summary_state& s) {
                               std::vector<std::string> k;
                               for (auto x : s.keys()) k.emplace_back(to_string(x));
                               return k;
                             },
                             "The keys it groups by, in order.")
      .def_property_readonly("count", &summary_state::count, "Responses counted.")
      .def_property_readonly("group_count", [](const summary_state& s) { return s.groups().size(); },
                             "Groups with responses.")
      .def_property_readonly("utc_offset", [](const summary_state& s) { return s.utc_offset().count(); },
                             "UTC offset of the months, in seconds.")
      .def_property_readonly("rows_read", [](const summary_state& s) { return s.input().summary.rows_read; })
      .def_property_readonly("rejected", [](const summary_state& s) { return s.input().summary.rejected; })
      .def(
          "merge",
          [](summary_state& s, const summary_state& o) -> summary_state& {
            s.merge(o);
            return s;
          },
          py::arg("other"), py::return_value_policy::reference_internal,
          "Adds `other` in place and returns self. Raises IncompatibleMerge when the keys, UTC offset, "
          "scales, declared fields or weighting differ (self unchanged).")
      .def("copy", [](const summary_state& s) { return summary_state(s); })
      .def("to_bytes", &to_bytes, "The binary form (io/binary.hpp's framing, type tag 0x0060).")
      .def_static("from_bytes", &from_bytes, py::arg("data"),
                  "A state from its binary form; raises SerializationError naming the byte offset when corrupt.")
      .def(
          "write",
          [](const summary_state& s, const std::string& path) {
            const auto b = serialize(s);
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
            out.close();
            if (!out) {
              PyErr_SetString(PyExc_OSError, ("cannot write " + path).c_str());
              throw py::error_already_set();
            }
          },
          py::arg("path"), "Writes the binary form to `path`, a file `cxm summary --from-states` reads.")
      .def("_tables", &tables_of, py::arg("metrics") = std::vector<std::string>{}, py::arg("level") = 0.95,
           py::arg("method") = std::vector<std::string>{}, py::arg("adjust") = "holm",
           py::arg("weighted_se") = "linearized", py::arg("min_n") = 30.0, py::arg("max_groups") = std::size_t{100})
      .def("__eq__", [](const summary_state& a, const summary_state& b) { return a == b; })
      .def("__len__", [](const summary_state& s) { return s.groups().size(); })
      .def(py::pickle([](const summary_state& s) { return to_bytes(s); },
                      [](const py::bytes& b) { return from_bytes(b); }));

  m.def("summarize", &summarize, py::arg("path"), py::arg("by") = std::vector<std::string>{"channel"},
        py::arg("utc_offset") = py::str("+00:00"), py::arg("weight") = py::none(), py::arg("unweighted") = false,
        R"(summarize(path, by=("channel",), utc_offset="+00:00", weight=None, unweighted=False, **settings) -> SummaryState

Reads the file in C++ (the GIL released; `cxm summary`'s readers and options:
format, delimiter, decimal_comma, epoch_unit, mapping, columns, fields,
channels, strict, threads, chunk_bytes, byte_range) and returns the state `cxm summary`
would build, grouped by `by` (channel, month, segment, agent). The rows never
reach Python.)");
  m.def(
      "merged",
      [](const std::vector<summary_state>& states) {
        if (states.empty()) throw invalid_argument("merged() needs at least one state", at_field("states"));
        summary_state out = states.front();
        for (std::size_t i = 1; i < states.size(); ++i) out.merge(states[i]);
        return out;
      },
      py::arg("states"), "The states merged, in order (a new state).");
}

}  // namespace cxm::python
