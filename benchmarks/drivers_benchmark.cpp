// Key-driver analysis against one bare pass that builds the covariance
// matrix of the same columns, measured in the same run.
//
//   covariance_pass  the floor: one loop over the rows of the 7 columns
//                    (outcome and 6 drivers, doubles) adding Σx_i and
//                    Σx_i·x_j (i ≤ j) in plain sums, then the covariance
//                    matrix from them; no missing-value test
//   lmg              the whole analysis: drivers::moments over the same
//                    columns (missing values tested, blocks centred and
//                    merged) and analyse_drivers with every measure (LMG
//                    over the 2^6 subsets, relative weights, Pratt,
//                    first/last R², beta with intervals)
//   analyse          analyse_drivers alone, from a state built beforehand:
//                    what the analysis costs beyond the pass (independent
//                    of the rows)
//
// Counter x_pass is a case's median time over the median time of
// covariance_pass of the same size in this run: the target for lmg is
// x_pass <= 2 (median of 5 repetitions: --benchmark_repetitions=5, and
// --benchmark_enable_random_interleaving=true to spread drift over both).
//
// Data: 10^6 rows; drivers are scores 1..5 and the outcome a 0..10 score
// from a linear model with noise (SplitMix64), as doubles.
#include <benchmark/benchmark.h>

#include "same_run.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cxmetrics/drivers/key_drivers.hpp"
#include "cxmetrics/drivers/moments.hpp"

namespace {

constexpr std::size_t kDrivers = 6;
constexpr std::size_t kVars = kDrivers + 1;

std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

struct columns {
  std::array<std::vector<double>, kVars> v;
};

const columns& data(std::size_t n) {
  static std::map<std::size_t, columns> cache;
  auto& c = cache[n];
  if (!c.v[0].empty()) return c;
  std::uint64_t s = 20261207;
  for (auto& col : c.v) col.resize(n);
  const double b[kDrivers] = {0.9, 0.6, 0.4, 0.3, 0.1, 0.05};
  for (std::size_t r = 0; r < n; ++r) {
    double y = 0.0;
    const double common = static_cast<double>(splitmix(s) % 3);
    for (std::size_t j = 0; j < kDrivers; ++j) {
      const double x = std::min(5.0, 1.0 + static_cast<double>(splitmix(s) % 4) + (j % 2 ? common * 0.5 : 0.0));
      c.v[j + 1][r] = std::round(x);
      y += b[j] * c.v[j + 1][r];
    }
    const double noise = static_cast<double>(splitmix(s) % 5) - 2.0;
    c.v[0][r] = std::clamp(std::round(y * 0.6 - 2.0 + noise), 0.0, 10.0);
  }
  return c;
}

template <class Body>
void measure(benchmark::State& state, const std::string& what, const std::string& size, std::size_t n, Body&& body) {
  const auto mine = bench::time_iterations(state, what + size, body);
  if (!mine) return;
  state.counters["Mrows/s"] = static_cast<double>(n) / *mine / 1e6;
  if (what != "covariance_pass") {
    if (auto base = bench::median("covariance_pass" + size)) state.counters["x_pass"] = *mine / *base;
  }
}

const std::vector<std::string>& names() {
  static const std::vector<std::string> v{"d1", "d2", "d3", "d4", "d5", "d6"};
  return v;
}

void covariance_pass(benchmark::State& state, const std::string& size, std::size_t n) {
  const auto& d = data(n);
  measure(state, "covariance_pass", size, n, [&] {
    std::array<double, kVars> sum{};
    std::array<double, kVars * kVars> cross{};
    for (std::size_t r = 0; r < n; ++r) {
      std::array<double, kVars> x;
      for (std::size_t i = 0; i < kVars; ++i) x[i] = d.v[i][r];
      for (std::size_t i = 0; i < kVars; ++i) {
        sum[i] += x[i];
        for (std::size_t j = i; j < kVars; ++j) cross[i * kVars + j] += x[i] * x[j];
      }
    }
    const double nd = static_cast<double>(n);
    std::array<double, kVars * kVars> cov{};
    for (std::size_t i = 0; i < kVars; ++i) {
      for (std::size_t j = i; j < kVars; ++j) {
        cov[i * kVars + j] = cov[j * kVars + i] = (cross[i * kVars + j] - sum[i] * sum[j] / nd) / (nd - 1.0);
      }
    }
    benchmark::DoNotOptimize(cov);
  });
}

void lmg_case(benchmark::State& state, const std::string& size, std::size_t n) {
  const auto& d = data(n);
  std::array<const double*, kVars> cols{};
  for (std::size_t i = 0; i < kVars; ++i) cols[i] = d.v[i].data();
  measure(state, "lmg", size, n, [&] {
    cxm::drivers::moments m(kVars);
    m.add_columns(cols, n);
    const auto a = cxm::drivers::analyse_drivers(m, "y", names());
    benchmark::DoNotOptimize(a.r2);
    if (!(a.r2 > 0.0 && a.r2 < 1.0)) state.SkipWithError("R² out of range");
  });
}

void analyse_case(benchmark::State& state, const std::string& size, std::size_t n) {
  const auto& d = data(n);
  std::array<const double*, kVars> cols{};
  for (std::size_t i = 0; i < kVars; ++i) cols[i] = d.v[i].data();
  cxm::drivers::moments m(kVars);
  m.add_columns(cols, n);
  measure(state, "analyse", size, n, [&] {
    const auto a = cxm::drivers::analyse_drivers(m, "y", names());
    benchmark::DoNotOptimize(a.r2);
  });
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  using case_fn = void (*)(benchmark::State&, const std::string&, std::size_t);
  const std::size_t n = 1'000'000;
  const std::string size = "/n=1e6/k=6";
  const std::pair<const char*, case_fn> cases[] = {
      {"covariance_pass", covariance_pass}, {"lmg", lmg_case}, {"analyse", analyse_case}};
  for (const auto& [name, fn] : cases) {
    benchmark::RegisterBenchmark((std::string(name) + size).c_str(),
                                 [fn = fn, size, n](benchmark::State& st) { fn(st, size, n); })
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
