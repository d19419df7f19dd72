// group_by::feed against engine::count_nps_by on the same columns, measured
// in the same run.
//
//   count_nps_by   the grouped kernel alone: NPS tallies per channel (uint16
//                  ids, 8 labels) × month (uint16 index 0..35, computed
//                  beforehand from the times and not timed): a floor
//   count_nps_by_time
//                  the grouped kernel on the columns feed reads: channel ×
//                  the month of the int64 times (a time key column over the
//                  36 months, bucketed inside the kernel)
//   feed           group_by<nps_accumulator, by_label, by_period>::feed of a
//                  response_view of the NPS, channel and time (int64 Unix
//                  seconds) columns: the month of every time is found inside
//                  the kernel, then a histogram per cell, labels and periods
//                  per group and an nps_accumulator per group
//   feed_rows      the same through the row loop (10^6 rows only)
//   count_nps_by_time_batches, feed_batches
//                  10^6 rows as 100 inputs of 10^4 rows (a reader's
//                  batches): count_nps_by_time per input, each input's
//                  cells added into one total of the 288 groups; and one
//                  group_by fed the 100 inputs. Counter x_batches is
//                  feed_batches over count_nps_by_time_batches: what an
//                  input costs feed beyond the same counting, target
//                  <= 1.10
//
// Counter x_count_nps_by is a case's time over the median time of
// count_nps_by of the same size and order in this run, x_engine over that of
// count_nps_by_time: the engine doing the same work as feed (same columns,
// same grouping), the baseline of the target x_engine <= 1.10 for feed
// (median of 5 repetitions: --benchmark_repetitions=5).
//
// Data: uniform NPS scores 0..10 and channel 0..7 from the SplitMix64 mixer, over the
// 36 months 2022-01 .. 2024-12, in two orders:
//   random   each row's month uniform and its time uniform within the month
//            (engine_benchmark's columns): the kernel looks up the month of
//            every time
//   by_time  times rising evenly over the three years, as survey exports
//            come: most tiles of rows lie in one month, whose key the kernel
//            takes for the whole tile
#include <benchmark/benchmark.h>

#include "same_run.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cxmetrics/core/hash.hpp"
#include "cxmetrics/core/period.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/group_by.hpp"
#include "cxmetrics/engine/grouped.hpp"
#include "cxmetrics/engine/response_view.hpp"
#include "cxmetrics/metrics/nps.hpp"

namespace {

namespace eng = cxm::engine;

constexpr std::int32_t kFirstMonth = 624;  // 2022-01: (2022 - 1970) · 12
constexpr std::uint32_t kMonths = 36;
constexpr std::uint32_t kChannels = 8;

struct dataset {
  std::vector<std::uint8_t> nps;
  std::vector<std::uint16_t> channel;
  std::vector<std::int64_t> time;
  std::vector<std::uint16_t> month;
  cxm::channel_set channels;
};

// Uniform integer in [0, m) from the top 32 bits (Lemire's multiply-shift).
std::uint32_t below(std::uint64_t r, std::uint32_t m) { return static_cast<std::uint32_t>(((r >> 32) * m) >> 32); }

const dataset& data(std::size_t n, bool by_time) {
  static std::map<std::pair<std::size_t, bool>, std::unique_ptr<dataset>> cache;
  auto& slot = cache[{n, by_time}];
  if (!slot) {
    auto d = std::make_unique<dataset>();
    (void)d->channels.id_of("kiosk");
    (void)d->channels.id_of("partner");
    std::vector<std::int64_t> start(kMonths + 1);
    for (std::uint32_t m = 0; m <= kMonths; ++m) {
      start[m] = cxm::first_day(kFirstMonth + static_cast<std::int32_t>(m), cxm::time_bucket::month) * 86400;
    }
    d->nps.resize(n);
    d->channel.resize(n);
    d->time.resize(n);
    d->month.resize(n);
    const std::uint64_t seed = 0x5EEDull + n;  // SplitMix64 outputs: the mixer of consecutive counters
    std::uint32_t m = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t r = cxm::detail::mix64(seed + 2 * i);
      d->nps[i] = static_cast<std::uint8_t>(below(r, 11));
      d->channel[i] = static_cast<std::uint16_t>(r & 7);
      if (by_time) {
        d->time[i] = start[0] + static_cast<std::int64_t>(static_cast<double>(start[kMonths] - start[0]) *
                                                          static_cast<double>(i) / static_cast<double>(n));
        while (d->time[i] >= start[m + 1]) ++m;
      } else {
        m = below(r << 32, kMonths);
        d->time[i] = start[m] + static_cast<std::int64_t>(cxm::detail::mix64(seed + 2 * i + 1) %
                                                          static_cast<std::uint64_t>(start[m + 1] - start[m]));
      }
      d->month[i] = static_cast<std::uint16_t>(m);
    }
    slot = std::move(d);
  }
  return *slot;
}

cxm::response_view view_of(const dataset& d) {
  cxm::response_view v;
  v.rows = d.nps.size();
  v.values.nps = d.nps;
  v.time = d.time;
  v.channel = d.channel;
  v.channels = &d.channels;
  return v;
}

// Times each call of `body` and reports Gresp/s and the ratio to the
// baseline's median of this size.
template <class Body>
void measure(benchmark::State& state, const std::string& what, const std::string& size, std::size_t n, Body&& body) {
  const auto mine = bench::time_iterations(state, what + size, body);
  if (!mine) return;
  state.counters["Gresp/s"] = static_cast<double>(n) / *mine / 1e9;
  if (what != "count_nps_by") {
    if (auto base = bench::median("count_nps_by" + size)) state.counters["x_count_nps_by"] = *mine / *base;
  }
  if (what != "count_nps_by" && what != "count_nps_by_time") {
    if (auto base = bench::median("count_nps_by_time" + size)) state.counters["x_engine"] = *mine / *base;
  }
}

using grouping = cxm::group_by<cxm::nps_accumulator, cxm::by_label, cxm::by_period>;

grouping make_grouping() {
  return grouping(cxm::nps_accumulator{}, cxm::by_label{cxm::category::channel},
                  cxm::by_period(cxm::time_bucket::month));
}

void count_case(benchmark::State& state, const std::string& size, std::size_t n, bool by_time) {
  const auto& d = data(n, by_time);
  const eng::key_column keys[] = {{d.channel, kChannels, "channel"}, {d.month, kMonths, "month"}};
  measure(state, "count_nps_by", size, n,
          [&] { benchmark::DoNotOptimize(eng::count_nps_by(d.nps, keys, cxm::scale::nps())); });
}

void count_time_case(benchmark::State& state, const std::string& size, std::size_t n, bool by_time) {
  const auto& d = data(n, by_time);
  const eng::period_span months{cxm::time_bucket::month, std::chrono::seconds{0}, kFirstMonth, kMonths};
  const eng::key_column keys[] = {{d.channel, kChannels, "channel"}, {d.time, months, "month"}};
  measure(state, "count_nps_by_time", size, n,
          [&] { benchmark::DoNotOptimize(eng::count_nps_by(d.nps, keys, cxm::scale::nps())); });
}

void feed_case(benchmark::State& state, const std::string& size, std::size_t n, bool by_time, cxm::feed_path path) {
  const auto& d = data(n, by_time);
  const auto v = view_of(d);
  cxm::feed_options o;
  o.path = path;
  measure(state, path == cxm::feed_path::rows ? "feed_rows" : "feed", size, n, [&] {
    auto g = make_grouping();
    g.feed(v, o);
    benchmark::DoNotOptimize(g.size());
    if (g.size() != kChannels * kMonths) state.SkipWithError("wrong number of groups");
  });
}

constexpr std::size_t kBatches = 100;

// Rows [b·n/kBatches, (b+1)·n/kBatches) of `d`.
std::pair<std::size_t, std::size_t> batch_rows(std::size_t n, std::size_t b) {
  return {b * n / kBatches, (b + 1) * n / kBatches};
}

void count_batches_case(benchmark::State& state, const std::string& size, std::size_t n, bool by_time) {
  const auto& d = data(n, by_time);
  const eng::period_span months{cxm::time_bucket::month, std::chrono::seconds{0}, kFirstMonth, kMonths};
  measure(state, "count_nps_by_time_batches", size, n, [&] {
    std::vector<eng::nps_tally> total;  // per cell: channel × (no time, then the 36 months)
    for (std::size_t b = 0; b < kBatches; ++b) {
      const auto [first, last] = batch_rows(n, b);
      const std::span<const std::uint16_t> channel(d.channel.data() + first, last - first);
      const std::span<const std::int64_t> time(d.time.data() + first, last - first);
      const eng::key_column keys[] = {{channel, kChannels, "channel"}, {time, months, "month"}};
      const auto counted = eng::count_nps_by(std::span(d.nps.data() + first, last - first), keys, cxm::scale::nps());
      const auto cells = counted.cells();
      total.resize(cells.size());
      for (std::size_t c = 0; c < cells.size(); ++c) {
        total[c].detractors += cells[c].detractors;
        total[c].passives += cells[c].passives;
        total[c].promoters += cells[c].promoters;
      }
    }
    benchmark::DoNotOptimize(total.data());
  });
}

void feed_batches_case(benchmark::State& state, const std::string& size, std::size_t n, bool by_time) {
  const auto& d = data(n, by_time);
  measure(state, "feed_batches", size, n, [&] {
    auto g = make_grouping();
    for (std::size_t b = 0; b < kBatches; ++b) {
      const auto [first, last] = batch_rows(n, b);
      cxm::response_view v;
      v.rows = last - first;
      v.first_row = first;
      v.values.nps = std::span(d.nps.data() + first, last - first);
      v.time = std::span(d.time.data() + first, last - first);
      v.channel = std::span(d.channel.data() + first, last - first);
      v.channels = &d.channels;
      g.feed(v);
    }
    benchmark::DoNotOptimize(g.size());
    if (g.size() != kChannels * kMonths) state.SkipWithError("wrong number of groups");
  });
  if (auto base = bench::median("count_nps_by_time_batches" + size)) {
    state.counters["x_batches"] = *bench::median("feed_batches" + size) / *base;
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  using case_fn = void (*)(benchmark::State&, const std::string&, std::size_t, bool);
  const case_fn count = [](benchmark::State& st, const std::string& size, std::size_t n, bool by_time) {
    count_case(st, size, n, by_time);
  };
  const case_fn count_time = [](benchmark::State& st, const std::string& size, std::size_t n, bool by_time) {
    count_time_case(st, size, n, by_time);
  };
  const case_fn feed = [](benchmark::State& st, const std::string& size, std::size_t n, bool by_time) {
    feed_case(st, size, n, by_time, cxm::feed_path::automatic);
  };
  const case_fn rows = [](benchmark::State& st, const std::string& size, std::size_t n, bool by_time) {
    feed_case(st, size, n, by_time, cxm::feed_path::rows);
  };
  const case_fn count_batches = [](benchmark::State& st, const std::string& size, std::size_t n, bool by_time) {
    count_batches_case(st, size, n, by_time);
  };
  const case_fn feed_batches = [](benchmark::State& st, const std::string& size, std::size_t n, bool by_time) {
    feed_batches_case(st, size, n, by_time);
  };
  for (const auto& [n, label] : {std::pair{std::size_t{1'000'000}, "1e6"}, std::pair{std::size_t{100'000'000}, "1e8"}}) {
    for (const bool by_time : {false, true}) {
      const std::string size = std::string(by_time ? "/by_time" : "/random") + "/n=" + label;
      std::vector<std::pair<std::string, case_fn>> cases = {
          {"count_nps_by", count}, {"count_nps_by_time", count_time}, {"feed", feed}};
      if (n <= 1'000'000 && !by_time) cases.emplace_back("feed_rows", rows);
      if (n <= 1'000'000) {
        cases.emplace_back("count_nps_by_time_batches", count_batches);
        cases.emplace_back("feed_batches", feed_batches);
      }
      for (const auto& [name, fn] : cases) {
        benchmark::RegisterBenchmark((name + size).c_str(),
                                     [fn = fn, size = size, n = n, by_time = by_time](benchmark::State& st) {
                                       fn(st, size, n, by_time);
                                     })
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
