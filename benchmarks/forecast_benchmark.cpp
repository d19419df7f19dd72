// Automatic ETS selection plus a 24-step forecast of one monthly series of
// 120 points (series/forecast.hpp), against R's forecast::ets with default
// settings on the same series, measured in the same run.
//
//   auto_forecast   auto_ets over every admissible model (15 for positive
//                   monthly data) and forecast(h = 24) with intervals
//   r_ets           Rscript benchmarks/forecast_r_baseline.R: the median of
//                   forecast(ets(y), h = 24) timed inside R (process start
//                   and package loading excluded); skipped when Rscript or
//                   the forecast package is missing. Counter x_r is R's
//                   median over the median of auto_forecast in this run
//                   (target >= 50).
//
// Run with --benchmark_repetitions=9 for the medians. Data: the first 120
// monthly totals of international airline passengers, 1949-1958 (Box &
// Jenkins 1976, series G; R's AirPassengers).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "cxmetrics/series/forecast.hpp"

namespace {

const std::vector<double> air{
    112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118, 115, 126, 141, 135, 125, 149, 170, 170, 158, 133,
    114, 140, 145, 150, 178, 163, 172, 178, 199, 199, 184, 162, 146, 166, 171, 180, 193, 181, 183, 218, 230, 242,
    209, 191, 172, 194, 196, 196, 236, 235, 229, 243, 264, 272, 237, 211, 180, 201, 204, 188, 235, 227, 234, 264,
    302, 293, 259, 229, 203, 229, 242, 233, 267, 269, 270, 315, 364, 347, 312, 274, 237, 278, 284, 277, 317, 313,
    318, 374, 413, 405, 355, 306, 271, 306, 315, 301, 356, 348, 355, 422, 465, 467, 404, 347, 305, 336, 340, 318,
    362, 348, 363, 435, 491, 505, 404, 359, 310, 337};

std::vector<double> g_ours;  // seconds per auto_forecast iteration

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void auto_forecast(benchmark::State& st) {
  cxm::forecasting::forecast_options o;
  o.period = 12;
  o.horizon = 24;
  for (auto _ : st) {
    const auto t0 = std::chrono::steady_clock::now();
    auto f = cxm::forecasting::forecast_series(air, o);
    benchmark::DoNotOptimize(f.points.data());
    g_ours.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    st.counters["aicc"] = f.model.aicc;
    st.SetLabel(f.model.spec.name());
  }
}
BENCHMARK(auto_forecast)->Unit(benchmark::kMillisecond);

std::optional<double> r_seconds(std::string* why) {
#if defined(__unix__) && defined(CXMETRICS_R_SCRIPT)
  FILE* p = ::popen("Rscript '" CXMETRICS_R_SCRIPT "' 2>/dev/null", "r");
  if (p == nullptr) {
    *why = "cannot start Rscript";
    return std::nullopt;
  }
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int status = ::pclose(p);
  const auto at = out.find("median_seconds:");
  if (status != 0 || at == std::string::npos) {
    *why = "Rscript or the R package forecast is not installed (apt-get install r-cran-forecast)";
    return std::nullopt;
  }
  return std::strtod(out.c_str() + at + 15, nullptr);
#else
  *why = "R baseline not built on this platform";
  return std::nullopt;
#endif
}

void r_ets(benchmark::State& st) {
  for (auto _ : st) {
    std::string why;
    const auto s = r_seconds(&why);
    if (!s) {
      st.SkipWithError(why.c_str());
      return;
    }
    st.SetIterationTime(*s);
    if (!g_ours.empty()) st.counters["x_r"] = *s / median(g_ours);
  }
}
BENCHMARK(r_ets)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
