// Alert throughput: 10^6 responses (cxm::response, in memory) through ten
// rules on one thread, against a bare pass over the same responses that
// reads the fields the rules read (scores, resolved flag, time) and sums
// them. Reported per case: Mresp/s, and for the rules "x_bare", their median
// time over the bare pass's median in this run.
//
// The ten rules: NPS <= 6 (one alert per customer id per day), NPS <= 3 (one
// per agent per 8 h), CSAT <= 2, CES <= 2, not resolved, NPS of the last 100
// below 0, CSAT top-box of the last 7 days below 0.6, resolution of the last
// 500 below 0.5, CES top-box of the last 2 days below 0.3, and an NPS drop
// over the last 1000 against the first day (alpha 0.01). The data: about 20 %
// detractors (NPS about +35), CSAT and CES mostly high, 15 % unresolved, one
// response every 30 s, 50 agents, 200,000 customer ids; the sink counts the
// records. Two streams: "mixed" (about half of the responses match some rule,
// so the figure includes building, cooling down and delivering those records)
// and "quiet" (the same rows made content: no rule matches, so the figure is
// the rules' checks and windows alone).
//
//   build/release/benchmarks/alerts_benchmark --benchmark_repetitions=5
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "same_run.hpp"

#include "cxmetrics/alerts/alert.hpp"
#include "cxmetrics/alerts/alert_engine.hpp"
#include "cxmetrics/alerts/alert_rule.hpp"

namespace {

constexpr std::size_t kResponses = 1'000'000;
constexpr std::int64_t kStart = 1704067200;  // 2024-01-01T00:00:00Z

std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A score drawn from `weights` (per 100) for scores low, low + 1, ...
int draw(std::uint64_t x, const int* weights, int low) {
  int u = static_cast<int>(x % 100), i = 0;
  while (u >= weights[i]) u -= weights[i++];
  return low + i;
}

// mixed: NPS 20 % detractors (about +35), CSAT 10 % at 1-2 (top-2-box 80 %),
// CES 7 % at 1-2 (5-7: 80 %), 15 % not resolved. quiet: the same rows with
// NPS 9-10, CSAT 5, CES 7 and resolved: no rule matches.
std::vector<cxm::response> make_data(bool quiet) {
  std::vector<cxm::response> v(kResponses);
  std::uint64_t s = 0x5EED;
  const int nps_w[11] = {2, 1, 2, 2, 3, 4, 6, 10, 15, 25, 30};
  const int csat_w[5] = {5, 5, 10, 30, 50};
  const int ces_w[7] = {3, 4, 5, 8, 15, 30, 35};
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto& r = v[i];
    const auto x = splitmix(s);
    const auto y = splitmix(s);
    r.nps = quiet ? 9 + static_cast<int>(x & 1) : draw(x, nps_w, 0);
    r.csat = quiet ? 5 : draw(x >> 8, csat_w, 1);
    r.ces = quiet ? 7 : draw(x >> 16, ces_w, 1);
    r.resolved = !quiet && (x >> 24) % 100 < 15 ? cxm::resolution::no : cxm::resolution::yes;
    r.time = cxm::timestamp{std::chrono::seconds{kStart + static_cast<std::int64_t>(i) * 30}};
    r.id = "C" + std::to_string(y % 200000);
    r.agent = "A" + std::to_string((y >> 20) % 50);
    r.channel = cxm::channel_id{static_cast<std::uint16_t>((y >> 40) % 6)};
  }
  return v;
}

const std::vector<cxm::response>& data(bool quiet) {
  static const std::vector<cxm::response> mixed = make_data(false);
  static const std::vector<cxm::response> calm = make_data(true);
  return quiet ? calm : mixed;
}

std::vector<cxm::alert_rule> ten_rules() {
  using cxm::alert_metric;
  using cxm::alert_rule;
  std::vector<alert_rule> r;
  r.push_back(alert_rule::detractor());
  r.back().cooldown = {{cxm::alert_key_field::id}, 86400};
  r.push_back(alert_rule::detractor(3, "angry"));
  r.back().cooldown = {{cxm::alert_key_field::agent}, 8 * 3600};
  r.push_back(alert_rule::csat_at_most(2));
  auto ces = alert_rule::detractor(2, "hard");
  ces.metric = alert_metric::ces;
  ces.scale = cxm::scale::ces();
  r.push_back(ces);
  r.push_back(alert_rule::unresolved());
  r.push_back(alert_rule::below_last(alert_metric::nps, 100, 0.0, 50, "nps-100"));
  r.push_back(alert_rule::below_days(alert_metric::csat, 7, 0.6, 100, "csat-7d"));
  r.push_back(alert_rule::below_last(alert_metric::resolution, 500, 0.5, 100, "resolution-500"));
  r.push_back(alert_rule::below_days(alert_metric::ces, 2, 0.3, 100, "ces-2d"));
  alert_rule drop;
  drop.name = "nps-drop";
  drop.kind = cxm::alert_rule_kind::baseline_drop;
  drop.last_responses = 1000;
  drop.min_n = 200;
  drop.alpha = 0.01;
  drop.baseline_from = cxm::timestamp{std::chrono::seconds{kStart}};
  drop.baseline_to = cxm::timestamp{std::chrono::seconds{kStart + 86400}};
  r.push_back(drop);
  return r;
}

template <class Body>
void measure(benchmark::State& state, const std::string& key, const std::string& base_key, Body&& body) {
  const auto mine = bench::time_iterations(state, key, body);
  if (!mine) return;
  state.counters["Mresp/s"] = static_cast<double>(kResponses) / *mine / 1e6;
  if (!base_key.empty()) {
    if (auto base = bench::median(base_key)) state.counters["x_bare"] = *mine / *base;
  }
}

void bare_pass(benchmark::State& state, bool quiet) {
  const auto& d = data(quiet);
  measure(state, quiet ? "bare_pass/quiet" : "bare_pass/mixed", "", [&] {
    std::int64_t sum = 0;
    for (const auto& r : d) {
      sum += r.nps.value_or(0) + r.csat.value_or(0) + r.ces.value_or(0) + static_cast<int>(r.resolved) +
             (r.time ? r.time->time_since_epoch().count() : 0);
    }
    benchmark::DoNotOptimize(sum);
  });
}

void ten_rule_pass(benchmark::State& state, bool quiet) {
  const auto& d = data(quiet);
  std::uint64_t records = 0, matches = 0;
  measure(state, quiet ? "ten_rules/quiet" : "ten_rules/mixed", quiet ? "bare_pass/quiet" : "bare_pass/mixed", [&] {
    cxm::alert_engine_options o;
    o.clock = [] { return cxm::timestamp{std::chrono::seconds{kStart}}; };
    cxm::alert_engine engine(ten_rules(), o);
    engine.add_sink([&records](const cxm::alert&) { ++records; });
    for (const auto& r : d) engine.process(r);
    matches = engine.counts().matches;
  });
  state.counters["matches/resp"] = static_cast<double>(matches) / static_cast<double>(kResponses);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  for (const bool quiet : {false, true}) {
    (void)data(quiet);
    const std::string mix = quiet ? "/quiet/n=1e6" : "/mixed/n=1e6";
    benchmark::RegisterBenchmark(("bare_pass" + mix).c_str(), [quiet](benchmark::State& st) { bare_pass(st, quiet); })
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("ten_rules" + mix).c_str(), [quiet](benchmark::State& st) { ten_rule_pass(st, quiet); })
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
