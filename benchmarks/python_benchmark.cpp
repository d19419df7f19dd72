// cxmetrics.nps from Python against the C++ engine and against NumPy masks.
//
// One process holds one array of 10^8 uniform NPS scores (uint8, seeded) and
// an embedded Python interpreter (pybind11::embed) that imports the cxmetrics
// module of the build tree and sees the same bytes as a NumPy array (no
// copy). Three cases do the same work on it, promoters and detractors counted
// and the NPS computed, with the same thread count:
//
//   cpp     engine::count_scores + compute_nps, called from C++
//   python  cxmetrics.nps(scores, threads=t), called through the interpreter
//           (argument parsing, buffer request, GIL release, result object)
//   numpy   100 * (np.count_nonzero(a >= 9) - np.count_nonzero(a <= 6)) / a.size,
//           the usual NumPy way (NumPy is single-threaded)
//
// Counters (same-run ratios of medians, benchmarks/same_run.hpp):
//   Gresp/s        responses per second (10^9)
//   x_cpp          (python) its median time over the cpp median: the cost of
//                  the Python layer; the target is <= 1.10
//   x_faster_than_numpy  (numpy) the numpy median over the python median;
//                  the target is >= 5
//   us/call, share_of_cpp  (python_call) cxmetrics.nps on one score: the
//                  fixed cost of the Python layer, and its share of the cpp
//                  median on 10^8 (a ratio that a loaded machine disturbs
//                  far less than x_cpp)
//
// Usage (release build; 10^8 bytes of scores, ~0.1 GB):
//   python_benchmark --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//   (add --benchmark_enable_random_interleaving=true on a machine with other load,
//   so that a drift of the load does not fall on one case)
// Threads: /1 uses one thread, /0 every core (count_options::threads = 0).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <pybind11/embed.h>
#include <pybind11/numpy.h>

#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "same_run.hpp"

namespace py = pybind11;

namespace {

constexpr std::size_t kResponses = 100'000'000;

const std::vector<std::uint8_t>& scores() {
  static const std::vector<std::uint8_t> s = [] {
    std::vector<std::uint8_t> v(kResponses);
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<int> d(0, 10);
    for (auto& x : v) x = static_cast<std::uint8_t>(d(rng));
    return v;
  }();
  return s;
}

/// The Python side: the module, the array over scores() and the NumPy expression.
struct python_side {
  py::object nps;
  py::object masks;
  py::array array;
};

python_side& python() {
  static python_side p = [] {
    python_side out;
    py::module_::import("sys").attr("path").attr("insert")(0, CXMETRICS_PYTHON_DIR);
    out.nps = py::module_::import("cxmetrics").attr("nps");
    py::dict scope;
    py::exec(R"(
import numpy as np
def masks(a):
    promoters = np.count_nonzero(a >= 9)
    detractors = np.count_nonzero(a <= 6)
    return 100.0 * (promoters - detractors) / a.size
)",
             scope);
    out.masks = scope["masks"];
    const auto& s = scores();
    // A view of the C++ buffer: a base object makes pybind11 keep the pointer.
    out.array = py::array(py::dtype::of<std::uint8_t>(), {static_cast<py::ssize_t>(s.size())}, {py::ssize_t{1}},
                          s.data(), py::capsule(s.data(), [](void*) {}));
    return out;
  }();
  return p;
}

double cpp_nps(unsigned threads) {
  cxm::engine::count_options o;
  o.threads = threads;
  return cxm::compute_nps(cxm::engine::count_scores(scores(), cxm::scale::nps(), o)).nps.value();
}

std::string key(const char* name, unsigned threads) { return std::string(name) + "/" + std::to_string(threads); }

void report(benchmark::State& state, const std::optional<double>& median) {
  if (median) state.counters["Gresp/s"] = static_cast<double>(kResponses) / *median / 1e9;
}

void cpp(benchmark::State& state) {
  const auto threads = static_cast<unsigned>(state.range(0));
  double v = 0;
  report(state, bench::time_iterations(state, key("cpp", threads), [&] { v = cpp_nps(threads); }));
  benchmark::DoNotOptimize(v);
}

void python_nps(benchmark::State& state) {
  const auto threads = static_cast<unsigned>(state.range(0));
  auto& p = python();
  double v = 0;
  const auto mine = bench::time_iterations(state, key("python", threads), [&] {
    v = p.nps(p.array, py::arg("threads") = threads).attr("value").cast<double>();
  });
  if (v != cpp_nps(threads)) state.SkipWithError("cxmetrics.nps and the engine disagree");
  report(state, mine);
  const auto base = bench::median(key("cpp", threads));
  if (mine && base) state.counters["x_cpp"] = *mine / *base;
}

void numpy_masks(benchmark::State& state) {
  const auto threads = static_cast<unsigned>(state.range(0));
  auto& p = python();
  double v = 0;
  const auto mine =
      bench::time_iterations(state, key("numpy", threads), [&] { v = p.masks(p.array).cast<double>(); });
  if (std::abs(v - cpp_nps(threads)) > 1e-9) state.SkipWithError("the NumPy masks and the engine disagree");
  report(state, mine);
  const auto ours = bench::median(key("python", threads));
  if (mine && ours) state.counters["x_faster_than_numpy"] = *mine / *ours;
}

/// The fixed cost of the Python layer: cxmetrics.nps on one score (argument
/// parsing, buffer request, GIL release, result object), as a share of the
/// engine's median on 10^8 scores.
void python_call(benchmark::State& state) {
  auto& p = python();
  const py::object one = p.array[py::slice(0, 1, 1)];
  const auto mine = bench::time_iterations(state, "python_call", [&] { p.nps(one, py::arg("threads") = 1); });
  if (!mine) return;
  state.counters["us/call"] = *mine * 1e6;
  if (const auto base = bench::median(key("cpp", 1))) state.counters["share_of_cpp"] = *mine / *base;
}

BENCHMARK(cpp)->Arg(1)->Arg(0)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(python_nps)->Arg(1)->Arg(0)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(numpy_masks)->Arg(1)->Arg(0)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(python_call)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  py::scoped_interpreter interpreter;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  (void)python();  // the data and the import, outside every timed iteration
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  {
    // Drop the Python objects before the interpreter ends.
    auto& p = python();
    p.nps = py::object();
    p.masks = py::object();
    p.array = py::array();
  }
  return 0;
}
