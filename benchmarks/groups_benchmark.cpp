// `cxm summary --by channel` and `cxm report` on a file with many groups,
// against reading the same file alone, measured in the same run.
//
//   read      stream_responses with the options the commands use and a sink
//             that does nothing: parsing, validation, channel ids (the
//             ceiling of any command on this file)
//   summary   what `cxm summary FILE --by channel` does: the read, the
//             per-group counts, the tables (the 100 largest groups, the
//             rest pooled, each group tested against the rest) and the
//             text output (written to memory); summary_..._every_group
//             with --max-groups 0
//   report    what `cxm report FILE` does: the read into a table, the model
//             and the HTML (written to memory)
//
// The file (written once to $TMPDIR, or --file=PATH): --rows=N rows
// (default 10⁵) over --channels=K distinct channel labels (default 6·10⁴:
// each of the first K rows has a label of its own, the others fall on 30
// large channels; rows shuffled with a fixed seed), with id, ISO timestamp,
// NPS, CSAT, CES and resolved. Counter x_read is a case's time over the
// median read time of this run: the target is ≤ 3 for summary and report
// (median of 5 repetitions: --benchmark_repetitions=5).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/input.hpp"
#include "cxmetrics/io/ingest.hpp"

namespace {

std::filesystem::path g_file;
std::uint64_t g_rows = 100'000;
std::uint64_t g_channels = 60'000;

void generate(const std::filesystem::path& file, std::uint64_t rows, std::uint64_t channels) {
  std::mt19937_64 rng(7);
  std::vector<std::string> labels;
  labels.reserve(rows);
  for (std::uint64_t r = 0; r < rows; ++r) {
    labels.push_back(r < channels ? "ch" + std::to_string(r) : "big" + std::to_string(rng() % 30));
  }
  std::shuffle(labels.begin(), labels.end(), rng);
  std::ofstream out(file, std::ios::binary);
  out << "id,timestamp,channel,nps,csat,ces,resolved\n";
  const char* res[] = {"yes", "no", ""};
  char line[160];
  for (std::uint64_t r = 0; r < rows; ++r) {
    const int day = 1 + static_cast<int>(r % 28);
    const int month = 1 + static_cast<int>((r / 28) % 12);
    const int n = std::snprintf(line, sizeof line, "r%llu,2024-%02d-%02dT12:00:00Z,%s,%d,%d,%d,%s\n",
                                static_cast<unsigned long long>(r), month, day, labels[r].c_str(),
                                static_cast<int>(rng() % 11), 1 + static_cast<int>(rng() % 5),
                                1 + static_cast<int>(rng() % 7), res[rng() % 3]);
    out.write(line, n);
  }
}

std::map<std::string, std::vector<double>>& times() {
  static std::map<std::string, std::vector<double>> t;
  return t;
}

std::optional<double> median_time(const std::string& key) {
  auto it = times().find(key);
  if (it == times().end() || it->second.empty()) return std::nullopt;
  auto v = it->second;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

void record(benchmark::State& st, const std::string& key, double seconds) {
  st.SetIterationTime(seconds);
  times()[key].push_back(seconds);
  if (key != "read") {
    if (auto r = median_time("read")) st.counters["x_read"] = seconds / *r;
  }
}

template <class F>
double timed(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

cxm::cli::input_args input() {
  cxm::cli::input_args in;
  in.file = g_file.string();
  return in;
}

void read_case(benchmark::State& st) {
  for (auto _ : st) {
    std::uint64_t rows = 0;
    cxm::ingest_sink sink;
    sink.on_batch = [&](const cxm::response_batch& b) { rows += b.size(); };
    const auto options = cxm::cli::make_ingest_options(input());
    const double s = timed([&] { (void)cxm::stream_responses(g_file, options, sink); });
    benchmark::DoNotOptimize(rows);
    st.counters["rows"] = static_cast<double>(rows);
    record(st, "read", s);
  }
}

// Runs one command on the file with its output written to memory; `counter`
// gets the output's size.
template <class Args, class Run>
void command_case(benchmark::State& st, Args a, Run run, const char* key, const char* counter) {
  for (auto _ : st) {
    std::ostringstream out, err;
    cxm::cli::context ctx;
    ctx.quiet = true;
    ctx.out = &out;
    ctx.err = &err;
    a.input = input();
    const double s = timed([&] { run(a, ctx); });
    st.counters[counter] = static_cast<double>(out.str().size());
    record(st, key, s);
  }
}

// max_groups: the --max-groups of the run (100 is the command's default; 0
// writes every group, 60,000 rows per metric here: the output is then ten
// times the input, so that case is context, not a target).
void summary_case(benchmark::State& st, std::size_t max_groups, const char* key) {
  cxm::cli::summary_args a;
  a.by = {"channel"};
  a.groups.max_groups = max_groups;
  command_case(st, a, &cxm::cli::run_summary, key, "output_bytes");
}

void report_case(benchmark::State& st) {
  command_case(st, cxm::cli::report_args{}, &cxm::cli::run_report, "report", "html_bytes");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  std::string file;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--rows=", 0) == 0) {
      g_rows = std::strtoull(a.c_str() + 7, nullptr, 10);
    } else if (a.rfind("--channels=", 0) == 0) {
      g_channels = std::strtoull(a.c_str() + 11, nullptr, 10);
    } else if (a.rfind("--file=", 0) == 0) {
      file = a.substr(7);
    } else {
      args.push_back(argv[i]);
    }
  }
  if (file.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    file = std::string(tmp != nullptr ? tmp : "/tmp") + "/cxm_groups_" + std::to_string(g_rows) + "_" +
           std::to_string(g_channels) + ".csv";
  }
  g_file = file;
  if (!std::filesystem::exists(g_file)) generate(g_file, g_rows, g_channels);
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
  benchmark::AddCustomContext("file", file + " (" + std::to_string(std::filesystem::file_size(g_file)) +
                                          " bytes, " + std::to_string(g_rows) + " rows, " +
                                          std::to_string(g_channels) + " single-row channels + 30 large)");
  const auto add = [](const char* name, auto fn) {
    benchmark::RegisterBenchmark(name, fn)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);
  };
  add("read", &read_case);
  add("summary_by_channel", [](benchmark::State& st) { summary_case(st, 100, "summary"); });
  add("report", &report_case);
  add("summary_by_channel_every_group", [](benchmark::State& st) { summary_case(st, 0, "summary_all"); });
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
