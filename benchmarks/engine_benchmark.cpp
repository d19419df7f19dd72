// Counting-engine kernels against the read-bandwidth ceiling.
//
// For each size (10^6, 10^8 and, when asked for and memory allows, 10^9
// responses) the same process first times the ceiling, a plain SIMD sum of the
// very bytes a kernel reads (engine::sum_bytes over each of its columns, same
// level, threads and chunks), then the kernel. Every kernel reports
//
//   GB/s        bytes of its input columns per second (10^9 bytes)
//   Gresp/s     responses per second (10^9)
//   %ceiling    its GB/s as a share of the ceiling's median GB/s in this run
//   x1thread    (2-thread runs) its speed over the 1-thread median in this run
//
// Data: uniform NPS scores 0..10 (uint8), float weights in [0.5, 1.5), channel
// 0..7 (uint8) and month 0..35 (uint16), generated once per size and process.
//
// Usage:
//   engine_benchmark                               # 10^6 and 10^8
//   engine_benchmark --benchmark_filter=n=1e9      # 10^9 (needs ~9 GB free)
//   engine_benchmark --isa=avx2                    # pin a kernel level
// Report medians with --benchmark_repetitions=5 --benchmark_report_aggregates_only=true.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/engine/group_by.hpp"
#include "cxmetrics/core/isa.hpp"

namespace {

namespace eng = cxm::engine;

// ------------------------------------------------------------------ data

struct dataset {
  std::vector<std::uint8_t> score;
  std::vector<float> weight;
  std::vector<std::uint8_t> channel;
  std::vector<std::uint16_t> month;
};

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform integer in [0, m) from the top 32 bits (Lemire's multiply-shift).
std::uint32_t below(std::uint64_t r, std::uint32_t m) {
  return static_cast<std::uint32_t>(((r >> 32) * m) >> 32);
}

const dataset& data(std::size_t n) {
  static std::map<std::size_t, std::unique_ptr<dataset>> cache;
  auto& slot = cache[n];
  if (!slot) {
    auto d = std::make_unique<dataset>();
    d->score.resize(n);
    d->weight.resize(n);
    d->channel.resize(n);
    d->month.resize(n);
    std::uint64_t state = 0x5EEDull + n;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t r = splitmix64(state);
      d->score[i] = static_cast<std::uint8_t>(below(r, 11));
      d->channel[i] = static_cast<std::uint8_t>(r & 7);
      d->month[i] = static_cast<std::uint16_t>(below(r << 32, 36));
      d->weight[i] = 0.5f + static_cast<float>((r >> 3) & 0xFFFF) / 65536.0f;
    }
    slot = std::move(d);
  }
  return *slot;
}

// ------------------------------------------------------------------ measurements kept for ratios

// Rates (bytes/s) of every repetition, keyed by "case/n/threads".
std::map<std::string, std::vector<double>>& rates() {
  static std::map<std::string, std::vector<double>> r;
  return r;
}

std::optional<double> median_rate(const std::string& key) {
  auto it = rates().find(key);
  if (it == rates().end() || it->second.empty()) return std::nullopt;
  auto v = it->second;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

std::string key_of(const std::string& what, std::size_t n, unsigned threads) {
  return what + "/" + std::to_string(n) + "/" + std::to_string(threads);
}

eng::count_options options(unsigned threads) {
  eng::count_options o;
  o.threads = threads;
  return o;
}

template <class T>
std::span<const std::uint8_t> as_bytes(const std::vector<T>& v) {
  return {reinterpret_cast<const std::uint8_t*>(v.data()), v.size() * sizeof(T)};
}

// Runs `body` (one pass over the input) in the benchmark loop, then records
// and reports rates. `ceiling` names the ceiling case this kernel is compared
// with (empty for a ceiling itself).
template <class Body>
void measure(benchmark::State& state, const std::string& what, const std::string& ceiling, std::size_t n,
             std::size_t bytes, unsigned threads, Body&& body) {
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) body();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double iters = static_cast<double>(state.iterations());
  const double rate = static_cast<double>(bytes) * iters / seconds;
  rates()[key_of(what, n, threads)].push_back(rate);

  state.counters["GB/s"] = rate / 1e9;
  state.counters["Gresp/s"] = static_cast<double>(n) * iters / seconds / 1e9;
  if (!ceiling.empty()) {
    if (auto c = median_rate(key_of(ceiling, n, threads))) state.counters["%ceiling"] = 100.0 * rate / *c;
    if (threads > 1) {
      if (auto one = median_rate(key_of(what, n, 1))) state.counters["x1thread"] = rate / *one;
    }
  }
}

// ------------------------------------------------------------------ benchmarks

void ceiling_scores(benchmark::State& state, std::size_t n, unsigned threads) {
  const auto& d = data(n);
  const auto o = options(threads);
  measure(state, "ceiling_scores", "", n, n, threads,
          [&] { benchmark::DoNotOptimize(eng::sum_bytes(d.score, o)); });
}

void ceiling_grouped(benchmark::State& state, std::size_t n, unsigned threads) {
  const auto& d = data(n);
  const auto o = options(threads);
  measure(state, "ceiling_grouped", "", n, 4 * n, threads, [&] {
    benchmark::DoNotOptimize(eng::sum_bytes(d.score, o) + eng::sum_bytes(d.channel, o) +
                             eng::sum_bytes(as_bytes(d.month), o));
  });
}

void ceiling_weighted(benchmark::State& state, std::size_t n, unsigned threads) {
  const auto& d = data(n);
  const auto o = options(threads);
  measure(state, "ceiling_weighted", "", n, 5 * n, threads, [&] {
    benchmark::DoNotOptimize(eng::sum_bytes(d.score, o) + eng::sum_bytes(as_bytes(d.weight), o));
  });
}

void nps(benchmark::State& state, std::size_t n, unsigned threads) {
  const auto& d = data(n);
  const auto o = options(threads);
  measure(state, "nps", "ceiling_scores", n, n, threads,
          [&] { benchmark::DoNotOptimize(eng::count_nps(d.score, cxm::scale::nps(), o)); });
}

void histogram(benchmark::State& state, std::size_t n, unsigned threads) {
  const auto& d = data(n);
  const auto o = options(threads);
  measure(state, "histogram", "ceiling_scores", n, n, threads,
          [&] { benchmark::DoNotOptimize(eng::count_scores(d.score, cxm::scale::nps(), o)); });
}

void grouped(benchmark::State& state, std::size_t n, unsigned threads) {
  const auto& d = data(n);
  const auto o = options(threads);
  const eng::key_column keys[] = {{d.channel, 8, "channel"}, {d.month, 36, "month"}};
  measure(state, "grouped", "ceiling_grouped", n, 4 * n, threads,
          [&] { benchmark::DoNotOptimize(eng::count_nps_by(d.score, keys, cxm::scale::nps(), o)); });
}

void weighted_nps(benchmark::State& state, std::size_t n, unsigned threads) {
  const auto& d = data(n);
  const auto o = options(threads);
  measure(state, "weighted_nps", "ceiling_weighted", n, 5 * n, threads,
          [&] { benchmark::DoNotOptimize(eng::count_nps(d.score, d.weight, cxm::scale::nps(), o)); });
}

// MemAvailable from /proc/meminfo in bytes (0 when unknown).
std::uint64_t available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string name;
  std::uint64_t kib = 0;
  std::string unit;
  while (in >> name >> kib >> unit) {
    if (name == "MemAvailable:") return kib * 1024;
  }
  return 0;
}

void register_all() {
  struct size_case {
    std::size_t n;
    const char* label;
  };
  std::vector<size_case> sizes = {{1'000'000, "1e6"}, {100'000'000, "1e8"}};
  // 10^9 responses need 8 GB of columns: register only when they fit.
  if (available_memory() >= std::uint64_t{10} << 30) sizes.push_back({1'000'000'000, "1e9"});

  using fn = void (*)(benchmark::State&, std::size_t, unsigned);
  const std::pair<const char*, fn> cases[] = {
      {"ceiling_scores", &ceiling_scores},     {"nps", &nps},
      {"histogram", &histogram},               {"ceiling_grouped", &ceiling_grouped},
      {"grouped", &grouped},                   {"ceiling_weighted", &ceiling_weighted},
      {"weighted_nps", &weighted_nps},
  };
  for (const auto& sz : sizes) {
    for (unsigned threads : {1u, 2u}) {  // one thread first: two-thread runs compare with it
      for (const auto& c : cases) {
        const fn f = c.second;
        const std::string full = std::string(c.first) + "/n=" + sz.label + "/threads:" + std::to_string(threads);
        const std::size_t n = sz.n;
        benchmark::RegisterBenchmark(full.c_str(), [f, n, threads](benchmark::State& st) { f(st, n, threads); })
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Own flag: --isa=<scalar|ssse3|avx2|avx512|neon> pins the kernel level.
  std::vector<char*> args;
  bool has_filter = false;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--isa=", 0) == 0) {
      const std::string level = a.substr(6);
      bool found = false;
      for (auto l : {cxm::isa::scalar, cxm::isa::ssse3, cxm::isa::avx2, cxm::isa::avx512, cxm::isa::neon}) {
        if (cxm::to_string(l) == level) {
          cxm::force_isa(l);
          found = true;
        }
      }
      if (!found) {
        std::fprintf(stderr, "unknown --isa level '%s'\n", level.c_str());
        return 2;
      }
      continue;
    }
    if (a.rfind("--benchmark_filter", 0) == 0) has_filter = true;
    args.push_back(argv[i]);
  }
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
  // 10^9 runs only when asked for by name.
  if (!has_filter) benchmark::SetBenchmarkFilter("n=1e6|n=1e8");
  benchmark::AddCustomContext("cxm_isa", std::string(cxm::to_string(cxm::active_isa())));
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
