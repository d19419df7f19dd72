// cxmetrics.Estimate, Histogram, NpsResult and the counting functions over
// NumPy arrays: nps, count_scores, count_nps_by.
//
// Arrays are taken by the buffer protocol without a copy when they already
// have the engine's layout (C-contiguous uint8 scores; float32 or float64
// weights; uint8/16/32 keys); other integer dtypes are converted once with
// every value checked, floats as scores raise TypeError (arrays.hpp). The GIL
// is released while the engine counts and while the intervals are computed.
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/operators.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "arrays.hpp"
#include "bindings.hpp"
#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/engine/group_by.hpp"
#include "cxmetrics/metrics/nps.hpp"

namespace py = pybind11;

namespace cxm::python {

const char* status_name(cxm::estimate::status s) {
  switch (s) {
    case cxm::estimate::status::ok: return "ok";
    case cxm::estimate::status::no_data: return "no_data";
    case cxm::estimate::status::insufficient: return "insufficient";
  }
  return "ok";
}

cxm::scale scale_from(py::handle spec) {
  if (py::isinstance<py::str>(spec)) {
    const auto name = spec.cast<std::string>();
    if (name == "nps") return scale::nps();
    if (name == "csat") return scale::csat();
    if (name == "ces") return scale::ces();
    if (name == "binary") return scale::binary();
    throw invalid_argument("unknown scale '" + name + "' (known: nps, csat, ces, binary, or a tuple (min, max))");
  }
  std::vector<int> t;
  try {
    t = spec.cast<std::vector<int>>();
  } catch (const py::cast_error&) {
    throw py::type_error("scale: expected a name or a tuple of ints, got " + py::repr(spec).cast<std::string>());
  }
  if (t.size() == 2) {
    if (t[0] == 0 && t[1] == 10) return scale::nps();
    if (t[0] == 1 && t[1] == 5) return scale::csat();
    if (t[0] == 1 && t[1] == 7) return scale::ces();
    if (t[0] == 0 && t[1] == 1) return scale::binary();
    return scale::custom(t[0], t[1], t[1], t[0]);
  }
  if (t.size() == 4) return scale::custom(t[0], t[1], t[2], t[3]);
  throw invalid_argument("a scale is a name or a tuple (min, max) or (min, max, high_min, low_max)");
}

nps_options nps_options_from(double level, const std::string& method, const std::string& weighted_se, double prior,
                             std::size_t replicates, std::uint64_t seed) {
  nps_options o;
  o.level = level;
  o.method = method_of(method);
  o.weighted_se = weighted_se_of(weighted_se);
  o.prior = prior;
  o.bootstrap_replicates = replicates;
  o.seed = seed;
  check_nps_options(o);
  return o;
}

namespace {

double nan() { return std::numeric_limits<double>::quiet_NaN(); }
double lower_of(const estimate& e) { return e.ci() ? e.ci()->lower : nan(); }
double upper_of(const estimate& e) { return e.ci() ? e.ci()->upper : nan(); }
double level_of(const estimate& e) { return e.ci() ? e.ci()->level : nan(); }
py::object method_name(const estimate& e) {
  if (!e.ci()) return py::none();
  return py::str(cxm::to_string(e.ci()->method));
}

engine::count_options options_of(unsigned threads) {
  engine::count_options o;
  o.threads = threads;
  return o;
}

void check_lengths(std::size_t scores, const weight_column& w) {
  if (w.present() && w.size() != scores) {
    throw invalid_argument("weights has " + std::to_string(w.size()) + " rows but scores has " +
                               std::to_string(scores),
                           at_field("weight"));
  }
}

/// The histogram of `s` on `sc`, weighted when `w` is present. Call without the GIL.
score_counts count_with(std::span<const std::uint8_t> s, const weight_column& w, const scale& sc,
                        const engine::count_options& o) {
  if (const auto* f = std::get_if<column<float>>(&w.data)) return engine::count_scores(s, f->data, sc, o);
  if (const auto* d = std::get_if<column<double>>(&w.data)) return engine::count_scores(s, d->data, sc, o);
  return engine::count_scores(s, sc, o);
}

template <class T>
py::array_t<T> to_numpy(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

const char* const nps_doc = R"doc(Net Promoter Score of a column of 0-10 scores, with its uncertainty.

NPS = 100 * (p_pro - p_det) points on -100..100, from the promoter (9-10),
passive (7-8) and detractor (0-6) shares (Reichheld 2003). The histogram is
counted by the SIMD engine (engine::count_scores), then metrics/nps.hpp's
compute_nps gives the score and the three shares (proportions 0..1, Wilson).

scores   1-d uint8 array, read without a copy when C-contiguous (a view of a
         larger buffer too); other integer dtypes are copied once with every
         value checked; floats raise TypeError.
weights  None, or float32/float64 survey weights of the same length (no copy).
threads  worker threads, 0 = every core (count_options::threads).
level    confidence / credible level, 0 < level < 1.
method   wald, adjusted_wald (default: Rocks 2016), bayes_dirichlet, bootstrap,
         tango or t; another name raises cxmetrics.InvalidArgument.
weighted_se  "linearized" (default; survey::svymean's) or "kish".
prior, bootstrap_replicates, seed   of bayes_dirichlet and bootstrap.

Returns an NpsResult: .nps (an Estimate in points) and .promoters, .passives,
.detractors; its .value, .se, .lower, .upper, ... are those of .nps.
A score outside 0..10 raises ScoreOutOfScale (id 101) naming the first bad
row; a NaN, infinite or negative weight InvalidWeight (id 102). n = 0 gives
no_data estimates, not an exception. The GIL is released while counting.)doc";

const char* const count_scores_doc = R"doc(Histogram of a column of scores (engine::count_scores).

scale    "nps", "csat", "ces", "binary", a tuple (min, max) within 0..255 or
         (min, max, high_min, low_max); default (0, 10).
scores, weights, threads  as in nps().

Returns a Histogram: .scores, .counts (uint64), and when weighted .weights
(per-point sum of w) and .weights_sq (sum of w^2). Weighted sums use the
engine's fixed blocked order, so they do not depend on the thread count.
A score off the scale raises ScoreOutOfScale naming the first bad row.)doc";

const char* const count_nps_by_doc = R"doc(NPS per group of integer keys, through the grouped engine.

count_nps_by(scores, channel, month, weights=None, ...) counts the histogram of
every cell of the keys' cartesian product in one pass (engine::count_scores_by,
the kernel of group_by::add_columns) and returns a dict {key tuple: NpsResult}
of the cells holding rows, in ascending key order (last key fastest).

keys           1-d integer arrays as long as scores; uint8/uint16/uint32 read
               without a copy, other integer dtypes copied once (a negative key
               raises InvalidValue, id 105).
cardinalities  one per key (keys must be below it); default max(key) + 1.
               At most 2^20 cells in all.
scores         as in nps(); here 255 marks a missing answer (as in response
               tables): the row makes its group but adds no score.
weights        float32/float64; weighted sums are added in row order on one
               thread.
level, method, weighted_se, prior, bootstrap_replicates, seed  as in nps().
A key at or past its cardinality raises InvalidValue naming the row.)doc";

}  // namespace

void bind_counting(py::module_& m) {
  py::class_<cxm::estimate>(m, "Estimate", "A point estimate with its standard error, interval, n and effective n.")
      .def_property_readonly("value", &cxm::estimate::value, "The point value (NaN when there is none).")
      .def_property_readonly("se", &cxm::estimate::se, "The standard error (NaN when there is none).")
      .def_property_readonly("lower", &lower_of, "The interval's lower bound (NaN without an interval).")
      .def_property_readonly("upper", &upper_of, "The interval's upper bound (NaN without an interval).")
      .def_property_readonly("level", &level_of, "The interval's coverage level, e.g. 0.95.")
      .def_property_readonly("method", &method_name, "The interval method's name (None without an interval).")
      .def_property_readonly("n", &cxm::estimate::n, "Responses counted.")
      .def_property_readonly("effective_n", &cxm::estimate::effective_n, "Kish effective sample size.")
      .def_property_readonly(
          "status", [](const cxm::estimate& e) { return status_name(e.state()); },
          "'ok', 'no_data' or 'insufficient'.")
      .def_property_readonly("note", &cxm::estimate::note, "Why there is no value or interval, if so.")
      .def(py::self == py::self)
      .def("__repr__", [](const cxm::estimate& e) {
        return "Estimate(value=" + std::to_string(e.value()) + ", n=" + std::to_string(e.n()) + ", status='" +
               status_name(e.state()) + "')";
      });

  py::class_<score_counts>(m, "Histogram", "Counts per point of a scale, with per-point weight sums when weighted.")
      .def_property_readonly("min", [](const score_counts& c) { return c.scale_of().min(); }, "Lowest score.")
      .def_property_readonly("max", [](const score_counts& c) { return c.scale_of().max(); }, "Highest score.")
      .def_property_readonly(
          "scores",
          [](const score_counts& c) {
            std::vector<std::int32_t> s;
            for (int v = c.scale_of().min(); v <= c.scale_of().max(); ++v) s.push_back(v);
            return to_numpy(s);
          },
          "The score of each bin (int32).")
      .def_property_readonly(
          "counts",
          [](const score_counts& c) {
            return to_numpy(std::vector<std::uint64_t>(c.raw_counts().begin(), c.raw_counts().end()));
          },
          "Responses per score (uint64).")
      .def_property_readonly(
          "weights",
          [](const score_counts& c) -> py::object {
            if (!c.weighted()) return py::none();
            std::vector<double> w;
            for (std::size_t b = 0; b < c.bins(); ++b) w.push_back(c.weight(b));
            return to_numpy(w);
          },
          "Sum of the weights per score (float64), or None when unweighted.")
      .def_property_readonly(
          "weights_sq",
          [](const score_counts& c) -> py::object {
            if (!c.weighted()) return py::none();
            std::vector<double> w;
            for (std::size_t b = 0; b < c.bins(); ++b) w.push_back(c.weight_sq(b));
            return to_numpy(w);
          },
          "Sum of the squared weights per score (float64), or None when unweighted.")
      .def_property_readonly("n", [](const score_counts& c) { return c.count(); }, "Responses counted.")
      .def_property_readonly("weighted", &score_counts::weighted, "True when weight sums are kept.")
      .def_property_readonly("effective_n", &score_counts::effective_n, "Kish's effective n, (sum w)^2 / sum w^2.")
      .def(py::self == py::self)
      .def("__repr__", [](const score_counts& c) {
        return "Histogram(" + c.scale_of().describe() + ", n=" + std::to_string(c.count()) +
               (c.weighted() ? ", weighted)" : ")");
      });

  auto nps_result_class =
      py::class_<nps_result>(m, "NpsResult",
                             "NPS in points (.nps) and the three shares 0..1 (.promoters, .passives, .detractors, "
                             "Wilson intervals); .value, .se, .lower, .upper, .level, .method, .n, .effective_n and "
                             ".status are those of .nps.")
          .def_readonly("nps", &nps_result::nps, "The score in points, -100..100.")
          .def_readonly("promoters", &nps_result::promoters, "Share of 9-10, 0..1.")
          .def_readonly("passives", &nps_result::passives, "Share of 7-8, 0..1.")
          .def_readonly("detractors", &nps_result::detractors, "Share of 0-6, 0..1.")
          .def(py::self == py::self)
          .def("__repr__", [](const nps_result& r) {
            return "NpsResult(nps=" + std::to_string(r.nps.value()) + ", n=" + std::to_string(r.nps.n()) + ")";
          });
  nps_result_class.def_property_readonly("value", [](const nps_result& r) { return r.nps.value(); }, "NPS in points.")
      .def_property_readonly("se", [](const nps_result& r) { return r.nps.se(); }, "Its standard error (points).")
      .def_property_readonly("lower", [](const nps_result& r) { return lower_of(r.nps); }, "Interval's lower bound.")
      .def_property_readonly("upper", [](const nps_result& r) { return upper_of(r.nps); }, "Interval's upper bound.")
      .def_property_readonly("level", [](const nps_result& r) { return level_of(r.nps); }, "Interval's level.")
      .def_property_readonly("method", [](const nps_result& r) { return method_name(r.nps); }, "Interval method.")
      .def_property_readonly("n", [](const nps_result& r) { return r.nps.n(); }, "Responses counted.")
      .def_property_readonly("effective_n", [](const nps_result& r) { return r.nps.effective_n(); }, "Kish's n.")
      .def_property_readonly("status", [](const nps_result& r) { return status_name(r.nps.state()); }, "Status.");

  m.def(
      "nps",
      [](py::object scores, py::object weights, unsigned threads, double level, const std::string& method,
         const std::string& weighted_se, double prior, std::size_t replicates, std::uint64_t seed) {
        const auto opt = nps_options_from(level, method, weighted_se, prior, replicates, seed);
        const auto s = score_column(scores, scale::nps(), "score");
        const auto w = weights_of(weights);
        check_lengths(s.data.size(), w);
        py::gil_scoped_release nogil;
        return compute_nps(count_with(s.data, w, scale::nps(), options_of(threads)), opt);
      },
      py::arg("scores"), py::arg("weights") = py::none(), py::arg("threads") = 0, py::arg("level") = 0.95,
      py::arg("method") = "adjusted_wald", py::arg("weighted_se") = "linearized", py::arg("prior") = 0.5,
      py::arg("bootstrap_replicates") = 2000, py::arg("seed") = 0x5eed, nps_doc);

  m.def(
      "count_scores",
      [](py::object scores, py::object scale_spec, py::object weights, unsigned threads) {
        const scale sc = scale_from(scale_spec);
        const auto s = score_column(scores, sc, "score");
        const auto w = weights_of(weights);
        check_lengths(s.data.size(), w);
        py::gil_scoped_release nogil;
        return count_with(s.data, w, sc, options_of(threads));
      },
      py::arg("scores"), py::arg("scale") = py::make_tuple(0, 10), py::arg("weights") = py::none(),
      py::arg("threads") = 0, count_scores_doc);

  m.def(
      "count_nps_by",
      [](py::object scores, py::args keys, py::object weights, py::object cardinalities, unsigned threads,
         double level, const std::string& method, const std::string& weighted_se, double prior,
         std::size_t replicates, std::uint64_t seed) {
        if (keys.empty()) throw invalid_argument("count_nps_by needs at least one key column");
        const auto opt = nps_options_from(level, method, weighted_se, prior, replicates, seed);
        const auto s = score_column(scores, scale::nps(), "score");
        const auto w = weights_of(weights);
        check_lengths(s.data.size(), w);
        std::vector<key_input> inputs;
        for (std::size_t j = 0; j < keys.size(); ++j) inputs.push_back(key_of(keys[j], "key" + std::to_string(j)));
        std::vector<std::uint32_t> shape;
        if (!cardinalities.is_none()) {
          shape = cardinalities.cast<std::vector<std::uint32_t>>();
          if (shape.size() != inputs.size()) {
            throw invalid_argument("count_nps_by got " + std::to_string(inputs.size()) + " key columns but " +
                                   std::to_string(shape.size()) + " cardinalities");
          }
        }
        engine::grouped_counts h;
        std::vector<std::pair<std::vector<std::uint32_t>, nps_result>> out;
        {
          py::gil_scoped_release nogil;
          if (shape.empty()) {
            for (const auto& k : inputs) shape.push_back(std::max<std::uint32_t>(k.cardinality(), 1));
          }
          std::vector<engine::key_column> cols;
          for (std::size_t j = 0; j < inputs.size(); ++j) cols.push_back(inputs[j].engine_column(shape[j]));
          const auto o = options_of(threads);
          if (const auto* f = std::get_if<column<float>>(&w.data)) {
            h = engine::count_scores_by(s.data, f->data, cols, scale::nps(), o);
          } else if (const auto* d = std::get_if<column<double>>(&w.data)) {
            h = engine::count_scores_by(s.data, d->data, cols, scale::nps(), o);
          } else {
            h = engine::count_scores_by(s.data, cols, scale::nps(), o);
          }
          for (std::size_t c = 0; c < h.size(); ++c) {
            if (h.rows(c) == 0) continue;
            std::vector<std::uint32_t> key(shape.size());
            std::size_t rest = c;
            for (std::size_t j = shape.size(); j-- > 0;) {
              key[j] = static_cast<std::uint32_t>(rest % shape[j]);
              rest /= shape[j];
            }
            out.emplace_back(std::move(key), compute_nps(h.counts(c), opt));
          }
        }
        py::dict d;
        for (auto& [key, r] : out) {
          py::tuple t(key.size());
          for (std::size_t j = 0; j < key.size(); ++j) t[j] = key[j];
          d[t] = std::move(r);
        }
        return d;
      },
      py::arg("scores"), py::arg("weights") = py::none(), py::arg("cardinalities") = py::none(),
      py::arg("threads") = 0, py::arg("level") = 0.95, py::arg("method") = "adjusted_wald",
      py::arg("weighted_se") = "linearized", py::arg("prior") = 0.5, py::arg("bootstrap_replicates") = 2000,
      py::arg("seed") = 0x5eed, count_nps_by_doc);
}

}  // namespace cxm::python
