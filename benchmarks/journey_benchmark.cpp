// Peak-end per journey: 10^7 events in 10^6 journeys, one thread, sorted by
// journey and time and shuffled, against DuckDB computing the same
// per-journey aggregates on the same events.
//
// Data (deterministic, seed 1): journey j has 1–19 events (mean 10; the
// last journey takes up the rest so there are exactly E events), a 64-bit
// key mix64(j) (ids that look random, as real ones do), strictly increasing
// times, and a score 1–5 mapped to x = (s − 3) / 2. The shuffled order is a
// Fisher–Yates permutation of the sorted events. Both orders are written
// once to $TMPDIR/cxm_journeys_{sorted,shuffled}_<E>.csv (journey,time,x)
// for DuckDB.
//
// Cases (each feeds the events from in-memory columns, as DuckDB aggregates
// its in-memory table):
//   journeys/sorted           one peak_end_state held: when the key changes
//                             the finished journey goes to the sink, which
//                             sums its max, min, end and mean as DuckDB's
//                             outer query sums its result rows (memory stays
//                             flat: nothing per journey is kept)
//   journeys/shuffled         journey_table::add of the columns: a hash index
//                             on the 64-bit key; the batch is staged by the
//                             key's partition first, so each partition's
//                             states are in cache while its events arrive
//   journeys/shuffled_stage_2^21  the same with at most 2^21 events staged
//                             at a time (64 MB borrowed instead of 320 MB):
//                             what bounding the staging area costs
//   journeys/shuffled_dense   dense_journeys indexed by the journey's number
//                             0..J−1 (keys already dictionary-encoded, as
//                             the readers give a category column): no
//                             hashing, so not DuckDB's work; for the memory
//                             figure
// Counters: Mevents/s; xDuckDB and xDuckDB_cpu, DuckDB's median wall and CPU
// time on the same order over this repetition's (DuckDB runs first, in the
// same process run: its five query times are taken before the cxm cases; on
// a shared machine the CPU ratio is the steadier one); B/journey, bytes held per
// journey while aggregating (the state and key for sorted input; the whole
// table for shuffled), and staged_B/journey, the staging area a bulk add
// borrows while it runs, per journey; check, 1 when the journey count and the sums of
// max, min and end equal DuckDB's.
//
// DuckDB (benchmarks/duckdb_journeys.mjs, through node) runs only when node
// and @duckdb/node-api are found (CXM_DUCKDB_MODULES names the
// node_modules directory); otherwise the ratio is absent.
//
// Usage: journey_benchmark [--events=N] [--journeys=N] [google-benchmark flags]
//   e.g. --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cxmetrics/core/hash.hpp"
#include "cxmetrics/journey/journey_table.hpp"
#include "cxmetrics/journey/peak_end.hpp"

namespace {

std::uint64_t g_events = 10'000'000;
std::uint64_t g_journeys = 1'000'000;

struct events {
  std::vector<std::uint64_t> key;
  std::vector<std::uint32_t> number;  // the journey's number 0..J−1
  std::vector<std::int64_t> time;
  std::vector<double> x;
};
events g_sorted, g_shuffled;

void make_data() {
  std::mt19937_64 rng(1);
  auto& s = g_sorted;
  for (std::uint64_t j = 0; j < g_journeys; ++j) {
    // Every later journey keeps at least one event; the last takes the rest.
    const std::uint64_t room = g_events - s.key.size() - (g_journeys - 1 - j);
    const std::uint64_t len = j + 1 == g_journeys ? room : std::min<std::uint64_t>(1 + rng() % 19, room);
    std::int64_t t = 1'700'000'000 + static_cast<std::int64_t>(rng() % 10'000'000);
    for (std::uint64_t i = 0; i < len; ++i) {
      t += 1 + static_cast<std::int64_t>(rng() % 86'400);
      s.key.push_back(cxm::detail::mix64(j));
      s.number.push_back(static_cast<std::uint32_t>(j));
      s.time.push_back(t);
      s.x.push_back((static_cast<int>(rng() % 5) - 2) / 2.0);
    }
  }
  std::vector<std::size_t> perm(s.key.size());
  for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  for (std::size_t i = perm.size(); i > 1; --i) std::swap(perm[i - 1], perm[rng() % i]);
  auto& h = g_shuffled;
  for (const auto i : perm) {
    h.key.push_back(s.key[i]);
    h.number.push_back(s.number[i]);
    h.time.push_back(s.time[i]);
    h.x.push_back(s.x[i]);
  }
}

void write_csv(const events& e, const std::filesystem::path& p) {
  if (std::filesystem::exists(p)) return;
  std::ofstream out(p);
  out << "journey,time,x\n";
  char line[96];
  for (std::size_t i = 0; i < e.key.size(); ++i) {
    const int n = std::snprintf(line, sizeof line, "%llu,%lld,%g\n", static_cast<unsigned long long>(e.key[i]),
                                static_cast<long long>(e.time[i]), e.x[i]);
    out.write(line, n);
  }
}

struct duck {
  double median = 0.0;
  double median_cpu = 0.0;
  std::uint64_t journeys = 0;
  double sum_end = 0.0, sum_max = 0.0, sum_min = 0.0;
};
std::optional<duck> g_duck_sorted, g_duck_shuffled;

double json_number(const std::string& s, const std::string& key) {
  const auto at = s.find("\"" + key + "\":");
  return at == std::string::npos ? NAN : std::strtod(s.c_str() + at + key.size() + 3, nullptr);
}

std::optional<duck> run_duckdb(const std::filesystem::path& file) {
#if defined(__unix__) && defined(CXMETRICS_DUCKDB_JOURNEYS_SCRIPT)
  std::string cmd = "node '" CXMETRICS_DUCKDB_JOURNEYS_SCRIPT "' '" + file.string() + "' --reps=5";
  if (const char* m = std::getenv("CXM_DUCKDB_MODULES")) cmd += std::string(" --modules='") + m + "'";
  cmd += " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  if (::pclose(p) != 0 || out.find("\"median\":") == std::string::npos) {
    std::fprintf(stderr, "DuckDB baseline skipped: %s\n", out.c_str());
    return std::nullopt;
  }
  std::fprintf(stderr, "DuckDB %s: %s", file.filename().c_str(), out.c_str());
  duck d;
  d.median = json_number(out, "median");
  d.median_cpu = json_number(out, "median_cpu");
  d.journeys = static_cast<std::uint64_t>(json_number(out, "journeys"));
  d.sum_end = json_number(out, "sum_end");
  d.sum_max = json_number(out, "sum_max");
  d.sum_min = json_number(out, "sum_min");
  return d;
#else
  (void)file;
  return std::nullopt;
#endif
}

struct sums {
  std::uint64_t journeys = 0;
  double end = 0.0, best = 0.0, worst = 0.0, mean = 0.0;
  void add(const cxm::peak_end_state& s) {
    ++journeys;
    end += s.end();
    best += s.best();
    worst += s.worst();
    mean += s.mean();
  }
};

// Wall and CPU seconds of one iteration, timed by the case itself (the
// machine may be shared: the CPU ratio is the one load does not bend).
struct clocks {
  double wall = 0.0, cpu = 0.0;
  int n = 0;
};
double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
template <class F>
void timed(clocks& c, F&& f) {
  const auto w0 = std::chrono::steady_clock::now();
  const double c0 = thread_cpu_seconds();
  f();
  c.cpu += thread_cpu_seconds() - c0;
  c.wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  ++c.n;
}

void finish(benchmark::State& st, const events& e, const sums& s, const std::optional<duck>& d, double bytes_held,
            const clocks& c) {
  const double wall = c.wall / c.n, cpu = c.cpu / c.n;
  st.counters["Mevents/s"] = static_cast<double>(e.key.size()) / 1e6 / wall;
  st.counters["B/journey"] = bytes_held / static_cast<double>(s.journeys);
  if (d) {
    st.counters["xDuckDB"] = d->median / wall;
    st.counters["xDuckDB_cpu"] = d->median_cpu / cpu;
    const bool same = d->journeys == s.journeys && std::abs(d->sum_end - s.end) < 1e-6 &&
                      std::abs(d->sum_max - s.best) < 1e-6 && std::abs(d->sum_min - s.worst) < 1e-6;
    st.counters["check"] = same ? 1.0 : 0.0;
  }
}

void journeys_sorted(benchmark::State& st) {
  const auto& e = g_sorted;
  sums s;
  clocks c;
  for (auto _ : st) {
    timed(c, [&] {
      s = {};
      cxm::peak_end_state cur;
      std::uint64_t key = e.key.empty() ? 0 : e.key[0];
      for (std::size_t i = 0; i < e.key.size(); ++i) {
        if (e.key[i] != key) {
          s.add(cur);
          cur = {};
          key = e.key[i];
        }
        cur.add({e.x[i], e.time[i], i});
      }
      if (!cur.empty()) s.add(cur);
    });
    benchmark::DoNotOptimize(&s);
  }
  finish(st, e, s, g_duck_sorted, static_cast<double>(sizeof(cxm::peak_end_state) + sizeof(std::uint64_t)), c);
}

// stage: the events a bulk add stages at a time (0: the table's default,
// which stages the whole batch here).
void journeys_shuffled(benchmark::State& st, std::size_t stage) {
  const auto& e = g_shuffled;
  sums s;
  double bytes = 0;
  clocks c;
  const std::size_t staged = std::min<std::size_t>(stage == 0 ? cxm::journey_table::stage_most : stage, e.key.size());
  for (auto _ : st) {
    cxm::journey_table t = stage == 0 ? cxm::journey_table() : cxm::journey_table(stage);
    timed(c, [&] { t.add(e.key, e.time, e.x, 0); });
    benchmark::DoNotOptimize(&t);
    st.PauseTiming();
    s = {};
    t.for_each([&](std::uint64_t, const cxm::peak_end_state& v) { s.add(v); });
    bytes = static_cast<double>(t.memory_bytes());
    st.ResumeTiming();
  }
  finish(st, e, s, g_duck_shuffled, bytes, c);
  // The staging area the add borrows while it runs (32 bytes per staged
  // event), per journey: peak memory is B/journey + this.
  st.counters["staged_B/journey"] = 32.0 * static_cast<double>(staged) / static_cast<double>(s.journeys);
}

void journeys_shuffled_dense(benchmark::State& st) {
  const auto& e = g_shuffled;
  sums s;
  double bytes = 0;
  clocks c;
  for (auto _ : st) {
    cxm::dense_journeys t(g_journeys);
    timed(c, [&] { t.add(e.number, e.time, e.x, 0); });
    benchmark::DoNotOptimize(&t);
    st.PauseTiming();
    s = {};
    for (const auto& v : t.states()) s.add(v);
    bytes = static_cast<double>(t.memory_bytes());
    st.ResumeTiming();
  }
  finish(st, e, s, std::nullopt, bytes, c);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--events=", 0) == 0) {
      g_events = std::strtoull(a.c_str() + 9, nullptr, 10);
    } else if (a.rfind("--journeys=", 0) == 0) {
      g_journeys = std::strtoull(a.c_str() + 11, nullptr, 10);
    } else {
      args.push_back(argv[i]);
    }
  }
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
  if (g_journeys == 0 || g_events < g_journeys) {
    std::fprintf(stderr, "need --events >= --journeys >= 1\n");
    return 2;
  }
  make_data();
  const char* tmp = std::getenv("TMPDIR");
  const std::filesystem::path dir(tmp != nullptr ? tmp : "/tmp");
  const auto suffix = std::to_string(g_events) + "_" + std::to_string(g_journeys) + ".csv";
  const auto sorted_csv = dir / ("cxm_journeys_sorted_" + suffix);
  const auto shuffled_csv = dir / ("cxm_journeys_shuffled_" + suffix);
  write_csv(g_sorted, sorted_csv);
  write_csv(g_shuffled, shuffled_csv);
  g_duck_sorted = run_duckdb(sorted_csv);
  g_duck_shuffled = run_duckdb(shuffled_csv);
  benchmark::RegisterBenchmark("journeys/sorted", journeys_sorted)->Unit(benchmark::kMillisecond)->UseRealTime();
  benchmark::RegisterBenchmark("journeys/shuffled", journeys_shuffled, std::size_t{0})
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("journeys/shuffled_stage_2^21", journeys_shuffled, std::size_t{1} << 21)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("journeys/shuffled_dense", journeys_shuffled_dense)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
