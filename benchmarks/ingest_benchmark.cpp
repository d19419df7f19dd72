// CSV ingestion against the newline-count ceiling, measured in the same run.
//
// The data: a CSV file of survey responses (10^7 rows by default, about 70
// bytes a row) generated once with a fixed seed and kept:
//
//   id,timestamp,channel,agent,nps,csat,resolved,weight,comment
//   r00000001,2023-07-14T09:26:53Z,chat,agent117,9,4,yes,1.25,"Quick, friendly answer"
//
// csat is empty in about 20 % of rows, the comment quoted in about 30 % (a
// delimiter inside it; 1 % of the comments hold a doubled quote, 0.5 % a
// line break). Cases, each reading the whole file:
//
//   ceiling            read() in 1 MiB blocks and count '\n' (memchr-class
//                      speed: the bound for any reader of this file)
//   ingest/threads:N   cxm::stream_responses_csv with every column parsed,
//                      feeding a sink that counts NPS, CSAT and resolution per
//                      channel and calendar month
//   ingest/two_readers_at_once
//                      two one-thread reads of the file at the same time, on
//                      two threads sharing nothing, each timed alone; MB/s is
//                      the sum of their speeds: what two cores give this work
//                      with no coordination, the bound for ingest/threads:2
//                      (slower/faster: how far apart the two reads finished)
//   duckdb/threads:N   DuckDB's read_csv with every column typed and the same
//                      GROUP BY (benchmarks/duckdb_baseline.mjs run by node in
//                      a child process; its own timer around the query). Only
//                      when node and @duckdb/node-api (npm) are found: set
//                      CXM_DUCKDB_MODULES to the node_modules directory that
//                      holds it; otherwise the case says it is skipped.
//
// Counters: MB/s (10^6 bytes of file per second), Mresp/s (10^6 responses per
// second), %ceiling (share of the ceiling's median MB/s in this run),
// x1thread (two-thread runs and the pair: speed over the one-thread median in
// this run), %pair (ingest/threads:2 as a share of the pair's median MB/s)
// and xDuckDB (cxm over DuckDB's median at the same thread count, this run;
// DuckDB's cases run first so the ratio is there).
//
// Usage:
//   ingest_benchmark [--rows=N] [--file=PATH] [google-benchmark flags]
//       default rows 10^7, file $TMPDIR/cxm_ingest_<rows>.csv (made when absent)
//   ingest_benchmark --generate --rows=N --file=PATH    write the file only
//   ingest_benchmark --rss --threads=T --file=PATH      one read; prints VmHWM
// Medians: --benchmark_repetitions=5 --benchmark_report_aggregates_only=true.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/isa.hpp"
#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/io/ingest.hpp"

#if defined(__unix__)
#include <fcntl.h>
#include <unistd.h>
#endif

namespace {

// ------------------------------------------------------------------ data

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::uint32_t below(std::uint64_t r, std::uint32_t m) { return static_cast<std::uint32_t>(((r >> 32) * m) >> 32); }

// Days since 1970-01-01 of a civil date (Hinnant 2013, days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void generate(const std::filesystem::path& path, std::uint64_t rows) {
  static const char* channels[] = {"phone", "phone", "phone", "chat", "chat", "email", "email", "web", "face_to_face"};
  static const char* comments[] = {
      "Quick, friendly answer",       "Waited too long, then cut off", "Solved it, thanks",
      "Agent was rude, never again",  "Fine, nothing special",        "Had to call back twice, annoying",
      "She said \"\"no problem\"\"",  "Great, really helpful",        "Still broken, second week now"};
  std::ofstream out(path, std::ios::binary);
  out << "id,timestamp,channel,agent,nps,csat,resolved,weight,comment\n";
  std::uint64_t state = 0xC5A1EULL;
  const std::int64_t day0 = days_from_civil(2023, 1, 1);
  const std::int64_t days = days_from_civil(2025, 1, 1) - day0;
  std::string line;
  std::string block;
  block.reserve(1 << 20);
  for (std::uint64_t i = 1; i <= rows; ++i) {
    const std::uint64_t r1 = splitmix64(state);
    const std::uint64_t r2 = splitmix64(state);
    const std::int64_t t = (day0 + below(r1, static_cast<std::uint32_t>(days))) * 86400 + below(r1 << 32, 86400);
    const std::int64_t dd = t / 86400;
    // civil_from_days (Hinnant 2013)
    const std::int64_t z = dd + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const auto y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
    const auto sec = static_cast<unsigned>(t - dd * 86400);
    // NPS skewed towards the top, as surveys are.
    static constexpr unsigned nps_of[20] = {0, 2, 3, 5, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 10};
    const unsigned nps = nps_of[below(r2, 20)];
    const unsigned csat_draw = below(r2 << 20, 10);
    char buf[160];
    int n = std::snprintf(buf, sizeof buf, "r%08llu,%04d-%02u-%02uT%02u:%02u:%02uZ,%s,agent%03u,%u,",
                          static_cast<unsigned long long>(i), y, m, d, sec / 3600, sec / 60 % 60, sec % 60,
                          channels[below(r2 << 8, 9)], below(r2 << 12, 200), nps);
    line.assign(buf, static_cast<std::size_t>(n));
    if (csat_draw >= 2) line += static_cast<char>('1' + std::min(4U, (nps + 1) / 2 - (nps > 0 ? 1 : 0) + (csat_draw & 1)));
    const unsigned resolved = below(r2 << 24, 10);
    line += resolved < 7 ? ",yes," : ",no,";
    const unsigned w = 50 + below(r2 << 28, 151);  // 0.50 .. 2.00
    n = std::snprintf(buf, sizeof buf, "%u.%02u,", w / 100, w % 100);
    line.append(buf, static_cast<std::size_t>(n));
    const unsigned c = below(r2 << 36, 1000);
    if (c < 300) {
      line += '"';
      if (c < 5) {
        line += "Two problems:\nbilling and delivery";
      } else {
        line += comments[c % 9];
      }
      line += '"';
    }
    line += '\n';
    block += line;
    if (block.size() > (1 << 20) - 256) {
      out.write(block.data(), static_cast<std::streamsize>(block.size()));
      block.clear();
    }
  }
  out.write(block.data(), static_cast<std::streamsize>(block.size()));
}

// ------------------------------------------------------------------ the work

// NPS, CSAT and resolution counts per channel and month (months from 2020-01).
struct tally {
  static constexpr std::size_t months = 192;
  struct cell {
    std::array<std::uint64_t, 11> nps{};
    std::array<std::uint64_t, 5> csat{};
    std::array<std::uint64_t, 2> resolved{};
  };
  std::vector<cell> cells;
  std::vector<std::uint16_t> month_of_day;  // days since 2020-01-01 → month index
  std::int64_t first_day = 0;
  std::uint64_t rows = 0;

  tally() {
    first_day = days_from_civil(2020, 1, 1);
    for (unsigned mi = 0; mi < months; ++mi) {
      const std::int64_t a = days_from_civil(2020 + mi / 12, mi % 12 + 1, 1) - first_day;
      const std::int64_t b = days_from_civil(2020 + (mi + 1) / 12, (mi + 1) % 12 + 1, 1) - first_day;
      for (std::int64_t dd = a; dd < b; ++dd) month_of_day.push_back(static_cast<std::uint16_t>(mi));
    }
  }

  void add(const cxm::response_batch& b) {
    const std::size_t channels = b.channel_labels().size();
    if (cells.size() < channels * (months + 1)) cells.resize(channels * (months + 1));
    const auto nps = b.nps();
    const auto csat = b.csat();
    const auto res = b.resolved();
    const auto time = b.time();
    const auto ch = b.channel();
    for (std::size_t i = 0; i < b.size(); ++i) {
      std::size_t month = months;  // out of range or missing
      if (time[i] != cxm::response_table::missing_time) {
        const std::int64_t dd = (time[i] >= 0 ? time[i] / 86400 : (time[i] - 86399) / 86400) - first_day;
        if (dd >= 0 && dd < static_cast<std::int64_t>(month_of_day.size())) month = month_of_day[static_cast<std::size_t>(dd)];
      }
      cell& c = cells[ch[i] * (months + 1) + month];
      if (nps[i] <= 10) ++c.nps[nps[i]];
      if (csat[i] >= 1 && csat[i] <= 5) ++c.csat[csat[i] - 1];
      if (res[i] >= 0) ++c.resolved[static_cast<std::size_t>(res[i])];
    }
    rows += b.size();
  }

  double nps_total() const {
    std::uint64_t p = 0, d = 0, n = 0;
    for (const auto& c : cells) {
      for (int s = 0; s <= 10; ++s) n += c.nps[s];
      p += c.nps[9] + c.nps[10];
      for (int s = 0; s <= 6; ++s) d += c.nps[s];
    }
    return n == 0 ? 0.0 : 100.0 * (static_cast<double>(p) - static_cast<double>(d)) / static_cast<double>(n);
  }
};

cxm::ingest_report ingest(const std::filesystem::path& file, unsigned threads, tally& t) {
  cxm::ingest_options o;
  o.threads = threads;
  cxm::ingest_sink sink;
  sink.on_batch = [&t](const cxm::response_batch& b) { t.add(b); };
  sink.on_reject = [](const cxm::ingest_reject& r) {
    std::fprintf(stderr, "unexpected reject: %s\n", r.message().c_str());
    std::abort();
  };
  return cxm::stream_responses_csv(file, o, sink);
}

std::uint64_t count_newlines(const std::filesystem::path& file) {
  std::uint64_t lines = 0;
#if defined(__unix__)
  const int fd = ::open(file.c_str(), O_RDONLY);
  std::vector<char> buf(1 << 20);
  for (;;) {
    const ssize_t r = ::read(fd, buf.data(), buf.size());
    if (r <= 0) break;
    const char* p = buf.data();
    const char* e = p + r;
    while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(e - p)))) != nullptr) {
      ++lines;
      ++p;
    }
  }
  ::close(fd);
#else
  std::ifstream in(file, std::ios::binary);
  std::vector<char> buf(1 << 20);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    lines += static_cast<std::uint64_t>(std::count(buf.data(), buf.data() + in.gcount(), '\n'));
  }
#endif
  return lines;
}

// ------------------------------------------------------------------ benchmarks

std::filesystem::path g_file;
std::uint64_t g_rows = 10'000'000;
std::uint64_t g_bytes = 0;

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

void report(benchmark::State& st, const std::string& key, double seconds, std::uint64_t responses) {
  const double mbps = static_cast<double>(g_bytes) / seconds / 1e6;
  rates()[key].push_back(mbps);
  st.counters["MB/s"] = mbps;
  if (responses > 0) st.counters["Mresp/s"] = static_cast<double>(responses) / seconds / 1e6;
  if (key != "ceiling") {
    if (auto c = median_rate("ceiling")) st.counters["%ceiling"] = 100.0 * mbps / *c;
    const bool duck = key.rfind("duckdb/", 0) == 0;
    const std::string one_key = duck ? "duckdb/1" : "ingest/1";
    if (key != one_key) {
      if (auto one = median_rate(one_key)) st.counters["x1thread"] = mbps / *one;
    }
    if (!duck && key != "ingest/pair") {
      if (auto d = median_rate("duckdb/" + key.substr(key.find('/') + 1))) st.counters["xDuckDB"] = mbps / *d;
    }
    if (key == "ingest/2") {
      if (auto pair = median_rate("ingest/pair")) st.counters["%pair"] = 100.0 * mbps / *pair;
    }
  }
}

void ceiling(benchmark::State& st) {
  for (auto _ : st) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t lines = count_newlines(g_file);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    benchmark::DoNotOptimize(lines);
    st.SetIterationTime(s);
    report(st, "ceiling", s, 0);
  }
}

void ingest_case(benchmark::State& st, unsigned threads) {
  for (auto _ : st) {
    tally t;
    const auto t0 = std::chrono::steady_clock::now();
    const cxm::ingest_report rep = ingest(g_file, threads, t);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    st.SetIterationTime(s);
    if (rep.summary.accepted != g_rows || rep.summary.rejected != 0) {
      st.SkipWithError("the file did not read back whole");
      return;
    }
    st.counters["NPS"] = t.nps_total();
    report(st, "ingest/" + std::to_string(threads), s, rep.summary.accepted);
  }
}

// Two one-thread reads of the whole file at once, each on a thread of its
// own with nothing shared: what two cores of this machine give this work when
// no reader coordinates them, the bound for a two-thread reader. Each read is
// timed on its own thread and the pair's speed is the sum of the two speeds
// (the vCPUs here may run at different speeds; the slower one's finish is
// not the measure). The iteration time reported is the time that sum implies
// for one file.
void pair_case(benchmark::State& st) {
  for (auto _ : st) {
    tally t[2];
    cxm::ingest_report rep[2];
    double secs[2] = {0, 0};
    auto one = [&](int k) {
      const auto t0 = std::chrono::steady_clock::now();
      rep[k] = ingest(g_file, 1, t[k]);
      secs[k] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    std::thread other(one, 1);
    one(0);
    other.join();
    for (const auto& r : rep) {
      if (r.summary.accepted != g_rows || r.summary.rejected != 0) {
        st.SkipWithError("the file did not read back whole");
        return;
      }
    }
    const double s = 1.0 / (1.0 / secs[0] + 1.0 / secs[1]);  // per file at the summed speed
    st.SetIterationTime(s);
    report(st, "ingest/pair", s, rep[0].summary.accepted);
    st.counters["slower/faster"] = std::max(secs[0], secs[1]) / std::min(secs[0], secs[1]);
  }
}

// DuckDB through node: one query, timed inside the child; nullopt (with the
// reason in *why) when node or the package is missing.
std::optional<double> duckdb_seconds(unsigned threads, std::uint64_t* rows, std::string* why) {
#if defined(__unix__) && defined(CXMETRICS_DUCKDB_SCRIPT)
  const char* modules = std::getenv("CXM_DUCKDB_MODULES");
  std::string cmd = "node '" CXMETRICS_DUCKDB_SCRIPT "' '" + g_file.string() + "' --child=" + std::to_string(threads) +
                    " --reps=1";
  if (modules != nullptr) cmd += std::string(" --modules='") + modules + "'";
  cmd += " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) {
    *why = "cannot start node";
    return std::nullopt;
  }
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int status = ::pclose(p);
  const auto median = out.find("\"median\":");
  const auto nrows = out.find("\"rows\":");
  if (status != 0 || median == std::string::npos || nrows == std::string::npos) {
    *why = out.find("not installed") != std::string::npos
               ? "DuckDB (@duckdb/node-api) not installed: set CXM_DUCKDB_MODULES"
               : "node or DuckDB not available";
    return std::nullopt;
  }
  *rows = std::strtoull(out.c_str() + nrows + 7, nullptr, 10);
  return std::strtod(out.c_str() + median + 9, nullptr);
#else
  (void)threads;
  (void)rows;
  *why = "DuckDB baseline not built on this platform";
  return std::nullopt;
#endif
}

void duckdb_case(benchmark::State& st, unsigned threads) {
  for (auto _ : st) {
    std::uint64_t rows = 0;
    std::string why;
    const auto s = duckdb_seconds(threads, &rows, &why);
    if (!s) {
      st.SkipWithError(why.c_str());
      return;
    }
    if (rows != g_rows) {
      st.SkipWithError("DuckDB counted another number of rows");
      return;
    }
    st.SetIterationTime(*s);
    report(st, "duckdb/" + std::to_string(threads), *s, rows);
  }
}

long vm_hwm_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  bool gen_only = false, rss = false;
  unsigned rss_threads = 1;
  std::string file;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--rows=", 0) == 0) {
      g_rows = std::strtoull(a.c_str() + 7, nullptr, 10);
    } else if (a.rfind("--file=", 0) == 0) {
      file = a.substr(7);
    } else if (a == "--generate") {
      gen_only = true;
    } else if (a == "--rss") {
      rss = true;
    } else if (a.rfind("--threads=", 0) == 0) {
      rss_threads = static_cast<unsigned>(std::strtoul(a.c_str() + 10, nullptr, 10));
    } else {
      args.push_back(argv[i]);
    }
  }
  if (file.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    file = std::string(tmp != nullptr ? tmp : "/tmp") + "/cxm_ingest_" + std::to_string(g_rows) + ".csv";
  }
  g_file = file;
  if (gen_only || (!rss && !std::filesystem::exists(g_file))) {
    std::fprintf(stderr, "writing %llu rows to %s ...\n", static_cast<unsigned long long>(g_rows), file.c_str());
    generate(g_file, g_rows);
    if (gen_only) return 0;
  }
  g_bytes = std::filesystem::file_size(g_file);
  if (rss) {
    tally t;
    const auto rep = ingest(g_file, rss_threads, t);
    std::printf("rows %llu bytes %llu threads %u VmHWM %ld KiB NPS %.4f\n",
                static_cast<unsigned long long>(rep.summary.accepted), static_cast<unsigned long long>(g_bytes),
                rss_threads, vm_hwm_kib(), t.nps_total());
    return 0;
  }
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
  benchmark::AddCustomContext("cxm_isa", std::string(cxm::to_string(cxm::active_isa())));
  benchmark::AddCustomContext("file", file + " (" + std::to_string(g_bytes) + " bytes, " + std::to_string(g_rows) +
                                          " rows)");
  benchmark::RegisterBenchmark("ceiling", ceiling)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);
  for (unsigned threads : {1U, 2U}) {
    benchmark::RegisterBenchmark(("duckdb/threads:" + std::to_string(threads)).c_str(),
                                 [threads](benchmark::State& st) { duckdb_case(st, threads); })
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1);
  }
  for (unsigned threads : {1U, 2U}) {
    if (threads == 2) {
      benchmark::RegisterBenchmark("ingest/two_readers_at_once", pair_case)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond)
          ->Iterations(1);
    }
    benchmark::RegisterBenchmark(("ingest/threads:" + std::to_string(threads)).c_str(),
                                 [threads](benchmark::State& st) { ingest_case(st, threads); })
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
