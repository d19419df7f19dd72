// The mergeable states as Python objects: NpsAccumulator, CsatAccumulator,
// CesAccumulator, ResolutionAccumulator, MetricSet and GroupBy, with their
// results (CsatResult, CesResult, ResolutionResult; NpsResult is in
// bind_counting.cpp).
//
// Every state has add (one value, or a NumPy column through the engine:
// engine::add_column / metric_set::add(response_columns) /
// group_by::add_columns), merge (incompatible states raise
// IncompatibleMerge, id 202, and change nothing), result(level=...,
// method=...) (query options are arguments, never state), count, == and
// pickling through the binary form of io/binary.hpp: __getstate__ returns
// cxm::serialize's bytes, __setstate__ runs cxm::deserialize<T>, which checks
// the preamble, CRC, every length and every value (a corrupt pickle raises
// SerializationError, id 401). to_bytes() / from_bytes() give the same
// bytes, which the C++ library and `cxm` read too.
//
// MetricSet is metric_set<nps, csat, ces, resolution>: the four questions of
// a response table (what `cxm summary` reports), counted in one call per
// input. GroupBy is group_by<that set, dense_key<>>: one key 0 <= k <
// cardinality (a channel id, a month index; combine several keys into one,
// e.g. with numpy.ravel_multi_index), fed through the grouped SIMD kernel.
// These are the only two composite instantiations, which keeps the module's
// compile time low.
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/operators.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "arrays.hpp"
#include "bindings.hpp"
#include "cxmetrics/engine/accumulator.hpp"
#include "cxmetrics/engine/grouped.hpp"
#include "cxmetrics/engine/metric_set.hpp"
#include "cxmetrics/io/binary.hpp"
#include "cxmetrics/metrics/ces.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/metrics/resolution.hpp"

namespace py = pybind11;

namespace cxm::python {

nps_options nps_options_from(double level, const std::string& method, const std::string& weighted_se, double prior,
                             std::size_t replicates, std::uint64_t seed);

namespace {

using four_metrics = metric_set<nps_accumulator, csat_accumulator, ces_accumulator, resolution_accumulator>;
using grouped_metrics = group_by<four_metrics, dense_key<>>;

engine::count_options options_of(unsigned threads) {
  engine::count_options o;
  o.threads = threads;
  return o;
}

/// True when `x` is a column (an array of one or more dimensions, a list, a
/// tuple) rather than one value.
bool is_column(py::handle x) {
  if (py::isinstance<py::array>(x)) return py::reinterpret_borrow<py::array>(x).ndim() > 0;
  return py::isinstance<py::list>(x) || py::isinstance<py::tuple>(x);
}

/// One integer value: ints and NumPy integers; a float raises TypeError
/// (operator.index), so 2.5 is never read as 2.
long long one_integer(py::handle x, const char* what) {
  PyObject* i = PyNumber_Index(x.ptr());
  if (i == nullptr) {
    PyErr_Clear();
    throw py::type_error(std::string(what) + ": expected an integer, got " +
                         py::str(py::type::handle_of(x).attr("__name__")).cast<std::string>());
  }
  return py::reinterpret_steal<py::int_>(i).cast<long long>();
}

template <class T>
py::bytes to_bytes(const T& x) {
  const auto b = serialize(x);
  return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
}

template <class T>
T from_bytes(const py::bytes& b) {
  const std::string_view v = b;
  return deserialize<T>(std::as_bytes(std::span(v.data(), v.size())));
}

/// ==, merge, count, to_bytes / from_bytes and pickling, for every state.
template <class T, class Class>
void state_methods(Class& c) {
  c.def(py::self == py::self)
      .def("merge", [](T& self, const T& other) { self.merge(other); }, py::arg("other"),
           "Adds the other state's responses into this one. Raises IncompatibleMerge (id 202), changing nothing, "
           "when the two count differently (another scale, cut point or key cardinality).")
      .def_property_readonly("count", [](const T& self) { return self.count(); }, "Responses (rows) added.")
      .def_property_readonly("empty", [](const T& self) { return self.empty(); }, "True when nothing was added.")
      .def("to_bytes", &to_bytes<T>, "The state's binary form (io/binary.hpp: preamble, CRC-32, payload).")
      .def_static("from_bytes", &from_bytes<T>, py::arg("data"),
                  "A state from its binary form, checking everything; raises SerializationError (id 401).")
      .def("__copy__", [](const T& self) { return T(self); })
      .def("__deepcopy__", [](const T& self, py::dict) { return T(self); }, py::arg("memo"))
      .def(py::pickle([](const T& self) { return to_bytes(self); },
                      [](const py::bytes& b) { return from_bytes<T>(b); }));
}

/// add(value, weight=None) or add(column, weights=None, threads=0) of a score accumulator.
template <class A>
void add_scores(A& self, py::handle x, py::handle weight, unsigned threads) {
  if (!is_column(x)) {
    const long long v = one_integer(x, "score");
    if (v < INT32_MIN || v > INT32_MAX) {
      throw score_out_of_scale("score " + std::to_string(v) + " is outside the " + self.scale_of().describe());
    }
    if (weight.is_none()) {
      self.add(static_cast<int>(v));
    } else {
      self.add(static_cast<int>(v), weight.cast<double>());
    }
    return;
  }
  const auto s = score_column(x, self.scale_of(), "score");
  const auto w = weights_of(weight);
  const auto o = options_of(threads);
  py::gil_scoped_release nogil;
  if (const auto* f = std::get_if<column<float>>(&w.data)) {
    engine::add_column(self, s.data, f->data, o);
  } else if (const auto* d = std::get_if<column<double>>(&w.data)) {
    engine::add_column(self, s.data, d->data, o);
  } else {
    engine::add_column(self, s.data, o);
  }
}

const char* const add_doc =
    "add(score, weights=None) adds one response of weight `weights`; add(scores, weights=None, threads=0) adds a column through the SIMD "
    "engine (engine::add_column: uint8 read without a copy, 255 marks a missing answer and is skipped). Raises "
    "ScoreOutOfScale (101) or InvalidWeight (102) naming the first bad row, changing nothing.";

template <class A, class Class>
void score_accumulator(Class& c) {
  c.def("add", &add_scores<A>, py::arg("value"), py::arg("weights") = py::none(), py::arg("threads") = 0, add_doc)
      .def_property_readonly("histogram", [](const A& self) { return self.counts(); },
                             "The state: the histogram of the scores added (a Histogram).");
  state_methods<A>(c);
}

rating_options rating_from(double level, const std::string& method, const std::string& weighted_se) {
  return rating_options{level, method_of(method), weighted_se_of(weighted_se)};
}

/// The response columns of MetricSet.add / GroupBy.add; columns not given
/// are read as all missing (held in `filler`).
struct columns_input {
  column<std::uint8_t> nps, csat, ces;
  column<std::int8_t> resolved;
  column<double> weights;
  std::vector<std::uint8_t> missing_scores;
  std::vector<std::int8_t> missing_flags;
  response_columns cols;
  std::size_t rows = 0;
};

void read_columns(columns_input& in, const four_metrics& proto, py::handle nps, py::handle csat, py::handle ces,
                  py::handle resolved, py::handle weights) {
  if (!nps.is_none()) in.nps = score_column(nps, proto.get<nps_accumulator>().scale_of(), "nps");
  if (!csat.is_none()) in.csat = score_column(csat, proto.get<csat_accumulator>().scale_of(), "csat");
  if (!ces.is_none()) in.ces = score_column(ces, proto.get<ces_accumulator>().scale_of(), "ces");
  if (!resolved.is_none()) in.resolved = flag_column(resolved, "resolved");
  in.weights = double_weights(weights);
  in.cols.nps = in.nps.data;
  in.cols.csat = in.csat.data;
  in.cols.ces = in.ces.data;
  in.cols.resolved = in.resolved.data;
  in.cols.weights = in.weights.data;
  in.rows = rows_of(in.cols);  // throws for columns of different lengths
  if (in.rows == 0) return;
  const auto fill = [&](std::span<const std::uint8_t>& c) {
    if (!c.empty()) return;
    if (in.missing_scores.empty()) in.missing_scores.assign(in.rows, engine::missing_score);
    c = in.missing_scores;
  };
  fill(in.cols.nps);
  fill(in.cols.csat);
  fill(in.cols.ces);
  if (in.cols.resolved.empty()) {
    in.missing_flags.assign(in.rows, static_cast<std::int8_t>(-1));
    in.cols.resolved = in.missing_flags;
  }
}

py::dict set_results(const four_metrics& s, double level, const std::string& nps_method,
                     const std::string& share_method, const std::string& weighted_se) {
  const auto no = nps_options_from(level, nps_method, weighted_se, 0.5, 2000, 0x5eed);
  const auto ro = rating_from(level, share_method, weighted_se);
  const resolution_options rs{level, ro.share_method, ro.weighted_se};
  py::dict d;
  d["nps"] = s.get<nps_accumulator>().result(no);
  d["csat"] = s.get<csat_accumulator>().result(ro);
  d["ces"] = s.get<ces_accumulator>().result(ro);
  d["resolution"] = s.get<resolution_accumulator>().result(rs);
  return d;
}

four_metrics set_prototype(int top_box, int easy_min) {
  return four_metrics(nps_accumulator{}, csat_accumulator(scale::csat(top_box)), ces_accumulator(scale::ces(easy_min)),
                      resolution_accumulator{});
}

const char* const columns_doc =
    "Columns as in a response table, all of one length: nps, csat, ces (uint8 read without a copy, 255 a missing "
    "answer), resolved (int8 1 yes, 0 no, -1 unknown), weights (float64 without a copy; float32 is copied once). A "
    "column not given is read as all missing. Each column is counted once by the engine; an error names the first bad "
    "row and column and changes nothing.";

}  // namespace

void bind_states(py::module_& m) {
  py::class_<csat_result>(m, "CsatResult", "CSAT: the top-box share 0..1 (.satisfied) and the mean 1..5 (.mean).")
      .def_readonly("satisfied", &csat_result::satisfied)
      .def_readonly("mean", &csat_result::mean)
      .def(py::self == py::self)
      .def("__repr__", [](const csat_result& r) {
        return "CsatResult(satisfied=" + std::to_string(r.satisfied.value()) + ", mean=" + std::to_string(r.mean.value()) +
               ", n=" + std::to_string(r.mean.n()) + ")";
      });
  py::class_<ces_result>(m, "CesResult", "CES: the mean 1..7 (.mean) and the share of 'easy' scores 0..1 (.easy).")
      .def_readonly("mean", &ces_result::mean)
      .def_readonly("easy", &ces_result::easy)
      .def(py::self == py::self)
      .def("__repr__", [](const ces_result& r) {
        return "CesResult(mean=" + std::to_string(r.mean.value()) + ", easy=" + std::to_string(r.easy.value()) +
               ", n=" + std::to_string(r.mean.n()) + ")";
      });
  py::class_<resolution_result>(m, "ResolutionResult",
                                "Resolution rate yes / (yes + no) (.rate, 0..1) and the yes, no and unknown counts.")
      .def_readonly("rate", &resolution_result::rate)
      .def_readonly("yes", &resolution_result::yes)
      .def_readonly("no", &resolution_result::no)
      .def_readonly("unknown", &resolution_result::unknown)
      .def(py::self == py::self)
      .def("__repr__", [](const resolution_result& r) {
        return "ResolutionResult(rate=" + std::to_string(r.rate.value()) + ", yes=" + std::to_string(r.yes) +
               ", no=" + std::to_string(r.no) + ", unknown=" + std::to_string(r.unknown) + ")";
      });

  auto nps_acc = py::class_<nps_accumulator>(
      m, "NpsAccumulator",
      "Mergeable NPS state: the histogram of 0..10 scores (metrics/nps.hpp). result() gives an NpsResult.");
  nps_acc.def(py::init<>())
      .def(
          "result",
          [](const nps_accumulator& a, double level, const std::string& method, const std::string& weighted_se,
             double prior, std::size_t replicates, std::uint64_t seed) {
            return a.result(nps_options_from(level, method, weighted_se, prior, replicates, seed));
          },
          py::arg("level") = 0.95, py::arg("method") = "adjusted_wald", py::arg("weighted_se") = "linearized",
          py::arg("prior") = 0.5, py::arg("bootstrap_replicates") = 2000, py::arg("seed") = 0x5eed,
          "NPS (points) and the three shares; methods wald, adjusted_wald, bayes_dirichlet, bootstrap, tango, t.")
      .def("__repr__", [](const nps_accumulator& a) { return "NpsAccumulator(count=" + std::to_string(a.count()) + ")"; });
  score_accumulator<nps_accumulator>(nps_acc);

  auto csat_acc = py::class_<csat_accumulator>(
      m, "CsatAccumulator",
      "Mergeable CSAT state on 1..5; top_box (1..4) points count as satisfied and are part of the state.");
  csat_acc.def(py::init([](int top_box) { return csat_accumulator(scale::csat(top_box)); }), py::arg("top_box") = 2)
      .def_property_readonly("top_box",
                             [](const csat_accumulator& a) { return a.scale_of().max() - a.scale_of().high_min() + 1; })
      .def(
          "result",
          [](const csat_accumulator& a, double level, const std::string& method, const std::string& weighted_se) {
            return a.result(rating_from(level, method, weighted_se));
          },
          py::arg("level") = 0.95, py::arg("method") = "wilson", py::arg("weighted_se") = "linearized",
          "Top-box share (interval of `method`: wilson, jeffreys, clopper_pearson, agresti_coull, wald, wilson_cc) and "
          "mean (Student t).")
      .def("__repr__",
           [](const csat_accumulator& a) { return "CsatAccumulator(count=" + std::to_string(a.count()) + ")"; });
  score_accumulator<csat_accumulator>(csat_acc);

  auto ces_acc = py::class_<ces_accumulator>(
      m, "CesAccumulator",
      "Mergeable CES state on 1..7; scores >= easy_min (2..7) count as easy, and the threshold is part of the state.");
  ces_acc.def(py::init([](int easy_min) { return ces_accumulator(scale::ces(easy_min)); }), py::arg("easy_min") = 5)
      .def_property_readonly("easy_min", [](const ces_accumulator& a) { return a.scale_of().high_min(); })
      .def(
          "result",
          [](const ces_accumulator& a, double level, const std::string& method, const std::string& weighted_se) {
            return a.result(rating_from(level, method, weighted_se));
          },
          py::arg("level") = 0.95, py::arg("method") = "wilson", py::arg("weighted_se") = "linearized",
          "Mean (Student t) and easy share (interval of `method`).")
      .def("__repr__",
           [](const ces_accumulator& a) { return "CesAccumulator(count=" + std::to_string(a.count()) + ")"; });
  score_accumulator<ces_accumulator>(ces_acc);

  auto res_acc = py::class_<resolution_accumulator>(
      m, "ResolutionAccumulator",
      "Mergeable resolution state: yes/no counts and the unknowns, which are reported but never counted as no.");
  res_acc.def(py::init<>())
      .def(
          "add",
          [](resolution_accumulator& self, py::handle x, py::handle weight, unsigned threads) {
            if (!is_column(x)) {
              const long long v = x.is_none() ? -1 : one_integer(x, "resolved");
              const auto r = static_cast<resolution>(v >= -1 && v <= 1 ? v : 2);
              if (weight.is_none()) {
                self.add(r);
              } else {
                self.add(r, weight.cast<double>());
              }
              return;
            }
            const auto f = flag_column(x, "resolved");
            const auto w = weights_of(weight);
            const auto o = options_of(threads);
            py::gil_scoped_release nogil;
            if (const auto* wf = std::get_if<column<float>>(&w.data)) {
              engine::add_column(self, f.data, wf->data, o);
            } else if (const auto* wd = std::get_if<column<double>>(&w.data)) {
              engine::add_column(self, f.data, wd->data, o);
            } else {
              engine::add_column(self, f.data, o);
            }
          },
          py::arg("value"), py::arg("weights") = py::none(), py::arg("threads") = 0,
          "add(flag, weights=None): 1 or True yes, 0 or False no, -1 or None unknown; add(flags, weights=None, "
          "threads=0) a column (int8 read without a copy). Another value raises InvalidValue (105).")
      .def_property_readonly("answered", &resolution_accumulator::answered, "yes + no")
      .def_property_readonly("unknown", &resolution_accumulator::unknown, "Unknown answers.")
      .def_property_readonly("histogram", [](const resolution_accumulator& a) { return a.counts(); },
                             "The yes/no histogram (0 no, 1 yes).")
      .def(
          "result",
          [](const resolution_accumulator& a, double level, const std::string& method, const std::string& weighted_se) {
            return a.result(resolution_options{level, method_of(method), weighted_se_of(weighted_se)});
          },
          py::arg("level") = 0.95, py::arg("method") = "wilson", py::arg("weighted_se") = "linearized",
          "The rate yes / (yes + no) with the interval of `method` (a proportion method).")
      .def("__repr__", [](const resolution_accumulator& a) {
        return "ResolutionAccumulator(count=" + std::to_string(a.count()) + ")";
      });
  state_methods<resolution_accumulator>(res_acc);

  auto set = py::class_<four_metrics>(
      m, "MetricSet",
      "NPS, CSAT, CES and resolution fed in one pass (metric_set<nps, csat, ces, resolution>): the four questions of "
      "a response table, as `cxm summary` reports them.");
  set.def(py::init(&set_prototype), py::arg("csat_top_box") = 2, py::arg("ces_easy_min") = 5)
      .def(
          "add",
          [](four_metrics& self, py::handle nps, py::handle csat, py::handle ces, py::handle resolved,
             py::handle weights, unsigned threads) {
            columns_input in;
            read_columns(in, self, nps, csat, ces, resolved, weights);
            py::gil_scoped_release nogil;
            self.add(in.cols, options_of(threads));
          },
          py::kw_only(), py::arg("nps") = py::none(), py::arg("csat") = py::none(), py::arg("ces") = py::none(),
          py::arg("resolved") = py::none(), py::arg("weights") = py::none(), py::arg("threads") = 0, columns_doc)
      .def("result", &set_results, py::arg("level") = 0.95, py::arg("nps_method") = "adjusted_wald",
           py::arg("share_method") = "wilson", py::arg("weighted_se") = "linearized",
           "Every member's result: a dict with keys nps, csat, ces, resolution.")
      .def_property_readonly("nps", [](const four_metrics& s) { return s.get<nps_accumulator>(); })
      .def_property_readonly("csat", [](const four_metrics& s) { return s.get<csat_accumulator>(); })
      .def_property_readonly("ces", [](const four_metrics& s) { return s.get<ces_accumulator>(); })
      .def_property_readonly("resolution", [](const four_metrics& s) { return s.get<resolution_accumulator>(); })
      .def("__repr__", [](const four_metrics& s) { return "MetricSet(count=" + std::to_string(s.count()) + ")"; });
  state_methods<four_metrics>(set);

  auto grouped = py::class_<grouped_metrics>(
      m, "GroupBy",
      "A MetricSet per integer key 0 <= key < cardinality (group_by<MetricSet, dense_key<>>), fed by columns through "
      "the grouped SIMD kernel. Groups exist once a row was added under their key.");
  grouped
      .def(py::init([](std::uint32_t cardinality, int top_box, int easy_min) {
             return grouped_metrics(set_prototype(top_box, easy_min), cardinality);
           }),
           py::arg("cardinality"), py::arg("csat_top_box") = 2, py::arg("ces_easy_min") = 5)
      .def_property_readonly("cardinality", [](const grouped_metrics& g) { return g.shape()[0]; })
      .def(
          "add",
          [](grouped_metrics& self, py::handle keys, py::handle nps, py::handle csat, py::handle ces,
             py::handle resolved, py::handle weights, unsigned threads) {
            columns_input in;
            read_columns(in, self.prototype(), nps, csat, ces, resolved, weights);
            const auto k = key_of(keys, "key");
            if (k.size() != in.rows) {
              throw invalid_argument("key column has " + std::to_string(k.size()) + " rows, the value columns " +
                                     std::to_string(in.rows));
            }
            const std::array<engine::key_column, 1> cols{k.engine_column(self.shape()[0])};
            py::gil_scoped_release nogil;
            self.add_columns(cols, in.cols, options_of(threads));
          },
          py::arg("keys"), py::kw_only(), py::arg("nps") = py::none(), py::arg("csat") = py::none(),
          py::arg("ces") = py::none(), py::arg("resolved") = py::none(), py::arg("weights") = py::none(),
          py::arg("threads") = 0,
          (std::string("add(keys, nps=..., ...): keys an integer column (uint8/16/32 without a copy), one per row; a "
                       "key at or past the cardinality raises InvalidValue (105). ") +
           columns_doc)
              .c_str())
      .def("__len__", &grouped_metrics::size)
      .def(
          "groups",
          [](const grouped_metrics& g) {
            py::dict d;
            for (const auto& [key, acc] : g.groups()) d[py::int_(std::get<0>(key))] = acc.get();
            return d;
          },
          "{key: MetricSet} of every group, by ascending key.")
      .def(
          "result",
          [](const grouped_metrics& g, double level, const std::string& nps_method, const std::string& share_method,
             const std::string& weighted_se) {
            py::dict d;
            for (const auto& [key, acc] : g.groups()) {
              d[py::int_(std::get<0>(key))] = set_results(acc.get(), level, nps_method, share_method, weighted_se);
            }
            return d;
          },
          py::arg("level") = 0.95, py::arg("nps_method") = "adjusted_wald", py::arg("share_method") = "wilson",
          py::arg("weighted_se") = "linearized", "{key: MetricSet.result(...)} by ascending key.")
      .def("__repr__", [](const grouped_metrics& g) {
        return "GroupBy(cardinality=" + std::to_string(g.shape()[0]) + ", groups=" + std::to_string(g.size()) +
               ", count=" + std::to_string(g.count()) + ")";
      });
  state_methods<grouped_metrics>(grouped);
}

}  // namespace cxm::python
